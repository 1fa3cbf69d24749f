import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallOutcome } from '../../src-main/contract/api';
import type { BatonEvent } from '../../src-main/contract/events';
import type { BatonService } from '../../src-main/service/baton-service';
import { openBaton } from '../../src-main/service/open-baton';

// The agent here is a stand-in that replays a real CLI transcript; the real CLI runs in test/integration and e2e.
let dir: string;
let host: BatonService;
const transcript = path.join(__dirname, '..', 'fixtures', 'claude-stream-json-tool-use.jsonl');

function standInClaude(): string {
  const file = path.join(dir, 'claude');
  writeFileSync(file, `#!/bin/sh\ncat ${transcript}\n`);
  chmodSync(file, 0o755);
  return file;
}

async function call<T = unknown>(method: string, input: unknown): Promise<T> {
  const outcome = await host.dispatch(method, input);
  if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
  return outcome.value as T;
}

async function waitFor(events: BatonEvent[], type: BatonEvent['type'] | ((e: BatonEvent) => boolean)): Promise<void> {
  const matches = typeof type === 'function' ? type : (e: BatonEvent) => e.type === type;
  for (let i = 0; i < 500 && !events.some(matches); i++) await new Promise((r) => setTimeout(r, 10));
  if (!events.some(matches)) throw new Error(`no matching event among ${events.length}`);
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'baton-host-'));
  host = await openBaton({
    databaseFile: path.join(dir, 'baton.db'),
    mode: 'browser',
    claudeBinary: standInClaude(),
    env: {},
  });
});
afterEach(async () => {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('opening Baton', () => {
  it('decides the database in one place: --db, then BATON_DB, then the data directory', async () => {
    const opened: string[] = [];
    const open = async (options: { databaseFile?: string; env: NodeJS.ProcessEnv; dataDir: string }) => {
      const service = await openBaton({ mode: 'cli', ...options });
      opened.push(service.databaseFile);
      await service.close();
    };
    const fromEnv = path.join(dir, 'env.db');
    await open({
      databaseFile: path.join(dir, 'flag.db'),
      env: { BATON_DB: fromEnv },
      dataDir: path.join(dir, 'data'),
    });
    await open({ env: { BATON_DB: fromEnv }, dataDir: path.join(dir, 'data') });
    await open({ env: {}, dataDir: path.join(dir, 'data') });
    expect(opened).toEqual([path.join(dir, 'flag.db'), fromEnv, path.join(dir, 'data', 'baton.db')]);
  });

  it('refuses a bad environment value, or an agent it cannot find when one is required, before opening the database', async () => {
    const file = path.join(dir, 'never.db');
    await expect(openBaton({ mode: 'cli', databaseFile: file, env: { BATON_RETRY_BASE_MS: 'soon' } })).rejects.toThrow(
      'BATON_RETRY_BASE_MS must be a whole number of milliseconds',
    );
    await expect(openBaton({ mode: 'cli', databaseFile: file, env: { BATON_ISOLATION: 'sometimes' } })).rejects.toThrow(
      'BATON_ISOLATION must be one of auto, namespace, tracking',
    );
    await expect(openBaton({ mode: 'cli', databaseFile: file, env: { BATON_TEST_CLOCK: 'fast' } })).rejects.toThrow(
      'BATON_TEST_CLOCK must be skip-waits when set',
    );
    await expect(
      openBaton({
        mode: 'cli',
        databaseFile: file,
        requireAgents: ['claude'],
        env: { BATON_CLAUDE_BIN: path.join(dir, 'nope') },
      }),
    ).rejects.toThrow(/BATON_CLAUDE_BIN is set to .*nope, which is not an executable file/);
    expect(existsSync(file)).toBe(false);
  });
});

describe('contract dispatch', () => {
  it('rejects malformed calls with the zod message, and unknown methods', async () => {
    const cases: Array<[string, unknown, CallOutcome]> = [
      [
        'launchTask',
        { dir, prompt: '' },
        {
          ok: false,
          error: {
            code: 'invalid_input',
            message: 'prompt: the prompt must not be empty',
            issues: [{ path: ['prompt'], message: 'the prompt must not be empty' }],
          },
        },
      ],
      [
        'launchTask',
        { dir, prompt: 'x', maxIterations: 0 },
        {
          ok: false,
          error: {
            code: 'invalid_input',
            message: 'maxIterations: max iterations must be at least 1',
            issues: [{ path: ['maxIterations'], message: 'max iterations must be at least 1' }],
          },
        },
      ],
      [
        'launchTask',
        'not an object',
        {
          ok: false,
          error: { code: 'invalid_input', message: expect.any(String) as unknown as string, issues: expect.any(Array) },
        },
      ],
      [
        'listTasks',
        { limit: 'all' },
        {
          ok: false,
          error: {
            code: 'invalid_input',
            message: expect.stringMatching(/^limit:/) as unknown as string,
            issues: [{ path: ['limit'], message: expect.any(String) }],
          },
        },
      ],
      [
        'getAppInfo',
        { extra: true },
        {
          ok: false,
          error: { code: 'invalid_input', message: expect.any(String) as unknown as string, issues: expect.any(Array) },
        },
      ],
      [
        'getTask',
        { taskId: 'nope' },
        { ok: false, error: { code: 'not_found', message: 'no task with id nope', issues: [] } },
      ],
      [
        'dropTables',
        {},
        { ok: false, error: { code: 'unknown_method', message: 'no such method: dropTables', issues: [] } },
      ],
      [
        '__proto__',
        {},
        { ok: false, error: { code: 'unknown_method', message: 'no such method: __proto__', issues: [] } },
      ],
      [
        'pickDirectory',
        {},
        {
          ok: false,
          error: { code: 'unavailable', message: 'a directory picker exists only in the desktop app', issues: [] },
        },
      ],
    ];
    for (const [method, input, expected] of cases) expect(await host.dispatch(method, input), method).toEqual(expected);
    expect(await call('listTasks', {})).toEqual({ tasks: [], total: 0 });
  });

  it('rejects a directory that does not exist without writing a task, naming the field', async () => {
    const missing = path.join(dir, 'missing');
    const outcome = await host.dispatch('launchTask', { dir: missing, prompt: 'x' });
    expect(outcome).toEqual({
      ok: false,
      error: {
        code: 'invalid_input',
        message: `project directory ${missing} does not exist`,
        issues: [{ path: ['dir'], message: `project directory ${missing} does not exist` }],
      },
    });
    expect(await call('listTasks', {})).toEqual({ tasks: [], total: 0 });
  });

  it('refuses a relative or ~ directory instead of resolving it against the folder Baton runs in', async () => {
    for (const given of ['project', '~/project', './project']) {
      const outcome = await host.dispatch('launchTask', { dir: given, prompt: 'x' });
      expect(outcome, given).toMatchObject({
        ok: false,
        error: { code: 'invalid_input', issues: [{ path: ['dir'], message: expect.stringMatching(/absolute path/) }] },
      });
    }
    expect(await call('listTasks', {})).toMatchObject({ total: 0 });
  });

  it('reports every field at fault, not only the first', async () => {
    const outcome = await host.dispatch('launchTask', { dir: ' ', prompt: '', maxIterations: 2.5, context: 'x' });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.issues.map((issue) => issue.path[0]).sort()).toEqual([
      'context',
      'dir',
      'maxIterations',
      'prompt',
    ]);
  });

  it('keeps the whole spec on the task, typed, and finds a task by a unique prefix of its id', async () => {
    const task = await call<{ id: string; spec: Record<string, unknown> }>('launchTask', {
      dir,
      prompt: 'typed',
      maxIterations: 2,
      budgetUsd: 1.5,
      permissionMode: 'acceptEdits',
    });
    expect(task.spec).toEqual({
      dir,
      prompt: 'typed',
      maxIterations: 2,
      context: 'fresh',
      checkTimeoutSeconds: 600,
      completionMarker: 'BATON_TASK_COMPLETE',
      idleTimeoutSeconds: 1800,
      maxRetries: 3,
      onQuota: 'wait',
      worktree: false,
      stallAfter: 3,
      agent: 'claude',
      budgetUsd: 1.5,
      permissionMode: 'acceptEdits',
    });
    await host.waitForTask(task.id);
    expect((await call<{ id: string }>('getTask', { taskId: task.id.slice(0, 8) })).id).toBe(task.id);
  });
});

describe('tasks through the host', () => {
  it('keeps the stream of a retried iteration under its final session id, the failed attempt included', async () => {
    await host.close();
    const overloaded = path.join(__dirname, '..', 'fixtures', 'claude-stream-json-overloaded.jsonl');
    const attempts = path.join(dir, 'attempts');
    // The first attempt meets an overloaded API; the retry succeeds.
    writeFileSync(
      path.join(dir, 'claude'),
      `#!/bin/sh\nif [ -e ${attempts} ]; then cat ${transcript}; else touch ${attempts}; cat ${overloaded}; exit 1; fi\n`,
    );
    host = await openBaton({
      databaseFile: path.join(dir, 'baton.db'),
      mode: 'browser',
      claudeBinary: path.join(dir, 'claude'),
      env: { BATON_RETRY_BASE_MS: '0', BATON_RETRY_MAX_MS: '0' },
    });
    const events: BatonEvent[] = [];
    host.subscribe((e) => events.push(e));
    const task = await call<{ id: string }>('launchTask', { dir, prompt: 'retry me', maxIterations: 1 });
    await host.waitForTask(task.id);
    const retrying = events.find((e) => e.type === 'iteration.retrying');
    expect(retrying).toMatchObject({ iteration: 1, attempt: 1 });
    const detail = await call<{ sessions: Array<{ sessionId: string; retries: unknown[]; status: string }> }>(
      'getTask',
      { taskId: task.id },
    );
    expect(detail.sessions).toHaveLength(1);
    const [session] = detail.sessions;
    expect(session).toMatchObject({ status: 'completed', retries: [expect.objectContaining({ attempt: 1 })] });
    expect(retrying?.type === 'iteration.retrying' && retrying.sessionId).toBe(session?.sessionId);
    const replay = await call<{ events: Array<{ kind: string }>; times: Array<number | null> }>('getSessionEvents', {
      sessionId: session?.sessionId,
    });
    // Both attempts' streams, in order: the overloaded one (with the CLI's own retries), then the good one.
    const results = replay.events.filter((e) => e.kind === 'result');
    expect(results).toHaveLength(2);
    expect(replay.events.filter((e) => e.kind === 'retry').length).toBeGreaterThan(0);
    // Each with the time it came, which the move to the final id keeps.
    expect(replay.times).toHaveLength(replay.events.length);
    expect(replay.times.every((t, i) => typeof t === 'number' && t >= (replay.times[i - 1] ?? 0))).toBe(true);
    expect(
      await call('getSessionEvents', {
        sessionId: retrying?.type === 'iteration.retrying' ? retrying.previousSessionId : '',
      }),
    ).toEqual({
      events: [],
      times: [],
      truncated: false,
    });
  });

  it('queues tasks beyond the concurrency setting, and stops a waiting one at once', async () => {
    writeFileSync(path.join(dir, 'claude'), `#!/bin/sh\nhead -n 3 ${transcript}\nsleep 30\n`);
    expect(await host.dispatch('updateSettings', { maxConcurrentTasks: 0 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: 'maxConcurrentTasks: the concurrency must be at least 1' },
    });
    expect(await call('updateSettings', { maxConcurrentTasks: 1 })).toEqual({
      taskDefaults: {},
      dailyBudgetUsd: null,
      maxConcurrentTasks: 1,
      modelPrices: {},
      timeZone: null,
    });
    const events: BatonEvent[] = [];
    host.subscribe((e) => events.push(e));
    const first = await call<{ id: string }>('launchTask', { dir, prompt: 'first' });
    const second = await call<{ id: string }>('launchTask', { dir, prompt: 'second' });
    await waitFor(events, 'iteration.started');
    expect((await call<{ status: string }>('getTask', { taskId: second.id })).status).toBe('queued');

    // The first task still holds the only slot, so this returns without waiting for it.
    expect(await call('stopTask', { taskId: second.id })).toEqual({ stopped: true });
    expect(await call('getTask', { taskId: second.id })).toMatchObject({
      status: 'cancelled',
      statusReason: 'stopped before it started',
      iterations: 0,
    });
    expect((await call<{ status: string }>('getTask', { taskId: first.id })).status).toBe('running');
    await call('stopTask', { taskId: first.id });
    expect(events.filter((e) => e.type === 'task.finished' && e.taskId === second.id)).toHaveLength(1);
  });

  it('launches a task in the background, publishes its events and keeps its stream for replay', async () => {
    const events: BatonEvent[] = [];
    host.subscribe((e) => events.push(e));
    const task = await call<{ id: string; status: string }>('launchTask', { dir, prompt: 'do it', maxIterations: 2 });
    expect(task.status).toBe('queued');
    await waitFor(events, 'task.finished');
    const detail = await call<{ status: string; sessions: Array<{ sessionId: string }> }>('getTask', {
      taskId: task.id,
    });
    expect(detail.status).toBe('max_iterations');
    expect(detail.sessions).toHaveLength(2);
    const replay = await call<{ events: Array<{ kind: string }>; truncated: boolean }>('getSessionEvents', {
      sessionId: detail.sessions[0]?.sessionId,
    });
    expect(replay.truncated).toBe(false);
    // The text streamed as deltas; the replay keeps the whole text they built, not the deltas.
    const streamed = events.filter((e) => e.type === 'agent.event' && e.sessionId === detail.sessions[0]?.sessionId);
    expect(streamed.some((e) => e.type === 'agent.event' && e.event.kind === 'text_delta')).toBe(true);
    expect(replay.events.map((e) => e.kind).filter((k) => k !== 'usage')).toEqual([
      'init',
      'tool_use',
      'tool_result',
      'text',
      'result',
    ]);
    const notDeltas = streamed.filter((e) => e.type === 'agent.event' && e.event.kind !== 'text_delta');
    expect(notDeltas).toHaveLength(replay.events.length);
  });

  it('filters, sorts and exports the history, and charts it in SQL', async () => {
    const events: BatonEvent[] = [];
    host.subscribe((e) => events.push(e));
    const other = mkdtempSync(path.join(dir, 'other-'));
    const a = await call<{ id: string }>('launchTask', {
      dir,
      prompt: 'first, with "quotes", commas',
      maxIterations: 1,
    });
    await waitFor(events, 'task.finished');
    events.length = 0;
    const b = await call<{ id: string }>('launchTask', { dir: other, prompt: 'second', maxIterations: 2 });
    await waitFor(events, 'task.finished');

    const all = await call<{ tasks: Array<{ id: string; projectId: string }>; total: number }>('listTasks', {});
    expect(all.total).toBe(2);
    expect(all.tasks.map((t) => t.id)).toEqual([b.id, a.id]);
    const byCost = await call<{ tasks: Array<{ id: string }> }>('listTasks', {
      sort: { by: 'costUsd', direction: 'asc' },
    });
    expect(byCost.tasks.map((t) => t.id)).toEqual([a.id, b.id]);
    const projects = await call<Array<{ id: string; workingDir: string }>>('listProjects', {});
    expect(projects.map((p) => p.workingDir)).toEqual([other, dir]);
    const onlyOther = await call<{ total: number }>('listTasks', { filter: { projectId: projects[0]?.id } });
    expect(onlyOther.total).toBe(1);
    expect(await call('listTasks', { filter: { status: 'failed' } })).toEqual({ tasks: [], total: 0 });
    expect(await call('listTasks', { filter: { from: Date.now() + 60_000 } })).toEqual({ tasks: [], total: 0 });

    const charts = await call<{
      bucket: string;
      costOverTime: Array<{ sessions: number; costUsd: number }>;
      tokensByModel: Array<{ inputTokens: number }>;
      costByProject: Array<{ tasks: number }>;
    }>('getHistoryCharts', {});
    expect(charts.bucket).toBe('day');
    expect(charts.costOverTime).toEqual([
      expect.objectContaining({ sessions: 3, costUsd: expect.closeTo(3 * 0.00993, 10) }),
    ]);
    expect(charts.tokensByModel).toEqual([expect.objectContaining({ inputTokens: 6000 })]);
    expect(charts.costByProject.map((p) => p.tasks)).toEqual([1, 1]);

    const csv = await call<{ fileName: string; content: string }>('exportTasks', { format: 'csv' });
    expect(csv.fileName).toMatch(/^baton-tasks-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = csv.content.trim().split('\r\n');
    expect(lines[0]).toBe(
      'id,title,project,agent,model,status,statusReason,createdAt,finishedAt,iterations,inputTokens,outputTokens,cacheCreationTokens,cacheReadTokens,totalTokens,turns,costUsd,durationMs,linesChanged',
    );
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain(`${a.id},"first, with ""quotes"", commas",${dir},claude,claude-`);
    expect(lines[2]).toContain(',max_iterations,');
    const json = await call<{ fileName: string; content: string }>('exportTasks', {
      format: 'json',
      filter: { projectId: projects[0]?.id, status: 'max_iterations' },
    });
    expect(json.fileName).toBe(`baton-tasks-${path.basename(other).toLowerCase()}-max-iterations.json`);
    expect((JSON.parse(json.content) as Array<{ id: string }>).map((t) => t.id)).toEqual([b.id]);

    // Search, the totals row and the usage figures, over the same filter.
    const found = await call<{ tasks: Array<{ id: string }>; totals: { iterations: number } }>('listTasks', {
      filter: { search: 'QUOTES' },
      withTotals: true,
    });
    expect(found.tasks.map((t) => t.id)).toEqual([a.id]);
    expect(found.totals.iterations).toBe(1);
    const summary = await call<{ summary: { tasks: number; sessions: number; spentTodayUsd: number } }>(
      'getHistoryCharts',
      { filter: {}, utcOffsetMinutes: -new Date().getTimezoneOffset() },
    );
    expect(summary.summary).toMatchObject({ tasks: 2, sessions: 3 });
    expect(summary.summary.spentTodayUsd).toBeCloseTo(3 * 0.00993, 10);
    const reversed = await host.dispatch('listTasks', { filter: { from: 2000, to: 1000 } });
    expect(reversed).toMatchObject({
      ok: false,
      error: {
        code: 'invalid_input',
        issues: [{ path: ['filter', 'to'], message: 'the date range ends before it starts' }],
      },
    });
  });

  it('stops a running task and closes its session with a status', async () => {
    writeFileSync(path.join(dir, 'claude'), `#!/bin/sh\nhead -n 3 ${transcript}\nsleep 30\n`);
    const events: BatonEvent[] = [];
    host.subscribe((e) => events.push(e));
    const task = await call<{ id: string }>('launchTask', { dir, prompt: 'long' });
    // Stop once the agent has reported tokens, so the cancelled session has some to keep.
    await waitFor(events, (e) => e.type === 'agent.event' && e.event.kind === 'usage');
    const live = await call<{ tasks: Array<{ id: string }> }>('getLiveState', {});
    expect(live.tasks.map((t) => t.id)).toEqual([task.id]);
    expect(await call('stopTask', { taskId: task.id })).toEqual({ stopped: true });
    const detail = await call<{ status: string; sessions: Array<{ status: string; inputTokens: number }> }>('getTask', {
      taskId: task.id,
    });
    expect(detail.status).toBe('cancelled');
    expect(detail.sessions.map((s) => s.status)).toEqual(['cancelled']);
    expect(detail.sessions[0]?.inputTokens).toBe(1000);
    expect(await call('stopTask', { taskId: task.id })).toEqual({ stopped: false });

    // Resume goes on from iteration 2 in a fresh session; a finished task cannot be resumed.
    writeFileSync(path.join(dir, 'claude'), `#!/bin/sh\ncat ${transcript}\n`);
    events.length = 0;
    await call('resumeTask', { taskId: task.id });
    await waitFor(events, 'task.finished');
    const resumed = await call<{ status: string; sessions: Array<{ iteration: number; status: string }> }>('getTask', {
      taskId: task.id,
    });
    expect(resumed.sessions.slice(0, 2).map((s) => [s.iteration, s.status])).toEqual([
      [1, 'cancelled'],
      [2, 'completed'],
    ]);
    expect(resumed.status).toBe('max_iterations');
    expect(await host.dispatch('resumeTask', { taskId: task.id })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringMatching(/only an interrupted, cancelled or failed task/) },
    });
  });
});

describe('settings through the host', () => {
  it('keeps the launch defaults, replacing them whole, beside the other settings', async () => {
    expect(await call('getSettings', {})).toEqual({
      taskDefaults: {},
      dailyBudgetUsd: null,
      maxConcurrentTasks: 2,
      modelPrices: {},
      timeZone: null,
    });
    const defaults = {
      claude: { model: 'claude-sonnet-4-5', permissionMode: 'acceptEdits', maxIterations: 5, budgetUsd: 2 },
      codex: { model: 'gpt-5.5', permissionMode: 'bypassPermissions' },
    };
    expect(await call('updateSettings', { taskDefaults: defaults })).toMatchObject({ taskDefaults: defaults });
    await call('updateSettings', { dailyBudgetUsd: 3 });
    expect(await call('getSettings', {})).toEqual({
      taskDefaults: defaults,
      dailyBudgetUsd: 3,
      maxConcurrentTasks: 2,
      modelPrices: {},
      timeZone: null,
    });
    // A caller older than defaults by agent sends one set: it is Claude Code's.
    expect(await call('updateSettings', { taskDefaults: { maxIterations: 9 } })).toEqual(
      expect.objectContaining({ taskDefaults: { claude: { maxIterations: 9 } } }),
    );
    expect(await host.dispatch('updateSettings', { taskDefaults: { gemini: { maxIterations: 0 } } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', issues: [{ path: ['taskDefaults', 'gemini', 'maxIterations'] }] },
    });
  });

  it('keeps model prices whole, and refuses a negative price or an empty model name by field', async () => {
    const prices = {
      'made-up-model': { input: 1, output: 2, cacheWrite: 1.25, cacheRead: 0.1 },
      'claude-sonnet-4-5': { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 },
    };
    expect(await call('updateSettings', { modelPrices: prices })).toMatchObject({ modelPrices: prices });
    expect(await call('getSettings', {})).toMatchObject({ modelPrices: prices, maxConcurrentTasks: 2 });
    const bad = (modelPrices: unknown) => host.dispatch('updateSettings', { modelPrices });
    expect(await bad({ x: { input: -1, output: 2, cacheWrite: 0, cacheRead: 0 } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', issues: [{ path: ['modelPrices', 'x', 'input'] }] },
    });
    expect(await bad({ x: { input: 1, output: 2, cacheWrite: 0 } })).toMatchObject({
      error: { issues: [{ path: ['modelPrices', 'x', 'cacheRead'] }] },
    });
    expect(await bad({ ' ': { input: 1, output: 2, cacheWrite: 0, cacheRead: 0 } })).toMatchObject({
      error: { issues: [{ path: ['modelPrices', ' '], message: 'a model name must not be empty' }] },
    });
    expect(await bad({ x: { input: 1e9, output: 2, cacheWrite: 0, cacheRead: 0 } })).toMatchObject({
      error: { issues: [{ path: ['modelPrices', 'x', 'input'] }] },
    });
    // Nothing refused was written.
    expect(await call('getSettings', {})).toMatchObject({ modelPrices: prices });
    expect(await call('updateSettings', { modelPrices: {} })).toMatchObject({ modelPrices: {} });
  });

  it('reports what was spent today beside the daily budget', async () => {
    // Today is a day of the service's own zone until a window sets one.
    expect(await call('getSpending', {})).toEqual({
      spentTodayUsd: 0,
      unknownCostTokensToday: 0,
      dailyBudgetUsd: null,
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    });
    const task = await call<{ id: string }>('launchTask', { dir, prompt: 'spend', maxIterations: 2 });
    await host.waitForTask(task.id);
    await call('updateSettings', { dailyBudgetUsd: 1.5 });
    // Each iteration of the stand-in transcript costs what the CLI reported, $0.00993.
    expect(await call('getSpending', {})).toEqual({
      spentTodayUsd: expect.closeTo(2 * 0.00993, 10),
      unknownCostTokensToday: 0,
      dailyBudgetUsd: 1.5,
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    });
  });

  it("keeps the zone of the budget's day as the window sends it, by its canonical name", async () => {
    expect(await call('updateSettings', { timeZone: 'america/new_york' })).toMatchObject({
      timeZone: 'America/New_York',
    });
    expect(await call('getSpending', {})).toMatchObject({ timeZone: 'America/New_York' });
    expect(await host.dispatch('updateSettings', { timeZone: 'America/Gotham' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', issues: [{ path: ['timeZone'], message: expect.stringMatching(/Gotham/) }] },
    });
    expect(await call('updateSettings', { timeZone: null })).toMatchObject({ timeZone: null });
    expect(await call('getSpending', {})).toMatchObject({ timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone });
  });
});

describe('all usage through the service', () => {
  it('imports the transcripts on open in browser mode, with progress, and answers the overview', async () => {
    const config = path.join(dir, 'claude-config');
    const project = path.join(config, 'projects', '-work-app');
    mkdirSync(project, { recursive: true });
    const line = {
      type: 'assistant',
      timestamp: new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, '.000Z'),
      sessionId: 'chat-1',
      cwd: '/work/app',
      requestId: 'req-1',
      message: { id: 'msg-1', model: 'claude-sonnet-4-5', usage: { input_tokens: 40, output_tokens: 2 } },
    };
    writeFileSync(path.join(project, 'chat-1.jsonl'), `${JSON.stringify(line)}\n`);
    const usageHost = await openBaton({
      databaseFile: path.join(dir, 'usage.db'),
      mode: 'browser',
      claudeBinary: standInClaude(),
      env: {},
      transcriptDirectories: [{ agent: 'claude', path: config }],
    });
    try {
      let progress = (await usageHost.call('getImportProgress', {})).state;
      for (let i = 0; i < 200 && progress !== 'done'; i++) {
        await new Promise((r) => setTimeout(r, 10));
        progress = (await usageHost.call('getImportProgress', {})).state;
      }
      expect(await usageHost.call('getImportProgress', {})).toMatchObject({
        state: 'done',
        filesDone: 1,
        filesTotal: 1,
        last: { messages: 1, files: 1 },
      });
      const overview = await usageHost.call('getUsageOverview', { filter: { source: 'all', timeZone: 'UTC' } });
      expect(overview.totals).toMatchObject({ inputTokens: 40, outputTokens: 2 });
      expect(overview.daily).toMatchObject([
        { model: 'claude-sonnet-4-5', bySource: { interactive: { inputTokens: 40 } } },
      ]);
      expect(overview.projects).toMatchObject([{ project: '/work/app', inputTokens: 40 }]);
      expect(overview.blocks).toMatchObject([{ isActive: true, messages: 1 }]);
      expect(overview.origin).toMatchObject({
        directories: [{ agent: 'claude', path: config, exists: true }],
        files: 1,
        messages: 1,
      });
      // An import asked for while none is new reads nothing again.
      expect(await usageHost.call('importTranscripts', {})).toMatchObject({ messages: 0, linesRead: 0 });
      const bad = await usageHost.dispatch('getUsageReport', { kind: 'daily', filter: { timeZone: 'Nowhere/City' } });
      expect(bad.ok).toBe(false);
    } finally {
      await usageHost.close();
    }
  });

  it('says when an import stored something, and History and All usage give the same Baton totals for the same days', async () => {
    const config = path.join(dir, 'claude-config');
    mkdirSync(path.join(config, 'projects'), { recursive: true });
    const usageHost = await openBaton({
      databaseFile: path.join(dir, 'same.db'),
      mode: 'browser',
      claudeBinary: standInClaude(),
      env: {},
      transcriptDirectories: [{ agent: 'claude', path: config }],
      // Imports run when asked here, so the test knows which one stored what.
      watchTranscripts: false,
    });
    try {
      const events: BatonEvent[] = [];
      usageHost.subscribe((e) => events.push(e));
      const project = path.join(dir, 'repo');
      mkdirSync(project);
      const launched = await usageHost.call('launchTask', { dir: project, prompt: 'count me', maxIterations: 2 });
      await usageHost.waitForTask(launched.id);
      const detail = await usageHost.call('getTask', { taskId: launched.id });
      const [first] = detail.sessions;
      expect(first).toBeDefined();
      // The session's transcript, as the CLI writes it in a worktree: another folder, other per-line figures
      // (its first line of a response, say) than the session record holds.
      const worktree = path.join(config, 'projects', '-tmp-baton-worktrees-0b7e');
      mkdirSync(worktree, { recursive: true });
      const line = {
        type: 'assistant',
        timestamp: new Date(first!.startedAt + 1000).toISOString(),
        sessionId: first!.sessionId,
        cwd: '/tmp/baton-worktrees/0b7e',
        requestId: 'req-wt',
        message: { id: 'msg-wt', model: 'claude-sonnet-4-5', usage: { input_tokens: 3, output_tokens: 1 } },
      };
      writeFileSync(path.join(worktree, `${first!.sessionId}.jsonl`), `${JSON.stringify(line)}\n`);
      const summary = await usageHost.call('importTranscripts', {});
      expect(summary.messages).toBe(1);
      await waitFor(events, 'usage.imported');
      expect(events.filter((e) => e.type === 'usage.imported')).toEqual([
        { type: 'usage.imported', messages: 1, corrected: 0 },
      ]);
      // Nothing new: no event.
      await usageHost.call('importTranscripts', {});
      expect(events.filter((e) => e.type === 'usage.imported')).toHaveLength(1);

      // The same days, from the first session's to today (UTC).
      const since = new Date(first!.startedAt).toISOString().slice(0, 10);
      const until = new Date().toISOString().slice(0, 10);
      const from = Date.parse(`${since}T00:00:00Z`);
      const to = Date.parse(`${until}T00:00:00Z`) + 86_400_000;
      const history = await usageHost.call('listTasks', { filter: { from, to }, withTotals: true, limit: 1 });
      const charts = await usageHost.call('getHistoryCharts', { filter: { from, to }, timeZone: 'UTC' });
      const all = await usageHost.call('getUsageOverview', {
        filter: { source: 'baton', since, until, timeZone: 'UTC' },
      });
      const { totals } = history;
      expect(totals).toBeDefined();
      expect({
        inputTokens: all.totals.inputTokens,
        outputTokens: all.totals.outputTokens,
        cacheCreationTokens: all.totals.cacheCreationTokens,
        cacheReadTokens: all.totals.cacheReadTokens,
        totalTokens: all.totals.totalTokens,
      }).toEqual({
        inputTokens: totals!.inputTokens,
        outputTokens: totals!.outputTokens,
        cacheCreationTokens: totals!.cacheCreationTokens,
        cacheReadTokens: totals!.cacheReadTokens,
        totalTokens: totals!.totalTokens,
      });
      expect(all.totals.costUsd).toBeCloseTo(totals!.costUsd, 9);
      expect(charts.summary.totalTokens).toBe(totals!.totalTokens);
      // The session counts under the task's project, not the worktree's folder.
      expect(all.projects.map((p) => p.project)).toEqual([project]);
    } finally {
      await usageHost.close();
    }
  });
});
