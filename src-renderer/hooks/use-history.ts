/**
 * History's data, read through queries keyed by the store's filter and sort: the table's pages, the totals
 * row, the charts, the quota tiles and the project list. A new filter is a new key, so an answer to an
 * older one never shows; Baton's events make them stale (queries/invalidation.ts).
 */
import { keepPreviousData, useQueries } from '@tanstack/react-query';
import { useStore } from 'zustand';
import { useServices } from '../app/services';
import type { MethodInput, ProjectView, QuotaWindowView, TaskFilter, TaskSummary } from '../contract';
import { readQuery } from '../queries/contract-queries';
import { cleanFilter, filterError, rangeDays, type HistorySort, type HistoryStore } from '../stores/history-store';
import { usageFilterOf, type UsageFilterChoice } from '../stores/usage-store';
import { browserTimeZone, timeZoneField } from '../time-zone';
import { useRead } from './use-read';

export const HISTORY_PAGE_SIZE = 200;

/** listTasks' input for one page of the table; the totals come apart, once per filter (totalsInput). */
export function pageInput(filter: TaskFilter, sort: HistorySort, page: number): MethodInput<'listTasks'> {
  return { filter: cleanFilter(filter), sort, limit: HISTORY_PAGE_SIZE, offset: page * HISTORY_PAGE_SIZE };
}

/** The sums of every task the filter selects: they depend on neither the sort nor the page. */
export function totalsInput(filter: TaskFilter): MethodInput<'listTasks'> {
  return { filter: cleanFilter(filter), limit: 1, offset: 0, withTotals: true };
}

/** The pages that hold rows [first, last] of `total` rows. */
export function pagesCovering(first: number, last: number, total: number): number[] {
  if (total <= 0) return [];
  const from = Math.floor(Math.max(first, 0) / HISTORY_PAGE_SIZE);
  const to = Math.floor(Math.min(Math.max(last, first), total - 1) / HISTORY_PAGE_SIZE);
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** The filter as chosen, and whether it may be sent (a reversed range is shown at its field instead). */
function useFilter(store: HistoryStore): { filter: TaskFilter; enabled: boolean } {
  const filter = useStore(store, (s) => s.filter);
  return { filter, enabled: filterError(filter) === null };
}

/** The table's first page: the rows on top, and how many the filter selects. */
export function useFirstPage(store: HistoryStore) {
  const { filter, enabled } = useFilter(store);
  const sort = useStore(store, (s) => s.sort);
  return useRead('listTasks', pageInput(filter, sort, 0), { enabled });
}

/** The rows of these pages, by index; a page not answered yet leaves its rows out. */
export function useTaskRows(store: HistoryStore, pages: readonly number[]): Record<number, TaskSummary> {
  const { client } = useServices();
  const { filter, enabled } = useFilter(store);
  const sort = useStore(store, (s) => s.sort);
  return useQueries({
    queries: pages.map((page) => ({ ...readQuery(client, 'listTasks', pageInput(filter, sort, page)), enabled })),
    combine: (results) => {
      const rows: Record<number, TaskSummary> = {};
      results.forEach((result, i) => {
        result.data?.tasks.forEach((task, j) => {
          rows[pages[i]! * HISTORY_PAGE_SIZE + j] = task;
        });
      });
      return rows;
    },
  });
}

export function useTaskTotals(store: HistoryStore) {
  const { filter, enabled } = useFilter(store);
  return useRead('listTasks', totalsInput(filter), { enabled });
}

/** The charts and the usage strip, over this page's local days; a new filter's come in place of the last ones. */
export function useHistoryCharts(store: HistoryStore) {
  const { filter, enabled } = useFilter(store);
  return useRead(
    'getHistoryCharts',
    { filter: cleanFilter(filter), ...timeZoneField(browserTimeZone()) },
    { enabled, placeholderData: keepPreviousData },
  );
}

/** The subscription windows; null while unknown, or from an older service without getQuota (no tiles, no error). */
export function useQuota(): QuotaWindowView[] | null {
  return useRead('getQuota', {}).data?.windows ?? null;
}

const NO_PROJECTS: ProjectView[] = [];

/** The project filter's choices; a convenience, so without them the list still works. */
export function useProjects(): ProjectView[] {
  return useRead('listProjects', {}).data ?? NO_PROJECTS;
}

/** Whether the filter narrows by nothing but dates, which All usage can narrow by too. */
export function onlyDates(filter: TaskFilter): boolean {
  return Object.keys(cleanFilter(filter)).every((key) => key === 'from' || key === 'to');
}

/** History's date range as All usage's: local days, both ends included (History's "to" is exclusive). */
export function interactiveChoice(filter: TaskFilter): UsageFilterChoice {
  const { first, last } = rangeDays(filter);
  return { source: 'interactive', ...(first ? { since: first } : {}), ...(last ? { until: last } : {}) };
}

/**
 * What the user's own (interactive) sessions spent in History's date range, as All usage counts it; asked
 * only when `wanted` (where Baton's tasks spent nothing), undefined until answered or where it fails.
 */
export function useInteractiveSpending(store: HistoryStore, wanted: boolean) {
  const filter = useStore(store, (s) => s.filter);
  const { data } = useRead(
    'getUsageOverview',
    { filter: usageFilterOf(interactiveChoice(filter), browserTimeZone()) },
    { enabled: wanted && filterError(filter) === null },
  );
  return wanted ? data?.totals : undefined;
}
