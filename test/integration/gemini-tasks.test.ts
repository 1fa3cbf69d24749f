/**
 * `baton run --agent gemini` with the real Gemini CLI (the `@google/gemini-cli`
 * dev dependency, 0.61.0) against the scripted Gemini API from test/support.
 * Nothing here mocks the agent.
 *
 * The CLI sends no session id with its requests, so the server tells sessions
 * apart by their prompt (Baton's prompt names the iteration), in the order they
 * came: Baton's iteration n is the server's conversation n.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lastJsonLine, runBaton, startBaton } from '../support/baton-cli';
import { until } from '../support/polling';
import { runningWith, uniqueSleep } from '../support/processes';
import {
  type GeminiScript,
  type GeminiUsage,
  makeGeminiHome,
  type ScriptedGeminiServer,
  startScriptedGeminiServer,
} from '../support/scripted-gemini-server';
import type { TaskJson } from '../support/scripted-workspace';

const MODEL = 'gemini-2.5-flash';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(script: GeminiScript, settings?: Record<string, unknown>) {
  const server = await startScriptedGeminiServer(script);
  const root = mkdtempSync(path.join(os.tmpdir(), 'baton-gemini-'));
  cleanups.push(
    () => server.close(),
    () => rmSync(root, { recursive: true, force: true }),
  );
  const project = path.join(root, 'project');
  mkdirSync(project);
  const db = path.join(root, 'baton.db');
  const gemini = makeGeminiHome(root, server.url, settings);
  return { server, root, project, db, env: { ...gemini.env, BATON_DB: db } };
}

/** Distinct numbers per conversation and turn, so a mix-up between sessions shows. */
function usageFor(conversation: number, turn: number): GeminiUsage {
  return {
    promptTokenCount: 2000 * conversation + 100 * turn + 7,
    cachedContentTokenCount: 300 * conversation + turn,
    candidatesTokenCount: 40 * conversation + turn,
    thoughtsTokenCount: 9 * conversation + turn,
  };
}

/** What the server sent, in Baton's four kinds: thinking is output, Gemini reports no cache writes. */
function asBaton(sent: GeminiUsage | undefined) {
  return {
    inputTokens: (sent?.promptTokenCount ?? NaN) - (sent?.cachedContentTokenCount ?? NaN),
    cacheReadTokens: sent?.cachedContentTokenCount,
    cacheCreationTokens: 0,
    outputTokens: (sent?.candidatesTokenCount ?? NaN) + (sent?.thoughtsTokenCount ?? NaN),
    reasoningTokens: sent?.thoughtsTokenCount,
  };
}

function expectSessionsMatchServer(task: TaskJson, server: ScriptedGeminiServer): void {
  const served = [...server.usageByConversation().values()];
  expect(served).toHaveLength(task.sessions.length);
  task.sessions.forEach((session, i) => {
    expect({
      inputTokens: session.inputTokens,
      cacheReadTokens: session.cacheReadTokens,
      cacheCreationTokens: session.cacheCreationTokens,
      outputTokens: session.outputTokens,
      reasoningTokens: session.reasoningTokens,
    }).toEqual(asBaton(served[i]));
  });
}

function expectTotalsAreSums(task: TaskJson): void {
  const sum = (key: 'inputTokens' | 'outputTokens' | 'cacheCreationTokens' | 'cacheReadTokens') =>
    task.sessions.reduce((acc, s) => acc + s[key], 0);
  expect(task.totals).toMatchObject({
    inputTokens: sum('inputTokens'),
    outputTokens: sum('outputTokens'),
    cacheCreationTokens: sum('cacheCreationTokens'),
    cacheReadTokens: sum('cacheReadTokens'),
    totalTokens: sum('inputTokens') + sum('outputTokens') + sum('cacheCreationTokens') + sum('cacheReadTokens'),
  });
}

/** `baton run --agent gemini` in `project`, with MODEL unless `more` names a model. */
const runArgs = (project: string, prompt: string, ...more: string[]) => [
  'run',
  '--agent',
  'gemini',
  '--dir',
  project,
  '--prompt',
  prompt,
  ...(more.includes('--model') ? [] : ['--model', MODEL]),
  '--json',
  ...more,
];

describe('baton run --agent gemini with the real gemini CLI', () => {
  it('runs 3 iterations in 3 sessions whose shell calls really ran and whose tokens equal what the server sent', async () => {
    const { server, project, db, env } = await setUp(({ conversationOrdinal: n, turnInConversation: turn }) =>
      turn === 1
        ? {
            text: `Writing proof ${n}.`,
            functionCall: { name: 'run_shell_command', args: { command: `echo session-${n} > proof-${n}.txt && pwd` } },
            usage: usageFor(n, turn),
          }
        : { text: `Wrote proof ${n}.`, usage: usageFor(n, turn) },
    );
    const run = await runBaton(
      runArgs(project, 'Write the proofs', '--max-iterations', '3', '--permission-mode', 'bypassPermissions'),
      env,
    );
    expect(run.stderr).toMatch(/^baton: task max_iterations: reached its limit of \d iterations\n$/);
    expect(run.code).toBe(1);
    const task = lastJsonLine<TaskJson>(run.stdout);
    expect(task).toMatchObject({ status: 'max_iterations', iterations: 3, agent: 'gemini' });

    const ids = task.sessions.map((s) => s.sessionId);
    expect(new Set(ids).size).toBe(3);
    // Gemini ran each session under Baton's own id.
    expect(task.sessions.map((s) => s.agentSessionId)).toEqual(ids);
    expect(task.sessions.map((s) => [s.status, s.error, s.turns])).toEqual([
      ['completed', null, 2],
      ['completed', null, 2],
      ['completed', null, 2],
    ]);
    // Each shell call ran in the project directory, once per session.
    for (const n of [1, 2, 3])
      expect(readFileSync(path.join(project, `proof-${n}.txt`), 'utf8')).toBe(`session-${n}\n`);
    expect(run.stdout).toContain('⚙ Bash {"command":"echo session-1 > proof-1.txt && pwd"}');
    // Every request after a call carried its output (the directory) back to the model.
    const answers = server.requests.filter((r) => r.body?.contents?.length === 3);
    expect(answers).toHaveLength(3);
    for (const request of answers) expect(JSON.stringify(request.body)).toContain(realpathSync(project));

    expectSessionsMatchServer(task, server);
    expectTotalsAreSums(task);
    expect(task.sessions[0]).toMatchObject(asBaton(sumUsage(usageFor(1, 1), usageFor(1, 2))));

    const shown = await runBaton(['task', task.id, '--json', '--db', db], {});
    expect(lastJsonLine<TaskJson>(shown.stdout)).toEqual(task);
  });

  it('ends the task when the check passes after a file the agent wrote under acceptEdits', async () => {
    const { server, project, env } = await setUp(({ conversationOrdinal: n, turnInConversation: turn }) =>
      n === 2 && turn === 1
        ? {
            functionCall: { name: 'write_file', args: { file_path: 'done.txt', content: 'done\n' } },
            usage: usageFor(n, turn),
          }
        : { text: `Worked on it in session ${n}.`, usage: usageFor(n, turn) },
    );
    const run = await runBaton(
      runArgs(project, 'Create done.txt', '--check', 'test -f done.txt', '--permission-mode', 'acceptEdits'),
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    const task = lastJsonLine<TaskJson>(run.stdout);
    expect(task).toMatchObject({
      status: 'completed',
      iterations: 2,
      statusReason: 'completion check passed after iteration 2',
    });
    expect(readFileSync(path.join(project, 'done.txt'), 'utf8')).toBe('done\n');
    expect(run.stdout).toContain('⚙ Write');
    expectSessionsMatchServer(task, server);
    expectTotalsAreSums(task);
  });

  it('fork starts each session from the previous one’s conversation, under an id of Gemini’s own', async () => {
    const { server, project, env } = await setUp(({ turnInConversation: turn }) => ({
      text: `Answer ${turn}: remembered.`,
      usage: usageFor(1, turn),
    }));
    const run = await runBaton(
      runArgs(project, 'Remember the word PAPAYA.', '--context', 'fork', '--max-iterations', '2'),
      env,
    );
    expect(run.stderr).toMatch(/^baton: task max_iterations: reached its limit of \d iterations\n$/);
    expect(run.code).toBe(1);
    const task = lastJsonLine<TaskJson>(run.stdout);
    expect(task).toMatchObject({ status: 'max_iterations', iterations: 2 });
    const [first, second] = task.sessions;
    expect(first?.agentSessionId).toBe(first?.sessionId);
    expect(second?.agentSessionId).not.toBe(second?.sessionId);
    expect(second?.agentSessionId).not.toBe(first?.sessionId);

    // The second session's one request carries the first session's prompt and answer, then the new prompt.
    expect(server.requests.map((r) => r.status)).toEqual([200, 200]);
    const conversation = JSON.stringify(server.requests[1]?.body?.contents);
    expect(conversation).toContain('Remember the word PAPAYA.');
    expect(conversation).toContain('Answer 1: remembered.');
    expect(conversation).toContain('Continue working on the task above');
    // Each session is metered for its own request only.
    expect(first).toMatchObject(asBaton(usageFor(1, 1)));
    expect(second).toMatchObject(asBaton(usageFor(1, 2)));
    expectTotalsAreSums(task);
  });

  it('Ctrl-C kills the agent and its shell command, and stores the session cancelled', async () => {
    const job = uniqueSleep();
    const { project, env } = await setUp(({ conversationOrdinal: n, turnInConversation: turn }) =>
      turn === 1
        ? {
            functionCall: { name: 'run_shell_command', args: { command: `${job.command} & wait` } },
            usage: usageFor(n, turn),
          }
        : { text: 'done', usage: usageFor(n, turn) },
    );
    const baton = startBaton(runArgs(project, 'run the job', '--permission-mode', 'bypassPermissions'), env);
    expect(await until(job.running, 60_000)).toBe(true);
    const sessionId = /started {2}session (\S+)/.exec(baton.stdout())?.[1] ?? '';
    expect(runningWith(sessionId)).toBe(true);

    process.kill(baton.pid, 'SIGINT');
    const run = await baton.exited;
    expect(run.code).toBe(130);
    expect(await until(() => !job.running())).toBe(true);
    expect(await until(() => !runningWith(sessionId))).toBe(true);
    const task = lastJsonLine<TaskJson>(run.stdout);
    expect(task.status).toBe('cancelled');
    expect(task.sessions.map((s) => [s.sessionId, s.status])).toEqual([[sessionId, 'cancelled']]);
  });

  it('records Gemini’s own retry, then retries the failed session in a new one, metering only what was served', async () => {
    // With two attempts per request, requests 1 and 2 fail the first session; the next one is served.
    const { server, project, env } = await setUp(
      ({ requestNumber, turnInConversation: turn }) =>
        requestNumber <= 2
          ? { errorStatus: 500, usage: usageFor(0, 0) }
          : { text: 'BATON_TASK_COMPLETE', usage: usageFor(1, turn) },
      { general: { maxAttempts: 2 } },
    );
    const run = await runBaton(runArgs(project, 'x'), { ...env, BATON_RETRY_BASE_MS: '10' });
    expect(run.code, run.stderr).toBe(0);
    // Its own retry shows as a wait for the API.
    expect(run.stdout).toContain(
      '[waiting] the API answered 500: scripted failure (HTTP 500); the agent tries again (1 of 1)',
    );
    expect(run.stdout).toMatch(
      /attempt 1 failed \(API error 500: scripted failure \(HTTP 500\)\); retrying in session/,
    );
    expect(server.requests.map((r) => r.status)).toEqual([500, 500, 200]);
    const task = lastJsonLine<TaskJson>(run.stdout);
    expect(task).toMatchObject({ status: 'completed', iterations: 1 });
    expect(task.sessions).toHaveLength(1);
    expect(task.sessions[0]).toMatchObject({ status: 'completed', retries: 1, ...asBaton(usageFor(1, 1)) });
    expectTotalsAreSums(task);
  });

  it('refuses the launch in the API’s own words when it rejects the model, keeping nothing, without retrying', async () => {
    const { server, project, env } = await setUp(({ model }) => ({
      errorStatus: 404,
      errorMessage: `models/${model} is not found for API version v1beta, or is not supported for generateContent.`,
      usage: usageFor(0, 0),
    }));
    const run = await runBaton(runArgs(project, 'x', '--max-iterations', '3', '--model', 'gemini-nope'), env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'baton: the gemini agent rejected the model gemini-nope: API error 404: models/gemini-nope is not found for API version v1beta, or is not supported for generateContent; the task was not kept',
    );
    expect(server.requests.map((r) => [r.model, r.status])).toEqual([['gemini-nope', 404]]);
    const tasks = await runBaton(['tasks', '--json'], env);
    expect(JSON.parse(tasks.stdout)).toEqual([]);
  });
});

describe('launch refusals for gemini', () => {
  it('refuses a missing gemini binary with exit 2, saying how to fix it, writing nothing', async () => {
    const { project, db, env } = await setUp(() => ({ text: 'never', usage: usageFor(1, 1) }));
    const run = await runBaton(runArgs(project, 'x'), { ...env, BATON_GEMINI_BIN: '/nonexistent' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('BATON_GEMINI_BIN is set to /nonexistent, which is not an executable file');
    expect(run.stderr).toContain('npm install -g @google/gemini-cli');
    expect(existsSync(db)).toBe(false);
  });
});

function sumUsage(...all: GeminiUsage[]): GeminiUsage {
  return all.reduce((a, b) => ({
    promptTokenCount: a.promptTokenCount + b.promptTokenCount,
    cachedContentTokenCount: a.cachedContentTokenCount + b.cachedContentTokenCount,
    candidatesTokenCount: a.candidatesTokenCount + b.candidatesTokenCount,
    thoughtsTokenCount: a.thoughtsTokenCount + b.thoughtsTokenCount,
  }));
}
