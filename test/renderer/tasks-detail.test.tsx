/**
 * The Tasks view and a task's page as a person reads them: ids on one line, the model that ran, what each
 * iteration's check and changes came to, finished tasks folded into Recent.
 */
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { BatonEvent } from '../../src-main/contract/events';
import { appPerTest, emit } from './app-harness';
import { checkOutcome, detail, gitChange, session, spec, summary, taskTotals as totals } from './fixtures';

const SID = '0b7f8a5e-1111-4222-8333-944455556666';
const NEXT = '9c0d1e2f-3333-4444-8555-666677778888';
const start = appPerTest();

/** Every id on screen, as its element shows it: its text, and the title that holds it whole. */
const idsShown = (root: ParentNode = document) =>
  [...root.querySelectorAll<HTMLElement>('.session-id')].map((el) => ({ text: el.textContent, title: el.title }));

const runningTask = summary({
  id: 'run-1',
  title: 'Running task',
  status: 'running',
  iterations: 1,
  spec: spec({ maxIterations: 4 }),
});

describe('session ids', () => {
  it('are whole in a title wherever they show: header, table, running iteration, retry note and replay', async () => {
    window.location.hash = '#/tasks/run-1';
    const running = detail({
      ...runningTask,
      totals: totals(500, 0.05),
      sessions: [
        session({ sessionId: 's-done', iteration: 1, agentSessionId: 'thread-0199aa' }),
        session({ sessionId: SID, iteration: 2, status: 'running', costUsd: 0, startedAt: Date.now() }),
      ],
    });
    const transport = start({
      getTask: () => running,
      getLiveState: () => ({ tasks: [running], currentEvents: { [SID]: [{ kind: 'text', text: 'working' }] } }),
      getSessionEvents: () => ({ events: [{ kind: 'text', text: 'replayed' }], times: [], truncated: false }),
    });
    await screen.findByText('working');
    const retried: BatonEvent = {
      type: 'iteration.retrying',
      taskId: 'run-1',
      iteration: 2,
      attempt: 1,
      previousSessionId: SID,
      sessionId: NEXT,
      error: 'API error 529',
    };
    await emit(transport, [retried]);
    await screen.findByTestId('attempt-failed');

    const header = document.querySelector('.task-facts')!;
    expect(idsShown(header)).toEqual([{ text: 'run-1', title: 'run-1' }]);
    const rows = screen.getAllByTestId('session-row');
    expect(idsShown(rows[0])).toEqual([
      { text: 's-done', title: 's-done' },
      { text: 'thread-0199aa', title: 'thread-0199aa' },
    ]);
    const runningPanel = screen.getByRole('region', { name: 'Iteration 2' });
    expect(idsShown(runningPanel)).toContainEqual({ text: NEXT, title: NEXT });
    expect(idsShown(screen.getByTestId('attempt-failed'))).toEqual([{ text: NEXT, title: NEXT }]);

    fireEvent.click(within(rows[0]!).getByRole('button', { name: 'Replay' }));
    const replay = await screen.findByTestId('replay-panel');
    await waitFor(() => expect(idsShown(replay)).toContainEqual({ text: 's-done', title: 's-done' }));
    // Every id, wherever it shows, is one element that holds it whole.
    expect(idsShown().every((id) => id.text === id.title)).toBe(true);
  });
});

describe('the model on the task page', () => {
  const ended = (iteration: number, model: string | null) =>
    session({ sessionId: `s-${iteration}`, iteration, model, status: 'completed' });
  const page = async (overrides: Parameters<typeof detail>[0]) => {
    window.location.hash = '#/tasks/t-m';
    const task = detail({ id: 't-m', status: 'completed', finishedAt: 2, ...overrides });
    start({ getTask: () => task, getSessionEvents: () => ({ events: [], times: [], truncated: false }) });
    return screen.findByTestId('task-models');
  };

  it('is the model the sessions ran, for a task that asked for the agent’s default', async () => {
    const model = await page({
      model: 'default',
      spec: spec({ model: 'default' }),
      sessions: [ended(1, 'claude-opus-4-8[1m]')],
    });
    expect(model.textContent).toBe("claude-opus-4-8 (the agent's default)");
    expect(screen.queryByTestId('model-changed')).toBeNull();
    // One model: the table needs no column for it.
    expect(screen.queryByTestId('session-model')).toBeNull();
  });

  it('is the model the sessions ran, beside the alias it was asked for', async () => {
    const model = await page({ model: 'opus', spec: spec({ model: 'opus' }), sessions: [ended(1, 'claude-opus-4-8')] });
    expect(model.textContent).toBe('claude-opus-4-8 (asked for opus)');
  });

  it('says nothing more where the sessions ran the model asked for', async () => {
    const model = await page({ sessions: [ended(1, 'claude-sonnet-4-5')] });
    expect(model.textContent).toBe('claude-sonnet-4-5');
  });

  it('says which iterations ran which model when the agent fell back, and shows it per row', async () => {
    const model = await page({
      model: 'opus',
      spec: spec({ model: 'opus', maxIterations: 3 }),
      sessions: [ended(1, 'claude-opus-4-8'), ended(2, 'claude-opus-4-8'), ended(3, 'claude-sonnet-4-5')],
    });
    expect(
      within(model)
        .getAllByTestId('model-ran')
        .map((el) => el.textContent),
    ).toEqual(['claude-opus-4-8 in #1–2', ', claude-sonnet-4-5 in #3']);
    expect(model.textContent).toContain('(asked for opus)');
    expect(screen.getByTestId('model-changed').textContent).toBe('The model changed between iterations (a fallback).');
    expect(screen.getAllByTestId('session-model').map((td) => td.textContent)).toEqual([
      'claude-opus-4-8',
      'claude-opus-4-8',
      'claude-sonnet-4-5',
    ]);
  });

  it('says what was asked for before any iteration ran', async () => {
    const model = await page({ status: 'queued', finishedAt: null, model: 'opus', spec: spec({ model: 'opus' }) });
    expect(model.textContent).toBe('opus (asked for; no iteration has run yet)');
  });

  it('of an iteration that has not said its model yet is what was asked for, said so', async () => {
    const model = await page({
      status: 'running',
      finishedAt: null,
      model: 'opus',
      spec: spec({ model: 'opus' }),
      sessions: [session({ sessionId: SID, iteration: 1, status: 'running', model: 'opus', costUsd: 0 })],
    });
    expect(model.textContent).toBe('opus (asked for; not reported yet)');
  });

  it('of a running task is what its stream reported, not the model asked for that its stored row holds', async () => {
    window.location.hash = '#/tasks/run-1';
    const running = detail({
      ...runningTask,
      model: 'opus',
      spec: spec({ model: 'opus', maxIterations: 4 }),
      sessions: [session({ sessionId: SID, iteration: 1, status: 'running', model: 'opus', costUsd: 0 })],
    });
    start({
      getTask: () => running,
      getLiveState: () => ({
        tasks: [running],
        currentEvents: {
          [SID]: [
            { kind: 'init', agentSessionId: SID, model: 'claude-opus-4-8[1m]', cwd: '/work/demo', tools: [] },
            { kind: 'text', text: 'working' },
          ],
        },
      }),
    });
    await screen.findByText('working');
    expect(screen.getByTestId('task-models').textContent).toBe('claude-opus-4-8 (asked for opus)');
  });
});

describe('the task page’s facts', () => {
  const open = async (check?: string) => {
    window.location.hash = '#/tasks/t-c';
    const task = detail({ id: 't-c', status: 'completed', finishedAt: 2, spec: spec(check ? { check } : {}) });
    start({ getTask: () => task });
    await screen.findByTestId('task-models');
  };

  it('name the completion check the task runs', async () => {
    await open('npm test -- --run');
    expect(screen.getByTestId('task-check').textContent).toBe('npm test -- --run');
  });

  it('name none where the task has none', async () => {
    await open();
    expect(screen.queryByTestId('task-check')).toBeNull();
  });
});

describe('the way back from a task’s page', () => {
  const finished = detail({ id: 'd-b', status: 'completed', finishedAt: 2 });
  const openFrom = async (list: string) => {
    window.location.hash = list;
    start({ getTask: () => finished });
    await new Promise((r) => setTimeout(r, 0));
    window.location.hash = '#/tasks/d-b';
    await screen.findByTestId('task-models');
  };

  it('leads to Tasks for a finished task opened from Tasks (its Recent list)', async () => {
    await openFrom('#/');
    expect(screen.getByRole('link', { name: '← Tasks' }).getAttribute('href')).toBe('#/');
  });

  it('leads to History, or All usage, for one opened from there', async () => {
    await openFrom('#/history/usage');
    expect(screen.getByRole('link', { name: '← All usage' }).getAttribute('href')).toBe('#/history/usage');
  });
});

describe('the iteration chips of a live card', () => {
  it('show what each finished iteration changed and how its check ended, as iteration.finished says', async () => {
    const transport = start();
    await screen.findByText(/No running tasks/);
    const task = { ...runningTask, spec: spec({ maxIterations: 4, check: 'npm test' }) };
    await emit(transport, [
      { type: 'task.queued', taskId: 'run-1', task: { ...task, status: 'queued' } },
      { type: 'task.started', taskId: 'run-1' },
      { type: 'iteration.started', taskId: 'run-1', sessionId: 's-1', iteration: 1, maxIterations: 4 },
    ]);
    const chip = (sessionId: string) =>
      document.querySelector<HTMLElement>(`[data-testid="iteration"][data-session-id="${sessionId}"]`)!;
    // While it runs there is nothing to say yet.
    expect(within(chip('s-1')).queryByTestId('iteration-changes')).toBeNull();
    expect(within(chip('s-1')).queryByTestId('iteration-check')).toBeNull();

    const first = session({ sessionId: 's-1', iteration: 1, git: gitChange(), check: checkOutcome() });
    const second = session({
      sessionId: 's-2',
      iteration: 2,
      git: gitChange({ filesChanged: 0, insertions: 0, deletions: 0, files: [] }),
      check: checkOutcome({ exitCode: 0 }),
    });
    await emit(transport, [
      { type: 'iteration.finished', taskId: 'run-1', session: first, task },
      { type: 'iteration.started', taskId: 'run-1', sessionId: 's-2', iteration: 2, maxIterations: 4 },
      { type: 'iteration.finished', taskId: 'run-1', session: second, task },
      { type: 'iteration.started', taskId: 'run-1', sessionId: 's-3', iteration: 3, maxIterations: 4 },
    ]);
    expect(within(chip('s-1')).getByTestId('iteration-changes').textContent).toBe('2 files +12 −3');
    expect(within(chip('s-1')).getByTestId('iteration-changes').title).toBe('src/app.ts\nREADME.md');
    const failed = within(chip('s-1')).getByTestId('iteration-check');
    expect([failed.textContent, failed.dataset.kind]).toEqual(['check failed (exit 1)', 'failed']);
    expect(within(chip('s-2')).getByTestId('iteration-changes').textContent).toBe('no change');
    const passed = within(chip('s-2')).getByTestId('iteration-check');
    expect([passed.textContent, passed.dataset.kind]).toEqual(['check passed', 'ok']);
    expect(within(chip('s-3')).queryByTestId('iteration-check')).toBeNull();
  });

  it('show them for a task the window loads already running, from its stored iterations', async () => {
    const running = detail({
      ...runningTask,
      sessions: [
        session({ sessionId: 's-1', iteration: 1, git: gitChange(), check: checkOutcome({ timedOut: true }) }),
        session({ sessionId: SID, iteration: 2, status: 'running', costUsd: 0 }),
      ],
    });
    start({ getLiveState: () => ({ tasks: [running], currentEvents: {} }) });
    const chip = await waitFor(() => {
      const el = document.querySelector<HTMLElement>('[data-testid="iteration"][data-session-id="s-1"]');
      if (!el) throw new Error('no chip yet');
      return el;
    });
    expect(within(chip).getByTestId('iteration-changes').textContent).toBe('2 files +12 −3');
    expect(within(chip).getByTestId('iteration-check').textContent).toBe('check timed out');
  });
});

describe('a task that finishes while the window watches', () => {
  const task = (id: string, title: string) => ({ ...runningTask, id, title });
  const finish = (id: string, title: string, finishedAt: number): BatonEvent[] => [
    {
      type: 'iteration.finished',
      taskId: id,
      session: session({ sessionId: `${id}-s1`, iteration: 1 }),
      task: task(id, title),
    },
    {
      type: 'task.finished',
      taskId: id,
      status: 'completed',
      reason: 'agent reported the task complete in iteration 1',
      task: { ...task(id, title), status: 'completed', iterations: 1, finishedAt },
    },
  ];
  const launch = (id: string, title: string): BatonEvent[] => [
    { type: 'task.queued', taskId: id, task: { ...task(id, title), status: 'queued' } },
    { type: 'task.started', taskId: id },
    { type: 'iteration.started', taskId: id, sessionId: `${id}-s1`, iteration: 1, maxIterations: 4 },
  ];
  const rowOf = (id: string) =>
    document.querySelector<HTMLElement>(`[data-testid="recent-task"][data-task-id="${id}"]`)!;
  const cardOf = (id: string) => document.querySelector<HTMLElement>(`[data-testid="live-task"][data-task-id="${id}"]`);
  const fold = (id: string) => within(rowOf(id)).getByRole('button', { name: /the iterations of/ });

  it('folds into Recent: its row, with its card unfolded under it until a newer one finishes', async () => {
    const transport = start();
    await screen.findByText(/No running tasks/);
    await emit(transport, [...launch('a', 'First task'), ...launch('b', 'Second task')]);
    await emit(transport, finish('a', 'First task', 1_700_000_010_000));

    // No pile of finished cards above Recent: the task is a row of it, its card under the row.
    expect(screen.queryByRole('heading', { name: 'Just finished' })).toBeNull();
    const rows = screen.getAllByTestId('recent-task');
    expect(rows[0]).toBe(rowOf('a'));
    expect(rowOf('a').nextElementSibling!.contains(cardOf('a'))).toBe(true);
    expect(fold('a').getAttribute('aria-expanded')).toBe('true');
    // The row says what the card's heading said: the card under it has none.
    expect(within(cardOf('a')!).queryByRole('heading')).toBeNull();
    expect(within(cardOf('a')!).getByTestId('iteration').dataset.status).toBe('completed');

    // The next to finish takes its place; the first folds to its row.
    await emit(transport, finish('b', 'Second task', 1_700_000_020_000));
    expect(screen.getAllByTestId('recent-task').map((r) => r.dataset.taskId)).toEqual(['b', 'a']);
    expect(cardOf('a')).toBeNull();
    expect(fold('a').getAttribute('aria-expanded')).toBe('false');
    expect(rowOf('b').nextElementSibling!.contains(cardOf('b'))).toBe(true);
    expect(document.querySelectorAll('[data-testid="live-task"]')).toHaveLength(1);

    // Either unfolds and folds on a click, as the person chooses.
    fireEvent.click(fold('a'));
    expect(rowOf('a').nextElementSibling!.contains(cardOf('a'))).toBe(true);
    fireEvent.click(fold('b'));
    expect(cardOf('b')).toBeNull();
    expect(fold('b').getAttribute('aria-expanded')).toBe('false');
  });

  it('leaves the rows of tasks it did not watch without a card to unfold', async () => {
    const done = summary({ id: 'd1', title: 'Done before', status: 'completed', iterations: 1, finishedAt: 5 });
    start({ listTasks: () => ({ tasks: [done], total: 1 }) });
    const table = await screen.findByTestId('recent-list');
    await waitFor(() => expect(within(table).getByTestId('recent-task').textContent).toContain('Done before'));
    expect(within(table).queryByRole('button')).toBeNull();
    // A narrow window collapses iterations and duration (the CSS), as History leaves them out.
    const headings = [...table.querySelectorAll('th')].map((th) => th.textContent);
    const collapsed = [...table.querySelectorAll('col')].map((col, i) => (col.className ? headings[i] : null));
    expect(collapsed.filter(Boolean)).toEqual(['Iterations', 'Duration']);
  });
});

describe('the sessions table', () => {
  const show = async (sessions: ReturnType<typeof session>[]) => {
    window.location.hash = '#/tasks/t-e';
    const task = detail({ id: 't-e', status: 'completed', finishedAt: 2, iterations: sessions.length, sessions });
    start({ getTask: () => task });
    await screen.findAllByTestId('session-row');
    return screen.getAllByRole('columnheader').map((h) => h.textContent);
  };

  it('has no Error column where no iteration failed', async () => {
    expect(await show([session({ sessionId: 's-1' })])).not.toContain('Error');
  });

  it('has one where an iteration failed, with its error', async () => {
    const headings = await show([
      session({ sessionId: 's-1' }),
      session({ sessionId: 's-2', iteration: 2, status: 'failed', error: 'API error 529' }),
    ]);
    expect(headings).toContain('Error');
    expect(document.querySelector('[data-session-id="s-2"] .error-cell')!.textContent).toBe('API error 529');
  });
});
