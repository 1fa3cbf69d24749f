import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DirectoryInfo } from '../../src-main/contract/views';
import { createServices, ServicesProvider } from '../../src-renderer/app/services';
import { DIRECTORY_CHECK_DELAY_MS, LaunchForm } from '../../src-renderer/components/LaunchForm';
import { createLaunchStore } from '../../src-renderer/stores/launch-store';
import { worktreeChoice } from '../../src-renderer/stores/launch-values';
import { directoryInfo, FakeTransport, fakeClient, memoryStorage, spec, summary } from './fixtures';
import { clickLaunch as launch, typed, unfold } from './launch-form-harness';

afterEach(cleanup);

/** Directories the fake service knows: a repository with commits, a plain folder, an empty repository. */
const DIRS: Record<string, DirectoryInfo> = {
  '/work/repo': directoryInfo(),
  '/work/plain': directoryInfo({ gitRepository: false, hasCommits: false, branch: null }),
  '/work/fresh': directoryInfo({ hasCommits: false, branch: 'main' }),
  '/work/gone': directoryInfo({ exists: false, gitRepository: false, hasCommits: false, branch: null }),
  '/work/nogit': directoryInfo({
    gitRepository: false,
    hasCommits: false,
    branch: null,
    gitProblem: 'git is not installed',
  }),
};

function renderForm() {
  const transport = new FakeTransport(async (method, input) => {
    if (method === 'getDirectoryInfo') {
      const info = DIRS[(input as { dir: string }).dir];
      if (!info) throw new Error('no such fake directory');
      return info;
    }
    if (method === 'listProjects') return [];
    if (method === 'launchTask') return summary({ title: 'queued' });
    throw new Error(`unexpected ${method}`);
  });
  render(
    <ServicesProvider value={createServices(transport, memoryStorage())}>
      <LaunchForm canPickDirectory={false} />
    </ServicesProvider>,
  );
  // The worktree choice and the stall limit are past the essentials.
  unfold();
  const calls = (method: string) => transport.calls.filter((c) => c.method === method).map((c) => c.input);
  return { calls };
}

const checkbox = () => screen.getByLabelText('Run in a git worktree') as HTMLInputElement;
const typeDir = (dir: string) =>
  fireEvent.change(screen.getByLabelText('Project directory'), { target: { value: dir } });

describe('the worktree choice in the launch form', () => {
  it('asks about the directory once typing pauses, and turns on for a repository with commits', async () => {
    const { calls } = renderForm();
    expect(checkbox().disabled).toBe(true);
    expect(screen.getByTestId('worktree-hint').textContent).toBe('Not available: Choose a project directory first.');
    typeDir('/work/re');
    typeDir('/work/repo');
    // Nothing is asked while the user is still typing.
    expect(calls('getDirectoryInfo')).toEqual([]);
    await waitFor(() => expect(checkbox().checked).toBe(true), { timeout: DIRECTORY_CHECK_DELAY_MS + 1000 });
    // One question, for the directory as it stood when typing paused.
    expect(calls('getDirectoryInfo')).toEqual([{ dir: '/work/repo' }]);
    expect(checkbox().disabled).toBe(false);
    expect(screen.getByTestId('worktree-hint').textContent).toContain('made from branch main');
  });

  for (const [dir, reason] of [
    ['/work/plain', 'Not a git repository.'],
    ['/work/fresh', 'The repository has no commits yet.'],
    ['/work/gone', 'The directory does not exist.'],
    ['/work/nogit', 'git is not installed'],
  ] as const) {
    it(`is off and disabled, with the reason, for ${dir}`, async () => {
      const { calls } = renderForm();
      typeDir(dir);
      await waitFor(() => expect(calls('getDirectoryInfo')).toEqual([{ dir }]), { timeout: 2000 });
      await waitFor(() => expect(screen.getByTestId('worktree-hint').textContent).toBe(`Not available: ${reason}`));
      expect(checkbox().checked).toBe(false);
      expect(checkbox().disabled).toBe(true);
    });
  }

  it('sends the choice and the stall limit with the spec', async () => {
    const { calls } = renderForm();
    typeDir('/work/repo');
    fireEvent.change(screen.getByLabelText('Prompt'), { target: { value: 'Refactor' } });
    fireEvent.change(screen.getByLabelText('Stall after'), { target: { value: '5' } });
    await waitFor(() => expect(checkbox().checked).toBe(true), { timeout: 2000 });
    await launch();
    expect(calls('launchTask')).toEqual([
      expect.objectContaining({ dir: '/work/repo', worktree: true, stallAfter: 5 }),
    ]);
  });

  it('keeps the user’s "off" for a repository, and sends it', async () => {
    const { calls } = renderForm();
    typeDir('/work/repo');
    await waitFor(() => expect(checkbox().checked).toBe(true), { timeout: 2000 });
    fireEvent.click(checkbox());
    expect(checkbox().checked).toBe(false);
    fireEvent.change(screen.getByLabelText('Prompt'), { target: { value: 'Refactor' } });
    await launch();
    expect(calls('launchTask')).toEqual([expect.objectContaining({ worktree: false, stallAfter: 3 })]);
  });

  it('checks a directory launched before the pause ends, so the choice sent is that directory’s', async () => {
    // The pause after typing runs on the test's timers, moved past it below.
    vi.useFakeTimers();
    try {
      const { calls } = renderForm();
      typeDir('/work/plain');
      fireEvent.change(screen.getByLabelText('Prompt'), { target: { value: 'Tidy' } });
      await launch();
      expect(calls('getDirectoryInfo')).toEqual([{ dir: '/work/plain' }]);
      expect(calls('launchTask')).toEqual([expect.objectContaining({ dir: '/work/plain', worktree: false })]);
      // The pause after typing asks no second time: the answer is had.
      await act(() => vi.advanceTimersByTimeAsync(DIRECTORY_CHECK_DELAY_MS));
      expect(calls('getDirectoryInfo')).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('shows the stall limit refused by the schema on its field', async () => {
    const { calls } = renderForm();
    typeDir('/work/plain');
    fireEvent.change(screen.getByLabelText('Prompt'), { target: { value: 'Tidy' } });
    fireEvent.change(screen.getByLabelText('Stall after'), { target: { value: '-1' } });
    await launch();
    expect(screen.getByRole('alert').textContent).toBe('Stall after must be at least 0 (0 turns it off)');
    expect(screen.getByLabelText('Stall after').getAttribute('aria-invalid')).toBe('true');
    expect(calls('launchTask')).toEqual([]);
  });
});

describe('the launch store’s directory check', () => {
  it('keeps only the answer for the directory still in the field', async () => {
    const answers: Array<(info: DirectoryInfo) => void> = [];
    const client = fakeClient({
      getDirectoryInfo: () => new Promise<DirectoryInfo>((resolve) => answers.push(resolve)),
    });
    const store = createLaunchStore(client, memoryStorage());
    typed(store, { dir: '/work/repo' });
    const first = store.getState().inspectDirectory();
    typed(store, { dir: '/work/plain' });
    const second = store.getState().inspectDirectory();
    answers[1]!(directoryInfo({ gitRepository: false, hasCommits: false }));
    await second;
    // The late answer for the directory left behind changes nothing.
    answers[0]!(directoryInfo());
    await first;
    expect(store.getState().directory).toMatchObject({ dir: '/work/plain', status: 'ready' });
    expect(store.getState().form.getValues('worktree')).toBe(false);
  });

  it('leaves the choice to the user, saying why, when the service cannot tell', async () => {
    const client = fakeClient({
      getDirectoryInfo: () => Promise.reject(new Error('the connection to Baton is closed')),
    });
    const store = createLaunchStore(client, memoryStorage());
    typed(store, { dir: '/work/repo' });
    await store.getState().inspectDirectory();
    expect(worktreeChoice(store.getState().directory)).toEqual({
      available: true,
      reason: 'Could not check the directory: the connection to Baton is closed',
    });
    expect(store.getState().form.getValues('worktree')).toBe(false);
  });

  it('keeps a copied task’s choice and stall limit for "Run again"', async () => {
    const client = fakeClient({ getDirectoryInfo: async () => directoryInfo() });
    const store = createLaunchStore(client, memoryStorage());
    store.getState().prefill(spec({ dir: '/work/repo', worktree: false, stallAfter: 0 }));
    await store.getState().inspectDirectory();
    expect(store.getState().form.getValues()).toMatchObject({ worktree: false, stallAfter: '0' });
    store.getState().prefill(spec({ dir: '/work/repo', worktree: true }));
    expect(store.getState().form.getValues()).toMatchObject({ worktree: true, stallAfter: '3' });
  });
});
