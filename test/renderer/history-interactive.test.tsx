import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseDay } from '../../src-main/contract/format';
import { createServices, ServicesProvider, type Services } from '../../src-renderer/app/services';
import { HistoryView } from '../../src-renderer/components/HistoryView';
import { FakeTransport, historyCharts, summary, taskTotals, usageOverview, usageTokens } from './fixtures';

const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** What the user's own sessions spent, as All usage answers for the interactive source. */
const interactiveSpent = usageOverview({
  totals: usageTokens({ inputTokens: 5000, outputTokens: 1500, totalTokens: 6500, costUsd: 1.5 }),
});
const nothingSpent = usageOverview();

let services: Services | null = null;

/** History's tasks tab over these tasks (all in every answer) and this answer for the user's own sessions. */
function renderHistory(tasks: ReturnType<typeof summary>[], interactive: () => unknown) {
  const transport = new FakeTransport(async (method) => {
    switch (method) {
      case 'listTasks':
        return { tasks, total: tasks.length };
      case 'getHistoryCharts': {
        const cost = tasks.reduce((sum, t) => sum + t.totals.costUsd, 0);
        return historyCharts({ tasks: tasks.length, sessions: tasks.length, costUsd: cost });
      }
      case 'getUsageOverview':
        return interactive();
      case 'getQuota':
        return { windows: [] };
      case 'listProjects':
        return [];
      default:
        throw new Error(`unexpected ${method}`);
    }
  });
  services = createServices(transport, null);
  render(
    <ServicesProvider value={services}>
      <HistoryView />
    </ServicesProvider>,
  );
  return transport;
}

const usageCalls = (transport: FakeTransport) =>
  transport.calls.filter((c) => c.method === 'getUsageOverview').map((c) => c.input);

beforeEach(() => {
  window.location.hash = '#/history';
  vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(600);
  vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(1000);
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  services = null;
  window.location.hash = '';
});

describe('History without any task', () => {
  it('says how to start one and where the user’s own sessions are counted, without empty figures or filters', async () => {
    const transport = renderHistory([], () => nothingSpent);
    const firstRun = await screen.findByTestId('history-first-run');
    expect(within(firstRun).getByRole('link', { name: 'Tasks page' }).getAttribute('href')).toBe('#/');
    await waitFor(() =>
      expect(within(firstRun).getByRole('link', { name: 'All usage' }).getAttribute('href')).toBe('#/history/usage'),
    );
    expect(firstRun.textContent).toContain('What your own sessions with the agents cost, outside Baton');
    // Nothing to sum, filter or chart: no strip of zeros, no search over nothing.
    expect(screen.queryByRole('region', { name: 'Usage' })).toBeNull();
    expect(screen.queryByRole('search', { name: 'Filter tasks' })).toBeNull();
    expect(usageCalls(transport)).toEqual([{ filter: { source: 'interactive', timeZone } }]);
  });

  it('says all the spending was interactive, how much, and links to it in All usage', async () => {
    renderHistory([], () => interactiveSpent);
    const notice = await screen.findByTestId('history-interactive-only');
    expect(notice.textContent).toBe(
      'All the spending was in your own interactive sessions, not in Baton’s tasks: $1.50 over 6,500 tokens. ' +
        'See them in All usage.',
    );
    expect(within(notice).getByTestId('history-interactive-cost').dataset.value).toBe('1.5');
    // The link opens All usage on the interactive sessions, whatever it showed before.
    services!.usage.getState().setFilter({ source: 'baton', since: '2026-01-01' });
    const link = within(notice).getByRole('link', { name: 'See them in All usage' });
    expect(link.getAttribute('href')).toBe('#/history/usage');
    fireEvent.click(link);
    expect(services!.usage.getState().filter).toEqual({ source: 'interactive' });
  });
});

describe('History whose tasks spent nothing in the range', () => {
  it('says the range’s spending was interactive, over the same days All usage counts', async () => {
    const from = parseDay('2026-11-20')!;
    const to = parseDay('2026-11-25')!;
    const unpaid = summary({ id: 'free', title: 'Nothing spent', totals: taskTotals(0, 0) });
    const transport = renderHistory([unpaid], () => interactiveSpent);
    await screen.findByTestId('history-row');
    act(() => services!.history.getState().setFilter({ from, to }));
    const notice = await screen.findByTestId('history-interactive-only');
    expect(notice.textContent).toContain(
      'All the spending between 2026-11-20 and 2026-11-24 was in your own interactive sessions',
    );
    // History's "to" is the next day's midnight; All usage's "until" the last day counted.
    expect(usageCalls(transport).at(-1)).toEqual({
      filter: { source: 'interactive', since: '2026-11-20', until: '2026-11-24', timeZone },
    });
    // The tasks are listed still, below the notice.
    expect(screen.getByTestId('history-row').dataset.taskId).toBe('free');
    fireEvent.click(within(notice).getByRole('link', { name: 'See them in All usage' }));
    expect(services!.usage.getState().filter).toEqual({
      source: 'interactive',
      since: '2026-11-20',
      until: '2026-11-24',
    });
  });

  it('asks nothing of All usage where the tasks spent something, or where the filter is one All usage has not', async () => {
    const paid = summary({ id: 'paid', totals: taskTotals(1000, 0.42) });
    const transport = renderHistory([paid], () => interactiveSpent);
    await screen.findByTestId('history-row');
    await waitFor(() => expect(screen.getByTestId('usage-month')).toBeTruthy());
    expect(screen.queryByTestId('history-interactive-only')).toBeNull();
    expect(usageCalls(transport)).toEqual([]);
    cleanup();

    // No task of this project: the user's own sessions are not this project's tasks' spending.
    const none = renderHistory([], () => interactiveSpent);
    await screen.findByTestId('history-interactive-only');
    const asked = usageCalls(none).length;
    act(() => services!.history.getState().setFilter({ projectId: 'p-1' }));
    await screen.findByText('No tasks match these filters.');
    expect(screen.queryByTestId('history-interactive-only')).toBeNull();
    expect(usageCalls(none)).toHaveLength(asked);
  });
});
