import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BatonEvent } from '../../src-main/contract/events';
import { App } from '../../src-renderer/app/App';
import { createServices, ServicesProvider, type Services } from '../../src-renderer/app/services';
import { detail, FakeTransport, session, spec, summary } from './fixtures';

const SID = '0b7f8a5e-1111-4222-8333-944455556666';
let services: Services | null = null;
let stop: (() => void) | null = null;

afterEach(() => {
  stop?.();
  cleanup();
  services = null;
  window.location.hash = '';
});

beforeEach(() => {
  // Flush batched events on a microtask instead of waiting for a frame.
  vi.stubGlobal('requestAnimationFrame', (fn: FrameRequestCallback) => setTimeout(() => fn(0), 0));
});

const finishedTask = detail({
  id: 'done-1',
  title: 'Finished task',
  status: 'completed',
  statusReason: 'completion check passed after iteration 2',
  iterations: 2,
  finishedAt: 1_700_000_100_000,
  totals: {
    inputTokens: 100,
    outputTokens: 5000,
    cacheCreationTokens: 10000,
    cacheReadTokens: 0,
    totalTokens: 15100,
    turns: 7,
    costUsd: 0.16274,
  },
  sessions: [
    session({ sessionId: 's-one', iteration: 1, status: 'failed', error: 'API error 529' }),
    session({ sessionId: 's-two', iteration: 2 }),
  ],
});

function start(handlers: Record<string, (input: unknown) => unknown> = {}) {
  const transport = new FakeTransport(async (method, input) => {
    const handler = handlers[method];
    if (handler) return handler(input);
    switch (method) {
      case 'getAppInfo':
        return { mode: 'browser', version: '0.1.0', databaseFile: '/tmp/baton.db', canPickDirectory: false };
      case 'getLiveState':
        return { tasks: [], currentEvents: {} };
      case 'listTasks':
        return { tasks: [finishedTask], total: 1 };
      case 'listProjects':
        return [];
      case 'getTask':
        return finishedTask;
      case 'getHistoryCharts':
        return {
          bucket: 'day',
          costOverTime: [{ period: '2026-11-24', costUsd: 0.16, totalTokens: 15100, sessions: 2 }],
          tokensByModel: [],
          costByProject: [],
        };
      case 'getSessionEvents':
        return {
          events: [
            { kind: 'text', text: 'Replayed text' },
            { kind: 'tool_use', toolUseId: 'x', name: 'Read', input: { file_path: 'a.ts' } },
          ],
          truncated: false,
        };
      default:
        throw new Error(`unexpected ${method}`);
    }
  });
  services = createServices(transport, null);
  stop = services.start();
  render(
    <ServicesProvider value={services}>
      <App />
    </ServicesProvider>,
  );
  return transport;
}

const emit = async (transport: FakeTransport, events: BatonEvent[]) => {
  await act(async () => {
    for (const e of events) transport.emit(e);
    await new Promise((r) => setTimeout(r, 5));
  });
};

describe('the live view', () => {
  it('shows the empty state, then a running task with its timeline, stream and counters', async () => {
    const transport = start();
    await screen.findByText(/No running tasks/);
    expect(screen.getByRole('link', { name: 'Launch' }).getAttribute('href')).toBe('#/');
    expect(screen.getByRole('link', { name: 'Live' }).getAttribute('href')).toBe('#/');
    expect(screen.getByRole('link', { name: 'History' }).getAttribute('href')).toBe('#/history');

    const task = summary({ id: 'run-1', title: 'Running task', spec: spec({ maxIterations: 4 }) });
    await emit(transport, [
      { type: 'task.queued', taskId: 'run-1', task },
      { type: 'task.started', taskId: 'run-1' },
      { type: 'iteration.started', taskId: 'run-1', sessionId: SID, iteration: 1, maxIterations: 4 },
      {
        type: 'agent.event',
        taskId: 'run-1',
        sessionId: SID,
        iteration: 1,
        event: { kind: 'text', text: 'Looking around' },
      },
      {
        type: 'agent.event',
        taskId: 'run-1',
        sessionId: SID,
        iteration: 1,
        event: { kind: 'tool_use', toolUseId: 'tu', name: 'Bash', input: { command: 'npm test' } },
      },
      {
        type: 'agent.event',
        taskId: 'run-1',
        sessionId: SID,
        iteration: 1,
        event: { kind: 'tool_result', toolUseId: 'tu', content: '3 passing', isError: false },
      },
      {
        type: 'agent.event',
        taskId: 'run-1',
        sessionId: SID,
        iteration: 1,
        event: {
          kind: 'usage',
          usage: { inputTokens: 1200, outputTokens: 300, cacheCreationTokens: 0, cacheReadTokens: 0 },
        },
      },
    ]);

    const card = document.querySelector<HTMLElement>('[data-testid="live-task"][data-task-id="run-1"]')!;
    expect(card).toBeTruthy();
    const iteration = within(card).getByTestId('iteration');
    expect(iteration.dataset.sessionId).toBe(SID);
    expect(iteration.dataset.status).toBe('running');
    const stream = within(card).getByTestId('agent-stream');
    expect(stream.textContent).toContain('Looking around');
    expect(within(stream).getByTestId('tool-call').textContent).toContain('npm test');
    expect(within(stream).getByTestId('tool-result').textContent).toContain('3 passing');
    expect(within(card).getByTestId('iteration-tokens').textContent).toBe('1,500');
    expect(within(card).getByTestId('iteration-tokens').dataset.value).toBe('1500');
    expect(within(card).getByTestId('task-tokens').dataset.value).toBe('1500');
    expect(within(card).getByTestId('iteration-cost').dataset.value).toBeUndefined();
    const progress = card.querySelector('progress')!;
    expect([progress.getAttribute('value'), progress.getAttribute('max')]).toEqual(['1', '4']);

    const stopCalls = () => transport.calls.filter((c) => c.method === 'stopTask');
    await act(async () => {
      fireEvent.click(within(card).getByRole('button', { name: 'Stop' }));
    });
    expect(stopCalls()).toHaveLength(1);
    expect(stopCalls()[0]!.input).toEqual({ taskId: 'run-1' });

    const finished = session({
      sessionId: SID,
      iteration: 1,
      status: 'cancelled',
      inputTokens: 1200,
      outputTokens: 300,
      cacheCreationTokens: 0,
      cacheReadTokens: 0,
      costUsd: 0.02,
    });
    const totals = {
      inputTokens: 1200,
      outputTokens: 300,
      cacheCreationTokens: 0,
      cacheReadTokens: 0,
      totalTokens: 1500,
      turns: 1,
      costUsd: 0.02,
    };
    await emit(transport, [
      { type: 'iteration.finished', taskId: 'run-1', session: finished, task: { ...task, status: 'running', totals } },
      {
        type: 'task.finished',
        taskId: 'run-1',
        status: 'cancelled',
        reason: 'stopped by the user',
        task: { ...task, status: 'cancelled', totals },
      },
    ]);
    const after = document.querySelector<HTMLElement>('[data-testid="live-task"][data-task-id="run-1"]')!;
    expect(within(after).getByTestId('iteration').dataset.status).toBe('cancelled');
    expect(within(after).getByTestId('iteration-cost').textContent).toBe('$0.02');
    expect(within(after).getByTestId('task-cost').dataset.value).toBe('0.02');
    expect(within(after).queryByRole('button', { name: 'Stop' })).toBeNull();
    // It now sits under Recent, with a link to its detail page.
    expect(screen.getByTestId('recent-list').contains(after)).toBe(true);
    expect(within(after).getByRole('link', { name: 'Details' }).getAttribute('href')).toBe('#/tasks/run-1');
    expect(screen.getByText(/No running tasks/)).toBeTruthy();
  });

  it('shows the Reconnecting… banner while disconnected and reloads after a resync', async () => {
    const transport = start();
    await screen.findByText(/No running tasks/);
    act(() => transport.setState('reconnecting'));
    expect(screen.getByTestId('connection-banner').textContent).toContain('Reconnecting…');
    const before = transport.calls.filter((c) => c.method === 'getLiveState').length;
    act(() => {
      transport.setState('open');
      transport.resync();
    });
    expect(screen.queryByTestId('connection-banner')).toBeNull();
    await waitFor(() => expect(transport.calls.filter((c) => c.method === 'getLiveState').length).toBe(before + 1));
  });

  it('shows a load error with Retry', async () => {
    let fail = true;
    start({
      getLiveState: () => {
        if (fail) throw new Error('database is locked');
        return { tasks: [], currentEvents: {} };
      },
    });
    expect((await screen.findByText('database is locked')).getAttribute('role')).toBe('alert');
    fail = false;
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await screen.findByText(/No running tasks/);
  });
});

describe('the task detail page', () => {
  it('shows exact totals, the sessions and a replay that Esc closes', async () => {
    window.location.hash = '#/tasks/done-1';
    start();
    const total = await screen.findByTestId('total-tokens');
    expect(total.dataset.value).toBe('15100');
    expect(total.textContent).toBe('15,100');
    expect(screen.getByTestId('total-cost').dataset.value).toBe('0.16274');
    expect(screen.getByTestId('total-cost').textContent).toBe('$0.16');
    expect(screen.getByTestId('total-input-tokens').dataset.value).toBe('100');
    expect(screen.getByTestId('total-output-tokens').dataset.value).toBe('5000');
    expect(screen.getByTestId('total-cache-creation-tokens').dataset.value).toBe('10000');
    expect(screen.getByTestId('total-cache-read-tokens').dataset.value).toBe('0');
    expect(screen.getByTestId('total-turns').dataset.value).toBe('7');
    expect(screen.getByTestId('task-status').textContent).toBe('completed');

    const rows = screen.getAllByTestId('session-row');
    expect(rows.map((r) => r.dataset.sessionId)).toEqual(['s-one', 's-two']);
    expect(rows[0]!.textContent).toContain('s-one');
    expect(rows[0]!.textContent).toContain('API error 529');
    expect(rows[0]!.textContent).toContain('failed');

    fireEvent.click(within(rows[1]!).getByRole('button', { name: 'Replay' }));
    const panel = await screen.findByTestId('replay-panel');
    await waitFor(() => expect(within(panel).getByTestId('tool-call').textContent).toContain('a.ts'));
    expect(panel.textContent).toContain('Replayed text');
    fireEvent.keyDown(document, { key: 'Escape' });
    expect(screen.queryByTestId('replay-panel')).toBeNull();
  });

  it('shows a not-found error with Retry', async () => {
    window.location.hash = '#/tasks/missing';
    start({
      getTask: () => {
        throw new Error('no task with id missing');
      },
    });
    expect(await screen.findByText('no task with id missing')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Retry' })).toBeTruthy();
  });
});

describe('the history page', () => {
  beforeEach(() => {
    // happy-dom does no layout; give the virtualized list's scroller a height so it renders rows.
    vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(600);
    vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(1000);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('renders only a window of rows and fetches the next page of 200 on scroll', async () => {
    window.location.hash = '#/history';
    const tasks = Array.from({ length: 450 }, (_, i) => summary({ id: `h${i}`, title: `Task ${i}` }));
    const transport = start({
      listTasks: (input) => {
        const { offset = 0, limit = 100 } = input as { offset?: number; limit?: number };
        return { tasks: tasks.slice(offset, offset + limit), total: tasks.length };
      },
    });
    await screen.findAllByTestId('history-row');
    expect(screen.getByTestId('history-total').textContent).toBe('450 tasks');
    const rendered = screen.getAllByTestId('history-row');
    expect(rendered.length).toBeGreaterThan(10);
    expect(rendered.length).toBeLessThan(100);
    expect(rendered[0]!.dataset.taskId).toBe('h0');
    // The history's own pages (the live store also lists a few recent tasks).
    const listCalls = () =>
      transport.calls
        .filter((c) => c.method === 'listTasks' && (c.input as { limit: number }).limit === 200)
        .map((c) => (c.input as { offset: number }).offset);
    expect(listCalls()).toEqual([0]);

    const scroller = screen.getByTestId('history-scroller');
    await act(async () => {
      scroller.scrollTop = 210 * 40;
      fireEvent.scroll(scroller);
      await new Promise((r) => setTimeout(r, 20));
    });
    await waitFor(() => expect(listCalls()).toEqual([0, 200]));
    await waitFor(() =>
      expect(document.querySelector('[data-testid="history-row"][data-task-id="h215"]')).toBeTruthy(),
    );
  });

  it('lists tasks with the total, and exports through a download link', async () => {
    window.location.hash = '#/history';
    const created: Blob[] = [];
    const clicked: string[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
      created.push(b as Blob);
      return 'blob:fake';
    });
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download);
    });
    const transport = start({
      exportTasks: () => ({ fileName: 'baton-tasks.csv', mimeType: 'text/csv', content: 'id\ndone-1\n' }),
    });
    const row = await screen.findByTestId('history-row');
    expect(row.dataset.taskId).toBe('done-1');
    expect(screen.getByTestId('history-total').textContent).toBe('1 task');
    expect(screen.getByTestId('chart-cost-over-time')).toBeTruthy();

    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    });
    expect(transport.calls.find((c) => c.method === 'exportTasks')?.input).toEqual({ filter: {}, format: 'csv' });
    expect(clicked).toEqual(['baton-tasks.csv']);
    expect(await created[0]!.text()).toBe('id\ndone-1\n');
  });

  it('filters by status and shows the empty state', async () => {
    window.location.hash = '#/history';
    const transport = start({
      listTasks: (input) => {
        const filter = (input as { filter?: { status?: string } }).filter ?? {};
        return filter.status ? { tasks: [], total: 0 } : { tasks: [finishedTask], total: 1 };
      },
    });
    await screen.findByTestId('history-row');
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'failed' } });
    await screen.findByText('No tasks match these filters.');
    expect(transport.calls.filter((c) => c.method === 'listTasks').at(-1)?.input).toMatchObject({
      filter: { status: 'failed' },
      offset: 0,
      limit: 200,
    });
  });
});

describe('the settings view', () => {
  it('rejects bad values inline without saving, then saves good ones', async () => {
    const saved: unknown[] = [];
    let current = { dailyBudgetUsd: null as number | null, maxConcurrentTasks: 2 };
    window.location.hash = '#/settings';
    start({
      getSettings: () => current,
      updateSettings: (input) => {
        saved.push(input);
        current = input as typeof current;
        return current;
      },
    });
    const budget = await screen.findByLabelText('Daily budget (USD)');
    const concurrency = screen.getByLabelText('Tasks at once');
    await waitFor(() => expect((concurrency as HTMLInputElement).value).toBe('2'));

    fireEvent.change(budget, { target: { value: '-3' } });
    fireEvent.change(concurrency, { target: { value: '0' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const alerts = await screen.findAllByRole('alert');
    expect(alerts.map((a) => a.textContent)).toEqual([
      'The daily budget must be an amount above 0, or empty for none',
      'Tasks at once must be a whole number from 1 to 64',
    ]);
    expect(saved).toEqual([]);

    fireEvent.change(budget, { target: { value: '12.5' } });
    fireEvent.change(concurrency, { target: { value: '4' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Saved.');
    expect(saved).toEqual([{ dailyBudgetUsd: 12.5, maxConcurrentTasks: 4 }]);
  });
});

describe('resuming a task', () => {
  it('offers Resume on an interrupted task and calls resumeTask; a refusal is shown', async () => {
    const interrupted = detail({
      ...finishedTask,
      id: 'int-1',
      status: 'interrupted',
      statusReason: 'Baton stopped while this ran (process 42 is gone)',
      spec: spec({ maxIterations: 5 }),
    });
    const resumed: unknown[] = [];
    window.location.hash = '#/tasks/int-1';
    start({
      getTask: () => interrupted,
      resumeTask: (input) => {
        resumed.push(input);
        if (resumed.length > 1)
          throw new Error('task int-1 is running; only an interrupted, cancelled or failed task can be resumed');
        return interrupted;
      },
    });
    const button = await screen.findByRole('button', { name: 'Resume' });
    fireEvent.click(button);
    await waitFor(() => expect(resumed).toEqual([{ taskId: 'int-1' }]));
    fireEvent.click(await screen.findByRole('button', { name: 'Resume' }));
    expect(await screen.findByText(/only an interrupted, cancelled or failed task can be resumed/)).toBeTruthy();
  });

  it('offers no Resume on a completed task', async () => {
    window.location.hash = '#/tasks/done-1';
    start();
    await screen.findByTestId('task-status');
    expect(screen.queryByRole('button', { name: 'Resume' })).toBeNull();
  });
});
