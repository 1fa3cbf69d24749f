import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ImportSummary, UsageOverview } from '../../src-main/contract/usage';
import { createUsageStore, IMPORT_POLL_MS } from '../../src-renderer/stores/usage-store';
import { fakeClient, importProgress, usageOverview, usageTokens } from './fixtures';

afterEach(() => {
  vi.useRealTimers();
});

const summary: ImportSummary = {
  files: 2,
  newFiles: 2,
  linesRead: 10,
  messages: 8,
  duplicates: 0,
  corrected: 0,
  malformed: 0,
  sessions: 1,
  durationMs: 20,
  skipped: [],
  skippedFiles: 0,
};

function deferred<T>() {
  let resolve: (value: T) => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('the usage store', () => {
  it('keeps only the answer to the latest filter', async () => {
    const answers = [deferred<UsageOverview>(), deferred<UsageOverview>()];
    let call = 0;
    const client = fakeClient({ getUsageOverview: () => answers[call++]!.promise });
    const store = createUsageStore(client, { timeZone: () => 'Europe/Berlin' });
    const first = store.getState().load();
    store.getState().setFilter({ source: 'baton' });
    expect(client.getUsageOverview).toHaveBeenLastCalledWith({
      filter: { source: 'baton', timeZone: 'Europe/Berlin' },
    });

    const newer = usageOverview({ totals: usageTokens({ outputTokens: 5 }) });
    answers[1]!.resolve(newer);
    await vi.waitFor(() => expect(store.getState().overview).toBe(newer));
    answers[0]!.resolve(usageOverview());
    await first;
    expect(store.getState().overview).toBe(newer);
    expect(store.getState().status).toBe('ready');
  });

  it('does not send a reversed date range', async () => {
    const client = fakeClient({ getUsageOverview: async () => usageOverview() });
    const store = createUsageStore(client);
    store.getState().setFilter({ since: '2026-11-25', until: '2026-11-20' });
    await store.getState().load();
    expect(client.getUsageOverview).not.toHaveBeenCalled();
    // Clearing a date drops it from the filter rather than sending it empty.
    store.getState().setFilter({ until: '' });
    expect(store.getState().filter).toEqual({ source: 'all', since: '2026-11-25' });
    expect(client.getUsageOverview).toHaveBeenCalledTimes(1);
  });

  it('follows an import it started until the call answers, then reloads once', async () => {
    vi.useFakeTimers();
    const running = deferred<ImportSummary>();
    let progress = importProgress();
    const client = fakeClient({
      getUsageOverview: async () => usageOverview(),
      getImportProgress: async () => progress,
      importTranscripts: () => running.promise,
    });
    const store = createUsageStore(client);
    const stop = store.getState().watchImport();
    await vi.advanceTimersByTimeAsync(0);
    expect(client.getImportProgress).toHaveBeenCalledTimes(1);

    const done = store.getState().importNow();
    expect(store.getState().importRequested).toBe(true);
    progress = importProgress({ state: 'importing', filesDone: 1, filesTotal: 2 });
    await vi.advanceTimersByTimeAsync(IMPORT_POLL_MS * 3);
    expect(store.getState().progress?.filesDone).toBe(1);

    progress = importProgress({ state: 'done', filesDone: 2, filesTotal: 2, last: summary });
    running.resolve(summary);
    await done;
    await vi.advanceTimersByTimeAsync(IMPORT_POLL_MS * 3);
    expect(store.getState()).toMatchObject({ importRequested: false, lastImport: summary, importError: null });
    expect(store.getState().progress?.state).toBe('done');
    expect(client.getUsageOverview).toHaveBeenCalledTimes(1);
    stop();
  });

  it('keeps the failure of an import it started', async () => {
    const client = fakeClient({
      getUsageOverview: async () => usageOverview(),
      importTranscripts: async () => {
        throw new Error('an import is already running');
      },
    });
    const store = createUsageStore(client);
    await store.getState().importNow();
    expect(store.getState()).toMatchObject({ importRequested: false, importError: 'an import is already running' });
  });
});
