/** One iteration as the live views show it: its chip on a task's timeline, and its panel with the stream. */
import { formatCost, formatDuration, formatTokens, plural, sumTokens, WAIT_LABELS, type WaitCause } from '../contract';
import { describeDrift, costDrift, UNKNOWN_COST } from '../cost';
import { useNow } from '../hooks/use-now';
import { sessionCost, taskWait, type LiveSession, type LiveTask } from '../stores/live-store';
import { AgentStream } from './AgentStream';
import { OutcomeLine } from './IterationOutcomes';
import { Metric } from './Metric';
import { ApiRetryNotice } from './Notices';
import { SessionId } from './SessionId';
import { StatusBadge } from './Status';

/** How long a session has run: its stored duration once it ended, the time since it started while it runs. */
export function sessionDuration(session: Pick<LiveSession, 'status' | 'durationMs' | 'startedAt'>, now: number) {
  if (session.status !== 'running') return session.durationMs;
  return Math.max(0, now - session.startedAt);
}

/** An iteration's badge: its status, or what it waits for while its task waits. */
function IterationBadge({ session, wait, testId }: { session: LiveSession; wait: WaitCause | null; testId?: string }) {
  return wait ? (
    <StatusBadge status="waiting" label={WAIT_LABELS[wait]} testId={testId} />
  ) : (
    <StatusBadge status={session.status} testId={testId} />
  );
}

/**
 * An iteration on its task's timeline: its number, status (or wait), tokens and cost, then what it changed and how
 * the check after it ended; pressed to show it.
 */
export function IterationButton({
  session,
  wait,
  selected,
  onSelect,
}: {
  session: LiveSession;
  wait: WaitCause | null;
  selected: boolean;
  onSelect: () => void;
}) {
  const cost = sessionCost(session);
  const shownStatus = wait ? 'waiting' : session.status;
  return (
    <li>
      <button
        type="button"
        className={`iteration status-${shownStatus}`}
        data-testid="iteration"
        data-session-id={session.sessionId}
        data-status={shownStatus}
        aria-pressed={selected}
        title={`Session ${session.sessionId}`}
        onClick={onSelect}
      >
        <span className="iteration-number">#{session.iteration}</span>
        <IterationBadge session={session} wait={wait} />
        <span className="iteration-figures">
          {formatTokens(sumTokens(session.usage))} tokens
          {cost.unknown ? ` · cost ${UNKNOWN_COST}` : ''}
          {cost.costUsd !== null ? ` · ${cost.estimated ? '~' : ''}${formatCost(cost.costUsd)}` : ''}
        </span>
        <OutcomeLine git={session.git} check={session.check} />
      </button>
    </li>
  );
}

/**
 * The chosen iteration: its figures (live while it runs, stored once it ended), any error, and its stream.
 * `wait`: what it waits for while its task waits; its clock stops meanwhile, the task's countdown says when it goes on.
 */
export function IterationPanel({
  session,
  baseDir,
  wait = null,
}: {
  session: LiveSession;
  baseDir: string;
  wait?: WaitCause | null;
}) {
  const running = session.status === 'running';
  const now = useNow(running && !wait);
  const cost = sessionCost(session);
  const { costSource, costUsd, computedCostUsd } = session;
  const drift =
    running || costSource === null || costUsd === null ? null : costDrift({ costSource, costUsd, computedCostUsd });
  const duration = sessionDuration(session, now);
  const ownId = session.agentSessionId !== session.sessionId ? session.agentSessionId : null;
  return (
    <section className="iteration-panel" aria-label={`Iteration ${session.iteration}`}>
      <div className="iteration-header">
        <strong>Iteration {session.iteration}</strong>
        <IterationBadge session={session} wait={wait} testId="iteration-status" />
        <SessionId id={session.sessionId} />
        {ownId !== null ? (
          <span className="muted" title="The agent's own id for this session">
            agent&apos;s id <SessionId id={ownId} testId="iteration-agent-session-id" />
          </span>
        ) : null}
        <span>
          Tokens <Metric testId="iteration-tokens" value={sumTokens(session.usage)} format={formatTokens} />
        </span>
        {session.reasoningTokens > 0 ? (
          <span className="muted" title="Output tokens the model spent reasoning; already in the tokens">
            reasoning{' '}
            <Metric testId="iteration-reasoning-tokens" value={session.reasoningTokens} format={formatTokens} />
          </span>
        ) : null}
        <span title={cost.estimated ? 'An estimate at list prices until the agent reports its cost' : undefined}>
          {cost.estimated ? 'Cost (estimate) ' : 'Cost '}
          {cost.unknown ? (
            <span data-testid="iteration-cost" title="No price is known for this model">
              {UNKNOWN_COST}
            </span>
          ) : (
            <Metric testId="iteration-cost" value={cost.costUsd} format={formatCost} />
          )}
        </span>
        {drift ? (
          <span className="muted" data-testid="iteration-cost-drift">
            {describeDrift(drift)}
          </span>
        ) : null}
        {duration !== null && !wait ? (
          <span className="muted" data-testid="iteration-duration">
            {formatDuration(duration)}
          </span>
        ) : null}
        {session.permissionDenials > 0 ? (
          <span className="warning-text">{plural(session.permissionDenials, 'tool call')} blocked</span>
        ) : null}
      </div>
      {session.error ? <p className="field-error">{session.error}</p> : null}
      {running ? <ApiRetryNotice items={session.items} /> : null}
      <AgentStream
        key={session.sessionId}
        items={session.items}
        droppedItems={session.droppedItems}
        baseDir={baseDir}
      />
    </section>
  );
}

/** A waiting task's badge words: what it waits for. */
export function waitLabel(task: Pick<LiveTask, 'status' | 'sessions'>): string | undefined {
  const wait = taskWait(task);
  return wait ? WAIT_LABELS[wait] : undefined;
}
