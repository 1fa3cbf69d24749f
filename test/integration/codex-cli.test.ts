/**
 * The real Codex CLI (the `@openai/codex` dev dependency; written against
 * codex-cli 0.171.0) against the scripted Responses API from test/support, read
 * through Baton's Codex parser. Nothing here mocks the agent.
 *
 * What this relies on from Codex, all of it its documented behaviour rather than
 * one version's details: `codex exec --json` prints JSONL events, starts a new
 * thread per run and reports its id in `thread.started`; a provider in
 * `$CODEX_HOME/config.toml` with `wire_api = "responses"` sends POST
 * /v1/responses and names the thread in `x-codex-turn-metadata`; the model's
 * `exec_command` function call is run in the process's cwd under
 * `--dangerously-bypass-approvals-and-sandbox`; a turn's usage is the sum over its
 * requests; a server error is retried (`error` lines) before `turn.failed`.
 * Retry counts and backoff are Codex's own and differ by version, so the tests
 * check that retries happened, not how many.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src-main/contract/agent-events';
import { CODEX_COMMAND_TOOL, CodexStreamParser } from '../../src-main/core/agents/codex-stream-parser';
import {
  type CodexHomeOptions,
  type ResponseUsage,
  type Script,
  type ScriptedOpenAiServer,
  startScriptedOpenAiServer,
  writeCodexHome,
} from '../support/scripted-openai-server';

const CODEX = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'codex');
/** A model Codex knows, so that it adds no "model metadata not found" warning; any name reaches the server. */
const MODEL = 'gpt-5.5';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(script: Script, options?: CodexHomeOptions) {
  const server = await startScriptedOpenAiServer(script);
  const root = mkdtempSync(path.join(os.tmpdir(), 'baton-codex-'));
  cleanups.push(
    () => server.close(),
    () => rmSync(root, { recursive: true, force: true }),
  );
  const project = path.join(root, 'project');
  const home = path.join(root, 'home');
  mkdirSync(project);
  mkdirSync(home);
  const codexHome = writeCodexHome(path.join(root, 'codex-home'), server.baseUrl, options);
  return { server, project, home, codexHome };
}

interface CodexRun {
  code: number | null;
  stderr: string;
  events: AgentEvent[];
  parser: CodexStreamParser;
  protocolErrors: string[];
}

/** One `codex exec` as Baton would run it: stdin closed (with a pipe it would wait for more input), stdout read as JSONL. */
function runCodex(
  where: { project: string; home: string; codexHome: string },
  prompt: string,
  timeoutMs = 60_000,
): Promise<CodexRun> {
  const parser = new CodexStreamParser({ model: MODEL, cwd: where.project });
  const child = spawn(
    CODEX,
    ['exec', '--json', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', '-m', MODEL, prompt],
    {
      cwd: where.project,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOME: where.home, CODEX_HOME: where.codexHome, OPENAI_API_KEY: 'sk-scripted' },
    },
  );
  const events: AgentEvent[] = [];
  const protocolErrors: string[] = [];
  let pending = '';
  let stderr = '';
  const take = (line: string) => {
    const parsed = parser.parseLine(line);
    if (parsed.ok) events.push(...parsed.events);
    else protocolErrors.push(parsed.error);
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    lines.forEach(take);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const limit = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(limit);
      take(pending);
      resolve({ code, stderr, events, parser, protocolErrors });
    });
  });
}

/** Distinct numbers per thread and request, so a mix-up between threads shows. */
function usageFor(thread: number, request: number): ResponseUsage {
  return {
    input_tokens: 4000 * thread + 100 * request + 7,
    cached_tokens: 1500 * thread + request,
    cache_write_tokens: 30 * thread + request,
    output_tokens: 60 * thread + request,
    reasoning_tokens: 10 * thread + request,
  };
}

/** What the server sent for a thread, in Baton's four kinds and the reasoning part. */
function servedAsBaton(served: ResponseUsage | undefined) {
  if (!served) return undefined;
  return {
    usage: {
      inputTokens: served.input_tokens - served.cached_tokens,
      cacheReadTokens: served.cached_tokens,
      cacheCreationTokens: served.cache_write_tokens,
      outputTokens: served.output_tokens,
    },
    reasoningOutputTokens: served.reasoning_tokens,
  };
}

const requestsOf = (server: ScriptedOpenAiServer, threadId: string | null) =>
  server.requests.filter((request) => request.threadId === threadId);

describe('the real codex CLI against the scripted Responses API', () => {
  it('runs two threads whose shell commands really ran and whose tokens equal what the server sent', async () => {
    // Per thread: the first request asks for a command, the second (with its output) ends the turn.
    const { server, ...where } = await setUp(({ threadOrdinal, requestInThread }) => {
      const usage = usageFor(threadOrdinal, requestInThread);
      return requestInThread === 1
        ? {
            text: 'Writing the proof.',
            command: `echo thread-${threadOrdinal} > proof-${threadOrdinal}.txt && pwd`,
            usage,
          }
        : { text: `Done in thread ${threadOrdinal}.`, usage };
    });

    const runs = [await runCodex(where, 'Write the first proof'), await runCodex(where, 'Write the second proof')];

    const threadIds = runs.map((run) => run.parser.threadId);
    expect(threadIds.every((id) => typeof id === 'string' && id !== '')).toBe(true);
    expect(new Set(threadIds).size).toBe(2);
    // The threads the server metered are exactly the two runs' threads, in order.
    expect([...server.usageByThread().keys()]).toEqual(threadIds);

    const project = realpathSync(where.project);
    for (const [index, run] of runs.entries()) {
      const n = index + 1;
      expect(run.protocolErrors).toEqual([]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.events[0]).toMatchObject({ kind: 'init', agentSessionId: threadIds[index] });

      // The command really ran, in the project directory.
      expect(readFileSync(path.join(where.project, `proof-${n}.txt`), 'utf8')).toBe(`thread-${n}\n`);
      const toolUse = run.events.find((e) => e.kind === 'tool_use');
      expect(toolUse).toMatchObject({
        name: CODEX_COMMAND_TOOL,
        input: { command: `echo thread-${n} > proof-${n}.txt && pwd` },
      });
      const toolResult = run.events.find((e) => e.kind === 'tool_result');
      expect(toolResult).toMatchObject({ isError: false });
      expect(toolResult?.kind === 'tool_result' && realpathSync(toolResult.content.trim())).toBe(project);

      // The second request carried the command's output back to the model.
      const requests = requestsOf(server, threadIds[index] ?? null);
      expect(requests.map((r) => r.status)).toEqual([200, 200]);
      expect(requests[1]?.body?.input?.some((item) => item.type === 'function_call_output')).toBe(true);

      // Tokens: the sum over the thread's requests, in Baton's four kinds, reasoning kept beside them.
      const served = servedAsBaton(server.usageByThread().get(threadIds[index] ?? ''));
      expect(served?.usage.inputTokens).toBe(usageFor(n, 1).input_tokens + usageFor(n, 2).input_tokens - 3000 * n - 3);
      expect(run.parser.outcome).toMatchObject({
        status: 'completed',
        error: null,
        reasoningOutputTokens: served?.reasoningOutputTokens,
        result: { isError: false, costUsd: null, usage: served?.usage },
      });
      expect(run.events.filter((e) => e.kind === 'text').map((e) => e.kind === 'text' && e.text)).toEqual([
        'Writing the proof.',
        `Done in thread ${n}.`,
      ]);
    }
    expect(existsSync(path.join(where.project, 'proof-3.txt'))).toBe(false);
  });

  it('retries a server error, then fails the turn, with no tokens to count', async () => {
    const { server, ...where } = await setUp(
      () => ({ errorStatus: 500, usage: usageFor(0, 0) }),
      // Fewer and so quicker retries than Codex's defaults.
      { requestMaxRetries: 1, streamMaxRetries: 2 },
    );

    const run = await runCodex(where, 'This will not get an answer');

    expect(run.protocolErrors).toEqual([]);
    expect(run.code).not.toBe(0);
    const retries = run.events.filter((e) => e.kind === 'retry');
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.map((e) => e.kind === 'retry' && e.attempt)).toEqual(retries.map((_, i) => i + 1));
    // Every attempt reached the server, each answered 500, all in the one thread.
    const requests = requestsOf(server, run.parser.threadId);
    expect(requests.length).toBeGreaterThan(retries.length);
    expect(requests.length).toBe(server.requests.length);
    expect(new Set(requests.map((r) => r.status))).toEqual(new Set([500]));

    expect(run.events.at(-1)).toMatchObject({ kind: 'result', result: { isError: true, subtype: 'turn_failed' } });
    expect(run.parser.outcome).toMatchObject({
      status: 'failed',
      error: expect.any(String),
      result: { usage: { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0 } },
    });
    expect(run.parser.outcome?.error).not.toBe('');
    expect(server.usageByThread().size).toBe(0);
  });
});
