import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  BatonApi,
  BatonEvent,
  ImportProgress,
  ImportSummary,
  UsageFilterInput,
  UsageOverview,
  UsageSource,
} from '../contract';
import { errorMessage } from '../errors';
import { browserTimeZone, timeZoneField } from '../time-zone';
import type { LoadStatus } from './history-store';

/** How often the progress bar asks while an import runs. */
export const IMPORT_POLL_MS = 500;

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
  overview: UsageOverview | null;
  status: LoadStatus;
  error: string | null;
  /** The import under way or the last one, as getImportProgress last said; null until asked. */
  progress: ImportProgress | null;
  /** From "Import now" until importTranscripts answers. */
  importRequested: boolean;
  importError: string | null;
  /** What this window's last "Import now" did. */
  lastImport: ImportSummary | null;
  metric: UsageMetric;
  setFilter(patch: Partial<UsageFilterChoice>): void;
  setMetric(metric: UsageMetric): void;
  load(): Promise<void>;
  /**
   * Follows the import's progress for a mounted view: asks now, then every IMPORT_POLL_MS while one runs.
   * While a view watches, the overview reloads when the service says an import stored something (the
   * `usage.imported` event). Returns the stop, for the view's unmount.
   */
  watchImport(): () => void;
  importNow(): Promise<void>;
}

export type UsageStore = StoreApi<UsageState>;

type UsageClient = Pick<BatonApi, 'getUsageOverview' | 'importTranscripts' | 'getImportProgress'>;

export interface UsageStoreOptions {
  /** Where days are counted: this page's zone, which in browser mode need not be the server's. */
  timeZone?: () => string | undefined;
  /** The service's events, for `usage.imported`: an import (the service's own watch included) stored something. */
  events?: { subscribe(listener: (event: BatonEvent) => void): () => void };
}

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

export function createUsageStore(client: UsageClient, options: UsageStoreOptions = {}): UsageStore {
  const timeZone = options.timeZone ?? browserTimeZone;
  /** Bumped on every load so answers to older filters are dropped. */
  let generation = 0;
  let watchers = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let asking = false;

  const store = createStore<UsageState>()((set, get) => {
    const schedule = () => {
      if (timer === null && watchers > 0) timer = setTimeout(poll, IMPORT_POLL_MS);
    };

    const poll = async () => {
      timer = null;
      // One question at a time; the one out schedules the next.
      if (watchers === 0 || asking) return;
      asking = true;
      let progress: ImportProgress;
      try {
        progress = await client.getImportProgress({});
      } catch {
        // The bar is an aid: without it the import still ends and "Import now" still reloads.
        if (get().importRequested) schedule();
        return;
      } finally {
        asking = false;
      }
      if (watchers === 0) return;
      set({ progress });
      // The figures reload on the service's event when the import stored something, not on its end here.
      if (progress.state === 'importing' || get().importRequested) schedule();
    };

    return {
      filter: { source: 'all' },
      overview: null,
      status: 'idle',
      error: null,
      progress: null,
      importRequested: false,
      importError: null,
      lastImport: null,
      metric: 'cost',

      setFilter(patch) {
        const filter = { ...get().filter, ...patch };
        if (!filter.since) delete filter.since;
        if (!filter.until) delete filter.until;
        set({ filter });
        void get().load();
      },

      setMetric(metric) {
        // Both measures come with every answer; switching needs no call.
        set({ metric });
      },

      async load() {
        const mine = ++generation;
        const filter = get().filter;
        if (usageRangeError(filter)) return;
        set({ status: 'loading', error: null });
        try {
          const overview = await client.getUsageOverview({ filter: usageFilterOf(filter, timeZone()) });
          if (mine === generation) set({ overview, status: 'ready' });
        } catch (error) {
          if (mine === generation) set({ status: 'error', error: errorMessage(error) });
        }
      },

      watchImport() {
        watchers++;
        if (watchers === 1) void poll();
        let stopped = false;
        return () => {
          if (stopped) return;
          stopped = true;
          watchers--;
          if (watchers === 0 && timer !== null) {
            clearTimeout(timer);
            timer = null;
          }
        };
      },

      async importNow() {
        if (get().importRequested) return;
        set({ importRequested: true, importError: null });
        void poll();
        try {
          set({ lastImport: await client.importTranscripts({}) });
        } catch (error) {
          set({ importError: errorMessage(error) });
        } finally {
          set({ importRequested: false });
        }
        void poll();
        await get().load();
      },
    };
  });

  options.events?.subscribe((event) => {
    if (event.type !== 'usage.imported') return;
    // A view shows the figures: it reloads now. Without one, the view that opens next loads them anyway.
    if (watchers > 0) void store.getState().load();
  });
  return store;
}
