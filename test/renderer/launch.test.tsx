import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { taskSpecSchema, type TaskSpecInput } from '../../src-main/contract/task-spec';
import { BatonCallError } from '../../src-renderer/errors';
import { createLaunchStore, RECENT_DIRS_KEY } from '../../src-renderer/stores/launch-store';
import { launchErrors, placeIssues } from '../../src-renderer/stores/launch-values';
import { fakeClient, memoryStorage, summary } from './fixtures';
import {
  clickLaunch,
  read,
  renderLaunchForm as renderForm,
  served,
  typed,
  typeInto,
  unfold,
} from './launch-form-harness';

afterEach(cleanup);

describe('the launch form’s schema', () => {
  const good = { dir: ' /work/demo ', prompt: ' fix it ', maxIterations: '8' };
  /** What the contract's own schema says about a spec, by field: the form must say the same. */
  const schemaSays = (input: Record<string, unknown>) => {
    const parsed = taskSpecSchema.safeParse(input);
    if (parsed.success) throw new Error('the schema accepted it');
    return Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message]));
  };

  it('reads good values as the spec the service would, leaving blank optional fields to its defaults', () => {
    expect(read(good).spec).toEqual(
      served({ dir: '/work/demo', prompt: 'fix it', maxIterations: 8, permissionMode: 'acceptEdits' }),
    );
    expect(read({ ...good, model: ' opus ', check: ' npm test ', context: 'fork' }).spec).toMatchObject({
      model: 'opus',
      check: 'npm test',
      context: 'fork',
    });
    // Blank optional text is left out rather than sent as "" (which the schema would refuse).
    const blank = read({ ...good, model: '  ', check: '\t', title: ' ', allowedTools: ' \n, ', maxIterations: ' ' });
    expect(blank.spec).toEqual(served({ dir: '/work/demo', prompt: 'fix it', permissionMode: 'acceptEdits' }));
  });

  it.each([
    ['0', 0],
    ['-3', -3],
    ['1001', 1001],
    ['2.5', 2.5],
    ['abc', Number.NaN],
    ['12abc', Number.NaN],
  ])('refuses max iterations %j in the spec’s words', (typed, asNumber) => {
    expect(read({ ...good, maxIterations: typed }).errors).toEqual({
      maxIterations: schemaSays({ dir: 'd', prompt: 'p', maxIterations: asNumber }).maxIterations,
    });
  });

  it('reports every missing field at once, in the spec’s words', () => {
    const said = schemaSays({ dir: '  ', prompt: '\n' });
    expect(read({ dir: '  ', prompt: '\n' }).errors).toEqual({ dir: said.dir, prompt: said.prompt });
  });

  it('refuses what only launchSpecSchema bounds, such as an over-long title', () => {
    expect(read({ ...good, title: 't'.repeat(501) }).errors).toEqual({
      title: 'the title must be at most 500 characters',
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

  it('puts issues about the whole spec or about fields the form lacks on the form, the first of each', () => {
    expect(placeIssues([{ path: [], message: 'the daily budget is spent' }])).toEqual({
      form: 'The daily budget is spent',
    });
    expect(placeIssues([{ path: ['maxTokens'], message: 'max tokens must be at least 1' }])).toEqual({
      form: 'Max tokens must be at least 1',
    });
    expect(
      placeIssues([
        { path: ['dir'], message: 'first' },
        { path: ['dir'], message: 'second' },
      ]),
    ).toEqual({ dir: 'First' });
  });
});

describe('launchErrors', () => {
  it('places a call error’s issues on their fields, and a message without issues on the form', () => {
    const error = new BatonCallError('invalid_input', 'dir: no such directory: /nope', [
      { path: ['dir'], message: 'no such directory: /nope' },
    ]);
    expect(launchErrors(error)).toEqual({ dir: 'No such directory: /nope' });
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
  it('never calls launchTask with bad values, and keeps the schema’s messages on their fields', async () => {
    const client = fakeClient({ launchTask: async () => summary() });
    const store = createLaunchStore(client, memoryStorage());
    typed(store, { dir: '/work/demo', maxIterations: '0' });
    await expect(store.getState().submit()).resolves.toBeNull();
    expect(client.launchTask).not.toHaveBeenCalled();
    const { form } = store.getState();
    expect(form.getFieldState('prompt').error?.message).toBe('the prompt must not be empty');
    expect(form.getFieldState('maxIterations').error?.message).toBe('max iterations must be at least 1');
    expect(form.getFieldState('dir').error).toBeUndefined();
  });

  it('launches, remembers the directory and clears the prompt and title', async () => {
    const storage = memoryStorage({ [RECENT_DIRS_KEY]: JSON.stringify(['/a', '/work/demo']) });
    const sent: TaskSpecInput[] = [];
    const client = fakeClient({
      launchTask: async (input) => {
        sent.push(input);
        return summary({ id: 'new-1', title: 'fix it' });
      },
    });
    const store = createLaunchStore(client, storage);
    expect(store.getState().form.getValues('dir')).toBe('/a');
    typed(store, { dir: '/work/demo', prompt: 'fix it', title: 'Fix' });
    await store.getState().submit();
    expect(sent).toEqual([
      served({ dir: '/work/demo', prompt: 'fix it', title: 'Fix', permissionMode: 'acceptEdits' }),
    ]);
    expect(store.getState().form.getValues()).toMatchObject({ dir: '/work/demo', prompt: '', title: '' });
    expect(store.getState()).toMatchObject({ lastLaunched: { title: 'fix it' }, scrollTarget: 'new-1' });
    expect(JSON.parse(storage.data.get(RECENT_DIRS_KEY)!)).toEqual(['/work/demo', '/a']);
  });

  it('fills the directory from the native picker', async () => {
    const client = fakeClient({ pickDirectory: async () => ({ path: '/picked' }) });
    const store = createLaunchStore(client, memoryStorage());
    await store.getState().pickDirectory();
    expect(store.getState().form.getValues('dir')).toBe('/picked');
  });
});

const field = (label: string) => screen.getByLabelText(label);

describe('<LaunchForm>', () => {
  const projects = [{ id: 'p', name: 'demo', workingDir: '/work/demo', lastUsedAt: 5 }];
  const plainDir = { exists: true, gitRepository: false, hasCommits: false, branch: null, gitProblem: null };
  const ok = async (method: string) =>
    method === 'listProjects' ? projects : method === 'getDirectoryInfo' ? plainDir : summary({ title: 'queued one' });

  it('has the labelled essentials, a Launch button, and the recent folders for the directory', async () => {
    renderForm(ok);
    for (const label of ['Project directory', 'Prompt', 'Agent', 'Model', 'Max iterations', 'Completion check']) {
      expect(field(label)).toBeTruthy();
    }
    expect(screen.getByRole('button', { name: 'Launch' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Browse…' })).toBeNull();
    await screen.findByText((_, el) => el?.tagName === 'OPTION' && (el as HTMLOptionElement).value === '/work/demo');
    expect(field('Project directory').getAttribute('placeholder')).toBe('type a path, or choose a recent folder');
  });

  it('shows bad values inline with role=alert, in the schema’s words as sentences, and never calls launchTask', async () => {
    const { launches } = renderForm(ok);
    typeInto('Max iterations', '1001');
    await clickLaunch();
    expect(screen.getAllByRole('alert').map((a) => a.textContent)).toEqual([
      'A project directory is required',
      'The prompt must not be empty',
      'Max iterations must be at most 1000',
    ]);
    expect(field('Prompt').getAttribute('aria-invalid')).toBe('true');
    expect(launches()).toHaveLength(0);
  });

  it('keeps a non-number in max iterations as typed, and clears its message once it is put right', async () => {
    const { launches } = renderForm(ok);
    typeInto('Project directory', '/work/demo');
    typeInto('Prompt', 'x');
    typeInto('Max iterations', 'abc');
    expect((field('Max iterations') as HTMLInputElement).value).toBe('abc');
    await clickLaunch();
    expect(screen.getByRole('alert').textContent).toBe('Max iterations must be a whole number');
    expect(field('Max iterations').getAttribute('aria-describedby')).toBe('launch-maxIterations-error');
    expect(launches()).toHaveLength(0);
    await act(async () => typeInto('Max iterations', '4'));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(field('Max iterations').getAttribute('aria-invalid')).toBeNull();
  });

  it('launches with Ctrl+Enter in the prompt, and empties the prompt', async () => {
    const { launches } = renderForm(ok);
    typeInto('Project directory', '/work/demo');
    typeInto('Prompt', 'Make the tests pass');
    await act(async () => {
      fireEvent.keyDown(field('Prompt'), { key: 'Enter', ctrlKey: true });
    });
    expect(launches().map((c) => c.input)).toEqual([
      served({ dir: '/work/demo', prompt: 'Make the tests pass', permissionMode: 'acceptEdits' }),
    ]);
    expect((field('Prompt') as HTMLTextAreaElement).value).toBe('');
    expect(screen.getByTestId('launch-status').textContent).toBe('Queued “queued one”');
  });

  it('does not launch on a plain Enter in the prompt (that is a new line)', async () => {
    const { launches } = renderForm(ok);
    typeInto('Project directory', '/work/demo');
    typeInto('Prompt', 'x');
    await act(async () => {
      fireEvent.keyDown(field('Prompt'), { key: 'Enter' });
    });
    expect(launches()).toHaveLength(0);
  });

  it('shows a server issue on its field, and takes it away once the field is edited', async () => {
    renderForm(async (method) => {
      if (method === 'listProjects') return [];
      if (method === 'getDirectoryInfo') return plainDir;
      throw new BatonCallError('invalid_input', 'dir: no such directory: /nope', [
        { path: ['dir'], message: 'no such directory: /nope' },
      ]);
    });
    typeInto('Project directory', '/nope');
    typeInto('Prompt', 'x');
    await clickLaunch();
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toBe('No such directory: /nope');
    expect(alert.id).toBe('launch-dir-error');
    expect(field('Project directory').getAttribute('aria-describedby')).toBe('launch-dir-error');
    expect(field('Prompt').getAttribute('aria-invalid')).toBeNull();
    await act(async () => typeInto('Project directory', '/work'));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows a server error without issues on the form, until the next edit', async () => {
    renderForm(async (method) => {
      if (method === 'listProjects') return [];
      if (method === 'getDirectoryInfo') return plainDir;
      throw new Error('dir: no such directory: /nope');
    });
    typeInto('Project directory', '/nope');
    typeInto('Prompt', 'x');
    await clickLaunch();
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toBe('dir: no such directory: /nope');
    expect(alert.classList.contains('form-error')).toBe(true);
    expect(field('Project directory').getAttribute('aria-invalid')).toBeNull();
    await act(async () => typeInto('Prompt', 'y'));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('offers Browse… when the host can pick a directory', async () => {
    renderForm(async (method) => (method === 'pickDirectory' ? { path: '/picked/dir' } : []), true);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Browse…' }));
    });
    expect((field('Project directory') as HTMLInputElement).value).toBe('/picked/dir');
  });

  it('unfolds the rest of the fields when one of them is refused at launch', async () => {
    const { launches } = renderForm(ok);
    unfold();
    typeInto('Stall after', '-1');
    fireEvent.click(screen.getByRole('button', { name: 'More options' }));
    expect(screen.queryByLabelText('Stall after')).toBeNull();
    typeInto('Project directory', '/work/demo');
    typeInto('Prompt', 'x');
    await clickLaunch();
    expect(screen.getByRole('alert').textContent).toBe('Stall after must be at least 0 (0 turns it off)');
    expect(field('Stall after').getAttribute('aria-invalid')).toBe('true');
    expect(launches()).toHaveLength(0);
  });
});
