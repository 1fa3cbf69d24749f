import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src-main/contract/agent-events';
import { buildClaudeArgs, ClaudeCodeRunner } from '../../src-main/core/agents/claude-code-runner';
import { ClaudeBinaryNotFoundError, findClaudeBinary } from '../../src-main/core/agents/find-agent-binary';
import { until } from '../support/polling';
import { uniqueSleep } from '../support/processes';

// These stand-ins check how the runner handles broken agents (garbage, crashes,
// missing results), which the real CLI cannot be made to produce on demand.
// Real behaviour is covered against the real CLI in test/integration.
let dir: string;
const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', name);

function fakeAgent(name: string, script: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${script}\n`);
  chmodSync(file, 0o755);
  return file;
}

async function run(binary: string) {
  const events: AgentEvent[] = [];
  const outcome = await new ClaudeCodeRunner({ binary }).run({
    cwd: dir,
    prompt: 'p',
    sessionId: '11111111-1111-4111-8111-111111111111',
    onEvent: (e) => events.push(e),
  });
  return { outcome, events };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'baton-runner-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a connection the API never answered', () => {
  it('names the address the agent tried, since the CLI calls the failure "unknown"', async () => {
    // The retry line the real CLI prints when nothing listens at ANTHROPIC_BASE_URL.
    const retry = JSON.stringify({
      type: 'system',
      subtype: 'api_retry',
      attempt: 1,
      max_retries: 2,
      retry_delay_ms: 504.9,
      error_status: null,
      error: 'unknown',
    });
    const binary = fakeAgent('unreachable', `echo '${retry}'; exit 1`);
    const events: AgentEvent[] = [];
    await new ClaudeCodeRunner({ binary, env: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' } }).run({
      cwd: dir,
      prompt: 'p',
      sessionId: '22222222-2222-4222-8222-222222222222',
      onEvent: (e) => events.push(e),
    });
    expect(events.find((e) => e.kind === 'retry')).toMatchObject({ errorStatus: null, apiUrl: 'http://127.0.0.1:9' });
  });
});

describe('an API the CLI gave up on', () => {
  const line = (value: object) => `echo '${JSON.stringify(value)}'`;
  const unanswered = line({
    type: 'system',
    subtype: 'api_retry',
    attempt: 1,
    max_retries: 1,
    retry_delay_ms: 500,
    error_status: null,
    error: 'unknown',
  });
  const answered = line({
    type: 'stream_event',
    event: { type: 'message_start', message: { id: 'msg_1', usage: { input_tokens: 5, output_tokens: 1 } } },
  });
  const failed = (text: string, status: number | null = null) =>
    line({
      type: 'result',
      subtype: 'success',
      is_error: true,
      api_error_status: status,
      num_turns: 1,
      duration_ms: 5,
      result: text,
    });

  async function outcomeOf(name: string, lines: string[], exitCode = 1) {
    const binary = fakeAgent(name, `${lines.join('\n')}\nexit ${exitCode}`);
    const runner = new ClaudeCodeRunner({ binary, env: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' } });
    return runner.run({ cwd: dir, prompt: 'p', sessionId: '33333333-3333-4333-8333-333333333333', onEvent: () => {} });
  }

  it('knows it by its retries that got no answer, whatever words a version gives it', async () => {
    const outcome = await outcomeOf('new-words', [unanswered, failed('API Error: Service not reachable (E42)')]);
    expect(outcome.error).toEqual({
      kind: 'api_unreachable',
      message: 'could not reach the API at http://127.0.0.1:9: Service not reachable (E42)',
    });
  });

  it('knows it by its words when it did not retry, and says what the connection did', async () => {
    const outcome = await outcomeOf('no-retries', [failed('API Error: Unable to connect to API (ConnectionRefused)')]);
    expect(outcome.error).toEqual({
      kind: 'api_unreachable',
      message: 'could not reach the API at http://127.0.0.1:9: the connection was refused',
    });
  });

  it('is not it when the API answered: with a status, or after the retries got through', async () => {
    const overloaded = await outcomeOf('answered-529', [unanswered, failed('Unable to connect (overloaded)', 529)]);
    expect(overloaded.error?.kind).toBe('api_error');
    const later = await outcomeOf('got-through', [unanswered, answered, failed('Credit balance is too low')]);
    expect(later.error).toEqual({ kind: 'agent_error', message: 'Credit balance is too low' });
    const other = await outcomeOf('other-words', [failed('Credit balance is too low')]);
    expect(other.error?.kind).toBe('agent_error');
  });
});

describe('buildClaudeArgs', () => {
  it('asks for stream-json under the fresh session id, with the optional flags', () => {
    expect(
      buildClaudeArgs({
        cwd: '/x',
        prompt: 'fix; rm -rf / $(whoami)',
        sessionId: 'new-id',
        model: 'claude-sonnet-4-5',
        maxTurns: 7,
        permissionMode: 'acceptEdits',
        onEvent: () => undefined,
      }),
    ).toEqual([
      '-p',
      '--output-format',
      'stream-json',
      '--verbose',
      '--include-partial-messages',
      '--session-id',
      'new-id',
      '--model=claude-sonnet-4-5',
      '--max-turns',
      '7',
      '--permission-mode',
      'acceptEdits',
      '--',
    ]);
  });

  it('passes a model that looks like an option as data, and no prompt: that goes on stdin', () => {
    const args = buildClaudeArgs({
      cwd: '/x',
      prompt: '- fix the failing tests',
      sessionId: 'id',
      model: '-weird',
      allowedTools: ['Edit'],
      onEvent: () => undefined,
    });
    expect(args.at(-1)).toBe('--');
    expect(args).not.toContain('- fix the failing tests');
    expect(args).toContain('--model=-weird');
    expect(args).not.toContain('-weird');
  });

  it('passes the remaining budget to the agent', () => {
    const args = buildClaudeArgs({
      cwd: '/x',
      prompt: 'p',
      sessionId: 'id',
      maxBudgetUsd: 0.12345,
      onEvent: () => undefined,
    });
    expect(args.slice(-3)).toEqual(['--max-budget-usd', '0.1235', '--']);
  });

  it('passes each allowed tool rule as one argument, ended by --, since the flag takes all that follow', () => {
    const args = buildClaudeArgs({
      cwd: '/x',
      prompt: 'p',
      sessionId: 'id',
      maxBudgetUsd: 1,
      allowedTools: ['Edit', 'Bash(git commit:*)'],
      onEvent: () => undefined,
    });
    expect(args.slice(-4)).toEqual(['--allowedTools', 'Edit', 'Bash(git commit:*)', '--']);
    expect(
      buildClaudeArgs({ cwd: '/x', prompt: 'p', sessionId: 'id', allowedTools: [], onEvent: () => undefined }),
    ).not.toContain('--allowedTools');
  });

  it('forks from the previous session under a new id', () => {
    const args = buildClaudeArgs({
      cwd: '/x',
      prompt: 'p',
      sessionId: 'new',
      forkFrom: 'old',
      onEvent: () => undefined,
    });
    expect(args.join(' ')).toContain('--resume old --fork-session --session-id new');
  });
});

describe('ClaudeCodeRunner with broken agents', () => {
  it('succeeds on a clean transcript and passes the prompt on stdin, never through a shell', async () => {
    const argsFile = path.join(dir, 'args.txt');
    const promptFile = path.join(dir, 'prompt.txt');
    const binary = fakeAgent(
      'ok',
      `printf '%s\\n' "$@" > ${argsFile}; cat > ${promptFile}; cat ${fixture('claude-stream-json-tool-use.jsonl')}`,
    );
    const { outcome, events } = await run(binary);
    expect(outcome.error).toBeNull();
    expect(outcome.result?.usage.inputTokens).toBe(2000);
    expect(events.some((e) => e.kind === 'tool_use')).toBe(true);
    const args = readFileSync(argsFile, 'utf8').trimEnd().split('\n');
    expect(args.at(-1)).toBe('--');
    expect(readFileSync(promptFile, 'utf8')).toBe('p');
  });

  it('gives shell syntax in the prompt, model and directory no meaning', async () => {
    const argsFile = path.join(dir, 'hostile-args.txt');
    const promptFile = path.join(dir, 'hostile-prompt.txt');
    const hostileDir = mkdtempSync(path.join(dir, 'dir $(touch pwned-dir) ;'));
    const binary = fakeAgent(
      'hostile',
      `printf '%s\\n' "$@" > '${argsFile}'; cat > '${promptFile}'; cat ${fixture('claude-stream-json-tool-use.jsonl')}`,
    );
    const prompt = 'fix it; touch pwned-prompt && $(touch pwned-sub) `touch pwned-tick`';
    const model = 'sonnet; touch pwned-model';
    const outcome = await new ClaudeCodeRunner({ binary }).run({
      cwd: hostileDir,
      prompt,
      model,
      sessionId: 's',
      onEvent: () => undefined,
    });
    expect(outcome.error).toBeNull();
    const args = readFileSync(argsFile, 'utf8').trimEnd().split('\n');
    expect(readFileSync(promptFile, 'utf8')).toBe(prompt);
    expect(args).toContain(`--model=${model}`);
    for (const where of [dir, hostileDir, process.cwd()]) {
      expect(readdirSync(where).filter((name) => name.startsWith('pwned'))).toEqual([]);
    }
  });

  it('fails the iteration on a line that is not JSON, keeping the tokens seen', async () => {
    const binary = fakeAgent(
      'garbage',
      `head -n 3 ${fixture('claude-stream-json-tool-use.jsonl')}; echo 'panic: oops'; tail -n 1 ${fixture('claude-stream-json-tool-use.jsonl')}`,
    );
    const { outcome } = await run(binary);
    expect(outcome.error).toEqual({
      kind: 'protocol_error',
      message: 'agent printed a line that is not JSON: panic: oops',
    });
    expect(outcome.usageSeen.inputTokens).toBe(1000);
  });

  it('fails with no_result when the agent crashes before its result line', async () => {
    const binary = fakeAgent(
      'crash',
      `head -n 3 ${fixture('claude-stream-json-tool-use.jsonl')}; echo 'fatal: out of memory' >&2; exit 3`,
    );
    const { outcome } = await run(binary);
    expect(outcome.error).toEqual({
      kind: 'no_result',
      message: 'agent exited with code 3 without a result: fatal: out of memory',
    });
    expect(outcome.exitCode).toBe(3);
    expect(outcome.turnsSeen).toBe(1);
  });

  it('fails on an is_error result even though its subtype says success', async () => {
    const { outcome } = await run(
      fakeAgent('overloaded', `cat ${fixture('claude-stream-json-overloaded.jsonl')}; exit 1`),
    );
    expect(outcome.error?.kind).toBe('api_error');
    expect(outcome.error?.message).toMatch(/^API error 529: API Error: 529 Overloaded/);
  });

  it('reports an is_error result without an API status by its text, not by its "success" subtype', async () => {
    const result = JSON.stringify({
      type: 'result',
      subtype: 'success',
      is_error: true,
      num_turns: 1,
      duration_ms: 5,
      result: 'Credit balance is too low',
    });
    const { outcome } = await run(fakeAgent('low-credit', `echo '${result}'; exit 1`));
    expect(outcome.error).toEqual({ kind: 'agent_error', message: 'Credit balance is too low' });
  });

  it('fails when the exit code is non-zero despite a clean result', async () => {
    const { outcome } = await run(
      fakeAgent('exit2', `tail -n 1 ${fixture('claude-stream-json-tool-use.jsonl')}; exit 2`),
    );
    expect(outcome.error).toEqual({ kind: 'agent_error', message: 'agent exited with code 2' });
  });

  it('recognises the reused-session error', async () => {
    const binary = fakeAgent(
      'inuse',
      `while [ "$1" != --session-id ]; do shift; done; echo "Error: Session ID $2 is already in use." >&2; exit 1`,
    );
    const { outcome } = await run(binary);
    expect(outcome.error).toEqual({
      kind: 'session_in_use',
      message: 'Error: Session ID 11111111-1111-4111-8111-111111111111 is already in use.',
    });
  });

  it('reports a binary that cannot be started', async () => {
    const { outcome } = await run(path.join(dir, 'does-not-exist'));
    expect(outcome.error?.kind).toBe('spawn_failed');
    expect(outcome.error?.message).toMatch(/ENOENT/);
  });

  it('kills the agent’s process group when stopped', async () => {
    const tool = uniqueSleep();
    const binary = fakeAgent('sleeper', `${tool.command} & wait`);
    const stop = new AbortController();
    const running = new ClaudeCodeRunner({ binary, killGraceMs: 500 }).run({
      cwd: dir,
      prompt: 'p',
      sessionId: 's',
      signal: stop.signal,
      onEvent: () => undefined,
    });
    expect(await until(tool.running)).toBe(true);
    stop.abort();
    const outcome = await running;
    expect(outcome.error?.kind).toBe('cancelled');
    expect(await until(() => !tool.running(), 3000)).toBe(true);
  });
});

describe('ClaudeCodeRunner limits', () => {
  const runWith = (binary: string, limits: { timeoutMs?: number; idleTimeoutMs?: number }) =>
    new ClaudeCodeRunner({ binary, killGraceMs: 200 }).run({
      cwd: dir,
      prompt: 'p',
      sessionId: 's',
      onEvent: () => undefined,
      ...limits,
    });

  it('kills an iteration that runs past its time limit, and says why', async () => {
    const binary = fakeAgent(
      'busy',
      `while true; do head -n 1 ${fixture('claude-stream-json-tool-use.jsonl')}; sleep 0.05; done`,
    );
    const outcome = await runWith(binary, { timeoutMs: 400, idleTimeoutMs: 10_000 });
    expect(outcome.error).toEqual({ kind: 'timeout', message: 'stopped after its 0.4s time limit' });
  });

  it('kills an agent that goes silent, and says why', async () => {
    const binary = fakeAgent('silent', `head -n 1 ${fixture('claude-stream-json-tool-use.jsonl')}; sleep 30`);
    const outcome = await runWith(binary, { idleTimeoutMs: 400 });
    expect(outcome.error).toEqual({ kind: 'stalled', message: 'stopped after 0.4s without any output' });
  });
});

describe('findClaudeBinary', () => {
  it('prefers BATON_CLAUDE_BIN, and rejects one that is not executable', () => {
    const binary = fakeAgent('claude-custom', 'exit 0');
    expect(findClaudeBinary({ configured: binary, searchPath: '' })).toBe(binary);
    expect(() => findClaudeBinary({ configured: path.join(dir, 'nope'), searchPath: '' })).toThrow(
      /BATON_CLAUDE_BIN is set to .*nope, which is not an executable file/,
    );
  });

  it('searches PATH, then the bundled copy, then explains how to install', () => {
    const binDir = mkdtempSync(path.join(dir, 'bin-'));
    writeFileSync(path.join(binDir, 'claude'), '#!/bin/sh\n');
    chmodSync(path.join(binDir, 'claude'), 0o755);
    expect(findClaudeBinary({ searchPath: `/nonexistent:${binDir}` }, () => '/bundled/claude')).toBe(
      path.join(binDir, 'claude'),
    );
    expect(findClaudeBinary({ searchPath: '/nonexistent' }, () => '/bundled/claude')).toBe('/bundled/claude');
    expect(() => findClaudeBinary({ searchPath: '/nonexistent' }, () => undefined)).toThrow(ClaudeBinaryNotFoundError);
    expect(() => findClaudeBinary({ searchPath: '' }, () => undefined)).toThrow(
      /npm install -g @anthropic-ai\/claude-code/,
    );
  });

  it('finds the copy installed with Baton', () => {
    expect(findClaudeBinary({ searchPath: '' })).toMatch(/@anthropic-ai\/claude-code\/bin\/claude/);
  });
});
