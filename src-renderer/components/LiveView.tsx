import { memo, useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { formatDate, formatTokens, plural } from '../contract';
import { agentLabel } from '../agents';
import { useServices } from '../app/services';
import { totalCostText } from '../cost';
import { isTypingTarget } from '../keyboard';
import { modelsText, taskModels } from '../models';
import { hrefs } from '../router';
import {
  finishedCardIds,
  isActiveStatus,
  iterationWait,
  progressOf,
  taskCounters,
  taskPermissionDenials,
  type LiveTask,
} from '../stores/live-store';
import { IterationButton, IterationPanel, waitLabel } from './Iteration';
import { DisclosureButton } from './Disclosure';
import { LaunchForm } from './LaunchForm';
import { RecentTable } from './RecentTable';
import { Metric } from './Metric';
import { DenialsNotice, denialsByIteration, WithdrawnLaunchNotices } from './Notices';
import { NotifyToggle } from './NotifyToggle';
import { WaitNotice } from './QuotaNotices';
import { Empty, ErrorState, Loading } from './StateViews';
import { StatusBadge } from './Status';
import { StopControl } from './StopControl';

export const NEW_TASK_FORM_ID = 'new-task-form';

/** Scrolls to the card of the task just launched here once it shows; the launch's status line then goes. */
function useScrollWhenLaunched(id: string) {
  const { launch } = useServices();
  const target = useStore(launch, (s) => s.scrollTarget === id);
  const card = useRef<HTMLElement>(null);
  useEffect(() => {
    if (!target) return;
    card.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
    launch.getState().launchSeen();
  }, [target, launch]);
  return card;
}

/**
 * One task: progress, counters, the timeline of iterations and the chosen iteration's stream. `inRow`: drawn
 * under its row of Recent, which already says what it is, so without its heading.
 */
export const LiveTaskCard = memo(function LiveTaskCard({ task, inRow = false }: { task: LiveTask; inRow?: boolean }) {
  const [chosen, setChosen] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const active = isActiveStatus(task.status);
  const counters = taskCounters(task);
  const progress = progressOf(task);
  const latest = task.sessions[task.sessions.length - 1];
  // The latest iteration unless the user picked another one.
  const shown = task.sessions.find((s) => s.sessionId === chosen) ?? latest;
  const done = task.sessions.filter((s) => s.status !== 'running').length;
  const denials = taskPermissionDenials(task);
  const card = useScrollWhenLaunched(task.id);
  const cardModels = taskModels(task.summary, task.sessions);
  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    // "s" on a focused card asks to stop it (the confirmation takes the focus; Esc keeps it running).
    if (!active || e.key !== 's' || e.ctrlKey || e.metaKey || e.altKey || isTypingTarget(e.target)) return;
    e.preventDefault();
    setConfirming(true);
  };

  return (
    <article
      ref={card}
      className={`card live-task status-${task.status}${inRow ? ' in-row' : ''}`}
      data-testid="live-task"
      data-task-id={task.id}
      data-status={task.status}
      tabIndex={0}
      aria-label={`Task ${task.summary.title}`}
      onKeyDown={onKeyDown}
    >
      {inRow ? null : (
        <header className="card-header">
          <div>
            <h3>
              <a href={hrefs.task(task.id)}>{task.summary.title}</a>
            </h3>
            <p className="muted">
              <code>{task.summary.workingDir}</code> ·{' '}
              <span data-testid="task-agent">{agentLabel(task.summary.agent)}</span>
              {cardModels.length > 0 ? ` · ${modelsText(cardModels)}` : ''}
              {task.summary.spec.permissionMode ? ` · ${task.summary.spec.permissionMode}` : ''} · created{' '}
              {formatDate(task.summary.createdAt)}
            </p>
          </div>
          <div className="card-actions">
            <StatusBadge status={task.status} label={waitLabel(task)} testId="live-task-status" />
            {active ? (
              <StopControl
                taskId={task.id}
                runner={task.summary.runner}
                status={task.status}
                confirming={confirming}
                onConfirmingChange={setConfirming}
              />
            ) : (
              <a href={hrefs.task(task.id)}>Details</a>
            )}
          </div>
        </header>
      )}

      {task.statusReason && !active ? <p className="muted">{task.statusReason}</p> : null}
      {task.status === 'waiting' ? <WaitNotice reason={task.statusReason} wakeAt={task.wakeAt} /> : null}

      <div className="progress-row">
        <label>
          <span className="muted">
            {active
              ? progress.current > 0
                ? `Iteration ${progress.current} of ${progress.max}`
                : `0 of ${plural(progress.max, 'iteration')}`
              : `${done} of ${plural(progress.max, 'iteration')}`}
          </span>
          <progress data-testid="task-progress" value={progress.value} max={progress.max} />
        </label>
        <span>
          Tokens <Metric testId="task-tokens" value={counters.tokens} format={formatTokens} />
        </span>
        <span title={counters.estimated ? 'Includes an estimate at list prices until the iteration ends' : undefined}>
          {counters.estimated ? 'Cost (estimate) ' : 'Cost '}
          <Metric
            testId="task-cost"
            value={counters.costUsd}
            format={(usd) => totalCostText(usd, counters.unknownSessions, counters.knownSessions)}
          />
        </span>
      </div>

      <DenialsNotice
        count={denials}
        mode={task.summary.spec.permissionMode}
        detail={denialsByIteration(task.sessions)}
      />

      {task.sessions.length === 0 ? (
        <p className="muted">{task.status === 'queued' ? 'Waiting to start…' : 'No iterations.'}</p>
      ) : (
        <ol className="timeline" aria-label="Iterations">
          {task.sessions.map((s) => (
            <IterationButton
              key={s.sessionId}
              session={s}
              wait={iterationWait(task, s)}
              selected={s === shown}
              onSelect={() => setChosen(s.sessionId)}
            />
          ))}
        </ol>
      )}

      {shown ? (
        <IterationPanel session={shown} baseDir={task.summary.workingDir} wait={iterationWait(task, shown)} />
      ) : null}
    </article>
  );
});

function ActiveTask({ id }: { id: string }) {
  const { live } = useServices();
  const task = useStore(live, (s) => s.tasks[id]);
  return task ? <LiveTaskCard task={task} /> : null;
}

/** A task that finished while the window watched, unfolded under its row of Recent. */
function FinishedCard({ id }: { id: string }) {
  const { live } = useServices();
  const task = useStore(live, (s) => s.tasks[id]);
  return task ? <LiveTaskCard task={task} inRow /> : null;
}

const unfoldFinished = (id: string) => <FinishedCard id={id} />;

/** The "New task" disclosure: open while nothing runs, folded away once tasks run unless the user opens it. */
function NewTask({
  canPickDirectory,
  anyActive,
  toolbar,
}: {
  canPickDirectory: boolean;
  anyActive: boolean;
  /** Shown at the right of the "New task" heading. */
  toolbar?: ReactNode;
}) {
  const { launch } = useServices();
  const formOpen = useStore(launch, (s) => s.formOpen);
  const setFormOpen = useStore(launch, (s) => s.setFormOpen);
  const open = formOpen ?? !anyActive;
  return (
    <section className="new-task" aria-labelledby="new-task-heading">
      <div className="tasks-toolbar">
        <h2 id="new-task-heading" className="disclosure-heading">
          <DisclosureButton open={open} controls={NEW_TASK_FORM_ID} onToggle={setFormOpen}>
            New task
          </DisclosureButton>
        </h2>
        {toolbar}
      </div>
      <div id={NEW_TASK_FORM_ID} hidden={!open}>
        {open ? <LaunchForm canPickDirectory={canPickDirectory} /> : null}
      </div>
    </section>
  );
}

/** Tasks: the launch form, running tasks live, and the recent ones (those that just finished here unfold to their cards). */
export function LiveView({ canPickDirectory, notify = true }: { canPickDirectory: boolean; notify?: boolean }) {
  const { live, launch } = useServices();
  const projects = useStore(launch, (s) => s.projects);
  const loadProjects = useStore(launch, (s) => s.loadProjects);
  const projectNames = useMemo(() => new Map(projects.map((p) => [p.id, p.name])), [projects]);
  const status = useStore(live, (s) => s.status);
  const error = useStore(live, (s) => s.error);
  const activeIds = useStore(live, (s) => s.activeIds);
  const recent = useStore(live, (s) => s.recent);
  // Not the tasks themselves: each frame of a stream changes them, and the cards follow their own.
  const finishedHere = useStore(live, useShallow(finishedCardIds));
  const resync = useStore(live, (s) => s.resync);
  const withdrawn = useStore(live, (s) => s.withdrawn);
  const dismissWithdrawn = useStore(live, (s) => s.dismissWithdrawn);
  useEffect(() => {
    void loadProjects();
  }, [loadProjects]);
  // A launch the agent turned away has no card to scroll to; its notice says what became of it.
  const launchedId = useStore(launch, (s) => s.scrollTarget);
  useEffect(() => {
    if (launchedId && withdrawn.some((w) => w.taskId === launchedId)) launch.getState().launchSeen();
  }, [launchedId, withdrawn, launch]);

  let body;
  if (status === 'idle' || status === 'loading') body = <Loading label="Loading running tasks…" />;
  else if (status === 'error')
    body = <ErrorState message={error ?? 'Could not load the running tasks'} onRetry={() => void resync()} />;
  else
    body = (
      <>
        {error ? <ErrorState title="Could not refresh" message={error} onRetry={() => void resync()} /> : null}
        <section aria-labelledby="running-heading">
          <h2 id="running-heading">Running and queued</h2>
          {activeIds.length === 0 ? (
            <Empty>No running tasks. Launch one with New task and follow its iterations here as they run.</Empty>
          ) : (
            <div className="cards">
              {activeIds.map((id) => (
                <ActiveTask key={id} id={id} />
              ))}
            </div>
          )}
        </section>
        <section aria-labelledby="recent-heading">
          <h2 id="recent-heading">
            Recent <a href={hrefs.history}>All tasks in History</a>
          </h2>
          {recent.length === 0 ? (
            <Empty>No tasks yet. Finished tasks appear here, with a link to their details.</Empty>
          ) : (
            <RecentTable
              tasks={recent}
              projectNames={projectNames}
              unfoldable={{ ids: finishedHere, render: unfoldFinished }}
            />
          )}
        </section>
      </>
    );

  return (
    <div className="view live-view">
      <NewTask
        canPickDirectory={canPickDirectory}
        anyActive={activeIds.length > 0}
        toolbar={notify ? <NotifyToggle /> : null}
      />
      <WithdrawnLaunchNotices
        launches={withdrawn}
        onEdit={(withdrawnLaunch) => {
          launch.getState().prefill(withdrawnLaunch.spec, withdrawnLaunch.title);
          dismissWithdrawn(withdrawnLaunch.taskId);
        }}
        onDismiss={dismissWithdrawn}
      />
      {body}
    </div>
  );
}
