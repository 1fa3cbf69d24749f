import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BatonEvent } from '../../src-main/contract/events';
import { App } from '../../src-renderer/app/App';
import { createServices, ServicesProvider, type Services } from '../../src-renderer/app/services';
import { BatonCallError } from '../../src-renderer/errors';
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
      case 'listModelPrices':
        return { models: [] };
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
    // One place for launching and watching: "Tasks".
    expect(screen.getByRole('link', { name: 'Tasks' }).getAttribute('href')).toBe('#/');
    expect(screen.queryByRole('link', { name: 'Live' })).toBeNull();
    expect(screen.queryByRole('link', { name: 'Launch' })).toBeNull();
    expect(screen.getByRole('link', { name: 'History' }).getAttribute('href')).toBe('#/history');
    // With nothing running, the launch form is open.
    expect(screen.getByRole('button', { name: 'New task' }).getAttribute('aria-expanded')).toBe('true');
    expect(screen.getByRole('button', { name: 'Launch' })).toBeTruthy();

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
    // Once a task runs, the form folds away so the task shows above the fold.
    expect(screen.getByRole('button', { name: 'New task' }).getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByRole('button', { name: 'Launch' })).toBeNull();
    expect(within(card).getByTestId('live-task-status').textContent).toBe('running');
    const iteration = within(card).getByTestId('iteration');
    expect(iteration.dataset.sessionId).toBe(SID);
    expect(iteration.dataset.status).toBe('running');
    const stream = within(card).getByTestId('agent-stream');
    expect(stream.textContent).toContain('Looking around');
    expect(within(stream).getByTestId('tool-call').querySelector('.tool-summary')!.textContent).toBe('$ npm test');
    expect(within(stream).getByTestId('tool-result').textContent).toContain('3 passing');
    expect(within(card).getByTestId('iteration-tokens').textContent).toBe('1,500');
    expect(within(card).getByTestId('iteration-tokens').dataset.value).toBe('1500');
    expect(within(card).getByTestId('task-tokens').dataset.value).toBe('1500');
    expect(within(card).getByTestId('iteration-cost').dataset.value).toBeUndefined();
    // Not full, nor one whole iteration, while the first of four runs.
    const progress = card.querySelector('progress')!;
    expect([progress.getAttribute('value'), progress.getAttribute('max')]).toEqual(['0.5', '4']);
    expect(card.textContent).toContain('Iteration 1 of 4');

    // Stop asks first, inline; "Keep running" takes it back.
    const stopCalls = () => transport.calls.filter((c) => c.method === 'stopTask');
    fireEvent.click(within(card).getByRole('button', { name: 'Stop' }));
    expect(within(card).getByTestId('stop-confirm').textContent).toContain('Stop this task?');
    fireEvent.click(within(card).getByRole('button', { name: 'Keep running' }));
    expect(within(card).queryByTestId('stop-confirm')).toBeNull();
    expect(stopCalls()).toHaveLength(0);
    fireEvent.click(within(card).getByRole('button', { name: 'Stop' }));
    await act(async () => {
      fireEvent.click(within(within(card).getByTestId('stop-confirm')).getByRole('button', { name: 'Stop' }));
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
    // It is a row of Recent, linking to its detail page, with its card unfolded under the row.
    const row = document.querySelector<HTMLElement>('[data-testid="recent-task"][data-task-id="run-1"]')!;
    // Stopped reads as a word, in the neutral colour, not failed's red.
    const badge = row.querySelector<HTMLElement>('.badge')!;
    expect(badge.textContent).toBe('stopped');
    expect(badge.className).toContain('status-cancelled');
    expect(screen.getByTestId('recent-list').contains(row)).toBe(true);
    expect(row.textContent).toContain('Running task');
    expect(within(row).getByRole('link', { name: 'Running task' }).getAttribute('href')).toBe('#/tasks/run-1');
    expect(row.nextElementSibling!.contains(after)).toBe(true);
    expect(screen.getByText(/No running tasks/)).toBeTruthy();
    fireEvent.click(within(row).getByRole('button', { name: 'Fold the iterations of Running task' }));
    expect(document.querySelector('[data-testid="live-task"][data-task-id="run-1"]')).toBeNull();
    expect(document.querySelector('[data-testid="recent-task"][data-task-id="run-1"]')).toBeTruthy();
  });

  it('shows the Reconnecting… banner while disconnected and catches up from its last seq after a reconnect', async () => {
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
    // What was missed comes from the service's feed; no new snapshot is needed.
    await waitFor(() =>
      expect(transport.calls.filter((c) => c.method === 'getEventsSince')).toEqual([
        { method: 'getEventsSince', input: { feed: 'fake-feed', seq: 0 } },
      ]),
    );
    expect(transport.calls.filter((c) => c.method === 'getLiveState')).toHaveLength(before);
  });

  it('says what to do when Baton refuses the tab’s token after a restart', async () => {
    const transport = start();
    await screen.findByText(/No running tasks/);
    act(() => transport.setState('refused'));
    const banner = screen.getByTestId('connection-banner');
    expect(banner.getAttribute('role')).toBe('alert');
    expect(banner.textContent).toBe(
      'Baton no longer accepts this tab’s key: it was restarted, and each start makes a new one. Open the address ' +
        'baton serve printed in its terminal (it ends in ?token=…); this tab then reconnects by itself.',
    );
    act(() => transport.setState('open'));
    expect(screen.queryByTestId('connection-banner')).toBeNull();
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
    // The status in words (the page shows "Completed"); its enum stays in data-value.
    expect(screen.getByTestId('task-status').textContent).toBe('completed');
    expect(screen.getByTestId('task-status').dataset.value).toBe('completed');

    const rows = screen.getAllByTestId('session-row');
    expect(rows.map((r) => r.dataset.sessionId)).toEqual(['s-one', 's-two']);
    expect(rows[0]!.textContent).toContain('s-one');
    expect(rows[0]!.textContent).toContain('API error 529');
    expect(rows[0]!.textContent).toContain('failed');
    expect(rows[0]!.textContent).not.toContain('success');

    fireEvent.click(within(rows[1]!).getByRole('button', { name: 'Replay' }));
    const panel = await screen.findByTestId('replay-panel');
    await waitFor(() => expect(within(panel).getByTestId('tool-call').textContent).toContain('a.ts'));
    expect(panel.textContent).toContain('Replayed text');
    fireEvent.keyDown(document, { key: 'Escape' });
    expect(screen.queryByTestId('replay-panel')).toBeNull();
  });

  it('shows "No such task" without a Retry for an unknown id', async () => {
    window.location.hash = '#/tasks/missing';
    start({
      getTask: () => {
        throw new BatonCallError('not_found', 'no task with id missing');
      },
    });
    expect(await screen.findByRole('heading', { name: 'No such task' })).toBeTruthy();
    expect(screen.getByTestId('not-found').textContent).toContain('missing');
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
  });

  it('shows other load errors with Retry', async () => {
    window.location.hash = '#/tasks/missing';
    start({
      getTask: () => {
        throw new Error('database is locked');
      },
    });
    expect(await screen.findByText('database is locked')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Retry' })).toBeTruthy();
  });
});

describe('the history page', () => {
  beforeEach(() => {
    // happy-dom does no layout; give the virtualized list's scroller a height so it renders rows, and the
    // table room for every column (a narrower one is tried below).
    vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(600);
    vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(1600);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  const historyCharts = (overrides: Record<string, unknown> = {}) => ({
    bucket: 'day',
    costOverTime: [
      {
        period: '2026-11-24',
        costUsd: 0.16,
        totalTokens: 15100,
        sessions: 2,
        costByModel: { 'claude-sonnet-4-5': 0.16 },
        costByProject: { 'project-1': 0.16 },
      },
    ],
    tokensByModel: [],
    costByAgent: [{ agent: 'claude', costUsd: 0.16, totalTokens: 15100, tasks: 1, sessions: 2 }],
    costByProject: [{ projectId: 'project-1', name: 'work/demo', workingDir: '/work/demo', costUsd: 0.16, tasks: 1 }],
    summary: {
      spentTodayUsd: 0.05,
      spentThisWeekUsd: 0.12,
      spentThisMonthUsd: 0.16,
      unknownCostTokensToday: 0,
      unknownCostTokensThisWeek: 0,
      unknownCostTokensThisMonth: 0,
      tasks: 1,
      sessions: 2,
      costUsd: 0.16,
      totalTokens: 15100,
      cacheSavingsUsd: 0.0123,
      averageCostPerTaskUsd: 0.16,
    },
    ...overrides,
  });
  const totals = {
    iterations: 2,
    inputTokens: 100,
    outputTokens: 5000,
    cacheCreationTokens: 10000,
    cacheReadTokens: 0,
    totalTokens: 15100,
    costUsd: 0.16274,
    durationMs: 8000,
  };
  /** The app on the history page, with charts of the current shape unless told otherwise. */
  function startHistory(handlers: Record<string, (input: unknown) => unknown> = {}) {
    window.location.hash = '#/history';
    return start({ getHistoryCharts: () => historyCharts(), ...handlers });
  }
  const historyListCalls = (transport: FakeTransport) =>
    transport.calls
      .filter((c) => c.method === 'listTasks' && (c.input as { limit?: number }).limit === 200)
      .map((c) => c.input as { filter: Record<string, unknown>; offset: number; withTotals?: boolean });
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  it('shows what each changed line cost, and a dash where no line change was recorded', async () => {
    const costing = (id: string, costUsd: number, linesChanged: number | null | undefined) =>
      summary({ id, title: id, totals: { ...summary().totals, costUsd }, linesChanged });
    startHistory({
      listTasks: () => ({
        tasks: [costing('changed', 0.5, 200), costing('untouched', 0.2, 0), costing('no-git', 0.3, null)],
        total: 3,
        totals,
      }),
    });
    await screen.findAllByTestId('history-row');
    const cell = (id: string) =>
      document.querySelector(
        `[data-testid="history-row"][data-task-id="${id}"] [data-testid="history-cost-per-line"]`,
      )!;
    expect(cell('changed').textContent).toBe('$0.0025');
    expect(Number(cell('changed').getAttribute('data-value'))).toBeCloseTo(0.0025, 12);
    expect(cell('changed').getAttribute('title')).toBe('$0.50 over 200 lines changed');
    expect(cell('untouched').textContent).toBe('—');
    expect(cell('no-git').textContent).toBe('—');
    expect(cell('no-git').getAttribute('data-value')).toBeNull();
  });

  it('renders only a window of rows and fetches the next page of 200 on scroll', async () => {
    const tasks = Array.from({ length: 450 }, (_, i) => summary({ id: `h${i}`, title: `Task ${i}` }));
    const transport = startHistory({
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
    const listCalls = () => historyListCalls(transport).map((c) => c.offset);
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
    const transport = startHistory({
      exportTasks: () => ({ fileName: 'baton-tasks.csv', mimeType: 'text/csv', content: 'id\ndone-1\n' }),
    });
    const row = await screen.findByTestId('history-row');
    expect(row.dataset.taskId).toBe('done-1');
    expect(screen.getByTestId('history-total').textContent).toBe('1 task');
    expect(screen.getByTestId('chart-cost-over-time')).toBeTruthy();

    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    });
    expect(transport.calls.find((c) => c.method === 'exportTasks')?.input).toEqual({
      filter: {},
      format: 'csv',
      timeZone,
    });
    expect(clicked).toEqual(['baton-tasks.csv']);
    expect(await created[0]!.text()).toBe('id\ndone-1\n');
  });

  it('filters by agent, names each row’s agent and charts the cost by agent', async () => {
    const codexTask = summary({ id: 'codex-1', title: 'codex one', agent: 'codex', model: 'gpt-5.5' });
    const transport = startHistory({
      listTasks: (input) => {
        const filter = (input as { filter?: { agent?: string } }).filter ?? {};
        const tasks = [finishedTask, codexTask].filter((t) => !filter.agent || t.agent === filter.agent);
        return { tasks, total: tasks.length };
      },
      getHistoryCharts: () =>
        historyCharts({
          costByAgent: [
            { agent: 'codex', costUsd: 0.4, totalTokens: 9000, tasks: 1, sessions: 3 },
            { agent: 'claude', costUsd: 0.16, totalTokens: 15100, tasks: 1, sessions: 2 },
            { agent: 'gemini', costUsd: 0, totalTokens: 500, tasks: 1, sessions: 1 },
          ],
        }),
    });
    await screen.findAllByTestId('history-row');
    expect(screen.getAllByTestId('history-agent').map((c) => c.textContent)).toEqual(['Claude Code', 'Codex']);
    // The small charts draw once the cost over time is on screen.
    const chart = await screen.findByTestId('chart-cost-by-agent');
    expect(chart.textContent).toContain('Cost by agent');
    expect(chart.dataset.empty).toBeUndefined();

    const agent = screen.getByLabelText('Agent') as HTMLSelectElement;
    expect([...agent.options].map((o) => o.textContent)).toEqual(['All agents', 'Claude Code', 'Codex', 'Gemini']);
    fireEvent.change(agent, { target: { value: 'codex' } });
    await waitFor(() => expect(screen.getAllByTestId('history-row')).toHaveLength(1));
    expect(transport.calls.filter((c) => c.method === 'listTasks').at(-1)?.input).toMatchObject({
      filter: { agent: 'codex' },
      offset: 0,
    });
    expect(transport.calls.filter((c) => c.method === 'getHistoryCharts').at(-1)?.input).toMatchObject({
      filter: { agent: 'codex' },
    });
    fireEvent.change(agent, { target: { value: '' } });
    await waitFor(() => expect(screen.getAllByTestId('history-row')).toHaveLength(2));
  });

  it('filters by status and shows the empty state', async () => {
    const transport = startHistory({
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

  it('shows the usage figures, asks for local days, and names each row’s project and model', async () => {
    const transport = startHistory({
      listTasks: (input) => ({
        tasks: [finishedTask],
        total: 1,
        ...((input as { withTotals?: boolean }).withTotals ? { totals } : {}),
      }),
    });
    await screen.findByTestId('history-row');
    expect(transport.calls.find((c) => c.method === 'getHistoryCharts')?.input).toEqual({
      filter: {},
      timeZone,
    });
    const usage = screen.getByRole('region', { name: 'Usage' });
    expect(within(usage).getByTestId('usage-today').textContent).toBe('$0.05');
    expect(within(usage).getByTestId('usage-week').textContent).toBe('$0.12');
    expect(within(usage).getByTestId('usage-month').textContent).toBe('$0.16');
    expect(within(usage).getByTestId('usage-tokens').textContent).toBe('15,100');
    expect(within(usage).getByTestId('usage-cache-savings').dataset.value).toBe('0.0123');
    expect(within(usage).getByTestId('usage-average').textContent).toBe('$0.16');
    expect(within(usage).getByText('since Monday, all tasks')).toBeTruthy();

    // The project is named as the server tells folders apart; the model is the task's.
    const row = screen.getByTestId('history-row');
    expect(within(row).getByTestId('history-project').textContent).toBe('work/demo');
    expect(within(row).getByTestId('history-project').title).toBe('/work/demo');
    expect(row.textContent).toContain('claude-sonnet-4-5');
    expect(screen.getAllByRole('columnheader').map((h) => h.textContent)).toEqual([
      'Created ↓',
      'Task',
      'Project',
      'Agent',
      'Model',
      'Status',
      'Iterations',
      'Tokens',
      'Cost',
      'Cost/line',
      'Duration',
    ]);
    expect(screen.getByRole('columnheader', { name: 'Cost per changed line' }).textContent).toBe('Cost/line');

    // The totals row sums the whole selection, as the server summed it.
    const totalsRow = await screen.findByTestId('history-totals');
    expect(totalsRow.textContent).toContain('Total, 1 task');
    expect(within(totalsRow).getByTestId('history-totals-tokens').textContent).toBe('15,100');
    expect(within(totalsRow).getByTestId('history-totals-cost').textContent).toBe('$0.16');
    expect(within(totalsRow).getByTestId('history-totals-cost').dataset.value).toBe('0.16274');
    expect(within(totalsRow).getByTestId('history-totals-iterations').textContent).toBe('2');
    // The totals come once per filter, apart from the pages, which need them for neither sort nor page.
    const withTotals = transport.calls.filter(
      (c) => c.method === 'listTasks' && (c.input as { withTotals?: boolean }).withTotals,
    );
    expect(withTotals.map((c) => c.input)).toEqual([{ filter: {}, limit: 1, offset: 0, withTotals: true }]);
    expect(historyListCalls(transport)[0]).not.toHaveProperty('withTotals');
    expect(screen.getByRole('radio', { name: 'Model' }).getAttribute('aria-checked')).toBe('true');
  });

  it('says each period’s spending is short where it holds tokens of unknown cost', async () => {
    startHistory({
      getHistoryCharts: () =>
        historyCharts({
          summary: {
            ...historyCharts().summary,
            spentTodayUsd: 0.11,
            spentThisWeekUsd: 0.11,
            spentThisMonthUsd: 0,
            unknownCostTokensToday: 7812,
            unknownCostTokensThisWeek: 7812,
            unknownCostTokensThisMonth: 7812,
          },
        }),
      listTasks: () => ({ tasks: [finishedTask], total: 1 }),
    });
    await screen.findByTestId('history-row');
    const usage = screen.getByRole('region', { name: 'Usage' });
    await waitFor(() => expect(within(usage).getByTestId('usage-today').textContent).toBe('$0.11 + unknown'));
    expect(within(usage).getByTestId('usage-week').textContent).toBe('$0.11 + unknown');
    // Nothing known spent this month: unknown, not $0.00.
    expect(within(usage).getByTestId('usage-month').textContent).toBe('unknown');
    expect(within(usage).getByTestId('usage-today').title).toBe(
      '7,812 tokens have no known cost, left out of this figure',
    );
  });

  it('without tasks, points at the Tasks page by the name the navigation gives it, and offers no export', async () => {
    startHistory({ listTasks: () => ({ tasks: [], total: 0 }) });
    const empty = await screen.findByText(/No tasks yet/);
    expect(empty.textContent).toBe(
      'No tasks yet. Launch one from the Tasks page and it will be listed here, with what it cost.',
    );
    expect(within(empty).getByRole('link', { name: 'Tasks page' }).getAttribute('href')).toBe('#/');
    expect(screen.getByRole('navigation', { name: 'Main' }).textContent).toContain('Tasks');
    for (const name of ['Export CSV', 'Export JSON']) {
      const button = screen.getByRole('button', { name }) as HTMLButtonElement;
      expect(button.disabled).toBe(true);
      expect(button.title).toBe('No tasks to export: none is selected');
    }
  });

  it('keeps the table readable in a narrow window: as tall as its rows, the least needed columns left out', async () => {
    // A 1024 px window's table, then a wider one: the columns follow the table's width as it changes.
    let width = 960;
    vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockImplementation(() => width);
    const observed: { callback: () => void; target: Element }[] = [];
    vi.stubGlobal(
      'ResizeObserver',
      class {
        constructor(private readonly callback: () => void) {}
        observe(target: Element) {
          observed.push({ callback: this.callback, target });
        }
        unobserve() {}
        disconnect() {}
      },
    );
    startHistory({
      listTasks: (input) => ({
        tasks: [{ ...finishedTask, linesChanged: 40 }],
        total: 1,
        ...((input as { withTotals?: boolean }).withTotals ? { totals } : {}),
      }),
    });
    const row = await screen.findByTestId('history-row');
    // One task: one row's height, not a screenful of empty space before the totals.
    expect(screen.getByTestId('history-scroller').style.height).toBe('40px');
    const headings = () => screen.getAllByRole('columnheader').map((h) => h.textContent);
    expect(headings()).toEqual(['Created ↓', 'Task', 'Project', 'Model', 'Status', 'Tokens', 'Cost']);
    // What the left-out columns held shows in their neighbours: the agent under the model, the cost per line
    // under the cost.
    expect(within(row).queryByTestId('history-agent')).toBeNull();
    expect(within(row).getByTestId('history-model-agent').textContent).toBe('Claude Code');
    expect(within(row).getByTestId('history-cost-line').textContent).toBe('$0.0041/line');
    // Every row on the heading's tracks, the totals under the columns that sum.
    const head = screen.getAllByRole('row')[0]!;
    expect(row.style.gridTemplateColumns).toBe(head.style.gridTemplateColumns);
    const totalsRow = await screen.findByTestId('history-totals');
    expect(totalsRow.style.gridTemplateColumns).toBe(head.style.gridTemplateColumns);
    expect(within(totalsRow).getByRole('rowheader').style.gridColumn).toBe('span 5');
    expect(within(totalsRow).queryByTestId('history-totals-iterations')).toBeNull();

    width = 1600;
    act(() => observed.filter((o) => o.target === head).forEach((o) => o.callback()));
    expect(headings()).toContain('Agent');
    expect(within(screen.getByTestId('history-row')).getByTestId('history-agent').textContent).toBe('Claude Code');
    expect(within(screen.getByTestId('history-row')).queryByTestId('history-model-agent')).toBeNull();
    expect(within(screen.getByTestId('history-totals')).getByTestId('history-totals-iterations').textContent).toBe('2');
  });

  it('searches titles and prompts once typing pauses', async () => {
    const transport = startHistory({
      listTasks: (input) => {
        const filter = (input as { filter?: { search?: string } }).filter ?? {};
        return filter.search ? { tasks: [], total: 0 } : { tasks: [finishedTask], total: 1 };
      },
    });
    await screen.findByTestId('history-row');
    const search = screen.getByRole('searchbox', { name: 'Search' });
    fireEvent.change(search, { target: { value: 'log' } });
    fireEvent.change(search, { target: { value: 'login bug ' } });
    await screen.findByText('No tasks match these filters.');
    const searched = historyListCalls(transport).filter((c) => c.filter.search !== undefined);
    expect(searched.map((c) => c.filter.search)).toEqual(['login bug']);
    expect(transport.calls.filter((c) => c.method === 'getHistoryCharts').at(-1)?.input).toEqual({
      filter: { search: 'login bug' },
      timeZone,
    });
  });

  it('refuses a reversed date range at its field, without asking the server', async () => {
    const transport = startHistory();
    await screen.findByTestId('history-row');
    const before = transport.calls.length;
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-11-20' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2026-11-10' } });
    const to = screen.getByLabelText('To');
    await waitFor(() => expect(to.getAttribute('aria-invalid')).toBe('true'));
    const error = document.getElementById(to.getAttribute('aria-describedby') ?? '');
    expect(error?.textContent).toBe('The date range ends before it starts');
    expect(error?.getAttribute('role')).toBe('alert');
    expect(screen.getByText('Fix the date range to see the tasks.')).toBeTruthy();
    // The From change was sent; the reversed range never was.
    const sent = transport.calls.slice(before).map((c) => (c.input as { filter?: { to?: number } }).filter);
    expect(sent.some((f) => f?.to !== undefined)).toBe(false);
    expect(to.getAttribute('min')).toBe('2026-11-20');
  });

  it('says so when the range has tasks but no sessions, instead of drawing empty charts', async () => {
    startHistory({
      getHistoryCharts: () =>
        historyCharts({
          costOverTime: [],
          tokensByModel: [],
          costByProject: [{ projectId: 'project-1', name: 'demo', workingDir: '/work/demo', costUsd: 0, tasks: 1 }],
        }),
    });
    const chart = await screen.findByTestId('chart-cost-over-time');
    expect(chart.textContent).toContain('No sessions in this range');
    expect((await screen.findByTestId('chart-tokens-by-model')).textContent).toContain('No sessions in this range');
    expect(chart.querySelector('svg')).toBeNull();
  });
});

describe('the settings view', () => {
  /** The settings already hold this window's zone: the window has nothing to send. */
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  /** Opens Settings over stored settings that a save updates; the saves, in order. */
  function startSettings(stored: Record<string, unknown>, handlers: Record<string, (input: unknown) => unknown> = {}) {
    const saved: Array<Record<string, unknown>> = [];
    let current: Record<string, unknown> = { timeZone, ...stored };
    window.location.hash = '#/settings';
    start({
      getSettings: () => current,
      updateSettings: (input) => {
        saved.push(input as Record<string, unknown>);
        current = { ...current, ...(input as Record<string, unknown>) };
        return current;
      },
      ...handlers,
    });
    return saved;
  }

  it('rejects bad values inline without saving, then saves good ones', async () => {
    const saved: unknown[] = [];
    // An older service sends no task defaults: the form still works.
    let current: Record<string, unknown> = { dailyBudgetUsd: null as number | null, maxConcurrentTasks: 2, timeZone };
    window.location.hash = '#/settings';
    start({
      getSettings: () => current,
      updateSettings: (input) => {
        saved.push(input);
        current = { ...current, ...(input as Record<string, unknown>) };
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
    expect(saved).toEqual([{ taskDefaults: {}, dailyBudgetUsd: 12.5, maxConcurrentTasks: 4, modelPrices: {} }]);
  });

  it('shows a change saved elsewhere while untouched, and keeps what the user typed once touched', async () => {
    let current: Record<string, unknown> = { dailyBudgetUsd: null as number | null, maxConcurrentTasks: 2, timeZone };
    window.location.hash = '#/settings';
    const transport = start({
      getSettings: () => current,
      getSpending: () => ({ spentTodayUsd: 0, dailyBudgetUsd: null }),
    });
    const concurrency = (await screen.findByLabelText('Tasks at once')) as HTMLInputElement;
    const budget = screen.getByLabelText('Daily budget (USD)') as HTMLInputElement;
    await waitFor(() => expect(concurrency.value).toBe('2'));

    current = { ...current, maxConcurrentTasks: 4 };
    await emit(transport, [{ type: 'settings.changed' }]);
    await waitFor(() => expect(concurrency.value).toBe('4'));

    fireEvent.change(budget, { target: { value: '7' } });
    current = { ...current, maxConcurrentTasks: 6 };
    await emit(transport, [{ type: 'settings.changed' }]);
    // One first answer (the window's zone check shares it), and one after each change.
    await waitFor(() => expect(transport.calls.filter((c) => c.method === 'getSettings')).toHaveLength(3));
    expect([budget.value, concurrency.value]).toEqual(['7', '4']);
  });

  it('warns, before saving, of a budget today has already spent, and not of one it has not', async () => {
    window.location.hash = '#/settings';
    let stored: number | null = null;
    start({
      getSettings: () => ({ dailyBudgetUsd: stored, maxConcurrentTasks: 2, timeZone }),
      getSpending: () => ({ spentTodayUsd: 5, unknownCostTokensToday: 0, dailyBudgetUsd: stored, timeZone }),
      updateSettings: (input) => {
        stored = (input as { dailyBudgetUsd: number | null }).dailyBudgetUsd;
        return { dailyBudgetUsd: stored, maxConcurrentTasks: 2, timeZone };
      },
    });
    const budget = await screen.findByLabelText('Daily budget (USD)');
    await screen.findByTestId('spent-today');
    const warning = () => screen.queryByTestId('budget-already-spent')?.textContent ?? null;
    fireEvent.change(budget, { target: { value: '4' } });
    expect(warning()).toBe(
      'Today has already spent $5.00, which is past this budget: once saved, no iteration of any task starts until tomorrow.',
    );
    fireEvent.change(budget, { target: { value: '5' } });
    expect(warning()).toContain('which is this budget');
    // Saved, it says what now holds.
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Saved.');
    await waitFor(() =>
      expect(warning()).toBe(
        'Today has already spent $5.00, which is this budget: no iteration of any task starts until tomorrow.',
      ),
    );
    fireEvent.change(budget, { target: { value: '5.01' } });
    expect(warning()).toBeNull();
    fireEvent.change(budget, { target: { value: '' } });
    expect(warning()).toBeNull();
  });

  it('lists the known models with their rates and where each comes from, and takes one into your prices', async () => {
    const rates = { input: 3, output: 15, cacheWrite: 3.75, cacheWrite1h: 6, cacheRead: 0.3 };
    const saved = startSettings(
      { dailyBudgetUsd: null, maxConcurrentTasks: 2, modelPrices: {} },
      {
        listModelPrices: () => ({
          models: [
            {
              model: 'claude-sonnet-4-5',
              agent: 'claude',
              seenIn: ['runs', 'suggested'],
              source: 'data',
              rates,
              longContext: [{ above: 200_000, rates: { ...rates, input: 6, output: 22.5 } }],
            },
            { model: 'acme-1', agent: null, seenIn: ['imports'], source: 'none', rates: null, longContext: [] },
          ],
        }),
      },
    );
    const rows = await screen.findAllByTestId('known-model');
    const cells = (row: HTMLElement) => [...row.querySelectorAll('th, td')].map((cell) => cell.textContent);
    expect(cells(rows[0]!)).toEqual([
      'claude-sonnet-4-5Claude Code · your tasks, the launch form’s suggestionsabove 200k input tokens: input $6.00, output $22.50',
      '$3.00',
      '$15.00',
      '$3.75 / $6.00',
      '$0.30',
      'Price dataSet your own',
    ]);
    expect(cells(rows[1]!)).toEqual([
      'acme-1imported transcripts',
      'unknown: its usage counts as unknown cost',
      'No priceSet your own',
    ]);

    fireEvent.click(screen.getByRole('button', { name: 'Set your own price for claude-sonnet-4-5' }));
    const editor = screen.getByTestId('model-prices');
    const row = within(editor).getByRole('group', { name: 'Prices of claude-sonnet-4-5' });
    expect((within(row).getByLabelText('Output') as HTMLInputElement).value).toBe('15');
    // The row is added above the list: its first price takes the focus, which brings it into view.
    await waitFor(() => expect(document.activeElement).toBe(within(row).getByLabelText('Input')));
    // A 1-hour write at twice the input is left to follow the input; the 5-minute one is the data's.
    expect((within(row).getByLabelText('Cache write 5 min') as HTMLInputElement).value).toBe('3.75');
    expect((within(row).getByLabelText('Cache write 1 h') as HTMLInputElement).value).toBe('');
    fireEvent.change(within(row).getByLabelText('Output'), { target: { value: '14' } });
    // Asked twice, the model is not added twice.
    fireEvent.click(screen.getByRole('button', { name: 'Set your own price for claude-sonnet-4-5' }));
    expect(within(editor).getAllByTestId('model-price-row')).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Saved.');
    expect(saved.at(-1)?.modelPrices).toEqual({
      'claude-sonnet-4-5': { input: 3, output: 14, cacheWrite: 3.75, cacheRead: 0.3 },
    });
  });

  it('edits, adds and removes a model’s prices, each error on its field, and saves them checked', async () => {
    const price = { input: 1.25, output: 10, cacheWrite: 0, cacheRead: 0.125 };
    const saved = startSettings({
      taskDefaults: {},
      dailyBudgetUsd: null,
      maxConcurrentTasks: 2,
      modelPrices: { 'gpt-5.5': price, 'old-model': price },
    });
    const editor = await screen.findByTestId('model-prices');
    await waitFor(() => expect(within(editor).getAllByTestId('model-price-row')).toHaveLength(2));
    const gpt = within(editor).getByRole('group', { name: 'Prices of gpt-5.5' });
    expect((within(gpt).getByLabelText('Cache read') as HTMLInputElement).value).toBe('0.125');
    fireEvent.change(within(gpt).getByLabelText('Output'), { target: { value: '12' } });
    fireEvent.click(
      within(within(editor).getByRole('group', { name: 'Prices of old-model' })).getByRole('button', {
        name: 'Remove',
      }),
    );

    fireEvent.click(within(editor).getByRole('button', { name: 'Add a model' }));
    const added = within(editor).getByRole('group', { name: 'New model 2' });
    fireEvent.change(within(added).getByLabelText('Model'), { target: { value: 'GPT-5.5' } });
    fireEvent.change(within(added).getByLabelText('Input'), { target: { value: '-1' } });
    fireEvent.change(within(added).getByLabelText('Output'), { target: { value: 'cheap' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const row = within(editor).getByRole('group', { name: 'Prices of GPT-5.5' });
    expect(
      within(row)
        .getAllByRole('alert')
        .map((a) => a.textContent),
    ).toEqual([
      'This model already has prices above',
      'The input price must be 0 or more',
      'The output price must be a number (USD per million tokens)',
      'The cache write price must be a number (USD per million tokens)',
      'The cache read price must be a number (USD per million tokens)',
    ]);
    // The 1-hour write may stay blank (twice the input); typed, it is checked like the others.
    expect(within(row).getByLabelText('Cache write 1 h').getAttribute('aria-invalid')).toBeNull();
    expect(within(row).getByLabelText('Input').getAttribute('aria-invalid')).toBe('true');
    expect(saved).toEqual([]);

    const fill = (label: string, value: string) =>
      fireEvent.change(within(row).getByLabelText(label), { target: { value } });
    fill('Model', 'gemini-2.5-pro');
    fill('Input', '1.25');
    fill('Output', '10');
    fill('Cache write 5 min', '0');
    fill('Cache write 1 h', '2.5');
    fill('Cache read', '0.31');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Saved.');
    expect(saved.map((s) => s.modelPrices)).toEqual([
      {
        'gpt-5.5': { ...price, output: 12 },
        'gemini-2.5-pro': { input: 1.25, output: 10, cacheWrite: 0, cacheWrite1h: 2.5, cacheRead: 0.31 },
      },
    ]);
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
