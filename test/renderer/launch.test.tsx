import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_ITERATIONS,
  taskSpecSchema,
  type ContextMode,
  type TaskSpecInput,
} from '../../src-main/contract/task-spec';
import { BatonCallError } from '../../src-renderer/errors';
import {
  createLaunchStore,
  DEFAULT_VALUES,
  launchErrors,
  placeIssues,
  RECENT_DIRS_KEY,
  validateLaunch,
} from '../../src-renderer/stores/launch-store';
import { fakeClient, memoryStorage, summary } from './fixtures';
import { renderLaunchForm as renderForm } from './launch-form-harness';

afterEach(cleanup);

describe('validateLaunch', () => {
  const good = { ...DEFAULT_VALUES, dir: ' /work/demo ', prompt: ' fix it ', maxIterations: '8' };
  /** What the contract's own schema says about a spec, by field: the form must say the same. */
  const schemaSays = (input: Record<string, unknown>) => {
    const parsed = taskSpecSchema.safeParse(input);
    if (parsed.success) throw new Error('the schema accepted it');
    return Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message]));
  };
  const sentence = (message: string | undefined) => message && message[0]!.toUpperCase() + message.slice(1);

  it('returns a trimmed spec for good values, leaving empty optional fields out', () => {
    expect(validateLaunch(good)).toEqual({
      spec: {
        agent: 'claude',
        dir: '/work/demo',
        prompt: 'fix it',
        maxIterations: 8,
        context: 'fresh',
        permissionMode: 'acceptEdits',
        worktree: false,
        stallAfter: 3,
      },
      errors: null,
    });
    expect(validateLaunch({ ...good, model: ' opus ', check: ' npm test ', context: 'fork' }).spec).toEqual({
      agent: 'claude',
      dir: '/work/demo',
      prompt: 'fix it',
      maxIterations: 8,
      context: 'fork',
      model: 'opus',
      check: 'npm test',
      permissionMode: 'acceptEdits',
      worktree: false,
      stallAfter: 3,
    });
    // Blank optional text is left out rather than sent as "" (which the schema would refuse).
    expect(validateLaunch({ ...good, model: '  ', check: '\t', title: ' ', allowedTools: ' \n, ' }).spec).toEqual({
      agent: 'claude',
      dir: '/work/demo',
      prompt: 'fix it',
      maxIterations: 8,
      context: 'fresh',
      permissionMode: 'acceptEdits',
      worktree: false,
      stallAfter: 3,
    });
  });

  it('leaves a blank max iterations out, so the default applies', () => {
    expect(validateLaunch({ ...good, maxIterations: ' ', stallAfter: '' })).toEqual({
      spec: {
        agent: 'claude',
        dir: '/work/demo',
        prompt: 'fix it',
        context: 'fresh',
        permissionMode: 'acceptEdits',
        worktree: false,
      },
      errors: null,
    });
    expect(DEFAULT_VALUES.maxIterations).toBe(String(DEFAULT_MAX_ITERATIONS));
  });

  it.each([
    ['0', 0, 'Max iterations must be at least 1'],
    ['-3', -3, 'Max iterations must be at least 1'],
    ['1001', 1001, 'Max iterations must be at most 1000'],
    ['2.5', 2.5, 'Max iterations must be a whole number'],
    ['abc', Number.NaN, 'Max iterations must be a whole number'],
    ['12abc', Number.NaN, 'Max iterations must be a whole number'],
  ])('rejects max iterations %j with the schema’s message', (text, asNumber, shown) => {
    const errors = validateLaunch({ ...good, maxIterations: text }).errors;
    expect(errors).toEqual({ maxIterations: shown });
    expect(errors?.maxIterations).toBe(
      sentence(schemaSays({ dir: 'd', prompt: 'p', maxIterations: asNumber }).maxIterations),
    );
  });

  it('accepts the bounds 1 and 1000', () => {
    expect(validateLaunch({ ...good, maxIterations: '1' }).spec?.maxIterations).toBe(1);
    expect(validateLaunch({ ...good, maxIterations: ' 1000 ' }).spec?.maxIterations).toBe(1000);
  });

  it('reports every missing field at once, in the schema’s words', () => {
    const errors = validateLaunch({ ...DEFAULT_VALUES, dir: '  ', prompt: '\n' }).errors;
    expect(errors).toEqual({
      dir: 'A project directory is required',
      prompt: 'The prompt must not be empty',
    });
    const said = schemaSays({ dir: '  ', prompt: '\n' });
    expect(errors).toEqual({ dir: sentence(said.dir), prompt: sentence(said.prompt) });
  });

  it('rejects a context the schema does not know', () => {
    expect(validateLaunch({ ...good, context: 'sideways' as ContextMode }).errors).toEqual({
      context: 'Context must be "fresh" or "fork"',
    });
  });
});

describe('placeIssues', () => {
  it('puts each issue on the field its path starts with, as a sentence', () => {
    expect(
      placeIssues([
        { path: ['dir'], message: 'no such directory: /nope' },
        { path: ['maxIterations'], message: 'max iterations must be at most 1000' },
        { path: ['check', 0], message: 'the completion check must not be empty' },
      ]),
    ).toEqual({
      dir: 'No such directory: /nope',
      maxIterations: 'Max iterations must be at most 1000',
      check: 'The completion check must not be empty',
    });
  });

  it('puts issues about the whole spec or about fields the form lacks on the form', () => {
    expect(placeIssues([{ path: [], message: 'the daily budget is spent' }])).toEqual({
      form: 'The daily budget is spent',
    });
    expect(placeIssues([{ path: ['maxTokens'], message: 'max tokens must be at least 1' }])).toEqual({
      form: 'Max tokens must be at least 1',
    });
  });

  it('keeps the first issue of a field', () => {
    expect(
      placeIssues([
        { path: ['dir'], message: 'first' },
        { path: ['dir'], message: 'second' },
      ]),
    ).toEqual({ dir: 'First' });
  });
});

describe('launchErrors', () => {
  it('places a call error’s issues on their fields', () => {
    const error = new BatonCallError('invalid_input', 'dir: no such directory: /nope', [
      { path: ['dir'], message: 'no such directory: /nope' },
    ]);
    expect(launchErrors(error)).toEqual({ dir: 'No such directory: /nope' });
  });

  it('puts the message on the form when there are no issues, whatever it names', () => {
    expect(launchErrors(new BatonCallError('invalid_input', 'dir: no such directory: /nope'))).toEqual({
      form: 'dir: no such directory: /nope',
    });
    expect(launchErrors(new BatonCallError('unavailable', 'the connection to Baton is closed'))).toEqual({
      form: 'the connection to Baton is closed',
    });
    expect(launchErrors(new Error('the database is locked'))).toEqual({ form: 'the database is locked' });
  });
});

describe('the launch store', () => {
  it('never calls launchTask with bad values', async () => {
    const client = fakeClient({ launchTask: async () => summary() });
    const store = createLaunchStore(client, memoryStorage());
    store.getState().setField('dir', '/work/demo');
    store.getState().setField('maxIterations', '0');
    await expect(store.getState().submit()).resolves.toBeNull();
    expect(client.launchTask).not.toHaveBeenCalled();
    expect(store.getState().errors).toEqual({
      prompt: 'The prompt must not be empty',
      maxIterations: 'Max iterations must be at least 1',
    });
  });

  it('launches, remembers the directory and clears the prompt', async () => {
    const storage = memoryStorage({ [RECENT_DIRS_KEY]: JSON.stringify(['/a', '/work/demo']) });
    let sent: TaskSpecInput | undefined;
    const client = fakeClient({
      launchTask: async (spec) => {
        sent = spec;
        return summary({ title: 'fix it' });
      },
    });
    const store = createLaunchStore(client, storage);
    expect(store.getState().values.dir).toBe('/a');
    store.getState().setField('dir', '/work/demo');
    store.getState().setField('prompt', 'fix it');
    await store.getState().submit();
    expect(sent).toEqual({
      agent: 'claude',
      dir: '/work/demo',
      prompt: 'fix it',
      maxIterations: 5,
      context: 'fresh',
      permissionMode: 'acceptEdits',
      worktree: false,
      stallAfter: 3,
    });
    expect(store.getState().values.prompt).toBe('');
    expect(store.getState().lastLaunched?.title).toBe('fix it');
    expect(JSON.parse(storage.data.get(RECENT_DIRS_KEY)!)).toEqual(['/work/demo', '/a']);
  });

  it('shows the server’s issues on their fields and clears each on the next edit of it', async () => {
    const client = fakeClient({
      launchTask: () =>
        Promise.reject(
          new BatonCallError('invalid_input', 'dir: no such directory: /nope', [
            { path: ['dir'], message: 'no such directory: /nope' },
            { path: ['model'], message: 'unknown model: gpt-0' },
          ]),
        ),
    });
    const store = createLaunchStore(client, memoryStorage());
    store.getState().setField('dir', '/nope');
    store.getState().setField('prompt', 'x');
    store.getState().setField('model', 'gpt-0');
    await store.getState().submit();
    expect(store.getState().errors).toEqual({ dir: 'No such directory: /nope', model: 'Unknown model: gpt-0' });
    store.getState().setField('dir', '/work');
    expect(store.getState().errors).toEqual({ model: 'Unknown model: gpt-0' });
  });

  it('shows a server error without issues on the form and clears it on the next edit', async () => {
    const client = fakeClient({
      launchTask: () => Promise.reject(new BatonCallError('internal', 'the database is locked')),
    });
    const store = createLaunchStore(client, memoryStorage());
    store.getState().setField('dir', '/work/demo');
    store.getState().setField('prompt', 'x');
    await store.getState().submit();
    expect(store.getState().errors).toEqual({ form: 'the database is locked' });
    store.getState().setField('prompt', 'y');
    expect(store.getState().errors).toEqual({});
  });

  it('fills the directory from the native picker', async () => {
    const client = fakeClient({ pickDirectory: async () => ({ path: '/picked' }) });
    const store = createLaunchStore(client, memoryStorage());
    await store.getState().pickDirectory();
    expect(store.getState().values.dir).toBe('/picked');
  });
});

const field = (label: string) => screen.getByLabelText(label);

describe('<LaunchForm>', () => {
  const projects = [{ id: 'p', name: 'demo', workingDir: '/work/demo', lastUsedAt: 5 }];
  const plainDir = { exists: true, gitRepository: false, hasCommits: false, branch: null, gitProblem: null };
  const ok = async (method: string) =>
    method === 'listProjects' ? projects : method === 'getDirectoryInfo' ? plainDir : summary({ title: 'queued one' });

  it('has the labelled fields and a Launch button', async () => {
    renderForm(ok);
    for (const label of ['Project directory', 'Prompt', 'Model', 'Max iterations', 'Context', 'Completion check']) {
      expect(field(label)).toBeTruthy();
    }
    const context = field('Context') as HTMLSelectElement;
    expect([...context.options].map((o) => o.value)).toEqual(['fresh', 'fork']);
    expect(screen.getByRole('button', { name: 'Launch' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Browse…' })).toBeNull();
    // Known projects are offered for the directory field.
    await screen.findByText((_, el) => el?.tagName === 'OPTION' && (el as HTMLOptionElement).value === '/work/demo');
  });

  it('shows bad values inline with role=alert and never calls launchTask', async () => {
    const { launches } = renderForm(ok);
    fireEvent.change(field('Max iterations'), { target: { value: '1001' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Launch' }));
    });
    const alerts = screen.getAllByRole('alert').map((a) => a.textContent);
    expect(alerts).toEqual([
      'A project directory is required',
      'The prompt must not be empty',
      'Max iterations must be at most 1000',
    ]);
    expect(field('Prompt').getAttribute('aria-invalid')).toBe('true');
    expect(launches()).toHaveLength(0);
  });

  it('keeps a non-number in max iterations as typed and shows the schema’s message', async () => {
    const { launches } = renderForm(ok);
    fireEvent.change(field('Project directory'), { target: { value: '/work/demo' } });
    fireEvent.change(field('Prompt'), { target: { value: 'x' } });
    fireEvent.change(field('Max iterations'), { target: { value: 'abc' } });
    expect((field('Max iterations') as HTMLInputElement).value).toBe('abc');
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Launch' }));
    });
    expect(screen.getByRole('alert').textContent).toBe('Max iterations must be a whole number');
    expect(field('Max iterations').getAttribute('aria-invalid')).toBe('true');
    expect(field('Max iterations').getAttribute('aria-describedby')).toBe('launch-maxIterations-error');
    expect(launches()).toHaveLength(0);
    // Editing the field clears its error.
    fireEvent.change(field('Max iterations'), { target: { value: '4' } });
    expect(screen.queryByRole('alert')).toBeNull();
    expect(field('Max iterations').getAttribute('aria-invalid')).toBeNull();
  });

  it('launches with Ctrl+Enter in the prompt', async () => {
    const { launches } = renderForm(ok);
    fireEvent.change(field('Project directory'), { target: { value: '/work/demo' } });
    fireEvent.change(field('Prompt'), { target: { value: 'Make the tests pass' } });
    fireEvent.change(field('Context'), { target: { value: 'fork' } });
    await act(async () => {
      fireEvent.keyDown(field('Prompt'), { key: 'Enter', ctrlKey: true });
    });
    expect(launches()).toEqual([
      {
        method: 'launchTask',
        input: {
          agent: 'claude',
          dir: '/work/demo',
          prompt: 'Make the tests pass',
          maxIterations: 5,
          context: 'fork',
          permissionMode: 'acceptEdits',
          worktree: false,
          stallAfter: 3,
        },
      },
    ]);
    expect((field('Prompt') as HTMLTextAreaElement).value).toBe('');
    await screen.findByText('Queued “queued one”');
  });

  it('does not launch on a plain Enter in the prompt (that is a new line)', async () => {
    const { launches } = renderForm(ok);
    fireEvent.change(field('Project directory'), { target: { value: '/work/demo' } });
    fireEvent.change(field('Prompt'), { target: { value: 'x' } });
    await act(async () => {
      fireEvent.keyDown(field('Prompt'), { key: 'Enter' });
    });
    expect(launches()).toHaveLength(0);
  });

  it('shows a server issue on its field (role=alert, aria-describedby)', async () => {
    renderForm(async (method) => {
      if (method === 'listProjects') return [];
      throw new BatonCallError('invalid_input', 'dir: no such directory: /nope', [
        { path: ['dir'], message: 'no such directory: /nope' },
      ]);
    });
    fireEvent.change(field('Project directory'), { target: { value: '/nope' } });
    fireEvent.change(field('Prompt'), { target: { value: 'x' } });
    await act(async () => {
      fireEvent.submit(field('Prompt').closest('form')!);
    });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toBe('No such directory: /nope');
    expect(alert.id).toBe('launch-dir-error');
    expect(field('Project directory').getAttribute('aria-invalid')).toBe('true');
    expect(field('Project directory').getAttribute('aria-describedby')).toBe('launch-dir-error');
    expect(field('Prompt').getAttribute('aria-invalid')).toBeNull();
  });

  it('shows a server error without issues on the form', async () => {
    renderForm(async (method) => {
      if (method === 'listProjects') return [];
      throw new Error('dir: no such directory: /nope');
    });
    fireEvent.change(field('Project directory'), { target: { value: '/nope' } });
    fireEvent.change(field('Prompt'), { target: { value: 'x' } });
    await act(async () => {
      fireEvent.submit(field('Prompt').closest('form')!);
    });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toBe('dir: no such directory: /nope');
    expect(alert.classList.contains('form-error')).toBe(true);
    expect(field('Project directory').getAttribute('aria-invalid')).toBeNull();
  });

  it('offers Browse… when the host can pick a directory', async () => {
    renderForm(async (method) => (method === 'pickDirectory' ? { path: '/picked/dir' } : []), true);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Browse…' }));
    });
    expect((field('Project directory') as HTMLInputElement).value).toBe('/picked/dir');
  });
});
