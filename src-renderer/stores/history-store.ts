/**
 * What History shows: its filters, sort and the cost chart's breakdown. The data they select is read through
 * queries (hooks/use-history.ts), keyed by these choices; its tab is in the address (router.ts).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { formatDay, type TaskFilter, type TaskSortKey } from '../contract';

export type SortDirection = 'asc' | 'desc';
export interface HistorySort {
  by: TaskSortKey;
  direction: SortDirection;
}

/** What the cost chart's bars are stacked by. */
export type CostBreakdown = 'model' | 'project';

export interface HistoryState {
  filter: TaskFilter;
  sort: HistorySort;
  breakdown: CostBreakdown;
  setFilter(patch: Partial<TaskFilter>): void;
  setBreakdown(breakdown: CostBreakdown): void;
  setSort(by: TaskSortKey, direction?: SortDirection): void;
}

export type HistoryStore = StoreApi<HistoryState>;

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

/** The days the filter's range covers, local YYYY-MM-DD, both ends included (the contract's "to" is exclusive). */
export function rangeDays(filter: Pick<TaskFilter, 'from' | 'to'>): { first?: string; last?: string } {
  return {
    ...(filter.from !== undefined ? { first: formatDay(new Date(filter.from)) } : {}),
    ...(filter.to !== undefined ? { last: formatDay(new Date(filter.to - 1)) } : {}),
  };
}

/** The client-side check the server would make anyway; a bad range is shown at its field, not sent. */
export function filterError(filter: TaskFilter): string | null {
  if (filter.from !== undefined && filter.to !== undefined && filter.from > filter.to) {
    return 'The date range ends before it starts';
  }
  return null;
}

export function createHistoryStore(): HistoryStore {
  return createStore<HistoryState>()((set, get) => ({
    filter: {},
    sort: { by: 'createdAt', direction: 'desc' },
    breakdown: 'model',

    setFilter(patch) {
      const filter = { ...get().filter, ...patch };
      for (const key of Object.keys(patch) as (keyof TaskFilter)[]) {
        if (patch[key] === undefined || patch[key] === '') delete filter[key];
      }
      set({ filter });
    },

    setBreakdown(breakdown) {
      // Both breakdowns come with every answer; switching needs no call.
      set({ breakdown });
    },

    setSort(by, direction) {
      const current = get().sort;
      // A second click on the same column flips it; a new column starts with the biggest/newest first.
      const next = direction ?? (current.by === by ? (current.direction === 'desc' ? 'asc' : 'desc') : 'desc');
      set({ sort: { by, direction: next } });
    },
  }));
}
