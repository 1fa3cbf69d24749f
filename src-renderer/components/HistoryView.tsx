import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import {
  addDays,
  EXPORT_FORMATS,
  formatCost,
  formatDate,
  formatDay,
  formatDuration,
  formatTokens,
  parseDay,
  TASK_SORT_KEYS,
  TASK_STATUSES,
  type ExportFormat,
  type TaskSortKey,
  type TaskStatus,
} from '../contract';
import { useResyncCount, useServices } from '../app/services';
import { errorMessage } from '../errors';
import { hrefs } from '../router';
import type { HistoryStore } from '../stores/history-store';
import { CostByProjectChart, CostOverTimeChart, TokensByModelChart } from './charts';
import { Empty, ErrorState, Loading } from './StateViews';

/** A label for each of the contract's sort keys; a new key without one is a type error. */
const SORT_LABELS: Record<TaskSortKey, string> = {
  createdAt: 'Created',
  costUsd: 'Cost',
  totalTokens: 'Tokens',
  iterations: 'Iterations',
  durationMs: 'Duration',
};

const ROW_HEIGHT = 40;

/** Saves a file from memory: a Blob behind an <a download> click. */
export function downloadFile(file: { fileName: string; mimeType: string; content: string }): void {
  const url = URL.createObjectURL(new Blob([file.content], { type: file.mimeType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.fileName;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoking at once can cancel the download in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function Filters({ store }: { store: HistoryStore }) {
  const filter = useStore(store, (s) => s.filter);
  const projects = useStore(store, (s) => s.projects);
  const sort = useStore(store, (s) => s.sort);
  const setFilter = useStore(store, (s) => s.setFilter);
  const setSort = useStore(store, (s) => s.setSort);
  // "to" is exclusive in the contract; the date input names the last day included.
  const toValue = filter.to !== undefined ? formatDay(new Date(filter.to - 1)) : '';

  return (
    <div className="filters" role="search">
      <div className="field">
        <label htmlFor="history-project">Project</label>
        <select
          id="history-project"
          value={filter.projectId ?? ''}
          onChange={(e) => setFilter({ projectId: e.target.value || undefined })}
        >
          <option value="">All projects</option>
          {projects.map((p) => (
            <option key={p.id} value={p.id} title={p.workingDir}>
              {p.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="history-status">Status</label>
        <select
          id="history-status"
          value={filter.status ?? ''}
          onChange={(e) => setFilter({ status: (e.target.value || undefined) as TaskStatus | undefined })}
        >
          <option value="">Any status</option>
          {TASK_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="history-from">From</label>
        <input
          id="history-from"
          type="date"
          value={filter.from !== undefined ? formatDay(new Date(filter.from)) : ''}
          onChange={(e) => setFilter({ from: parseDay(e.target.value) ?? undefined })}
        />
      </div>
      <div className="field">
        <label htmlFor="history-to">To</label>
        <input
          id="history-to"
          type="date"
          value={toValue}
          onChange={(e) => {
            const day = parseDay(e.target.value);
            // The contract's "to" is exclusive: the next local midnight includes the chosen day.
            setFilter({ to: day === null ? undefined : addDays(day, 1) });
          }}
        />
      </div>
      <div className="field">
        <label htmlFor="history-sort">Sort by</label>
        <div className="input-row">
          <select
            id="history-sort"
            value={sort.by}
            onChange={(e) => setSort(e.target.value as TaskSortKey, sort.direction)}
          >
            {TASK_SORT_KEYS.map((key) => (
              <option key={key} value={key}>
                {SORT_LABELS[key]}
              </option>
            ))}
          </select>
          <button
            type="button"
            aria-label={
              sort.direction === 'desc' ? 'Descending; switch to ascending' : 'Ascending; switch to descending'
            }
            onClick={() => setSort(sort.by, sort.direction === 'desc' ? 'asc' : 'desc')}
          >
            {sort.direction === 'desc' ? '↓' : '↑'}
          </button>
        </div>
      </div>
    </div>
  );
}

function ExportButtons({ store }: { store: HistoryStore }) {
  const exportTasks = useStore(store, (s) => s.exportTasks);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = (format: ExportFormat) => {
    setBusy(true);
    setError(null);
    exportTasks(format).then(
      (file) => {
        setBusy(false);
        downloadFile(file);
      },
      (e: unknown) => {
        setBusy(false);
        setError(errorMessage(e));
      },
    );
  };
  return (
    <div className="export">
      {EXPORT_FORMATS.map((format) => (
        <button key={format} type="button" disabled={busy} onClick={() => run(format)}>
          Export {format.toUpperCase()}
        </button>
      ))}
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}

const COLUMNS: { label: string; sort?: TaskSortKey; className?: string }[] = [
  { label: 'Created', sort: 'createdAt' },
  { label: 'Task' },
  { label: 'Status' },
  { label: 'Iterations', sort: 'iterations', className: 'num' },
  { label: 'Tokens', sort: 'totalTokens', className: 'num' },
  { label: 'Cost', sort: 'costUsd', className: 'num' },
  { label: 'Duration', sort: 'durationMs', className: 'num' },
];

function TaskTable({ store }: { store: HistoryStore }) {
  const rows = useStore(store, (s) => s.rows);
  const total = useStore(store, (s) => s.total);
  const sort = useStore(store, (s) => s.sort);
  const setSort = useStore(store, (s) => s.setSort);
  const ensureRange = useStore(store, (s) => s.ensureRange);
  const scroller = useRef<HTMLDivElement>(null);

  const virtualizer = useVirtualizer({
    count: total ?? 0,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
    // Rows show before the first measurement (and where layout reports no size).
    initialRect: { width: 1000, height: 600 },
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;

  // Fetch the pages the visible window needs, as the user scrolls.
  useEffect(() => {
    if (total) void ensureRange(first, last);
  }, [first, last, total, ensureRange]);

  return (
    <div className="history-table" role="table" aria-label="Tasks" aria-rowcount={total ?? 0}>
      <div className="history-row history-head" role="row">
        {COLUMNS.map((c) => (
          <div
            key={c.label}
            role="columnheader"
            className={c.className}
            aria-sort={
              c.sort && sort.by === c.sort ? (sort.direction === 'desc' ? 'descending' : 'ascending') : undefined
            }
          >
            {c.sort ? (
              <button type="button" className="link-button" onClick={() => setSort(c.sort!)}>
                {c.label}
                {sort.by === c.sort ? (sort.direction === 'desc' ? ' ↓' : ' ↑') : ''}
              </button>
            ) : (
              c.label
            )}
          </div>
        ))}
      </div>
      <div className="history-scroller" ref={scroller} data-testid="history-scroller">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }} role="rowgroup">
          {items.map((item) => {
            const task = rows[item.index];
            const style = {
              position: 'absolute' as const,
              top: 0,
              left: 0,
              right: 0,
              height: item.size,
              transform: `translateY(${item.start}px)`,
            };
            if (!task) {
              return (
                <div key={item.key} className="history-row placeholder" role="row" style={style}>
                  <div role="cell">Loading…</div>
                </div>
              );
            }
            return (
              <div
                key={item.key}
                className="history-row"
                role="row"
                aria-rowindex={item.index + 1}
                data-testid="history-row"
                data-task-id={task.id}
                style={style}
              >
                <div role="cell">{formatDate(task.createdAt)}</div>
                <div role="cell" className="ellipsis" title={`${task.title}\n${task.workingDir}`}>
                  <a href={hrefs.task(task.id)}>{task.title}</a>
                </div>
                <div role="cell">
                  <span className={`badge status-${task.status}`}>{task.status}</span>
                </div>
                <div role="cell" className="num">
                  {task.iterations}
                </div>
                <div role="cell" className="num" data-value={task.totals.totalTokens}>
                  {formatTokens(task.totals.totalTokens)}
                </div>
                <div role="cell" className="num" data-value={task.totals.costUsd}>
                  {formatCost(task.totals.costUsd)}
                </div>
                <div role="cell" className="num">
                  {formatDuration(task.durationMs)}
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

function Charts({ store }: { store: HistoryStore }) {
  const charts = useStore(store, (s) => s.charts);
  const status = useStore(store, (s) => s.chartsStatus);
  const error = useStore(store, (s) => s.chartsError);
  const loadCharts = useStore(store, (s) => s.loadCharts);
  if (status === 'error')
    return <ErrorState title="Could not load the charts" message={error ?? ''} onRetry={() => void loadCharts()} />;
  if (!charts) return status === 'loading' ? <Loading label="Loading charts…" /> : null;
  if (charts.costOverTime.length === 0 && charts.tokensByModel.length === 0) return null;
  return (
    <div className="charts">
      <CostOverTimeChart data={charts.costOverTime} bucket={charts.bucket} />
      <TokensByModelChart data={charts.tokensByModel} />
      <CostByProjectChart data={charts.costByProject} />
    </div>
  );
}

export function HistoryView() {
  const { history } = useServices();
  const resyncs = useResyncCount();
  const status = useStore(history, (s) => s.status);
  const error = useStore(history, (s) => s.error);
  const total = useStore(history, (s) => s.total);
  const reload = useStore(history, (s) => s.reload);
  const loadProjects = useStore(history, (s) => s.loadProjects);
  const filter = useStore(history, (s) => s.filter);
  const filtered = Object.keys(filter).length > 0;

  // Fresh data each time the view opens, and again after a reconnect.
  useEffect(() => {
    void reload();
    void loadProjects();
  }, [reload, loadProjects, resyncs]);

  let list;
  if (status === 'error')
    list = <ErrorState message={error ?? 'Could not load the tasks'} onRetry={() => void reload()} />;
  else if (total === null) list = <Loading label="Loading tasks…" />;
  else if (total === 0)
    list = (
      <Empty>
        {filtered
          ? 'No tasks match these filters.'
          : 'No tasks yet. Launch one from the Live page and it will be listed here.'}
      </Empty>
    );
  else list = <TaskTable store={history} />;

  return (
    <div className="view history-view">
      <header className="detail-header">
        <h2>History</h2>
        <span className="muted" data-testid="history-total" data-value={total ?? undefined}>
          {total === null ? '' : `${formatTokens(total)} ${total === 1 ? 'task' : 'tasks'}`}
        </span>
        <ExportButtons store={history} />
      </header>
      <Filters store={history} />
      {list}
      <Charts store={history} />
    </div>
  );
}
