import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../migrations';
import { openTaskStore } from '../../src-main/core/baton-core';
import { openDataSource } from '../../src-main/core/store/data-source';
import { EventRecorder } from '../../src-main/core/store/event-recorder';
import { taskSpecSchema } from '../../src-main/contract/task-spec';
import { type NewTask, TaskStore } from '../../src-main/core/store/task-store';
import { sessionFinish } from '../support/session-finish';

/** What the orchestrator hands the store: a validated spec, a title and the agent; a plain task in `dir` unless told. */
function taskInput(
  fields: { workingDir?: string; model?: string; title?: string; settings?: Record<string, unknown> } = {},
): NewTask {
  const spec = taskSpecSchema.parse({
    ...fields.settings,
    dir: fields.workingDir ?? dir,
    prompt: 'p',
    model: fields.model,
  });
  return { spec, title: fields.title ?? 't', agent: 'a', ownerPid: process.pid };
}

let dir: string;
const open: DataSource[] = [];

async function openAt(file: string, migrations = MIGRATIONS): Promise<DataSource> {
  const dataSource = await openDataSource({ file, migrations });
  open.push(dataSource);
  return dataSource;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'baton-store-'));
});

afterEach(async () => {
  for (const dataSource of open.splice(0)) if (dataSource.isInitialized) await dataSource.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('opening the store', () => {
  it('uses WAL, a busy timeout and foreign keys, with the schema from migrations only', async () => {
    const dataSource = await openAt(path.join(dir, 'a.db'));
    const [journal] = await dataSource.query('PRAGMA journal_mode');
    const [fk] = await dataSource.query('PRAGMA foreign_keys');
    const [busy] = await dataSource.query('PRAGMA busy_timeout');
    expect(journal.journal_mode).toBe('wal');
    expect(fk.foreign_keys).toBe(1);
    expect(busy.timeout).toBeGreaterThanOrEqual(1000);
    const ran = await dataSource.query('SELECT name FROM migrations ORDER BY id');
    expect(ran.map((m: { name: string }) => m.name)).toEqual(MIGRATIONS.map((M) => new M().name));
    expect(dataSource.options.synchronize).toBe(false);
  });

  it('rejects a session for a task that does not exist', async () => {
    const store = new TaskStore(await openAt(path.join(dir, 'fk.db')));
    await expect(
      store.startSession({ sessionId: 's', taskId: 'missing', iteration: 1, model: null, ownerPid: 1 }),
    ).rejects.toThrow(/FOREIGN KEY/);
  });

  it('never stores the same session id twice', async () => {
    const store = new TaskStore(await openAt(path.join(dir, 'u.db')));
    const task = await store.createTask(taskInput());
    await store.startSession({ sessionId: 'same', taskId: task.id, iteration: 1, model: null, ownerPid: 1 });
    await expect(
      store.startSession({ sessionId: 'same', taskId: task.id, iteration: 2, model: null, ownerPid: 1 }),
    ).rejects.toThrow(/UNIQUE/);
  });
});

describe('crash recovery', () => {
  it('interrupts what dead owners left running, and leaves live owners alone', async () => {
    const dataSource = await openAt(path.join(dir, 'recover.db'));
    const store = new TaskStore(dataSource);
    const newTask = () => store.createTask(taskInput());
    const dead = await newTask();
    const live = await newTask();
    const between = await newTask();
    expect(await store.markTaskRunning(dead.id, 111)).toBe(true);
    expect(await store.markTaskRunning(live.id, 222)).toBe(true);
    expect(await store.markTaskRunning(between.id, 111)).toBe(true);
    expect(await store.markTaskRunning(live.id, 333)).toBe(false);
    await store.startSession({ sessionId: 'done', taskId: dead.id, iteration: 1, model: null, ownerPid: 111 });
    await store.finishSession('done', sessionFinish({ inputTokens: 5 }));
    await store.startSession({ sessionId: 'dead-run', taskId: dead.id, iteration: 2, model: null, ownerPid: 111 });
    await store.startSession({ sessionId: 'live-run', taskId: live.id, iteration: 1, model: null, ownerPid: 222 });

    const recovered = await store.recoverInterrupted((pid) => pid === 222);
    expect(recovered.taskIds.sort()).toEqual([dead.id, between.id].sort());
    expect(recovered.sessionIds).toEqual(['dead-run']);
    const statuses = (await store.sessionsOfTask(dead.id)).map((s) => [s.sessionId, s.status, s.endedAt !== null]);
    expect(statuses).toEqual([
      ['done', 'completed', true],
      ['dead-run', 'interrupted', true],
    ]);
    expect((await store.taskSummary(dead.id))?.status).toBe('interrupted');
    expect((await store.taskSummary(between.id))?.status).toBe('interrupted');
    expect((await store.taskSummary(live.id))?.status).toBe('running');
    expect((await store.sessionsOfTask(live.id)).map((s) => s.status)).toEqual(['running']);
    expect(await store.recoverInterrupted(() => true)).toEqual({ taskIds: [], sessionIds: [] });
  });

  it('recovers a task that waited for a subscription window as interrupted, keeping when the window reopens', async () => {
    const store = new TaskStore(await openAt(path.join(dir, 'waiting.db')));
    const task = await store.createTask(taskInput());
    expect(await store.markTaskRunning(task.id, 111)).toBe(true);
    await store.startSession({ sessionId: 'waited', taskId: task.id, iteration: 1, model: null, ownerPid: 111 });
    await store.markTaskWaiting(task.id, 1_900_000_000_000, 'waiting: the 5-hour window is spent');
    expect(await store.taskSummary(task.id)).toMatchObject({ status: 'waiting', wakeAt: 1_900_000_000_000 });

    expect((await store.recoverInterrupted((pid) => pid !== 111)).taskIds).toEqual([task.id]);
    expect(await store.taskSummary(task.id)).toMatchObject({
      status: 'interrupted',
      wakeAt: 1_900_000_000_000,
      statusReason: 'Baton stopped while this waited for a subscription window to reopen (process 111 is gone)',
    });
    // Resuming starts it afresh: no longer waiting.
    expect(await store.markTaskRunning(task.id, 222)).toBe(true);
    expect(await store.taskSummary(task.id)).toMatchObject({ status: 'running', wakeAt: null });
  });

  it('recovers a task that waited for the API as plainly interrupted: no window of its will reopen', async () => {
    const store = new TaskStore(await openAt(path.join(dir, 'waiting-api.db')));
    const task = await store.createTask(taskInput());
    expect(await store.markTaskRunning(task.id, 111)).toBe(true);
    await store.startSession({ sessionId: 'held', taskId: task.id, iteration: 1, model: null, ownerPid: 111 });
    await store.markTaskWaiting(task.id, 1_900_000_000_000, "waiting: can't reach http://127.0.0.1:9", 'api');
    expect(await store.taskSummary(task.id)).toMatchObject({ status: 'waiting', wakeAt: 1_900_000_000_000 });
    expect((await store.sessionsOfTask(task.id))[0]).toMatchObject({
      status: 'running',
      waitingFor: 'api',
      errorKind: null,
    });

    await store.recoverInterrupted((pid) => pid !== 111);
    expect(await store.taskSummary(task.id)).toMatchObject({
      status: 'interrupted',
      wakeAt: null,
      statusReason: 'Baton stopped while this ran (process 111 is gone)',
    });
    // Unlike an iteration a spent window turned away, it counts as one that ran.
    expect((await store.sessionsOfTask(task.id))[0]).toMatchObject({ status: 'interrupted', errorKind: 'interrupted' });
  });

  it('recovers, on open, what an earlier process with this same pid left running, and drops its text deltas', async () => {
    const file = path.join(dir, 'same-pid.db');
    const dataSource = await openAt(file);
    const store = new TaskStore(dataSource);
    const task = await store.createTask(taskInput());
    expect(await store.markTaskRunning(task.id, process.pid)).toBe(true);
    await store.startSession({ sessionId: 'left', taskId: task.id, iteration: 1, model: null, ownerPid: process.pid });
    await dataSource.query(
      `INSERT INTO session_events (session_id, seq, kind, payload) VALUES ('left', 0, 'text_delta', '{}'), ('left', 1, 'text', '{}')`,
    );
    await dataSource.destroy();

    // A container's first process has the same pid after every restart.
    const reopened = await openTaskStore(file);
    try {
      expect(await reopened.store.taskSummary(task.id)).toMatchObject({ status: 'interrupted' });
      expect((await reopened.store.sessionsOfTask(task.id)).map((s) => s.status)).toEqual(['interrupted']);
      const kinds = (await reopened.dataSource.query(`SELECT kind FROM session_events ORDER BY seq`)) as Array<{
        kind: string;
      }>;
      expect(kinds.map((k) => k.kind)).toEqual(['text']);
    } finally {
      await reopened.dataSource.destroy();
    }
  });

  it('interrupts a task a dead process queued but never started, and leaves a live queue alone', async () => {
    const store = new TaskStore(await openAt(path.join(dir, 'queued.db')));
    const orphan = await store.createTask({ ...taskInput(), ownerPid: 111 });
    const waiting = await store.createTask({ ...taskInput(), ownerPid: 222 });
    const recovered = await store.recoverInterrupted((pid) => pid === 222);
    expect(recovered).toEqual({ taskIds: [orphan.id], sessionIds: [] });
    expect(await store.taskSummary(orphan.id)).toMatchObject({
      status: 'interrupted',
      statusReason: "Baton stopped before this task's turn came (process 111 is gone)",
    });
    expect((await store.taskSummary(waiting.id))?.status).toBe('queued');
  });
});

describe('statuses', () => {
  it('stores waiting, stalled and an unknown cost as they are, and no other process claims a waiting task', async () => {
    const dataSource = await openAt(path.join(dir, 'statuses.db'));
    const store = new TaskStore(dataSource);
    const stored = async (taskId: string) =>
      (await dataSource.query(`SELECT status, wake_at AS wakeAt FROM tasks WHERE id = ?`, [taskId]))[0] as unknown;
    const task = await store.createTask(taskInput());
    expect(await store.markTaskRunning(task.id, 111)).toBe(true);
    await store.startSession({ sessionId: 'held', taskId: task.id, iteration: 1, model: null, ownerPid: 111 });
    await store.markTaskWaiting(task.id, 1_900_000_000_000, 'waiting: the 5-hour window is spent');
    expect(await stored(task.id)).toEqual({ status: 'waiting', wakeAt: 1_900_000_000_000 });
    expect(await dataSource.query(`SELECT wait_cause, error_kind FROM sessions`)).toEqual([
      { wait_cause: 'quota', error_kind: null },
    ]);
    expect(await store.markTaskRunning(task.id, 222)).toBe(false);

    await store.markTaskAwake(task.id);
    expect(await stored(task.id)).toEqual({ status: 'running', wakeAt: null });
    expect(await store.sessionsOfTask(task.id)).toMatchObject([{ waitingFor: null, error: null }]);
    await store.finishSession('held', sessionFinish({ costSource: 'estimated', costUnknown: true }));
    expect(await store.sessionsOfTask(task.id)).toMatchObject([{ costSource: 'unknown', waitingFor: null }]);
    expect(await dataSource.query(`SELECT cost_source FROM sessions`)).toEqual([{ cost_source: 'unknown' }]);
    await store.finishTask(task.id, 'stalled', 'no progress');
    expect(await stored(task.id)).toEqual({ status: 'stalled', wakeAt: null });
    expect(await store.taskSummary(task.id)).toMatchObject({ status: 'stalled' });
  });

  it('refuses a waiting task without a wake-up time, and a wait on an iteration that ended', async () => {
    const dataSource = await openAt(path.join(dir, 'checks.db'));
    const store = new TaskStore(dataSource);
    const task = await store.createTask(taskInput());
    await expect(dataSource.query(`UPDATE tasks SET status = 'waiting' WHERE id = ?`, [task.id])).rejects.toThrow(
      /CHECK constraint failed/,
    );
    await store.startSession({ sessionId: 'done', taskId: task.id, iteration: 1, model: null, ownerPid: 1 });
    await store.finishSession('done', sessionFinish({}));
    await expect(dataSource.query(`UPDATE sessions SET wait_cause = 'quota'`)).rejects.toThrow(
      /CHECK constraint failed/,
    );
  });
});

describe('migrations', () => {
  it('upgrades a database made at migration 1, keeping its rows', async () => {
    const file = path.join(dir, 'old.db');
    const first = MIGRATIONS.slice(0, 1);
    const old = await openAt(file, first);
    const columns = async (ds: DataSource) =>
      ((await ds.query('PRAGMA table_info(sessions)')) as Array<{ name: string }>).map((c) => c.name);
    expect(await columns(old)).not.toContain('owner_pid');
    await old.query(`INSERT INTO projects VALUES ('p1', 'proj', '/tmp/proj', 1000)`);
    await old.query(
      `INSERT INTO tasks (id, project_id, title, prompt, agent, settings, status, created_at) VALUES ('t1', 'p1', 'title', 'prompt', 'claude-code', '{}', 'completed', 2000)`,
    );
    // A task of the untyped-settings era, with a model and launch settings in the old bag.
    await old.query(
      `INSERT INTO tasks (id, project_id, title, prompt, agent, model, settings, status, created_at)
       VALUES ('t2', 'p1', 'second', 'fix it', 'claude-code', 'claude-sonnet-4-5',
               '{"maxIterations":7,"context":"fork","check":"npm test","checkTimeoutSeconds":60,"budgetUsd":2.5}', 'failed', 2500)`,
    );
    await old.query(
      `INSERT INTO sessions (session_id, task_id, iteration, status, started_at, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, turns, cost_usd)
       VALUES ('s1', 't1', 1, 'completed', 3000, 10, 20, 30, 40, 2, 0.5), ('s2', 't1', 2, 'failed', 4000, 1, 2, 3, 4, 1, 0.25)`,
    );
    await old.destroy();

    const upgraded = await openAt(file);
    expect(await columns(upgraded)).toEqual(expect.arrayContaining(['owner_pid', 'permission_denials']));
    const indexes = (
      (await upgraded.query(`SELECT name FROM sqlite_master WHERE type = 'index'`)) as Array<{ name: string }>
    ).map((i) => i.name);
    expect(indexes).toEqual(expect.arrayContaining(['idx_tasks_created_at', 'idx_sessions_started_at']));
    const summary = await new TaskStore(upgraded).taskSummary('t1');
    expect(summary).toMatchObject({
      title: 'title',
      status: 'completed',
      iterations: 2,
      totals: {
        inputTokens: 11,
        outputTokens: 22,
        cacheCreationTokens: 33,
        cacheReadTokens: 44,
        totalTokens: 110,
        turns: 3,
        costUsd: 0.75,
      },
    });
    // Sessions from before denials were counted read as none.
    expect((await new TaskStore(upgraded).sessionsOfTask('t1')).map((s) => s.permissionDenials)).toEqual([0, 0]);
    // The old settings bag became the typed spec, with the directory, prompt and model beside what it held.
    expect(summary?.spec).toEqual(taskSpecSchema.parse({ dir: '/tmp/proj', prompt: 'prompt' }));
    // Every task from before more agents came was Claude Code's.
    expect(summary?.agent).toBe('claude');
    expect((await new TaskStore(upgraded).taskSummary('t2'))?.spec).toEqual({
      dir: '/tmp/proj',
      prompt: 'fix it',
      model: 'claude-sonnet-4-5',
      maxIterations: 7,
      context: 'fork',
      check: 'npm test',
      checkTimeoutSeconds: 60,
      budgetUsd: 2.5,
      completionMarker: 'BATON_TASK_COMPLETE',
      idleTimeoutSeconds: 1800,
      maxRetries: 3,
      onQuota: 'wait',
      worktree: false,
      stallAfter: 3,
      agent: 'claude',
    });
    const taskColumns = ((await upgraded.query('PRAGMA table_info(tasks)')) as Array<{ name: string }>).map(
      (c) => c.name,
    );
    expect(taskColumns).toContain('spec');
    expect(taskColumns).not.toContain('settings');
    const [check] = await upgraded.query('PRAGMA integrity_check');
    expect(check.integrity_check).toBe('ok');
  });
});

describe('settings', () => {
  it('reads launch defaults it cannot parse as none, keeping the other settings', async () => {
    const dataSource = await openAt(path.join(dir, 'settings.db'));
    const store = new TaskStore(dataSource);
    await store.updateSettings({ taskDefaults: { codex: { maxIterations: 4 } }, dailyBudgetUsd: 2 });
    expect(await store.settings()).toMatchObject({ taskDefaults: { codex: { maxIterations: 4 } }, dailyBudgetUsd: 2 });
    await dataSource.query(`UPDATE app_settings SET value = '{"maxIterations":"many"}' WHERE key = 'taskDefaults'`);
    expect(await store.settings()).toMatchObject({ taskDefaults: {}, dailyBudgetUsd: 2 });
  });

  it('reads launch defaults stored before they were by agent as Claude Code’s', async () => {
    const dataSource = await openAt(path.join(dir, 'settings-old.db'));
    const store = new TaskStore(dataSource);
    const old = { model: 'claude-opus-4-5', permissionMode: 'plan', maxIterations: 9, budgetUsd: 3 };
    await dataSource.query(`INSERT INTO app_settings (key, value) VALUES ('taskDefaults', ?)`, [JSON.stringify(old)]);
    expect((await store.settings()).taskDefaults).toEqual({ claude: old });
    // Where Claude Code has defaults of its own, the old set is left behind.
    const both = { ...old, claude: { maxIterations: 2 }, gemini: { model: 'gemini-2.5-pro' } };
    await dataSource.query(`UPDATE app_settings SET value = ? WHERE key = 'taskDefaults'`, [JSON.stringify(both)]);
    expect((await store.settings()).taskDefaults).toEqual({
      claude: { maxIterations: 2 },
      gemini: { model: 'gemini-2.5-pro' },
    });
  });
});

describe('aggregation', () => {
  it('sums, counts and averages a task’s sessions in SQL', async () => {
    let clock = 1_000;
    const store = new TaskStore(await openAt(path.join(dir, 'agg.db')), () => clock++);
    const task = await store.createTask(taskInput({ settings: { maxIterations: 3 } }));
    const other = await store.createTask(taskInput());
    const rows = [
      {
        inputTokens: 100,
        outputTokens: 10,
        cacheCreationTokens: 5,
        cacheReadTokens: 1000,
        turns: 2,
        costUsd: 0.1,
        durationMs: 500,
        apiDurationMs: 300,
      },
      {
        inputTokens: 200,
        outputTokens: 20,
        cacheCreationTokens: 0,
        cacheReadTokens: 2000,
        turns: 3,
        costUsd: 0.2,
        durationMs: 700,
        apiDurationMs: 400,
      },
    ];
    for (const [i, row] of rows.entries()) {
      await store.startSession({ sessionId: `s${i}`, taskId: task.id, iteration: i + 1, model: null, ownerPid: 1 });
      await store.finishSession(`s${i}`, sessionFinish(row));
    }
    await store.startSession({ sessionId: 'x', taskId: other.id, iteration: 1, model: null, ownerPid: 1 });
    await store.finishSession('x', sessionFinish({ inputTokens: 99999, costUsd: 9 }));

    const summary = await store.taskSummary(task.id);
    expect(summary?.iterations).toBe(2);
    expect(summary?.totals).toEqual({
      inputTokens: 300,
      outputTokens: 30,
      cacheCreationTokens: 5,
      cacheReadTokens: 3000,
      totalTokens: 3335,
      turns: 5,
      costUsd: expect.closeTo(0.3, 10),
    });
    expect(summary?.averageTokensPerIteration).toBe(3335 / 2);
    expect(summary?.durationMs).toBe(1200);
    expect(summary?.apiDurationMs).toBe(700);
    expect(summary?.spec).toMatchObject({ dir, prompt: expect.any(String), maxIterations: 3, context: 'fresh' });
  });

  it('reports zeros for a task without sessions, and pages tasks newest first', async () => {
    let clock = 1_000;
    const store = new TaskStore(await openAt(path.join(dir, 'page.db')), () => (clock += 10));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await store.createTask(taskInput({ title: `t${i}` }))).id);
    }
    const first = await store.listTaskSummaries({ limit: 2, offset: 0 });
    const second = await store.listTaskSummaries({ limit: 2, offset: 2 });
    expect(first.map((t) => t.title)).toEqual(['t4', 't3']);
    expect(second.map((t) => t.title)).toEqual(['t2', 't1']);
    expect(first[0]).toMatchObject({
      iterations: 0,
      averageTokensPerIteration: 0,
      totals: { totalTokens: 0, costUsd: 0 },
    });
    expect(await store.resolveTaskId(ids[0]!.slice(0, 8))).toEqual([ids[0]]);
  });

  it('keeps the per-task daily rollup equal to the sessions through inserts, updates and deletes', async () => {
    const dataSource = await openAt(path.join(dir, 'rollup.db'));
    let clock = Date.UTC(2026, 0, 1, 23, 59, 55);
    const store = new TaskStore(dataSource, () => (clock += 1000));
    const task = await store.createTask(taskInput({ model: 'm0' }));
    for (let i = 1; i <= 4; i++) {
      await store.startSession({ sessionId: `r${i}`, taskId: task.id, iteration: i, model: null, ownerPid: 1 });
      await store.finishSession(
        `r${i}`,
        sessionFinish({ model: i % 2 ? 'claude-a' : 'claude-b', inputTokens: 10 * i, costUsd: 0.5 * i }),
      );
    }
    await dataSource.query(`DELETE FROM sessions WHERE session_id = 'r4'`);
    const fromRollup = await dataSource.query(
      `SELECT task_id, day, model, sessions, cost_usd, input_tokens FROM usage_by_task_day ORDER BY day, model`,
    );
    const fromSessions = await dataSource.query(
      `SELECT task_id, started_at / 86400000 AS day, COALESCE(model, '') AS model, COUNT(*) AS sessions,
              SUM(cost_usd) AS cost_usd, SUM(input_tokens) AS input_tokens
       FROM sessions GROUP BY 1, 2, 3 ORDER BY day, model`,
    );
    expect(fromRollup).toEqual(fromSessions);
    // The sessions straddle midnight, so the rollup has rows on two days.
    expect(new Set(fromRollup.map((r: { day: number }) => r.day)).size).toBe(2);
  });

  it('shares one project row per directory', async () => {
    const dataSource = await openAt(path.join(dir, 'proj.db'));
    const store = new TaskStore(dataSource);
    const a = await store.createTask(taskInput());
    const b = await store.createTask(taskInput({ workingDir: `${dir}/` }));
    expect(a.projectId).toBe(b.projectId);
    const [count] = await dataSource.query('SELECT COUNT(*) AS n FROM projects');
    expect(count.n).toBe(1);
  });
});

describe('the event recorder', () => {
  it('reports a failed write instead of throwing into the run', async () => {
    const dataSource = await openAt(path.join(dir, 'recorder.db'));
    const logged: string[] = [];
    const recorder = new EventRecorder(dataSource, (line) => logged.push(line));
    // No session row: the foreign key refuses the events.
    recorder.onEvent({
      type: 'agent.event',
      taskId: 't',
      sessionId: 'missing',
      iteration: 1,
      event: { kind: 'text', text: 'hello' },
    });
    await expect(recorder.flush()).resolves.toBeUndefined();
    expect(logged).toEqual([expect.stringMatching(/^baton: could not store 1 agent events for replay: .*FOREIGN KEY/)]);
  });
});

describe("a task's worktree", () => {
  it('keeps when it was merged or discarded, and nothing while it is active', async () => {
    let now = 1_700_000_000_000;
    const store = new TaskStore(await openAt(path.join(dir, 'w.db')), () => now);
    const worktree = {
      repositoryRoot: dir,
      path: path.join(dir, 'wt'),
      branch: 'baton/abc',
      baseCommit: 'c0ffee',
      baseBranch: 'main',
    };
    const merged = await store.createTask({ ...taskInput(), worktree });
    const discarded = await store.createTask({ ...taskInput(), worktree: { ...worktree, branch: 'baton/def' } });
    expect((await store.taskDetail(merged.id))?.worktree).toMatchObject({ state: 'active', stateChangedAt: null });

    now += 60_000;
    await store.setWorktreeState(merged.id, 'merged');
    now += 60_000;
    await store.setWorktreeState(discarded.id, 'discarded');
    expect((await store.taskDetail(merged.id))?.worktree).toMatchObject({
      state: 'merged',
      stateChangedAt: 1_700_000_060_000,
    });
    expect((await store.taskDetail(discarded.id))?.worktree).toMatchObject({
      state: 'discarded',
      stateChangedAt: 1_700_000_120_000,
    });
  });
});
