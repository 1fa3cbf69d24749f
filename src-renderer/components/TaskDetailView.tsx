import { type ColumnHeading, ColumnHeadings } from './ColumnHeadings';
import { memo, useCallback, useMemo, useState } from 'react';
import { useStore } from 'zustand';
import {
  RESUMABLE_STATUSES,
  describeAttempts,
  formatCost,
  formatDate,
  formatDuration,
  formatTokens,
  plural,
  sumTokens,
  type SessionView,
  type TaskDetail,
  type TaskStatus,
  type TaskTotals,
  WAIT_LABELS,
  type WaitCause,
} from '../contract';
import { agentLabel } from '../agents';
import { useServices } from '../app/services';
import { costDrift, describeDrift, sessionCostText, totalCostText, unknownCostCount, UNKNOWN_COST } from '../cost';
import { errorCodeOf, errorMessage } from '../errors';
import { useNow, useReached } from '../hooks/use-now';
import { useRead } from '../hooks/use-read';
import { focusWhenReady } from '../keyboard';
import { modelsText, taskModels } from '../models';
import { hrefs } from '../router';
import { iterationWait, liveTotals, storedWait, usageOf, type LiveSession } from '../stores/live-store';
import { taskPage } from '../stores/task-page';
import { IterationChangesChart, IterationCostDurationChart, IterationTokensChart } from './charts/lazy-charts';
import { IterationDiffPanel } from './IterationDiffPanel';
import { ChangesCell, ChangeTrackingNotice, CheckCell, WorktreePanel } from './IterationOutcomes';
import { PROMPT_INPUT_ID } from './LaunchForm';
import { IterationPanel, sessionDuration, waitLabel } from './Iteration';
import { Metric } from './Metric';
import { DenialsNotice, denialsByIteration, UnstoredEventsNotice } from './Notices';
import { ReopenNotice, reopensAt, WaitNotice } from './QuotaNotices';
import { ReplayPanel } from './ReplayPanel';
import { Empty, ErrorState, Loading, NotFound } from './StateViews';
import { StatusBadge } from './Status';
import { StopControl } from './StopControl';

function Totals({
  task,
  totals,
  durationMs,
  sessions,
}: {
  task: TaskDetail;
  totals: TaskTotals & { estimated: boolean; includesRunning: boolean };
  durationMs: number;
  sessions: readonly SessionView[];
}) {
  const t = totals;
  // A running session is priced live; of the ended ones, those without a known cost are not in the sum.
  const ended = sessions.filter((s) => s.status !== 'running');
  const unknown = unknownCostCount(ended);
  const known = sessions.length - unknown;
  const costText = (usd: number) => totalCostText(usd, unknown, known);
  const rows: [string, string, number, (n: number) => string][] = [
    ['Input tokens', 'total-input-tokens', t.inputTokens, formatTokens],
    ['Output tokens', 'total-output-tokens', t.outputTokens, formatTokens],
    ['Cache write tokens', 'total-cache-creation-tokens', t.cacheCreationTokens, formatTokens],
    ['Cache read tokens', 'total-cache-read-tokens', t.cacheReadTokens, formatTokens],
    ['Total tokens', 'total-tokens', t.totalTokens, formatTokens],
    ['Turns', 'total-turns', t.turns, formatTokens],
    [t.estimated ? 'Cost (estimate)' : 'Cost', 'total-cost', t.costUsd, costText],
  ];
  return (
    <>
      <dl className="totals">
        {rows.map(([label, testId, value, format]) => (
          <div key={testId} className="total">
            <dt>{label}</dt>
            <dd>
              <Metric testId={testId} value={value} format={format} />
            </dd>
          </div>
        ))}
        <div className="total">
          <dt>Iterations</dt>
          <dd data-testid="total-iterations" data-value={task.iterations}>
            {task.iterations}
          </dd>
        </div>
        <div className="total">
          <dt>Duration</dt>
          <dd data-testid="total-duration">{formatDuration(durationMs)}</dd>
        </div>
        <div className="total">
          <dt>Tokens per iteration</dt>
          <dd>{formatTokens(task.averageTokensPerIteration)}</dd>
        </div>
      </dl>
      {unknown > 0 ? (
        <p className="muted" data-testid="unknown-cost-note">
          The cost of {plural(unknown, 'iteration')} is {UNKNOWN_COST}: no price is known for the model. Add its prices
          in <a href={hrefs.settings}>Settings</a>.
        </p>
      ) : null}
      {t.includesRunning ? (
        <p className="muted">
          Includes the running iteration so far; its figures are replaced by the stored ones when it ends.
        </p>
      ) : null}
    </>
  );
}

function SessionRow({
  session,
  live,
  wait,
  now,
  showDenials,
  showChanges,
  showCheck,
  onReplay,
  onDiff,
}: {
  session: SessionView;
  /** The live session while it runs: its counters until the stored ones exist. */
  live: LiveSession | undefined;
  /** What it waits for while its task waits. */
  wait: WaitCause | null;
  now: number;
  showDenials: boolean;
  showChanges: boolean;
  showCheck: boolean;
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
      <td>
        <code className="session-id">{session.sessionId}</code>
        {ownId !== null ? (
          <div className="muted" title="The agent's own id for this session">
            agent&apos;s id{' '}
            <code className="session-id" data-testid="agent-session-id">
              {ownId}
            </code>
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
        {running || session.costSource === 'estimated' ? <span title="estimated from token counts"> *</span> : null}
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
      {showChanges ? <ChangesCell git={session.git} onOpen={onDiff} /> : null}
      {showCheck ? <CheckCell check={session.check} /> : null}
      {showDenials ? <td className="num">{session.permissionDenials || ''}</td> : null}
      {/* A waiting iteration's "error" is why it waits, which its badge and the task's notice say. */}
      <td className="error-cell">{waiting ? '' : (session.error ?? '')}</td>
      <td className="row-actions">
        <button type="button" onClick={onReplay}>
          Replay
        </button>
        {showChanges && session.git ? (
          <button type="button" onClick={onDiff}>
            Diff
          </button>
        ) : null}
      </td>
    </tr>
  );
}

/** The per-iteration charts; memoised, so the page's ticking clock does not redraw them. */
const SessionCharts = memo(function SessionCharts({
  sessions,
  showChanges,
}: {
  sessions: SessionView[];
  showChanges: boolean;
}) {
  return (
    <div className="charts">
      <IterationTokensChart sessions={sessions} />
      <IterationCostDurationChart sessions={sessions} />
      {showChanges ? <IterationChangesChart sessions={sessions} /> : null}
    </div>
  );
});

/** Statuses a task can be resumed from; the service checks again and its refusal is shown. */
const RESUMABLE: readonly TaskStatus[] = RESUMABLE_STATUSES;

/** Continues the task from its next iteration, in a fresh session; a refusal is shown beside the button. */
function ResumeButton({
  taskId,
  onResumed,
  emphasised = false,
}: {
  taskId: string;
  onResumed: () => void;
  /** The primary action: the window the task stopped at has reopened. */
  emphasised?: boolean;
}) {
  const { client } = useServices();
  const [state, setState] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const resume = () => {
    setState({ busy: true, error: null });
    client.resumeTask({ taskId }).then(
      () => {
        setState({ busy: false, error: null });
        onResumed();
      },
      (error: unknown) => setState({ busy: false, error: errorMessage(error) }),
    );
  };
  return (
    <>
      <button
        type="button"
        className={emphasised ? 'primary' : undefined}
        data-testid="resume"
        onClick={resume}
        disabled={state.busy}
      >
        Resume
      </button>
      {state.error ? <span role="alert">{state.error}</span> : null}
    </>
  );
}

/** "Run again with these settings": the launch form, filled from this task's spec. */
function RunAgainButton({ task }: { task: TaskDetail }) {
  const { launch } = useServices();
  return (
    <button
      type="button"
      onClick={() => {
        launch.getState().prefill(task.spec, task.title);
        window.location.hash = hrefs.live;
        focusWhenReady(PROMPT_INPUT_ID);
      }}
    >
      Run again with these settings
    </button>
  );
}

const SESSION_FIGURES: readonly ColumnHeading[] = [
  { label: '#' },
  { label: 'Session id' },
  { label: 'Status' },
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
const DENIALS_COLUMN: ColumnHeading = {
  label: 'Blocked',
  numeric: true,
  title: 'Tool calls blocked by the permission mode',
};

/** The sessions table's columns: the optional ones only where some iteration has something to put in them. */
function sessionColumns(show: { changes: boolean; check: boolean; denials: boolean }): ColumnHeading[] {
  return [
    ...SESSION_FIGURES,
    ...(show.changes ? [CHANGES_COLUMN] : []),
    ...(show.check ? [CHECK_COLUMN] : []),
    ...(show.denials ? [DENIALS_COLUMN] : []),
    { label: 'Error' },
  ];
}

export function TaskDetailView({ taskId }: { taskId: string }) {
  const { live, queryClient } = useServices();
  // Stale when the task's events say it changed (queries/invalidation.ts); the live store has the running parts.
  const task = useRead('getTask', { taskId });
  const liveTask = useStore(live, (s) => s.tasks[taskId]);
  const [replaying, setReplaying] = useState<string | null>(null);
  const [diffing, setDiffing] = useState<string | null>(null);
  const [confirmingStop, setConfirmingStop] = useState(false);
  const closeReplay = useCallback(() => setReplaying(null), []);
  const closeDiff = useCallback(() => setDiffing(null), []);
  const reload = useCallback(
    () => void queryClient.invalidateQueries({ queryKey: ['getTask', { taskId }] }),
    [queryClient, taskId],
  );

  const t = task.data;
  const page = useMemo(() => (t ? taskPage(t, liveTask) : null), [t, liveTask]);
  const active = page?.active ?? false;
  const now = useNow(active);
  const reopens = page ? reopensAt(page) : null;
  const reopened = useReached(reopens);
  const storedSessions = t?.sessions;
  const sessions = useMemo(
    () => [...(storedSessions ?? [])].sort((a, b) => a.iteration - b.iteration),
    [storedSessions],
  );

  if (task.isPending) return <Loading label="Loading the task…" />;
  if (!t || !page) {
    if (errorCodeOf(task.error) === 'not_found') {
      return (
        <NotFound title="No such task">
          There is no task with the id <code>{taskId}</code>. It may have been launched against another database.{' '}
          <a href={hrefs.history}>Find it in History</a> or <a href={hrefs.live}>go to Tasks</a>.
        </NotFound>
      );
    }
    return (
      <div className="view">
        <p>
          <a href={hrefs.history}>← History</a>
        </p>
        <ErrorState title="Could not load the task" message={errorMessage(task.error)} onRetry={reload} />
      </div>
    );
  }
  const { status: shownStatus, heard, liveSessions, wakeAt } = page;
  // The models its sessions ran (the live ones too), by their one name; what it asked for before any ran.
  const models = taskModels({ model: t.model }, [...t.sessions, ...liveSessions]);
  const runningLive = liveSessions.find((s) => s.status === 'running');
  const totals = liveTotals(page.totals, liveSessions);
  const durationMs = page.durationMs + (runningLive ? (sessionDuration(runningLive, now) ?? 0) : 0);
  const denials = sessions.reduce((n, s) => n + s.permissionDenials, 0);
  const waitOf = (live: LiveSession | undefined) => (live && heard ? iterationWait(heard, live) : null);
  const replayed = sessions.find((s) => s.sessionId === replaying);
  const showChanges = t.changeTracking === 'git' || sessions.some((s) => s.git);
  const showCheck = t.spec.check !== undefined || sessions.some((s) => s.check);
  // An iteration a spent window turned away does not count: a task stopped at one can go on even after its last.
  const canResume =
    !active &&
    RESUMABLE.includes(shownStatus) &&
    (t.iterations < t.spec.maxIterations || (t.wakeAt !== null && t.wakeAt !== undefined));

  return (
    <div className="view task-detail">
      <p>
        <a href={active ? hrefs.live : hrefs.history}>← {active ? 'Tasks' : 'History'}</a>
      </p>
      {task.isError ? (
        <ErrorState title="Could not refresh" message={errorMessage(task.error)} onRetry={reload} />
      ) : null}
      <header className="detail-header">
        <h2>{t.title}</h2>
        <StatusBadge status={shownStatus} label={heard ? waitLabel(heard) : undefined} testId="task-status" />
        {active ? (
          <StopControl
            taskId={t.id}
            runner={page.runner}
            status={shownStatus}
            confirming={confirmingStop}
            onConfirmingChange={setConfirmingStop}
          />
        ) : null}
        {canResume ? <ResumeButton taskId={t.id} onResumed={reload} emphasised={reopens !== null && reopened} /> : null}
        {!active ? <RunAgainButton task={t} /> : null}
      </header>
      {t.statusReason && !active ? (
        <p className="muted" data-testid="status-reason">
          {t.statusReason}
        </p>
      ) : null}
      {shownStatus === 'waiting' ? <WaitNotice reason={page.statusReason} wakeAt={wakeAt} /> : null}
      {reopens !== null && !active ? <ReopenNotice wakeAt={reopens} reopened={reopened} canResume={canResume} /> : null}
      <p className="muted">
        <code>{t.workingDir}</code> · <span data-testid="task-agent">{agentLabel(t.agent)}</span>
        {models.length > 0 ? <span data-testid="task-models"> · {modelsText(models)}</span> : ''}
        {t.spec.permissionMode ? ` · ${t.spec.permissionMode}` : ''} · {plural(t.spec.maxIterations, 'iteration')} at
        most · created {formatDate(t.createdAt)}
        {t.startedAt ? ` · started ${formatDate(t.startedAt)}` : ''}
        {t.finishedAt ? ` · finished ${formatDate(t.finishedAt)}` : ''} · <code className="session-id">{t.id}</code>
      </p>
      <details className="prompt">
        <summary>Prompt</summary>
        <pre>{t.prompt}</pre>
      </details>

      <Totals task={t} totals={totals} durationMs={durationMs} sessions={sessions} />

      <ChangeTrackingNotice tracking={t.changeTracking} />
      <WorktreePanel task={t} active={active} onChanged={reload} />

      <DenialsNotice count={denials} mode={t.spec.permissionMode} detail={denialsByIteration(sessions)} />
      <UnstoredEventsNotice sessions={sessions} />

      {runningLive && heard ? (
        <section aria-labelledby="running-iteration-heading">
          <h3 id="running-iteration-heading">Now running</h3>
          <IterationPanel session={runningLive} baseDir={heard.summary.workingDir} wait={waitOf(runningLive)} />
        </section>
      ) : null}

      {sessions.length === 0 ? (
        <Empty>This task has no iterations yet.</Empty>
      ) : (
        <>
          <SessionCharts sessions={sessions} showChanges={showChanges} />
          <div className="table-wrap">
            <table className="sessions">
              <caption>Sessions, one per iteration</caption>
              <thead>
                <tr>
                  <ColumnHeadings
                    columns={sessionColumns({ changes: showChanges, check: showCheck, denials: denials > 0 })}
                  />
                  <th scope="col" aria-label="Actions" />
                </tr>
              </thead>
              <tbody>
                {sessions.map((s) => (
                  <SessionRow
                    key={s.sessionId}
                    session={s}
                    live={liveSessions.find((l) => l.sessionId === s.sessionId)}
                    wait={waitOf(liveSessions.find((l) => l.sessionId === s.sessionId))}
                    now={now}
                    showDenials={denials > 0}
                    showChanges={showChanges}
                    showCheck={showCheck}
                    onReplay={() => {
                      setDiffing(null);
                      setReplaying(s.sessionId);
                    }}
                    onDiff={() => {
                      setReplaying(null);
                      setDiffing(s.sessionId);
                    }}
                  />
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {replayed ? <ReplayPanel session={replayed} baseDir={t.workingDir} onClose={closeReplay} /> : null}
      {diffing ? (
        <IterationDiffPanel task={t} sessions={sessions} shown={diffing} onShow={setDiffing} onClose={closeDiff} />
      ) : null}
    </div>
  );
}
