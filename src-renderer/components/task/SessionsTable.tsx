/** The task page's table of sessions, one row per iteration: its figures, outcomes, error, and its replay and diff. */
import {
  describeAttempts,
  formatCost,
  formatDuration,
  formatTokens,
  modelName,
  sumTokens,
  type SessionView,
  WAIT_LABELS,
  type WaitCause,
} from '../../contract';
import { costDrift, describeDrift, sessionCostText, UNKNOWN_COST } from '../../cost';
import { storedWait, usageOf, type LiveSession } from '../../stores/live-store';
import { type ColumnHeading, ColumnHeadings } from '../ColumnHeadings';
import { sessionDuration } from '../Iteration';
import { ChangesCell, CheckCell } from '../IterationOutcomes';
import { SessionId } from '../SessionId';
import { StatusBadge } from '../Status';
import { modelOfSession } from './TaskFacts';

function SessionRow({
  session,
  live,
  wait,
  now,
  show,
  onReplay,
  onDiff,
}: {
  session: SessionView;
  /** The live session while it runs: its counters until the stored ones exist. */
  live: LiveSession | undefined;
  /** What it waits for while its task waits. */
  wait: WaitCause | null;
  now: number;
  show: Shown;
  onReplay: () => void;
  onDiff: () => void;
}) {
  const running = session.status === 'running';
  const waiting = wait ?? storedWait(session);
  const usage = running && live ? live.usage : usageOf(session);
  const tokens = sumTokens(usage);
  const cost = running && live ? (live.costUsd ?? live.estimatedCostUsd) : session.costUsd;
  const unknownCost = !running && session.costSource === 'unknown';
  const drift = running ? null : costDrift(session);
  const reasoning = session.reasoningTokens ?? 0;
  const ownId = session.agentSessionId && session.agentSessionId !== session.sessionId ? session.agentSessionId : null;
  const duration = running
    ? sessionDuration({ status: 'running', durationMs: null, startedAt: live?.startedAt ?? session.startedAt }, now)
    : session.durationMs;
  return (
    <tr data-testid="session-row" data-session-id={session.sessionId} data-status={session.status}>
      <td>{session.iteration}</td>
      <td className="session-id-cell">
        <SessionId id={session.sessionId} />
        {ownId !== null ? (
          <div className="muted" title="The agent's own id for this session">
            agent&apos;s id <SessionId id={ownId} testId="agent-session-id" />
          </div>
        ) : null}
      </td>
      <td>
        {waiting ? (
          <StatusBadge status="waiting" label={WAIT_LABELS[waiting]} />
        ) : (
          <StatusBadge status={session.status} />
        )}
        {session.retries.length > 0 ? (
          <span className="muted" title={session.retries.map((r) => `${r.sessionId}: ${r.error}`).join('\n')}>
            {' '}
            after {describeAttempts(session.retries)}
          </span>
        ) : null}
      </td>
      {show.model ? (
        <td data-testid="session-model">
          {modelName(modelOfSession(session, live)) ?? <span className="muted">—</span>}
        </td>
      ) : null}
      <td
        className="num"
        data-value={tokens}
        title={`input ${formatTokens(usage.inputTokens)} · output ${formatTokens(usage.outputTokens)}${reasoning > 0 ? ` (${formatTokens(reasoning)} reasoning)` : ''} · cache write ${formatTokens(usage.cacheCreationTokens)} · cache read ${formatTokens(usage.cacheReadTokens)}`}
      >
        {formatTokens(tokens)}
        {running ? '…' : ''}
        {reasoning > 0 ? (
          <div className="muted" data-testid="reasoning-tokens" data-value={reasoning}>
            {formatTokens(reasoning)} reasoning
          </div>
        ) : null}
      </td>
      <td className="num">{running ? '…' : session.turns}</td>
      <td className="num" data-testid="session-cost" data-value={cost === null || unknownCost ? undefined : cost}>
        {unknownCost ? (
          <span title="No price is known for this model">{UNKNOWN_COST}</span>
        ) : cost === null ? (
          '—'
        ) : running ? (
          formatCost(cost)
        ) : (
          sessionCostText(session)
        )}
        {estimatedCost(session, running) ? <span title={ESTIMATED_NOTE}>{'\u00a0*'}</span> : null}
        {drift ? (
          <div
            className="muted"
            data-testid="cost-drift"
            title="The agent's own cost beside the one computed from its tokens"
          >
            {describeDrift(drift)}
          </div>
        ) : null}
      </td>
      <td className="num">{duration === null ? '—' : formatDuration(duration)}</td>
      {show.changes ? <ChangesCell git={session.git} onOpen={onDiff} /> : null}
      {show.check ? <CheckCell check={session.check} /> : null}
      {show.denials ? <td className="num">{session.permissionDenials || ''}</td> : null}
      {/* A waiting iteration's "error" is why it waits, which its badge and the task's notice say. */}
      {show.error ? <td className="error-cell">{waiting ? '' : (session.error ?? '')}</td> : null}
      <td className="row-actions">
        <button type="button" onClick={onReplay}>
          Replay
        </button>
        {show.changes && session.git ? (
          <button type="button" onClick={onDiff}>
            Diff
          </button>
        ) : null}
      </td>
    </tr>
  );
}

const SESSION_NAMES: readonly ColumnHeading[] = [{ label: '#' }, { label: 'Session id' }, { label: 'Status' }];
const MODEL_COLUMN: ColumnHeading = { label: 'Model', title: 'The model the iteration ran' };
const SESSION_FIGURES: readonly ColumnHeading[] = [
  { label: 'Tokens', numeric: true },
  { label: 'Turns', numeric: true },
  { label: 'Cost', numeric: true },
  { label: 'Duration', numeric: true },
];
const CHANGES_COLUMN: ColumnHeading = {
  label: 'Changes',
  title: 'Files the iteration changed, lines added and removed',
};
const CHECK_COLUMN: ColumnHeading = { label: 'Check', title: 'The completion check run after the iteration' };
/** What the "*" beside a cost says: the agent reported none (it was stopped first, or is still at work). */
const ESTIMATED_NOTE = 'Estimated from the token counts and the model’s price: the agent reported no cost for it.';
const estimatedCost = (session: SessionView, running: boolean) => running || session.costSource === 'estimated';

const DENIALS_COLUMN: ColumnHeading = {
  label: 'Blocked',
  numeric: true,
  title: 'Tool calls blocked by the permission mode',
};

/** The optional columns: each only where some iteration has something to put in it. */
interface Shown {
  /** Iterations ran different models: which ran which. */
  model: boolean;
  changes: boolean;
  check: boolean;
  denials: boolean;
  error: boolean;
}

function sessionColumns(show: Shown): ColumnHeading[] {
  return [
    ...SESSION_NAMES,
    ...(show.model ? [MODEL_COLUMN] : []),
    ...SESSION_FIGURES,
    ...(show.changes ? [CHANGES_COLUMN] : []),
    ...(show.check ? [CHECK_COLUMN] : []),
    ...(show.denials ? [DENIALS_COLUMN] : []),
    ...(show.error ? [{ label: 'Error' }] : []),
  ];
}

export function SessionsTable({
  sessions,
  liveOf,
  waitOf,
  now,
  show: given,
  onReplay,
  onDiff,
}: {
  /** In iteration order. */
  sessions: readonly SessionView[];
  /** The live session of a running one, where the live store has it. */
  liveOf: (sessionId: string) => LiveSession | undefined;
  waitOf: (live: LiveSession | undefined) => WaitCause | null;
  now: number;
  show: Pick<Shown, 'model' | 'changes' | 'check'>;
  onReplay: (sessionId: string) => void;
  onDiff: (sessionId: string) => void;
}) {
  const show: Shown = {
    ...given,
    denials: sessions.some((s) => s.permissionDenials > 0),
    // A waiting iteration's "error" is why it waits: no error to show.
    error: sessions.some((s) => s.error !== null && storedWait(s) === null),
  };
  return (
    <div className="table-wrap">
      <table className="sessions">
        <caption>Sessions, one per iteration</caption>
        <thead>
          <tr>
            <ColumnHeadings columns={sessionColumns(show)} />
            <th scope="col" aria-label="Actions" />
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => {
            const live = liveOf(s.sessionId);
            return (
              <SessionRow
                key={s.sessionId}
                session={s}
                live={live}
                wait={waitOf(live)}
                now={now}
                show={show}
                onReplay={() => onReplay(s.sessionId)}
                onDiff={() => onDiff(s.sessionId)}
              />
            );
          })}
        </tbody>
      </table>
      {sessions.some((s) => estimatedCost(s, s.status === 'running')) ? (
        <p className="muted table-note" data-testid="estimated-cost-note">
          * {ESTIMATED_NOTE}
        </p>
      ) : null}
    </div>
  );
}
