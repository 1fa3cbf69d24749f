/**
 * What a crash can leave of a task's worktree, found on the next start so that every worktree task can
 * again be merged or discarded: lock files of a git process killed mid-write (a checkpoint's `git add`),
 * removed where no git runs. Only tasks no live process runs are touched.
 */
import { clearStaleLocks, type LockRecovery } from '../git/stale-locks';
import type { TaskStore } from '../store/task-store';

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

/**
 * Run on every start: settles what crashes left in the worktrees of tasks no live process runs. Returns what
 * it found and did, one line each, for the user.
 */
export async function recoverWorktrees(store: TaskStore): Promise<string[]> {
  const notes: string[] = [];
  for (const worktree of await store.idleActiveWorktrees()) {
    const { taskId, path: folder, branch } = worktree;
    const locks = lockNote(taskId, folder, clearStaleLocks({ taskId, path: folder, branch }));
    if (locks) notes.push(locks);
  }
  return notes;
}
