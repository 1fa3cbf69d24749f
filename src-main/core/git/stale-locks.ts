/**
 * Lock files a git process killed mid-write leaves in a task's worktree (a crash during a checkpoint's
 * `git add` leaves `index.lock`): while one is there, every later checkpoint fails and the merge is
 * refused. Only the locks of the worktree itself and of Baton's own refs for the task are looked at, and a
 * lock is only ever removed when no git process is running in the worktree.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

export interface TaskWorktree {
  taskId: string;
  /** The worktree's folder. */
  path: string;
  branch: string;
}

/** The worktree's own git folder and the repository's common one, read from its `.git` file; undefined if gone. */
export function worktreeGitDirs(worktree: string): { gitDir: string; commonDir: string } | undefined {
  try {
    const link = readFileSync(path.join(worktree, '.git'), 'utf8')
      .match(/^gitdir: (.+)$/m)?.[1]
      ?.trim();
    if (!link) return undefined;
    const gitDir = path.resolve(worktree, link);
    const common = readFileSync(path.join(gitDir, 'commondir'), 'utf8').trim();
    return { gitDir, commonDir: path.resolve(gitDir, common) };
  } catch {
    return undefined;
  }
}

/** Every `*.lock` file below a folder (refs are folders of files). */
function locksBelow(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return locksBelow(full);
    return entry.name.endsWith('.lock') ? [full] : [];
  });
}

/**
 * The lock files that are there now: the worktree's index and HEAD, its branch, and the task's snapshot
 * refs (all written only by Baton, for this task, or by the agent inside the worktree).
 */
export function locksOf(worktree: TaskWorktree): string[] {
  const dirs = worktreeGitDirs(worktree.path);
  if (!dirs) return [];
  const candidates = [
    path.join(dirs.gitDir, 'index.lock'),
    path.join(dirs.gitDir, 'HEAD.lock'),
    path.join(dirs.commonDir, 'refs', 'heads', `${worktree.branch}.lock`),
  ];
  return [
    ...candidates.filter((file) => existsSync(file)),
    ...locksBelow(path.join(dirs.commonDir, 'refs', 'baton', 'tasks', worktree.taskId)),
  ];
}

const within = (dir: string, folder: string) => dir === folder || dir.startsWith(`${folder}${path.sep}`);

/**
 * Pids of git processes working in one of the folders (their current directory in it), or undefined when
 * that cannot be told (no /proc) and some git process is running somewhere.
 */
export function gitProcessesIn(folders: string[]): number[] | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return anyGitRunning() ? undefined : [];
  }
  const found: number[] = [];
  for (const pid of pids) {
    try {
      if (!/^git(-|$)/.test(readFileSync(`/proc/${pid}/comm`, 'utf8').trim())) continue;
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (folders.some((folder) => within(cwd, folder))) found.push(Number(pid));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}

function anyGitRunning(): boolean {
  try {
    const names = execFileSync('ps', ['-A', '-o', 'comm='], { encoding: 'utf8' }).split('\n');
    return names.some((name) => /(^|\/)git(-|$)/.test(name.trim()));
  } catch {
    return true;
  }
}

export type LockRecovery =
  | { kind: 'none' }
  | { kind: 'removed'; files: string[] }
  /** Left in place: a git process works in the worktree (`pids`), or no one can tell (`pids` empty). */
  | { kind: 'in_use'; files: string[]; pids: number[] };

/** Removes the worktree's lock files when no git process is running in it; says what it found and did. */
export function clearStaleLocks(worktree: TaskWorktree): LockRecovery {
  const files = locksOf(worktree);
  if (files.length === 0) return { kind: 'none' };
  const dirs = worktreeGitDirs(worktree.path);
  const pids = gitProcessesIn([realFolder(worktree.path), ...(dirs ? [realFolder(dirs.gitDir)] : [])]);
  if (pids === undefined || pids.length > 0) return { kind: 'in_use', files, pids: pids ?? [] };
  const removed = files.filter((file) => {
    // A lock is a plain file; anything else by that name is not git's, and stays.
    if (!statSync(file, { throwIfNoEntry: false })?.isFile()) return false;
    rmSync(file, { force: true });
    return true;
  });
  return { kind: 'removed', files: removed };
}

/** A folder as /proc names a process's current directory: links resolved. */
function realFolder(folder: string): string {
  try {
    return realpathSync(folder);
  } catch {
    return folder;
  }
}
