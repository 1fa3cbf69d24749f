import { memo, useState } from 'react';
import { useStore } from 'zustand';
import { formatCost, formatDate, formatDuration, formatTokens, sumTokens, type TaskSummary } from '../contract';
import { useServices } from '../app/services';
import { errorMessage } from '../errors';
import { hrefs } from '../router';
import { isActiveStatus, taskCounters, type LiveSession, type LiveTask } from '../stores/live-store';
import { AgentStream } from './AgentStream';
import { LaunchForm } from './LaunchForm';
import { Metric } from './Metric';
import { Empty, ErrorState, Loading } from './StateViews';

function StopButton({ taskId }: { taskId: string }) {
  const { client } = useServices();
  const [stopping, setStopping] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        className="danger"
        disabled={stopping}
        onClick={() => {
          setStopping(true);
          setError(null);
          client.stopTask({ taskId }).then(
            () => setStopping(false),
            (e: unknown) => {
              setStopping(false);
              setError(errorMessage(e));
            },
          );
        }}
      >
        Stop
      </button>
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </>
  );
}

function IterationButton({
  session,
  selected,
  onSelect,
}: {
  session: LiveSession;
  selected: boolean;
  onSelect: () => void;
}) {
  return (
    <li>
      <button
        type="button"
        className={`iteration status-${session.status}`}
        data-testid="iteration"
        data-session-id={session.sessionId}
        data-status={session.status}
        aria-pressed={selected}
        title={`Session ${session.sessionId}`}
        onClick={onSelect}
      >
        <span className="iteration-number">#{session.iteration}</span>
        <span className="iteration-status">{session.status}</span>
        <span className="iteration-figures">
          {formatTokens(sumTokens(session.usage))} tok
          {session.costUsd !== null ? ` · ${formatCost(session.costUsd)}` : ''}
        </span>
      </button>
    </li>
  );
}

/** One task: progress, counters, the timeline of iterations and the chosen iteration's stream. */
export const LiveTaskCard = memo(function LiveTaskCard({ task }: { task: LiveTask }) {
  const [chosen, setChosen] = useState<string | null>(null);
  const active = isActiveStatus(task.status);
  const counters = taskCounters(task);
  const latest = task.sessions[task.sessions.length - 1];
  // The latest iteration unless the user picked another one.
  const shown = task.sessions.find((s) => s.sessionId === chosen) ?? latest;
  const done = task.sessions.filter((s) => s.status !== 'running').length;
  const current = latest?.status === 'running' ? latest.iteration : done;

  return (
    <article
      className={`card live-task status-${task.status}`}
      data-testid="live-task"
      data-task-id={task.id}
      data-status={task.status}
    >
      <header className="card-header">
        <div>
          <h3>
            <a href={hrefs.task(task.id)}>{task.summary.title}</a>
          </h3>
          <p className="muted">
            <code>{task.summary.workingDir}</code>
            {task.summary.model ? ` · ${task.summary.model}` : ''} · created {formatDate(task.summary.createdAt)}
          </p>
        </div>
        <div className="card-actions">
          <span className={`badge status-${task.status}`} data-testid="live-task-status">
            {task.status}
          </span>
          {active ? <StopButton taskId={task.id} /> : <a href={hrefs.task(task.id)}>Details</a>}
        </div>
      </header>

      {task.statusReason && !active ? <p className="muted">{task.statusReason}</p> : null}

      <div className="progress-row">
        <label>
          <span className="muted">
            Iteration {current} of {task.maxIterations}
          </span>
          <progress data-testid="task-progress" value={current} max={task.maxIterations} />
        </label>
        <span>
          Tokens <Metric testId="task-tokens" value={counters.tokens} format={formatTokens} />
        </span>
        <span>
          Cost <Metric testId="task-cost" value={counters.costUsd} format={formatCost} />
        </span>
      </div>

      {task.sessions.length === 0 ? (
        <p className="muted">{task.status === 'queued' ? 'Waiting to start…' : 'No iterations.'}</p>
      ) : (
        <ol className="timeline" aria-label="Iterations">
          {task.sessions.map((s) => (
            <IterationButton
              key={s.sessionId}
              session={s}
              selected={s === shown}
              onSelect={() => setChosen(s.sessionId)}
            />
          ))}
        </ol>
      )}

      {shown ? (
        <section className="iteration-panel" aria-label={`Iteration ${shown.iteration}`}>
          <div className="iteration-header">
            <strong>Iteration {shown.iteration}</strong>
            <code className="session-id">{shown.sessionId}</code>
            <span>
              Tokens <Metric testId="iteration-tokens" value={sumTokens(shown.usage)} format={formatTokens} />
            </span>
            <span>
              Cost <Metric testId="iteration-cost" value={shown.costUsd} format={formatCost} />
            </span>
            {shown.durationMs !== null ? <span className="muted">{formatDuration(shown.durationMs)}</span> : null}
          </div>
          {shown.error ? <p className="field-error">{shown.error}</p> : null}
          <AgentStream key={shown.sessionId} items={shown.items} droppedItems={shown.droppedItems} />
        </section>
      ) : null}
    </article>
  );
});

function ActiveTask({ id }: { id: string }) {
  const { live } = useServices();
  const task = useStore(live, (s) => s.tasks[id]);
  return task ? <LiveTaskCard task={task} /> : null;
}

function RecentTask({ summary }: { summary: TaskSummary }) {
  const { live } = useServices();
  const task = useStore(live, (s) => s.tasks[summary.id]);
  if (task) {
    return (
      <li className="recent-card">
        <LiveTaskCard task={task} />
      </li>
    );
  }
  return (
    <li className="recent-row" data-testid="recent-task" data-task-id={summary.id}>
      <a href={hrefs.task(summary.id)}>{summary.title}</a>
      <span className={`badge status-${summary.status}`}>{summary.status}</span>
      <span className="muted">
        {summary.iterations} iterations · {formatTokens(summary.totals.totalTokens)} tokens ·{' '}
        {formatCost(summary.totals.costUsd)} · {formatDate(summary.finishedAt ?? summary.createdAt)}
      </span>
    </li>
  );
}

export function LiveView({ canPickDirectory }: { canPickDirectory: boolean }) {
  const { live } = useServices();
  const status = useStore(live, (s) => s.status);
  const error = useStore(live, (s) => s.error);
  const activeIds = useStore(live, (s) => s.activeIds);
  const recent = useStore(live, (s) => s.recent);
  const resync = useStore(live, (s) => s.resync);

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
            <Empty>No running tasks. Launch one above and follow its iterations here as they run.</Empty>
          ) : (
            <div className="cards">
              {activeIds.map((id) => (
                <ActiveTask key={id} id={id} />
              ))}
            </div>
          )}
        </section>
        <section aria-labelledby="recent-heading">
          <h2 id="recent-heading">Recent</h2>
          {recent.length === 0 ? (
            <Empty>No tasks yet. Finished tasks appear here, with a link to their details.</Empty>
          ) : (
            <ul className="recent-list" data-testid="recent-list">
              {recent.map((t) => (
                <RecentTask key={t.id} summary={t} />
              ))}
            </ul>
          )}
        </section>
      </>
    );

  return (
    <div className="view live-view">
      <LaunchForm canPickDirectory={canPickDirectory} />
      {body}
    </div>
  );
}
