import { useEffect, useState } from 'react';

/** The current time, re-rendering every `intervalMs` while `enabled` (for ticking durations and countdowns). */
export function useNow(enabled: boolean, intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!enabled) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [enabled, intervalMs]);
  return now;
}

/** setTimeout's delay is a 32-bit count of ms; a later time is checked again after this long. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Whether the time `epochMs` has come, re-rendering once when it does (not every second):
 * for a notice that changes at one known moment, such as a subscription window reopening.
 */
export function useReached(epochMs: number | null): boolean {
  const [now, setNow] = useState(() => Date.now());
  const reached = epochMs !== null && now >= epochMs;
  useEffect(() => {
    if (epochMs === null || reached) return;
    // A timer that fires early changes `now`, which schedules the next one.
    const timer = setTimeout(() => setNow(Date.now()), Math.min(Math.max(0, epochMs - Date.now()), MAX_TIMEOUT_MS));
    return () => clearTimeout(timer);
  }, [epochMs, reached, now]);
  return reached;
}
