/**
 * Migration 16 stores statuses as they are. A store from every earlier schema version, filled with rows of each
 * kind (the encoded states among them), is migrated twice: up to just before migration 16, and to the end. Every
 * row of every table must then be what the first copy holds, converted as migration 16 says and no otherwise,
 * and the store must read each task's and session's state as it did.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../migrations';
import { StoredStatuses1764030000016 } from '../../migrations/1764030000016-stored-statuses';
import { openDataSource } from '../../src-main/core/store/data-source';
import { TaskStore } from '../../src-main/core/store/task-store';
import { expectedRollups, storedRollups } from '../support/history-rollups';

type Row = Record<string, unknown>;

const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-stored-statuses-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STORED_STATUSES = MIGRATIONS.indexOf(StoredStatuses1764030000016);
const WAKE_AT = 1_900_000_000_000;

async function columnsOf(ds: DataSource, table: string): Promise<Set<string>> {
  return new Set(((await ds.query(`PRAGMA table_info("${table}")`)) as Array<{ name: string }>).map((c) => c.name));
}

/** Inserts the values whose columns this schema version has; the rest did not exist yet. */
async function insert(ds: DataSource, table: string, values: Row): Promise<boolean> {
  const columns = await columnsOf(ds, table);
  if (columns.size === 0) return false;
  const present = Object.entries(values).filter(([column]) => columns.has(column));
  await ds.query(
    `INSERT INTO "${table}" (${present.map(([column]) => column).join(', ')}) VALUES (${present.map(() => '?').join(', ')})`,
    present.map(([, value]) => value),
  );
  return true;
}

/** A task as this version stores it; `encoded` ones only where their encoding's column exists. */
interface TaskFixture {
  id: string;
  status: string;
  wakeAt?: number;
  stalled?: 1;
  /** What the store reads it as, before migration 16 and after. */
  reads: string;
}

const TASKS: TaskFixture[] = [
  { id: 'queued', status: 'queued', reads: 'queued' },
  { id: 'running', status: 'running', reads: 'running' },
  { id: 'waiting', status: 'running', wakeAt: WAKE_AT, reads: 'waiting' },
  { id: 'waiting-api', status: 'running', wakeAt: WAKE_AT + 1, reads: 'waiting' },
  { id: 'holding', status: 'running', wakeAt: WAKE_AT + 2, reads: 'waiting' },
  { id: 'completed', status: 'completed', reads: 'completed' },
  { id: 'max-iterations', status: 'max_iterations', reads: 'max_iterations' },
  { id: 'failed', status: 'failed', reads: 'failed' },
  { id: 'stalled', status: 'failed', stalled: 1, reads: 'stalled' },
  { id: 'cancelled-at-window', status: 'cancelled', wakeAt: WAKE_AT, reads: 'cancelled' },
  { id: 'interrupted', status: 'interrupted', wakeAt: WAKE_AT, reads: 'interrupted' },
  { id: 'budget', status: 'budget_exceeded', reads: 'budget_exceeded' },
];

/** A session as this version stores it, and what the store reads of it. */
interface SessionFixture {
  sessionId: string;
  taskId: string;
  status: string;
  costSource?: string;
  costUnknown?: 1;
  errorKind?: string;
  reads: { costSource: string; waitingFor: string | null; errorKind: string | null };
}

const SESSIONS: SessionFixture[] = [
  ...['agent', 'estimated'].map((costSource) => ({
    sessionId: `done-${costSource}`,
    taskId: 'completed',
    status: 'completed',
    costSource,
    reads: { costSource, waitingFor: null, errorKind: null },
  })),
  {
    sessionId: 'cost-unknown',
    taskId: 'completed',
    status: 'completed',
    costSource: 'estimated',
    costUnknown: 1,
    reads: { costSource: 'unknown', waitingFor: null, errorKind: null },
  },
  {
    sessionId: 'waits-for-window',
    taskId: 'waiting',
    status: 'running',
    errorKind: 'quota_exhausted',
    reads: { costSource: 'agent', waitingFor: 'quota', errorKind: null },
  },
  {
    sessionId: 'waits-for-api',
    taskId: 'waiting-api',
    status: 'running',
    errorKind: 'api_unreachable',
    reads: { costSource: 'agent', waitingFor: 'api', errorKind: null },
  },
  {
    sessionId: 'runs',
    taskId: 'running',
    status: 'running',
    reads: { costSource: 'agent', waitingFor: null, errorKind: null },
  },
  // Error kinds of ended iterations are errors, and stay.
  ...['failed', 'interrupted'].map((status) => ({
    sessionId: `${status}-at-window`,
    taskId: status,
    status,
    errorKind: 'quota_exhausted',
    reads: { costSource: 'agent', waitingFor: null, errorKind: 'quota_exhausted' },
  })),
];

/** Rows of every kind this schema version has a table for. */
async function fill(ds: DataSource): Promise<void> {
  const taskColumns = await columnsOf(ds, 'tasks');
  const sessionColumns = await columnsOf(ds, 'sessions');
  await insert(ds, 'projects', { id: 'p', name: 'proj', working_dir: '/tmp/proj', created_at: 1000 });
  for (const [index, task] of TASKS.entries()) {
    // A fixture whose encoding this version cannot hold does not exist in it.
    if (task.wakeAt !== undefined && !taskColumns.has('wake_at')) continue;
    if (task.stalled !== undefined && !taskColumns.has('stalled')) continue;
    await insert(ds, 'tasks', {
      id: task.id,
      project_id: 'p',
      title: `title ${task.id}`,
      prompt: 'p',
      agent: taskColumns.has('spec') ? 'claude' : 'claude-code',
      model: 'claude-sonnet-4-5',
      spec: JSON.stringify({ dir: '/tmp/proj', prompt: 'p', model: 'claude-sonnet-4-5' }),
      status: task.status,
      status_reason: `because ${task.id}`,
      created_at: 2000 + index,
      started_at: task.status === 'queued' ? null : 3000,
      finished_at: ['queued', 'running'].includes(task.status) ? null : 4000,
      owner_pid: ['queued', 'running'].includes(task.status) ? process.pid : null,
      wake_at: task.wakeAt ?? null,
      stalled: task.stalled ?? 0,
      change_tracking: 'git',
      owner_host: 'cli',
    });
  }
  const tasks = new Set(((await ds.query(`SELECT id FROM tasks`)) as Row[]).map((row) => row.id));
  const iterations = new Map<string, number>();
  for (const [index, session] of SESSIONS.entries()) {
    if (!tasks.has(session.taskId)) continue;
    if (session.costUnknown !== undefined && !sessionColumns.has('cost_unknown')) continue;
    const iteration = (iterations.get(session.taskId) ?? 0) + 1;
    iterations.set(session.taskId, iteration);
    const running = session.status === 'running';
    await insert(ds, 'sessions', {
      session_id: session.sessionId,
      task_id: session.taskId,
      iteration,
      status: session.status,
      started_at: 86_400_000 * (index + 1),
      ended_at: running ? null : 86_400_000 * (index + 1) + 5000,
      model: 'claude-sonnet-4-5',
      input_tokens: 10 + index,
      output_tokens: 20 + index,
      cache_creation_tokens: 30 + index,
      cache_read_tokens: 40 + index,
      turns: 2,
      cost_usd: session.costUnknown ? 0 : 0.25 + index,
      cost_source: session.costSource ?? 'agent',
      cost_unknown: session.costUnknown ?? 0,
      error_kind: session.errorKind ?? null,
      error_message: session.errorKind ? `waiting: ${session.sessionId}` : null,
      owner_pid: running ? process.pid : null,
      retries: 1,
      retry_log: JSON.stringify([{ attempt: 1, sessionId: 'x', errorKind: 'quota_exhausted', error: 'spent' }]),
      permission_denials: 1,
      rate_limit: '{"status":"allowed"}',
      usage_so_far: running ? '{"inputTokens":5}' : null,
      git_before: 'abc',
      git_after: running ? null : 'def',
      files_changed: 1,
      insertions: 2,
      deletions: 3,
      changed_files: '[]',
      agent_session_id: `agent-${session.sessionId}`,
      reasoning_tokens: 4,
      computed_cost_usd: session.costUnknown ? null : 0.2,
      cache_write_1h_tokens: 5,
      speed: 'standard',
    });
    await insert(ds, 'session_events', { session_id: session.sessionId, seq: 0, kind: 'text', payload: '{}' });
  }
  // A session deleted at the end: its id must not come back (the live follower takes row ids as seen).
  await ds.query(`DELETE FROM sessions WHERE session_id = 'runs'`);
  if (tasks.has('stalled')) {
    await insert(ds, 'task_worktrees', {
      task_id: 'stalled',
      repository_root: '/tmp/proj',
      path: '/tmp/wt',
      branch: 'baton/stalled',
      base_commit: 'abc',
      created_at: 5000,
    });
  }
  await insert(ds, 'app_settings', { key: 'dailyBudgetUsd', value: '5' });
  await insert(ds, 'quota_windows', { name: 'five_hour', status: 'rejected', resets_at: WAKE_AT, seen_at: 6000 });
  await insert(ds, 'transcript_files', {
    ...{ path: '/t.jsonl', agent: 'claude', size: 1, mtime_ms: 1, read_to: 1, head: 'h', lines: 1, imported_at: 1 },
  });
  await insert(ds, 'usage_messages', {
    ...{ dedup_key: 'm:r', agent: 'claude', file_path: '/t.jsonl', at: 1, input_tokens: 1, output_tokens: 1 },
    ...{ cache_creation_tokens: 0, cache_read_tokens: 0, cost_source: 'unknown' },
  });
}

/** Every row of every table (the migrations' own record, and its counter, aside), each table's rows in a stable order. */
async function snapshot(ds: DataSource): Promise<Map<string, Row[]>> {
  const tables = (await ds.query(
    `SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'migrations' ORDER BY name`,
  )) as Array<{ name: string }>;
  const all = new Map<string, Row[]>();
  for (const { name } of tables) {
    const rows = (await ds.query(
      name === 'sqlite_sequence'
        ? `SELECT * FROM sqlite_sequence WHERE name <> 'migrations'`
        : `SELECT * FROM "${name}"`,
    )) as Row[];
    all.set(
      name,
      rows.map((row) => ({ ...row })).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
  }
  return all;
}

/** What migration 16 does to a row, said again here apart from its SQL. */
function converted(table: string, row: Row): Row {
  // Migration 17 (the event log): a stored event records the log row written with it; none for older ones.
  // Migration 18: and when it came, unknown for older ones.
  if (table === 'session_events') return { ...row, log_seq: null, at: null };
  // Migration 20: when a worktree was merged or discarded, unknown for older ones.
  if (table === 'task_worktrees') return { ...row, state_changed_at: null };
  if (table === 'tasks') {
    const { stalled, ...rest } = row;
    const status =
      row.status === 'running' && row.wake_at !== null
        ? 'waiting'
        : row.status === 'failed' && stalled === 1
          ? 'stalled'
          : row.status;
    return { ...rest, status };
  }
  if (table === 'sessions') {
    const { cost_unknown: costUnknown, ...rest } = row;
    const waits = row.status === 'running' ? { quota_exhausted: 'quota', api_unreachable: 'api' } : {};
    const waitCause = (waits as Record<string, string>)[String(row.error_kind)] ?? null;
    return {
      ...rest,
      cost_source: costUnknown === 1 ? 'unknown' : row.cost_source,
      error_kind: waitCause === null ? row.error_kind : null,
      wait_cause: waitCause,
    };
  }
  return row;
}

const open = async (file: string, migrations = MIGRATIONS) => openDataSource({ file, migrations });

describe('migration 16: statuses stored as they are', () => {
  it('knows where it stands among the migrations', () => {
    expect(STORED_STATUSES).toBeGreaterThan(0);
  });

  for (let version = 1; version <= STORED_STATUSES; version++) {
    it(`upgrades a store filled at schema version ${version}, converting the encoded states and keeping every row`, async () => {
      const file = path.join(dir, `v${version}.db`);
      const old = await open(file, MIGRATIONS.slice(0, version));
      await fill(old);
      await old.destroy();
      const beforeFile = path.join(dir, `v${version}-before.db`);
      copyFileSync(file, beforeFile);

      // The same store just before migration 16: what it held, and what the store read of it then.
      const before = await open(beforeFile, MIGRATIONS.slice(0, STORED_STATUSES));
      const held = await snapshot(before);
      const taskRows = (held.get('tasks') ?? []).map((row) => String(row.id));
      await before.destroy();

      const upgraded = await open(file);
      try {
        const now = await snapshot(upgraded);
        // The tables later migrations add: the event log starts empty, History's rollups sum what is stored.
        const added = [...now.keys()].filter((table) => !held.has(table));
        expect(added).toEqual(['event_log', 'task_counts', 'usage_by_day', 'usage_by_quarter_hour']);
        expect(now.get('event_log')).toEqual([]);
        expect(await storedRollups(upgraded)).toEqual(await expectedRollups(upgraded));
        expect(now.get('usage_by_quarter_hour')?.length).toBe((held.get('sessions') ?? []).length);
        expect([...now.keys()].filter((table) => held.has(table))).toEqual([...held.keys()]);
        for (const [table, rows] of held) {
          const expected = rows
            .map((row) => converted(table, row))
            .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
          const actual = (now.get(table) ?? []).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
          expect({ table, rows: actual }).toEqual({ table, rows: expected });
        }
        expect(await upgraded.query('PRAGMA foreign_key_check')).toEqual([]);
        expect(await upgraded.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
        expect(await upgraded.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);

        // What the store reads: each task's and session's state, as the encodings said it before.
        const store = new TaskStore(upgraded);
        for (const task of TASKS.filter((t) => taskRows.includes(t.id))) {
          expect({ id: task.id, status: (await store.taskSummary(task.id))?.status }).toEqual({
            id: task.id,
            status: task.reads,
          });
        }
        const sessions = (await Promise.all(taskRows.map((id) => store.sessionsOfTask(id)))).flat();
        for (const session of sessions) {
          const fixture = SESSIONS.find((s) => s.sessionId === session.sessionId)!;
          expect({ id: session.sessionId, ...fixture.reads }).toEqual({
            id: session.sessionId,
            costSource: session.costSource,
            waitingFor: session.waitingFor,
            errorKind: session.errorKind,
          });
        }
        expect(sessions.map((s) => s.sessionId).sort()).toEqual(
          (held.get('sessions') ?? []).map((row) => String(row.session_id)).sort(),
        );

        // From here on the triggers keep the rollups: a session written, one re-priced, a task withdrawn.
        const [first] = (await upgraded.query(`SELECT id, task_id FROM sessions ORDER BY id LIMIT 1`)) as Row[];
        if (first) {
          await upgraded.query(`UPDATE sessions SET cost_usd = cost_usd + 1, cost_source = 'unknown' WHERE id = ?`, [
            first.id,
          ]);
          await upgraded.query(
            `INSERT INTO sessions (session_id, task_id, iteration, status, started_at, model, input_tokens, cost_usd)
             VALUES ('written-after', ?, 99, 'completed', 90000000, NULL, 7, 0.5)`,
            [first.task_id],
          );
        }
        await store.withdrawTask(taskRows.at(-1)!);
        expect(await storedRollups(upgraded)).toEqual(await expectedRollups(upgraded));
      } finally {
        await upgraded.destroy();
      }
    });
  }
});
