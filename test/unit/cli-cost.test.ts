/**
 * The command line's view of costs: `baton task` says whose figure a session's cost is and how far the agent's
 * drifts from the computed one, `--json` carries both, and `baton settings` sets and clears a model's own prices.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TokenUsage } from '../../src-main/contract/agent-events';
import { openBatonCore } from '../../src-main/core/baton-core';
import { lastJsonLine, runBaton } from '../support/baton-cli';
import { ScriptedAgent, success } from '../support/scripted-agent';

let dir: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'baton-cli-cost-'));
  env = { BATON_DB: path.join(dir, 'baton.db') };
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const usage: TokenUsage = { inputTokens: 2000, outputTokens: 42, cacheCreationTokens: 400, cacheReadTokens: 6000 };
/** `usage` at Sonnet 4.5's list prices. */
const AT_SONNET_45 = 0.00993;

/** A task of three iterations on `model`, whose agent reports the costs given (null: none), written to the database. */
async function taskWith(model: string, costs: Array<number | null>): Promise<string> {
  const agent = new ScriptedAgent((_, call) => ({
    result: { ...success('working').result, costUsd: costs[call - 1] ?? null, usage },
  }));
  const core = await openBatonCore({
    databaseFile: env.BATON_DB as string,
    agent,
    retry: { baseDelayMs: 0, maxDelayMs: 0 },
  });
  try {
    const task = await core.orchestrator.createTask({ dir, prompt: 'x', maxIterations: costs.length, model });
    await core.orchestrator.runTask(task.id);
    return task.id;
  } finally {
    await core.close();
  }
}

interface SessionJson {
  costUsd: number;
  costSource: string;
  computedCostUsd: number | null;
  costDrift: number | null;
}

// Each test runs `baton` several times, as the integration tests do, and gets their deadline: in a loaded run
// eight starts of it took over 30 s.
describe('costs on the command line', { timeout: 120_000 }, () => {
  it('`baton task` names each cost’s source and the drift, and --json carries the computed cost', async () => {
    const id = await taskWith('claude-sonnet-4-5', [0.0123, AT_SONNET_45, null]);
    const text = await runBaton(['task', id], env);
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n').filter((line) => line.startsWith('[iteration'));
    expect(lines[0]).toContain('$0.0123 (agent; computed $0.0099, 24% apart)');
    expect(lines[1]).toContain('$0.0099 (agent)');
    expect(lines[2]).toContain('$0.0099 (estimated)');

    const json = lastJsonLine<{ sessions: SessionJson[] }>((await runBaton(['task', id, '--json'], env)).stdout);
    const [drifted, agreeing, estimated] = json.sessions;
    expect(drifted).toMatchObject({ costUsd: 0.0123, costSource: 'agent' });
    expect(drifted?.computedCostUsd).toBeCloseTo(AT_SONNET_45, 10);
    expect(drifted?.costDrift).toBeCloseTo((0.0123 - AT_SONNET_45) / AT_SONNET_45, 10);
    expect(agreeing).toMatchObject({ costSource: 'agent', costDrift: null });
    expect(estimated).toMatchObject({ costSource: 'estimated', costDrift: null });
    expect(estimated?.computedCostUsd).toBeCloseTo(AT_SONNET_45, 10);
  });

  it('`baton task` says a cost is unknown rather than print another model’s', async () => {
    const id = await taskWith('made-up-model', [null, 0.5]);
    const text = (await runBaton(['task', id], env)).stdout;
    const lines = text.split('\n').filter((line) => line.startsWith('[iteration'));
    expect(lines[0]).toContain('cost unknown');
    expect(lines[1]).toContain('$0.50 (agent)');
    expect(text).toMatch(/^cost {5}\$0\.50 \+ unknown \(1 iteration of unknown cost\)/m);
    const json = lastJsonLine<{ sessions: SessionJson[] }>((await runBaton(['task', id, '--json'], env)).stdout);
    expect(json.sessions.map((s) => [s.costUsd, s.costSource, s.computedCostUsd])).toEqual([
      [0, 'unknown', null],
      [0.5, 'agent', null],
    ]);
  });

  it('`baton settings` sets, lists and clears a model’s own prices, and refuses bad ones', async () => {
    const set = await runBaton(
      ['settings', '--model-price', 'made-up-model=1,2,1.25,0.1', '--model-price', 'claude-sonnet-4-5=0,0,0,0'],
      env,
    );
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('model prices (USD per million tokens: input, output, cache write, cache read):');
    expect(set.stdout).toContain('  made-up-model  1, 2, 1.25, 0.1');
    expect(set.stdout).toContain('  claude-sonnet-4-5  0, 0, 0, 0');

    const cleared = await runBaton(['settings', '--clear-model-price', 'Claude-Sonnet-4-5', '--json'], env);
    expect(JSON.parse(cleared.stdout)).toMatchObject({
      modelPrices: { 'made-up-model': { input: 1, output: 2, cacheWrite: 1.25, cacheRead: 0.1 } },
    });
    expect(Object.keys((JSON.parse(cleared.stdout) as { modelPrices: object }).modelPrices)).toEqual(['made-up-model']);

    for (const [value, message] of [
      ['x=1,2,3', /--model-price takes <model>=<input>,<output>,<cacheWrite>,<cacheRead>/],
      ['x=-1,2,3,4', /the input price must be 0 or more/],
      ['x=1,,3,4', /the output price must be a number/],
      ['=1,2,3,4', /a model name must not be empty/],
    ] as const) {
      const refused = await runBaton(['settings', '--model-price', value], env);
      expect(refused.code, value).toBe(2);
      expect(refused.stderr, value).toMatch(message);
    }
    expect((await runBaton(['settings', '--clear-model-price', 'nope'], env)).stderr).toMatch(
      /no prices of your own for nope/,
    );
    // Nothing refused was written.
    const shown = await runBaton(['settings', '--json'], env);
    expect(Object.keys((JSON.parse(shown.stdout) as { modelPrices: object }).modelPrices)).toEqual(['made-up-model']);
  });
});
