import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatDate } from '../../src-main/contract/format';
import type { QuotaWindowView } from '../../src-main/contract/views';
import { createServices, ServicesProvider } from '../../src-renderer/app/services';
import { HistoryView } from '../../src-renderer/components/HistoryView';
import { clockTime, QuotaTiles, seenAgo } from '../../src-renderer/components/QuotaTiles';
import { BatonCallError } from '../../src-renderer/errors';
import { FakeTransport, historyCharts } from './fixtures';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const NOW = new Date(2026, 11, 2, 3, 30, 0).getTime();
const at = (hours: number, minutes: number) => new Date(2026, 11, 2, hours, minutes).getTime();

const charts = historyCharts();

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

function renderTiles(windows: QuotaWindowView[]) {
  vi.useFakeTimers({ now: NOW });
  render(<QuotaTiles windows={windows} />);
}

/** History's tasks tab over a service whose getQuota answers with `quota`. */
function renderHistory(quota: () => Promise<{ windows: QuotaWindowView[] }>) {
  const transport = new FakeTransport(async (method) => {
    if (method === 'getQuota') return quota();
    if (method === 'listTasks') return { tasks: [], total: 0 };
    if (method === 'getHistoryCharts') return charts;
    if (method === 'listProjects') return [];
    throw new Error(`unexpected ${method}`);
  });
  render(
    <ServicesProvider value={createServices(transport, null)}>
      <HistoryView />
    </ServicesProvider>,
  );
  return transport;
}

const tiles = () => screen.queryAllByTestId('quota-tile').map((t) => t.textContent);

describe('the subscription-window tiles', () => {
  it('show each window’s use, reset and when it was seen', async () => {
    renderTiles([
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
    renderTiles([
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
    renderTiles([windowView({ status: 'rejected', resetsAt: at(3, 0), seenAt: at(1, 0) })]);
    expect(tiles()).toEqual(['5-hour window: was spent until 03:00; newer use not seen yet (seen 2 h ago)']);
  });

  it('say quietly that no quota was seen yet when there is none', async () => {
    renderTiles([]);
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

describe('History’s quota tiles', () => {
  it('are loaded with the charts', async () => {
    const transport = renderHistory(async () => ({ windows: [windowView()] }));
    await waitFor(() => expect(tiles()).toHaveLength(1));
    expect(transport.calls.filter((c) => c.method === 'getQuota')).toHaveLength(1);
    expect(transport.calls.filter((c) => c.method === 'getHistoryCharts')).toHaveLength(1);
  });

  it('show nothing from an older service without getQuota, and the rest still loads', async () => {
    // A service that does not know the method refuses it, and is not asked again.
    const transport = renderHistory(async () =>
      Promise.reject(new BatonCallError('unknown_method', 'unknown method getQuota')),
    );
    await screen.findByText(/No tasks yet/);
    await waitFor(() => expect(transport.calls.filter((c) => c.method === 'getQuota')).toHaveLength(1));
    expect(screen.queryByTestId('quota-none')).toBeNull();
    expect(screen.queryByTestId('error-state')).toBeNull();
    expect(tiles()).toEqual([]);
  });
});
