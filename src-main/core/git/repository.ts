/** What git says of a directory: whether it is in a work tree, where its root is, and what HEAD is. */
import path from 'node:path';
import { git, GitError, GitUnavailableError } from './git';

export interface Repository {
  /** The work tree's top folder. */
  root: string;
  /** The directory's path below the root, '' at the root, always with a trailing '/' otherwise (git's form). */
  prefix: string;
  /** HEAD's commit, null in a repository with no commits yet. */
  head: string | null;
  /** The checked-out branch (short name), null when HEAD is detached. */
  branch: string | null;
}

export type RepositoryLookup =
  | { kind: 'repository'; repository: Repository }
  | { kind: 'not_a_repository' }
  | { kind: 'git_unavailable'; reason: string };

/** Looks up the git work tree `dir` is in. A bare repository or a .git folder counts as none. */
export async function findRepository(dir: string): Promise<RepositoryLookup> {
  let stdout: string;
  try {
    ({ stdout } = await git(['rev-parse', '--is-inside-work-tree', '--show-toplevel', '--show-prefix'], { cwd: dir }));
  } catch (error) {
    if (error instanceof GitUnavailableError) return { kind: 'git_unavailable', reason: error.message };
    if (error instanceof GitError) return { kind: 'not_a_repository' };
    throw error;
  }
  const [inside, root, prefix = ''] = stdout.split('\n');
  if (inside !== 'true' || !root) return { kind: 'not_a_repository' };
  const [head, branch] = await Promise.all([headCommit(dir), currentBranch(dir)]);
  return { kind: 'repository', repository: { root: path.resolve(root), prefix, head, branch } };
}

/** HEAD's commit id, or null when the branch has no commit yet. */
export async function headCommit(dir: string): Promise<string | null> {
  const { stdout, exitCode } = await git(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], {
    cwd: dir,
    okExitCodes: [1],
  });
  return exitCode === 0 ? stdout.trim() : null;
}

async function currentBranch(dir: string): Promise<string | null> {
  const { stdout, exitCode } = await git(['symbolic-ref', '--quiet', '--short', 'HEAD'], {
    cwd: dir,
    okExitCodes: [1],
  });
  return exitCode === 0 ? stdout.trim() : null;
}

/** Whether a local branch of that name exists. */
export async function branchExists(root: string, branch: string): Promise<boolean> {
  const { exitCode } = await git(['show-ref', '--verify', '--quiet', `refs/heads/${branch}`], {
    cwd: root,
    okExitCodes: [1],
  });
  return exitCode === 0;
}
