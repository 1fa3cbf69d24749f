/**
 * Where a task's iterations run and how what they change is recorded. In a git repository each
 * iteration gets a snapshot commit before and after (kept under refs/baton/tasks/<task>/); in a
 * task's own worktree, the commit after is a checkpoint on its branch. Elsewhere nothing is
 * recorded, and the task says why.
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { ChangeTracking } from '../../contract/views';
import { git } from '../git/git';
import { findRepository, headCommit } from '../git/repository';
import { changeStats, deleteRefs, snapshotCommit, workTreeIsClean } from '../git/snapshot';
import { checkpointCommit, discardWorktree } from '../git/worktree';
import { sumTokens } from '../../contract/format';
import type { RecordedChange, TaskStore, WorktreeRow } from '../store/task-store';

/** What a checkpoint commit says of its iteration. */
export interface IterationFacts {
  iteration: number;
  sessionId: string;
  taskId: string;
  taskTitle: string;
  tokens: number;
  costUsd: number;
  interrupted?: boolean;
}

export interface TaskWorkspace {
  tracking: ChangeTracking;
  /** Where the agent and the check run. */
  cwd: string;
  /** The commit the iteration starts from; null where nothing is recorded. */
  before(taskId: string, iteration: number): Promise<string | null>;
  /** What the iteration changed since `before`; in a worktree, after committing it as a checkpoint. */
  after(before: string, facts: IterationFacts): Promise<RecordedChange>;
  /** Removes what the task left in git: its snapshot refs, and its worktree and branch where it has them. */
  forget(taskId: string): Promise<void>;
}

/** A worktree task whose worktree cannot be used: resume and run refuse with this. */
export class WorkspaceUnavailableError extends Error {
  override readonly name = 'WorkspaceUnavailableError';
}

const taskRefs = (taskId: string) => `refs/baton/tasks/${taskId}/`;
const snapshotRef = (taskId: string, iteration: number, side: 'before' | 'after') =>
  `${taskRefs(taskId)}${iteration}/${side}`;

function checkpointMessage(facts: IterationFacts): string {
  const title = facts.taskTitle.length > 60 ? `${facts.taskTitle.slice(0, 59)}…` : facts.taskTitle;
  return [
    `Baton: iteration ${facts.iteration}${facts.interrupted ? ' (interrupted)' : ''} of "${title}"`,
    '',
    `Baton-Task: ${facts.taskId}`,
    `Baton-Session: ${facts.sessionId}`,
    `Baton-Tokens: ${facts.tokens}`,
    `Baton-Cost-USD: ${facts.costUsd.toFixed(6)}`,
  ].join('\n');
}

const untracked = (tracking: ChangeTracking, cwd: string): TaskWorkspace => ({
  tracking,
  cwd,
  before: async () => null,
  after: () => Promise.reject(new Error('no change record is kept for this task')),
  forget: async () => undefined,
});

/** Why a worktree task cannot run now, or undefined when it can. */
export function worktreeProblem(worktree: WorktreeRow): string | undefined {
  if (worktree.state !== 'active') return `its worktree was ${worktree.state}; start a new task instead`;
  if (!existsSync(worktree.path)) {
    return `its worktree ${worktree.path} was deleted; discard the task (baton discard) to clean up its branch ${worktree.branch}`;
  }
  return undefined;
}

/**
 * The project may be a folder inside the repository: the agent works in the same folder of the worktree.
 * Compared as real paths, since git reports its root with symlinks resolved (/tmp → /private/tmp).
 */
function sameFolderIn(worktree: WorktreeRow, dir: string): string {
  let below: string;
  try {
    below = path.relative(realpathSync(worktree.repositoryRoot), realpathSync(dir));
  } catch {
    return worktree.path;
  }
  const cwd = path.join(worktree.path, below);
  return below.startsWith('..') || path.isAbsolute(below) || !existsSync(cwd) ? worktree.path : cwd;
}

/** The workspace of a task: its worktree when it has one, else its directory, recorded when git can. */
export async function openWorkspace(dir: string, worktree: WorktreeRow | undefined): Promise<TaskWorkspace> {
  if (worktree) {
    const problem = worktreeProblem(worktree);
    if (problem) throw new WorkspaceUnavailableError(`the task cannot run: ${problem}`);
    return {
      tracking: 'git',
      cwd: sameFolderIn(worktree, dir),
      before: async (taskId, iteration) => {
        const head = await headCommit(worktree.path);
        if (!head) throw new Error(`the worktree ${worktree.path} has no commit`);
        if (await workTreeIsClean(worktree.path)) return head;
        // What the last check left (a log it writes) is no part of this iteration's change: snapshot it first.
        return snapshotCommit(worktree.path, {
          parent: head,
          message: `Baton snapshot before iteration ${iteration} of task ${taskId}`,
          ref: snapshotRef(taskId, iteration, 'before'),
        });
      },
      after: async (before, facts) => {
        // Nothing left to commit may still mean a change: the agent can commit on the branch itself.
        const after =
          (await checkpointCommit(worktree.path, checkpointMessage(facts))) ??
          (await headCommit(worktree.path)) ??
          before;
        // Kept apart from the branch too, so an iteration's diff can still be read once the branch is discarded.
        await git(['update-ref', snapshotRef(facts.taskId, facts.iteration, 'after'), after], { cwd: worktree.path });
        return { after, ...(await changeStats(worktree.path, before, after)) };
      },
      forget: async (taskId) => {
        await deleteRefs(worktree.repositoryRoot, taskRefs(taskId));
        await discardWorktree(worktree);
      },
    };
  }
  const lookup = await findRepository(dir);
  if (lookup.kind !== 'repository') return untracked(lookup.kind, dir);
  const { root } = lookup.repository;
  return {
    tracking: 'git',
    cwd: dir,
    before: async (taskId, iteration) =>
      snapshotCommit(root, {
        parent: await headCommit(root),
        message: `Baton snapshot before iteration ${iteration} of task ${taskId}`,
        ref: snapshotRef(taskId, iteration, 'before'),
      }),
    after: async (before, facts) => {
      const after = await snapshotCommit(root, {
        parent: before,
        message: `Baton snapshot after iteration ${facts.iteration} of task ${facts.taskId}`,
        ref: snapshotRef(facts.taskId, facts.iteration, 'after'),
      });
      return { after, ...(await changeStats(root, before, after)) };
    },
    forget: (taskId) => deleteRefs(root, taskRefs(taskId)),
  };
}

/** The snapshot an iteration starts from; like recordChange, a git failure costs only the record. */
export async function snapshotBefore(
  workspace: TaskWorkspace,
  taskId: string,
  iteration: number,
): Promise<string | null> {
  try {
    return await workspace.before(taskId, iteration);
  } catch (error) {
    console.error(`baton: could not snapshot the work tree before iteration ${iteration}: ${(error as Error).message}`);
    return null;
  }
}

/** What an iteration changed since `before`; a git failure costs only the record, never the task. */
export async function recordChange(
  workspace: TaskWorkspace,
  before: string | null,
  facts: IterationFacts,
): Promise<RecordedChange | null> {
  if (before === null || workspace.tracking !== 'git') return null;
  try {
    return await workspace.after(before, facts);
  } catch (error) {
    console.error(`baton: could not record what iteration ${facts.iteration} changed: ${(error as Error).message}`);
    return null;
  }
}

/**
 * Iterations Baton stopped in (a crash) got their snapshot before but none after: it is taken now, so
 * what they changed is still recorded, and in a worktree committed as their checkpoint. Run before a
 * task goes on, and before its worktree is merged, so the cut iteration's work is not left behind.
 */
export async function finishInterruptedChanges(
  store: TaskStore,
  task: { id: string; title: string },
  workspace: TaskWorkspace,
): Promise<void> {
  if (workspace.tracking !== 'git') return;
  for (const { sessionId, iteration, before } of await store.unfinishedChanges(task.id)) {
    const cut = await store.sessionView(sessionId);
    const change = await recordChange(workspace, before, {
      iteration,
      sessionId,
      taskId: task.id,
      taskTitle: task.title,
      tokens: cut ? sumTokens(cut) : 0,
      costUsd: cut?.costUsd ?? 0,
      interrupted: true,
    });
    if (change) await store.recordChange(sessionId, change);
  }
}
