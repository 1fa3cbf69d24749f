import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HistoryCharts } from '../../src-main/contract/api';
import { formatDate } from '../../src-main/contract/format';
import type { QuotaWindowView } from '../../src-main/contract/views';
import { clockTime, QuotaTiles, seenAgo } from '../../src-renderer/components/QuotaTiles';
import { createHistoryStore } from '../../src-renderer/stores/history-store';
import { fakeClient } from './fixtures';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const NOW = new Date(2026, 11, 2, 3, 30, 0).getTime();
const at = (hours: number, minutes: number) => new Date(2026, 11, 2, hours, minutes).getTime();

const charts: HistoryCharts = {
  bucket: 'day',
  costOverTime: [],
  tokensByModel: [],
  costByAgent: [],
  costByProject: [],
  summary: {
    spentTodayUsd: 0,
    spentThisWeekUsd: 0,
    spentThisMonthUsd: 0,
    unknownCostTokensToday: 0,
    unknownCostTokensThisWeek: 0,
    unknownCostTokensThisMonth: 0,
    tasks: 0,
    sessions: 0,
    costUsd: 0,
    unknownCostTokens: 0,
    totalTokens: 0,
    cacheSavingsUsd: 0,
    averageCostPerTaskUsd: 0,
  },
};

function windowView(overrides: Partial<QuotaWindowView> = {}): QuotaWindowView {
  return {
    name: 'five_hour',
    status: 'allowed',
    utilization: 0.91,
    resetsAt: at(4, 14),
    seenAt: NOW - 3 * 60_000,
    ...overrides,
  };
}

function historyClient(quota: () => Promise<{ windows: QuotaWindowView[] }>) {
  return fakeClient({
    listTasks: async () => ({ tasks: [], total: 0 }),
    getHistoryCharts: async () => charts,
    getQuota: quota,
  });
}

async function renderTiles(windows: QuotaWindowView[]) {
  vi.useFakeTimers({ now: NOW });
  const store = createHistoryStore(historyClient(async () => ({ windows })));
  await store.getState().loadQuota();
  render(<QuotaTiles store={store} />);
  return store;
}

const tiles = () => screen.queryAllByTestId('quota-tile').map((t) => t.textContent);

describe('the subscription-window tiles', () => {
  it('show each window’s use, reset and when it was seen', async () => {
    await renderTiles([
      windowView(),
      windowView({ name: 'seven_day', status: 'allowed_warning', utilization: 0.5, resetsAt: at(23, 0) + 86_400_000 }),
    ]);
    expect(tiles()).toEqual([
      '5-hour window: 91% used, resets 04:14 (seen 3 min ago)',
      `7-day window: 50% used, resets ${formatDate(at(23, 0) + 86_400_000)} (seen 3 min ago)`,
    ]);
    // The "seen" age follows the clock.
    act(() => void vi.advanceTimersByTime(60_000));
    expect(tiles()[0]).toBe('5-hour window: 91% used, resets 04:14 (seen 4 min ago)');
  });

  it('say a rejected window is spent until its reset, and a window without use that it was not reported', async () => {
    await renderTiles([
      windowView({ status: 'rejected', utilization: 1 }),
      windowView({ name: 'seven_day_opus', utilization: null, resetsAt: null, seenAt: NOW - 5 * 3_600_000 }),
    ]);
    expect(tiles()).toEqual([
      '5-hour window: spent until 04:14 (seen 3 min ago)',
      '7-day Opus window: status known, use not reported (seen 5 h ago)',
    ]);
    expect(screen.getAllByTestId('quota-tile')[0]!.getAttribute('data-status')).toBe('rejected');
  });

  it('do not claim a use that a passed reset made stale', async () => {
    await renderTiles([windowView({ status: 'rejected', resetsAt: at(3, 0), seenAt: at(1, 0) })]);
    expect(tiles()).toEqual(['5-hour window: was spent until 03:00; newer use not seen yet (seen 2 h ago)']);
  });

  it('say quietly that no quota was seen yet when there is none', async () => {
    await renderTiles([]);
    expect(tiles()).toEqual([]);
    expect(screen.getByTestId('quota-none').textContent).toBe(
      'No subscription quota seen yet — it shows when Claude Code runs under a subscription login.',
    );
  });

  it('formats clock times and ages', () => {
    expect(clockTime(at(4, 14), NOW)).toBe('04:14');
    expect(clockTime(at(4, 14) + 86_400_000, NOW)).toBe(formatDate(at(4, 14) + 86_400_000));
    expect(seenAgo(NOW - 20_000, NOW)).toBe('just now');
    expect(seenAgo(NOW - 3 * 86_400_000, NOW)).toBe(formatDate(NOW - 3 * 86_400_000));
  });
});

describe('the history store’s quota', () => {
  it('is loaded with the charts', async () => {
    const client = historyClient(async () => ({ windows: [windowView()] }));
    const store = createHistoryStore(client);
    expect(store.getState().quota).toBeNull();
    await store.getState().reload();
    expect(client.getHistoryCharts).toHaveBeenCalledTimes(1);
    expect(client.getQuota).toHaveBeenCalledTimes(1);
    expect(store.getState().quota).toEqual([windowView()]);
  });

  it('shows nothing from an older service without getQuota, and the charts still load', async () => {
    // A service that does not know the method refuses it; a client from before it has none.
    const refusing = historyClient(async () => Promise.reject(new Error('unknown method getQuota')));
    const store = createHistoryStore(refusing);
    await store.getState().reload();
    expect(store.getState().quota).toBeNull();
    expect(store.getState().chartsStatus).toBe('ready');

    const { getQuota: _, ...without } = historyClient(async () => ({ windows: [] }));
    const older = createHistoryStore(without);
    await older.getState().reload();
    expect(older.getState().quota).toBeNull();
    render(<QuotaTiles store={older} />);
    expect(screen.queryByTestId('quota-none')).toBeNull();
    expect(tiles()).toEqual([]);
  });
});
