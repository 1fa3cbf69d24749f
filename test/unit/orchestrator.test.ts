import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src-main/contract/agent-events';
import type { BatonEvent } from '../../src-main/contract/events';
import type { AgentRunner } from '../../src-main/core/agents/agent-runner';
import { type BatonCore, openBatonCore } from '../../src-main/core/baton-core';
import { InvalidTaskError, LaunchWithdrawnError, Orchestrator } from '../../src-main/core/orchestrator/orchestrator';
import { TaskStore } from '../../src-main/core/store/task-store';
import { TaskQueue } from '../../src-main/core/orchestrator/task-queue';
import { ScriptedAgent, success } from '../support/scripted-agent';
import { TestClock } from '../support/test-clock';

let dir: string;
let core: BatonCore | undefined;

async function makeCore(
  agent: AgentRunner,
  retry = { baseDelayMs: 0, maxDelayMs: 0 },
  random?: () => number,
  clock?: TestClock,
): Promise<BatonCore> {
  core = await openBatonCore({ databaseFile: path.join(dir, 'baton.db'), agent, retry, random, clock });
  return core;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'baton-orch-'));
});
afterEach(async () => {
  await core?.close();
  core = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('Orchestrator', () => {
  it('gives every iteration a new session id and stops at max iterations', async () => {
    const agent = new ScriptedAgent(() => success('still going'));
    const { orchestrator, store, bus } = await makeCore(agent);
    const events: BatonEvent[] = [];
    bus.subscribe((e) => events.push(e));
    const task = await orchestrator.createTask({ dir, prompt: 'do it', maxIterations: 4 });
    const done = await orchestrator.runTask(task.id);
    expect(done.status).toBe('max_iterations');
    const ids = agent.requests.map((r) => r.sessionId);
    expect(new Set(ids).size).toBe(4);
    const sessions = await store.sessionsOfTask(task.id);
    expect(sessions.map((s) => s.sessionId)).toEqual(ids);
    expect(sessions.every((s) => s.status === 'completed' && s.endedAt !== null)).toBe(true);
    expect(events.map((e) => e.type).filter((t) => t !== 'agent.event')).toEqual([
      'task.queued',
      'task.started',
      ...Array(4).fill(['iteration.started', 'iteration.finished']).flat(),
      'task.finished',
    ]);
  });

  it('records which process, and what kind, queues and runs a task, until it ends', async () => {
    const agent = new ScriptedAgent(() => success('done BATON_TASK_COMPLETE'));
    core = await openBatonCore({
      databaseFile: path.join(dir, 'baton.db'),
      agent,
      retry: { baseDelayMs: 0, maxDelayMs: 0 },
      host: 'desktop',
    });
    const queued = await core.orchestrator.createTask({ dir, prompt: 'do it' });
    expect(queued.runner).toEqual({ pid: process.pid, host: 'desktop' });
    let whileRunning: unknown;
    core.bus.subscribe((event) => {
      if (event.type === 'iteration.finished') whileRunning = event.task.runner;
    });
    const done = await core.orchestrator.runTask(queued.id);
    expect(whileRunning).toEqual({ pid: process.pid, host: 'desktop' });
    expect(done.runner).toBeNull();
  });

  it('completes when the agent prints the marker, and asks for it in the prompt', async () => {
    const agent = new ScriptedAgent((_, call) => success(call === 2 ? 'all done\nBATON_TASK_COMPLETE' : 'working'));
    const { orchestrator } = await makeCore(agent);
    const task = await orchestrator.createTask({ dir, prompt: 'do it' });
    const done = await orchestrator.runTask(task.id);
    expect(done).toMatchObject({ status: 'completed', iterations: 2 });
    expect(agent.requests[0]?.prompt).toContain('BATON_TASK_COMPLETE');
    expect(agent.requests[1]?.prompt).toContain('Result of iteration 1:\nworking');
  });

  it('stores a failed iteration as failed and fails the task after three in a row', async () => {
    const agent = new ScriptedAgent(() => ({
      error: { kind: 'api_error', message: 'API error 529: overloaded' },
      exitCode: 1,
    }));
    const { orchestrator, store } = await makeCore(agent);
    const task = await orchestrator.createTask({ dir, prompt: 'do it', maxIterations: 10, maxRetries: 0 });
    const done = await orchestrator.runTask(task.id);
    expect(done.status).toBe('failed');
    expect(done.statusReason).toMatch(/3 iterations in a row failed; last: API error 529/);
    const sessions = await store.sessionsOfTask(task.id);
    expect(sessions.map((s) => [s.status, s.errorKind])).toEqual(Array(3).fill(['failed', 'api_error']));
  });

  it('takes a new task back when the API rejects its model at once, keeping nothing and saying why', async () => {
    const agent = new ScriptedAgent(() => ({
      error: { kind: 'api_error', message: 'API error 404: models/gemini-nope is not found for API version v1beta' },
      exitCode: 1,
    }));
    const { orchestrator, store, bus, dataSource } = await makeCore(agent);
    const events: BatonEvent[] = [];
    bus.subscribe((e) => events.push(e));
    const task = await orchestrator.createTask({
      dir,
      prompt: 'x',
      model: 'gemini-nope',
      maxIterations: 5,
      maxRetries: 0,
    });
    const reason =
      'the claude agent rejected the model gemini-nope: API error 404: models/gemini-nope is not found for API version v1beta';
    await expect(orchestrator.runTask(task.id)).rejects.toThrow(
      new LaunchWithdrawnError(`${reason}; the task was not kept`),
    );
    // Every later iteration would be turned away alike: the agent ran once.
    expect(agent.requests).toHaveLength(1);
    expect(await store.taskSummary(task.id)).toBeUndefined();
    expect(await store.sessionsOfTask(task.id)).toEqual([]);
    expect(await store.listTaskSummaries({ limit: 5, offset: 0 })).toEqual([]);
    expect(await dataSource.query(`SELECT COUNT(*) AS n FROM projects`)).toEqual([{ n: 0 }]);
    const withdrawn = events.find((e) => e.type === 'task.withdrawn');
    expect(withdrawn).toMatchObject({ taskId: task.id, reason, task: { id: task.id, spec: { model: 'gemini-nope' } } });
    expect(events.some((e) => e.type === 'task.finished')).toBe(false);
  });

  it('keeps a task whose model is rejected after work was done, ending it in the agent’s own words', async () => {
    const rejected = {
      kind: 'api_error' as const,
      message: 'The model `gpt-nope` does not exist or you do not have access to it.',
    };
    const agent = new ScriptedAgent((_, call) =>
      call === 1 ? success('half done') : { error: rejected, exitCode: 1 },
    );
    const { orchestrator, store } = await makeCore(agent);
    const task = await orchestrator.createTask({
      dir,
      prompt: 'x',
      model: 'gpt-nope',
      maxIterations: 5,
      maxRetries: 0,
    });
    const done = await orchestrator.runTask(task.id);
    expect(done.status).toBe('failed');
    expect(done.statusReason).toBe(`the claude agent rejected the model gpt-nope: ${rejected.message}`);
    expect((await store.sessionsOfTask(task.id)).map((s) => s.status)).toEqual(['completed', 'failed']);
  });

  it('keeps a new task whose first rejected attempt had already spent tokens', async () => {
    const agent = new ScriptedAgent(() => ({
      error: { kind: 'api_error', message: 'model gpt-nope is not available' },
      exitCode: 1,
      usageSeen: { inputTokens: 40, outputTokens: 2, cacheCreationTokens: 0, cacheReadTokens: 0 },
    }));
    const { orchestrator, store } = await makeCore(agent);
    const task = await orchestrator.createTask({
      dir,
      prompt: 'x',
      model: 'gpt-nope',
      maxIterations: 5,
      maxRetries: 0,
    });
    const done = await orchestrator.runTask(task.id);
    expect(done).toMatchObject({ status: 'failed', iterations: 1 });
    expect((await store.sessionsOfTask(task.id))[0]).toMatchObject({ status: 'failed', inputTokens: 40 });
  });

  it('refuses fork for an agent that cannot continue a session, and an agent it has no runner for, writing nothing', async () => {
    const agent = Object.assign(new ScriptedAgent(() => success('x')), { canFork: false });
    const core = await openBatonCore({
      databaseFile: path.join(dir, 'baton.db'),
      agent,
      agents: { gemini: agent },
      retry: { baseDelayMs: 0, maxDelayMs: 0 },
    });
    const refusal = (spec: { agent: 'gemini' | 'codex'; context?: 'fork' }): Promise<InvalidTaskError> =>
      core.orchestrator.createTask({ dir, prompt: 'x', ...spec }).then(
        () => {
          throw new Error('the launch was not refused');
        },
        (error: unknown) => error as InvalidTaskError,
      );
    const fork = await refusal({ agent: 'gemini', context: 'fork' });
    expect(fork).toBeInstanceOf(InvalidTaskError);
    expect(fork.message).toMatch(/the gemini agent cannot start a session from an earlier one's conversation/);
    expect(fork.issues[0]?.path).toEqual(['context']);
    const missing = await refusal({ agent: 'codex' });
    expect(missing.message).toBe('the codex agent is not available here');
    expect(await core.store.listTaskSummaries({ limit: 5, offset: 0 })).toEqual([]);
    await core.close();
  });

  it('refuses a budget for an agent that reports no cost when the model has no prices, writing nothing', async () => {
    const agent = Object.assign(new ScriptedAgent(() => success('x')), { reportsCost: false });
    const core = await openBatonCore({
      databaseFile: path.join(dir, 'baton.db'),
      agent,
      agents: { codex: agent },
      retry: { baseDelayMs: 0, maxDelayMs: 0 },
    });
    const { orchestrator, store } = core;
    const launch = (spec: { model?: string }) =>
      orchestrator.createTask({ dir, prompt: 'x', agent: 'codex', budgetUsd: 1, ...spec });
    await expect(launch({ model: 'made-up-model' })).rejects.toThrow(/Baton has none for made-up-model/);
    await expect(launch({})).rejects.toThrow(/name the model the codex agent should use/);
    expect(await store.listTaskSummaries({ limit: 5, offset: 0 })).toEqual([]);
    // Priced by the data, or by the user's own prices, the budget can be kept.
    await launch({ model: 'gpt-5.5' });
    await store.updateSettings({
      modelPrices: { 'made-up-model': { input: 1, output: 2, cacheWrite: 1, cacheRead: 0.1 } },
    });
    await launch({ model: 'made-up-model' });
    expect(await store.listTaskSummaries({ limit: 5, offset: 0 })).toHaveLength(2);
    await core.close();
  });

  it('prices a session from its tokens, marked estimated, when the agent reports a cost that cannot be true', async () => {
    const reported = success('done');
    const usage = { inputTokens: 2000, outputTokens: 42, cacheCreationTokens: 400, cacheReadTokens: 6000 };
    const agent = new ScriptedAgent(() => ({ result: { ...reported.result, costUsd: null, usage } }));
    const { orchestrator, store } = await makeCore(agent);
    const task = await orchestrator.createTask({ dir, prompt: 'do it', maxIterations: 1, model: 'claude-sonnet-4-5' });
    const done = await orchestrator.runTask(task.id);
    const [session] = await store.sessionsOfTask(task.id);
    expect(session).toMatchObject({ status: 'completed', costSource: 'estimated' });
    expect(session?.costUsd).toBeCloseTo(0.00993, 10);
    expect(Number.isFinite(done.totals.costUsd)).toBe(true);
  });

  it('prices an iteration cut off before its result from the tokens it saw', async () => {
    const usageSeen = { inputTokens: 2000, outputTokens: 42, cacheCreationTokens: 400, cacheReadTokens: 6000 };
    const agent = new ScriptedAgent(() => ({
      error: { kind: 'no_result', message: 'agent was killed by SIGKILL' },
      usageSeen,
    }));
    const { orchestrator, store } = await makeCore(agent);
    const task = await orchestrator.createTask({
      dir,
      prompt: 'do it',
      maxIterations: 1,
      model: 'claude-sonnet-4-5',
      maxRetries: 0,
    });
    await orchestrator.runTask(task.id);
    const [session] = await store.sessionsOfTask(task.id);
    expect(session).toMatchObject({
      status: 'failed',
      costSource: 'estimated',
      inputTokens: 2000,
      cacheReadTokens: 6000,
    });
    expect(session?.costUsd).toBeCloseTo(0.00993, 10);
  });

  it('retries a transient failure under a new session id and keeps the failed attempt on the session', async () => {
    const agent = new ScriptedAgent((_, call) =>
      call === 1
        ? {
            error: { kind: 'api_error', message: 'API error 529: overloaded' },
            exitCode: 1,
            result: { ...success('').result, isError: true, apiErrorStatus: 529, costUsd: 0.5, permissionDenials: 2 },
          }
        : { result: { ...success('fine', 100).result, permissionDenials: 1 } },
    );
    const { orchestrator, store } = await makeCore(agent);
    const task = await orchestrator.createTask({ dir, prompt: 'do it', maxIterations: 1 });
    expect((await orchestrator.runTask(task.id)).status).toBe('max_iterations');
    const [first, second] = agent.requests;
    expect(first?.sessionId).not.toBe(second?.sessionId);
    const [session] = await store.sessionsOfTask(task.id);
    expect(session).toMatchObject({
      sessionId: second?.sessionId,
      status: 'completed',
      inputTokens: 110,
      permissionDenials: 3,
    });
    expect(session?.costUsd).toBeCloseTo(0.51, 10);
    expect(session?.retries).toEqual([
      expect.objectContaining({
        attempt: 1,
        sessionId: first?.sessionId,
        errorKind: 'api_error',
        error: 'API error 529: overloaded',
      }),
    ]);
  });

  it('prices the usage it publishes at the model known so far, when its prices are known', async () => {
    const usage = { inputTokens: 2000, outputTokens: 42, cacheCreationTokens: 400, cacheReadTokens: 6000 };
    const agent = new ScriptedAgent((request, call) => {
      // Run 1 names its model at init, run 2 only in the spec, run 3 names one the price table does not know.
      const model = call === 1 ? 'claude-sonnet-4-5' : call === 3 ? 'claude-mystery-1' : undefined;
      if (model) request.onEvent({ kind: 'init', agentSessionId: request.sessionId, model, cwd: dir, tools: [] });
      request.onEvent({ kind: 'usage', usage });
      return success('done');
    });
    const { orchestrator, bus } = await makeCore(agent);
    const published: AgentEvent[] = [];
    bus.subscribe((e) => {
      if (e.type === 'agent.event' && e.event.kind === 'usage') published.push(e.event);
    });
    for (const spec of [
      { allowedTools: ['Edit', 'Bash(npm test:*)'] },
      { model: 'claude-opus-4-5' },
      { model: 'claude-opus-4-5' },
    ]) {
      const task = await orchestrator.createTask({ dir, prompt: 'x', maxIterations: 1, ...spec });
      await orchestrator.runTask(task.id);
    }
    const [sonnet, opus, unknown] = published;
    expect(sonnet).toEqual({ kind: 'usage', usage, estimatedCostUsd: expect.closeTo(0.00993, 10) });
    expect(opus).toEqual({ kind: 'usage', usage, estimatedCostUsd: expect.closeTo(0.01655, 10) });
    expect(unknown).toEqual({ kind: 'usage', usage });
    expect(agent.requests.map((r) => r.allowedTools)).toEqual([['Edit', 'Bash(npm test:*)'], undefined, undefined]);
  });

  it('answers a reused session id at once with a new one, and does not retry lasting failures', async () => {
    const agent = new ScriptedAgent((_, call) =>
      call === 1
        ? { error: { kind: 'session_in_use', message: 'Error: Session ID x is already in use.' }, exitCode: 1 }
        : { error: { kind: 'agent_error', message: 'error_max_turns: reached max turns' }, exitCode: 1 },
    );
    // A long base delay: only the immediate answer to "already in use" keeps this test fast.
    const { orchestrator, store } = await makeCore(agent, { baseDelayMs: 60_000, maxDelayMs: 60_000 });
    const task = await orchestrator.createTask({ dir, prompt: 'do it', maxIterations: 1 });
    await orchestrator.runTask(task.id);
    expect(agent.requests).toHaveLength(2);
    const [session] = await store.sessionsOfTask(task.id);
    expect(session?.retries.map((r) => [r.errorKind, r.delayMs])).toEqual([['session_in_use', 0]]);
    expect(session).toMatchObject({ status: 'failed', errorKind: 'agent_error' });
  });

  it('backs off exponentially up to its limit, and a stop during the wait ends the task', async () => {
    const stop = new AbortController();
    const agent = new ScriptedAgent(() => ({
      error: { kind: 'no_result', message: 'agent exited with code 1 without a result' },
      exitCode: 1,
    }));
    const clock = new TestClock();
    // The jitter pinned at its ceiling, so the delays are visible.
    const { orchestrator, store } = await makeCore(agent, { baseDelayMs: 10, maxDelayMs: 25 }, () => 1, clock);
    const task = await orchestrator.createTask({ dir, prompt: 'do it', maxIterations: 1, maxRetries: 5 });
    const run = orchestrator.runTask(task.id, stop.signal);
    // Three back-offs run their course; the user stops the task during the fourth.
    for (let wait = 1; wait <= 3; wait++) {
      await clock.sleeping();
      clock.wakeNext();
    }
    await clock.sleeping();
    expect(agent.requests).toHaveLength(4);
    stop.abort();
    const done = await run;
    expect(done.status).toBe('cancelled');
    const [session] = await store.sessionsOfTask(task.id);
    expect(session?.retries.map((r) => r.delayMs)).toEqual([10, 20, 25]);
    expect(session).toMatchObject({ status: 'cancelled' });
  });

  it('gives each iteration what is left of the task budget and stops once it is spent', async () => {
    const agent = new ScriptedAgent(() => success('working'));
    const { orchestrator, store } = await makeCore(agent);
    const task = await orchestrator.createTask({ dir, prompt: 'do it', maxIterations: 10, budgetUsd: 0.025 });
    const done = await orchestrator.runTask(task.id);
    expect(done).toMatchObject({ status: 'budget_exceeded', iterations: 3 });
    expect(done.statusReason).toBe("spent $0.0300 of the task's $0.0250 budget");
    const offered = agent.requests.map((r) => r.maxBudgetUsd);
    expect(offered.map((v) => Number(v?.toFixed(4)))).toEqual([0.025, 0.015, 0.005]);
    expect(await store.sessionsOfTask(task.id)).toHaveLength(3);
  });

  it('stops at the token limit and at the daily budget, and when the agent stops at its budget', async () => {
    const agent = new ScriptedAgent(() => success('working', 100));
    const { orchestrator, store } = await makeCore(agent);
    const byTokens = await orchestrator.createTask({ dir, prompt: 'x', maxIterations: 10, maxTokens: 250 });
    expect(await orchestrator.runTask(byTokens.id)).toMatchObject({
      status: 'budget_exceeded',
      iterations: 3,
      statusReason: "used 318 of the task's 250 tokens",
    });

    await store.updateSettings({ dailyBudgetUsd: 0.05 });
    const daily = await orchestrator.createTask({ dir, prompt: 'x', maxIterations: 10 });
    const done = await orchestrator.runTask(daily.id);
    // Today already holds the 3 sessions above at $0.01 each.
    expect(done).toMatchObject({ status: 'budget_exceeded', iterations: 2 });
    expect(done.statusReason).toMatch(/^today's spending, \$0\.0500, reached the daily budget of \$0\.0500$/);

    await store.updateSettings({ dailyBudgetUsd: null });
    const stoppedByAgent = new ScriptedAgent(() => ({
      error: { kind: 'agent_error', message: 'error_max_budget_usd: over budget' },
      exitCode: 1,
      result: { ...success('').result, isError: true, subtype: 'error_max_budget_usd' },
    }));
    const second = await openBatonCore({
      databaseFile: path.join(dir, 'baton.db'),
      agent: stoppedByAgent,
      retry: { baseDelayMs: 0, maxDelayMs: 0 },
    });
    try {
      const t = await second.orchestrator.createTask({ dir, prompt: 'x', budgetUsd: 5 });
      expect(await second.orchestrator.runTask(t.id)).toMatchObject({
        status: 'budget_exceeded',
        statusReason: 'the agent stopped at its budget in iteration 1',
      });
    } finally {
      await second.close();
    }
  });

  it("holds launches to the budget of today in the settings' zone, whatever the service's own", async () => {
    const agent = new ScriptedAgent(() => success('working'));
    const base = await makeCore(agent);
    // 23:30 EDT on 31 October in New York, 09:00 on 1 November in Kolkata.
    let clock = Date.parse('2026-11-01T03:30:00Z');
    const store = new TaskStore(base.dataSource, () => clock);
    const orchestrator = new Orchestrator({ store, agent, bus: base.bus, dataDir: base.dataDir, now: () => clock });
    const first = await orchestrator.createTask({ dir, prompt: 'x', maxIterations: 3 });
    expect(await orchestrator.runTask(first.id)).toMatchObject({ status: 'max_iterations', iterations: 3 });

    await store.updateSettings({ dailyBudgetUsd: 0.03, timeZone: 'Asia/Kolkata' });
    clock = Date.parse('2026-11-01T05:00:00Z'); // 00:00 EST on 1 November in New York (the clocks went back), 10:30 in Kolkata
    await expect(orchestrator.createTask({ dir, prompt: 'x' })).rejects.toThrow(
      /^today's spending, \$0\.0300, reached the daily budget/,
    );
    await store.updateSettings({ timeZone: 'America/New_York' });
    const second = await orchestrator.createTask({ dir, prompt: 'x', maxIterations: 1 });
    expect(await orchestrator.runTask(second.id)).toMatchObject({ status: 'max_iterations', iterations: 1 });
  });

  it('runs at most the queue’s concurrency of tasks at once', async () => {
    let active = 0;
    let peak = 0;
    // The first runs hold until three run at once, so the peak is reached however the runs are scheduled.
    let threeRan: () => void = () => undefined;
    const threeAtOnce = new Promise<void>((resolve) => (threeRan = resolve));
    const agent = new ScriptedAgent(async () => {
      active++;
      peak = Math.max(peak, active);
      if (active === 3) threeRan();
      await threeAtOnce;
      await new Promise((resolve) => setImmediate(resolve));
      active--;
      return success('working');
    });
    const { orchestrator } = await makeCore(agent);
    const queue = new TaskQueue(orchestrator, 3);
    const tasks = await Promise.all(
      Array.from({ length: 7 }, (_, i) => orchestrator.createTask({ dir, prompt: `t${i}`, maxIterations: 2 })),
    );
    const done = await Promise.all(tasks.map((task) => queue.run(task.id)));
    expect(done.map((task) => task.iterations)).toEqual(Array(7).fill(2));
    expect(peak).toBe(3);
    expect(() => new TaskQueue(orchestrator, 0)).toThrow(RangeError);
  });

  it('records a session even when the agent runner throws', async () => {
    const agent = new ScriptedAgent(() => {
      throw new Error('boom');
    });
    const { orchestrator, store } = await makeCore(agent);
    const task = await orchestrator.createTask({ dir, prompt: 'do it', maxIterations: 1 });
    await orchestrator.runTask(task.id);
    const [session] = await store.sessionsOfTask(task.id);
    expect(session).toMatchObject({ status: 'failed', errorKind: 'internal', error: 'boom' });
    expect(session?.endedAt).not.toBeNull();
  });

  it('forks from the previous good session in fork mode', async () => {
    const agent = new ScriptedAgent(() => success('working'));
    const { orchestrator } = await makeCore(agent);
    const task = await orchestrator.createTask({ dir, prompt: 'do it', maxIterations: 3, context: 'fork' });
    await orchestrator.runTask(task.id);
    const [first, second, third] = agent.requests;
    expect(first?.forkFrom).toBeUndefined();
    expect(second?.forkFrom).toBe(first?.sessionId);
    expect(third?.forkFrom).toBe(second?.sessionId);
    expect(second?.prompt).toMatch(/^Continue working on the task above/);
  });

  it('ends when the completion check passes and feeds its output forward', async () => {
    const agent = new ScriptedAgent((request, call) => {
      if (call === 2) writeFileSync(path.join(request.cwd, 'done.txt'), 'x');
      return success('worked');
    });
    const { orchestrator } = await makeCore(agent);
    const task = await orchestrator.createTask({ dir, prompt: 'do it', check: 'echo not yet >&2; test -f done.txt' });
    const done = await orchestrator.runTask(task.id);
    expect(done).toMatchObject({
      status: 'completed',
      iterations: 2,
      statusReason: 'completion check passed after iteration 2',
    });
    expect(agent.requests[1]?.prompt).toContain('not yet');
    expect(agent.requests[0]?.prompt).not.toContain('BATON_TASK_COMPLETE');
  });

  it('fails the task with a clear reason when the check hangs past its timeout', async () => {
    const agent = new ScriptedAgent(() => success('worked'));
    const { orchestrator } = await makeCore(agent);
    const task = await orchestrator.createTask({ dir, prompt: 'do it', check: 'sleep 30', checkTimeoutSeconds: 1 });
    const done = await orchestrator.runTask(task.id);
    expect(done).toMatchObject({ status: 'failed', statusReason: 'completion check `sleep 30` timed out after 1s' });
  });

  it('stores the running session as cancelled when stopped', async () => {
    const stop = new AbortController();
    const agent = new ScriptedAgent(
      (request) =>
        new Promise((resolve) => {
          request.signal?.addEventListener('abort', () =>
            resolve({ error: { kind: 'cancelled', message: 'stopped by the user' } }),
          );
          stop.abort();
        }),
    );
    const { orchestrator, store } = await makeCore(agent);
    const task = await orchestrator.createTask({ dir, prompt: 'do it' });
    const done = await orchestrator.runTask(task.id, stop.signal);
    expect(done.status).toBe('cancelled');
    expect((await store.sessionsOfTask(task.id)).map((s) => s.status)).toEqual(['cancelled']);
  });

  it('rejects bad specs before writing anything', async () => {
    const { orchestrator, store } = await makeCore(new ScriptedAgent(() => success('x')));
    const file = path.join(dir, 'file.txt');
    writeFileSync(file, '');
    const bad = [
      [{ dir: path.join(dir, 'missing'), prompt: 'x' }, /does not exist/],
      [{ dir: file, prompt: 'x' }, /is not a directory/],
      [{ dir, prompt: '   ' }, /prompt must not be empty/],
      [{ dir, prompt: 'x', maxIterations: 0 }, /at least 1/],
      [{ dir, prompt: 'x', maxIterations: 1001 }, /at most 1000/],
      [{ dir, prompt: 'x', maxIterations: Number.NaN }, /whole number/],
      [{ dir, prompt: 'x', context: 'sideways' }, /context must be "fresh" or "fork"/],
    ] as const;
    for (const [spec, message] of bad) {
      await expect(orchestrator.createTask(spec as never)).rejects.toThrow(InvalidTaskError);
      await expect(orchestrator.createTask(spec as never)).rejects.toThrow(message);
    }
    expect(await store.listTaskSummaries({ limit: 10, offset: 0 })).toEqual([]);
  });
});
