import { useEffect, useMemo } from 'react';
import {
  type AgentEvent,
  formatCost,
  formatDuration,
  formatInteger,
  formatTokens,
  type SessionView,
  sumTokens,
  WAIT_LABELS,
} from '../contract';
import { replayActionFor } from '../keyboard';
import { useReplay } from '../hooks/use-replay';
import { useRead } from '../hooks/use-read';
import { errorMessage } from '../errors';
import { storedWait, usageOf } from '../stores/live-store';
import { buildTimeline, type Totals, totalsAt } from '../stores/replay-model';
import { AgentStream } from './AgentStream';
import { Metric } from './Metric';
import { ReplayControls } from './ReplayControls';
import { SessionId } from './SessionId';
import { SidePanel } from './SidePanel';
import { ErrorState, Loading } from './StateViews';
import { StatusBadge } from './Status';
import '../styles/replay.css';

const NO_EVENTS: AgentEvent[] = [];

/**
 * Plays a stored session's events in their own time (1× is real time), each beside the time it came, with
 * play/pause, speed, stepping, a scrubber and skims to the next tool call, error or file change; the header's
 * totals are those of the point played to. It opens at the end; Esc closes it.
 */
export function ReplayPanel({
  session,
  baseDir,
  onClose,
}: {
  session: SessionView;
  baseDir?: string;
  onClose: () => void;
}) {
  const sessionId = session.sessionId;
  const loaded = useRead('getSessionEvents', { sessionId });
  const timeline = useMemo(() => buildTimeline(loaded.data?.events ?? NO_EVENTS, loaded.data?.times), [loaded.data]);
  const replay = useReplay(timeline);
  const { dispatch, frame } = replay;
  const total = timeline.events.length;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const action = replayActionFor(e);
      if (!action) return;
      // Space would also press the focused button, and arrows move the focused scrubber.
      e.preventDefault();
      dispatch(action);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [dispatch]);

  // A running iteration that waits has the wait's reason for its error: a wait, not a failure.
  const waiting = storedWait(session);
  // At the end, the stored session's figures, the same the table shows; before it, those of the events so far.
  const totals: Totals =
    frame.position >= total && session.status !== 'running'
      ? { tokens: sumTokens(usageOf(session)), costUsd: session.costUsd, turns: session.turns }
      : totalsAt(timeline.events, frame.position);

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
          <SessionId id={sessionId} />
        </div>
      }
      closeLabel="Close replay"
      onClose={onClose}
    >
      <p className="replay-figures">
        <span>
          Tokens <Metric testId="replay-tokens" value={totals.tokens} format={formatTokens} />
        </span>{' '}
        ·{' '}
        <span>
          Cost <Metric testId="replay-cost" value={totals.costUsd} format={formatCost} />
        </span>{' '}
        ·{' '}
        <span>
          Turns <Metric testId="replay-turns" value={totals.turns} format={formatInteger} />
        </span>{' '}
        · <span>{session.status === 'running' ? 'still running' : formatDuration(session.durationMs)}</span>
      </p>
      {session.error && !waiting ? <p className="field-error">{session.error}</p> : null}
      {loaded.isPending ? <Loading label="Loading the session's events…" /> : null}
      {loaded.isError ? (
        <ErrorState message={errorMessage(loaded.error)} onRetry={() => void loaded.refetch()} />
      ) : null}
      {loaded.isSuccess ? (
        <>
          {loaded.data?.truncated ? (
            <p className="muted">Only part of this session's events were stored; the replay shows what was kept.</p>
          ) : null}
          {total === 0 ? (
            <p className="muted">This session has no stored events.</p>
          ) : (
            <ReplayControls timeline={timeline} replay={replay} />
          )}
          <AgentStream items={replay.items} droppedItems={0} baseDir={baseDir} times />
        </>
      ) : null}
    </SidePanel>
  );
}
