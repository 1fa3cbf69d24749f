/** A task's page: what it is and how it ended, its totals, worktree, running iteration, charts and sessions. */
import { memo, useCallback, useMemo, useState } from 'react';
import { useStore } from 'zustand';
import type { SessionView } from '../contract';
import { useServices } from '../app/services';
import { errorCodeOf, errorMessage } from '../errors';
import { useNow, useReached } from '../hooks/use-now';
import { useRead } from '../hooks/use-read';
import { distinctModels, modelRuns } from '../models';
import { backFromTask, hrefs } from '../router';
import { iterationWait, liveTotals, type LiveSession } from '../stores/live-store';
import { taskPage } from '../stores/task-page';
import { IterationChangesChart, IterationCostDurationChart, IterationTokensChart } from './charts/lazy-charts';
import { IterationDiffPanel } from './IterationDiffPanel';
import { ChangeTrackingNotice } from './IterationOutcomes';
import { IterationPanel, sessionDuration, waitLabel } from './Iteration';
import { DenialsNotice, denialsByIteration, UnstoredEventsNotice } from './Notices';
import { ReopenNotice, reopensAt, WaitNotice } from './QuotaNotices';
import { ReplayPanel } from './ReplayPanel';
import { Empty, ErrorState, Loading, NotFound } from './StateViews';
import { StatusBadge } from './Status';
import { StopControl } from './StopControl';
import { SessionsTable } from './task/SessionsTable';
import { RESUMABLE, ResumeButton, RunAgainButton } from './task/TaskActions';
import { ranModels, TaskFacts } from './task/TaskFacts';
import { TaskTotalsView } from './task/TaskTotals';
import { WorktreePanel } from './task/WorktreePanel';

/** The per-iteration charts; memoised, so the page's ticking clock does not redraw them. */
const SessionCharts = memo(function SessionCharts({
  sessions,
  showChanges,
}: {
  sessions: SessionView[];
  showChanges: boolean;
}) {
  // A running iteration has no stored figures yet: it would draw as an empty bar of 0.
  const ended = sessions.filter((s) => s.status !== 'running');
  if (ended.length === 0) {
    return (
      <p className="muted" data-testid="charts-pending">
        The charts fill in as iterations end.
      </p>
    );
  }
  return (
    <div className="charts">
      <IterationTokensChart sessions={ended} />
      <IterationCostDurationChart sessions={ended} />
      {showChanges ? <IterationChangesChart sessions={ended} /> : null}
    </div>
  );
});

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
  const ran = ranModels(sessions, liveSessions);
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

  // Back to the list it was opened from; opened by its address, to where a task in its state is listed.
  const back = backFromTask(active ? hrefs.live : hrefs.history);
  return (
    <div className="view task-detail">
      <p>
        <a href={back.href}>← {back.label}</a>
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
      <TaskFacts task={t} ran={ran} />
      <details className="prompt">
        <summary>Prompt</summary>
        <pre>{t.prompt}</pre>
      </details>

      <TaskTotalsView task={t} totals={totals} durationMs={durationMs} sessions={sessions} />

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
          <SessionsTable
            sessions={sessions}
            liveOf={(sessionId) => liveSessions.find((l) => l.sessionId === sessionId)}
            waitOf={waitOf}
            now={now}
            show={{ model: distinctModels(modelRuns(ran)).length > 1, changes: showChanges, check: showCheck }}
            onReplay={(sessionId) => {
              setDiffing(null);
              setReplaying(sessionId);
            }}
            onDiff={(sessionId) => {
              setReplaying(null);
              setDiffing(sessionId);
            }}
          />
        </>
      )}
      {replayed ? <ReplayPanel session={replayed} baseDir={t.workingDir} onClose={closeReplay} /> : null}
      {diffing ? (
        <IterationDiffPanel task={t} sessions={sessions} shown={diffing} onShow={setDiffing} onClose={closeDiff} />
      ) : null}
    </div>
  );
}
