import { describe, expect, it } from 'vitest';
import type { HistoryCharts } from '../../src-main/contract/api';
import { createHistoryStore, HISTORY_PAGE_SIZE } from '../../src-renderer/stores/history-store';
import { fakeClient, summary } from './fixtures';

const charts: HistoryCharts = {
  bucket: 'day',
  costOverTime: [{ period: '2026-11-24', costUsd: 1.5, totalTokens: 1000, sessions: 3 }],
  tokensByModel: [],
  costByProject: [],
};

function historyClient(total = 450) {
  return fakeClient({
    listTasks: async (input) => {
      const offset = input.offset ?? 0;
      const count = Math.max(0, Math.min(input.limit ?? 100, total - offset));
      return { tasks: Array.from({ length: count }, (_, i) => summary({ id: `t${offset + i}` })), total };
    },
    getHistoryCharts: async () => charts,
    listProjects: async () => [{ id: 'p1', name: 'demo', workingDir: '/work/demo', lastUsedAt: 1 }],
    exportTasks: async (input) => ({ fileName: `baton-tasks.${input.format}`, mimeType: 'text/csv', content: 'id\n' }),
  });
}

describe('the history store', () => {
  it('loads the first page of 200 with the total, and the charts', async () => {
    const client = historyClient();
    const store = createHistoryStore(client);
    await store.getState().reload();
    const s = store.getState();
    expect(s.total).toBe(450);
    expect(Object.keys(s.rows)).toHaveLength(HISTORY_PAGE_SIZE);
    expect(s.rows[199]!.id).toBe('t199');
    expect(s.charts).toEqual(charts);
    expect(client.listTasks).toHaveBeenCalledWith({
      filter: {},
      sort: { by: 'createdAt', direction: 'desc' },
      limit: 200,
      offset: 0,
    });
  });

  it('fetches further pages once each as the visible range moves', async () => {
    const client = historyClient();
    const store = createHistoryStore(client);
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
    const store = createHistoryStore(client);
    await store.getState().reload();
    store.getState().setFilter({ status: 'failed', projectId: 'p1' });
    store.getState().setFilter({ projectId: undefined });
    await new Promise((r) => setTimeout(r, 0));
    expect(store.getState().filter).toEqual({ status: 'failed' });
    expect(client.listTasks).toHaveBeenLastCalledWith(
      expect.objectContaining({ filter: { status: 'failed' }, offset: 0 }),
    );
    expect(client.getHistoryCharts).toHaveBeenLastCalledWith({ filter: { status: 'failed' } });
  });

  it('shows a reversed date range as an error and does not send it', async () => {
    const client = historyClient();
    const store = createHistoryStore(client);
    store.getState().setFilter({ from: 2000, to: 1000 });
    expect(store.getState()).toMatchObject({ status: 'error', error: 'The date range ends before it starts' });
    expect(client.listTasks).not.toHaveBeenCalled();
    expect(client.getHistoryCharts).not.toHaveBeenCalled();
  });

  it('flips the direction when the same column is sorted twice', async () => {
    const client = historyClient();
    const store = createHistoryStore(client);
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
    const store = createHistoryStore(client);
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
    const store = createHistoryStore(client);
    await store.getState().reload();
    expect(store.getState()).toMatchObject({ status: 'error', error: 'database is locked' });
  });

  it('exports with the current filter', async () => {
    const client = historyClient();
    const store = createHistoryStore(client);
    store.getState().setFilter({ status: 'completed' });
    await expect(store.getState().exportTasks('csv')).resolves.toMatchObject({ fileName: 'baton-tasks.csv' });
    expect(client.exportTasks).toHaveBeenCalledWith({ filter: { status: 'completed' }, format: 'csv' });
  });
});
