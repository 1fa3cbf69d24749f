import { useCallback, useEffect, useRef, useState } from 'react';
import {
  RESUMABLE_STATUSES,
  formatCost,
  formatDate,
  formatDuration,
  formatTokens,
  sumTokens,
  type SessionView,
  type TaskDetail,
  type TaskStatus,
} from '../contract';
import { useResyncCount, useServices } from '../app/services';
import { useResource } from '../hooks/use-resource';
import { hrefs } from '../router';
import { isActiveStatus } from '../stores/live-store';
import { IterationCostDurationChart, IterationTokensChart } from './charts';
import { Metric } from './Metric';
import { ReplayPanel } from './ReplayPanel';
import { Empty, ErrorState, Loading } from './StateViews';

function Totals({ task }: { task: TaskDetail }) {
  const t = task.totals;
  const rows: [string, string, number, (n: number) => string][] = [
    ['Input tokens', 'total-input-tokens', t.inputTokens, formatTokens],
    ['Output tokens', 'total-output-tokens', t.outputTokens, formatTokens],
    ['Cache write tokens', 'total-cache-creation-tokens', t.cacheCreationTokens, formatTokens],
    ['Cache read tokens', 'total-cache-read-tokens', t.cacheReadTokens, formatTokens],
    ['Total tokens', 'total-tokens', t.totalTokens, formatTokens],
    ['Turns', 'total-turns', t.turns, formatTokens],
    ['Cost', 'total-cost', t.costUsd, formatCost],
  ];
  return (
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
        <dd>{task.iterations}</dd>
      </div>
      <div className="total">
        <dt>Duration</dt>
        <dd>{formatDuration(task.durationMs)}</dd>
      </div>
      <div className="total">
        <dt>Tokens per iteration</dt>
        <dd>{formatTokens(task.averageTokensPerIteration)}</dd>
      </div>
    </dl>
  );
}

function SessionRow({ session, onReplay }: { session: SessionView; onReplay: () => void }) {
  const tokens = sumTokens({
    inputTokens: session.inputTokens,
    outputTokens: session.outputTokens,
    cacheCreationTokens: session.cacheCreationTokens,
    cacheReadTokens: session.cacheReadTokens,
  });
  return (
    <tr data-testid="session-row" data-session-id={session.sessionId} data-status={session.status}>
      <td>{session.iteration}</td>
      <td>
        <code className="session-id">{session.sessionId}</code>
      </td>
      <td>
        <span className={`badge status-${session.status}`}>{session.status}</span>
      </td>
      <td
        className="num"
        data-value={tokens}
        title={`input ${formatTokens(session.inputTokens)} · output ${formatTokens(session.outputTokens)} · cache write ${formatTokens(session.cacheCreationTokens)} · cache read ${formatTokens(session.cacheReadTokens)}`}
      >
        {formatTokens(tokens)}
      </td>
      <td className="num">{session.turns}</td>
      <td className="num" data-value={session.costUsd}>
        {formatCost(session.costUsd)}
        {session.costSource === 'estimated' ? <span title="estimated from token counts"> *</span> : null}
      </td>
      <td className="num">{session.status === 'running' ? '…' : formatDuration(session.durationMs)}</td>
      <td className="error-cell">{session.error ?? ''}</td>
      <td>
        <button type="button" onClick={onReplay}>
          Replay
        </button>
      </td>
    </tr>
  );
}

/** Reloads the task when its own events say something changed, at most twice a second. */
function useTaskEvents(taskId: string, reload: () => void) {
  const { transport } = useServices();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    const unsubscribe = transport.subscribe((event) => {
      if (event.taskId !== taskId || event.type === 'agent.event') return;
      timer.current ??= setTimeout(() => {
        timer.current = null;
        reload();
      }, 500);
    });
    return () => {
      unsubscribe();
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    };
  }, [transport, taskId, reload]);
}

/** Statuses a task can be resumed from; the service checks again and its refusal is shown. */
const RESUMABLE: readonly TaskStatus[] = RESUMABLE_STATUSES;

/** Continues the task from its next iteration, in a fresh session; a refusal is shown beside the button. */
function ResumeButton({ taskId, onResumed }: { taskId: string; onResumed: () => void }) {
  const { client } = useServices();
  const [state, setState] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const resume = () => {
    setState({ busy: true, error: null });
    client.resumeTask({ taskId }).then(
      () => {
        setState({ busy: false, error: null });
        onResumed();
      },
      (error: unknown) => setState({ busy: false, error: error instanceof Error ? error.message : String(error) }),
    );
  };
  return (
    <>
      <button type="button" onClick={resume} disabled={state.busy}>
        Resume
      </button>
      {state.error ? <span role="alert">{state.error}</span> : null}
    </>
  );
}

export function TaskDetailView({ taskId }: { taskId: string }) {
  const { client } = useServices();
  const resyncs = useResyncCount();
  const task = useResource(() => client.getTask({ taskId }), taskId);
  const [replaying, setReplaying] = useState<string | null>(null);
  const closeReplay = useCallback(() => setReplaying(null), []);
  useTaskEvents(taskId, task.reload);
  // After a reconnect, refresh in place: the page keeps showing what it has meanwhile.
  const { reload } = task;
  const seenResyncs = useRef(resyncs);
  useEffect(() => {
    if (seenResyncs.current === resyncs) return;
    seenResyncs.current = resyncs;
    reload();
  }, [resyncs, reload]);

  if (task.status === 'loading') return <Loading label="Loading the task…" />;
  if (!task.data) {
    return (
      <div className="view">
        <p>
          <a href={hrefs.history}>← History</a>
        </p>
        <ErrorState title="Could not load the task" message={task.error ?? 'unknown error'} onRetry={task.reload} />
      </div>
    );
  }
  const t = task.data;
  const sessions = [...t.sessions].sort((a, b) => a.iteration - b.iteration);

  return (
    <div className="view task-detail">
      <p>
        <a href={isActiveStatus(t.status) ? hrefs.live : hrefs.history}>
          ← {isActiveStatus(t.status) ? 'Live' : 'History'}
        </a>
      </p>
      {task.status === 'error' ? (
        <ErrorState title="Could not refresh" message={task.error ?? ''} onRetry={task.reload} />
      ) : null}
      <header className="detail-header">
        <h2>{t.title}</h2>
        <span className={`badge status-${t.status}`} data-testid="task-status" data-value={t.status}>
          {t.status}
        </span>
        {RESUMABLE.includes(t.status) && t.iterations < t.spec.maxIterations ? (
          <ResumeButton taskId={t.id} onResumed={task.reload} />
        ) : null}
      </header>
      {t.statusReason ? <p className="muted">{t.statusReason}</p> : null}
      <p className="muted">
        <code>{t.workingDir}</code> · {t.agent}
        {t.model ? ` · ${t.model}` : ''} · created {formatDate(t.createdAt)}
        {t.startedAt ? ` · started ${formatDate(t.startedAt)}` : ''}
        {t.finishedAt ? ` · finished ${formatDate(t.finishedAt)}` : ''} · <code className="session-id">{t.id}</code>
      </p>
      <details className="prompt">
        <summary>Prompt</summary>
        <pre>{t.prompt}</pre>
      </details>

      <Totals task={t} />

      {sessions.length === 0 ? (
        <Empty>This task has no iterations yet.</Empty>
      ) : (
        <>
          <div className="charts">
            <IterationTokensChart sessions={sessions} />
            <IterationCostDurationChart sessions={sessions} />
          </div>
          <div className="table-wrap">
            <table className="sessions">
              <caption>Sessions, one per iteration</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Session id</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Tokens
                  </th>
                  <th scope="col" className="num">
                    Turns
                  </th>
                  <th scope="col" className="num">
                    Cost
                  </th>
                  <th scope="col" className="num">
                    Duration
                  </th>
                  <th scope="col">Error</th>
                  <th scope="col" aria-label="Actions" />
                </tr>
              </thead>
              <tbody>
                {sessions.map((s) => (
                  <SessionRow key={s.sessionId} session={s} onReplay={() => setReplaying(s.sessionId)} />
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {replaying ? <ReplayPanel sessionId={replaying} onClose={closeReplay} /> : null}
    </div>
  );
}
