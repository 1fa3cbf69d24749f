import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TaskDetail } from '../../src-main/contract/views';
import { createServices, ServicesProvider } from '../../src-renderer/app/services';
import { formatBytes, splitPatch } from '../../src-renderer/components/IterationDiffPanel';
import { TaskDetailView } from '../../src-renderer/components/TaskDetailView';
import { formatDate } from '../../src-main/contract/format';
import { BatonCallError } from '../../src-renderer/errors';
import { APP_PATCH, checkOutcome, detail, FakeTransport, gitChange, session, spec, worktree } from './fixtures';

beforeEach(() => {
  // happy-dom draws no canvas; the diff component measures its text with one.
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(
    () =>
      ({
        font: '',
        measureText: (text: string) => ({ width: text.length * 7 }),
      }) as unknown as CanvasRenderingContext2D,
  );
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const task = (overrides: Partial<TaskDetail> = {}) =>
  detail({
    id: 'task-9',
    title: 'Outcomes',
    status: 'completed',
    statusReason: 'completion check passed after iteration 2',
    iterations: 2,
    finishedAt: 1_700_000_100_000,
    spec: spec({ check: 'npm test' }),
    changeTracking: 'git',
    sessions: [
      session({ sessionId: 's-1', iteration: 1, git: gitChange(), check: checkOutcome() }),
      session({
        sessionId: 's-2',
        iteration: 2,
        git: gitChange({
          filesChanged: 1,
          insertions: 4,
          deletions: 1,
          files: [{ path: 'src/app.ts', insertions: 4, deletions: 1, binary: false }],
        }),
        check: checkOutcome({ exitCode: 0, durationMs: 900, output: '' }),
      }),
    ],
    ...overrides,
  });

type Handler = (input: Record<string, unknown>) => unknown;

function show(loaded: TaskDetail, handlers: Record<string, Handler> = {}) {
  const transport = new FakeTransport(async (method, input) => {
    const handler = handlers[method];
    if (handler) return handler(input as Record<string, unknown>);
    if (method === 'getTask') return loaded;
    throw new Error(`unexpected ${method}`);
  });
  const services = createServices(transport, null);
  render(
    <ServicesProvider value={services}>
      <TaskDetailView taskId={loaded.id} />
    </ServicesProvider>,
  );
  const calls = (method: string) => transport.calls.filter((c) => c.method === method).map((c) => c.input);
  return { transport, calls };
}

const rowOf = async (iteration: number) => {
  const rows = await screen.findAllByTestId('session-row');
  const row = rows.find((r) => r.querySelector('td')?.textContent === String(iteration));
  if (!row) throw new Error(`no row for iteration ${iteration}`);
  return row;
};

describe('the task page, per iteration', () => {
  it('shows the files changed with their counts beside tokens, cost and the check', async () => {
    show(task());
    const first = await rowOf(1);
    const changes = within(first).getByTestId('changes-cell');
    expect(changes.getAttribute('data-files')).toBe('2');
    expect(within(changes).getByRole('button', { name: /Diff of 2 files, \+12 −3/ })).toBeTruthy();
    const files = within(changes)
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    expect(files).toEqual(['src/app.ts +10 −3', 'README.md +2 −0']);
    // The same row has the iteration's tokens and cost.
    expect(first.textContent).toContain('$0.01');
    expect(first.textContent).toContain('3,150');

    const check = within(first).getByTestId('check-cell');
    expect(check.getAttribute('data-exit-code')).toBe('1');
    expect(check.textContent).toContain('failed (exit 1)');
    expect(check.textContent).toContain('2.3s');
    // The output excerpt is folded until asked for.
    const details = check.querySelector('details')!;
    expect(details.open).toBe(false);
    fireEvent.click(within(check).getByText('failed (exit 1)'));
    expect(details.open).toBe(true);
    expect(check.querySelector('pre')?.textContent).toBe('FAIL test/app.test.ts\n1 failed');

    const second = within(await rowOf(2)).getByTestId('check-cell');
    expect(second.textContent).toContain('passed');
    expect(second.textContent).toContain('no output');
    expect(screen.getAllByRole('columnheader').map((h) => h.textContent)).toEqual(
      expect.arrayContaining(['Changes', 'Check']),
    );
  });

  it('says when the check timed out, and when an iteration changed nothing', async () => {
    show(
      task({
        sessions: [
          session({
            sessionId: 's-1',
            iteration: 1,
            git: gitChange({ filesChanged: 0, insertions: 0, deletions: 0, files: [] }),
            check: checkOutcome({ exitCode: null, timedOut: true, durationMs: 600_000, output: 'still running…' }),
          }),
        ],
      }),
    );
    const row = await rowOf(1);
    const check = within(row).getByTestId('check-cell');
    expect(check.getAttribute('data-timed-out')).toBe('true');
    expect(check.textContent).toContain('timed out');
    expect(within(row).getByTestId('changes-cell').textContent).toBe('no change');
    expect(within(row).queryByRole('button', { name: /Diff of/ })).toBeNull();
    // Nothing changed: the chart says so rather than drawing empty bars.
    expect(screen.getByTestId('chart-iteration-changes').textContent).toContain('No lines changed');
  });

  it('draws lines changed per iteration beside the cost chart', async () => {
    show(task());
    await screen.findAllByTestId('session-row');
    const charts = screen.getByTestId('chart-iteration-changes').parentElement!;
    expect(within(charts).getByTestId('chart-iteration-cost-duration')).toBeTruthy();
    const chart = screen.getByTestId('chart-iteration-changes');
    expect(chart.getAttribute('data-empty')).toBeNull();
    expect(chart.textContent).toContain('Lines changed per iteration');
  });

  it('says plainly when the directory is not a git repository, and shows no change columns', async () => {
    show(task({ changeTracking: 'not_a_repository', sessions: [session({ sessionId: 's-1', iteration: 1 })] }));
    expect((await screen.findByTestId('change-tracking')).textContent).toBe(
      'Not a git repository: Baton records no changes for this task.',
    );
    await rowOf(1);
    expect(screen.queryByTestId('chart-iteration-changes')).toBeNull();
    expect(screen.getAllByRole('columnheader').map((h) => h.textContent)).not.toContain('Changes');
  });

  it('says so when git could not be run', async () => {
    show(task({ changeTracking: 'git_unavailable', sessions: [] }));
    expect((await screen.findByTestId('change-tracking')).textContent).toMatch(
      /^Git could not be run here: Baton records no changes for this task\.$/,
    );
  });

  it('shows a stalled task with its reason, as an end state it can resume from', async () => {
    show(
      task({
        status: 'stalled',
        statusReason: '3 iterations in a row changed no file and left the check output as it was',
      }),
    );
    const badge = await screen.findByTestId('task-status');
    expect(badge.getAttribute('data-status')).toBe('stalled');
    expect(badge.textContent).toBe('stalled');
    expect(screen.getByTestId('status-reason').textContent).toBe(
      '3 iterations in a row changed no file and left the check output as it was',
    );
    expect(screen.getByRole('button', { name: 'Run again with these settings' })).toBeTruthy();
    expect(screen.getByTestId('resume')).toBeTruthy();
  });
});

describe("an iteration's diff", () => {
  it('lists the files and loads a file diff only when it is opened', async () => {
    const { calls } = show(task(), { getDiff: async () => ({ patch: APP_PATCH, truncated: false, totalBytes: 200 }) });
    fireEvent.click(within(await rowOf(1)).getByRole('button', { name: /Diff of 2 files/ }));
    const panel = screen.getByTestId('diff-panel');
    expect(panel.getAttribute('aria-label')).toBe('Changes of iteration 1');
    expect(
      within(panel)
        .getAllByTestId('diff-file')
        .map((f) => f.getAttribute('data-path')),
    ).toEqual(['src/app.ts', 'README.md']);
    // Nothing is fetched for files nobody opened.
    expect(calls('getDiff')).toEqual([]);

    const file = within(panel).getAllByTestId('diff-file')[0]!;
    await act(async () => {
      fireEvent.click(within(file).getByText('src/app.ts'));
    });
    await waitFor(() => expect(calls('getDiff')).toEqual([{ taskId: 'task-9', iteration: 1, path: 'src/app.ts' }]));
    const body = await within(file).findByTestId('diff-body', {}, { timeout: 5000 });
    await waitFor(() => expect(body.textContent).toContain("export const greeting = 'hello';"));
    // Highlighted by the language of the file's name.
    expect(body.querySelector('.hljs-keyword')?.textContent).toBe('const');
    expect(within(file).queryByTestId('diff-truncated')).toBeNull();
    // Closing it and opening again asks no second time.
    fireEvent.click(within(file).getByText('src/app.ts'));
    fireEvent.click(within(file).getByText('src/app.ts'));
    expect(calls('getDiff')).toHaveLength(1);
  });

  it("opens an iteration's only file at once, from the row's Diff button", async () => {
    const { calls } = show(task(), { getDiff: async () => ({ patch: APP_PATCH, truncated: false, totalBytes: 200 }) });
    fireEvent.click(within(await rowOf(2)).getByRole('button', { name: 'Diff' }));
    const panel = screen.getByTestId('diff-panel');
    expect(panel.textContent).toContain('1 file changed, +4 −1');
    await within(panel).findByTestId('diff-body', {}, { timeout: 5000 });
    expect(calls('getDiff')).toEqual([{ taskId: 'task-9', iteration: 2, path: 'src/app.ts' }]);
    fireEvent.click(within(panel).getByRole('button', { name: 'Close changes' }));
    expect(screen.queryByTestId('diff-panel')).toBeNull();
  });

  it('cuts a very large diff short and says how big the whole was', async () => {
    show(task(), { getDiff: async () => ({ patch: APP_PATCH, truncated: true, totalBytes: 3 * 1024 * 1024 }) });
    fireEvent.click(within(await rowOf(2)).getByRole('button', { name: 'Diff' }));
    const notice = await screen.findByTestId('diff-truncated');
    expect(notice.textContent).toBe(
      `This diff is 3 MB, too large to show whole: only its first ${formatBytes(APP_PATCH.length)} are shown.`,
    );
    await screen.findByTestId('diff-body', {}, { timeout: 5000 });
  });

  it('shows the error when the diff cannot be had, with a retry', async () => {
    let fail = true;
    show(task(), {
      getDiff: async () => {
        if (fail) throw new BatonCallError('not_found', 'the snapshot after iteration 2 is gone');
        return { patch: APP_PATCH, truncated: false, totalBytes: 200 };
      },
    });
    fireEvent.click(within(await rowOf(2)).getByRole('button', { name: 'Diff' }));
    expect(await screen.findByText('the snapshot after iteration 2 is gone')).toBeTruthy();
    fail = false;
    fireEvent.click(screen.getByRole('button', { name: /Retry/ }));
    await screen.findByTestId('diff-body', {}, { timeout: 5000 });
  });

  it('says a binary file has no lines to show', async () => {
    show(
      task({
        sessions: [
          session({
            sessionId: 's-1',
            iteration: 1,
            git: gitChange({
              filesChanged: 1,
              files: [{ path: 'logo.png', insertions: 0, deletions: 0, binary: true }],
            }),
          }),
        ],
      }),
      {
        getDiff: async () => ({
          patch: 'diff --git a/logo.png b/logo.png\nindex 1..2 100644\nBinary files a/logo.png and b/logo.png differ\n',
          truncated: false,
          totalBytes: 90,
        }),
      },
    );
    fireEvent.click(within(await rowOf(1)).getByRole('button', { name: 'Diff' }));
    expect((await screen.findByTestId('diff-no-lines')).textContent).toBe('A binary file: no lines to show.');
  });

  it('shows the files past those listed from the whole diff, without repeating the listed ones', async () => {
    const other = APP_PATCH.replaceAll('src/app.ts', 'src/other.ts');
    const { calls } = show(
      task({
        sessions: [
          session({
            sessionId: 's-1',
            iteration: 1,
            git: gitChange({
              filesChanged: 2,
              files: [{ path: 'src/app.ts', insertions: 2, deletions: 1, binary: false }],
            }),
          }),
        ],
      }),
      { getDiff: async () => ({ patch: APP_PATCH + other, truncated: false, totalBytes: 400 }) },
    );
    fireEvent.click(within(await rowOf(1)).getByRole('button', { name: 'Diff' }));
    const panel = screen.getByTestId('diff-panel');
    expect(panel.textContent).toContain('And 1 more file.');
    fireEvent.click(within(panel).getByRole('button', { name: 'Show the whole diff' }));
    await waitFor(() => expect(calls('getDiff')).toContainEqual({ taskId: 'task-9', iteration: 1 }));
    await waitFor(() => expect(panel.textContent).toContain('src/other.ts'));
    expect(panel.querySelectorAll('details.diff-file summary code')).toHaveLength(2);
  });
});

describe('splitPatch and formatBytes', () => {
  it('splits a multi-file patch at each file header and names each file', () => {
    const parts = splitPatch(APP_PATCH + APP_PATCH.replaceAll('src/app.ts', 'docs/a b.md'));
    expect(parts.map((p) => p.path)).toEqual(['src/app.ts', 'docs/a b.md']);
    expect(parts[0]!.patch).toBe(APP_PATCH);
    expect(splitPatch('')).toEqual([]);
  });

  it('prints sizes as people read them', () => {
    expect(formatBytes(900)).toBe('900 B');
    expect(formatBytes(12.5 * 1024)).toBe('12.5 KB');
    expect(formatBytes(512 * 1024)).toBe('512 KB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3 MB');
  });
});

describe('the worktree panel', () => {
  const withWorktree = (overrides: Partial<TaskDetail> = {}) => task({ worktree: worktree(), ...overrides });

  it('shows where the task ran and what its branch was made from', async () => {
    show(withWorktree());
    const panel = await screen.findByTestId('worktree-panel');
    expect(panel.textContent).toContain('/data/baton/worktrees/task-1');
    expect(panel.textContent).toContain('baton/task-1');
    expect(panel.textContent).toContain('main at abcdef012345');
    expect(within(panel).getByTestId('worktree-state').dataset.value).toBe('active');
    expect(within(panel).queryByTestId('worktree-missing')).toBeNull();
  });

  it('merges, squashed when asked, and shows the message; the page reloads the task', async () => {
    const merged = withWorktree({ worktree: worktree({ state: 'merged' }) });
    let current = withWorktree();
    const { calls } = show(current, {
      getTask: async () => current,
      mergeTask: async () => {
        current = merged;
        return { task: merged, commit: 'c0ffee', message: 'Merged baton/task-1 into main as c0ffee (squashed).' };
      },
    });
    const panel = await screen.findByTestId('worktree-panel');
    fireEvent.click(within(panel).getByLabelText('Squash into one commit'));
    await act(async () => {
      fireEvent.click(within(panel).getByRole('button', { name: 'Merge' }));
    });
    expect(calls('mergeTask')).toEqual([{ taskId: 'task-9', squash: true }]);
    expect((await within(panel).findByTestId('worktree-outcome')).textContent).toBe(
      'Merged baton/task-1 into main as c0ffee (squashed).',
    );
    await waitFor(() => expect(within(panel).getByTestId('worktree-state').dataset.value).toBe('merged'));
    // What was done replaces the buttons that did it; the call's own message (its commit) stays beside it.
    expect(within(panel).getByTestId('worktree-outcome').textContent).toContain('Merged');
    expect(within(panel).queryByRole('button')).toBeNull();
    expect(within(panel).queryByRole('checkbox')).toBeNull();
  });

  it("shows a refused merge's message, and the branch stays active", async () => {
    show(withWorktree(), {
      mergeTask: async () => {
        throw new BatonCallError(
          'invalid_input',
          'main has uncommitted changes; commit or stash them, then merge again',
        );
      },
    });
    const panel = await screen.findByTestId('worktree-panel');
    await act(async () => {
      fireEvent.click(within(panel).getByRole('button', { name: 'Merge' }));
    });
    const alert = await within(panel).findByRole('alert');
    expect(alert.textContent).toBe('main has uncommitted changes; commit or stash them, then merge again');
    expect((within(panel).getByRole('button', { name: 'Merge' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('asks before discarding, and discards only when confirmed', async () => {
    const { calls } = show(withWorktree(), {
      discardTask: async () => ({
        task: withWorktree({ worktree: worktree({ state: 'discarded' }) }),
        message: 'Removed the worktree and branch baton/task-1.',
      }),
    });
    const panel = await screen.findByTestId('worktree-panel');
    fireEvent.click(within(panel).getByRole('button', { name: 'Discard' }));
    const confirm = within(panel).getByTestId('discard-confirm');
    expect(confirm.textContent).toContain('Discard the worktree and its branch');
    fireEvent.click(within(confirm).getByRole('button', { name: 'Keep it' }));
    expect(within(panel).queryByTestId('discard-confirm')).toBeNull();
    expect(calls('discardTask')).toEqual([]);

    fireEvent.click(within(panel).getByRole('button', { name: 'Discard' }));
    await act(async () => {
      fireEvent.click(within(within(panel).getByTestId('discard-confirm')).getByRole('button', { name: 'Discard' }));
    });
    expect(calls('discardTask')).toEqual([{ taskId: 'task-9' }]);
    expect((await within(panel).findByTestId('worktree-outcome')).textContent).toBe(
      'Removed the worktree and branch baton/task-1.',
    );
  });

  it('offers neither while the task runs, and says why', async () => {
    show(withWorktree({ status: 'running', finishedAt: null }));
    const panel = await screen.findByTestId('worktree-panel');
    for (const name of ['Merge', 'Discard']) {
      expect((within(panel).getByRole('button', { name }) as HTMLButtonElement).disabled).toBe(true);
    }
    expect(panel.textContent).toContain('The task is still running');
  });

  it('shows a merged worktree as merged: into which branch, when, and what is kept, without buttons', async () => {
    const at = 1_700_000_200_000;
    show(withWorktree({ worktree: worktree({ state: 'merged', stateChangedAt: at, present: false }) }));
    const panel = await screen.findByTestId('worktree-panel');
    const state = within(panel).getByTestId('worktree-state');
    expect(state.dataset.value).toBe('merged');
    expect(state.querySelector('strong')!.textContent).toBe(`Merged into main on ${formatDate(at)}`);
    expect(state.textContent).toContain('The worktree folder was removed; the branch baton/task-1 is kept');
    expect(within(panel).queryByRole('button')).toBeNull();
    expect(within(panel).queryByTestId('worktree-missing')).toBeNull();
  });

  it('shows a discarded worktree as discarded, when, and what that took with it, without buttons', async () => {
    const at = 1_700_000_300_000;
    show(withWorktree({ worktree: worktree({ state: 'discarded', stateChangedAt: at, present: false }) }));
    const panel = await screen.findByTestId('worktree-panel');
    const state = within(panel).getByTestId('worktree-state');
    expect(state.dataset.value).toBe('discarded');
    expect(state.querySelector('strong')!.textContent).toBe(`Discarded on ${formatDate(at)}`);
    expect(state.textContent).toContain('the worktree folder and the branch baton/task-1 were deleted');
    expect(within(panel).queryByRole('button')).toBeNull();
  });

  it('says merged without a time for a worktree merged before Baton kept it', async () => {
    show(withWorktree({ worktree: worktree({ state: 'merged', present: false }) }));
    const state = within(await screen.findByTestId('worktree-panel')).getByTestId('worktree-state');
    expect(state.querySelector('strong')!.textContent).toBe('Merged into main');
  });

  it('says when the worktree folder was deleted by hand, and that resume will refuse', async () => {
    show(withWorktree({ status: 'failed', worktree: worktree({ present: false }) }));
    const banner = await screen.findByTestId('worktree-missing');
    expect(banner.textContent).toBe(
      'The worktree folder /data/baton/worktrees/task-1 was deleted: Resume will refuse to run this task. Discard removes its branch.',
    );
  });

  it('is not shown for a task that ran in the checkout itself', async () => {
    show(task({ worktree: null }));
    await rowOf(1);
    expect(screen.queryByTestId('worktree-panel')).toBeNull();
  });
});
