import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { TaskDetail } from '../../src-main/contract/views';
import { formatDate } from '../../src-main/contract/format';
import { BatonCallError } from '../../src-renderer/errors';
import { checkOutcome, gitChange, session, worktree } from './fixtures';
import { measureTextInHappyDom, oneIteration, rowOf, show, task } from './task-page-harness';

measureTextInHappyDom();

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
      oneIteration({
        git: gitChange({ filesChanged: 0, insertions: 0, deletions: 0, files: [] }),
        check: checkOutcome({ exitCode: null, timedOut: true, durationMs: 600_000, output: 'still running…' }),
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
