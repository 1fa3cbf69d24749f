/**
 * Where a session's cost comes from: the agent's own figure (with the computed one stored beside it), the
 * tokens at the price data's or the user's prices, or nothing at all for a model no price is known for.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentEvent, TokenUsage } from '../../src-main/contract/agent-events';
import { type BatonCore, openBatonCore } from '../../src-main/core/baton-core';
import { ScriptedAgent, success } from '../support/scripted-agent';

let dir: string;
let core: BatonCore | undefined;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'baton-cost-'));
});
afterEach(async () => {
  await core?.close();
  core = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const defaultUsage: TokenUsage = {
  inputTokens: 2000,
  outputTokens: 42,
  cacheCreationTokens: 400,
  cacheReadTokens: 6000,
};
/** `defaultUsage` at Sonnet 4.5's list prices (3, 15, 3.75 and 0.3 USD per million), what the real CLI reported for it. */
const AT_SONNET_45 = 0.00993;

/** One iteration whose agent reports `usage` and the given cost (null: none), on the model given. */
async function oneIteration(
  model: string,
  agentCostUsd: number | null,
  setUp?: (c: BatonCore) => Promise<unknown>,
  usage: TokenUsage = defaultUsage,
) {
  const agent = new ScriptedAgent((request) => {
    request.onEvent({ kind: 'usage', usage });
    return { result: { ...success('done').result, costUsd: agentCostUsd, usage } };
  });
  core = await openBatonCore({
    databaseFile: path.join(dir, 'baton.db'),
    agent,
    retry: { baseDelayMs: 0, maxDelayMs: 0 },
  });
  await setUp?.(core);
  const published: AgentEvent[] = [];
  core.bus.subscribe((e) => {
    if (e.type === 'agent.event' && e.event.kind === 'usage') published.push(e.event);
  });
  const task = await core.orchestrator.createTask({ dir, prompt: 'do it', maxIterations: 1, model });
  const done = await core.orchestrator.runTask(task.id);
  const [session] = await core.store.sessionsOfTask(task.id);
  return { session, done, published };
}

describe('the cost of a session', () => {
  it('prices a fast-mode session only at a fast rate: unknown without one, never the normal rate', async () => {
    const fastAgent = new ScriptedAgent((request) => {
      request.onEvent({ kind: 'usage', usage: defaultUsage, speed: 'fast' });
      return { result: { ...success('done').result, costUsd: null, usage: defaultUsage }, speed: 'fast' };
    });
    core = await openBatonCore({
      databaseFile: path.join(dir, 'baton.db'),
      agent: fastAgent,
      retry: { baseDelayMs: 0, maxDelayMs: 0 },
    });
    const task = await core.orchestrator.createTask({
      dir,
      prompt: 'do it',
      maxIterations: 1,
      model: 'claude-opus-4-6',
    });
    const published: AgentEvent[] = [];
    core.bus.subscribe((e) => {
      if (e.type === 'agent.event' && e.event.kind === 'usage') published.push(e.event);
    });
    await core.orchestrator.runTask(task.id);
    expect((await core.store.sessionsOfTask(task.id))[0]).toMatchObject({ costSource: 'unknown', costUsd: 0 });
    // The live figure is left out too, never the normal rate's.
    expect(published).toEqual([{ kind: 'usage', usage: defaultUsage, speed: 'fast' }]);
    // A fast price set later prices it, at that rate.
    await core.store.updateSettings({
      modelPrices: { 'claude-opus-4-6-fast': { input: 1, output: 1, cacheWrite: 1, cacheRead: 1 } },
    });
    const [priced] = await core.store.sessionsOfTask(task.id);
    expect(priced).toMatchObject({ costSource: 'estimated' });
    expect(priced?.costUsd).toBeCloseTo(8442 / 1e6, 12);
  });

  it('follows a price set later: an unknown cost becomes known, an agent’s own stays beside the new computed one', async () => {
    const { session, done } = await oneIteration('my-local-model', null);
    expect(session).toMatchObject({ costSource: 'unknown', costUsd: 0 });
    await core!.store.updateSettings({
      modelPrices: { 'my-local-model': { input: 1, output: 1, cacheWrite: 1, cacheRead: 1 } },
    });
    const [priced] = await core!.store.sessionsOfTask(done.id);
    const tokens = 2000 + 42 + 400 + 6000;
    expect(priced).toMatchObject({ costSource: 'estimated' });
    expect(priced?.costUsd).toBeCloseTo(tokens / 1e6, 12);
    expect((await core!.store.taskSummary(done.id))?.totals.costUsd).toBeCloseTo(tokens / 1e6, 12);
  });

  it('keeps an agent’s own cost when prices change, and computes the one beside it again', async () => {
    const { done } = await oneIteration('claude-sonnet-4-5', 0.0123);
    await core!.store.updateSettings({
      modelPrices: { 'claude-sonnet-4-5': { input: 10, output: 10, cacheWrite: 10, cacheRead: 10 } },
    });
    const [priced] = await core!.store.sessionsOfTask(done.id);
    expect(priced).toMatchObject({ costUsd: 0.0123, costSource: 'agent' });
    expect(priced?.computedCostUsd).toBeCloseTo((8442 * 10) / 1e6, 12);
  });

  it('prices 1-hour cache writes at their rate, keeps them on the row, and stores the one name of its model', async () => {
    const writes = { ...defaultUsage, cacheCreationTokens: 1000, cacheWrite1hTokens: 600 };
    const { session } = await oneIteration('claude-sonnet-4-5[1m]', null, undefined, writes);
    // 2000 input at 3, 42 output at 15, 400 five-minute writes at 3.75, 600 one-hour writes at 6, 6000 reads at 0.3.
    const expected = (2000 * 3 + 42 * 15 + 400 * 3.75 + 600 * 6 + 6000 * 0.3) / 1e6;
    expect(session).toMatchObject({ costSource: 'estimated', model: 'claude-sonnet-4-5' });
    expect(session?.costUsd).toBeCloseTo(expected, 10);
    const [row] = (await core!.dataSource.query(`SELECT cache_write_1h_tokens AS n FROM sessions`)) as Array<{
      n: number;
    }>;
    expect(row?.n).toBe(600);
  });

  it('is the agent’s where it reported one, the computed one stored beside it and the drift shown', async () => {
    const { session, done } = await oneIteration('claude-sonnet-4-5', 0.0123);
    expect(session).toMatchObject({ costUsd: 0.0123, costSource: 'agent' });
    expect(session?.computedCostUsd).toBeCloseTo(AT_SONNET_45, 10);
    expect(session?.costDrift).toBeCloseTo((0.0123 - AT_SONNET_45) / AT_SONNET_45, 10);
    expect(done.totals.costUsd).toBeCloseTo(0.0123, 10);
  });

  it('shows no drift when the agent and the prices agree within 5%', async () => {
    const { session } = await oneIteration('claude-sonnet-4-5', AT_SONNET_45 * 1.04);
    expect(session).toMatchObject({ costSource: 'agent', costDrift: null });
    expect(session?.computedCostUsd).toBeCloseTo(AT_SONNET_45, 10);
  });

  it('is computed from the tokens, marked estimated, where the agent reported none', async () => {
    const { session, published } = await oneIteration('claude-sonnet-4-5', null);
    expect(session).toMatchObject({ costSource: 'estimated', costDrift: null });
    expect(session?.costUsd).toBeCloseTo(AT_SONNET_45, 10);
    expect(session?.computedCostUsd).toBeCloseTo(AT_SONNET_45, 10);
    expect(published).toEqual([
      { kind: 'usage', usage: defaultUsage, estimatedCostUsd: expect.closeTo(AT_SONNET_45, 10) },
    ]);
  });

  it('is unknown, and 0 in the sums, for a model no price is known for and no agent cost', async () => {
    const { session, done, published } = await oneIteration('made-up-model', null);
    expect(session).toMatchObject({
      costUsd: 0,
      costSource: 'unknown',
      computedCostUsd: null,
      costDrift: null,
      inputTokens: 2000,
    });
    expect(done.totals.costUsd).toBe(0);
    // The live figure is left out rather than taken from another model.
    expect(published).toEqual([{ kind: 'usage', usage: defaultUsage }]);
  });

  it('keeps the agent’s cost for a model no price is known for, with no computed one', async () => {
    const { session } = await oneIteration('claude-opus-9-9', 0.5);
    expect(session).toMatchObject({ costUsd: 0.5, costSource: 'agent', computedCostUsd: null, costDrift: null });
  });

  it('takes the user’s prices over the data, and for a model the data lacks', async () => {
    const prices = { input: 10, output: 100, cacheWrite: 20, cacheRead: 1 };
    const expected = (2000 * 10 + 42 * 100 + 400 * 20 + 6000 * 1) / 1_000_000;
    for (const model of ['made-up-model', 'claude-sonnet-4-5']) {
      const { session, published } = await oneIteration(model, null, (c) =>
        c.store.updateSettings({ modelPrices: { [model]: prices } }),
      );
      expect(session, model).toMatchObject({ costSource: 'estimated' });
      expect(session?.costUsd, model).toBeCloseTo(expected, 12);
      expect(session?.computedCostUsd, model).toBeCloseTo(expected, 12);
      expect(published[0], model).toMatchObject({ estimatedCostUsd: expect.closeTo(expected, 12) });
      await core?.close();
      core = undefined;
      rmSync(path.join(dir, 'baton.db'));
    }
  });

  it('adds a retried attempt of an unknown model as nothing, and stays unknown', async () => {
    const failed = { ...success('').result, isError: true, apiErrorStatus: 529, costUsd: null, usage: defaultUsage };
    const agent = new ScriptedAgent((_, call) =>
      call === 1
        ? { error: { kind: 'api_error', message: 'API error 529: overloaded' }, exitCode: 1, result: failed }
        : { result: { ...success('done').result, costUsd: null, usage: defaultUsage } },
    );
    core = await openBatonCore({
      databaseFile: path.join(dir, 'baton.db'),
      agent,
      retry: { baseDelayMs: 0, maxDelayMs: 0 },
    });
    const task = await core.orchestrator.createTask({ dir, prompt: 'x', maxIterations: 1, model: 'made-up-model' });
    await core.orchestrator.runTask(task.id);
    const [session] = await core.store.sessionsOfTask(task.id);
    expect(session).toMatchObject({ costUsd: 0, costSource: 'unknown', computedCostUsd: null, inputTokens: 4000 });
    expect(session?.retries).toEqual([expect.objectContaining({ attempt: 1, costUsd: 0 })]);
  });
});
