import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskSpecInput } from '../../src-main/contract/task-spec';
import { createServices, ServicesProvider } from '../../src-renderer/app/services';
import { LaunchForm } from '../../src-renderer/components/LaunchForm';
import { BatonCallError } from '../../src-renderer/errors';
import {
  createLaunchStore,
  DEFAULT_VALUES,
  placeServerError,
  RECENT_DIRS_KEY,
  validateLaunch,
} from '../../src-renderer/stores/launch-store';
import { FakeTransport, fakeClient, summary } from './fixtures';

afterEach(cleanup);

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), data };
}

describe('validateLaunch', () => {
  const good = { ...DEFAULT_VALUES, dir: ' /work/demo ', prompt: ' fix it ', maxIterations: '8' };

  it('returns a trimmed spec for good values, leaving empty optional fields out', () => {
    expect(validateLaunch(good)).toEqual({
      spec: { dir: '/work/demo', prompt: 'fix it', maxIterations: 8, context: 'fresh' },
      errors: null,
    });
    expect(validateLaunch({ ...good, model: ' opus ', check: 'npm test', context: 'fork' }).spec).toEqual({
      dir: '/work/demo',
      prompt: 'fix it',
      maxIterations: 8,
      context: 'fork',
      model: 'opus',
      check: 'npm test',
    });
  });

  it.each(['0', '1001', '2.5', '-3', '', 'abc'])('rejects max iterations %j', (value) => {
    expect(validateLaunch({ ...good, maxIterations: value }).errors).toEqual({
      maxIterations: 'Max iterations must be a whole number from 1 to 1000',
    });
  });

  it('accepts the bounds 1 and 1000', () => {
    expect(validateLaunch({ ...good, maxIterations: '1' }).errors).toBeNull();
    expect(validateLaunch({ ...good, maxIterations: '1000' }).errors).toBeNull();
  });

  it('reports every missing field at once', () => {
    expect(validateLaunch({ ...DEFAULT_VALUES, dir: '  ', prompt: '\n' }).errors).toEqual({
      dir: 'A project directory is required',
      prompt: 'The prompt must not be empty',
    });
  });

  it('places server errors next to the field they name', () => {
    expect(placeServerError('dir: no such directory: /nope')).toEqual({ dir: 'dir: no such directory: /nope' });
    expect(placeServerError('the directory /nope does not exist')).toEqual({
      dir: 'the directory /nope does not exist',
    });
    expect(placeServerError('maxIterations: too big')).toEqual({ maxIterations: 'maxIterations: too big' });
    expect(placeServerError('the database is locked')).toEqual({ form: 'the database is locked' });
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
      maxIterations: 'Max iterations must be a whole number from 1 to 1000',
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
    expect(sent).toEqual({ dir: '/work/demo', prompt: 'fix it', maxIterations: 5, context: 'fresh' });
    expect(store.getState().values.prompt).toBe('');
    expect(store.getState().lastLaunched?.title).toBe('fix it');
    expect(JSON.parse(storage.data.get(RECENT_DIRS_KEY)!)).toEqual(['/work/demo', '/a']);
  });

  it('shows a server error inline and clears it on the next edit', async () => {
    const client = fakeClient({
      launchTask: () => Promise.reject(new BatonCallError('invalid_input', 'dir: no such directory: /nope')),
    });
    const store = createLaunchStore(client, memoryStorage());
    store.getState().setField('dir', '/nope');
    store.getState().setField('prompt', 'x');
    await store.getState().submit();
    expect(store.getState().errors).toEqual({ dir: 'dir: no such directory: /nope' });
    store.getState().setField('dir', '/work');
    expect(store.getState().errors).toEqual({});
  });

  it('fills the directory from the native picker', async () => {
    const client = fakeClient({ pickDirectory: async () => ({ path: '/picked' }) });
    const store = createLaunchStore(client, memoryStorage());
    await store.getState().pickDirectory();
    expect(store.getState().values.dir).toBe('/picked');
  });
});

function renderForm(handle: (method: string, input: unknown) => Promise<unknown>, canPickDirectory = false) {
  const transport = new FakeTransport(handle);
  const services = createServices(transport, memoryStorage());
  render(
    <ServicesProvider value={services}>
      <LaunchForm canPickDirectory={canPickDirectory} />
    </ServicesProvider>,
  );
  const launches = () => transport.calls.filter((c) => c.method === 'launchTask');
  return { transport, services, launches };
}

const field = (label: string) => screen.getByLabelText(label);

describe('<LaunchForm>', () => {
  const projects = [{ id: 'p', name: 'demo', workingDir: '/work/demo', lastUsedAt: 5 }];
  const ok = async (method: string) => (method === 'listProjects' ? projects : summary({ title: 'queued one' }));

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
      'Max iterations must be a whole number from 1 to 1000',
    ]);
    expect(field('Prompt').getAttribute('aria-invalid')).toBe('true');
    expect(launches()).toHaveLength(0);
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
        input: { dir: '/work/demo', prompt: 'Make the tests pass', maxIterations: 5, context: 'fork' },
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

  it('shows a server error inline (role=alert)', async () => {
    renderForm(async (method) => {
      if (method === 'listProjects') return [];
      throw new Error('dir: no such directory: /nope');
    });
    fireEvent.change(field('Project directory'), { target: { value: '/nope' } });
    fireEvent.change(field('Prompt'), { target: { value: 'x' } });
    await act(async () => {
      fireEvent.submit(field('Prompt').closest('form')!);
    });
    expect(screen.getByRole('alert').textContent).toBe('dir: no such directory: /nope');
    expect(field('Project directory').getAttribute('aria-describedby')).toBe('launch-dir-error');
  });

  it('offers Browse… when the host can pick a directory', async () => {
    renderForm(async (method) => (method === 'pickDirectory' ? { path: '/picked/dir' } : []), true);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Browse…' }));
    });
    expect((field('Project directory') as HTMLInputElement).value).toBe('/picked/dir');
  });
});
