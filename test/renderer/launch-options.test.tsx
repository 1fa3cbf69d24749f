import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskSpecInput } from '../../src-main/contract/task-spec';
import {
  budgetReached,
  carriedFrom,
  createLaunchStore,
  DEFAULT_VALUES,
  directoryProblem,
  parseAllowedTools,
  PERMISSION_MODES_KEY,
  rememberedPermissionMode,
  validateLaunch,
  valuesFromSpec,
} from '../../src-renderer/stores/launch-store';
import { fakeClient, memoryStorage, spec, summary } from './fixtures';
import { renderLaunchForm as renderForm } from './launch-form-harness';

afterEach(cleanup);

const good = { ...DEFAULT_VALUES, dir: '/work/demo', prompt: 'fix it' };

describe('the allowed-tools field', () => {
  it('takes one rule per line or comma-separated, keeping commas inside a rule', () => {
    expect(parseAllowedTools('Bash(npm test:*)\nEdit, Read\n\n  Write  ')).toEqual([
      'Bash(npm test:*)',
      'Edit',
      'Read',
      'Write',
    ]);
    expect(parseAllowedTools('Bash(git log --format=%h,%s), Edit')).toEqual(['Bash(git log --format=%h,%s)', 'Edit']);
    expect(parseAllowedTools(' , \n ')).toEqual([]);
  });

  it('is sent as allowedTools, with budget, max turns and title', () => {
    const checked = validateLaunch({
      ...good,
      allowedTools: 'Bash(npm test:*), Edit',
      budgetUsd: ' 2.5 ',
      maxTurns: '30',
      title: ' Green tests ',
      permissionMode: 'default',
    });
    expect(checked.spec).toEqual({
      agent: 'claude',
      dir: '/work/demo',
      prompt: 'fix it',
      maxIterations: 5,
      context: 'fresh',
      title: 'Green tests',
      permissionMode: 'default',
      allowedTools: ['Bash(npm test:*)', 'Edit'],
      budgetUsd: 2.5,
      maxTurns: 30,
      worktree: false,
      stallAfter: 3,
    });
  });

  it('shows the schema’s messages for a bad budget and max turns on their fields', () => {
    expect(validateLaunch({ ...good, budgetUsd: '0', maxTurns: 'many' }).errors).toEqual({
      budgetUsd: 'The budget must be more than 0 USD',
      maxTurns: 'Max turns must be a whole number',
    });
  });
});

describe('the subscription-window settings', () => {
  it('send onQuota "stop" and the pause percent as a share; "wait" and a blank percent are the defaults', () => {
    expect(validateLaunch({ ...good, onQuota: 'stop', pauseAtUtilization: ' 85 ' }).spec).toMatchObject({
      onQuota: 'stop',
      pauseAtUtilization: 0.85,
    });
    expect(validateLaunch({ ...good, pauseAtUtilization: '33.3' }).spec?.pauseAtUtilization).toBe(0.333);
    expect(validateLaunch({ ...good, pauseAtUtilization: '100' }).spec?.pauseAtUtilization).toBe(1);
    const defaults = validateLaunch(good).spec!;
    expect(defaults).not.toHaveProperty('onQuota');
    expect(defaults).not.toHaveProperty('pauseAtUtilization');
  });

  it('refuse a pause percent outside 1–100, or no number, on its field', () => {
    for (const typed of ['150', '0', '0.5', '-3', 'most']) {
      expect(validateLaunch({ ...good, pauseAtUtilization: typed }).errors).toEqual({
        pauseAtUtilization: 'Pause at window use must be a percent from 1 to 100',
      });
    }
  });

  it('are fields of the form, each with a line on what it does, and reach the launched spec', async () => {
    const { launches } = renderForm(async (method) => (method === 'listProjects' ? [] : summary()));
    const choice = screen.getByLabelText('When the subscription window is spent') as HTMLSelectElement;
    expect(choice.value).toBe('wait');
    expect([...choice.options].map((o) => o.textContent)).toEqual(['wait for its reset (default)', 'stop the task']);
    expect(document.getElementById('launch-onQuota-hint')!.textContent).toMatch(/until the window resets/);
    fireEvent.change(choice, { target: { value: 'stop' } });
    expect(document.getElementById('launch-onQuota-hint')!.textContent).toMatch(/stops, resumable/);
    const pause = screen.getByLabelText('Pause at window use (%)');
    expect(pause.getAttribute('aria-describedby')).toBe('launch-pauseAtUtilization-hint');
    expect(document.getElementById('launch-pauseAtUtilization-hint')!.textContent).toMatch(/start no iteration/);

    fireEvent.change(screen.getByLabelText('Project directory'), { target: { value: '/work/demo' } });
    fireEvent.change(screen.getByLabelText('Prompt'), { target: { value: 'x' } });
    fireEvent.change(pause, { target: { value: '150' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Launch' }));
    });
    // 150 % is refused at its field, and nothing is launched.
    expect(launches()).toHaveLength(0);
    expect(screen.getByRole('alert').textContent).toBe('Pause at window use must be a percent from 1 to 100');
    expect(pause.getAttribute('aria-invalid')).toBe('true');

    fireEvent.change(pause, { target: { value: '90' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Launch' }));
    });
    expect(launches()).toHaveLength(1);
    expect(launches()[0]!.input).toMatchObject({ onQuota: 'stop', pauseAtUtilization: 0.9 });
  });
});

describe('the project directory', () => {
  it('refuses ~ and relative paths at the field, and takes absolute ones', () => {
    expect(directoryProblem('~/code/app')).toBe('Use an absolute path; ~ is not expanded');
    expect(directoryProblem('code/app')).toMatch(/^Use an absolute path/);
    expect(directoryProblem('./app')).toMatch(/^Use an absolute path/);
    expect(directoryProblem('/home/me/app')).toBeNull();
    expect(directoryProblem('C:\\code\\app')).toBeNull();
    expect(directoryProblem('')).toBeNull();
    expect(validateLaunch({ ...good, dir: '~/code/app' }).errors).toEqual({
      dir: 'Use an absolute path; ~ is not expanded',
    });
    // With other problems, every field still gets its own message.
    expect(validateLaunch({ ...good, dir: 'app', prompt: ' ' }).errors).toMatchObject({
      dir: expect.stringMatching(/^Use an absolute path/),
      prompt: 'The prompt must not be empty',
    });
  });
});

describe('the permission mode', () => {
  it('defaults to acceptEdits, so a task launched with the defaults can edit files', () => {
    const store = createLaunchStore(fakeClient(), memoryStorage());
    expect(store.getState().values.permissionMode).toBe('acceptEdits');
  });

  it('is remembered per project directory, and a directory without memory keeps the user’s choice', async () => {
    const storage = memoryStorage();
    const sent: TaskSpecInput[] = [];
    const client = fakeClient({
      launchTask: async (input) => {
        sent.push(input);
        return summary();
      },
    });
    const store = createLaunchStore(client, storage);
    const s = () => store.getState();
    s().setField('dir', '/work/a');
    s().setField('prompt', 'x');
    s().setField('permissionMode', 'bypassPermissions');
    await s().submit();
    expect(sent[0]!.permissionMode).toBe('bypassPermissions');
    expect(rememberedPermissionMode(storage, '/work/a')).toBe('bypassPermissions');
    expect(rememberedPermissionMode(storage, '/work/a/')).toBe('bypassPermissions');

    s().setField('dir', '/work/b');
    s().setField('permissionMode', 'plan');
    s().setField('prompt', 'y');
    await s().submit();
    expect(JSON.parse(storage.data.get(PERMISSION_MODES_KEY)!)).toEqual({
      '/work/a': 'bypassPermissions',
      '/work/b': 'plan',
    });

    // A new window: the last directory comes back with its mode; each directory brings its own.
    const next = createLaunchStore(client, storage);
    expect(next.getState().values).toMatchObject({ dir: '/work/b', permissionMode: 'plan' });
    next.getState().setField('dir', '/work/a');
    expect(next.getState().values.permissionMode).toBe('bypassPermissions');
    // Leaving a remembered directory for a new one goes back to the default, not the other project's mode.
    next.getState().setField('dir', '/work/new');
    expect(next.getState().values.permissionMode).toBe('acceptEdits');
    // A mode the user picked is kept while they type a directory that has no memory.
    next.getState().setField('permissionMode', 'default');
    next.getState().setField('dir', '/work/ne');
    next.getState().setField('dir', '/work/newer');
    expect(next.getState().values.permissionMode).toBe('default');
  });

  it('falls back to the settings’ default when a directory has none', async () => {
    const client = fakeClient({
      getSettings: async () => ({
        taskDefaults: { permissionMode: 'plan', model: 'claude-opus-4-5', maxIterations: 9, budgetUsd: 3 },
        dailyBudgetUsd: null,
        maxConcurrentTasks: 2,
      }),
    });
    const storage = memoryStorage({ [PERMISSION_MODES_KEY]: JSON.stringify({ '/work/a': 'acceptEdits' }) });
    const store = createLaunchStore(client, storage);
    await store.getState().loadDefaults();
    expect(store.getState().values).toMatchObject({
      permissionMode: 'plan',
      model: 'claude-opus-4-5',
      maxIterations: '9',
      budgetUsd: '3',
    });
    store.getState().setField('dir', '/work/a');
    expect(store.getState().values.permissionMode).toBe('acceptEdits');
    store.getState().setField('dir', '/work/b');
    expect(store.getState().values.permissionMode).toBe('plan');
  });
});

describe('the settings’ task defaults', () => {
  it('fill only the fields the user has not set', async () => {
    const client = fakeClient({
      getSettings: async () => ({
        taskDefaults: { model: 'claude-haiku-4-5', maxIterations: 12 },
        dailyBudgetUsd: null,
        maxConcurrentTasks: 2,
      }),
    });
    const store = createLaunchStore(client, memoryStorage());
    store.getState().setField('model', 'claude-opus-4-1');
    await store.getState().loadDefaults();
    expect(store.getState().values).toMatchObject({ model: 'claude-opus-4-1', maxIterations: '12', budgetUsd: '' });
  });

  it('leave the form as it is when the settings cannot be read', async () => {
    const store = createLaunchStore(fakeClient(), memoryStorage());
    await store.getState().loadDefaults();
    expect(store.getState().values).toEqual(DEFAULT_VALUES);
  });
});

describe('"Run again with these settings"', () => {
  it('fills the form from the spec and keeps the fields the form has no field for', async () => {
    const old = spec({
      agent: 'claude',
      dir: '/work/demo',
      prompt: 'Make it fast',
      title: 'Speed',
      model: 'claude-opus-4-5',
      maxIterations: 7,
      context: 'fork',
      check: 'npm test',
      permissionMode: 'bypassPermissions',
      allowedTools: ['Bash(npm test:*)', 'Edit'],
      budgetUsd: 4,
      maxTurns: 20,
      maxRetries: 1,
      maxTokens: 100000,
      onQuota: 'stop',
      pauseAtUtilization: 0.85,
    });
    expect(valuesFromSpec(old, 'acceptEdits')).toEqual({
      agent: 'claude',
      dir: '/work/demo',
      prompt: 'Make it fast',
      title: 'Speed',
      model: 'claude-opus-4-5',
      maxIterations: '7',
      context: 'fork',
      check: 'npm test',
      permissionMode: 'bypassPermissions',
      allowedTools: 'Bash(npm test:*)\nEdit',
      budgetUsd: '4',
      maxTurns: '20',
      onQuota: 'stop',
      pauseAtUtilization: '85',
      worktree: false,
      stallAfter: '3',
    });
    // Defaults filled in by the schema are not carried: only what differs.
    expect(carriedFrom(old)).toEqual({ maxRetries: 1, maxTokens: 100000 });

    const sent: TaskSpecInput[] = [];
    const client = fakeClient({
      launchTask: async (input) => {
        sent.push(input);
        return summary();
      },
    });
    const store = createLaunchStore(client, memoryStorage());
    store.getState().prefill(old, 'Speed');
    expect(store.getState().formOpen).toBe(true);
    expect(store.getState().copiedFrom).toBe('Speed');
    await store.getState().submit();
    expect(sent[0]).toEqual({
      agent: 'claude',
      dir: '/work/demo',
      prompt: 'Make it fast',
      title: 'Speed',
      model: 'claude-opus-4-5',
      maxIterations: 7,
      context: 'fork',
      check: 'npm test',
      permissionMode: 'bypassPermissions',
      allowedTools: ['Bash(npm test:*)', 'Edit'],
      budgetUsd: 4,
      maxTurns: 20,
      onQuota: 'stop',
      pauseAtUtilization: 0.85,
      worktree: false,
      stallAfter: 3,
      maxRetries: 1,
      maxTokens: 100000,
    });
    expect(store.getState().carried).toEqual({});
  });
});

const settings = { taskDefaults: {}, dailyBudgetUsd: 10, maxConcurrentTasks: 2 };

describe('<LaunchForm> options', () => {
  it('offers the four permission modes, each with what it allows, acceptEdits chosen', async () => {
    renderForm(async (method) => (method === 'listProjects' ? [] : method === 'getSettings' ? settings : null));
    const select = screen.getByLabelText('Permission mode') as HTMLSelectElement;
    expect(select.value).toBe('acceptEdits');
    expect([...select.options].map((o) => o.textContent)).toEqual([
      'default: the CLI asks first; run headless it refuses file edits and most Bash',
      'acceptEdits: edits files without asking; still refuses most Bash',
      'bypassPermissions: everything, no questions asked; use with care',
      'plan: reads and plans only; changes nothing',
    ]);
    for (const label of ['Allowed tools', 'Budget (USD)', 'Max turns', 'Title', 'Model']) {
      expect(screen.getByLabelText(label)).toBeTruthy();
    }
    // Known models are offered, any other can be typed.
    const models = document.getElementById('launch-known-models')!;
    expect([...models.querySelectorAll('option')].map((o) => o.value)).toContain('claude-sonnet-4-5');
  });

  it('refuses ~ at the field as soon as it is left', async () => {
    renderForm(async () => []);
    const dir = screen.getByLabelText('Project directory');
    fireEvent.change(dir, { target: { value: '~/code' } });
    fireEvent.blur(dir);
    expect(screen.getByRole('alert').textContent).toBe('Use an absolute path; ~ is not expanded');
    expect(dir.getAttribute('aria-invalid')).toBe('true');
  });

  it('launches with Ctrl+Enter from any field', async () => {
    const { launches } = renderForm(async (method) => (method === 'listProjects' ? [] : summary()));
    fireEvent.change(screen.getByLabelText('Project directory'), { target: { value: '/work/demo' } });
    fireEvent.change(screen.getByLabelText('Prompt'), { target: { value: 'x' } });
    await act(async () => {
      fireEvent.keyDown(screen.getByLabelText('Model'), { key: 'Enter', metaKey: true });
    });
    expect(launches()).toHaveLength(1);
  });

  it('warns on the form when today’s spending has reached the daily budget', async () => {
    renderForm(async (method) => {
      if (method === 'getSpending') return { spentTodayUsd: 10.2, dailyBudgetUsd: 10 };
      return method === 'listProjects' ? [] : settings;
    });
    const warning = await screen.findByTestId('budget-warning');
    expect(warning.textContent).toContain('$10.20');
    expect(warning.textContent).toContain(
      'has reached the daily budget of $10.00: a task launched now would be refused',
    );
    expect(screen.getByRole('button', { name: 'Launch' })).toBeTruthy();
  });

  it('shows the spending so far without a warning under the budget', async () => {
    renderForm(async (method) => {
      if (method === 'getSpending') return { spentTodayUsd: 2.5, dailyBudgetUsd: 10, timeZone: 'Asia/Tokyo' };
      return method === 'listProjects' ? [] : settings;
    });
    expect((await screen.findByTestId('spending')).textContent).toBe(
      'Spent today: $2.50 of the daily budget of $10.00 (today in Asia/Tokyo).',
    );
    expect(screen.queryByTestId('budget-warning')).toBeNull();
  });

  it('knows when the budget is reached', () => {
    expect(budgetReached(null)).toBe(false);
    expect(budgetReached({ spentTodayUsd: 50, dailyBudgetUsd: null })).toBe(false);
    expect(budgetReached({ spentTodayUsd: 9.99, dailyBudgetUsd: 10 })).toBe(false);
    expect(budgetReached({ spentTodayUsd: 10, dailyBudgetUsd: 10 })).toBe(true);
  });
});
