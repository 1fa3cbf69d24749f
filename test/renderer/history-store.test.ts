import { describe, expect, it } from 'vitest';
import type { HistoryCharts } from '../../src-main/contract/api';
import { createHistoryStore, filterError, HISTORY_PAGE_SIZE } from '../../src-renderer/stores/history-store';
import { fakeClient, summary } from './fixtures';

const charts: HistoryCharts = {
  bucket: 'day',
  costOverTime: [
    {
      period: '2026-11-24',
      costUsd: 1.5,
      unknownCostTokens: 0,
      totalTokens: 1000,
      sessions: 3,
      costByModel: { 'claude-sonnet-4-5': 1.5 },
      costByProject: { p1: 1.5 },
    },
  ],
  tokensByModel: [],
  costByAgent: [],
  costByProject: [],
  summary: {
    spentTodayUsd: 0,
    spentThisWeekUsd: 1.5,
    spentThisMonthUsd: 1.5,
    unknownCostTokensToday: 0,
    unknownCostTokensThisWeek: 0,
    unknownCostTokensThisMonth: 0,
    tasks: 2,
    sessions: 3,
    costUsd: 1.5,
    unknownCostTokens: 0,
    totalTokens: 1000,
    cacheSavingsUsd: 0.25,
    averageCostPerTaskUsd: 0.75,
  },
};

const totals = {
  iterations: 900,
  inputTokens: 1,
  outputTokens: 2,
  cacheCreationTokens: 3,
  cacheReadTokens: 4,
  totalTokens: 10,
  costUsd: 12.5,
  unknownCostTokens: 0,
  durationMs: 60_000,
};

function historyClient(total = 450) {
  return fakeClient({
    listTasks: async (input) => {
      const offset = input.offset ?? 0;
      const count = Math.max(0, Math.min(input.limit ?? 100, total - offset));
      const tasks = Array.from({ length: count }, (_, i) => summary({ id: `t${offset + i}` }));
      return input.withTotals ? { tasks, total, totals } : { tasks, total };
    },
    getHistoryCharts: async () => charts,
    listProjects: async () => [{ id: 'p1', name: 'demo', workingDir: '/work/demo', lastUsedAt: 1 }],
    exportTasks: async (input) => ({ fileName: `baton-tasks.${input.format}`, mimeType: 'text/csv', content: 'id\n' }),
  });
}

/** A store whose page is in Berlin, so the zone it sends is known. */
const storeOf = (client: ReturnType<typeof historyClient>) =>
  createHistoryStore(client, { timeZone: () => 'Europe/Berlin' });

describe('the history store', () => {
  it('loads the first page of 200 with the total and the totals row, and the charts at local days', async () => {
    const client = historyClient();
    const store = storeOf(client);
    await store.getState().reload();
    const s = store.getState();
    expect(s.total).toBe(450);
    expect(s.totals).toEqual(totals);
    expect(Object.keys(s.rows)).toHaveLength(HISTORY_PAGE_SIZE);
    expect(s.rows[199]!.id).toBe('t199');
    expect(s.charts).toEqual(charts);
    expect(client.listTasks).toHaveBeenCalledWith({
      filter: {},
      sort: { by: 'createdAt', direction: 'desc' },
      limit: 200,
      offset: 0,
      withTotals: true,
    });
    expect(client.getHistoryCharts).toHaveBeenCalledWith({ filter: {}, timeZone: 'Europe/Berlin' });
  });

  it('asks for the totals once per filter: not for later pages, nor when only the sort changes', async () => {
    const client = historyClient();
    const store = storeOf(client);
    await store.getState().reload();
    await store.getState().ensureRange(190, 260);
    expect(client.listTasks.mock.calls[1]![0]).not.toHaveProperty('withTotals');
    store.getState().setSort('costUsd');
    await new Promise((r) => setTimeout(r, 0));
    expect(client.listTasks.mock.calls[2]![0]).toMatchObject({ offset: 0, sort: { by: 'costUsd' } });
    expect(client.listTasks.mock.calls[2]![0]).not.toHaveProperty('withTotals');
    expect(store.getState().totals).toEqual(totals);
    store.getState().setFilter({ status: 'failed' });
    expect(store.getState().totals).toBeNull();
    await new Promise((r) => setTimeout(r, 0));
    expect(client.listTasks.mock.calls[3]![0]).toMatchObject({ withTotals: true, filter: { status: 'failed' } });
  });

  it('sends the agent filter to the list and the charts, and drops it when cleared', async () => {
    const client = historyClient();
    const store = storeOf(client);
    store.getState().setFilter({ agent: 'gemini', status: 'failed' });
    await new Promise((r) => setTimeout(r, 0));
    const sent = { agent: 'gemini', status: 'failed' };
    expect(client.listTasks).toHaveBeenLastCalledWith(expect.objectContaining({ filter: sent }));
    expect(client.getHistoryCharts).toHaveBeenLastCalledWith({ filter: sent, timeZone: 'Europe/Berlin' });
    store.getState().setFilter({ agent: undefined });
    expect(store.getState().filter).toEqual({ status: 'failed' });
  });

  it('sends the search trimmed, and drops an empty one', async () => {
    const client = historyClient();
    const store = storeOf(client);
    store.getState().setFilter({ search: '  login bug ' });
    await new Promise((r) => setTimeout(r, 0));
    expect(store.getState().filter).toEqual({ search: '  login bug ' });
    expect(client.listTasks).toHaveBeenLastCalledWith(expect.objectContaining({ filter: { search: 'login bug' } }));
    expect(client.getHistoryCharts).toHaveBeenLastCalledWith({
      filter: { search: 'login bug' },
      timeZone: 'Europe/Berlin',
    });
    store.getState().setFilter({ search: '   ' });
    await new Promise((r) => setTimeout(r, 0));
    expect(client.listTasks).toHaveBeenLastCalledWith(expect.objectContaining({ filter: {} }));
    store.getState().setFilter({ search: '' });
    expect(store.getState().filter).toEqual({});
  });

  it('switches the cost breakdown without asking the server again', async () => {
    const client = historyClient();
    const store = storeOf(client);
    await store.getState().reload();
    expect(store.getState().breakdown).toBe('model');
    store.getState().setBreakdown('project');
    expect(store.getState().breakdown).toBe('project');
    expect(client.getHistoryCharts).toHaveBeenCalledTimes(1);
  });

  it('fetches further pages once each as the visible range moves', async () => {
    const client = historyClient();
    const store = storeOf(client);
    await store.getState().reload();
    await Promise.all([store.getState().ensureRange(190, 260), store.getState().ensureRange(200, 230)]);
    expect(client.listTasks).toHaveBeenCalledTimes(2);
    expect(client.listTasks.mock.calls[1]![0]).toMatchObject({ offset: 200, limit: 200 });
    await store.getState().ensureRange(420, 500);
    expect(client.listTasks).toHaveBeenCalledTimes(3);
    expect(store.getState().rows[449]!.id).toBe('t449');
    expect(store.getState().rows[450]).toBeUndefined();
  });

  it('restarts from the first page with the filter, dropping unset keys', async () => {
    const client = historyClient();
    const store = storeOf(client);
    await store.getState().reload();
    store.getState().setFilter({ status: 'failed', projectId: 'p1' });
    store.getState().setFilter({ projectId: undefined });
    await new Promise((r) => setTimeout(r, 0));
    expect(store.getState().filter).toEqual({ status: 'failed' });
    expect(client.listTasks).toHaveBeenLastCalledWith(
      expect.objectContaining({ filter: { status: 'failed' }, offset: 0 }),
    );
    expect(client.getHistoryCharts).toHaveBeenLastCalledWith({
      filter: { status: 'failed' },
      timeZone: 'Europe/Berlin',
    });
  });

  it('shows a reversed date range as an error and does not send it', async () => {
    const client = historyClient();
    const store = storeOf(client);
    store.getState().setFilter({ from: 2000, to: 1000 });
    expect(store.getState()).toMatchObject({ status: 'error', error: 'The date range ends before it starts' });
    expect(filterError(store.getState().filter)).toBe('The date range ends before it starts');
    expect(client.listTasks).not.toHaveBeenCalled();
    expect(client.getHistoryCharts).not.toHaveBeenCalled();
  });

  it('flips the direction when the same column is sorted twice', async () => {
    const client = historyClient();
    const store = storeOf(client);
    store.getState().setSort('costUsd');
    expect(store.getState().sort).toEqual({ by: 'costUsd', direction: 'desc' });
    store.getState().setSort('costUsd');
    expect(store.getState().sort).toEqual({ by: 'costUsd', direction: 'asc' });
    await new Promise((r) => setTimeout(r, 0));
    expect(client.listTasks).toHaveBeenLastCalledWith(
      expect.objectContaining({ sort: { by: 'costUsd', direction: 'asc' } }),
    );
  });

  it('drops the answer of a query that was superseded', async () => {
    let release!: () => void;
    const client = historyClient();
    const store = storeOf(client);
    client.listTasks.mockImplementationOnce(
      () => new Promise((resolve) => (release = () => resolve({ tasks: [summary({ id: 'stale' })], total: 1 }))),
    );
    const first = store.getState().reload();
    await store.getState().reload();
    release();
    await first;
    expect(store.getState().rows[0]!.id).toBe('t0');
    expect(store.getState().total).toBe(450);
  });

  it('reports list errors with their message', async () => {
    const client = historyClient();
    client.listTasks.mockRejectedValueOnce(new Error('database is locked'));
    const store = storeOf(client);
    await store.getState().reload();
    expect(store.getState()).toMatchObject({ status: 'error', error: 'database is locked' });
  });

  it('exports with the current filter', async () => {
    const client = historyClient();
    const store = storeOf(client);
    store.getState().setFilter({ status: 'completed' });
    await expect(store.getState().exportTasks('csv')).resolves.toMatchObject({ fileName: 'baton-tasks.csv' });
    expect(client.exportTasks).toHaveBeenCalledWith({
      filter: { status: 'completed' },
      format: 'csv',
      timeZone: 'Europe/Berlin',
    });
  });

  it('sends the page’s own IANA zone by default, and none where the browser names none', async () => {
    const client = historyClient();
    await createHistoryStore(client).getState().loadCharts();
    expect(client.getHistoryCharts).toHaveBeenLastCalledWith({
      filter: {},
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    });
    await createHistoryStore(client, { timeZone: () => undefined })
      .getState()
      .loadCharts();
    expect(client.getHistoryCharts).toHaveBeenLastCalledWith({ filter: {} });
  });
});
