/**
 * History: Baton's tasks (the usage strip, quota tiles, filters, charts and the task table) beside All usage.
 * Each part is a module of history/.
 */
import { useStore } from 'zustand';
import { formatTokens } from '../contract';
import { useServices } from '../app/services';
import { errorMessage } from '../errors';
import { onlyDates, useFirstPage, useHistoryCharts, useInteractiveSpending, useQuota } from '../hooks/use-history';
import { filterError, type HistoryStore } from '../stores/history-store';
import { useHashRoute } from '../router';
import '../styles/history.css';
import { ExportButtons } from './history/ExportButtons';
import { HistoryChartsSection } from './history/HistoryChartsSection';
import { HistoryFilters } from './history/HistoryFilters';
import { HistoryTabs } from './history/HistoryTabs';
import { InteractiveOnlyNotice, NoTasksYet } from './history/InteractiveSpending';
import { TaskTable } from './history/TaskTable';
import { UsageSummary } from './history/UsageSummary';
import { QuotaTiles } from './QuotaTiles';
import { Empty, ErrorState, Loading } from './StateViews';
import { UsageView } from './UsageView';

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
  const summary = useHistoryCharts(store).data?.summary;
  // Where Baton's tasks spent nothing in a range All usage can show too, what the user's own sessions spent.
  const batonSpentNothing =
    total === 0 || (summary !== undefined && summary.costUsd === 0 && summary.unknownCostTokens === 0);
  const interactive = useInteractiveSpending(store, !invalid && onlyDates(filter) && batonSpentNothing);

  // A first-time user: nothing to sum, filter or chart yet; a subscription window seen is still worth showing.
  if (total === 0 && !filtered)
    return (
      <>
        <NoTasksYet store={store} interactive={interactive} />
        {quota && quota.length > 0 ? <QuotaTiles windows={quota} /> : null}
      </>
    );

  let list;
  // A reversed range is shown at its field; the list only says why it is empty.
  if (invalid) list = <Empty>Fix the date range to see the tasks.</Empty>;
  else if (firstPage.isError)
    list = <ErrorState message={errorMessage(firstPage.error)} onRetry={() => void firstPage.refetch()} />;
  else if (total === null) list = <Loading label="Loading tasks…" />;
  else if (total === 0) list = <Empty>No tasks match these filters.</Empty>;
  else list = <TaskTable store={store} />;

  return (
    <>
      <UsageSummary store={store} />
      {interactive && interactive.totalTokens > 0 ? <InteractiveOnlyNotice store={store} totals={interactive} /> : null}
      <QuotaTiles windows={quota} />
      <HistoryFilters store={store} />
      <HistoryChartsSection store={store} />
      <section aria-labelledby="history-tasks-heading">
        <h3 id="history-tasks-heading" className="visually-hidden">
          Tasks
        </h3>
        {list}
      </section>
    </>
  );
}

export function HistoryView() {
  const { history } = useServices();
  const route = useHashRoute();
  const tab = route.name === 'history' ? route.tab : 'tasks';
  return (
    <div className="view history-view">
      <header className="detail-header">
        <h2>History</h2>
        <HistoryTabs tab={tab} />
        {tab === 'tasks' ? <TasksHeader store={history} /> : null}
      </header>
      <div role="tabpanel" id={`history-panel-${tab}`} aria-labelledby={`history-tab-${tab}`} className="history-panel">
        {tab === 'tasks' ? <TasksPanel store={history} /> : <UsageView />}
      </div>
    </div>
  );
}
