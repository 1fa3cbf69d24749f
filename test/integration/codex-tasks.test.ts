/**
 * `baton run --agent codex` with the real Codex CLI (the `@openai/codex` dev dependency, codex-cli 0.171.0)
 * against the scripted Responses API from test/support, as a user would run it. Nothing here mocks the agent:
 * each test has its own CODEX_HOME (pointing Codex at the server), OPENAI_API_KEY, HOME and database.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lastJsonLine, runBaton, SKIP_WAITS, startBaton } from '../support/baton-cli';
import { until } from '../support/polling';
import { processesOfSession, uniqueSleep } from '../support/processes';
import {
  type CodexHomeOptions,
  type ResponseUsage,
  type Script,
  type ScriptedOpenAiServer,
  startScriptedOpenAiServer,
  writeCodexHome,
} from '../support/scripted-openai-server';
import type { TaskJson } from '../support/scripted-workspace';

/** A model Codex knows, so it adds no "model metadata not found" warning; any name reaches the server. */
const MODEL = 'gpt-5.5';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(script: Script, options: CodexHomeOptions = {}) {
  const server = await startScriptedOpenAiServer(script);
  const root = mkdtempSync(path.join(os.tmpdir(), 'baton-codex-it-'));
  cleanups.push(
    () => server.close(),
    () => rmSync(root, { recursive: true, force: true }),
  );
  const project = path.join(root, 'project');
  const home = path.join(root, 'home');
  mkdirSync(project);
  mkdirSync(home);
  const codexHome = writeCodexHome(path.join(root, 'codex-home'), server.baseUrl, options);
  const db = path.join(root, 'baton.db');
  const env: NodeJS.ProcessEnv = { CODEX_HOME: codexHome, OPENAI_API_KEY: 'sk-scripted', HOME: home, BATON_DB: db };
  return { server, root, project, db, env };
}

/** Distinct numbers per thread and request, so a mix-up between threads shows. */
function usageFor(thread: number, request: number): ResponseUsage {
  return {
    input_tokens: 5000 * thread + 100 * request + 11,
    cached_tokens: 1200 * thread + request,
    cache_write_tokens: 40 * thread + request,
    output_tokens: 70 * thread + request,
    reasoning_tokens: 9 * thread + request,
  };
}

/** Each thread: its first request runs a command that records where it ran, its second ends the turn. */
const workScript =
  (extra: (thread: number) => string = () => ''): Script =>
  ({ threadOrdinal, requestInThread }) =>
    requestInThread === 1
      ? {
          text: `Working on iteration ${threadOrdinal}.`,
          command: `pwd > where-${threadOrdinal}.txt${extra(threadOrdinal)}`,
          usage: usageFor(threadOrdinal, requestInThread),
        }
      : { text: `Iteration ${threadOrdinal} done.`, usage: usageFor(threadOrdinal, requestInThread) };

const codexRun = (project: string, ...flags: string[]) => [
  'run',
  '--agent',
  'codex',
  '--dir',
  project,
  '--prompt',
  'Do the work',
  '--model',
  MODEL,
  '--permission-mode',
  'bypassPermissions',
  ...flags,
  '--json',
];

/** Each session's tokens equal what the server sent for its thread, in Baton's four kinds, and no thread is left out. */
function expectSessionsMatchServer(task: TaskJson, server: ScriptedOpenAiServer): void {
  const served = server.usageByThread();
  for (const session of task.sessions) {
    const sent = served.get(session.agentSessionId);
    expect(sent, `server saw thread ${session.agentSessionId}`).toBeDefined();
    expect({
      input: session.inputTokens,
      cacheRead: session.cacheReadTokens,
      cacheWrite: session.cacheCreationTokens,
      output: session.outputTokens,
      reasoning: session.reasoningTokens,
    }).toEqual({
      input: (sent?.input_tokens ?? 0) - (sent?.cached_tokens ?? 0),
      cacheRead: sent?.cached_tokens,
      cacheWrite: sent?.cache_write_tokens,
      output: sent?.output_tokens,
      reasoning: sent?.reasoning_tokens,
    });
  }
  expect([...served.keys()].sort()).toEqual(task.sessions.map((s) => s.agentSessionId).sort());
}

function expectTotalsAreSums(task: TaskJson): void {
  const sum = (key: 'inputTokens' | 'outputTokens' | 'cacheCreationTokens' | 'cacheReadTokens') =>
    task.sessions.reduce((total, s) => total + s[key], 0);
  expect(task.totals.inputTokens).toBe(sum('inputTokens'));
  expect(task.totals.outputTokens).toBe(sum('outputTokens'));
  expect(task.totals.cacheCreationTokens).toBe(sum('cacheCreationTokens'));
  expect(task.totals.cacheReadTokens).toBe(sum('cacheReadTokens'));
  expect(task.totals.totalTokens).toBe(
    sum('inputTokens') + sum('outputTokens') + sum('cacheCreationTokens') + sum('cacheReadTokens'),
  );
}

describe('baton run --agent codex with the real codex CLI', () => {
  it('runs 3 iterations in 3 threads whose commands ran in the project and whose tokens equal what the server sent', async () => {
    const { server, project, db, env } = await setUp(workScript());
    const run = await runBaton(codexRun(project, '--max-iterations', '3'), env);
    expect(run.code, run.stderr).toBe(1);
    const task = lastJsonLine<TaskJson>(run.stdout);
    expect(task).toMatchObject({ status: 'max_iterations', iterations: 3, agent: 'codex' });
    expect(task.sessions.map((s) => [s.iteration, s.status, s.error])).toEqual([
      [1, 'completed', null],
      [2, 'completed', null],
      [3, 'completed', null],
    ]);

    // Three threads of Codex's own, in the order the server met them, beside Baton's own session ids.
    const threads = task.sessions.map((s) => s.agentSessionId);
    expect(new Set(threads).size).toBe(3);
    expect([...server.usageByThread().keys()]).toEqual(threads);
    expect(task.sessions.every((s) => !threads.includes(s.sessionId))).toBe(true);

    // Each thread's command really ran, in the project directory.
    for (const n of [1, 2, 3]) {
      expect(realpathSync(readFileSync(path.join(project, `where-${n}.txt`), 'utf8').trim())).toBe(
        realpathSync(project),
      );
    }

    expectSessionsMatchServer(task, server);
    expectTotalsAreSums(task);
    // Codex reports no cost: it is never the agent's own figure.
    expect(task.sessions.every((s) => s.costSource !== 'agent')).toBe(true);

    // `baton task --json` tells the same, from the database.
    const shown = lastJsonLine<TaskJson>((await runBaton(['task', task.id, '--json', '--db', db], {})).stdout);
    expect(shown.sessions.map((s) => s.agentSessionId)).toEqual(threads);
    expect(shown.totals).toEqual(task.totals);
  });

  it('ends the task when the check passes', async () => {
    // Iteration 2's command makes the file the check looks for.
    const { server, project, env } = await setUp(workScript((thread) => (thread === 2 ? ' && touch done.txt' : '')));
    const run = await runBaton(codexRun(project, '--max-iterations', '5', '--check', 'test -f done.txt'), env);
    expect(run.code, run.stderr).toBe(0);
    const task = lastJsonLine<TaskJson>(run.stdout);
    expect(task).toMatchObject({ status: 'completed', iterations: 2 });
    expect(task.statusReason).toMatch(/completion check passed after iteration 2/);
    expect(task.sessions.map((s) => s.check?.exitCode)).toEqual([1, 0]);
    expect(server.usageByThread().size).toBe(2);
    expectSessionsMatchServer(task, server);
  });

  it('forks each iteration from the previous thread, counting only what the new thread spent', async () => {
    const { server, project, env } = await setUp(workScript());
    const run = await runBaton(codexRun(project, '--max-iterations', '2', '--context', 'fork'), env);
    const task = lastJsonLine<TaskJson>(run.stdout);
    expect(task.sessions.map((s) => s.status)).toEqual(['completed', 'completed']);
    const [first, second] = task.sessions.map((s) => s.agentSessionId);
    expect(first).not.toBe(second);
    // The second thread's first request carried the first thread's conversation.
    const opening = server.requests.find((r) => r.threadId === second);
    expect(JSON.stringify(opening?.body?.input)).toContain('Iteration 1 done.');
    // Codex reports a fork's tokens with the forked thread's; the ledger has only the new thread's.
    expectSessionsMatchServer(task, server);
    expectTotalsAreSums(task);
  });

  it('Stop (SIGTERM to baton run) kills the agent with the commands it started, and stores the session cancelled', async () => {
    const job = uniqueSleep();
    const { project, env } = await setUp(({ threadOrdinal, requestInThread }) =>
      requestInThread === 1
        ? { command: `${job.command} & wait`, usage: usageFor(threadOrdinal, 1) }
        : { text: 'done', usage: usageFor(threadOrdinal, 2) },
    );
    const baton = startBaton(codexRun(project, '--max-iterations', '2'), env);
    const started = await baton.waitFor(/\[iteration 1\/2\] started {2}session (\S+)/);
    const sessionId = started.match(/\[iteration 1\/2\] started {2}session (\S+)/)?.[1] as string;
    expect(await until(job.running, 60_000)).toBe(true);
    expect(processesOfSession(sessionId).length).toBeGreaterThan(0);

    process.kill(baton.pid, 'SIGTERM');
    const run = await baton.exited;
    expect(await until(() => !job.running())).toBe(true);
    expect(await until(() => processesOfSession(sessionId).length === 0)).toBe(true);
    const task = lastJsonLine<TaskJson>(run.stdout);
    expect(task.status).toBe('cancelled');
    expect(task.sessions.map((s) => s.status)).toEqual(['cancelled']);
  });

  it('finds and stops an orphaned codex after Baton is killed, by the session id in its environment', async () => {
    // The first answer never comes in time: Baton is killed while its agent waits on the API.
    const { server, project, env } = await setUp(({ threadOrdinal, requestInThread }) => ({
      text: 'late',
      delayMs: 120_000,
      usage: usageFor(threadOrdinal, requestInThread),
    }));
    const baton = startBaton(codexRun(project, '--max-iterations', '1'), env);
    const started = await baton.waitFor(/\[iteration 1\/1\] started {2}session (\S+)/);
    const sessionId = started.match(/\[iteration 1\/1\] started {2}session (\S+)/)?.[1] as string;
    expect(await until(() => server.requests.length > 0, 60_000)).toBe(true);
    process.kill(-baton.pid, 'SIGKILL');
    await baton.exited;
    expect(processesOfSession(sessionId).length).toBeGreaterThan(0);

    const listed = await runBaton(['tasks', '--json'], env);
    expect(listed.stderr).toBe('');
    expect(await until(() => processesOfSession(sessionId).length === 0)).toBe(true);
    const [task] = JSON.parse(listed.stdout) as Array<{ status: string }>;
    expect(task?.status).toBe('interrupted');
  });

  it('retries an iteration whose API calls failed (HTTP 500) after Codex’s own retries, and records it', async () => {
    // The first thread gets only errors; the retry, in a thread of its own, succeeds.
    const { server, project, env } = await setUp(
      (ctx) => (ctx.threadOrdinal === 1 ? { errorStatus: 500, usage: usageFor(1, 1) } : workScript()(ctx)),
      { requestMaxRetries: 1, streamMaxRetries: 1 },
    );
    // Baton's own back-off before the retry is skipped, not slept (up to 2 s by default).
    const run = await runBaton(codexRun(project, '--max-iterations', '1', '--max-retries', '2'), {
      ...env,
      ...SKIP_WAITS,
    });
    const task = lastJsonLine<TaskJson>(run.stdout);
    expect(task.sessions).toHaveLength(1);
    expect(task.sessions[0]).toMatchObject({ status: 'completed', retries: 1, error: null });
    const failedThread = server.requests[0]?.threadId;
    expect(server.requests.filter((r) => r.threadId === failedThread).map((r) => r.status)).toEqual(
      expect.arrayContaining([500, 500]),
    );
    expect(new Set(server.requests.filter((r) => r.threadId === failedThread).map((r) => r.status))).toEqual(
      new Set([500]),
    );
    // The row is the successful attempt's thread, its tokens those the server sent it.
    expect(task.sessions[0]?.agentSessionId).not.toBe(failedThread);
    const sent = server.usageByThread().get(task.sessions[0]?.agentSessionId ?? '');
    expect(task.sessions[0]?.inputTokens).toBe((sent?.input_tokens ?? 0) - (sent?.cached_tokens ?? 0));
    // Codex's own retries were shown as they happened, as waits for the API.
    expect(run.stdout).toMatch(/\[waiting\] .*; the agent tries again \(1 of 1\)/);
  });

  it('refuses the launch in the agent’s own words when the API rejects the model, keeping nothing', async () => {
    const { server, project, env } = await setUp(({ body, threadOrdinal, requestInThread }) =>
      body.model === 'gpt-nope'
        ? {
            errorStatus: 400,
            errorMessage: 'The model `gpt-nope` does not exist or you do not have access to it.',
            usage: usageFor(threadOrdinal, requestInThread),
          }
        : { text: 'unexpected', usage: usageFor(threadOrdinal, requestInThread) },
    );
    const args = codexRun(project, '--max-iterations', '3');
    args[args.indexOf(MODEL)] = 'gpt-nope';
    const run = await runBaton(args, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /baton: the codex agent rejected the model gpt-nope: .*The model `gpt-nope` does not exist or you do not have access to it; the task was not kept$/m,
    );
    // Turned away once, and not retried: every later iteration would be turned away alike.
    expect(new Set(server.requests.map((r) => r.threadId)).size).toBe(1);
    expect(server.requests.every((r) => r.status === 400)).toBe(true);
    const tasks = await runBaton(['tasks', '--json'], env);
    expect(JSON.parse(tasks.stdout)).toEqual([]);
  });
});

describe('bad input at launch, with nothing written', () => {
  it('refuses an unknown agent', async () => {
    const { project, db, env } = await setUp(workScript());
    const run = await runBaton(['run', '--agent', 'nope', '--dir', project, '--prompt', 'x'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/agent must be one of claude, codex, gemini/);
    expect(existsSync(db)).toBe(false);
  });

  it('refuses a codex binary that is not there, saying how to set it', async () => {
    const { project, db, env } = await setUp(workScript());
    const run = await runBaton(codexRun(project), { ...env, BATON_CODEX_BIN: '/nonexistent' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/BATON_CODEX_BIN is set to \/nonexistent, which is not an executable file/);
    expect(run.stderr).toContain('npm install -g @openai/codex');
    expect(existsSync(db)).toBe(false);
  });
});
