/**
 * What an iteration spent is kept on its running row while it runs, so a Baton killed before the
 * iteration's final UPDATE does not lose it: recovery (what the next start does) turns it into the
 * interrupted session's figures. The crash is simulated by recovering while the agent still runs,
 * as a process that finds this one's pid gone would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentEvent, TokenUsage } from '../../src-main/contract/agent-events';
import type { AgentRunOutcome, AgentRunRequest } from '../../src-main/core/agents/agent-runner';
import { type BatonCore, openBatonCore } from '../../src-main/core/baton-core';
import { ScriptedAgent, success } from '../support/scripted-agent';
import { TestClock } from '../support/test-clock';

const MODEL = 'claude-sonnet-4-5';
/** How long usage seen on the stream waits to be written (USAGE_WRITE_DELAY_MS). */
const COALESCING_MS = 250;
let dir: string;
let core: BatonCore | undefined;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'baton-usage-so-far-'));
});
afterEach(async () => {
  await core?.close();
  core = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const usage = (input: number, output: number, cacheWrite = 0, cacheRead = 0): TokenUsage => ({
  inputTokens: input,
  outputTokens: output,
  cacheCreationTokens: cacheWrite,
  cacheReadTokens: cacheRead,
});

/** The usage events the stream parser sends for two API calls: each call's start, then its final output count. */
const twoCalls: TokenUsage[] = [
  usage(1000, 1, 200, 3000),
  usage(1000, 40, 200, 3000),
  usage(2010, 41, 200, 6001),
  usage(2010, 90, 200, 6001),
];

/** An agent that reports what `events` says, then runs until the test ends: it is still running at the "crash". */
const hanging = (events: (call: number) => AgentEvent[], then?: (call: number) => Partial<AgentRunOutcome> | null) =>
  new ScriptedAgent((request: AgentRunRequest, call) => {
    for (const event of events(call)) request.onEvent(event);
    const outcome = then?.(call);
    return outcome ? outcome : new Promise<Partial<AgentRunOutcome>>(() => undefined);
  });

/** Sonnet 4.5's list prices, per million tokens: input 3, output 15, cache write 3.75, cache read 0.3. */
const atSonnet45 = (u: TokenUsage) =>
  (u.inputTokens * 3 + u.outputTokens * 15 + u.cacheCreationTokens * 3.75 + u.cacheReadTokens * 0.3) / 1_000_000;

async function start(agent: ScriptedAgent, retry = { baseDelayMs: 0, maxDelayMs: 0 }, model = MODEL) {
  // The orchestrator's time moves only when a test moves it: a retry's back-off lasts until the test ends, and
  // usage seen on the stream is written once the test moves past the coalescing delay.
  const clock = new TestClock();
  core = await openBatonCore({ databaseFile: path.join(dir, 'baton.db'), agent, retry, random: () => 1, clock });
  const task = await core.orchestrator.createTask({ dir, prompt: 'work', maxIterations: 1, model });
  // Never awaited: the tests "crash" while it runs, and it fails once the store is closed under it.
  core.orchestrator.runTask(task.id).catch(() => undefined);
  return { ...core, taskId: task.id, clock };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function usageKept(c: BatonCore): Promise<unknown> {
  const [row] = (await c.dataSource.query(`SELECT usage_so_far AS kept FROM sessions`)) as Array<{
    kept: string | null;
  }>;
  return row?.kept ? JSON.parse(row.kept) : null;
}

/** What the next start of Baton does when this process is gone. */
const crashRecovery = (c: BatonCore) => c.store.recoverInterrupted(() => false);

describe('usage kept while an iteration runs', () => {
  it('a kill mid-iteration keeps the tokens streamed so far, priced as an estimate, written once per burst', async () => {
    const agent = hanging(() => twoCalls.map((u): AgentEvent => ({ kind: 'usage', usage: u })));
    const c = await start(agent);
    const writes = vi.spyOn(c.store, 'recordUsageSoFar');
    await until(() => agent.requests.length === 1);
    expect(writes).not.toHaveBeenCalled();
    c.clock.advance(COALESCING_MS);
    await until(async () => (await usageKept(c)) !== null);
    // Four events in a burst: coalesced into one write.
    expect(writes).toHaveBeenCalledTimes(1);

    // While it runs, the row's own figures stay zero: live views add the stream's figures to the stored totals.
    const running = await c.store.taskDetail(c.taskId);
    expect(running?.sessions[0]).toMatchObject({ status: 'running', inputTokens: 0, costUsd: 0 });
    expect(running?.totals.totalTokens).toBe(0);

    await crashRecovery(c);
    const [session] = await c.store.sessionsOfTask(c.taskId);
    const spent = usage(2010, 90, 200, 6001);
    expect(session).toMatchObject({ status: 'interrupted', ...spent, turns: 2, costSource: 'estimated' });
    expect(session?.costUsd).toBeCloseTo(atSonnet45(spent), 12);
    expect(session?.computedCostUsd).toBeCloseTo(atSonnet45(spent), 12);
    const task = await c.store.taskSummary(c.taskId);
    expect(task?.totals).toMatchObject({ ...spent, totalTokens: 2010 + 90 + 200 + 6001, turns: 2 });
  });

  it('a kill after the result line keeps the agent its own figures, at once', async () => {
    const result = success('done').result;
    const reported = { ...result, turns: 3, costUsd: 0.4242, usage: usage(2500, 120, 200, 9000) };
    const agent = hanging(() => [
      ...twoCalls.map((u): AgentEvent => ({ kind: 'usage', usage: u })),
      { kind: 'result', result: reported },
    ]);
    const c = await start(agent);
    await until(() => agent.requests.length === 1);
    // No wait for the coalescing timer: the result is written as it arrives.
    expect(await usageKept(c)).toMatchObject({ costSource: 'agent', costUsd: 0.4242 });

    await crashRecovery(c);
    const [session] = await c.store.sessionsOfTask(c.taskId);
    expect(session).toMatchObject({
      status: 'interrupted',
      ...usage(2500, 120, 200, 9000),
      turns: 3,
      costUsd: 0.4242,
      costSource: 'agent',
    });
    // The computed cost is kept beside the agent's, as the final UPDATE would have.
    expect(session?.computedCostUsd).toBeCloseTo(atSonnet45(usage(2500, 120, 200, 9000)), 12);
  });

  it('a kill mid-iteration of a model without known prices keeps its tokens, its cost unknown', async () => {
    const agent = hanging(() => twoCalls.map((u): AgentEvent => ({ kind: 'usage', usage: u })));
    const c = await start(agent, undefined, 'made-up-model');
    await until(() => agent.requests.length === 1);
    c.clock.advance(COALESCING_MS);
    await until(async () => (await usageKept(c)) !== null);
    await crashRecovery(c);
    const [session] = await c.store.sessionsOfTask(c.taskId);
    expect(session).toMatchObject({
      status: 'interrupted',
      ...usage(2010, 90, 200, 6001),
      costUsd: 0,
      costSource: 'unknown',
      computedCostUsd: null,
    });
  });

  it('a retried attempt counts once when the kill lands in the retry', async () => {
    const first = usage(1000, 40, 200, 3000);
    const failed = {
      error: { kind: 'api_error' as const, message: 'API error 529: overloaded' },
      exitCode: 1,
      result: { ...success('').result, isError: true, apiErrorStatus: 529, costUsd: 0.25, usage: first },
    };
    const agent = hanging(
      (call) => [{ kind: 'usage', usage: call === 1 ? first : usage(500, 7) }],
      (call) => (call === 1 ? failed : null),
    );
    const c = await start(agent);
    await until(() => agent.requests.length === 2);
    c.clock.advance(COALESCING_MS);
    await until(async () => ((await usageKept(c)) as { inputTokens?: number } | null)?.inputTokens === 1500);

    await crashRecovery(c);
    const [session] = await c.store.sessionsOfTask(c.taskId);
    // The row is named after the second attempt; the first is in its retry log, and in its sums once.
    expect(session?.sessionId).toBe(agent.requests[1]?.sessionId);
    expect(session).toMatchObject({ status: 'interrupted', ...usage(1500, 47, 200, 3000), costSource: 'estimated' });
    expect(session?.costUsd).toBeCloseTo(0.25 + atSonnet45(usage(500, 7)), 12);
    // Computed from all its tokens, the retried attempt's included.
    expect(session?.computedCostUsd).toBeCloseTo(atSonnet45(usage(1500, 47, 200, 3000)), 12);
    expect(session?.retries).toEqual([
      expect.objectContaining({ attempt: 1, sessionId: agent.requests[0]?.sessionId, ...first, costUsd: 0.25 }),
    ]);
    expect((await c.store.taskSummary(c.taskId))?.totals.inputTokens).toBe(1500);
  });

  it('a kill while waiting to retry keeps the failed attempt, once', async () => {
    const first = usage(1000, 40, 200, 3000);
    const agent = hanging(
      () => [{ kind: 'usage', usage: first }],
      () => ({
        error: { kind: 'api_error', message: 'API error 529: overloaded' },
        exitCode: 1,
        result: { ...success('').result, isError: true, apiErrorStatus: 529, costUsd: 0.25, usage: first },
      }),
    );
    // The retry waits a minute, which never passes: the kill lands in the wait.
    const c = await start(agent, { baseDelayMs: 60_000, maxDelayMs: 60_000 });
    await until(async () => ((await usageKept(c)) as { retries?: unknown[] } | null)?.retries?.length === 1);
    expect(agent.requests).toHaveLength(1);

    await crashRecovery(c);
    const [session] = await c.store.sessionsOfTask(c.taskId);
    expect(session).toMatchObject({ status: 'interrupted', ...first, costUsd: 0.25, costSource: 'estimated' });
    expect(session?.retries).toHaveLength(1);
  });

  it('an iteration that ends is stored as the agent reported it, whatever was kept on the way', async () => {
    const reported = { ...success('done').result, turns: 2, costUsd: 0.3, usage: usage(2010, 90, 200, 6001) };
    const agent = new ScriptedAgent(async (request) => {
      for (const u of twoCalls) request.onEvent({ kind: 'usage', usage: u });
      request.onEvent({ kind: 'result', result: reported });
      return { result: reported };
    });
    const c = await start(agent);
    await until(async () => (await c.store.taskSummary(c.taskId))?.status === 'max_iterations');
    // Past the coalescing delay, so a write still pending would land after the final UPDATE.
    c.clock.advance(COALESCING_MS);
    await new Promise((resolve) => setImmediate(resolve));
    const [session] = await c.store.sessionsOfTask(c.taskId);
    expect(session).toMatchObject({ status: 'completed', ...usage(2010, 90, 200, 6001), costUsd: 0.3 });
    // The final figures are the row's own: what was kept meanwhile is dropped.
    expect(await usageKept(c)).toBeNull();
    // Recovery of another, later crash leaves a finished row alone.
    await crashRecovery(c);
    expect((await c.store.sessionsOfTask(c.taskId))[0]).toMatchObject({ status: 'completed', costUsd: 0.3 });
  });
});
