/**
 * A task's own git worktree: made on a new branch from the user's HEAD, one checkpoint commit per
 * iteration that changed something, then merged into the branch it came from or discarded. The
 * user's checkout is only ever touched by a merge they asked for.
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { git, type GitError } from './git';
import { branchExists } from './repository';
import { BATON_IDENTITY } from './snapshot';

/** A refusal the user can act on: nothing was changed. */
export class WorktreeError extends Error {
  override readonly name = 'WorktreeError';
}

/** Where and on which branch a task's worktree is made. */
export function worktreePlan(dataDir: string, taskId: string): { path: string; branch: string } {
  return { path: path.join(dataDir, 'worktrees', taskId), branch: `baton/${taskId.slice(0, 8)}` };
}

/**
 * Makes the worktree on its new branch, or refuses (WorktreeError) with nothing written. `beforeAdd` runs once
 * nothing can refuse any more, just before git starts writing.
 */
export async function createWorktree(
  root: string,
  plan: { path: string; branch: string; base: string },
  beforeAdd: () => void = () => undefined,
): Promise<void> {
  if (await branchExists(root, plan.branch)) {
    throw new WorktreeError(`branch ${plan.branch} already exists in ${root}; delete or rename it first`);
  }
  if (existsSync(plan.path)) throw new WorktreeError(`${plan.path} already exists; a worktree cannot be made there`);
  beforeAdd();
  await git(['worktree', 'add', '--quiet', '-b', plan.branch, plan.path, plan.base], { cwd: root });
}

/** The user's identity for commits made in their name, or Baton's where they set none (git would refuse). */
async function committerEnv(cwd: string): Promise<NodeJS.ProcessEnv> {
  const { exitCode } = await git(['config', '--get', 'user.email'], { cwd, okExitCodes: [1] });
  return exitCode === 0 ? {} : BATON_IDENTITY;
}

/**
 * Commits everything in the worktree (what .gitignore ignores aside) on its branch. Returns the new
 * commit, or null when nothing changed. Hooks and signing are skipped: a checkpoint must not wait on
 * a passphrase or fail a task for a lint the agent's work is not done with.
 */
export async function checkpointCommit(worktree: string, message: string): Promise<string | null> {
  await git(['add', '--all', '--', ':/'], { cwd: worktree });
  const { exitCode } = await git(['diff', '--cached', '--quiet'], { cwd: worktree, okExitCodes: [1] });
  if (exitCode === 0) return null;
  await git(['-c', 'commit.gpgsign=false', 'commit', '--quiet', '--no-verify', '-m', message], {
    cwd: worktree,
    env: await committerEnv(worktree),
  });
  return (await git(['rev-parse', 'HEAD'], { cwd: worktree })).stdout.trim();
}

export interface WorktreeRecord {
  /** The user's repository the worktree was made from. */
  repositoryRoot: string;
  path: string;
  branch: string;
  baseBranch: string | null;
}

/** The checkout (of any of the repository's worktrees) that has `branch` checked out, if one does. */
export async function checkoutOf(root: string, branch: string): Promise<string | undefined> {
  const { stdout } = await git(['worktree', 'list', '--porcelain'], { cwd: root });
  let current: string | undefined;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('worktree ')) current = line.slice('worktree '.length);
    else if (line === `branch refs/heads/${branch}` && current) return current;
  }
  return undefined;
}

/** The message of Baton's merge of a task: `landedMerge` finds the merge again by it. */
export function mergeMessage(task: { id: string; title: string }, branch: string): string {
  return `${MERGE_SUBJECT} "${task.title}" (${branch})\n\n${TASK_TRAILER} ${task.id}`;
}

const MERGE_SUBJECT = 'Merge Baton task';
const TASK_TRAILER = 'Baton-Task:';

/**
 * The commit of Baton's merge of the task, when one landed on the base branch (a merge commit or a squash),
 * or null. Asked after a crash, when the merge may have landed without the task saying so.
 */
export async function landedMerge(record: WorktreeRecord, taskId: string): Promise<string | null> {
  const { repositoryRoot: root, branch, baseBranch } = record;
  if (!baseBranch || !(await branchExists(root, baseBranch))) return null;
  // The task's own checkpoints carry its trailer too: only commits the task's branch lacks are looked at.
  const range = (await branchExists(root, branch)) ? [baseBranch, `^${branch}`] : [baseBranch];
  const { stdout } = await git(
    [
      'log',
      '-1',
      '--format=%H',
      '--fixed-strings',
      '--all-match',
      `--grep=${MERGE_SUBJECT}`,
      `--grep=${TASK_TRAILER} ${taskId}`,
      ...range,
      '--',
    ],
    { cwd: root },
  );
  return stdout.trim() || null;
}

/**
 * Merges the task's branch into the branch it started from, in the checkout that has that branch. Refuses,
 * changing nothing, when that checkout has uncommitted changes or the branches conflict.
 */
export async function mergeWorktree(record: WorktreeRecord, squash: boolean, message: string): Promise<string> {
  const { repositoryRoot: root, branch, baseBranch } = record;
  if (!baseBranch) {
    throw new WorktreeError(`the task started from a detached HEAD: merge ${branch} yourself where you want it`);
  }
  if (!(await branchExists(root, branch))) throw new WorktreeError(`branch ${branch} no longer exists in ${root}`);
  if (!(await branchExists(root, baseBranch))) {
    throw new WorktreeError(`branch ${baseBranch}, which the task started from, no longer exists`);
  }
  const target = await checkoutOf(root, baseBranch);
  if (!target) throw new WorktreeError(`check out ${baseBranch} in ${root} first: the merge goes into that checkout`);
  const { stdout: dirty } = await git(['status', '--porcelain', '--untracked-files=no'], { cwd: target });
  const dirtyLines = dirty.split('\n').filter((line) => line.length > 3);
  if (dirtyLines.length > 0) {
    // Porcelain lines are "XY path": two status letters and a space before the path.
    const files = dirtyLines
      .slice(0, 5)
      .map((line) => line.slice(3))
      .join(', ');
    throw new WorktreeError(`${target} has uncommitted changes (${files}); commit or stash them, then merge again`);
  }
  const { stdout: ahead } = await git(['rev-list', '--count', `${baseBranch}..${branch}`], { cwd: root });
  if (Number(ahead.trim()) === 0) throw new WorktreeError(`${branch} has nothing that ${baseBranch} does not have`);
  // Asked of git without touching any checkout, so a conflict refuses before anything is written.
  const trial = await git(['merge-tree', '--write-tree', '--name-only', '--no-messages', baseBranch, branch], {
    cwd: root,
    okExitCodes: [1],
  });
  if (trial.exitCode === 1) {
    const conflicted = trial.stdout.trim().split('\n').slice(1).filter(Boolean);
    throw new WorktreeError(
      `${branch} conflicts with ${baseBranch} in ${conflicted.slice(0, 10).join(', ') || 'some files'}; ` +
        `nothing was merged, and the branch is kept. To merge it, run \`git merge ${baseBranch}\` in ` +
        `${existsSync(record.path) ? record.path : `a checkout of ${branch}`}, resolve the conflicts and commit, ` +
        `then merge again; or discard it`,
    );
  }
  const env = await committerEnv(target);
  try {
    if (squash) {
      await git(['merge', '--squash', '--quiet', branch], { cwd: target, env });
      await git(['commit', '--quiet', '-m', message], { cwd: target, env });
    } else {
      await git(['merge', '--no-ff', '--quiet', '-m', message, branch], { cwd: target, env });
    }
  } catch (error) {
    // A hook or something the trial could not foresee: put the checkout back as it was.
    await git(['merge', '--abort'], { cwd: target }).catch(() => git(['reset', '--merge'], { cwd: target }));
    throw new WorktreeError(`the merge failed and was undone: ${(error as GitError).message}`);
  }
  return (await git(['rev-parse', 'HEAD'], { cwd: target })).stdout.trim();
}

/**
 * Removes the worktree folder (if it is still there) and git's record of it, but keeps the branch. Only
 * `force` removes one with changes in no commit: after a merge, such changes stop the removal instead.
 */
export async function removeWorktree(record: WorktreeRecord, force = false): Promise<void> {
  if (existsSync(record.path)) {
    await git(['worktree', 'remove', ...(force ? ['--force'] : []), record.path], { cwd: record.repositoryRoot });
  } else {
    await git(['worktree', 'prune'], { cwd: record.repositoryRoot });
  }
}

/** Removes the worktree and deletes its branch, work and all. */
export async function discardWorktree(record: WorktreeRecord): Promise<void> {
  // A removal cut short (a crash in `git worktree remove`) can take the folder's .git file and leave the rest:
  // git then refuses the folder as no worktree. It is Baton's own task folder, so it goes, and git's record of
  // it is pruned below.
  // Only a folder where Baton makes its task worktrees (<data>/worktrees/<task>), whatever a stored record says.
  const ownFolder = path.basename(path.dirname(record.path)) === 'worktrees';
  if (ownFolder && existsSync(record.path) && !existsSync(path.join(record.path, '.git'))) {
    rmSync(record.path, { recursive: true, force: true });
  }
  await removeWorktree(record, true);
  if (await branchExists(record.repositoryRoot, record.branch)) {
    await git(['branch', '--quiet', '-D', record.branch], { cwd: record.repositoryRoot });
  }
}
