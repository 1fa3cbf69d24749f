/**
 * A launch Baton refuses leaves nothing behind: no task row, no worktree, no `baton/…` branch. The
 * daily budget is the refusal that used to come last, after the worktree and the row were made.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BatonEvent } from '../../src-main/contract/events';
import type { AgentRunner } from '../../src-main/core/agents/agent-runner';
import { type BatonCore, openBatonCore } from '../../src-main/core/baton-core';
import { InvalidTaskError, LaunchWithdrawnError } from '../../src-main/core/orchestrator/orchestrator';
import { BatchEntryError, launchBatch } from '../../src-main/service/launch-batch';
import { RunRegistry } from '../../src-main/service/run-registry';
import { git, makeRepository } from '../support/git-repositories';
import { ScriptedAgent, success } from '../support/scripted-agent';

let dir: string;
let repo: string;
let core: BatonCore | undefined;

async function makeCore(agent: AgentRunner): Promise<BatonCore> {
  core = await openBatonCore({
    databaseFile: path.join(dir, 'baton.db'),
    agent,
    retry: { baseDelayMs: 0, maxDelayMs: 0 },
  });
  return core;
}

/** What a launch could have left in git and in the data directory. */
function leftInGit() {
  return {
    branches: git(repo, 'branch', '--list', 'baton/*'),
    worktrees: git(repo, 'worktree', 'list', '--porcelain')
      .split('\n')
      .filter((line) => line.startsWith('worktree ')),
    worktreeFolder: existsSync(path.join(dir, 'worktrees')) ? 'present' : 'absent',
  };
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'baton-refusals-'));
  repo = path.join(dir, 'repo');
  makeRepository(repo, { 'a.txt': 'a\n' });
});
afterEach(async () => {
  await core?.close();
  core = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('a launch the daily budget refuses', () => {
  it('leaves no worktree, no branch and no task row, and says why', async () => {
    // Every iteration costs $0.01.
    const { orchestrator, store, bus } = await makeCore(new ScriptedAgent(() => success('working')));
    const spent = await orchestrator.createTask({ dir: repo, prompt: 'spend', maxIterations: 2 });
    await orchestrator.runTask(spent.id);
    await store.updateSettings({ dailyBudgetUsd: 0.02 });
    const before = leftInGit();
    const events: BatonEvent[] = [];
    bus.subscribe((event) => events.push(event));

    const launch = orchestrator.createTask({ dir: repo, prompt: 'more', worktree: true });
    await expect(launch).rejects.toThrow(InvalidTaskError);
    await expect(launch).rejects.toThrow(
      "today's spending, $0.0200, reached the daily budget of $0.0200: the task was not launched; " +
        'raise the daily budget in Settings (or baton settings --daily-budget-usd), or launch it tomorrow',
    );
    expect(leftInGit()).toEqual(before);
    expect(before).toMatchObject({ branches: '', worktreeFolder: 'absent' });
    expect((await store.listTaskSummaries({ limit: 10, offset: 0 })).map((t) => t.id)).toEqual([spent.id]);
    expect(events).toEqual([]);
  });

  it('takes back a task whose turn comes after the budget was spent, worktree, branch and row', async () => {
    // The first task holds the only slot until released, so the second waits its turn behind it.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const agent = new ScriptedAgent(async (_, call) => {
      if (call === 1) await held;
      return success('working');
    });
    const { orchestrator, store, bus } = await makeCore(agent);
    await store.updateSettings({ dailyBudgetUsd: 0.015 });
    const events: BatonEvent[] = [];
    bus.subscribe((event) => events.push(event));
    const runs = new RunRegistry(orchestrator, 1);

    const first = await orchestrator.createTask({ dir: repo, prompt: 'spend', maxIterations: 2 });
    runs.start(first.id);
    // Nothing is spent yet: the launch is accepted, and its worktree made.
    const second = await orchestrator.createTask({ dir: repo, prompt: 'later', worktree: true });
    runs.start(second.id);
    expect(leftInGit().branches).toContain(`baton/${second.id.slice(0, 8)}`);

    release();
    // $0.02 spent by the first task's two iterations: the second never runs an iteration.
    expect(await runs.wait(first.id)).toMatchObject({ status: 'max_iterations', iterations: 2 });
    const reason = "today's spending, $0.0200, reached the daily budget of $0.0150";
    await expect(runs.wait(second.id)).rejects.toThrow(new LaunchWithdrawnError(`${reason}; the task was not kept`));

    expect(agent.requests).toHaveLength(2);
    expect(leftInGit()).toMatchObject({ branches: '', worktreeFolder: 'present' });
    expect(leftInGit().worktrees).toHaveLength(1);
    expect(await store.taskSummary(second.id)).toBeUndefined();
    expect(await store.worktreeOf(second.id)).toBeUndefined();
    expect(events.find((e) => e.type === 'task.withdrawn' && e.taskId === second.id)).toMatchObject({ reason });
  });
});

describe('a launch whose worktree cannot be made', () => {
  it('keeps no branch: git makes it before the folder, and leaves it when the folder fails', async () => {
    const { orchestrator, store } = await makeCore(new ScriptedAgent(() => success('working')));
    // Worktrees go in <data dir>/worktrees/<task id>: a file in the way stops git after it made the branch.
    writeFileSync(path.join(dir, 'worktrees'), 'not a folder\n');

    await expect(orchestrator.createTask({ dir: repo, prompt: 'x', worktree: true })).rejects.toThrow(
      /^could not make the worktree: /,
    );
    expect(leftInGit()).toMatchObject({ branches: '', worktrees: [`worktree ${repo}`] });
    expect(await store.listTaskSummaries({ limit: 10, offset: 0 })).toEqual([]);
  });
});

describe('a batch one of whose tasks cannot be made', () => {
  it('takes back the tasks made before it, unstarted: no row, no worktree, no branch', async () => {
    const agent = new ScriptedAgent(() => success('working'));
    const { orchestrator, store, bus } = await makeCore(agent);
    const events: BatonEvent[] = [];
    bus.subscribe((event) => events.push(event));
    const started: string[] = [];
    // The second passes every check, then fails as the disk or git could, after the first was made.
    const failing = {
      checkNewTask: orchestrator.checkNewTask.bind(orchestrator),
      takeBackUnstarted: orchestrator.takeBackUnstarted.bind(orchestrator),
      createTask: (spec: { prompt?: string }) =>
        spec.prompt === 'second'
          ? Promise.reject(new Error('no space left on device'))
          : orchestrator.createTask(spec as Parameters<typeof orchestrator.createTask>[0]),
    };
    const specs = [
      { dir: repo, prompt: 'first', worktree: true },
      { dir: repo, prompt: 'second', worktree: true },
    ];

    const batch = launchBatch({ orchestrator: failing, ensureAgent: () => {}, start: (id) => started.push(id) }, specs);
    await expect(batch).rejects.toThrow(new BatchEntryError(1, 'no space left on device', false));
    await expect(batch).rejects.toMatchObject({ entry: 1, invalidInput: false });

    expect(started).toEqual([]);
    expect(agent.requests).toEqual([]);
    expect(await store.listTaskSummaries({ limit: 10, offset: 0 })).toEqual([]);
    expect(leftInGit()).toMatchObject({ branches: '', worktrees: [`worktree ${repo}`] });
    const queued = events.find((e) => e.type === 'task.queued');
    expect(events.map((e) => e.type)).toEqual(['task.queued', 'task.withdrawn']);
    expect(events[1]).toMatchObject({
      taskId: queued?.taskId,
      reason: 'task 2 of its batch could not be launched, so none was',
    });
  });

  it('makes none when a later one is refused by a check, and starts all once every one is made', async () => {
    const { orchestrator, store } = await makeCore(new ScriptedAgent(() => success('working')));
    const started: string[] = [];
    const parts = { orchestrator, ensureAgent: () => {}, start: (id: string) => started.push(id) };
    const refused = launchBatch(parts, [
      { dir: repo, prompt: 'first', worktree: true },
      { dir, prompt: 'second', worktree: true },
    ]);
    await expect(refused).rejects.toMatchObject({
      entry: 1,
      invalidInput: true,
      message: `--worktree needs a git repository, and ${dir} is not in one`,
    });
    expect(leftInGit()).toMatchObject({ branches: '', worktreeFolder: 'absent' });
    expect(await store.listTaskSummaries({ limit: 10, offset: 0 })).toEqual([]);

    const made = await launchBatch(parts, [
      { dir: repo, prompt: 'first' },
      { dir: repo, prompt: 'second' },
    ]);
    expect(started).toEqual(made.map((task) => task.id));
  });
});
