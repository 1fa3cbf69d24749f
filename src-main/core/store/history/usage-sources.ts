/**
 * Where History's charts read the sessions' sums from: the rollups by project and agent (migration 19) when
 * the filter selects by nothing else, or else the sums per task (usage_by_task_day, migration 4) of the tasks
 * it selects, with the session rows for the quarter hours that move and for the tokens of unknown cost.
 * Both give the same rows for the same sessions.
 */
import { QUARTER_HOUR_MS } from '../../../../migrations/1764030000019-history-rollups';
import { DAY_MS } from '../../local-day';
import type { TaskFilter } from '../../../contract/api';
import type { Connection } from '../write-transaction';
import type { QuarterRange, UsageRow } from './usage-by-bucket';
import { andWhere, keysWhere, type RollupKeys, rollupKeys, type Where, whereOf } from './task-filter';

export interface TaskCount {
  project: string;
  agent: string;
  tasks: number;
  /** Of them, the tasks with at least one session. */
  tasksWithSessions: number;
}

export interface UsageSource {
  /** The tasks selected: how many, and when the first and the last were created. */
  span(): { tasks: number; first: number | null; last: number | null };
  /** The sums by UTC day, model, project and agent. */
  days(): UsageRow[];
  /** The same by UTC quarter hour, within the ranges. */
  quarters(ranges: QuarterRange[]): UsageRow[];
  taskCounts(): TaskCount[];
}

/** The sums a rollup keeps, as UsageRow names them. */
const rollupSums = (a: string) => `${a}.sessions, ${a}.cost_usd AS costUsd, ${a}.input_tokens AS inputTokens,
  ${a}.output_tokens AS outputTokens, ${a}.cache_creation_tokens AS cacheCreationTokens,
  ${a}.cache_read_tokens AS cacheReadTokens, ${a}.unknown_cost_tokens AS unknownCostTokens`;
const SESSION_TOKENS = 's.input_tokens + s.output_tokens + s.cache_creation_tokens + s.cache_read_tokens';
/** The model a session counts under: its own, or its task's. */
const SESSION_MODEL = "COALESCE(NULLIF(s.model, ''), t.model, '')";
/**
 * Ranges of quarter hours as json_each reads them: each [from, to). The session queries name their join
 * order (CROSS JOIN): down the ranges, then the sessions' start times (or the few of unknown cost), then
 * their tasks. Left to choose, SQLite takes every task of a status first, then all of their sessions.
 */
const rangesJson = (ranges: QuarterRange[]) => JSON.stringify(ranges.map((r) => [r.from, r.to]));

function rollupSource(db: Connection, keys: RollupKeys): UsageSource {
  const all = <T>(sql: string, params: unknown[]) => db.prepare(sql).all(...params) as T[];
  const [counts, tasks, day, quarter] = ['c', 't', 'u', 'q'].map((alias) => keysWhere(keys, alias)) as [
    Where,
    Where,
    Where,
    Where,
  ];
  return {
    span: () =>
      // Apart, so each is one step down an index.
      all<{ tasks: number; first: number | null; last: number | null }>(
        `SELECT (SELECT COALESCE(SUM(c.tasks), 0) FROM task_counts c ${counts.sql}) AS tasks,
                (SELECT MIN(t.created_at) FROM tasks t ${tasks.sql}) AS first,
                (SELECT MAX(t.created_at) FROM tasks t ${tasks.sql}) AS last`,
        [...counts.params, ...tasks.params, ...tasks.params],
      )[0]!,
    days: () =>
      all(
        `SELECT u.day AS unit, u.model, u.project_id AS project, u.agent, ${rollupSums('u')} FROM usage_by_day u ${day.sql}`,
        day.params,
      ),
    quarters: (ranges) =>
      all(
        `SELECT q.slot AS unit, q.model, q.project_id AS project, q.agent, ${rollupSums('q')}
         FROM json_each(?) r CROSS JOIN usage_by_quarter_hour q
         ${andWhere(quarter.sql, 'q.slot >= r.value ->> 0 AND q.slot < r.value ->> 1')}`,
        [rangesJson(ranges), ...quarter.params],
      ),
    taskCounts: () =>
      all(
        `SELECT c.project_id AS project, c.agent, c.tasks, c.tasks_with_sessions AS tasksWithSessions
         FROM task_counts c ${counts.sql}`,
        counts.params,
      ),
  };
}

function taskSource(db: Connection, where: Where): UsageSource {
  const all = <T>(sql: string, params: unknown[] = []) => db.prepare(sql).all(...params) as T[];
  return {
    span: () =>
      all<{ tasks: number; first: number | null; last: number | null }>(
        `SELECT COUNT(*) AS tasks, MIN(t.created_at) AS first, MAX(t.created_at) AS last FROM tasks t ${where.sql}`,
        where.params,
      )[0]!,
    // The per-task rollup has no tokens of unknown cost: those come from their sessions, few and indexed.
    days: () =>
      all(
        `SELECT u.day AS unit, COALESCE(NULLIF(u.model, ''), t.model, '') AS model, t.project_id AS project, t.agent,
                SUM(u.sessions) AS sessions, SUM(u.cost_usd) AS costUsd, SUM(u.input_tokens) AS inputTokens,
                SUM(u.output_tokens) AS outputTokens, SUM(u.cache_creation_tokens) AS cacheCreationTokens,
                SUM(u.cache_read_tokens) AS cacheReadTokens, 0 AS unknownCostTokens
         FROM tasks t JOIN usage_by_task_day u ON u.task_id = t.id ${where.sql}
         GROUP BY 1, 2, 3, 4
         UNION ALL
         SELECT s.started_at / ${DAY_MS}, ${SESSION_MODEL}, t.project_id, t.agent, 0, 0, 0, 0, 0, 0, SUM(${SESSION_TOKENS})
         FROM sessions s CROSS JOIN tasks t ON t.id = s.task_id ${andWhere(where.sql, "s.cost_source = 'unknown'")}
         GROUP BY 1, 2, 3, 4`,
        [...where.params, ...where.params],
      ),
    quarters: (ranges) =>
      all(
        `SELECT s.started_at / ${QUARTER_HOUR_MS} AS unit, ${SESSION_MODEL} AS model, t.project_id AS project, t.agent,
                COUNT(*) AS sessions, SUM(s.cost_usd) AS costUsd, SUM(s.input_tokens) AS inputTokens,
                SUM(s.output_tokens) AS outputTokens, SUM(s.cache_creation_tokens) AS cacheCreationTokens,
                SUM(s.cache_read_tokens) AS cacheReadTokens,
                SUM(CASE WHEN s.cost_source = 'unknown' THEN ${SESSION_TOKENS} ELSE 0 END) AS unknownCostTokens
         FROM json_each(?) r CROSS JOIN sessions s CROSS JOIN tasks t ON t.id = s.task_id
         ${andWhere(
           where.sql,
           `s.started_at >= (r.value ->> 0) * ${QUARTER_HOUR_MS} AND s.started_at < (r.value ->> 1) * ${QUARTER_HOUR_MS}`,
         )}
         GROUP BY 1, 2, 3, 4`,
        [rangesJson(ranges), ...where.params],
      ),
    taskCounts: () =>
      all(
        `SELECT t.project_id AS project, t.agent, COUNT(*) AS tasks,
                SUM(EXISTS (SELECT 1 FROM sessions s WHERE s.task_id = t.id)) AS tasksWithSessions
         FROM tasks t ${where.sql} GROUP BY 1, 2`,
        where.params,
      ),
  };
}

/** The rollups where they can answer the filter, else the sums per task. */
export function usageSource(db: Connection, filter: TaskFilter): UsageSource {
  const keys = rollupKeys(filter);
  return keys ? rollupSource(db, keys) : taskSource(db, whereOf(filter));
}
