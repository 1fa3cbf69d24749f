/**
 * The orchestrator's time: what it reads as now, and how it waits. Injected, so tests run its waits (for a
 * window to reopen, for a retry) on a clock of their own instead of the machine's.
 */
export interface Clock {
  now(): number;
  /** Resolves true after `ms`, or false as soon as the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<boolean>;
}

/** setTimeout fires at once past this (about 24.8 days); a 7-day window's wait is cut into pieces below it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

async function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  let left = ms;
  while (left > MAX_TIMER_MS) {
    if (!(await sleepBelowTimerLimit(MAX_TIMER_MS, signal))) return false;
    left -= MAX_TIMER_MS;
  }
  return sleepBelowTimerLimit(left, signal);
}

function sleepBelowTimerLimit(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    // A time already past (a window that reopened while the iteration ran) is no wait; Node 24 warns on
    // a negative delay, on the command's stderr.
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      },
      Math.max(0, ms),
    );
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The machine's clock, with `now` replaceable (as OrchestratorOptions.now always was). */
export function systemClock(now: () => number = Date.now): Clock {
  return { now, sleep };
}

/**
 * For tests that run Baton in a process of their own, where no test clock can be handed in (BATON_TEST_CLOCK):
 * every wait ends at once, and the time reads as if it had been waited, so a test sees a wait decided and
 * recorded, with its wake time, and what comes after it, without spending the wait.
 */
export function skippingClock(now: () => number = Date.now): Clock {
  let skipped = 0;
  return {
    now: () => now() + skipped,
    sleep: (ms, signal) => {
      if (signal?.aborted) return Promise.resolve(false);
      skipped += Math.max(0, ms);
      // A turn of the event loop, as a real wait gives: what else is due (a stop, output) still happens.
      return new Promise((resolve) => setImmediate(() => resolve(!signal?.aborted)));
    },
  };
}
