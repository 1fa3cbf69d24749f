/**
 * What All usage shows: its filters and the measure its daily charts draw. The overview they select and the
 * import's progress are read through queries (hooks/use-usage.ts).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { UsageFilterInput, UsageSource } from '../contract';
import { timeZoneField } from '../time-zone';

export type UsageSourceChoice = UsageSource | 'all';

/** What the view's filters hold; dates are local YYYY-MM-DD, both ends included, as the contract takes them. */
export interface UsageFilterChoice {
  source: UsageSourceChoice;
  since?: string;
  until?: string;
}

/** What the daily charts measure. */
export type UsageMetric = 'cost' | 'tokens';

export interface UsageState {
  filter: UsageFilterChoice;
  metric: UsageMetric;
  setFilter(patch: Partial<UsageFilterChoice>): void;
  setMetric(metric: UsageMetric): void;
}

export type UsageStore = StoreApi<UsageState>;

/** The client-side check the server would make anyway; a reversed range is shown at its field, not sent. */
export function usageRangeError(filter: UsageFilterChoice): string | null {
  if (filter.since && filter.until && filter.since > filter.until) return 'The date range ends before it starts';
  return null;
}

/** The contract's filter for these choices, unset keys left out. */
export function usageFilterOf(filter: UsageFilterChoice, timeZone: string | undefined): UsageFilterInput {
  return {
    source: filter.source,
    ...(filter.since ? { since: filter.since } : {}),
    ...(filter.until ? { until: filter.until } : {}),
    ...timeZoneField(timeZone),
  };
}

/** True when the filter narrows nothing, so an empty answer means nothing was imported. */
export function isUnfiltered(filter: UsageFilterChoice): boolean {
  return filter.source === 'all' && !filter.since && !filter.until;
}

export function createUsageStore(): UsageStore {
  return createStore<UsageState>()((set, get) => ({
    filter: { source: 'all' },
    metric: 'cost',

    setFilter(patch) {
      const filter = { ...get().filter, ...patch };
      if (!filter.since) delete filter.since;
      if (!filter.until) delete filter.until;
      set({ filter });
    },

    setMetric(metric) {
      // Both measures come with every answer; switching needs no call.
      set({ metric });
    },
  }));
}
