import { useEffect, useMemo, useRef, useState } from 'react';
import {
  formatCost,
  formatDuration,
  formatTokens,
  sumTokens,
  type AgentEvent,
  type SessionView,
  WAIT_LABELS,
} from '../contract';
import { useServices } from '../app/services';
import { useResource } from '../hooks/use-resource';
import { addStreamEvent, type StreamItem, type StreamState } from '../stores/stream';
import { storedWait, usageOf } from '../stores/live-store';
import { AgentStream } from './AgentStream';
import { Metric } from './Metric';
import { SidePanel } from './SidePanel';
import { ErrorState, Loading } from './StateViews';
import { StatusBadge } from './Status';

/** Events per second at 1×. */
export const REPLAY_RATE = 20;
export const REPLAY_SPEEDS = [1, 4, 16] as const;
export type ReplaySpeed = (typeof REPLAY_SPEEDS)[number];
const TICK_MS = 50;

/** How many events a tick plays at a speed, carrying the fraction to the next tick. */
export function replayStep(speed: ReplaySpeed, carry: number, tickMs = TICK_MS): { events: number; carry: number } {
  const exact = carry + (REPLAY_RATE * speed * tickMs) / 1000;
  const events = Math.floor(exact);
  return { events, carry: exact - events };
}

interface Built {
  events: readonly AgentEvent[];
  position: number;
  seq: number;
  state: StreamState;
}

const fresh = (events: readonly AgentEvent[]): Built => ({
  events,
  position: 0,
  seq: 0,
  state: { items: [], droppedItems: 0, openText: null },
});

/**
 * The stream items of the first `position` events, built on from the last
 * answer when playing forward (items that did not change keep their
 * identity, so only new ones render) and from the start after a jump back.
 */
export function useReplayItems(events: readonly AgentEvent[], position: number): StreamItem[] {
  const built = useRef<Built>(fresh(events));
  return useMemo(() => {
    let b = built.current;
    if (b.events !== events || position < b.position) b = fresh(events);
    for (let i = b.position; i < position && i < events.length; i++) {
      addStreamEvent(b.state, events[i]!, () => ++b.seq, 0, Number.POSITIVE_INFINITY);
    }
    b.position = Math.max(b.position, Math.min(position, events.length));
    built.current = b;
    return [...b.state.items];
  }, [events, position]);
}

const NO_EVENTS: AgentEvent[] = [];

/** Plays a stored session's events as they streamed, with play/pause, speed, a scrubber and jump-to-end. Esc closes. */
export function ReplayPanel({
  session,
  baseDir,
  onClose,
}: {
  session: SessionView;
  baseDir?: string;
  onClose: () => void;
}) {
  const { client } = useServices();
  const sessionId = session.sessionId;
  const loaded = useResource(() => client.getSessionEvents({ sessionId }), sessionId);
  const events = loaded.data?.events ?? NO_EVENTS;
  const total = events.length;
  const [position, setPosition] = useState(0);
  const [playing, setPlaying] = useState(true);
  const [speed, setSpeed] = useState<ReplaySpeed>(4);
  const carry = useRef(0);
  const items = useReplayItems(events, position);

  // A new session starts over.
  useEffect(() => {
    setPosition(0);
    setPlaying(true);
    carry.current = 0;
  }, [events]);

  useEffect(() => {
    if (!playing || total === 0) return;
    const timer = setInterval(() => {
      const step = replayStep(speed, carry.current);
      carry.current = step.carry;
      setPosition((p) => Math.min(total, p + step.events));
    }, TICK_MS);
    return () => clearInterval(timer);
  }, [playing, speed, total]);

  useEffect(() => {
    if (playing && total > 0 && position >= total) setPlaying(false);
  }, [playing, position, total]);

  const togglePlay = () => {
    if (playing) {
      setPlaying(false);
      return;
    }
    if (position >= total) setPosition(0);
    carry.current = 0;
    setPlaying(true);
  };

  // A running iteration that waits has the wait's reason for its error: a wait, not a failure.
  const waiting = storedWait(session);
  // The stored session's figures, the same the table shows for this iteration (not a sum of the events).
  const tokens = sumTokens(usageOf(session));

  return (
    <SidePanel
      className="replay-panel"
      label={`Replay of iteration ${session.iteration}`}
      testId="replay-panel"
      heading={
        <div>
          <strong>Replay of iteration {session.iteration}</strong>{' '}
          {waiting ? (
            <StatusBadge status="waiting" label={WAIT_LABELS[waiting]} />
          ) : (
            <StatusBadge status={session.status} />
          )}{' '}
          <code className="session-id">{sessionId}</code>
        </div>
      }
      closeLabel="Close replay"
      onClose={onClose}
    >
      <p className="replay-figures">
        <span>
          Tokens <Metric testId="replay-tokens" value={tokens} format={formatTokens} />
        </span>{' '}
        ·{' '}
        <span>
          Cost <Metric testId="replay-cost" value={session.costUsd} format={formatCost} />
        </span>{' '}
        · <span>{session.status === 'running' ? 'still running' : formatDuration(session.durationMs)}</span>
      </p>
      {session.error && !waiting ? <p className="field-error">{session.error}</p> : null}
      {loaded.status === 'loading' ? <Loading label="Loading the session's events…" /> : null}
      {loaded.status === 'error' ? <ErrorState message={loaded.error ?? ''} onRetry={loaded.reload} /> : null}
      {loaded.status === 'ready' ? (
        <>
          {loaded.data?.truncated ? (
            <p className="muted">Only part of this session's events were stored; the replay shows what was kept.</p>
          ) : null}
          {total === 0 ? (
            <p className="muted">This session has no stored events.</p>
          ) : (
            <div className="replay-controls" role="group" aria-label="Replay controls">
              <button type="button" onClick={togglePlay} aria-label={playing ? 'Pause' : 'Play'}>
                {playing ? 'Pause' : 'Play'}
              </button>
              <span className="speed" role="group" aria-label="Speed">
                {REPLAY_SPEEDS.map((s) => (
                  <button key={s} type="button" aria-pressed={speed === s} onClick={() => setSpeed(s)}>
                    {s}×
                  </button>
                ))}
              </span>
              <input
                type="range"
                className="scrubber"
                aria-label="Position"
                min={0}
                max={total}
                step={1}
                value={position}
                onChange={(e) => {
                  setPlaying(false);
                  setPosition(Number(e.target.value));
                }}
              />
              <button
                type="button"
                onClick={() => {
                  setPlaying(false);
                  setPosition(total);
                }}
                disabled={position >= total}
              >
                Jump to end
              </button>
              <span className="muted" aria-live="polite" data-testid="replay-position">
                {position} of {total} events
              </span>
            </div>
          )}
          <AgentStream items={items} droppedItems={0} baseDir={baseDir} />
        </>
      ) : null}
    </SidePanel>
  );
}
