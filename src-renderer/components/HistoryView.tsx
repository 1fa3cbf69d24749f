import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import { AGENT_LABELS, agentLabel, isAgentKind } from '../agents';
import {
  addDays,
  AGENT_KINDS,
  EXPORT_FORMATS,
  formatCost,
  formatDate,
  formatDay,
  formatDuration,
  formatTokens,
  parseDay,
  rawValue,
  statusLabel,
  TASK_SORT_KEYS,
  TASK_STATUSES,
  type ExportFormat,
  type HistoryCharts,
  type ProjectView,
  type TaskSortKey,
  type TaskStatus,
  type TaskSummary,
} from '../contract';
import { useServices } from '../app/services';
import {
  spentCostText,
  totalCostText,
  unknownCostTitle,
  unknownTokensTitle,
  UNKNOWN_COST,
  usageCostText,
} from '../cost';
import { errorMessage } from '../errors';
import { modelsText, NO_MODEL_YET, NO_MODEL_YET_TITLE, taskModels } from '../models';
import { hrefs } from '../router';
import {
  useFirstPage,
  useHistoryCharts,
  useProjects,
  useQuota,
  useTaskRows,
  useTaskTotals,
  pagesCovering,
} from '../hooks/use-history';
import {
  cleanFilter,
  filterError,
  type CostBreakdown,
  type HistoryStore,
  type HistoryTab,
} from '../stores/history-store';
import { browserTimeZone, timeZoneField } from '../time-zone';
import '../styles/history.css';
import { baseName } from '../text';
import { CostByAgentChart, CostByProjectChart, CostOverTimeChart, TokensByModelChart } from './charts/lazy-charts';
import { QuotaTiles } from './QuotaTiles';
import { Segmented } from './Segmented';
import { StatusBadge } from './Status';
import { Empty, ErrorState, Loading } from './StateViews';
import { UsageView } from './UsageView';

/** A label for each of the contract's sort keys; a new key without one is a type error. */
const SORT_LABELS: Record<TaskSortKey, string> = {
  createdAt: 'Created',
  costUsd: 'Cost',
  totalTokens: 'Tokens',
  iterations: 'Iterations',
  durationMs: 'Duration',
};

const ROW_HEIGHT = 40;
/** How long the search waits after the last keystroke before it asks. */
export const SEARCH_DELAY_MS = 250;

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

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

/**
 * Project names by id. The server's names already tell folders of the same name apart; the
 * charts' list covers every project in the filter, the project list the most recent ones.
 */
export function projectNameMap(
  projects: ProjectView[],
  costByProject: HistoryCharts['costByProject'] | undefined,
): Map<string, string> {
  const names = new Map<string, string>();
  for (const p of projects) names.set(p.id, p.name);
  for (const p of costByProject ?? []) names.set(p.projectId, p.name);
  return names;
}

function Filters({ store }: { store: HistoryStore }) {
  const filter = useStore(store, (s) => s.filter);
  const projects = useProjects();
  const sort = useStore(store, (s) => s.sort);
  const setFilter = useStore(store, (s) => s.setFilter);
  const setSort = useStore(store, (s) => s.setSort);
  const [search, setSearch] = useState(filter.search ?? '');
  const rangeError = filterError(filter);

  // The search is sent once typing pauses, not on every keystroke.
  useEffect(() => {
    const wanted = search.trim() || undefined;
    if (wanted === (store.getState().filter.search || undefined)) return;
    const timer = setTimeout(() => setFilter({ search: wanted }), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [search, setFilter, store]);

  const fromValue = filter.from !== undefined ? formatDay(new Date(filter.from)) : '';
  // "to" is exclusive in the contract; the date input names the last day included.
  const toValue = filter.to !== undefined ? formatDay(new Date(filter.to - 1)) : '';

  return (
    <div className="filters history-filters" role="search" aria-label="Filter tasks">
      <div className="field field-search">
        <label htmlFor="history-search">Search</label>
        <input
          id="history-search"
          type="search"
          placeholder="Title or prompt"
          value={search}
          maxLength={200}
          onChange={(e) => setSearch(e.target.value)}
        />
      </div>
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
        <label htmlFor="history-agent">Agent</label>
        <select
          id="history-agent"
          value={filter.agent ?? ''}
          onChange={(e) => setFilter({ agent: isAgentKind(e.target.value) ? e.target.value : undefined })}
        >
          <option value="">All agents</option>
          {AGENT_KINDS.map((agent) => (
            <option key={agent} value={agent}>
              {AGENT_LABELS[agent]}
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
              {statusLabel(s)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="history-from">From</label>
        <input
          id="history-from"
          type="date"
          value={fromValue}
          max={toValue || undefined}
          aria-invalid={rangeError ? true : undefined}
          aria-describedby={rangeError ? 'history-range-error' : undefined}
          onChange={(e) => setFilter({ from: parseDay(e.target.value) ?? undefined })}
        />
      </div>
      <div className="field">
        <label htmlFor="history-to">To</label>
        <input
          id="history-to"
          type="date"
          value={toValue}
          min={fromValue || undefined}
          aria-invalid={rangeError ? true : undefined}
          aria-describedby={rangeError ? 'history-range-error' : undefined}
          onChange={(e) => {
            const day = parseDay(e.target.value);
            // The contract's "to" is exclusive: the next local midnight includes the chosen day.
            setFilter({ to: day === null ? undefined : addDays(day, 1) });
          }}
        />
        {rangeError ? (
          <p id="history-range-error" className="field-error" role="alert">
            {rangeError}
          </p>
        ) : null}
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

/** Why there is nothing to export, or null when there is. */
export function nothingToExport(total: number | null): string | null {
  if (total === null) return 'The tasks are still loading';
  return total === 0 ? 'No tasks to export: none is selected' : null;
}

function ExportButtons({ store }: { store: HistoryStore }) {
  const { client } = useServices();
  const none = nothingToExport(useFirstPage(store).data?.total ?? null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = (format: ExportFormat) => {
    setBusy(true);
    setError(null);
    const filter = cleanFilter(store.getState().filter);
    client.exportTasks({ filter, format, ...timeZoneField(browserTimeZone()) }).then(
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
        <button
          key={format}
          type="button"
          disabled={busy || none !== null}
          title={none ?? undefined}
          aria-describedby={none !== null ? 'history-export-none' : undefined}
          onClick={() => run(format)}
        >
          Export {format.toUpperCase()}
        </button>
      ))}
      {none !== null ? (
        <span id="history-export-none" className="visually-hidden">
          {none}
        </span>
      ) : null}
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}

/** One figure of the usage strip, with its exact value in data-value. */
function Figure({
  label,
  hint,
  value,
  format,
  testId,
  title,
}: {
  label: string;
  hint: string;
  value: number | null | undefined;
  format: (value: number) => string;
  testId: string;
  title?: string;
}) {
  const known = value !== null && value !== undefined;
  return (
    <div className="total usage-figure">
      <dt>{label}</dt>
      <dd data-testid={testId} data-value={known ? rawValue(value) : undefined} title={title}>
        {known ? format(value) : '—'}
      </dd>
      <dd className="usage-hint">{hint}</dd>
    </div>
  );
}

function UsageSummary({ store }: { store: HistoryStore }) {
  const summary = useHistoryCharts(store).data?.summary;
  const filtered = useStore(store, (s) => Object.keys(s.filter).length > 0);
  const scope = filtered ? 'in this selection' : 'all tasks';
  const tasks = summary ? `${formatTokens(summary.tasks)} ${summary.tasks === 1 ? 'task' : 'tasks'}, ${scope}` : scope;
  const figures = [
    // Each with "+ unknown" where that period's sessions include some of unknown cost.
    ...(
      [
        ['Today', 'all tasks', summary?.spentTodayUsd, summary?.unknownCostTokensToday, 'usage-today'],
        [
          'This week',
          'since Monday, all tasks',
          summary?.spentThisWeekUsd,
          summary?.unknownCostTokensThisWeek,
          'usage-week',
        ],
        ['This month', 'all tasks', summary?.spentThisMonthUsd, summary?.unknownCostTokensThisMonth, 'usage-month'],
      ] as const
    ).map(([label, hint, value, unknown, testId]) => ({
      label,
      hint,
      value,
      testId,
      format: (usd: number) => spentCostText(usd, unknown),
      title: unknownTokensTitle(unknown),
    })),
    { label: 'Tokens', hint: scope, value: summary?.totalTokens, format: formatTokens, testId: 'usage-tokens' },
    {
      label: 'Cache savings',
      hint: `vs. input price, ${scope}`,
      value: summary?.cacheSavingsUsd,
      testId: 'usage-cache-savings',
    },
    {
      label: 'Average per task',
      hint: tasks,
      value: summary?.averageCostPerTaskUsd,
      testId: 'usage-average',
      // Of the known costs, and said to be short where some sessions' cost is unknown.
      ...(summary && summary.unknownCostTokens > 0
        ? {
            format: (usd: number) =>
              totalCostText(usd, summary.unknownCostTokens, summary.totalTokens - summary.unknownCostTokens),
            title: unknownCostTitle(summary),
          }
        : {}),
    },
  ];
  return (
    <section className="usage-summary" aria-labelledby="history-usage-heading">
      <h3 id="history-usage-heading" className="visually-hidden">
        Usage
      </h3>
      <dl className="totals usage-strip">
        {figures.map((figure) => (
          <Figure key={figure.testId} format={formatCost} {...figure} />
        ))}
      </dl>
    </section>
  );
}

const BREAKDOWNS: { value: CostBreakdown; label: string }[] = [
  { value: 'model', label: 'Model' },
  { value: 'project', label: 'Project' },
];

function BreakdownSwitch({ store }: { store: HistoryStore }) {
  const breakdown = useStore(store, (s) => s.breakdown);
  const setBreakdown = useStore(store, (s) => s.setBreakdown);
  return <Segmented label="Stack by" value={breakdown} options={BREAKDOWNS} onChange={setBreakdown} />;
}

/** The columns a narrow table (a 1024 px window) leaves out, so the model and the task keep room to be read. */
const NARROW_HIDDEN = 'col-wide-only';

const COLUMNS: { label: string; sort?: TaskSortKey; className?: string }[] = [
  { label: 'Created', sort: 'createdAt' },
  { label: 'Task' },
  { label: 'Project' },
  // The agent shows beside the model at any width; its own column only where there is room.
  { label: 'Agent', className: NARROW_HIDDEN },
  { label: 'Model' },
  { label: 'Status' },
  { label: 'Iterations', sort: 'iterations', className: `num ${NARROW_HIDDEN}` },
  { label: 'Tokens', sort: 'totalTokens', className: 'num' },
  { label: 'Cost', sort: 'costUsd', className: 'num' },
  { label: 'Cost per changed line', className: 'num' },
  { label: 'Duration', sort: 'durationMs', className: `num ${NARROW_HIDDEN}` },
];

/** What each line the task changed cost; null where git recorded no change (no repository, or nothing changed). */
export function costPerChangedLine(task: Pick<TaskSummary, 'totals' | 'linesChanged'>): number | null {
  const lines = task.linesChanged;
  if (lines === null || lines === undefined || lines === 0) return null;
  return task.totals.costUsd / lines;
}

/** The model(s) the task's sessions ran, by their one name. */
function ModelCell({ task }: { task: TaskSummary }) {
  const models = taskModels(task);
  return (
    <div
      role="cell"
      className="history-wrap"
      data-testid="history-model"
      title={models.length > 0 ? models.join('\n') : NO_MODEL_YET_TITLE}
    >
      {models.length > 0 ? modelsText(models) : <span className="muted">{NO_MODEL_YET}</span>}
      <span className="history-model-agent muted"> · {agentLabel(task.agent)}</span>
    </div>
  );
}

function TaskRow({ task, projectName }: { task: TaskSummary; projectName: string }) {
  const perLine = costPerChangedLine(task);
  return (
    <>
      <div role="cell">{formatDate(task.createdAt)}</div>
      <div role="cell" className="history-wrap" title={`${task.title}\n${clip(task.prompt, 400)}`}>
        <a href={hrefs.task(task.id)}>{task.title}</a>
      </div>
      <div role="cell" className="history-wrap" title={task.workingDir} data-testid="history-project">
        {projectName}
      </div>
      <div role="cell" className={`ellipsis ${NARROW_HIDDEN}`} data-testid="history-agent">
        {agentLabel(task.agent)}
      </div>
      <ModelCell task={task} />
      <div role="cell" className="ellipsis">
        <StatusBadge status={task.status} title={task.statusReason ?? undefined} />
      </div>
      <div role="cell" className={`num ${NARROW_HIDDEN}`}>
        {task.iterations}
      </div>
      <div role="cell" className="num" data-value={task.totals.totalTokens}>
        {formatTokens(task.totals.totalTokens)}
      </div>
      <div
        role="cell"
        className="num"
        data-testid="history-cost"
        data-value={task.totals.costUsd}
        title={unknownCostTitle(task.totals)}
      >
        {usageCostText(task.totals)}
      </div>
      <div
        role="cell"
        className="num"
        data-testid="history-cost-per-line"
        data-value={perLine ?? undefined}
        title={
          task.linesChanged
            ? `${usageCostText(task.totals)} over ${formatTokens(task.linesChanged)} lines changed`
            : 'No changed lines recorded'
        }
      >
        {perLine === null
          ? '—'
          : (task.totals.unknownCostTokens ?? 0) > 0
            ? UNKNOWN_COST
            : perLine > 0 && perLine < 0.0001
              ? '<$0.0001'
              : formatCost(perLine)}
      </div>
      <div role="cell" className={`num ${NARROW_HIDDEN}`}>
        {formatDuration(task.durationMs)}
      </div>
    </>
  );
}

function TotalsRow({ store }: { store: HistoryStore }) {
  const { data } = useTaskTotals(store);
  const totals = data?.totals;
  if (!data || !totals) return null;
  const { total } = data;
  return (
    <div className="history-row history-totals" role="row" data-testid="history-totals">
      <div role="rowheader" className="history-totals-label">
        Total, {formatTokens(total)} {total === 1 ? 'task' : 'tasks'}
      </div>
      <div
        role="cell"
        className={`num ${NARROW_HIDDEN}`}
        data-testid="history-totals-iterations"
        data-value={totals.iterations}
      >
        {formatTokens(totals.iterations)}
      </div>
      <div role="cell" className="num" data-testid="history-totals-tokens" data-value={totals.totalTokens}>
        {formatTokens(totals.totalTokens)}
      </div>
      <div
        role="cell"
        className="num"
        data-testid="history-totals-cost"
        data-value={totals.costUsd}
        title={unknownCostTitle(totals)}
      >
        {usageCostText(totals)}
      </div>
      <div role="cell" />
      <div
        role="cell"
        className={`num ${NARROW_HIDDEN}`}
        data-testid="history-totals-duration"
        data-value={totals.durationMs}
      >
        {formatDuration(totals.durationMs)}
      </div>
    </div>
  );
}

function TaskTable({ store }: { store: HistoryStore }) {
  const total = useFirstPage(store).data?.total ?? null;
  const sort = useStore(store, (s) => s.sort);
  const setSort = useStore(store, (s) => s.setSort);
  const projects = useProjects();
  const costByProject = useHistoryCharts(store).data?.costByProject;
  const names = useMemo(() => projectNameMap(projects, costByProject), [projects, costByProject]);
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

  // The pages the visible window needs, asked for as the user scrolls.
  const rows = useTaskRows(store, pagesCovering(first, last, total ?? 0));

  return (
    <div className="history-table" role="table" aria-label="Tasks" aria-rowcount={(total ?? 0) + 2}>
      <div role="rowgroup">
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
      </div>
      {/* As tall as its rows, up to a screenful: a few tasks leave no empty space before the totals. */}
      <div
        className="history-scroller"
        ref={scroller}
        data-testid="history-scroller"
        style={{ height: (total ?? 0) * ROW_HEIGHT }}
      >
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
                aria-rowindex={item.index + 2}
                data-testid="history-row"
                data-task-id={task.id}
                style={style}
              >
                <TaskRow task={task} projectName={names.get(task.projectId) ?? baseName(task.workingDir)} />
              </div>
            );
          })}
        </div>
      </div>
      <div role="rowgroup">
        <TotalsRow store={store} />
      </div>
    </div>
  );
}

function Charts({ store }: { store: HistoryStore }) {
  const query = useHistoryCharts(store);
  const charts = query.data;
  const breakdown = useStore(store, (s) => s.breakdown);
  const projectNames = useMemo(() => projectNameMap([], charts?.costByProject), [charts]);
  if (query.isError)
    return (
      <ErrorState
        title="Could not load the charts"
        message={errorMessage(query.error)}
        onRetry={() => void query.refetch()}
      />
    );
  if (!charts) return query.isLoading ? <Loading label="Loading charts…" /> : null;
  // Without any task there is nothing to chart; the list says why.
  if (charts.summary.tasks === 0) return null;
  return (
    <section className="charts history-charts" aria-labelledby="history-charts-heading">
      <h3 id="history-charts-heading" className="visually-hidden">
        Charts
      </h3>
      <CostOverTimeChart
        data={charts.costOverTime}
        bucket={charts.bucket}
        breakdown={breakdown}
        projectNames={projectNames}
        controls={<BreakdownSwitch store={store} />}
      />
      <TokensByModelChart data={charts.tokensByModel} />
      <CostByProjectChart data={charts.costByProject} />
      <CostByAgentChart data={charts.costByAgent} />
    </section>
  );
}

/** The task list's count and exports, in the page header while the tasks show. */
function TasksHeader({ store }: { store: HistoryStore }) {
  const total = useFirstPage(store).data?.total ?? null;
  return (
    <>
      <span className="muted" data-testid="history-total" data-value={total ?? undefined}>
        {total === null ? '' : `${formatTokens(total)} ${total === 1 ? 'task' : 'tasks'}`}
      </span>
      <ExportButtons store={store} />
    </>
  );
}

function TasksPanel({ store }: { store: HistoryStore }) {
  const firstPage = useFirstPage(store);
  const total = firstPage.data?.total ?? null;
  const quota = useQuota();
  const filter = useStore(store, (s) => s.filter);
  const filtered = Object.keys(filter).length > 0;
  const invalid = filterError(filter);

  let list;
  // A reversed range is shown at its field; the list only says why it is empty.
  if (invalid) list = <Empty>Fix the date range to see the tasks.</Empty>;
  else if (firstPage.isError)
    list = <ErrorState message={errorMessage(firstPage.error)} onRetry={() => void firstPage.refetch()} />;
  else if (total === null) list = <Loading label="Loading tasks…" />;
  else if (total === 0)
    list = (
      <Empty>
        {filtered
          ? 'No tasks match these filters.'
          : 'No tasks yet. Launch one from the Tasks page and it will be listed here.'}
      </Empty>
    );
  else list = <TaskTable store={store} />;

  return (
    <>
      <UsageSummary store={store} />
      <QuotaTiles windows={quota} />
      <Filters store={store} />
      <Charts store={store} />
      <section aria-labelledby="history-tasks-heading">
        <h3 id="history-tasks-heading" className="visually-hidden">
          Tasks
        </h3>
        {list}
      </section>
    </>
  );
}

const HISTORY_TABS: { value: HistoryTab; label: string }[] = [
  { value: 'tasks', label: 'Tasks' },
  { value: 'usage', label: 'All usage' },
];

/** The tab pattern: one tab stop, arrow keys (and Home/End) move between the tabs and open them. */
function HistoryTabs({ store }: { store: HistoryStore }) {
  const tab = useStore(store, (s) => s.tab);
  const setTab = useStore(store, (s) => s.setTab);
  const buttons = useRef(new Map<HistoryTab, HTMLButtonElement>());
  const onKeyDown = (e: KeyboardEvent) => {
    const current = HISTORY_TABS.findIndex((t) => t.value === tab);
    const count = HISTORY_TABS.length;
    const targets: Record<string, number> = {
      ArrowRight: current + 1,
      ArrowLeft: current - 1 + count,
      Home: 0,
      End: count - 1,
    };
    const target = targets[e.key];
    if (target === undefined) return;
    e.preventDefault();
    const value = HISTORY_TABS[target % count]!.value;
    setTab(value);
    buttons.current.get(value)?.focus();
  };
  return (
    <div
      role="tablist"
      aria-label="History views"
      className="history-tabs"
      data-testid="history-tabs"
      onKeyDown={onKeyDown}
    >
      {HISTORY_TABS.map((t) => (
        <button
          key={t.value}
          ref={(el) => {
            if (el) buttons.current.set(t.value, el);
            else buttons.current.delete(t.value);
          }}
          type="button"
          role="tab"
          id={`history-tab-${t.value}`}
          aria-controls={`history-panel-${t.value}`}
          aria-selected={tab === t.value}
          tabIndex={tab === t.value ? 0 : -1}
          data-testid={`history-tab-${t.value}`}
          onClick={() => setTab(t.value)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}

export function HistoryView() {
  const { history } = useServices();
  const tab = useStore(history, (s) => s.tab);
  return (
    <div className="view history-view">
      <header className="detail-header">
        <h2>History</h2>
        <HistoryTabs store={history} />
        {tab === 'tasks' ? <TasksHeader store={history} /> : null}
      </header>
      <div role="tabpanel" id={`history-panel-${tab}`} aria-labelledby={`history-tab-${tab}`} className="history-panel">
        {tab === 'tasks' ? <TasksPanel store={history} /> : <UsageView />}
      </div>
    </div>
  );
}
