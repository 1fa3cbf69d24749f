/**
 * What a task changed, read back and acted on: its diffs (per iteration, per file, or the whole
 * task), and for a worktree task the merge into the branch it started from, or its discard.
 */
import type { Diff, DirectoryInfo, TaskDetail } from '../../contract/views';
import { GitError } from '../git/git';
import { findRepository } from '../git/repository';
import { unifiedDiff, workTreeIsClean } from '../git/snapshot';
import { discardWorktree, mergeMessage, mergeWorktree, removeWorktree, WorktreeError } from '../git/worktree';
import type { TaskStore, WorktreeRow } from '../store/task-store';
import { existsSync, statSync } from 'node:fs';
import { finishInterruptedChanges, openWorkspace } from './workspace';
import { removeJournal, writeJournal } from './worktree-journal';

/** A request about a task's changes that cannot be met as asked; nothing was changed. */
export class TaskChangesError extends Error {
  override readonly name = 'TaskChangesError';
}

export async function directoryInfo(dir: string): Promise<DirectoryInfo> {
  let exists = false;
  try {
    exists = statSync(dir).isDirectory();
  } catch {
    // Missing: said below.
  }
  const none = { gitRepository: false, hasCommits: false, branch: null };
  if (!exists) return { exists, ...none, gitProblem: `${dir} is not a directory` };
  const lookup = await findRepository(dir);
  if (lookup.kind === 'git_unavailable') return { exists, ...none, gitProblem: lookup.reason };
  if (lookup.kind === 'not_a_repository') return { exists, ...none, gitProblem: `${dir} is not in a git repository` };
  const { head, branch, root } = lookup.repository;
  return {
    exists,
    gitRepository: true,
    hasCommits: head !== null,
    branch,
    gitProblem: head === null ? `the repository ${root} has no commits yet` : null,
  };
}

export class TaskChanges {
  constructor(private readonly store: TaskStore) {}

  /** The repository a task's commits are in: its worktree's, or the one its directory is in. */
  private async repositoryOf(task: TaskDetail): Promise<string> {
    const worktree = await this.store.worktreeOf(task.id);
    if (worktree) return worktree.repositoryRoot;
    const lookup = await findRepository(task.workingDir);
    if (lookup.kind === 'repository') return lookup.repository.root;
    if (lookup.kind === 'git_unavailable') throw new TaskChangesError(`diffs need git: ${lookup.reason}`);
    throw new TaskChangesError(`${task.workingDir} is no longer in a git repository`);
  }

  /** One iteration's diff, or the whole task's (from before its first recorded iteration to after its last). */
  async diff(task: TaskDetail, request: { iteration?: number; path?: string; maxBytes: number }): Promise<Diff> {
    const recorded = task.sessions.filter((s) => s.git && s.git.commitAfter !== null);
    let range: { before: string; after: string };
    if (request.iteration !== undefined) {
      const session = task.sessions.find((s) => s.iteration === request.iteration);
      if (!session) throw new TaskChangesError(`task ${task.id} has no iteration ${request.iteration}`);
      if (!session.git) {
        throw new TaskChangesError(`iteration ${request.iteration} has no change record (${untrackedWhy(task)})`);
      }
      if (session.git.commitAfter === null) {
        throw new TaskChangesError(`iteration ${request.iteration} has no snapshot after it yet`);
      }
      range = { before: session.git.commitBefore, after: session.git.commitAfter };
    } else {
      const first = recorded[0]?.git;
      const last = recorded.at(-1)?.git;
      if (!first || !last?.commitAfter)
        throw new TaskChangesError(`task ${task.id} has no change record (${untrackedWhy(task)})`);
      range = { before: task.worktree?.baseCommit ?? first.commitBefore, after: last.commitAfter };
    }
    const root = await this.repositoryOf(task);
    try {
      return await unifiedDiff(root, { ...range, file: request.path }, request.maxBytes);
    } catch (error) {
      if (error instanceof GitError) throw new TaskChangesError(`git could not show the diff: ${error.message}`);
      throw error;
    }
  }

  private async activeWorktree(task: TaskDetail, doing: string) {
    const worktree = await this.store.worktreeOf(task.id);
    if (!worktree)
      throw new TaskChangesError(`task ${task.id} did not run in a worktree: there is nothing to ${doing}`);
    if (worktree.state !== 'active')
      throw new TaskChangesError(`task ${task.id}'s worktree was already ${worktree.state}`);
    if (task.status === 'queued' || task.status === 'running' || task.status === 'waiting') {
      throw new TaskChangesError(`task ${task.id} is ${task.status}; stop it before you ${doing} it`);
    }
    return worktree;
  }

  /** Merges the task's branch into the branch it started from, then removes the worktree; the branch is kept. */
  async merge(task: TaskDetail, squash: boolean): Promise<{ commit: string; message: string }> {
    const worktree = await this.activeWorktree(task, 'merge');
    if (existsSync(worktree.path)) {
      // An iteration Baton stopped in left its work uncommitted in the worktree: its checkpoint first.
      await finishInterruptedChanges(this.store, task, await openWorkspace(task.workingDir, worktree));
      if (!(await workTreeIsClean(worktree.path))) {
        throw new TaskChangesError(
          `the worktree ${worktree.path} has changes in no checkpoint; commit or remove them there, then merge again`,
        );
      }
    }
    const message = mergeMessage(task, worktree.branch);
    // A crash from here until the task says "merged" may leave the merge landed: the note lets the next start see.
    const { repositoryRoot, path, branch } = worktree;
    writeJournal({ kind: 'merging', taskId: task.id, repositoryRoot, path, branch });
    let commit: string;
    try {
      commit = await mergeWorktree(worktree, squash, message);
    } catch (error) {
      removeJournal(worktree.path, 'merging');
      if (error instanceof WorktreeError) throw new TaskChangesError(error.message);
      throw error;
    }
    const removal = await settleMerged(this.store, task.id, worktree);
    return {
      commit,
      message: `${squash ? 'squash-merged' : 'merged'} ${worktree.branch} into ${worktree.baseBranch} as ${commit.slice(0, 12)}; the branch is kept${removal}`,
    };
  }

  async discard(task: TaskDetail): Promise<{ message: string }> {
    const worktree = await this.activeWorktree(task, 'discard');
    try {
      await discardWorktree(worktree);
    } catch (error) {
      if (error instanceof GitError) throw new TaskChangesError(`could not discard the worktree: ${error.message}`);
      throw error;
    }
    await this.store.setWorktreeState(task.id, 'discarded');
    return { message: `removed the worktree ${worktree.path} and deleted branch ${worktree.branch}` };
  }
}

/**
 * After a merge landed: the task says merged (its merge note goes), and its worktree is removed, the branch
 * kept. Returns why the worktree stays, where it does ('' otherwise), to end the caller's message with.
 */
export async function settleMerged(store: TaskStore, taskId: string, worktree: WorktreeRow): Promise<string> {
  await store.setWorktreeState(taskId, 'merged');
  removeJournal(worktree.path, 'merging');
  try {
    await removeWorktree(worktree);
    return '';
  } catch (error) {
    return `; the worktree ${worktree.path} could not be removed: ${(error as Error).message}`;
  }
}

function untrackedWhy(task: TaskDetail): string {
  if (task.changeTracking === 'not_a_repository') return 'its directory is not in a git repository';
  if (task.changeTracking === 'git_unavailable') return 'git was not available';
  return 'git recorded nothing for it';
}
