import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { emit } from './app-harness';
import type { TaskSpecInput } from '../../src-main/contract/task-spec';
import {
  createLaunchStore,
  PERMISSION_MODES_KEY,
  rememberedPermissionMode,
} from '../../src-renderer/stores/launch-store';
import {
  budgetReached,
  carriedFrom,
  directoryProblem,
  parseAllowedTools,
  valuesFromSpec,
} from '../../src-renderer/stores/launch-values';
import { fakeClient, memoryStorage, spec, summary } from './fixtures';
import * as harness from './launch-form-harness';

const { clickLaunch, read, renderLaunchForm: renderForm, served, typed, typeInto, unfold } = harness;

afterEach(cleanup);

const good = { dir: '/work/demo', prompt: 'fix it' };

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
    const checked = read({
      ...good,
      allowedTools: 'Bash(npm test:*), Edit',
      budgetUsd: ' 2.5 ',
      maxTurns: '30',
      title: ' Green tests ',
      permissionMode: 'default',
    });
    expect(checked.spec).toEqual(
      served({
        ...good,
        title: 'Green tests',
        permissionMode: 'default',
        allowedTools: ['Bash(npm test:*)', 'Edit'],
        budgetUsd: 2.5,
        maxTurns: 30,
      }),
    );
  });

  it('shows the schema’s messages for a bad budget, max turns and rule on their fields', () => {
    expect(read({ ...good, budgetUsd: '0', maxTurns: 'many', allowedTools: '-x' }).errors).toEqual({
      budgetUsd: 'the budget must be more than 0 USD',
      maxTurns: 'max turns must be a whole number',
      allowedTools: 'an allowed tool is a tool name or rule, not an option',
    });
  });
});

describe('the subscription-window settings', () => {
  it('send onQuota and the pause percent as a share', () => {
    expect(read({ ...good, onQuota: 'stop', pauseAtUtilization: ' 85 ' }).spec).toMatchObject({
      onQuota: 'stop',
      pauseAtUtilization: 0.85,
    });
    expect(read({ ...good, pauseAtUtilization: '33.3' }).spec?.pauseAtUtilization).toBe(0.333);
    expect(read({ ...good, pauseAtUtilization: '100' }).spec?.pauseAtUtilization).toBe(1);
    expect(read(good).spec).not.toHaveProperty('pauseAtUtilization');
  });

  it('refuse a pause percent outside 1–100, or no number, on its field, in percent', () => {
    for (const typedPercent of ['150', '0', '0.5', '-3', 'most']) {
      expect(read({ ...good, pauseAtUtilization: typedPercent }).errors).toEqual({
        pauseAtUtilization: 'Pause at window use must be a percent from 1 to 100',
      });
    }
  });

  it('are fields of the unfolded form, each with a line on what it does, and reach the launched spec', async () => {
    const { launches } = renderForm(async (method) => (method === 'listProjects' ? [] : summary()));
    unfold();
    const choice = screen.getByLabelText('When the subscription window is spent') as HTMLSelectElement;
    expect(choice.value).toBe('wait');
    expect([...choice.options].map((o) => o.textContent)).toEqual(['wait for its reset (default)', 'stop the task']);
    expect(document.getElementById('launch-onQuota-hint')!.textContent).toMatch(/until the window resets/);
    fireEvent.change(choice, { target: { value: 'stop' } });
    expect(document.getElementById('launch-onQuota-hint')!.textContent).toMatch(/stops, resumable/);
    const pause = screen.getByLabelText('Pause at window use (%)');
    expect(pause.getAttribute('aria-describedby')).toBe('launch-pauseAtUtilization-hint');

    typeInto('Project directory', '/work/demo');
    typeInto('Prompt', 'x');
    typeInto('Pause at window use (%)', '150');
    await clickLaunch();
    expect(launches()).toHaveLength(0);
    expect(screen.getByRole('alert').textContent).toBe('Pause at window use must be a percent from 1 to 100');
    expect(pause.getAttribute('aria-invalid')).toBe('true');

    typeInto('Pause at window use (%)', '90');
    await clickLaunch();
    expect(launches()).toHaveLength(1);
    expect(launches()[0]!.input).toMatchObject({ onQuota: 'stop', pauseAtUtilization: 0.9 });
  });
});

describe('the project directory', () => {
  it('refuses ~ and relative paths at the field, and takes absolute ones', () => {
    expect(directoryProblem('~/code/app')).toBe('Use an absolute path; ~ is not expanded');
    expect(directoryProblem('./app')).toMatch(/^Use an absolute path/);
    expect(directoryProblem('/home/me/app')).toBeNull();
    expect(directoryProblem('C:\\code\\app')).toBeNull();
    expect(directoryProblem('')).toBeNull();
    expect(read({ ...good, dir: '~/code/app' }).errors).toEqual({ dir: 'Use an absolute path; ~ is not expanded' });
    // With other problems, every field still gets its own message.
    expect(read({ ...good, dir: 'app', prompt: ' ', maxIterations: 'x' }).errors).toEqual({
      dir: expect.stringMatching(/^Use an absolute path/),
      prompt: 'the prompt must not be empty',
      maxIterations: 'max iterations must be a whole number',
    });
  });
});

describe('the permission mode', () => {
  it('is remembered per project directory; a mode the user picked stays while the directory changes', async () => {
    const storage = memoryStorage();
    const sent: TaskSpecInput[] = [];
    const client = fakeClient({
      launchTask: async (input) => {
        sent.push(input);
        return summary();
      },
    });
    const store = createLaunchStore(client, storage);
    const mode = () => store.getState().form.getValues('permissionMode');
    expect(mode()).toBe('acceptEdits');
    typed(store, { dir: '/work/a', prompt: 'x', permissionMode: 'bypassPermissions' });
    await store.getState().submit();
    expect(sent[0]!.permissionMode).toBe('bypassPermissions');
    expect(rememberedPermissionMode(storage, '/work/a/')).toBe('bypassPermissions');

    typed(store, { dir: '/work/b', permissionMode: 'plan', prompt: 'y' });
    await store.getState().submit();
    expect(JSON.parse(storage.data.get(PERMISSION_MODES_KEY)!)).toEqual({
      '/work/a': 'bypassPermissions',
      '/work/b': 'plan',
    });

    // A new window: the last directory comes back with its mode; each directory brings its own.
    const next = createLaunchStore(client, storage);
    const nextMode = () => next.getState().form.getValues('permissionMode');
    expect(next.getState().form.getValues()).toMatchObject({ dir: '/work/b', permissionMode: 'plan' });
    typed(next, { dir: '/work/a' });
    expect(nextMode()).toBe('bypassPermissions');
    // A directory without memory goes back to the default, not the other project's mode.
    typed(next, { dir: '/work/new' });
    expect(nextMode()).toBe('acceptEdits');
    typed(next, { permissionMode: 'default', dir: '/work/a' });
    expect(nextMode()).toBe('default');
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
    expect(store.getState()).toMatchObject({ formOpen: true, copiedFrom: 'Speed' });
    await store.getState().submit();
    expect(sent).toEqual([served(old)]);
    expect(store.getState().carried).toEqual({});
  });
});

const settings = { taskDefaults: {}, dailyBudgetUsd: 10, maxConcurrentTasks: 2 };

describe('<LaunchForm> options', () => {
  it('offers the four permission modes, each with what it allows, acceptEdits chosen', async () => {
    renderForm(async (method) => (method === 'listProjects' ? [] : method === 'getSettings' ? settings : null));
    unfold();
    const select = screen.getByLabelText('Permission mode') as HTMLSelectElement;
    expect(select.value).toBe('acceptEdits');
    expect([...select.options].map((o) => o.textContent)).toEqual([
      'default: the CLI asks first; run headless it refuses file edits and most Bash',
      'acceptEdits: edits files without asking; still refuses most Bash',
      'bypassPermissions: everything, no questions asked; use with care',
      'plan: reads and plans only; changes nothing',
    ]);
    for (const label of ['Allowed tools', 'Budget (USD)', 'Max turns', 'Title', 'Context', 'Stall after']) {
      expect(screen.getByLabelText(label)).toBeTruthy();
    }
    const models = document.getElementById('launch-known-models')!;
    expect([...models.querySelectorAll('option')].map((o) => o.value)).toContain('claude-sonnet-4-5');
  });

  it('refuses ~ at the field as soon as it is left, and drops the message once it is edited', async () => {
    renderForm(async () => []);
    const dir = screen.getByLabelText('Project directory');
    typeInto('Project directory', '~/code');
    await act(async () => {
      fireEvent.blur(dir);
    });
    expect(screen.getByRole('alert').textContent).toBe('Use an absolute path; ~ is not expanded');
    expect(dir.getAttribute('aria-invalid')).toBe('true');
    typeInto('Project directory', '/code');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('launches with Ctrl+Enter from any field', async () => {
    const { launches } = renderForm(async (method) => (method === 'listProjects' ? [] : summary()));
    typeInto('Project directory', '/work/demo');
    typeInto('Prompt', 'x');
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
  });

  it('sends nothing while the budget it warns of is spent, and launches once it is raised', async () => {
    let budget = 10;
    const { launches, transport } = renderForm(async (method) => {
      if (method === 'getSpending') return { spentTodayUsd: 10.2, dailyBudgetUsd: budget };
      return method === 'listProjects' ? [] : summary();
    });
    await screen.findByTestId('budget-warning');
    typeInto('Project directory', '/work/demo');
    typeInto('Prompt', 'x');
    await clickLaunch();
    // One message, the form's own: no refusal from the service under it.
    expect(launches()).toHaveLength(0);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByTestId('budget-warning')).toBeTruthy();
    // Raised in another window, which says so (settings.changed): the next Launch goes through.
    budget = 20;
    await emit(transport, [{ type: 'settings.changed' }]);
    await clickLaunch();
    await waitFor(() => expect(launches()).toHaveLength(1));
    await waitFor(() => expect(screen.queryByTestId('budget-warning')).toBeNull());
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
