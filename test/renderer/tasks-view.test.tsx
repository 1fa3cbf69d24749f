import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { AgentEvent } from '../../src-main/contract/agent-events';
import type { BatonEvent } from '../../src-main/contract/events';
import { goToSearch, shortcutFor } from '../../src-renderer/keyboard';
import { notifyTaskEnd, type NotificationApi } from '../../src-renderer/notifications';
import { formatDate } from '../../src-main/contract/format';
import { appPerTest, emit } from './app-harness';
import { detail, type FakeTransport, session, spec, summary, taskTotals as totals } from './fixtures';

const SID = '0b7f8a5e-1111-4222-8333-944455556666';
const start = appPerTest();

const agent = (event: AgentEvent, taskId = 'run-1', sessionId = SID): BatonEvent => ({
  type: 'agent.event',
  taskId,
  sessionId,
  iteration: 1,
  event,
});

const runningTask = summary({
  id: 'run-1',
  title: 'Running task',
  workingDir: '/work/demo',
  status: 'running',
  spec: spec({ maxIterations: 4, permissionMode: 'acceptEdits' }),
});

async function liveCard(transport: FakeTransport, events: BatonEvent[] = []) {
  await screen.findByText(/No running tasks/);
  await emit(transport, [
    { type: 'task.queued', taskId: 'run-1', task: { ...runningTask, status: 'queued' } },
    { type: 'task.started', taskId: 'run-1' },
    { type: 'iteration.started', taskId: 'run-1', sessionId: SID, iteration: 1, maxIterations: 4 },
    ...events,
  ]);
  return document.querySelector<HTMLElement>('[data-testid="live-task"][data-task-id="run-1"]')!;
}

describe('a launch the agent turns away', () => {
  it('drops the task, says why in the agent’s words, and offers the form filled as it was', async () => {
    const transport = start({
      getDirectoryInfo: async () => ({
        exists: true,
        gitRepository: false,
        hasCommits: false,
        branch: null,
        gitProblem: null,
      }),
    });
    const card = await liveCard(transport);
    expect(card).toBeTruthy();
    const reason = 'the codex agent rejected the model gpt-nope: The model `gpt-nope` does not exist.';
    const taken = { ...runningTask, spec: spec({ prompt: 'Fix the flaky test', model: 'gpt-nope', maxIterations: 4 }) };
    await emit(transport, [{ type: 'task.withdrawn', taskId: 'run-1', reason, task: taken }]);
    expect(document.querySelector('[data-testid="live-task"]')).toBeNull();
    await screen.findByText(/No running tasks/);
    const notice = screen.getByTestId('withdrawn-launch');
    expect(notice.getAttribute('role')).toBe('alert');
    expect(notice.textContent).toBe(
      '“Running task” was not launched: the codex agent rejected the model gpt-nope: The model `gpt-nope` does not exist. Nothing of it was kept. Edit and launch again Dismiss',
    );
    fireEvent.click(within(notice).getByRole('button', { name: 'Edit and launch again' }));
    expect(screen.queryByTestId('withdrawn-launch')).toBeNull();
    expect((screen.getByLabelText('Prompt') as HTMLTextAreaElement).value).toBe('Fix the flaky test');
    expect((screen.getByLabelText('Model') as HTMLInputElement).value).toBe('gpt-nope');
  });

  it('is dismissed without touching the form', async () => {
    const transport = start();
    await liveCard(transport);
    await emit(transport, [{ type: 'task.withdrawn', taskId: 'run-1', reason: 'turned away', task: runningTask }]);
    fireEvent.click(within(screen.getByTestId('withdrawn-launch')).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByTestId('withdrawn-launch')).toBeNull();
  });
});

describe('the live card', () => {
  it('streams text deltas into one block, and tool calls read as what they are', async () => {
    const transport = start();
    const card = await liveCard(transport, [
      agent({ kind: 'text_delta', text: 'Reading ' }),
      agent({ kind: 'text_delta', text: 'the code' }),
    ]);
    const texts = () =>
      within(card)
        .queryAllByTestId('assistant-text')
        .map((t) => t.textContent);
    expect(texts()).toEqual(['Reading the code']);
    expect(within(card).getByTestId('assistant-text').dataset.partial).toBe('true');
    await emit(transport, [
      agent({ kind: 'text', text: 'Reading the code.' }),
      agent({ kind: 'tool_use', toolUseId: 'a', name: 'Edit', input: { file_path: '/work/demo/src/app.ts' } }),
      agent({ kind: 'tool_use', toolUseId: 'b', name: 'Grep', input: { pattern: 'TODO' } }),
    ]);
    expect(texts()).toEqual(['Reading the code.']);
    const calls = within(card).getAllByTestId('tool-call');
    expect(calls.map((c) => c.querySelector('.tool-summary')!.textContent)).toEqual(['Edit src/app.ts', 'Grep TODO']);
    // The full input stays one click away.
    expect(calls[0]!.querySelector('details pre')!.textContent).toContain('"file_path"');
  });

  it('shows tokens and an estimated cost rising while the iteration runs, then the agent’s figure', async () => {
    const transport = start();
    const card = await liveCard(transport, [
      agent({
        kind: 'usage',
        usage: { inputTokens: 1000, outputTokens: 200, cacheCreationTokens: 0, cacheReadTokens: 0 },
        estimatedCostUsd: 0.0123,
      }),
    ]);
    expect(within(card).getByTestId('task-tokens').dataset.value).toBe('1200');
    expect(within(card).getByTestId('task-cost').dataset.value).toBe('0.0123');
    expect(within(card).getByTestId('task-cost').parentElement!.textContent).toContain('Cost (estimate)');
    await emit(transport, [
      agent({
        kind: 'result',
        result: {
          isError: false,
          subtype: 'success',
          apiErrorStatus: null,
          resultText: 'ok',
          turns: 3,
          costUsd: 0.02,
          durationMs: 4000,
          apiDurationMs: 3000,
          usage: { inputTokens: 1000, outputTokens: 300, cacheCreationTokens: 0, cacheReadTokens: 0 },
          permissionDenials: 3,
        },
      }),
    ]);
    expect(within(card).getByTestId('task-cost').dataset.value).toBe('0.02');
    expect(within(card).getByTestId('task-cost').parentElement!.textContent).not.toContain('estimate');
    // Permission denials, with what to change.
    const denials = within(card).getByTestId('permission-denials');
    expect(denials.textContent).toContain('3 tool calls were blocked by the permission mode');
    expect(denials.textContent).toContain('bypassPermissions');
    expect(denials.textContent).toContain('allowed tools');
  });

  it('shows an API retry in words while it waits, not "(unknown)"', async () => {
    const transport = start();
    const card = await liveCard(transport, [
      agent({ kind: 'retry', attempt: 7, maxRetries: 10, delayMs: 35_000, errorStatus: null, error: 'fetch failed' }),
    ]);
    const notice = within(card).getByTestId('api-retry');
    expect(notice.textContent).toBe("Can't reach the API: fetch failed; retry 7 of 10 in 35 s");
    expect(notice.className).toContain('notice-warning');
    expect(within(card).getByTestId('stream-retry').textContent).not.toContain('unknown');
    await emit(transport, [agent({ kind: 'text', text: 'back' })]);
    expect(within(card).queryByTestId('api-retry')).toBeNull();
  });

  it('moves the stream to the new session id when the iteration is retried', async () => {
    const transport = start();
    const card = await liveCard(transport, [agent({ kind: 'text', text: 'first attempt' })]);
    const next = '1c8f8a5e-1111-4222-8333-944455556666';
    await emit(transport, [
      {
        type: 'iteration.retrying',
        taskId: 'run-1',
        iteration: 1,
        attempt: 1,
        previousSessionId: SID,
        sessionId: next,
        error: 'the agent printed no result',
      },
      agent({ kind: 'text', text: 'second attempt' }, 'run-1', next),
    ]);
    const iterations = within(card).getAllByTestId('iteration');
    expect(iterations.map((i) => i.dataset.sessionId)).toEqual([next]);
    const stream = within(card).getByTestId('agent-stream');
    expect(stream.textContent).toContain('first attempt');
    expect(within(stream).getByTestId('attempt-failed').textContent).toContain('Attempt 1 failed');
    expect(stream.textContent).toContain('second attempt');
  });

  it('asks to stop with "s" on a focused card', async () => {
    const transport = start({ stopTask: () => ({ stopped: true }) });
    const card = await liveCard(transport);
    card.focus();
    fireEvent.keyDown(card, { key: 's' });
    const confirm = within(card).getByTestId('stop-confirm');
    expect(document.activeElement).toBe(within(confirm).getByRole('button', { name: 'Stop' }));
    fireEvent.keyDown(confirm, { key: 'Escape' });
    expect(within(card).queryByTestId('stop-confirm')).toBeNull();
    expect(transport.calls.filter((c) => c.method === 'stopTask')).toHaveLength(0);
  });

  it('loads a task another process started, first heard of through iteration.started', async () => {
    const cliTask = detail({ ...runningTask, id: 'cli-1', title: 'Started by the CLI', sessions: [] });
    const transport = start({ getTask: () => cliTask });
    await screen.findByText(/No running tasks/);
    await emit(transport, [
      { type: 'iteration.started', taskId: 'cli-1', sessionId: SID, iteration: 1, maxIterations: 4 },
      agent({ kind: 'text', text: 'from elsewhere' }, 'cli-1'),
    ]);
    const card = await waitFor(() => {
      const el = document.querySelector<HTMLElement>('[data-testid="live-task"][data-task-id="cli-1"]');
      if (!el) throw new Error('no card yet');
      return el;
    });
    expect(card.textContent).toContain('Started by the CLI');
    expect(card.textContent).toContain('from elsewhere');
  });
});

describe('Recent', () => {
  it('lists finished tasks in History’s columns', async () => {
    const done = summary({
      id: 'd1',
      title: 'Done one',
      status: 'budget_exceeded',
      iterations: 2,
      createdAt: Date.UTC(2026, 11, 7, 9, 0),
      finishedAt: Date.UTC(2026, 11, 7, 10, 30),
    });
    start({
      listTasks: () => ({ tasks: [done], total: 1 }),
      listProjects: () => [{ id: 'project-1', name: 'demo (work)', workingDir: '/work/demo', lastUsedAt: 1 }],
    });
    const table = await screen.findByTestId('recent-list');
    expect([...table.querySelectorAll('th')].map((th) => th.textContent)).toEqual([
      'Finished',
      'Task',
      'Project',
      'Model',
      'Status',
      'Iterations',
      'Tokens',
      'Cost',
      'Duration',
    ]);
    const row = within(table).getByTestId('recent-task');
    await waitFor(() => expect(row.textContent).toContain('demo (work)'));
    expect(row.textContent).toContain('over budget');
    // Listed by when they finished, which is what the first column says.
    const finished = row.querySelector('td')!;
    expect(finished.textContent).toBe(formatDate(done.finishedAt!));
    expect(finished.title).toBe(`Created ${formatDate(done.createdAt)}`);
    expect(row.textContent).toContain('claude-sonnet-4-5');
    // The whole name, wrapped where the column is narrow, never cut short with an ellipsis.
    const model = within(row).getByTestId('recent-model');
    expect(model.className).not.toContain('ellipsis');
  });
});

describe('the task page', () => {
  it('of a running task is live: stream, counters, Stop that asks first', async () => {
    window.location.hash = '#/tasks/run-1';
    const running = detail({
      ...runningTask,
      totals: totals(500, 0.05),
      iterations: 1,
      sessions: [
        session({
          sessionId: 's-done',
          iteration: 1,
          inputTokens: 500,
          outputTokens: 0,
          cacheCreationTokens: 0,
          cacheReadTokens: 0,
          costUsd: 0.05,
        }),
        session({
          sessionId: SID,
          iteration: 2,
          status: 'running',
          inputTokens: 0,
          outputTokens: 0,
          cacheCreationTokens: 0,
          cacheReadTokens: 0,
          costUsd: 0,
          startedAt: Date.now() - 5000,
        }),
      ],
    });
    const transport = start({
      getTask: () => running,
      getLiveState: () => ({
        tasks: [running],
        currentEvents: {
          [SID]: [
            { kind: 'text', text: 'working on it' },
            {
              kind: 'usage',
              usage: { inputTokens: 250, outputTokens: 50, cacheCreationTokens: 0, cacheReadTokens: 0 },
              estimatedCostUsd: 0.03,
            },
          ],
        },
      }),
      stopTask: () => ({ stopped: true }),
    });
    await screen.findByText('working on it');
    // Stored totals plus the running iteration so far.
    await waitFor(() => expect(screen.getByTestId('total-tokens').dataset.value).toBe('800'));
    expect(screen.getByTestId('total-cost').dataset.value).toBe('0.08');
    expect(screen.getByTestId('total-cost').closest('.total')!.textContent).toContain('Cost (estimate)');
    const runningRow = document.querySelector<HTMLElement>(`[data-testid="session-row"][data-session-id="${SID}"]`)!;
    expect(runningRow.querySelector('td.num')!.getAttribute('data-value')).toBe('300');
    expect(screen.queryByRole('button', { name: 'Run again with these settings' })).toBeNull();
    // The running iteration's turns come when it ends; the ended iteration is charted.
    expect(screen.getByTestId('total-turns').textContent).toBe(`${running.totals.turns} + …`);
    expect(await screen.findByTestId('chart-iteration-tokens')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
    expect(screen.getByTestId('stop-confirm').textContent).toContain('Stop this task?');
    await act(async () => {
      fireEvent.click(within(screen.getByTestId('stop-confirm')).getByRole('button', { name: 'Stop' }));
    });
    expect(transport.calls.filter((c) => c.method === 'stopTask').map((c) => c.input)).toEqual([{ taskId: 'run-1' }]);
  });

  it('of a first iteration still running waits for it for the turns, the average and the charts', async () => {
    window.location.hash = '#/tasks/run-1';
    const first = detail({
      ...runningTask,
      iterations: 1,
      sessions: [session({ sessionId: SID, iteration: 1, status: 'running', startedAt: Date.now() - 1000 })],
    });
    start({ getTask: () => first, getLiveState: () => ({ tasks: [first], currentEvents: {} }) });
    expect((await screen.findByTestId('total-turns')).textContent).toBe('—');
    expect(screen.getByTestId('tokens-per-iteration').textContent).toBe('—');
    expect(screen.getByTestId('charts-pending').textContent).toBe('The charts fill in as iterations end.');
    expect(screen.queryByTestId('chart-iteration-tokens')).toBeNull();
  });

  it('says where a task run from a terminal runs, and stops it through the service like any other', async () => {
    const inTerminal = { pid: 4242, host: 'cli' as const };
    const running = detail({
      ...runningTask,
      runner: inTerminal,
      sessions: [session({ sessionId: SID, iteration: 1, status: 'running', startedAt: Date.now() - 1000 })],
    });
    const here = detail({ ...runningTask, id: 'run-2', title: 'Run here', runner: { pid: 1000, host: 'browser' } });
    const transport = start({
      getTask: () => running,
      getLiveState: () => ({ tasks: [running, here], currentEvents: {}, servicePid: 1000 }),
      stopTask: () => ({ stopped: false }),
    });
    const where = 'Running in a terminal (pid 4242 on this machine)';

    const card = await waitFor(() => {
      const found = document.querySelector<HTMLElement>('[data-testid="live-task"][data-task-id="run-1"]');
      if (!found) throw new Error('no card yet');
      return found;
    });
    expect(within(card).getByTestId('runs-elsewhere').textContent).toBe(where);
    // The shortcut asks, as on any card; the service asks the terminal's process to stop it.
    fireEvent.keyDown(card, { key: 's' });
    fireEvent.click(within(card).getByRole('button', { name: 'Stop' }));
    await waitFor(() =>
      expect(transport.calls.filter((c) => c.method === 'stopTask').map((c) => c.input)).toEqual([{ taskId: 'run-1' }]),
    );
    // That process did not end it in time: said, with where else to stop it.
    expect((await within(card).findByRole('alert')).textContent).toContain(
      'stop it where it runs (Ctrl-C in a terminal)',
    );
    // The task this window's service runs says nothing of where it runs.
    const own = document.querySelector<HTMLElement>('[data-testid="live-task"][data-task-id="run-2"]')!;
    expect(within(own).getByRole('button', { name: 'Stop' })).toBeTruthy();
    expect(within(own).queryByTestId('runs-elsewhere')).toBeNull();

    window.location.hash = '#/tasks/run-1';
    expect((await screen.findByTestId('runs-elsewhere')).textContent).toBe(where);
  });

  it('says the same of a queued task a `baton serve` elsewhere holds', async () => {
    const queued = detail({ ...runningTask, status: 'queued', runner: { pid: 77, host: 'browser' } });
    start({ getLiveState: () => ({ tasks: [queued], currentEvents: {}, servicePid: 1000 }) });
    expect((await screen.findByTestId('runs-elsewhere')).textContent).toBe(
      'Queued in another Baton browser-mode server (pid 77 on this machine)',
    );
  });

  it('says where else to stop a task whose process did not stop it, when who runs it is not known', async () => {
    window.location.hash = '#/tasks/run-1';
    const running = detail({
      ...runningTask,
      sessions: [session({ sessionId: SID, iteration: 1, status: 'running', startedAt: Date.now() - 1000 })],
    });
    start({
      getTask: () => running,
      getLiveState: () => ({ tasks: [running], currentEvents: {} }),
      stopTask: () => ({ stopped: false }),
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Stop' }));
    await act(async () => {
      fireEvent.click(within(screen.getByTestId('stop-confirm')).getByRole('button', { name: 'Stop' }));
    });
    expect((await screen.findByRole('alert')).textContent).toContain('did not stop it; stop it where it runs');
  });

  it('of a failed task offers Resume and Run again; Run again fills the launch form', async () => {
    const failed = detail({
      ...runningTask,
      id: 'f-1',
      title: 'Broken',
      status: 'failed',
      statusReason: 'three failed iterations in a row',
      iterations: 1,
      spec: spec({
        dir: '/work/demo',
        prompt: 'Fix the build',
        maxIterations: 4,
        permissionMode: 'bypassPermissions',
        allowedTools: ['Bash(npm test:*)'],
        budgetUsd: 2,
      }),
      sessions: [
        session({
          sessionId: 's1',
          iteration: 1,
          status: 'failed',
          error: 'the CLI exited with 1',
          permissionDenials: 2,
          eventsNotStored: 7,
        }),
      ],
    });
    window.location.hash = '#/tasks/f-1';
    start({ getTask: () => failed });
    const status = await screen.findByTestId('task-status');
    expect(status.textContent).toBe('failed');
    expect(screen.getByRole('button', { name: 'Resume' })).toBeTruthy();
    const row = screen.getByTestId('session-row');
    expect(row.textContent).toContain('the CLI exited with 1');
    expect(row.textContent).not.toContain('success');
    expect(screen.getByTestId('permission-denials').textContent).toContain(
      '2 tool calls were blocked by the permission mode',
    );
    expect(screen.getByTestId('events-not-stored').textContent).toContain('7 in iteration 1');

    fireEvent.click(screen.getByRole('button', { name: 'Run again with these settings' }));
    await waitFor(() => expect(window.location.hash).toBe('#/'));
    const prompt = (await screen.findByLabelText('Prompt')) as HTMLTextAreaElement;
    expect(prompt.value).toBe('Fix the build');
    // The copied choices past the essentials are named while folded, and are there unfolded.
    expect(screen.getByTestId('more-options-summary').textContent).toBe(
      'bypassPermissions · budget $2 · 1 allowed tool',
    );
    fireEvent.click(screen.getByRole('button', { name: 'More options' }));
    expect((screen.getByLabelText('Permission mode') as HTMLSelectElement).value).toBe('bypassPermissions');
    expect((screen.getByLabelText('Allowed tools') as HTMLTextAreaElement).value).toBe('Bash(npm test:*)');
    expect((screen.getByLabelText('Budget (USD)') as HTMLInputElement).value).toBe('2');
    expect((screen.getByLabelText('Max iterations') as HTMLInputElement).value).toBe('4');
    expect(screen.getByTestId('copied-from').textContent).toContain('Broken');
  });
});

describe('the replay', () => {
  const events: AgentEvent[] = Array.from({ length: 300 }, (_, i) => ({ kind: 'text', text: `line ${i}` }));
  const stored = session({
    sessionId: 's-two',
    iteration: 2,
    inputTokens: 100,
    outputTokens: 50,
    cacheCreationTokens: 1000,
    cacheReadTokens: 2000,
  });
  const task = detail({
    id: 'done-1',
    status: 'completed',
    iterations: 2,
    sessions: [session({ sessionId: 's-one' }), stored],
  });

  it('opens at the end, with the header the table shows; Play starts from the beginning', async () => {
    window.location.hash = '#/tasks/done-1';
    start({
      getTask: () => task,
      getSessionEvents: () => ({
        // Usage events that disagree with the stored session must not change the header at the end.
        events: [
          { kind: 'usage', usage: { inputTokens: 1, outputTokens: 1, cacheCreationTokens: 0, cacheReadTokens: 0 } },
          ...events,
        ],
        // Stored before Baton kept times: played 20 a second.
        times: [],
        truncated: false,
      }),
    });
    const row = (await screen.findAllByTestId('session-row'))[1]!;
    fireEvent.click(within(row).getByRole('button', { name: 'Replay' }));
    const panel = await screen.findByTestId('replay-panel');
    expect(panel.textContent).toContain('Replay of iteration 2');
    const position = () => within(panel).getByTestId('replay-position').textContent;
    await waitFor(() => expect(position()).toBe('301 of 301 events'));
    expect(within(panel).getAllByTestId('assistant-text')).toHaveLength(300);
    const tableTokens = row.querySelector('td.num')!.getAttribute('data-value');
    expect(within(panel).getByTestId('replay-tokens').dataset.value).toBe(tableTokens);
    expect(tableTokens).toBe('3150');
    expect(within(panel).getByTestId('replay-time').textContent).toBe('0:15 of 0:15');

    // Where it plays to on this page's real clock is the panel tests' matter (test/renderer/replay.test.tsx).
    fireEvent.click(within(panel).getByRole('button', { name: 'Play' }));
    expect(within(panel).getByRole('button', { name: 'Pause' })).toBeTruthy();
    // Played from the start: none of the texts, or the first few, however long this page took to get here.
    expect(within(panel).queryAllByTestId('assistant-text').length).toBeLessThan(300);
    fireEvent.click(within(panel).getByRole('button', { name: 'Jump to end' }));
    expect(position()).toBe('301 of 301 events');
    expect(within(panel).getByRole('button', { name: 'Play' })).toBeTruthy();
    // And back to the start by a button as by Home; there it has nowhere further back to go.
    fireEvent.click(within(panel).getByRole('button', { name: 'To start' }));
    expect(within(panel).getByTestId('replay-time').textContent).toBe('0:00 of 0:15');
    expect(within(panel).getByRole('button', { name: 'To start' }).hasAttribute('disabled')).toBe(true);
  });
});

describe('keyboard shortcuts', () => {
  it('opens the help with ? and closes it with Esc', async () => {
    start();
    await screen.findByText(/No running tasks/);
    fireEvent.keyDown(document.body, { key: '?' });
    const help = screen.getByTestId('shortcuts-help');
    for (const keys of ['n', 's', '/', '?']) expect(within(help).getByText(keys)).toBeTruthy();
    fireEvent.keyDown(document.body, { key: 'Escape' });
    expect(screen.queryByTestId('shortcuts-help')).toBeNull();
  });

  it('"n" opens the launch form at its prompt, even while tasks run', async () => {
    const transport = start();
    await liveCard(transport);
    expect(screen.queryByLabelText('Prompt')).toBeNull();
    fireEvent.keyDown(document.body, { key: 'n' });
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Prompt')));
  });

  it('leaves keys typed into fields alone', () => {
    const input = document.createElement('input');
    const base = { ctrlKey: false, metaKey: false, altKey: false };
    expect(shortcutFor({ ...base, key: 'n', target: input })).toBeNull();
    expect(shortcutFor({ ...base, key: '/', target: document.createElement('textarea') })).toBeNull();
    expect(shortcutFor({ ...base, key: 'n', target: document.body })).toBe('new-task');
    expect(shortcutFor({ ...base, key: '/', target: document.body })).toBe('search');
    expect(shortcutFor({ ...base, key: '?', target: document.body })).toBe('help');
    expect(shortcutFor({ ...base, key: 'n', ctrlKey: true, target: document.body })).toBeNull();
  });

  it('"/" goes to History and focuses its search box once it is there', async () => {
    goToSearch();
    expect(window.location.hash).toBe('#/history');
    const search = document.createElement('input');
    search.id = 'history-search';
    await new Promise((r) => setTimeout(r, 40));
    document.body.append(search);
    await waitFor(() => expect(document.activeElement).toBe(search));
    search.remove();
  });
});

describe('notifications', () => {
  const finished: BatonEvent = {
    type: 'task.finished',
    taskId: 't1',
    status: 'max_iterations',
    reason: 'ran 5 of 5 iterations',
    task: summary({ id: 't1', title: 'Fix the tests' }),
  };
  function fakeApi(permission: NotificationPermission) {
    const shown: { title: string; options?: NotificationOptions }[] = [];
    const Api = function (this: unknown, title: string, options?: NotificationOptions) {
      shown.push({ title, options });
    } as unknown as NotificationApi;
    Object.assign(Api, { permission, requestPermission: async () => permission });
    return { Api, shown };
  }

  it('show a task’s end in words when wanted and allowed, in the browser only', () => {
    const { Api, shown } = fakeApi('granted');
    expect(notifyTaskEnd(finished, { wanted: true, mode: 'browser', api: Api })).toBe(true);
    expect(shown[0]).toMatchObject({
      title: 'Fix the tests: Reached max iterations',
      options: { body: 'ran 5 of 5 iterations' },
    });
    // The desktop app's main process notifies by itself.
    expect(notifyTaskEnd(finished, { wanted: true, mode: 'desktop', api: Api })).toBe(false);
    expect(notifyTaskEnd(finished, { wanted: false, mode: 'browser', api: Api })).toBe(false);
    expect(notifyTaskEnd({ type: 'task.started', taskId: 't1' }, { wanted: true, mode: 'browser', api: Api })).toBe(
      false,
    );
    const denied = fakeApi('denied');
    expect(notifyTaskEnd(finished, { wanted: true, mode: 'browser', api: denied.Api })).toBe(false);
    expect(shown).toHaveLength(1);
  });

  it('have a toggle in browser mode that asks for permission, and none in the desktop app', async () => {
    const { Api } = fakeApi('granted');
    vi.stubGlobal('Notification', Api);
    start();
    const toggle = (await screen.findByLabelText('Notify me when tasks end')) as HTMLInputElement;
    expect(toggle.checked).toBe(false);
    await act(async () => {
      fireEvent.click(toggle);
    });
    expect(toggle.checked).toBe(true);
    cleanup();
    stop?.();
    start({}, 'desktop');
    await screen.findByText(/No running tasks/);
    // Once the window knows it is the desktop app's, which decides the toggle.
    await waitFor(() => expect(document.querySelector('.app-info')?.textContent).toMatch(/^desktop · v/));
    expect(screen.queryByLabelText('Notify me when tasks end')).toBeNull();
  });
});

describe('the settings view', () => {
  it('saves defaults for new tasks, and shows today’s spending and its zone beside the daily budget', async () => {
    const saved: unknown[] = [];
    window.location.hash = '#/settings';
    start({
      getSettings: () => ({
        taskDefaults: { claude: { maxIterations: 8 }, gemini: { model: 'gemini-2.5-pro' } },
        dailyBudgetUsd: 20,
        maxConcurrentTasks: 2,
      }),
      getSpending: () => ({ spentTodayUsd: 3.456, dailyBudgetUsd: 20, timeZone: 'America/New_York' }),
      updateSettings: (input) => {
        saved.push(input);
        return input;
      },
    });
    const maxIterations = (await screen.findByLabelText('Default max iterations')) as HTMLInputElement;
    await waitFor(() => expect(maxIterations.value).toBe('8'));
    expect((await screen.findByTestId('spent-today')).textContent).toBe('spent today: $3.46');
    expect(screen.getByTestId('budget-zone').textContent).toBe(' Today is the calendar day in America/New_York.');
    // The window sent its own zone as the budget's, the settings having none.
    const windowZone = { timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone };
    await waitFor(() => expect(saved).toEqual([windowZone]));

    fireEvent.change(screen.getByLabelText('Default model'), { target: { value: 'claude-opus-4-5' } });
    // Each agent's own: Codex's are set apart from Claude Code's, and Gemini's stay as they were.
    const agentTab = (name: string) =>
      within(screen.getByRole('radiogroup', { name: 'Defaults of' })).getByRole('radio', { name });
    fireEvent.click(agentTab('Codex'));
    expect(agentTab('Codex').getAttribute('aria-checked')).toBe('true');
    expect(maxIterations.value).toBe('');
    fireEvent.change(screen.getByLabelText('Default model'), { target: { value: 'gpt-5.5' } });
    fireEvent.change(screen.getByLabelText('Default permission mode'), { target: { value: 'bypassPermissions' } });
    fireEvent.change(screen.getByLabelText('Default budget per task (USD)'), { target: { value: '0' } });
    fireEvent.click(agentTab('Claude Code'));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    // The refused default is Codex's: its defaults show, with the message.
    expect((await screen.findByRole('alert')).textContent).toBe('The budget must be more than 0 USD');
    expect(agentTab('Codex').getAttribute('aria-checked')).toBe('true');
    expect(saved).toEqual([windowZone]);

    fireEvent.change(screen.getByLabelText('Default budget per task (USD)'), { target: { value: '1.5' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Saved.');
    expect(saved).toEqual([
      windowZone,
      {
        taskDefaults: {
          claude: { model: 'claude-opus-4-5', maxIterations: 8 },
          codex: { model: 'gpt-5.5', permissionMode: 'bypassPermissions', budgetUsd: 1.5 },
          gemini: { model: 'gemini-2.5-pro' },
        },
        dailyBudgetUsd: 20,
        maxConcurrentTasks: 2,
        // The editor shows every price of the user's, so what it saves is all of them: none here.
        modelPrices: {},
      },
    ]);
    // The Save button is a button in a row of actions, not a stretched grid cell.
    expect(screen.getByRole('button', { name: 'Save' }).parentElement!.className).toBe('form-actions');
  });

  it('says today’s spending is short where some of it is of unknown cost, and asks again after a save', async () => {
    let spent = { spentTodayUsd: 0.11, unknownCostTokensToday: 7812, dailyBudgetUsd: 20 };
    window.location.hash = '#/settings';
    start({
      getSettings: () => ({ taskDefaults: { maxIterations: 8 }, dailyBudgetUsd: 20, maxConcurrentTasks: 2 }),
      getSpending: () => spent,
      updateSettings: (input) => input,
    });
    const figure = await screen.findByTestId('spent-today');
    expect(figure.textContent).toBe('spent today: $0.11 + unknown');
    expect(figure.title).toBe('7,812 tokens have no known cost, left out of this figure');

    // A price saved for the unknown model: what today cost is asked again, without leaving the page.
    spent = { spentTodayUsd: 0.12, unknownCostTokensToday: 0, dailyBudgetUsd: 20 };
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Saved.');
    await waitFor(() => expect(screen.getByTestId('spent-today').textContent).toBe('spent today: $0.12'));
  });
});

const REASON = 'waiting: the 5-hour window is spent; it reopens at 2026-12-02 04:14';

describe('the live view and task page while waiting', () => {
  it('lists the waiting task under Running, and its page is live with the wait and Stop', async () => {
    const wakeAt = Date.now() + 10 * 60_000;
    const waiting = detail({
      id: 'w1',
      title: 'Waiting task',
      status: 'waiting',
      statusReason: REASON,
      wakeAt,
      startedAt: Date.now() - 60_000,
      spec: spec({ maxIterations: 3 }),
    });
    const transport = start({
      getLiveState: () => ({ tasks: [], currentEvents: {} }),
      getTask: () => waiting,
    });
    await screen.findByText(/No running tasks/);
    await emit(transport, [
      { type: 'task.queued', taskId: 'w1', task: summary({ id: 'w1', title: 'Waiting task' }) },
      { type: 'task.started', taskId: 'w1' },
      { type: 'task.waiting', taskId: 'w1', wakeAt, reason: REASON },
    ]);
    const card = screen.getByTestId('live-task');
    expect(card.getAttribute('data-status')).toBe('waiting');
    // Still running, so not among the finished ones.
    expect(document.querySelector('[data-testid="recent-task"][data-task-id="w1"]')).toBeNull();
    expect(within(card).getByTestId('wait-countdown').textContent).toMatch(/^(10m00s|9m5\ds)$/);

    window.location.hash = '#/tasks/w1';
    const status = await screen.findByTestId('task-status');
    expect(status.getAttribute('data-status')).toBe('waiting');
    expect(screen.getByTestId('wait-notice').textContent).toContain(`at ${formatDate(wakeAt)}`);
    expect(screen.getByRole('link', { name: '← Tasks' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Resume' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
    expect(screen.getByTestId('stop-confirm').textContent).toContain('Stop this task?');

    // The wait ends: the page shows the task running again, without the notice.
    await emit(transport, [{ type: 'task.started', taskId: 'w1' }]);
    expect(screen.getByTestId('task-status').getAttribute('data-status')).toBe('running');
    expect(screen.queryByTestId('wait-notice')).toBeNull();
  });
});

describe('the page of a task waiting for the API', () => {
  it('shows its running iteration waiting, not failed: the reason it waits is no error', async () => {
    const reason = 'waiting: could not reach the API at http://127.0.0.1:9: the connection was refused';
    const waiting = detail({
      id: 'a1',
      title: 'API down',
      status: 'waiting',
      statusReason: reason,
      wakeAt: Date.now() + 60_000,
      sessions: [session({ status: 'running', endedAt: null, waitingFor: 'api', error: reason })],
    });
    window.location.hash = '#/tasks/a1';
    start({ getTask: () => waiting });
    const row = await screen.findByTestId('session-row');
    expect(within(row).getByText('waiting for the API')).toBeTruthy();
    // Its reason is in no error cell: the table has none, as no iteration failed.
    expect(row.textContent).not.toContain('could not reach');
    expect(screen.getAllByRole('columnheader').map((h) => h.textContent)).not.toContain('Error');
  });
});

describe('the page of a task stopped at a spent window', () => {
  it('says when the window reopens, then that it has, with Resume emphasised', async () => {
    // Far enough ahead for a loaded machine to render the page first.
    const wakeAt = Date.now() + 1500;
    const stopped = detail({
      id: 'q1',
      title: 'Stopped at quota',
      status: 'cancelled',
      statusReason: 'stopped (on quota: stop): the 5-hour window is spent',
      wakeAt,
      iterations: 1,
      spec: spec({ maxIterations: 3, onQuota: 'stop' }),
    });
    window.location.hash = '#/tasks/q1';
    start({ getTask: () => stopped });
    const notice = await screen.findByTestId('reopen-notice');
    expect(notice.textContent).toBe(
      `Its subscription window reopens at ${formatDate(wakeAt)}; Resume after that to go on.`,
    );
    expect(screen.getByRole('button', { name: 'Resume' }).className).not.toContain('primary');
    await waitFor(() => expect(screen.getByTestId('reopen-notice').textContent).toMatch(/^The window has reopened/), {
      timeout: 5000,
    });
    expect(screen.getByRole('button', { name: 'Resume' }).className).toContain('primary');
  });

  it('offers Resume even when the window stopped it at its last iteration, which did no work', async () => {
    window.location.hash = '#/tasks/q2';
    start({
      getTask: () =>
        detail({
          id: 'q2',
          status: 'cancelled',
          statusReason: 'stopped (on quota: stop): the 5-hour window is spent',
          wakeAt: Date.now() - 60_000,
          iterations: 1,
          spec: spec({ maxIterations: 1, onQuota: 'stop' }),
        }),
    });
    expect((await screen.findByRole('button', { name: 'Resume' })).className).toContain('primary');
  });

  it('says nothing of a window on a task stopped by the user', async () => {
    window.location.hash = '#/tasks/c1';
    start({
      getTask: () =>
        detail({ id: 'c1', status: 'cancelled', statusReason: 'stopped by the user', iterations: 1, wakeAt: null }),
    });
    await screen.findByRole('button', { name: 'Resume' });
    expect(screen.queryByTestId('reopen-notice')).toBeNull();
    expect(screen.getByRole('button', { name: 'Resume' }).className).not.toContain('primary');
  });
});

describe('the launch form’s reads', () => {
  it('share the views’ answers: Settings opened after the form asks for nothing it already has, until an event says so', async () => {
    const transport = start();
    await screen.findByRole('button', { name: 'Launch' });
    const calls = (method: string) => transport.calls.filter((c) => c.method === method).length;
    await waitFor(() => expect([calls('getSettings'), calls('getSpending')]).toEqual([1, 1]));

    act(() => {
      window.location.hash = '#/settings';
    });
    await screen.findByLabelText('Daily budget (USD)');
    expect([calls('getSettings'), calls('getSpending')]).toEqual([1, 1]);

    // New settings made elsewhere: the one answer goes stale for the form and the view alike.
    await emit(transport, [{ type: 'settings.changed' }]);
    await waitFor(() => expect(calls('getSettings')).toBe(2));
  });
});
