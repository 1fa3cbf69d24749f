/**
 * What the next start makes of the notes Baton leaves while it launches or merges a worktree task, for
 * the cases the crash tests in test/integration do not reach: a merge cut short before it landed, a discard
 * cut short, notes whose launch did finish or left nothing, notes of a live process, and a note naming a
 * folder Baton never planned. Real git and a real store; the agent is scripted.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BatonCore, openBatonCore } from '../../src-main/core/baton-core';
import { TaskChanges } from '../../src-main/core/orchestrator/task-changes';
import type { JournalEntry } from '../../src-main/core/orchestrator/worktree-journal';
import { orphanedWorktrees } from '../../src-main/core/orchestrator/worktree-recovery';
import { discardWorktree } from '../../src-main/core/git/worktree';
import { git, makeRepository } from '../support/git-repositories';
import { ScriptedAgent, success } from '../support/scripted-agent';

let root: string;
let repo: string;
let core: BatonCore | undefined;
const dataDir = () => path.join(root, 'data');
const worktreesDir = () => path.join(dataDir(), 'worktrees');

/** Opens Baton on the test's database, as every start does: recovery first. */
async function start(): Promise<BatonCore> {
  await core?.close();
  const agent = new ScriptedAgent((request) => {
    writeFileSync(path.join(request.cwd, 'feature.txt'), 'done\n');
    return success('done');
  });
  core = await openBatonCore({
    databaseFile: path.join(dataDir(), 'baton.db'),
    agent,
    retry: { baseDelayMs: 0, maxDelayMs: 0 },
  });
  return core;
}

/** The pid of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn('true', [], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid as number;
}

/** A note as a process that is gone left it (the journal's own writer always names this process). */
function leaveNote(entry: JournalEntry): void {
  mkdirSync(path.dirname(entry.path), { recursive: true });
  writeFileSync(`${entry.path}.${entry.kind}.json`, JSON.stringify(entry));
}

const notes = () => readdirSync(worktreesDir()).filter((name) => name.endsWith('.json'));

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'baton-recovery-'));
  repo = path.join(root, 'repo');
  makeRepository(repo, { 'README.md': 'hello\n' });
});
afterEach(async () => {
  await core?.close();
  core = undefined;
  rmSync(root, { recursive: true, force: true });
});

describe('a merge whose process is gone', () => {
  it('that had not landed: the note goes, the task stays active, and it merges', async () => {
    const { orchestrator, store } = await start();
    const task = await orchestrator.createTask({ dir: repo, prompt: 'work', maxIterations: 1, worktree: true });
    await orchestrator.runTask(task.id);
    const worktree = await store.worktreeOf(task.id);
    const { repositoryRoot, path: folder, branch } = worktree!;
    leaveNote({ kind: 'merging', pid: await deadPid(), taskId: task.id, repositoryRoot, path: folder, branch });

    const { recovered, store: reopened } = await start();
    expect(recovered).toEqual([
      `the merge of task ${task.id} was cut short before it landed: nothing was merged, and it can be merged again (git status in the checkout of main shows what git left there)`,
    ]);
    expect(notes()).toEqual([]);
    expect((await reopened.worktreeOf(task.id))?.state).toBe('active');
    const merged = await new TaskChanges(reopened).merge((await reopened.taskDetail(task.id))!, false);
    expect(merged.message).toMatch(/^merged baton\//);
    expect(git(repo, 'show', 'main:feature.txt')).toBe('done');
  });
});

describe('a discard whose process is gone', () => {
  it('that had removed part of the worktree, its .git file among it: discarded again, folder, branch and all', async () => {
    const { orchestrator, store } = await start();
    const task = await orchestrator.createTask({ dir: repo, prompt: 'work', maxIterations: 1, worktree: true });
    await orchestrator.runTask(task.id);
    const { path: folder, branch } = (await store.worktreeOf(task.id))!;
    // `git worktree remove` deletes the folder's files in no set order: killed part-way, its .git file may be
    // gone while other files stay, and git then refuses to remove what it no longer sees as a worktree.
    rmSync(path.join(folder, '.git'));
    expect(existsSync(path.join(folder, 'feature.txt'))).toBe(true);

    const { store: reopened } = await start();
    const discarded = await new TaskChanges(reopened).discard((await reopened.taskDetail(task.id))!);
    expect(discarded.message).toBe(`removed the worktree ${folder} and deleted branch ${branch}`);
    expect(existsSync(folder)).toBe(false);
    expect(git(repo, 'branch', '--list', branch)).toBe('');
    expect(git(repo, 'worktree', 'list', '--porcelain')).not.toContain(folder);
    expect((await reopened.worktreeOf(task.id))?.state).toBe('discarded');
  });
});

describe('notes of launches', () => {
  it('go quietly where the task got its row or nothing was left; a live one and a stranger stay untouched', async () => {
    const { orchestrator } = await start();
    const task = await orchestrator.createTask({ dir: repo, prompt: 'work', maxIterations: 1, worktree: true });
    const plan = (taskId: string) => ({
      taskId,
      repositoryRoot: repo,
      path: path.join(worktreesDir(), taskId),
      branch: `baton/${taskId.slice(0, 8)}`,
    });
    const gone = await deadPid();
    // The crash came after the row was written.
    leaveNote({ kind: 'launching', pid: gone, ...plan(task.id) });
    // The crash came before git wrote anything.
    leaveNote({ kind: 'launching', pid: gone, ...plan('11111111-1111-4111-8111-111111111111') });
    // A launch under way in another live process (a sleeper stands in for it).
    const live = plan('22222222-2222-4222-8222-222222222222');
    mkdirSync(live.path);
    const launcher = spawn('sleep', ['600'], { stdio: 'ignore' });
    leaveNote({ kind: 'launching', pid: launcher.pid as number, ...live });
    // A note naming a folder and branch Baton would never plan for that task: never acted on.
    const stranger = { ...plan('33333333-3333-4333-8333-333333333333'), branch: 'main' };
    leaveNote({ kind: 'launching', pid: gone, ...stranger });

    const { recovered, store } = await start().finally(() => launcher.kill('SIGKILL'));
    expect(recovered).toEqual([]);
    expect(notes().sort()).toEqual([
      '22222222-2222-4222-8222-222222222222.launching.json',
      '33333333-3333-4333-8333-333333333333.launching.json',
    ]);
    expect(await orphanedWorktrees(store, dataDir(), (pid) => pid === launcher.pid)).toEqual([]);
    expect(existsSync(live.path)).toBe(true);
    expect(git(repo, 'branch', '--list', 'main')).not.toBe('');
  });
});

describe('a discard of a record that names a folder Baton does not make worktrees in', () => {
  it('leaves that folder as it is, even without its .git file', async () => {
    const folder = path.join(root, 'someone-elses');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'keep.txt'), 'mine\n');
    const record = { repositoryRoot: repo, path: folder, branch: 'baton/none', baseBranch: null };
    await discardWorktree(record).catch(() => undefined);
    expect(existsSync(path.join(folder, 'keep.txt'))).toBe(true);
  });
});
