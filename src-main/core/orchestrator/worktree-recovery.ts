/**
 * What a crash can leave of a task's worktree, found on the next start so that every worktree task can
 * again be merged or discarded:
 * - lock files of a git process killed mid-write (a checkpoint's `git add`): removed where no git runs;
 * - a merge that landed although the task still says "active": the task is marked merged;
 * - the branch and folder of a launch cut short, which no task owns: listed, and removed only when asked
 *   (`baton doctor --fix`), since they may hold something.
 * Only tasks no live process runs are touched, and only what Baton's notes (worktree-journal) name.
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { git } from '../git/git';
import { branchExists } from '../git/repository';
import { clearStaleLocks, type LockRecovery } from '../git/stale-locks';
import { checkoutOf, landedMerge, worktreePlan } from '../git/worktree';
import type { TaskStore, WorktreeRow } from '../store/task-store';
import { settleMerged } from './task-changes';
import { type JournalEntry, journalsIn, readJournal, removeJournal } from './worktree-journal';

/** Whether the process that wrote a note is still at work. */
export type IsAlive = (pid: number) => boolean;

/** A worktree and branch a launch cut short left behind, with no task to own them. */
export interface OrphanedWorktree {
  taskId: string;
  repositoryRoot: string;
  path: string;
  branch: string;
  folderExists: boolean;
  branchExists: boolean;
}

function lockNote(taskId: string, worktreePath: string, locks: LockRecovery): string | undefined {
  if (locks.kind === 'removed') {
    return `removed ${locks.files.join(', ')}, left by a git process cut short in the worktree ${worktreePath} of task ${taskId} (no git process runs there now)`;
  }
  if (locks.kind === 'in_use') {
    const who = locks.pids.length > 0 ? `git is running there (pid ${locks.pids.join(', ')})` : 'git is running';
    return `left ${locks.files.join(', ')} in the worktree ${worktreePath} of task ${taskId} in place: ${who}`;
  }
  return undefined;
}

/** A merge whose process is gone: it landed (the task is marked merged, as the merge would have) or it did not. */
async function settleCutMerge(store: TaskStore, worktree: WorktreeRow & { taskId: string }): Promise<string> {
  const { taskId } = worktree;
  const commit = await landedMerge(worktree, taskId);
  if (!commit) {
    removeJournal(worktree.path, 'merging');
    return `the merge of task ${taskId} was cut short before it landed: nothing was merged, and it can be merged again (git status in the checkout of ${worktree.baseBranch} shows what git left there)`;
  }
  const removal = await settleMerged(store, taskId, worktree);
  return `the merge of task ${taskId} (${worktree.branch}) into ${worktree.baseBranch} had landed as ${commit.slice(0, 12)} when Baton stopped: the task is marked merged${removal}`;
}

/** The launch notes of processes that are gone, whose task never got its row; notes of finished launches go. */
async function cutLaunches(store: TaskStore, dataDir: string, isAlive: IsAlive): Promise<JournalEntry[]> {
  const cut: JournalEntry[] = [];
  for (const entry of journalsIn(path.join(dataDir, 'worktrees'), 'launching')) {
    if (isAlive(entry.pid)) continue;
    // The crash came just after the row was written: the task owns its worktree.
    if (await store.taskSummary(entry.taskId)) removeJournal(entry.path, 'launching');
    else cut.push(entry);
  }
  return cut;
}

/** Whether a note names the worktree Baton plans for its task, and nothing else: only that may be removed. */
function isOwnPlan(entry: JournalEntry, dataDir: string): boolean {
  const plan = worktreePlan(dataDir, entry.taskId);
  return plan.path === entry.path && plan.branch === entry.branch;
}

/** What launches cut short left behind (a note naming nothing that is left is dropped). */
export async function orphanedWorktrees(
  store: TaskStore,
  dataDir: string,
  isAlive: IsAlive,
): Promise<OrphanedWorktree[]> {
  const orphans: OrphanedWorktree[] = [];
  for (const entry of await cutLaunches(store, dataDir, isAlive)) {
    if (!isOwnPlan(entry, dataDir)) continue;
    const folderExists = existsSync(entry.path);
    const hasBranch = existsSync(entry.repositoryRoot) && (await branchExists(entry.repositoryRoot, entry.branch));
    if (!folderExists && !hasBranch) {
      removeJournal(entry.path, 'launching');
      continue;
    }
    const { taskId, repositoryRoot, path: folder, branch } = entry;
    orphans.push({ taskId, repositoryRoot, path: folder, branch, folderExists, branchExists: hasBranch });
  }
  return orphans;
}

/**
 * Removes what a launch cut short left: the worktree (unlocked first: `git worktree add` locks it while it
 * works), its folder, git's record of it, and the branch. Throws, naming what stays, when git refuses.
 */
export async function removeOrphanedWorktree(orphan: OrphanedWorktree, dataDir: string): Promise<void> {
  const entry = readJournal(orphan.path, 'launching');
  if (!entry || !isOwnPlan(entry, dataDir)) throw new Error(`no note of a launch names ${orphan.path}`);
  const { repositoryRoot: root, path: folder, branch } = entry;
  if (existsSync(root)) {
    // Either fails harmlessly where git has no worktree at that path.
    await git(['worktree', 'unlock', folder], { cwd: root }).catch(() => undefined);
    await git(['worktree', 'remove', '--force', '--force', folder], { cwd: root }).catch(() => undefined);
    // The folder is Baton's own (the note names the plan's path), and may be half made.
    rmSync(folder, { recursive: true, force: true });
    await git(['worktree', 'prune'], { cwd: root });
    if (await branchExists(root, branch)) {
      const at = await checkoutOf(root, branch);
      if (at) throw new Error(`branch ${branch} is checked out at ${at}; it was kept`);
      await git(['branch', '--quiet', '-D', branch], { cwd: root });
    }
  } else {
    rmSync(folder, { recursive: true, force: true });
  }
  removeJournal(folder, 'launching');
}

function orphanNote(orphan: OrphanedWorktree): string {
  const left = [
    orphan.folderExists ? `the worktree ${orphan.path}` : undefined,
    orphan.branchExists ? `branch ${orphan.branch} in ${orphan.repositoryRoot}` : undefined,
  ].filter(Boolean);
  return `a launch cut short left ${left.join(' and ')} with no task: baton doctor --fix removes them`;
}

/**
 * Run on every start: settles what crashes left in the worktrees of tasks no live process runs, and names
 * what launches cut short left. Returns what it found and did, one line each, for the user.
 */
export async function recoverWorktrees(store: TaskStore, dataDir: string, isAlive: IsAlive): Promise<string[]> {
  const notes: string[] = [];
  for (const worktree of await store.idleActiveWorktrees()) {
    const { taskId, path: folder, branch } = worktree;
    const locks = lockNote(taskId, folder, clearStaleLocks({ taskId, path: folder, branch }));
    if (locks) notes.push(locks);
    const merging = readJournal(folder, 'merging');
    if (merging && !isAlive(merging.pid)) notes.push(await settleCutMerge(store, worktree));
  }
  for (const orphan of await orphanedWorktrees(store, dataDir, isAlive)) notes.push(orphanNote(orphan));
  return notes;
}
