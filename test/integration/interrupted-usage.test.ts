/**
 * What an iteration spent survives a kill -9 of Baton: with the real claude CLI against the scripted
 * API, the interrupted session keeps the tokens the API had served for the turns that completed.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { estimateCostUsd } from '../../src-main/core/pricing';
import { lastJsonLine, runBaton, startBaton } from '../support/baton-cli';
import { isRunning } from '../support/processes';
import type { Script } from '../support/scripted-anthropic-server';
import { type TaskJson, useScriptedWorkspaces } from '../support/scripted-workspace';
import { usageFor } from '../support/scripts';

const setUp = useScriptedWorkspaces();
const MODEL = 'claude-sonnet-4-5';

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** The input tokens the running session's row keeps so far, as Baton wrote them (read-only, beside the writer). */
function storedInputTokens(db: string): number | undefined {
  const reader = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const row = reader.prepare(`SELECT json_extract(usage_so_far, '$.inputTokens') AS n FROM sessions`).get() as
      { n: number | null } | undefined;
    return row?.n ?? undefined;
  } finally {
    reader.close();
  }
}

describe('usage of an interrupted iteration', () => {
  it('a kill -9 after the first turn was served leaves the session with that turn’s tokens', async () => {
    // Turn 1 calls a tool; the answer to turn 2 never comes in time, so the kill lands while the agent waits for it.
    const script: Script = ({ sessionOrdinal, turnInSession }) =>
      turnInSession === 1
        ? {
            text: 'Looking around first.',
            toolUse: { name: 'Bash', input: { command: 'echo looked', description: 'look' } },
            usage: usageFor(sessionOrdinal, turnInSession),
          }
        : { text: 'done', delayMs: 120_000, usage: usageFor(sessionOrdinal, turnInSession) };
    const { server, project, env, db } = await setUp(script);
    const baton = startBaton(
      [
        'run',
        '--dir',
        project,
        '--prompt',
        'work',
        '--max-iterations',
        '1',
        '--model',
        MODEL,
        '--permission-mode',
        'bypassPermissions',
      ],
      env,
    );
    const calls = () => server.requests.filter((r) => r.path === '/v1/messages' && r.sessionId !== undefined);
    // Turn 2 was asked for: the CLI has printed all of turn 1 and run its tool.
    expect(await until(() => calls().length >= 2, 60_000)).toBe(true);
    // Baton writes the usage it saw a little later (at most 250 ms): the kill comes once turn 1's is stored.
    expect(await until(() => storedInputTokens(db) === usageFor(1, 1).input_tokens, 60_000)).toBe(true);
    process.kill(-baton.pid, 'SIGKILL');
    await baton.exited;

    const served = [...server.usageBySession().entries()];
    expect(served).toHaveLength(1);
    const [sessionId, sent] = served[0] ?? [];
    // Only turn 1 was served: turn 2 was still held back.
    expect(sent).toEqual(usageFor(1, 1));

    // The next start recovers the run (and stops its orphaned agent).
    const listed = await runBaton(['tasks', '--json'], env);
    expect(listed.stderr).toBe('');
    const [task] = JSON.parse(listed.stdout) as Array<{ id: string; status: string; totals: TaskJson['totals'] }>;
    const expected = {
      inputTokens: sent?.input_tokens,
      outputTokens: sent?.output_tokens,
      cacheCreationTokens: sent?.cache_creation_input_tokens,
      cacheReadTokens: sent?.cache_read_input_tokens,
    };
    expect(task).toMatchObject({ status: 'interrupted', totals: expected });

    const shown = lastJsonLine<TaskJson>((await runBaton(['task', task?.id as string, '--json'], env)).stdout);
    expect(shown.sessions).toHaveLength(1);
    expect(shown.sessions[0]).toMatchObject({ sessionId, status: 'interrupted', ...expected, turns: 1 });
    // No result line came: the cost is the tokens at list prices.
    expect(shown.sessions[0]?.costUsd).toBeGreaterThan(0);
    expect(shown.sessions[0]?.costUsd).toBeCloseTo(
      estimateCostUsd(MODEL, {
        inputTokens: sent?.input_tokens ?? 0,
        outputTokens: sent?.output_tokens ?? 0,
        cacheCreationTokens: sent?.cache_creation_input_tokens ?? 0,
        cacheReadTokens: sent?.cache_read_input_tokens ?? 0,
      }) ?? Number.NaN,
      10,
    );
    expect(isRunning(baton.pid)).toBe(false);
  });
});
