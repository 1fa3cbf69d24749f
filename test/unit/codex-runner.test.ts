/**
 * The Codex runner's own logic: the arguments it builds, and how it turns what an agent printed (and what
 * Codex wrote in its transcript) into an outcome. The stand-in agents here are shell scripts replaying
 * lines the real codex-cli 0.171.0 printed (test/fixtures/codex-*.jsonl), since failures such as a turn
 * that fails after billed responses cannot be had from the real CLI on demand; the real CLI is run in
 * test/integration/codex-tasks.test.ts.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src-main/contract/agent-events';
import type { AgentRunRequest } from '../../src-main/core/agents/agent-runner';
import { readRollout, statusOfErrorInfo } from '../../src-main/core/agents/codex-rollout';
import { apiErrorText, buildCodexArgs, CodexRunner } from '../../src-main/core/agents/codex-runner';
import { until } from '../support/polling';
import { uniqueSleep } from '../support/processes';

let dir: string;
const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', name);
const SESSION = '33333333-3333-4333-8333-333333333333';
const THREAD = '01a2354d-38af-71c1-9e45-f0d55d69ada8';

function fakeAgent(name: string, script: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${script}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** A CODEX_HOME whose transcript of `thread` holds these lines, as Codex files it. */
function codexHome(name: string, thread: string, entries: unknown[]): string {
  const home = path.join(dir, name);
  const day = path.join(home, 'sessions', '2026', '12', '02');
  mkdirSync(day, { recursive: true });
  writeFileSync(
    path.join(day, `rollout-2026-12-02T06-07-29-${thread}.jsonl`),
    entries.map((entry) => JSON.stringify(entry)).join('\n') + '\n',
  );
  return home;
}

const usage = (input: number, cached: number, write: number, output: number, reasoning: number) => ({
  input_tokens: input,
  cached_input_tokens: cached,
  cache_write_input_tokens: write,
  output_tokens: output,
  reasoning_output_tokens: reasoning,
  total_tokens: input + output,
});

const record = (thread: string, response: string, tokens: ReturnType<typeof usage>) => ({
  type: 'token_usage_record',
  payload: { thread_id: thread, response_id: response, usage: tokens },
});

async function run(binary: string, env: NodeJS.ProcessEnv = {}, request: Partial<AgentRunRequest> = {}) {
  const events: AgentEvent[] = [];
  const outcome = await new CodexRunner({ binary, env: { CODEX_HOME: path.join(dir, 'no-home'), ...env } }).run({
    cwd: dir,
    prompt: 'the prompt',
    sessionId: SESSION,
    onEvent: (event) => events.push(event),
    ...request,
  });
  return { outcome, events };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'baton-codex-runner-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the arguments', () => {
  const base = { cwd: '/work/project', prompt: 'p', sessionId: SESSION, onEvent: () => undefined };

  it('maps each permission mode to a sandbox, with approvals off where there is one', () => {
    const never = '--config=approval_policy="never"';
    expect(buildCodexArgs({ ...base, permissionMode: 'bypassPermissions' })).toEqual([
      'exec',
      '--json',
      '--skip-git-repo-check',
      '--dangerously-bypass-approvals-and-sandbox',
      '--cd=/work/project',
      '-',
    ]);
    expect(buildCodexArgs({ ...base, permissionMode: 'plan' })).toContain('--sandbox=read-only');
    for (const mode of ['acceptEdits', 'default', undefined] as const) {
      const args = buildCodexArgs({ ...base, permissionMode: mode });
      expect(args).toContain('--sandbox=workspace-write');
      expect(args).toContain(never);
      expect(args).not.toContain('--dangerously-bypass-approvals-and-sandbox');
    }
  });

  it('joins values to their flags, reads the prompt from stdin, and forks with the options before the subcommand', () => {
    const args = buildCodexArgs({ ...base, model: '--help', cwd: '-rf', forkFrom: THREAD });
    expect(args).toContain('--model=--help');
    expect(args).toContain('--cd=-rf');
    expect(args.slice(-3)).toEqual(['fork', THREAD, '-']);
    expect(args.indexOf('--json')).toBeLessThan(args.indexOf('fork'));
    // Nothing Codex has no flag for ends up among the arguments.
    const ignored = buildCodexArgs({ ...base, maxTurns: 3, allowedTools: ['Bash(ls:*)'], maxBudgetUsd: 1 });
    expect(ignored.join(' ')).not.toMatch(/turns|Bash|budget/);
    expect(buildCodexArgs(base).at(-1)).toBe('-');
    expect(buildCodexArgs(base)).not.toContain('fork');
  });
});

describe('a completed turn', () => {
  it('reports the thread id, Baton’s four kinds, the reasoning tokens and no cost, and gets the prompt on stdin', async () => {
    const binary = fakeAgent(
      'completed',
      `cat > "${dir}/stdin.txt"; printf '%s' "$BATON_SESSION_ID" > "${dir}/env.txt"; cat '${fixture('codex-exec-command.jsonl')}'`,
    );
    const { outcome, events } = await run(binary);
    expect(readFileSync(path.join(dir, 'stdin.txt'), 'utf8')).toBe('the prompt');
    // Crash recovery finds the agent by this.
    expect(readFileSync(path.join(dir, 'env.txt'), 'utf8')).toBe(SESSION);
    expect(outcome.error).toBeNull();
    expect(outcome.agentSessionId).toBe(THREAD);
    const tokens = { inputTokens: 7302 - 3000, cacheReadTokens: 3000, cacheCreationTokens: 384, outputTokens: 126 };
    expect(outcome.result).toMatchObject({ isError: false, costUsd: null, reasoningTokens: 48, usage: tokens });
    expect(outcome.result?.durationMs).toBeGreaterThan(0);
    expect(outcome.usageSeen).toEqual(tokens);
    expect(events[0]).toMatchObject({ kind: 'init', agentSessionId: THREAD });
    expect(events.at(-1)).toMatchObject({ kind: 'result', result: { usage: tokens } });
  });
});

describe('a failed turn', () => {
  it('is an API error with the status Codex’s transcript classifies, and keeps the tokens billed before it', async () => {
    const thread = '01a2354e-b985-7021-b753-20248907a498';
    const home = codexHome('failed-home', thread, [
      { type: 'session_meta', payload: { id: thread } },
      record(thread, 'resp_1', usage(1000, 400, 20, 30, 5)),
      // A sub-agent's record is not this thread's.
      record('01a2354e-0000-7000-8000-000000000000', 'resp_x', usage(9999, 0, 0, 9, 0)),
      'not json, as a line cut by a crash',
      {
        type: 'event_msg',
        payload: {
          type: 'task_complete',
          error: { message: 'high demand', codex_error_info: 'internal_server_error' },
        },
      },
    ]);
    const binary = fakeAgent('failed', `cat '${fixture('codex-http-500-after-command.jsonl')}'; exit 1`);
    const { outcome, events } = await run(binary, { CODEX_HOME: home });
    expect(outcome.error).toEqual({
      kind: 'api_error',
      message: 'API error 500: We’re currently experiencing high demand, which may cause temporary errors.',
    });
    expect(outcome.agentSessionId).toBe(thread);
    const billed = { inputTokens: 600, cacheReadTokens: 400, cacheCreationTokens: 20, outputTokens: 30 };
    // Retried, the attempt's tokens come from its result: the result must carry them.
    expect(outcome.result).toMatchObject({ isError: true, apiErrorStatus: 500, usage: billed, reasoningTokens: 5 });
    expect(outcome.usageSeen).toEqual(billed);
    expect(events.filter((e) => e.kind === 'retry').length).toBeGreaterThan(0);
  });

  it('says what the API said when Codex passes its body on, and implies no status it was not given', async () => {
    const binary = fakeAgent('rejected', `cat '${fixture('codex-http-400.jsonl')}'; exit 1`);
    const { outcome } = await run(binary);
    expect(outcome.error?.kind).toBe('api_error');
    expect(outcome.error?.message).not.toMatch(/^\{/);
    expect(outcome.result?.apiErrorStatus).toBeNull();
    expect(apiErrorText('{"error":{"type":"invalid_request_error","message":"The model `nope` does not exist"}}')).toBe(
      'The model `nope` does not exist',
    );
    expect(apiErrorText('plain words\nmore')).toBe('plain words');
  });

  it('reads the status of each of Codex’s error classes, and none from an unknown one', () => {
    expect(statusOfErrorInfo('internal_server_error')).toBe(500);
    expect(statusOfErrorInfo('server_overloaded')).toBe(503);
    expect(statusOfErrorInfo({ response_too_many_failed_attempts: { http_status_code: 502 } })).toBe(502);
    expect(statusOfErrorInfo({ http_connection_failed: { http_status_code: null } })).toBeNull();
    expect(statusOfErrorInfo('other')).toBeNull();
    expect(statusOfErrorInfo(undefined)).toBeNull();
  });
});

describe('a fork', () => {
  it('counts only its own responses, though Codex reports the thread’s totals with the forked conversation', async () => {
    const thread = '01a2355d-81ce-75c1-888d-02a51247cacb';
    // As codex-cli 0.171.0 printed it: turn.completed holds the parent's 2003 input tokens too.
    const lines = [
      { type: 'thread.started', thread_id: thread },
      { type: 'turn.started' },
      { type: 'item.completed', item: { id: 'item_0', type: 'agent_message', text: 'forked' } },
      { type: 'turn.completed', usage: usage(6006, 400, 20, 200, 28) },
    ];
    const home = codexHome('fork-home', thread, [
      record(thread, 'resp_3', usage(2001, 100, 5, 50, 7)),
      record(thread, 'resp_4', usage(2002, 100, 5, 50, 7)),
    ]);
    const stdout = path.join(dir, 'fork.jsonl');
    writeFileSync(stdout, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
    const binary = fakeAgent('fork', `printf '%s\\n' "$@" > "${dir}/fork-args.txt"; cat > /dev/null; cat '${stdout}'`);
    const { outcome, events } = await run(
      binary,
      { CODEX_HOME: home },
      { forkFrom: '01a2355d-7f7e-79b3-aecf-a00332c9ec53' },
    );

    expect(readFileSync(path.join(dir, 'fork-args.txt'), 'utf8').trim().split('\n').slice(-3)).toEqual([
      'fork',
      '01a2355d-7f7e-79b3-aecf-a00332c9ec53',
      '-',
    ]);
    const own = { inputTokens: 4003 - 200, cacheReadTokens: 200, cacheCreationTokens: 10, outputTokens: 100 };
    expect(outcome.error).toBeNull();
    expect(outcome.agentSessionId).toBe(thread);
    expect(outcome.result).toMatchObject({ usage: own, reasoningTokens: 14 });
    expect(outcome.usageSeen).toEqual(own);
    // The live counters never showed the forked conversation's tokens either.
    const shown = events.filter((e) => e.kind === 'usage' || e.kind === 'result');
    expect(shown.map((e) => e.kind)).toEqual(['usage', 'result']);
    expect(shown[0]).toMatchObject({ usage: own });
    expect(shown[1]).toMatchObject({ result: { usage: own } });
  });
});

describe('no result', () => {
  it('names the last error Codex gave rather than its warnings', async () => {
    const binary = fakeAgent(
      'broken',
      `echo '{"type":"thread.started","thread_id":"${THREAD}"}'; echo 'WARNING: proceeding, even though we could not create PATH aliases' >&2; echo 'Error: config.toml: unknown provider' >&2; exit 1`,
    );
    const { outcome } = await run(binary);
    expect(outcome.error).toEqual({
      kind: 'no_result',
      message: 'agent exited with code 1 without a result: Error: config.toml: unknown provider',
    });
    expect(outcome.result).toBeNull();
    expect(outcome.agentSessionId).toBe(THREAD);
  });

  it('a missing binary cannot be spawned', async () => {
    const { outcome } = await run(path.join(dir, 'nonexistent'));
    expect(outcome.error?.kind).toBe('spawn_failed');
  });

  it('rejects a line that is not an exec event', async () => {
    const { outcome } = await run(fakeAgent('garbage', `echo 'not json'`));
    expect(outcome.error?.kind).toBe('protocol_error');
  });
});

describe('stopping', () => {
  it('a stop kills the agent with the commands it started, and is a cancellation', async () => {
    const tool = uniqueSleep();
    const binary = fakeAgent(
      'slow',
      `echo '{"type":"thread.started","thread_id":"${THREAD}"}'; setsid ${tool.command} & wait`,
    );
    const controller = new AbortController();
    const running = run(binary, {}, { signal: controller.signal });
    expect(await until(tool.running)).toBe(true);
    controller.abort();
    const { outcome } = await running;
    expect(outcome.error).toEqual({ kind: 'cancelled', message: 'stopped by the user' });
    expect(outcome.agentSessionId).toBe(THREAD);
    expect(await until(() => !tool.running(), 3000)).toBe(true);
  });

  it('the watchdog stops an agent that prints nothing', async () => {
    const { outcome } = await run(fakeAgent('silent', 'sleep 30'), {}, { idleTimeoutMs: 300 });
    expect(outcome.error?.kind).toBe('stalled');
  });
});

describe('the transcript', () => {
  it('is found by its thread id and summed per response, with token_count lines where there are no records', () => {
    const thread = '01a2355e-0000-7000-8000-00000000abcd';
    const home = codexHome('counts-home', thread, [
      { type: 'event_msg', payload: { type: 'token_count', info: null } },
      { type: 'event_msg', payload: { type: 'token_count', info: { last_token_usage: usage(100, 10, 1, 5, 2) } } },
      { type: 'event_msg', payload: { type: 'token_count', info: { last_token_usage: usage(200, 20, 2, 6, 3) } } },
    ]);
    expect(readRollout(home, thread)).toEqual({
      usage: { inputTokens: 270, cacheReadTokens: 30, cacheCreationTokens: 3, outputTokens: 11 },
      reasoningTokens: 5,
      responses: 2,
      errorStatus: null,
    });
    expect(readRollout(home, '01a2355e-0000-7000-8000-00000000ffff')).toBeUndefined();
    expect(readRollout(path.join(dir, 'nowhere'), thread)).toBeUndefined();
  });
});
