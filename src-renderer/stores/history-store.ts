import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  BatonApi,
  ExportFormat,
  HistoryCharts,
  ProjectView,
  QuotaWindowView,
  TaskFilter,
  TaskListTotals,
  TaskSortKey,
  TaskSummary,
} from '../contract';
import { errorMessage } from '../errors';
import { browserTimeZone, timeZoneField } from '../time-zone';

export const HISTORY_PAGE_SIZE = 200;

export type SortDirection = 'asc' | 'desc';
export interface HistorySort {
  by: TaskSortKey;
  direction: SortDirection;
}

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/** What the cost chart's bars are stacked by. */
export type CostBreakdown = 'model' | 'project';

/** History's two views: Baton's tasks, or all usage the agents' transcripts record. */
export type HistoryTab = 'tasks' | 'usage';

export interface HistoryState {
  filter: TaskFilter;
  sort: HistorySort;
  /** Rows by index; pages arrive as the list scrolls, so there are holes. */
  rows: Record<number, TaskSummary>;
  total: number | null;
  /** Sums over every task the filter selects, from the first page's answer. */
  totals: TaskListTotals | null;
  status: LoadStatus;
  error: string | null;
  charts: HistoryCharts | null;
  chartsStatus: LoadStatus;
  chartsError: string | null;
  projects: ProjectView[];
  /** The subscription windows as agents last reported them; null until known, or from a service without them. */
  quota: QuotaWindowView[] | null;
  breakdown: CostBreakdown;
  tab: HistoryTab;
  setFilter(patch: Partial<TaskFilter>): void;
  setBreakdown(breakdown: CostBreakdown): void;
  setTab(tab: HistoryTab): void;
  setSort(by: TaskSortKey, direction?: SortDirection): void;
  /** Reloads the list from its first page and the charts. */
  reload(): Promise<void>;
  /** Loads whatever pages cover rows [start, end] that are not loaded or loading yet. */
  ensureRange(start: number, end: number): Promise<void>;
  loadCharts(): Promise<void>;
  loadQuota(): Promise<void>;
  loadProjects(): Promise<void>;
  exportTasks(format: ExportFormat): Promise<{ fileName: string; mimeType: string; content: string }>;
}

export type HistoryStore = StoreApi<HistoryState>;

type HistoryClient = Pick<BatonApi, 'listTasks' | 'getHistoryCharts' | 'listProjects' | 'exportTasks'> &
  Partial<Pick<BatonApi, 'getQuota'>>;

export interface HistoryStoreOptions {
  /** This page's IANA time zone; the charts' days are its local days. */
  timeZone?: () => string | undefined;
}

/** Drops unset keys, so the filter sent matches what the user chose. */
export function cleanFilter(filter: TaskFilter): TaskFilter {
  const out: TaskFilter = {};
  if (filter.projectId) out.projectId = filter.projectId;
  if (filter.agent) out.agent = filter.agent;
  if (filter.status) out.status = filter.status;
  if (filter.from !== undefined) out.from = filter.from;
  if (filter.to !== undefined) out.to = filter.to;
  const search = filter.search?.trim();
  if (search) out.search = search;
  return out;
}

/** The client-side check the server would make anyway; a bad range is shown at its field, not sent. */
export function filterError(filter: TaskFilter): string | null {
  if (filter.from !== undefined && filter.to !== undefined && filter.from > filter.to) {
    return 'The date range ends before it starts';
  }
  return null;
}

export function createHistoryStore(client: HistoryClient, options: HistoryStoreOptions = {}): HistoryStore {
  const timeZone = options.timeZone ?? browserTimeZone;
  /** Bumped on every filter or sort change so answers to older queries are dropped. */
  let generation = 0;
  let chartsGeneration = 0;
  const requested = new Set<number>();

  return createStore<HistoryState>()((set, get) => {
    const fetchPage = async (page: number, mine: number) => {
      requested.add(page);
      const { filter, sort } = get();
      try {
        const result = await client.listTasks({
          filter: cleanFilter(filter),
          sort,
          limit: HISTORY_PAGE_SIZE,
          offset: page * HISTORY_PAGE_SIZE,
          // The first page brings the totals row, once per filter: they depend on neither sort nor page.
          ...(page === 0 && get().totals === null ? { withTotals: true } : {}),
        });
        if (mine !== generation) return;
        const rows = { ...get().rows };
        result.tasks.forEach((task, i) => {
          rows[page * HISTORY_PAGE_SIZE + i] = task;
        });
        set({
          rows,
          total: result.total,
          ...(result.totals ? { totals: result.totals } : {}),
          status: 'ready',
          error: null,
        });
      } catch (error) {
        if (mine !== generation) return;
        requested.delete(page);
        set({ status: 'error', error: errorMessage(error) });
      }
    };

    const restart = () => {
      generation++;
      requested.clear();
      const invalid = filterError(get().filter);
      if (invalid) {
        set({
          rows: {},
          total: null,
          totals: null,
          status: 'error',
          error: invalid,
          charts: null,
          chartsStatus: 'idle',
        });
        return Promise.resolve();
      }
      set({ rows: {}, total: null, totals: null, status: 'loading', error: null });
      // Charts first: they are the slowest query, and the server answers in order. The quota tiles come with them.
      return Promise.all([get().loadCharts(), get().loadQuota(), fetchPage(0, generation)]).then(() => undefined);
    };

    return {
      filter: {},
      sort: { by: 'createdAt', direction: 'desc' },
      rows: {},
      total: null,
      totals: null,
      status: 'idle',
      error: null,
      charts: null,
      chartsStatus: 'idle',
      chartsError: null,
      projects: [],
      quota: null,
      breakdown: 'model',
      tab: 'tasks',

      setFilter(patch) {
        const filter = { ...get().filter, ...patch };
        for (const key of Object.keys(patch) as (keyof TaskFilter)[]) {
          if (patch[key] === undefined || patch[key] === '') delete filter[key];
        }
        set({ filter });
        void restart();
      },

      setBreakdown(breakdown) {
        // Both breakdowns come with every answer; switching needs no call.
        set({ breakdown });
      },

      setTab(tab) {
        // Each view loads its own data when it opens.
        set({ tab });
      },

      setSort(by, direction) {
        const current = get().sort;
        // A second click on the same column flips it; a new column starts with the biggest/newest first.
        const next = direction ?? (current.by === by ? (current.direction === 'desc' ? 'asc' : 'desc') : 'desc');
        set({ sort: { by, direction: next } });
        // Charts and totals do not depend on the sort order, so only the list restarts.
        generation++;
        requested.clear();
        set({ rows: {}, total: null, status: 'loading', error: null });
        void fetchPage(0, generation);
      },

      reload: restart,

      async ensureRange(start, end) {
        if (filterError(get().filter)) return;
        const total = get().total;
        const last = total === null ? start : Math.min(end, Math.max(total - 1, 0));
        const pages: Promise<void>[] = [];
        for (
          let page = Math.floor(Math.max(start, 0) / HISTORY_PAGE_SIZE);
          page <= Math.floor(last / HISTORY_PAGE_SIZE);
          page++
        ) {
          if (!requested.has(page)) pages.push(fetchPage(page, generation));
        }
        await Promise.all(pages);
      },

      async loadCharts() {
        const mine = ++chartsGeneration;
        const filter = get().filter;
        if (filterError(filter)) return;
        set({ chartsStatus: 'loading', chartsError: null });
        try {
          const charts = await client.getHistoryCharts({
            filter: cleanFilter(filter),
            ...timeZoneField(timeZone()),
          });
          if (mine === chartsGeneration) set({ charts, chartsStatus: 'ready' });
        } catch (error) {
          if (mine === chartsGeneration) set({ chartsStatus: 'error', chartsError: errorMessage(error) });
        }
      },

      async loadQuota() {
        if (!client.getQuota) return;
        try {
          set({ quota: (await client.getQuota({})).windows });
        } catch {
          // An older service without getQuota: no tiles rather than an error over the dashboard.
          set({ quota: null });
        }
      },

      async loadProjects() {
        try {
          set({ projects: await client.listProjects({}) });
        } catch {
          // The project filter is a convenience; the list still works without it.
        }
      },

      exportTasks(format) {
        return client.exportTasks({ filter: cleanFilter(get().filter), format, ...timeZoneField(timeZone()) });
      },
    };
  });
}
