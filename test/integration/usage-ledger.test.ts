/**
 * `baton import` and `baton usage daily` against the API's own ledger: the real claude CLI, run directly (an
 * interactive user's usage, not a Baton session) against the scripted API, which records the usage of every
 * response it served. What Baton reports per model must be that ledger summed, and its cost the ledger priced
 * by hand at the list rates in /work/shared/claude-code.md ("Prices", USD per million tokens), not by Baton's
 * pricing. The turns: a multi-block response with a tool call, 1-hour cache writes, fast mode, a long-context
 * request on a model chosen with a `[1m]` suffix, and a further turn appended to a session after an import.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImportSummary } from '../../src-main/contract/usage';
import { lastJsonLine, runBaton } from '../support/baton-cli';
import {
  type ScriptedTurn,
  type ServedMessage,
  type ServedUsage,
  servedUsage as usage,
} from '../support/scripted-anthropic-server';
import { useScriptedWorkspaces } from '../support/scripted-workspace';

const CLAUDE = path.resolve(__dirname, '..', '..', 'node_modules', '.bin', 'claude');
const setUp = useScriptedWorkspaces();

/** A response with thinking, text and a Bash call; the CLI runs it and asks again with its result. */
const TOOL_CALL: ScriptedTurn = {
  blocks: [
    { type: 'thinking', thinking: 'Bash can print it.' },
    { type: 'text', text: 'I will say hi with Bash.' },
    { type: 'tool_use', name: 'Bash', input: { command: 'echo hi', description: 'Say hi' } },
  ],
  startOutputTokens: 6,
  usage: usage(12, 345, 200, 5000, 14000),
};
const answer = (text: string, served: ServedUsage): ScriptedTurn => ({
  blocks: [{ type: 'text', text }],
  startOutputTokens: 2,
  usage: served,
});
/** Mostly 1-hour cache writes. */
const CACHE_1H = answer('It printed hi.', usage(8, 67, 100, 3000, 19200));
const FAST = answer('Fast: hi.', { ...usage(9, 120, 400, 0, 22000), speed: 'fast' });
/** Above 200k tokens on the input side (input + cache writes + reads): the long-context rate, on the whole request. */
const LONG_CONTEXT = answer('A long read.', usage(1000, 500, 2000, 0, 250_000));
const LATER = answer('Still hi.', usage(5, 44, 0, 700, 23000));
/**
 * A tool call whose stream ends before message_delta: the client never got the final count, so the ledger has
 * message_start's output tokens, and the CLI's lines keep them with `stop_reason: null`.
 */
const CUT: ScriptedTurn = { ...TOOL_CALL, cutBeforeFinalUsage: true, usage: usage(30, 900, 1500, 0, 0) };
const AFTER_CUT = answer('Done.', usage(4, 25, 0, 0, 1500));
/** Whatever else the CLI might ask (none expected: the list of served models below would show it). */
const OTHER = answer('Other.', usage(3, 7, 0, 0, 0));

/** Runs `claude -p` in the project; a fresh session (`--session-id`) or another turn of one (`--resume`). */
async function runClaude(
  project: string,
  env: NodeJS.ProcessEnv,
  model: string,
  session: { id: string } | { resume: string },
): Promise<void> {
  const sessionArgs = 'id' in session ? ['--session-id', session.id] : ['--resume', session.resume];
  const args = ['-p', 'Say hi with Bash.', '--output-format', 'stream-json', '--verbose', ...sessionArgs];
  const child = spawn(CLAUDE, [...args, '--model', model, '--permission-mode', 'bypassPermissions'], {
    cwd: project,
    env: { ...process.env, ...env, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stdout.resume();
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  expect(code, `claude exited ${code}: ${stderr}`).toBe(0);
}

/** What `baton usage daily --json` prints, the fields compared here. */
interface Figures {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheWrite1hTokens: number;
  cacheReadTokens: number;
  costUsd: number;
  unknownCostTokens: number;
}
interface Daily {
  daily: Array<Figures & { date: string; model: string; bySource: { baton: Figures; interactive: Figures } }>;
  totals: Figures;
}

/** List rates per million tokens: input, output, 5-minute write, 1-hour write, read. */
type Rates = [number, number, number, number, number];
const OPUS_4_5_TO_4_8: Rates = [5, 25, 6.25, 10, 0.5];
const HAIKU_4_5: Rates = [1, 5, 1.25, 2, 0.1];
const SONNET_4_5: Rates = [3, 15, 3.75, 6, 0.3];
/** Sonnet 4 and 4.5 above 200k input tokens; the table gives no 1-hour rate there, and no request needs one. */
const SONNET_4_5_LONG: Rates = [6, 22.5, 7.5, Number.NaN, 0.6];

/** The name a served response is reported under, by hand: no `[1m]`, and `-fast` for fast mode. */
function labelOf(served: ServedMessage): string {
  const model = served.model.replace(/\[1m\]$/, '');
  return served.usage.speed === 'fast' ? `${model}-fast` : model;
}

/** One response's cost at list rates; null where there is no list price (fast mode). */
function listCost(label: string, u: ServedUsage): number | null {
  const inputSide = u.input_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens;
  const rates: Rates | undefined = {
    'claude-opus-4-6': OPUS_4_5_TO_4_8,
    'claude-sonnet-4-5': inputSide > 200_000 ? SONNET_4_5_LONG : SONNET_4_5,
    'claude-haiku-4-5': HAIKU_4_5,
  }[label];
  if (!rates) return null;
  const [input, output, write5m, write1h, read] = rates;
  const w1h = u.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  const w5m = u.cache_creation_input_tokens - w1h;
  const dollars =
    u.input_tokens * input +
    u.output_tokens * output +
    w5m * write5m +
    (w1h && w1h * write1h) +
    u.cache_read_input_tokens * read;
  return dollars / 1_000_000;
}

/** The ledger summed per reported model, in the report's terms. */
function ledgerByModel(served: ServedMessage[]): Map<string, Figures> {
  const byModel = new Map<string, Figures>();
  for (const response of served) {
    const label = labelOf(response);
    const u = response.usage;
    const cost = listCost(label, u);
    const figures = byModel.get(label) ?? {
      inputTokens: 0,
      outputTokens: 0,
      cacheCreationTokens: 0,
      cacheWrite1hTokens: 0,
      cacheReadTokens: 0,
      costUsd: 0,
      unknownCostTokens: 0,
    };
    figures.inputTokens += u.input_tokens;
    figures.outputTokens += u.output_tokens;
    figures.cacheCreationTokens += u.cache_creation_input_tokens;
    figures.cacheWrite1hTokens += u.cache_creation?.ephemeral_1h_input_tokens ?? 0;
    figures.cacheReadTokens += u.cache_read_input_tokens;
    figures.costUsd += cost ?? 0;
    if (cost === null) {
      figures.unknownCostTokens +=
        u.input_tokens + u.output_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens;
    }
    byModel.set(label, figures);
  }
  return byModel;
}

/** The report's rows summed per model (over every date, should the run cross a UTC midnight). */
function reportByModel(report: Daily): Map<string, Figures> {
  const byModel = new Map<string, Figures>();
  for (const row of report.daily) {
    // Nothing here ran through Baton.
    expect(row.bySource.baton.inputTokens + row.bySource.baton.outputTokens).toBe(0);
    const figures = byModel.get(row.model);
    byModel.set(row.model, {
      inputTokens: (figures?.inputTokens ?? 0) + row.inputTokens,
      outputTokens: (figures?.outputTokens ?? 0) + row.outputTokens,
      cacheCreationTokens: (figures?.cacheCreationTokens ?? 0) + row.cacheCreationTokens,
      cacheWrite1hTokens: (figures?.cacheWrite1hTokens ?? 0) + row.cacheWrite1hTokens,
      cacheReadTokens: (figures?.cacheReadTokens ?? 0) + row.cacheReadTokens,
      costUsd: (figures?.costUsd ?? 0) + row.costUsd,
      unknownCostTokens: (figures?.unknownCostTokens ?? 0) + row.unknownCostTokens,
    });
  }
  return byModel;
}

/** Every token figure equal, and the cost to a billionth of a dollar (the report rounds to 1e-9). */
function expectEqual(got: Map<string, Figures>, want: Map<string, Figures>): void {
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
  for (const [model, figures] of want) {
    const { costUsd, ...tokens } = figures;
    expect(got.get(model), model).toMatchObject(tokens);
    expect(got.get(model)?.costUsd, model).toBeCloseTo(costUsd, 9);
  }
}

describe('baton import and usage against the API ledger', () => {
  it('reports per model what the API served to the claude CLI, priced at list rates, and never twice', async () => {
    // Each run of the CLI takes its turns from this queue, in order.
    const queue: ScriptedTurn[] = [];
    const { server, project, db, env } = await setUp(() => queue.shift() ?? OTHER);
    const claudeDir = env.CLAUDE_CONFIG_DIR as string;
    const ledger = () => server.requests.flatMap((r) => (r.response ? [r.response] : []));

    // Session A on Opus 4.6: a tool call (thinking, text, tool_use) and its answer with 1-hour cache writes,
    // then a fast-mode turn in the same session.
    const sessionA = randomUUID();
    queue.push(TOOL_CALL, CACHE_1H);
    await runClaude(project, env, 'claude-opus-4-6', { id: sessionA });
    queue.push(FAST);
    await runClaude(project, env, 'claude-opus-4-6', { resume: sessionA });
    // Session B on Sonnet 4.5 with its 1M context, named as Claude Code names it.
    queue.push(LONG_CONTEXT);
    await runClaude(project, env, 'claude-sonnet-4-5[1m]', { id: randomUUID() });
    // Session C on Haiku 4.5: a tool call cut before its final usage, then the answer.
    queue.push(CUT, AFTER_CUT);
    await runClaude(project, env, 'claude-haiku-4-5', { id: randomUUID() });
    expect(queue).toEqual([]);

    const served = ledger();
    // The CLI asks for the model without its `[1m]` tag, so that name never reaches the transcript.
    expect(served.map((r) => [r.model, r.usage.speed ?? 'standard'])).toEqual([
      ['claude-opus-4-6', 'standard'],
      ['claude-opus-4-6', 'standard'],
      ['claude-opus-4-6', 'fast'],
      ['claude-sonnet-4-5', 'standard'],
      ['claude-haiku-4-5', 'standard'],
      ['claude-haiku-4-5', 'standard'],
    ]);
    expect(served[4]?.usage.output_tokens).toBe(CUT.startOutputTokens);

    const importArgs = ['import', '--claude-dir', claudeDir, '--db', db, '--json'];
    const dailyArgs = ['usage', 'daily', '--json', '--timezone', 'UTC', '--db', db];
    const imported = await runBaton(importArgs, env);
    expect(imported.code, imported.stderr).toBe(0);
    expect(lastJsonLine<ImportSummary>(imported.stdout)).toMatchObject({ messages: served.length, corrected: 0 });
    const first = await runBaton(dailyArgs, env);
    expect(first.code, first.stderr).toBe(0);
    const report = lastJsonLine<Daily>(first.stdout);
    expectEqual(reportByModel(report), ledgerByModel(served));

    // The ledger priced by hand, figure by figure, for what each model's cost is made of.
    const costs = new Map([...reportByModel(report)].map(([model, f]) => [model, f.costUsd]));
    expect(costs.get('claude-opus-4-6')).toBeCloseTo(
      (12 * 5 +
        345 * 25 +
        200 * 6.25 +
        5000 * 10 +
        14000 * 0.5 +
        (8 * 5 + 67 * 25 + 100 * 6.25 + 3000 * 10 + 19200 * 0.5)) /
        1e6,
      9,
    );
    expect(costs.get('claude-opus-4-6-fast')).toBe(0);
    expect(reportByModel(report).get('claude-opus-4-6-fast')?.unknownCostTokens).toBe(9 + 120 + 400 + 22000);
    expect(costs.get('claude-haiku-4-5')).toBeCloseTo(
      (30 * 1 + 6 * 5 + 1500 * 1.25 + (4 * 1 + 25 * 5 + 1500 * 0.1)) / 1e6,
      9,
    );
    expect(costs.get('claude-sonnet-4-5')).toBeCloseTo((1000 * 6 + 500 * 22.5 + 2000 * 7.5 + 250_000 * 0.6) / 1e6, 9);

    // A further turn in session A, then the import again: only the new response is added.
    queue.push(LATER);
    await runClaude(project, env, 'claude-opus-4-6', { resume: sessionA });
    const grown = ledger();
    expect(grown).toHaveLength(served.length + 1);
    const again = await runBaton(importArgs, env);
    expect(again.code, again.stderr).toBe(0);
    expect(lastJsonLine<ImportSummary>(again.stdout)).toMatchObject({ messages: 1, corrected: 0 });
    const second = await runBaton(dailyArgs, env);
    expectEqual(reportByModel(lastJsonLine<Daily>(second.stdout)), ledgerByModel(grown));

    // And once more with nothing new: nothing changes.
    const idle = await runBaton(importArgs, env);
    expect(lastJsonLine<ImportSummary>(idle.stdout)).toMatchObject({ messages: 0, corrected: 0 });
    const third = await runBaton(dailyArgs, env);
    expect(lastJsonLine<Daily>(third.stdout).totals).toEqual(lastJsonLine<Daily>(second.stdout).totals);
  });
});
