/**
 * The contract's change methods as every front end calls them: a directory as git sees it for the
 * launch form, diffs, merge and discard refused with the caller's fix in words, and git missing.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BatonEvent } from '../../src-main/contract/events';
import { openBatonCore } from '../../src-main/core/baton-core';
import type { BatonService } from '../../src-main/service/baton-service';
import { openBaton } from '../../src-main/service/open-baton';
import { ScriptedAgent, success } from '../support/scripted-agent';

let dir: string;
let host: BatonService;

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, stdio: 'ignore' });

function makeRepository(at: string, commit = true): string {
  mkdirSync(at, { recursive: true });
  git(at, 'init', '--quiet', '--initial-branch=trunk');
  if (commit) {
    writeFileSync(path.join(at, 'a.txt'), 'a\n');
    git(at, 'add', '-A');
    git(at, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', 'a');
  }
  return at;
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'baton-changes-'));
  host = await openBaton({ databaseFile: path.join(dir, 'baton.db'), mode: 'browser', env: {} });
});
afterEach(async () => {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('getDirectoryInfo', () => {
  it('tells a repository with commits, one without, a plain folder and a missing one apart', async () => {
    const repo = makeRepository(path.join(dir, 'repo'));
    const empty = makeRepository(path.join(dir, 'empty'), false);
    const plain = path.join(dir, 'plain');
    mkdirSync(plain);
    const info = async (at: string) => host.call('getDirectoryInfo', { dir: at });

    expect(await info(repo)).toEqual({
      exists: true,
      gitRepository: true,
      hasCommits: true,
      branch: 'trunk',
      gitProblem: null,
    });
    expect(await info(path.join(repo, '.'))).toMatchObject({ gitRepository: true });
    expect(await info(empty)).toMatchObject({ gitRepository: true, hasCommits: false });
    expect((await info(empty)).gitProblem).toMatch(/has no commits yet/);
    expect(await info(plain)).toMatchObject({ exists: true, gitRepository: false });
    expect((await info(plain)).gitProblem).toMatch(/is not in a git repository/);
    expect(await info(path.join(dir, 'missing'))).toMatchObject({ exists: false, gitRepository: false });
  });

  it('says git is missing, and only what needs git refuses', async () => {
    const repo = makeRepository(path.join(dir, 'repo'));
    const path0 = process.env.PATH;
    process.env.PATH = path.join(dir, 'no-binaries-here');
    try {
      const info = await host.call('getDirectoryInfo', { dir: repo });
      expect(info).toMatchObject({ exists: true, gitRepository: false });
      expect(info.gitProblem).toMatch(/git is not installed or not on PATH/);
      const launch = await host.dispatch('launchTask', { dir: repo, prompt: 'x', worktree: true });
      expect(launch.ok).toBe(false);
      if (!launch.ok) expect(launch.error.message).toMatch(/--worktree needs git: git is not installed/);
    } finally {
      process.env.PATH = path0;
    }
  });
});

describe('diff, merge and discard through the contract', () => {
  it('refuses --worktree outside a repository as invalid input on the worktree field, writing nothing', async () => {
    const plain = path.join(dir, 'plain');
    mkdirSync(plain);
    const outcome = await host.dispatch('launchTask', { dir: plain, prompt: 'x', worktree: true });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    if (!outcome.ok) expect(outcome.error.issues[0]?.path).toEqual(['worktree']);
    expect((await host.call('listTasks', {})).total).toBe(0);
  });

  it('answers not found for an unknown task, and checks its input', async () => {
    expect(await host.dispatch('getDiff', { taskId: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await host.dispatch('mergeTask', { taskId: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await host.dispatch('getDiff', { taskId: 'x', iteration: 0 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    expect(await host.dispatch('getDiff', { taskId: 'x', maxBytes: 10 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
  });
});

describe('a worktree task merged or discarded', () => {
  /** A finished worktree task in the test's store, run by a scripted agent in a process of its own before. */
  async function finishedWorktreeTask(repo: string): Promise<string> {
    await host.close();
    const core = await openBatonCore({
      databaseFile: path.join(dir, 'baton.db'),
      agent: new ScriptedAgent((request) => {
        writeFileSync(path.join(request.cwd, 'feature.txt'), 'done\n');
        return success('done');
      }),
      retry: { baseDelayMs: 0, maxDelayMs: 0 },
    });
    const task = await core.orchestrator.createTask({ dir: repo, prompt: 'work', maxIterations: 1, worktree: true });
    await core.orchestrator.runTask(task.id);
    await core.close();
    host = await openBaton({ databaseFile: path.join(dir, 'baton.db'), mode: 'browser', env: {} });
    return task.id;
  }

  it('tells every window, so a page showing the task’s buttons shows its outcome instead', async () => {
    const repo = makeRepository(path.join(dir, 'repo'));
    const merged = await finishedWorktreeTask(repo);
    const discarded = await finishedWorktreeTask(repo);
    const events: BatonEvent[] = [];
    host.subscribe((event) => events.push(event));

    await host.call('mergeTask', { taskId: merged });
    await host.call('discardTask', { taskId: discarded });
    expect(events.filter((e) => e.type === 'task.worktree_finished')).toEqual([
      { type: 'task.worktree_finished', taskId: merged, state: 'merged' },
      { type: 'task.worktree_finished', taskId: discarded, state: 'discarded' },
    ]);
    // A refused call changes nothing and says nothing.
    expect((await host.dispatch('discardTask', { taskId: merged })).ok).toBe(false);
    expect(events.filter((e) => e.type === 'task.worktree_finished')).toHaveLength(2);
  });
});
