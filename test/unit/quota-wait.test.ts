import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RateLimitInfo } from '../../src-main/contract/agent-events';
import type { BatonEvent } from '../../src-main/contract/events';
import { type BatonCore, openBatonCore } from '../../src-main/core/baton-core';
import { LaunchWithdrawnError } from '../../src-main/core/orchestrator/orchestrator';
import { ScriptedAgent, success } from '../support/scripted-agent';
import { TestClock } from '../support/test-clock';
import { sessionFinish } from '../support/session-finish';

let dir: string;
let core: BatonCore | undefined;
/** The orchestrator's time: each test moves it past the waits it looks at, or lets it run on (auto). */
let clock: TestClock;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'baton-quota-'));
  clock = new TestClock();
});
afterEach(async () => {
  await core?.close();
  core = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const rateLimit = (
  status: RateLimitInfo['status'],
  resetsAt: number,
  utilization: number | null = null,
): RateLimitInfo => ({
  status,
  rateLimitType: 'five_hour',
  resetsAt,
  utilization,
  isUsingOverage: false,
  windows: {},
});

/** What the CLI does when the window is spent: a rejected rate-limit line, then a 429 error result. */
const spent = (resetsAt: number) => ({
  error: { kind: 'api_error' as const, message: "You've hit your session limit · resets 8:14pm" },
  exitCode: 1,
  result: {
    ...success("You've hit your session limit · resets 8:14pm", 0).result,
    isError: true,
    apiErrorStatus: 429,
    costUsd: 0,
    usage: { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0 },
  },
  rateLimitEvent: rateLimit('rejected', resetsAt, 1),
});

/** The scripted agent reports its rate-limit line through onEvent, as the runner does. */
function agentWith(replies: (call: number) => ReturnType<typeof spent> | ReturnType<typeof success>) {
  const calls: number[] = [];
  const agent = new ScriptedAgent((request, call) => {
    calls.push(clock.now());
    const reply = replies(call);
    if ('rateLimitEvent' in reply) {
      request.onEvent({ kind: 'rate_limit', info: reply.rateLimitEvent });
      const { rateLimitEvent: _, ...outcome } = reply;
      return outcome;
    }
    return reply;
  });
  return { agent, calls };
}

async function open(agent: ScriptedAgent): Promise<BatonCore> {
  // random 0: the jitter after a reset is its minimum, one second.
  core = await openBatonCore({
    databaseFile: path.join(dir, 'baton.db'),
    agent,
    retry: { baseDelayMs: 0, maxDelayMs: 0 },
    random: () => 0,
    clock,
  });
  return core;
}

describe('a spent subscription window', () => {
  it('waits, making no call, until the reset, then goes on in a fresh session; the wait is not a failure', async () => {
    let resetsAt = Infinity;
    // Every call before the reset is turned away, as the API would; after it, calls succeed.
    const { agent, calls } = agentWith(() => (clock.now() < resetsAt ? spent(resetsAt) : success('done')));
    const { orchestrator, store, bus } = await open(agent);
    resetsAt = clock.now() + 2000;
    const events: BatonEvent[] = [];
    bus.subscribe((event) => events.push(event));
    const task = await orchestrator.createTask({ dir, prompt: 'work', maxIterations: 2, maxRetries: 0 });
    const run = orchestrator.runTask(task.id);

    await clock.sleeping();
    const waiting = await store.taskSummary(task.id);
    expect(waiting?.status).toBe('waiting');
    expect(waiting?.wakeAt).toBeGreaterThanOrEqual(resetsAt);
    expect(waiting?.statusReason).toMatch(
      /^waiting: the 5-hour window is spent; it reopens at \d{4}-\d\d-\d\d \d\d:\d\d$/,
    );

    clock.wakeNext();
    const done = await run;
    expect(done.status).toBe('max_iterations');
    expect(done.wakeAt).toBeNull();
    // One call into the closed window, none until it reopened, then one per iteration.
    expect(calls).toHaveLength(3);
    expect(calls[1]).toBeGreaterThanOrEqual(resetsAt);
    const ids = agent.requests.map((r) => r.sessionId);
    expect(new Set(ids).size).toBe(3);

    const [first, second] = await store.sessionsOfTask(task.id);
    expect(first).toMatchObject({ status: 'completed', sessionId: ids[1] });
    expect(first?.retries).toEqual([
      expect.objectContaining({ attempt: 1, sessionId: ids[0], errorKind: 'quota_exhausted' }),
    ]);
    expect(first?.retries[0]?.delayMs).toBeGreaterThanOrEqual(1000);
    expect(second).toMatchObject({ status: 'completed', retries: [] });
    expect(events.filter((e) => e.type === 'task.waiting' || e.type === 'task.started').map((e) => e.type)).toEqual([
      'task.started',
      'task.waiting',
      'task.started',
    ]);
    // The window as last reported is kept for the dashboard and for other tasks.
    expect(await store.quotaWindows()).toEqual([
      expect.objectContaining({ name: 'five_hour', status: 'rejected', utilization: 1, resetsAt }),
    ]);
  });

  it('never counts the waits toward three failed iterations in a row', async () => {
    clock = new TestClock({ auto: true });
    let resetsAt = clock.now() + 300;
    // The window is spent again right after each reset, four times over.
    const { agent } = agentWith((call) => {
      if (call <= 4) {
        resetsAt = clock.now() + 300;
        return spent(resetsAt);
      }
      return success('done BATON_TASK_COMPLETE');
    });
    const { orchestrator } = await open(agent);
    const task = await orchestrator.createTask({ dir, prompt: 'work', maxIterations: 1, maxRetries: 0 });
    const done = await orchestrator.runTask(task.id);
    expect(done.status).toBe('completed');
    expect(agent.requests).toHaveLength(5);
  });

  it('with on-quota stop, ends the task resumable, with the time its window reopens', async () => {
    const resetsAt = clock.now() + 60_000;
    const { agent } = agentWith(() => spent(resetsAt));
    const { orchestrator, store } = await open(agent);
    const task = await orchestrator.createTask({ dir, prompt: 'work', maxIterations: 3, onQuota: 'stop' });
    const done = await orchestrator.runTask(task.id);
    expect(done).toMatchObject({ status: 'cancelled', wakeAt: resetsAt });
    expect(done.statusReason).toMatch(/^stopped \(on quota: stop\): the 5-hour window is spent/);
    expect(agent.requests).toHaveLength(1);
    const [session] = await store.sessionsOfTask(task.id);
    expect(session).toMatchObject({ status: 'failed', errorKind: 'quota_exhausted' });
  });

  it('starts no iteration into a window known to be spent, or past the pause threshold, until it resets', async () => {
    const { agent, calls } = agentWith(() => success('done BATON_TASK_COMPLETE'));
    const { orchestrator, store } = await open(agent);
    const resetsAt = clock.now() + 3000;
    // Another task's iteration saw the window at 95%.
    const other = await orchestrator.createTask({ dir, prompt: 'other' });
    await store.startSession({ sessionId: 'other-session', taskId: other.id, iteration: 1, model: null, ownerPid: 1 });
    await store.recordRateLimit('other-session', rateLimit('allowed_warning', resetsAt, 0.95), clock.now());

    const below = await orchestrator.createTask({ dir, prompt: 'no threshold', maxIterations: 1 });
    expect((await orchestrator.runTask(below.id)).status).toBe('completed');
    expect(calls).toHaveLength(1);

    const paused = await orchestrator.createTask({ dir, prompt: 'paused', maxIterations: 1, pauseAtUtilization: 0.9 });
    const run = orchestrator.runTask(paused.id);
    await clock.sleeping();
    expect(await store.taskSummary(paused.id)).toMatchObject({
      status: 'waiting',
      statusReason: expect.stringMatching(/5-hour window is 95% used \(pause at 90%\)/),
    });
    clock.wakeNext();
    expect((await run).status).toBe('completed');
    expect(calls).toHaveLength(2);
    expect(calls[1]).toBeGreaterThanOrEqual(resetsAt);
  });

  it('stops a task while it waits, at once', async () => {
    const resetsAt = clock.now() + 60_000;
    const { agent } = agentWith(() => spent(resetsAt));
    const { orchestrator, store } = await open(agent);
    const task = await orchestrator.createTask({ dir, prompt: 'work', maxIterations: 3 });
    const controller = new AbortController();
    const run = orchestrator.runTask(task.id, controller.signal);
    await clock.sleeping();
    expect((await store.taskSummary(task.id))?.status).toBe('waiting');
    controller.abort();
    const done = await run;
    // Still resumable at the window's reset: the iteration it held never got its turn.
    expect(done).toMatchObject({
      status: 'cancelled',
      statusReason: expect.stringMatching(/^stopped by the user while waiting: /),
    });
    expect(done.wakeAt).toBeGreaterThanOrEqual(resetsAt);
    expect(agent.requests).toHaveLength(1);
  });

  it('adds the jitter to a hold before an iteration too, so no call lands on the reset itself', async () => {
    const { agent, calls } = agentWith(() => success('done BATON_TASK_COMPLETE'));
    clock = new TestClock({ auto: true });
    const { orchestrator, store } = await open(agent);
    const resetsAt = clock.now() + 2500;
    const other = await orchestrator.createTask({ dir, prompt: 'other' });
    await store.startSession({ sessionId: 'other-session', taskId: other.id, iteration: 1, model: null, ownerPid: 1 });
    await store.recordRateLimit('other-session', rateLimit('rejected', resetsAt, 1), clock.now());
    const task = await orchestrator.createTask({ dir, prompt: 'held', maxIterations: 1 });
    expect((await orchestrator.runTask(task.id)).status).toBe('completed');
    // random 0: exactly one second past the reset.
    expect(calls[0]).toBeGreaterThanOrEqual(resetsAt + 1000);
  });

  it('checks the budget again after a hold: what others spent meanwhile counts', async () => {
    const { agent } = agentWith(() => success('done BATON_TASK_COMPLETE'));
    const { orchestrator, store } = await open(agent);
    await store.updateSettings({ dailyBudgetUsd: 1 });
    const resetsAt = clock.now() + 3000;
    const other = await orchestrator.createTask({ dir, prompt: 'other' });
    await store.startSession({ sessionId: 'other-session', taskId: other.id, iteration: 1, model: null, ownerPid: 1 });
    await store.recordRateLimit('other-session', rateLimit('rejected', resetsAt, 1), clock.now());
    const task = await orchestrator.createTask({ dir, prompt: 'held', maxIterations: 1 });
    const run = orchestrator.runTask(task.id);
    await clock.sleeping();
    expect((await store.taskSummary(task.id))?.status).toBe('waiting');
    // While it waits, another task spends the whole day's budget.
    await store.finishSession('other-session', { ...spentFinish, costUsd: 1.5 });
    clock.wakeNext();
    // It never ran an iteration: a launch the daily budget turned away, taken back whole.
    await expect(run).rejects.toThrow(
      new LaunchWithdrawnError("today's spending, $1.50, reached the daily budget of $1.00; the task was not kept"),
    );
    expect(await store.taskSummary(task.id)).toBeUndefined();
    expect(agent.requests).toHaveLength(0);
  });

  it('resumes a task stopped while it waited, even at its last iteration, keeping what the turned-away attempt cost', async () => {
    const resetsAt = clock.now() + 1500;
    const { agent } = agentWith((call) => (call === 1 ? spentAfterWork(resetsAt) : success('done')));
    const { orchestrator, store } = await open(agent);
    const task = await orchestrator.createTask({ dir, prompt: 'work', maxIterations: 1 });
    const controller = new AbortController();
    const run = orchestrator.runTask(task.id, controller.signal);
    await clock.sleeping();
    expect((await store.taskSummary(task.id))?.status).toBe('waiting');
    controller.abort();
    const stopped = await run;
    expect(stopped).toMatchObject({ status: 'cancelled' });
    expect(stopped.wakeAt).toBeGreaterThanOrEqual(resetsAt);
    expect(stopped.totals).toMatchObject({ inputTokens: 500, costUsd: 0.5 });

    // Resumed before the reset, it holds until then, and the iteration the wait cut gets its turn.
    await orchestrator.prepareResume(task.id);
    const resuming = orchestrator.runTask(task.id);
    await clock.sleeping();
    expect(agent.requests).toHaveLength(1);
    clock.wakeNext();
    const resumed = await resuming;
    expect(resumed).toMatchObject({ status: 'max_iterations', wakeAt: null, iterations: 2 });
    expect(resumed.totals.inputTokens).toBe(500 + 10);
    expect(resumed.totals.costUsd).toBeCloseTo(0.51, 10);
    expect(agent.requests).toHaveLength(2);
  });

  it('resumes a task the window stopped (on-quota stop), keeping what the turned-away attempt cost', async () => {
    let resetsAt = Infinity;
    const { agent } = agentWith((call) => (call === 1 ? spentAfterWork(resetsAt) : success('done')));
    const { orchestrator } = await open(agent);
    resetsAt = clock.now() + 1000;
    const task = await orchestrator.createTask({ dir, prompt: 'work', maxIterations: 1, onQuota: 'stop' });
    expect((await orchestrator.runTask(task.id)).totals).toMatchObject({ inputTokens: 500, costUsd: 0.5 });
    // Resumed before the reset, it would stop at the window again; after it, it goes on.
    clock.advance(resetsAt - clock.now() + 50);
    await orchestrator.prepareResume(task.id);
    const resumed = await orchestrator.runTask(task.id);
    expect(resumed.totals.inputTokens).toBe(510);
    expect(resumed.totals.costUsd).toBeCloseTo(0.51, 10);
  });
});

/** A turned-away attempt that had spent something first, as one that hits the limit mid-task does. */
function spentAfterWork(resetsAt: number) {
  const turnedAway = spent(resetsAt);
  const usage = { inputTokens: 500, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0 };
  return { ...turnedAway, result: { ...turnedAway.result, usage, costUsd: 0.5 } };
}

const spentFinish = sessionFinish({ model: null, durationMs: 1, apiDurationMs: 1 });
