/**
 * Lock files a killed git leaves in a task's worktree: git's message names the file, and recovery removes
 * one only while no git process works in the worktree. Real git, real processes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git as batonGit } from '../../src-main/core/git/git';
import { clearStaleLocks, locksOf } from '../../src-main/core/git/stale-locks';
import { checkpointCommit } from '../../src-main/core/git/worktree';
import { git, makeRepository } from '../support/git-repositories';

let root: string;
let repo: string;
let worktree: string;
const taskId = '0123abcd-0000-4000-8000-000000000000';
const branch = 'baton/0123abcd';
const started: ChildProcess[] = [];

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'baton-locks-'));
  repo = path.join(root, 'repo');
  worktree = path.join(root, 'worktrees', taskId);
  makeRepository(repo, { 'README.md': 'hello\n' });
  git(repo, 'worktree', 'add', '--quiet', '-b', branch, worktree);
});

afterEach(() => {
  for (const child of started.splice(0)) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

const gitPath = (name: string) => git(worktree, 'rev-parse', '--path-format=absolute', '--git-path', name);

/** A git process at work in the worktree until it is ended: it reads its stdin, which stays open. */
async function gitAtWork(): Promise<ChildProcess> {
  const child = spawn('git', ['hash-object', '--stdin'], { cwd: worktree, stdio: ['pipe', 'ignore', 'ignore'] });
  started.push(child);
  await new Promise((resolve) => child.on('spawn', resolve));
  return child;
}

describe('a lock a killed git left in a worktree', () => {
  it('is named whole in the error of every checkpoint it blocks', async () => {
    const lock = gitPath('index.lock');
    writeFileSync(lock, '');
    writeFileSync(path.join(worktree, 'new.txt'), 'x\n');
    await expect(checkpointCommit(worktree, 'checkpoint')).rejects.toThrow(
      `git add failed: fatal: Unable to create '${lock}': File exists.`,
    );
    // Where git says no fatal line, its last lines are the message, as before.
    await expect(batonGit(['rev-parse', '--verify', 'nowhere'], { cwd: worktree })).rejects.toThrow(
      'git rev-parse failed: fatal: Needed a single revision',
    );
  });

  it('is found with the other locks of the task: its HEAD, its branch, its snapshot refs', () => {
    const snapshot = path.join(repo, '.git', 'refs', 'baton', 'tasks', taskId, '1');
    const locks = [gitPath('index.lock'), gitPath('HEAD.lock'), gitPath(`refs/heads/${branch}.lock`)];
    for (const lock of locks) writeFileSync(lock, '');
    git(repo, 'update-ref', `refs/baton/tasks/${taskId}/1/before`, 'HEAD');
    writeFileSync(path.join(snapshot, 'after.lock'), '');
    // Another task's lock is not this one's.
    git(repo, 'update-ref', 'refs/baton/tasks/other/1/before', 'HEAD');
    writeFileSync(path.join(repo, '.git', 'refs', 'baton', 'tasks', 'other', '1', 'after.lock'), '');
    expect(locksOf({ taskId, path: worktree, branch }).sort()).toEqual(
      [...locks, path.join(snapshot, 'after.lock')].sort(),
    );
  });

  it('stays while a git process works in the worktree, and goes once none does', async () => {
    const lock = gitPath('index.lock');
    writeFileSync(lock, '');
    const busy = await gitAtWork();
    expect(clearStaleLocks({ taskId, path: worktree, branch })).toEqual({
      kind: 'in_use',
      files: [lock],
      pids: [busy.pid],
    });
    busy.kill('SIGKILL');
    await new Promise((resolve) => busy.on('exit', resolve));
    expect(clearStaleLocks({ taskId, path: worktree, branch })).toEqual({ kind: 'removed', files: [lock] });
    expect(locksOf({ taskId, path: worktree, branch })).toEqual([]);
    expect(clearStaleLocks({ taskId, path: worktree, branch })).toEqual({ kind: 'none' });
  });
});
