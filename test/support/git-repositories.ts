/** Real git repositories in temporary folders, and what a user would see of their own checkout. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Runs git in `cwd` and returns its output without the final newline. Optional locks are off, so a
 * `git status` of the test's own never refreshes the index it is comparing.
 */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' },
  }).trimEnd();
}

/** A repository on branch `main` with a user identity and one commit of `files` (path → content). */
export function makeRepository(dir: string, files: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '--quiet', '--initial-branch=main');
  git(dir, 'config', 'user.name', 'Test User');
  git(dir, 'config', 'user.email', 'test@example.com');
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  git(dir, 'add', '--all');
  git(dir, 'commit', '--quiet', '-m', 'first');
  return git(dir, 'rev-parse', 'HEAD');
}

/** Every file below `dir` (its .git folder aside) with its content, by relative path; binary files as 'base64'. */
export function filesOf(dir: string, encoding: BufferEncoding = 'utf8'): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '.git') walk(full);
      } else {
        files[path.relative(dir, full)] = readFileSync(full, encoding);
      }
    }
  };
  walk(dir);
  return files;
}

/** The user's checkout as they would judge it untouched: HEAD, branches, status, the index file's bytes and the files. */
export function checkoutState(dir: string) {
  return {
    head: git(dir, 'rev-parse', 'HEAD'),
    branches: git(dir, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads').split('\n'),
    status: git(dir, 'status', '--porcelain'),
    index: readFileSync(path.join(dir, '.git', 'index')).toString('base64'),
    files: filesOf(dir),
  };
}
