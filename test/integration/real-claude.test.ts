/**
 * Baton against the real Claude Code CLI, which talks to the scripted
 * Anthropic-compatible server from test/support. Nothing here mocks the agent.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClaudeCodeRunner } from '../../src-main/core/agents/claude-code-runner';
import { findClaudeBinary } from '../../src-main/core/agents/find-agent-binary';
import type { AgentEvent } from '../../src-main/contract/agent-events';
import type { BatonEvent } from '../../src-main/contract/events';
import { openBaton } from '../../src-main/service/open-baton';
import { lastJsonLine, runBaton } from '../support/baton-cli';
import type { Script, ScriptedServer } from '../support/scripted-anthropic-server';
import { type TaskJson, useScriptedWorkspaces } from '../support/scripted-workspace';
import { iterationScript, usageFor } from '../support/scripts';

const ALREADY_IN_USE = /already in use/i;
const setUp = useScriptedWorkspaces();

function expectSessionsMatchServer(task: TaskJson, server: ScriptedServer): void {
  const served = server.usageBySession();
  for (const session of task.sessions) {
    const sent = served.get(session.sessionId);
    expect(sent, `server saw session ${session.sessionId}`).toBeDefined();
    expect({
      input: session.inputTokens,
      output: session.outputTokens,
      cacheWrite: session.cacheCreationTokens,
      cacheRead: session.cacheReadTokens,
    }).toEqual({
      input: sent?.input_tokens,
      output: sent?.output_tokens,
      cacheWrite: sent?.cache_creation_input_tokens,
      cacheRead: sent?.cache_read_input_tokens,
    });
  }
  // Every session the server metered belongs to one of the task's iterations.
  expect([...served.keys()].sort()).toEqual(task.sessions.map((s) => s.sessionId).sort());
}

function expectTotalsAreSums(task: TaskJson): void {
  const sum = (key: keyof TaskJson['sessions'][number]) => task.sessions.reduce((acc, s) => acc + Number(s[key]), 0);
  expect(task.totals.inputTokens).toBe(sum('inputTokens'));
  expect(task.totals.outputTokens).toBe(sum('outputTokens'));
  expect(task.totals.cacheCreationTokens).toBe(sum('cacheCreationTokens'));
  expect(task.totals.cacheReadTokens).toBe(sum('cacheReadTokens'));
  expect(task.totals.totalTokens).toBe(
    sum('inputTokens') + sum('outputTokens') + sum('cacheCreationTokens') + sum('cacheReadTokens'),
  );
  expect(task.totals.turns).toBe(sum('turns'));
  expect(task.totals.costUsd).toBeCloseTo(sum('costUsd'), 10);
}

describe('baton run with the real claude CLI', () => {
  it('runs 5 iterations in 5 fresh sessions whose stored tokens equal what the server sent', async () => {
    const { server, project, db, env } = await setUp(iterationScript(5));
    const run = await runBaton(
      ['run', '--dir', project, '--prompt', 'Write hello.txt', '--model', 'claude-sonnet-4-5', '--json'],
      env,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(ALREADY_IN_USE);

    const task = lastJsonLine<TaskJson>(run.stdout);
    expect(task).toMatchObject({ status: 'completed', iterations: 5 });
    const ids = task.sessions.map((s) => s.sessionId);
    expect(new Set(ids).size).toBe(5);
    expect(task.sessions.map((s) => s.iteration)).toEqual([1, 2, 3, 4, 5]);
    expect(task.sessions.every((s) => s.status === 'completed' && s.error === null)).toBe(true);
    // Sessions reach the server in iteration order, so session n got usageFor(n, 1).
    task.sessions.forEach((s, i) => expect(s.inputTokens).toBe(usageFor(i + 1, 1).input_tokens));
    expectSessionsMatchServer(task, server);
    expectTotalsAreSums(task);
    expect(task.totals.costUsd).toBeGreaterThan(0);

    // Every iteration is printed as it starts and ends.
    for (const id of ids) expect(run.stdout).toContain(`started  session ${id}`);
    // The stored task reads back the same through `baton task`.
    const shown = await runBaton(['task', task.id, '--json', '--db', db], {});
    expect(shown.code).toBe(0);
    expect(lastJsonLine<TaskJson>(shown.stdout)).toEqual(task);
    const listed = await runBaton(['tasks', '--json'], env);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ id: task.id, status: 'completed', iterations: 5 }]);
  });

  it('would catch a reused session id: the CLI refuses it with "already in use"', async () => {
    const { project, env } = await setUp(iterationScript(0));
    const runner = new ClaudeCodeRunner({ binary: findClaudeBinary({ searchPath: process.env.PATH }), env });
    const sessionId = randomUUID();
    const request = { cwd: project, prompt: 'hello', sessionId, model: 'claude-sonnet-4-5', onEvent: () => undefined };
    const first = await runner.run(request);
    expect(first.error).toBeNull();
    const second = await runner.run(request);
    expect(second.error?.kind).toBe('session_in_use');
    expect(second.error?.message).toMatch(ALREADY_IN_USE);
    expect(second.error?.message).toContain(sessionId);
  });

  it('fork mode carries the previous conversation into a new, separately metered session', async () => {
    const { server, project, env } = await setUp(iterationScript(0));
    const run = await runBaton(
      [
        'run',
        '--dir',
        project,
        '--prompt',
        'Remember the word PAPAYA.',
        '--context',
        'fork',
        '--max-iterations',
        '2',
        '--model',
        'claude-sonnet-4-5',
        '--json',
      ],
      env,
    );
    const task = lastJsonLine<TaskJson>(run.stdout);
    expect(task).toMatchObject({ status: 'max_iterations', iterations: 2 });
    const [first, second] = task.sessions;
    expect(first?.sessionId).not.toBe(second?.sessionId);

    const secondRequest = server.requests.find((r) => r.sessionId === second?.sessionId && r.body?.messages);
    const conversation = JSON.stringify(secondRequest?.body?.messages);
    // The second session's request carries the first session's prompt and reply.
    expect(conversation).toContain('Remember the word PAPAYA.');
    expect(conversation).toContain('Made progress in session 1');
    expect(conversation).toContain('Continue working on the task above');
    expectSessionsMatchServer(task, server);
    expectTotalsAreSums(task);
  });

  it('ends the task when the completion check passes after the agent’s tool call', async () => {
    const script: Script = ({ sessionOrdinal, turnInSession }) => {
      const usage = usageFor(sessionOrdinal, turnInSession);
      if (sessionOrdinal === 2 && turnInSession === 1) {
        return { toolUse: { name: 'Bash', input: { command: 'touch done.txt', description: 'mark done' } }, usage };
      }
      return { text: `Iteration work from session ${sessionOrdinal}.`, usage };
    };
    const { server, project, env } = await setUp(script);
    const run = await runBaton(
      [
        'run',
        '--dir',
        project,
        '--prompt',
        'Create done.txt',
        '--check',
        'test -f done.txt',
        '--permission-mode',
        'bypassPermissions',
        '--model',
        'claude-sonnet-4-5',
        '--json',
      ],
      env,
    );
    expect(run.code).toBe(0);
    const task = lastJsonLine<TaskJson>(run.stdout);
    expect(task).toMatchObject({
      status: 'completed',
      iterations: 2,
      statusReason: 'completion check passed after iteration 2',
    });
    expect(existsSync(path.join(project, 'done.txt'))).toBe(true);
    expect(task.sessions[1]?.turns).toBe(2);
    expect(run.stdout).toContain('⚙ Bash');
    expectSessionsMatchServer(task, server);
    expectTotalsAreSums(task);
  });

  it('retries an overloaded API under a new session id, and meters only what the server sent', async () => {
    const script: Script = ({ sessionOrdinal, turnInSession }) =>
      sessionOrdinal === 1
        ? { errorStatus: 529, usage: usageFor(1, 1) }
        : { text: 'BATON_TASK_COMPLETE', usage: usageFor(sessionOrdinal, turnInSession) };
    const { server, project, env } = await setUp(script);
    const run = await runBaton(['run', '--dir', project, '--prompt', 'x', '--model', 'claude-sonnet-4-5', '--json'], {
      ...env,
      CLAUDE_CODE_MAX_RETRIES: '0',
      BATON_RETRY_BASE_MS: '10',
    });
    expect(run.code).toBe(0);
    const task = lastJsonLine<TaskJson>(run.stdout);
    expect(task.sessions).toHaveLength(1);
    expect(task.sessions[0]).toMatchObject({
      status: 'completed',
      retries: 1,
      inputTokens: usageFor(2, 1).input_tokens,
    });
    expectSessionsMatchServer(task, server);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(ALREADY_IN_USE);
  });

  it('stores API failures as failed iterations and fails the task after three', async () => {
    const { server, project, env } = await setUp(({ sessionOrdinal }) => ({
      errorStatus: 529,
      usage: usageFor(sessionOrdinal, 1),
    }));
    const run = await runBaton(
      ['run', '--dir', project, '--prompt', 'x', '--model', 'claude-sonnet-4-5', '--max-retries', '1', '--json'],
      { ...env, CLAUDE_CODE_MAX_RETRIES: '0', BATON_RETRY_BASE_MS: '10' },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^baton: task failed: 3 iterations in a row failed; last: API error 529: /);
    const task = lastJsonLine<TaskJson>(run.stdout);
    expect(task.sessions.map((s) => s.status)).toEqual(['failed', 'failed', 'failed']);
    expect(task.sessions.every((s) => /529/.test(s.error ?? ''))).toBe(true);
    // Each iteration was retried once, under a new session id, before it counted as failed.
    expect(task.sessions.map((s) => s.retries)).toEqual([1, 1, 1]);
    const sessionsSeen = new Set(server.requests.map((r) => r.sessionId).filter(Boolean));
    expect(sessionsSeen.size).toBe(6);
    expect(server.usageBySession().size).toBe(0);
  });
});

describe('a model the API does not serve, with the real claude CLI', () => {
  it('refuses the launch in the CLI’s own words, keeping nothing', async () => {
    const { server, project, env } = await setUp(({ body }) =>
      body.model === 'claude-nope'
        ? { errorStatus: 404, error: { type: 'not_found_error', message: 'model: claude-nope' }, usage: usageFor(0, 0) }
        : { text: 'unexpected', usage: usageFor(1, 1) },
    );
    const run = await runBaton(['run', '--dir', project, '--prompt', 'x', '--model', 'claude-nope', '--json'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^baton: the claude agent rejected the model claude-nope: .*claude-nope.*; the task was not kept$/m,
    );
    // Turned away once: every later iteration would be turned away alike.
    expect(new Set(server.requests.map((r) => r.sessionId).filter(Boolean)).size).toBe(1);
    const tasks = await runBaton(['tasks', '--json'], env);
    expect(JSON.parse(tasks.stdout)).toEqual([]);
  });
});

describe('permissions and live text with the real claude CLI', () => {
  /** Each session's first turn writes `file` with the Write tool; the next one ends the session. */
  const writeScript =
    (file: () => string): Script =>
    ({ sessionOrdinal, turnInSession }) => {
      const usage = usageFor(sessionOrdinal, turnInSession);
      if (turnInSession > 1) return { text: 'Tried to write it. BATON_TASK_COMPLETE', usage };
      return { toolUse: { name: 'Write', input: { file_path: file(), content: 'written\n' } }, usage };
    };

  const runWrite = async (mode: string) => {
    let target = '';
    const { project, db, env } = await setUp(writeScript(() => target));
    target = path.join(project, 'written.txt');
    const run = await runBaton(
      ['run', '--dir', project, '--prompt', 'Write it', '--max-iterations', '1', '--permission-mode', mode, '--json'],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    const shown = await runBaton(['task', lastJsonLine<TaskJson>(run.stdout).id, '--json', '--db', db], {});
    return { target, task: lastJsonLine<TaskJson>(shown.stdout) };
  };

  it('counts the tool call the default mode refuses headless', async () => {
    const { target, task } = await runWrite('default');
    expect(existsSync(target)).toBe(false);
    expect(task.sessions).toHaveLength(1);
    expect(task.sessions[0]?.status).toBe('completed');
    expect(task.sessions[0]?.permissionDenials).toBeGreaterThanOrEqual(1);
  });

  it('lets the same Write run under acceptEdits, with no denials', async () => {
    const { target, task } = await runWrite('acceptEdits');
    expect(readFileSync(target, 'utf8')).toBe('written\n');
    expect(task.sessions[0]).toMatchObject({ status: 'completed', permissionDenials: 0 });
  });

  it('streams the reply as text deltas before the whole text, through the service', async () => {
    const pieces = ['Streaming ', 'the reply ', 'in several ', 'pieces.'];
    const { project, db, env } = await setUp(({ sessionOrdinal, turnInSession }) => ({
      text: pieces,
      usage: usageFor(sessionOrdinal, turnInSession),
    }));
    const service = await openBaton({ mode: 'browser', databaseFile: db, env: { ...process.env, ...env } });
    const events: BatonEvent[] = [];
    const unsubscribe = service.subscribe((event) => events.push(event));
    try {
      const task = await service.call('launchTask', {
        dir: project,
        prompt: 'say something',
        maxIterations: 1,
        model: 'claude-sonnet-4-5',
      });
      await service.waitForTask(task.id);
    } finally {
      unsubscribe();
      await service.close();
    }
    const stream: AgentEvent[] = events.flatMap((e) => (e.type === 'agent.event' ? [e.event] : []));
    const textAt = stream.findIndex((e) => e.kind === 'text');
    const text = stream[textAt];
    expect(text).toEqual({ kind: 'text', text: pieces.join('') });
    const deltas = stream.flatMap((e, i) => (e.kind === 'text_delta' ? [{ at: i, text: e.text }] : []));
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.every((delta) => delta.at < textAt)).toBe(true);
    expect(deltas.map((delta) => delta.text).join('')).toBe(pieces.join(''));
    // The running usage is priced as it comes, the model's prices being known.
    expect(stream.find((e) => e.kind === 'usage')).toMatchObject({ estimatedCostUsd: expect.any(Number) });
  });
});

describe('baton run rejects bad input with one line and writes nothing', () => {
  it.each([
    [
      'a missing --dir',
      ['--dir', '/nonexistent/baton-dir', '--prompt', 'x'],
      /^baton: project directory \/nonexistent\/baton-dir does not exist\n$/,
    ],
    ['an empty prompt', ['--prompt', '  '], /^baton: the prompt must not be empty\n$/],
    ['--max-iterations 0', ['--prompt', 'x', '--max-iterations', '0'], /^baton: max iterations must be at least 1\n$/],
    [
      '--max-iterations 1001',
      ['--prompt', 'x', '--max-iterations', '1001'],
      /^baton: max iterations must be at most 1000\n$/,
    ],
    [
      '--max-iterations abc',
      ['--prompt', 'x', '--max-iterations', 'abc'],
      /^baton: max iterations must be a whole number\n$/,
    ],
    [
      'an unknown --context',
      ['--prompt', 'x', '--context', 'sideways'],
      /^baton: context must be "fresh" or "fork"\n$/,
    ],
  ])('%s', async (_name, args, message) => {
    const { project, env, db } = await setUp(iterationScript(1));
    const withDir = args.includes('--dir') ? args : ['--dir', project, ...args];
    const run = await runBaton(['run', ...withDir], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(existsSync(db)).toBe(false);
  });

  it('an unreadable database path', async () => {
    const { project, env } = await setUp(iterationScript(1));
    const run = await runBaton(['run', '--dir', project, '--prompt', 'x', '--db', '/proc/baton/x.db'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^baton: cannot create the database folder for \/proc\/baton\/x\.db: .*\n$/);
  });

  it('a claude binary that cannot be found', async () => {
    const { project, env, db } = await setUp(iterationScript(1));
    const run = await runBaton(['run', '--dir', project, '--prompt', 'x'], {
      ...env,
      BATON_CLAUDE_BIN: '/nonexistent/claude',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^baton: BATON_CLAUDE_BIN is set to \/nonexistent\/claude, which is not an executable file/,
    );
    expect(existsSync(db)).toBe(false);
  });

  it('a check command that hangs is stopped by its timeout', async () => {
    const { project, env } = await setUp(iterationScript(0));
    const run = await runBaton(
      [
        'run',
        '--dir',
        project,
        '--prompt',
        'x',
        '--check',
        'sleep 600',
        '--check-timeout',
        '1',
        '--model',
        'claude-sonnet-4-5',
        '--json',
      ],
      env,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('baton: task failed: completion check `sleep 600` timed out after 1s\n');
    const task = lastJsonLine<TaskJson>(run.stdout);
    expect(task.sessions.map((s) => s.status)).toEqual(['completed']);
  });
});
