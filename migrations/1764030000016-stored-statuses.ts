import type { Migration, MigrationDb } from './migration';
import { rebuildTable } from './rebuild-table';

/**
 * Statuses stored as they are, now that a migration can rebuild tables (see rebuild-table.ts). Until now each
 * was encoded around a CHECK that an ALTER TABLE could not change:
 *
 * - tasks: 'waiting' was 'running' with `wake_at` set (migration 9), and 'stalled' was 'failed' with the
 *   `stalled` flag (migration 11). Both are statuses now; `stalled` goes, `wake_at` stays as the time a wait
 *   ends (or, on a task stopped at a spent window, when that window reopens). A waiting task always has one.
 * - sessions: an unknown cost was source 'estimated' with the `cost_unknown` flag (migration 12); it is the
 *   source 'unknown' now, and the flag goes. A running iteration that waited carried the wait's error kind
 *   ('quota_exhausted', 'api_unreachable') as its mark; `wait_cause` ('quota', 'api') is that mark now, on
 *   running rows only, and error_kind is left to errors. error_message still holds what it waits on.
 */
const TASK_STATUSES_BEFORE = `'queued','running','completed','max_iterations','failed','cancelled','interrupted','budget_exceeded'`;
const TASK_STATUSES_NOW = `${TASK_STATUSES_BEFORE},'waiting','stalled'`;

/** The columns each version has of its own, and its CHECKs of more than one column (after every column). */
interface Differences {
  column?: string;
  constraints?: string;
}
const columnOf = (own: Differences) => (own.column ? `${own.column},` : '');
const constraintsOf = (own: Differences) => (own.constraints ? `, ${own.constraints}` : '');

const tasksTable = (statuses: string, own: Differences) => (name: string) => `
  CREATE TABLE "${name}" (
    id              TEXT PRIMARY KEY NOT NULL,
    project_id      TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    title           TEXT NOT NULL,
    prompt          TEXT NOT NULL,
    agent           TEXT NOT NULL,
    model           TEXT,
    status          TEXT NOT NULL CHECK (status IN (${statuses})),
    status_reason   TEXT,
    created_at      INTEGER NOT NULL,
    started_at      INTEGER,
    finished_at     INTEGER,
    owner_pid       INTEGER,
    spec            TEXT NOT NULL DEFAULT '{}',
    wake_at         INTEGER,
    change_tracking TEXT,
    ${columnOf(own)}
    owner_host      TEXT
    ${constraintsOf(own)}
  )`;

const sessionsTable = (costSources: string, own: Differences) => (name: string) => `
  CREATE TABLE "${name}" (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id            TEXT NOT NULL UNIQUE,
    task_id               TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    iteration             INTEGER NOT NULL CHECK (iteration >= 1),
    status                TEXT NOT NULL CHECK (status IN ('running','completed','failed','cancelled','interrupted')),
    started_at            INTEGER NOT NULL,
    ended_at              INTEGER,
    model                 TEXT,
    input_tokens          INTEGER NOT NULL DEFAULT 0,
    output_tokens         INTEGER NOT NULL DEFAULT 0,
    cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens     INTEGER NOT NULL DEFAULT 0,
    turns                 INTEGER NOT NULL DEFAULT 0,
    cost_usd              REAL NOT NULL DEFAULT 0,
    cost_source           TEXT NOT NULL DEFAULT 'agent' CHECK (cost_source IN (${costSources})),
    duration_ms           INTEGER NOT NULL DEFAULT 0,
    api_duration_ms       INTEGER NOT NULL DEFAULT 0,
    exit_code             INTEGER,
    error_kind            TEXT,
    error_message         TEXT,
    result_excerpt        TEXT,
    owner_pid             INTEGER,
    retries               INTEGER NOT NULL DEFAULT 0,
    retry_log             TEXT,
    permission_denials    INTEGER NOT NULL DEFAULT 0,
    rate_limit            TEXT,
    usage_so_far          TEXT,
    events_not_stored     INTEGER NOT NULL DEFAULT 0,
    git_before            TEXT,
    git_after             TEXT,
    files_changed         INTEGER,
    insertions            INTEGER,
    deletions             INTEGER,
    changed_files         TEXT,
    check_exit_code       INTEGER,
    check_duration_ms     INTEGER,
    check_output          TEXT,
    check_timed_out       INTEGER,
    agent_session_id      TEXT,
    reasoning_tokens      INTEGER NOT NULL DEFAULT 0,
    computed_cost_usd     REAL,
    ${columnOf(own)}
    cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0,
    speed                 TEXT NOT NULL DEFAULT 'standard'
    ${constraintsOf(own)}
  )`;

/** Columns both versions of a table have, copied as they are. */
const same = (columns: string[]) => Object.fromEntries(columns.map((column) => [column, column]));
const TASK_COLUMNS = same(
  ['id', 'project_id', 'title', 'prompt', 'agent', 'model', 'status_reason', 'created_at', 'started_at'].concat([
    'finished_at',
    'owner_pid',
    'spec',
    'wake_at',
    'change_tracking',
    'owner_host',
  ]),
);
const SESSION_COLUMNS = same([
  ...['id', 'session_id', 'task_id', 'iteration', 'status', 'started_at', 'ended_at', 'model', 'input_tokens'],
  ...['output_tokens', 'cache_creation_tokens', 'cache_read_tokens', 'turns', 'cost_usd', 'duration_ms'],
  ...['api_duration_ms', 'exit_code', 'error_message', 'result_excerpt', 'owner_pid', 'retries', 'retry_log'],
  ...['permission_denials', 'rate_limit', 'usage_so_far', 'events_not_stored', 'git_before', 'git_after'],
  ...['files_changed', 'insertions', 'deletions', 'changed_files', 'check_exit_code', 'check_duration_ms'],
  ...['check_output', 'check_timed_out', 'agent_session_id', 'reasoning_tokens', 'computed_cost_usd'],
  ...['cache_write_1h_tokens', 'speed'],
]);
const WAIT_MARK = `status = 'running' AND error_kind IN ('quota_exhausted', 'api_unreachable')`;

export class StoredStatuses1764030000016 implements Migration {
  name = 'StoredStatuses1764030000016';
  rebuildsTables = true;

  async up(db: MigrationDb): Promise<void> {
    await rebuildTable(db, 'tasks', {
      create: tasksTable(TASK_STATUSES_NOW, { constraints: `CHECK (status <> 'waiting' OR wake_at IS NOT NULL)` }),
      copy: {
        ...TASK_COLUMNS,
        status: `CASE WHEN status = 'running' AND wake_at IS NOT NULL THEN 'waiting'
                      WHEN status = 'failed' AND stalled = 1 THEN 'stalled' ELSE status END`,
      },
    });
    await rebuildTable(db, 'sessions', {
      create: sessionsTable(`'agent','estimated','unknown'`, {
        column: `wait_cause TEXT CHECK (wait_cause IN ('quota','api'))`,
        constraints: `CHECK (wait_cause IS NULL OR status = 'running')`,
      }),
      copy: {
        ...SESSION_COLUMNS,
        cost_source: `CASE WHEN cost_unknown = 1 THEN 'unknown' ELSE cost_source END`,
        wait_cause: `CASE WHEN ${WAIT_MARK} THEN CASE error_kind WHEN 'quota_exhausted' THEN 'quota' ELSE 'api' END END`,
        error_kind: `CASE WHEN ${WAIT_MARK} THEN NULL ELSE error_kind END`,
      },
    });
  }

  async down(db: MigrationDb): Promise<void> {
    await rebuildTable(db, 'sessions', {
      create: sessionsTable(`'agent','estimated'`, { column: 'cost_unknown INTEGER NOT NULL DEFAULT 0' }),
      copy: {
        ...SESSION_COLUMNS,
        cost_source: `CASE WHEN cost_source = 'unknown' THEN 'estimated' ELSE cost_source END`,
        cost_unknown: `cost_source = 'unknown'`,
        error_kind: `CASE wait_cause WHEN 'quota' THEN 'quota_exhausted' WHEN 'api' THEN 'api_unreachable' ELSE error_kind END`,
      },
    });
    await rebuildTable(db, 'tasks', {
      create: tasksTable(TASK_STATUSES_BEFORE, { column: 'stalled INTEGER NOT NULL DEFAULT 0' }),
      copy: {
        ...TASK_COLUMNS,
        status: `CASE status WHEN 'waiting' THEN 'running' WHEN 'stalled' THEN 'failed' ELSE status END`,
        stalled: `status = 'stalled'`,
      },
    });
  }
}
