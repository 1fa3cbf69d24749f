/**
 * The history views: filtered, sorted pages of tasks, their totals, the charts (history/charts.ts), the
 * project list and exports. Everything is aggregated in SQL; what spans every task reads the rollups
 * (migration 19) where the filter allows.
 */
import type { DataSource } from 'typeorm';
import type { HistoryCharts, TaskFilter, TaskListTotals, TaskSortKey } from '../../contract/api';
import { modelName } from '../../contract/models';
import type { ProjectView, TaskSummary } from '../../contract/views';
import type { SpendingPeriods } from '../local-day';
import { historyCharts, projectNames, roundUsd, unknownCostTokensInPeriods } from './history/charts';
import { keysWhere, rollupKeys, whereOf } from './history/task-filter';
import { type SummaryRecord, SUMMARY_COLUMNS, toSummary } from './task-rows';
import type { ExportedTask } from './history-export';
import { connectionOf } from './write-transaction';

/** A session's tokens, all four kinds. */
const SESSION_TOKENS_SQL = 's.input_tokens + s.output_tokens + s.cache_creation_tokens + s.cache_read_tokens';
/** The tokens of the sessions whose cost is unknown: their cost is stored as 0. */
const UNKNOWN_COST_SUM_SQL = `SUM(CASE WHEN s.cost_source = 'unknown' THEN ${SESSION_TOKENS_SQL} END)`;
const UNKNOWN_COST_TOKENS_SQL = `COALESCE(${UNKNOWN_COST_SUM_SQL}, 0)`;
/** What the views add to a task's summary: its sessions' models, and the tokens whose cost is unknown. */
const MORE_SUMMARY_COLUMNS = `
  GROUP_CONCAT(DISTINCT NULLIF(s.model, '')) AS session_models,
  ${UNKNOWN_COST_TOKENS_SQL} AS unknown_cost_tokens`;
type ListedRecord = SummaryRecord & { session_models: string | null; unknown_cost_tokens: number };

/** The one name of each model a task's sessions ran, sorted, once each. */
function sessionModels(stored: string | null): string[] {
  const names = new Set<string>();
  for (const raw of stored ? stored.split(',') : []) {
    const name = modelName(raw);
    if (name !== null) names.add(name);
  }
  return [...names].sort();
}

/** A summary as History shows it: its sessions' models by their one name, and the tokens of unknown cost. */
function toListedSummary(row: ListedRecord): TaskSummary & { models: string[] } {
  const summary = toSummary(row);
  return {
    ...summary,
    models: sessionModels(row.session_models),
    totals: { ...summary.totals, unknownCostTokens: row.unknown_cost_tokens },
  };
}

const ORDER_COLUMN: Record<TaskSortKey, string> = {
  createdAt: 't.created_at',
  costUsd: 'cost_usd',
  totalTokens: 'total_tokens',
  iterations: 'iterations',
  durationMs: 'duration_ms',
};

/** The totals row, each sum over the session rows `s`, or over the daily rollup `u` (which holds the same sums). */
const TOTALS: Record<keyof TaskListTotals, { sessions: string; rollup: string }> = {
  iterations: { sessions: 'COUNT(s.id)', rollup: 'SUM(u.sessions)' },
  inputTokens: { sessions: 'SUM(s.input_tokens)', rollup: 'SUM(u.input_tokens)' },
  outputTokens: { sessions: 'SUM(s.output_tokens)', rollup: 'SUM(u.output_tokens)' },
  cacheCreationTokens: { sessions: 'SUM(s.cache_creation_tokens)', rollup: 'SUM(u.cache_creation_tokens)' },
  cacheReadTokens: { sessions: 'SUM(s.cache_read_tokens)', rollup: 'SUM(u.cache_read_tokens)' },
  totalTokens: {
    sessions: `SUM(${SESSION_TOKENS_SQL})`,
    rollup: 'SUM(u.input_tokens + u.output_tokens + u.cache_creation_tokens + u.cache_read_tokens)',
  },
  costUsd: { sessions: 'SUM(s.cost_usd)', rollup: 'SUM(u.cost_usd)' },
  unknownCostTokens: { sessions: UNKNOWN_COST_SUM_SQL, rollup: 'SUM(u.unknown_cost_tokens)' },
  durationMs: { sessions: 'SUM(s.duration_ms)', rollup: 'SUM(u.duration_ms)' },
};
const totalsOver = (from: 'sessions' | 'rollup') =>
  Object.entries(TOTALS)
    .map(([name, sums]) => `COALESCE(${sums[from]}, 0) AS ${name}`)
    .join(', ');

export interface TaskPageQuery {
  filter: TaskFilter;
  sort: { by: TaskSortKey; direction: 'asc' | 'desc' };
  limit: number;
  offset: number;
  withTotals?: boolean;
}

export class HistoryQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly now: () => number = Date.now,
  ) {}

  async listTasks(query: TaskPageQuery): Promise<{ tasks: TaskSummary[]; total: number; totals?: TaskListTotals }> {
    const where = whereOf(query.filter);
    const direction = query.sort.direction === 'asc' ? 'ASC' : 'DESC';
    const [{ total }] = (await this.dataSource.query(
      `SELECT COUNT(*) AS total FROM tasks t ${where.sql}`,
      where.params,
    )) as [{ total: number }];
    let sql: string;
    if (query.sort.by === 'createdAt') {
      // Cut the page first on the (created_at, id) index, then aggregate only its sessions.
      sql = `
        SELECT ${SUMMARY_COLUMNS}, ${MORE_SUMMARY_COLUMNS}
        FROM (SELECT * FROM tasks t ${where.sql} ORDER BY t.created_at ${direction}, t.id ${direction} LIMIT ? OFFSET ?) t
        JOIN projects p ON p.id = t.project_id
        LEFT JOIN sessions s ON s.task_id = t.id
        GROUP BY t.id
        ORDER BY t.created_at ${direction}, t.id ${direction}`;
    } else {
      sql = `
        SELECT ${SUMMARY_COLUMNS}, ${MORE_SUMMARY_COLUMNS}
        FROM tasks t
        JOIN projects p ON p.id = t.project_id
        LEFT JOIN sessions s ON s.task_id = t.id
        ${where.sql}
        GROUP BY t.id
        ORDER BY ${ORDER_COLUMN[query.sort.by]} ${direction}, t.created_at DESC, t.id DESC
        LIMIT ? OFFSET ?`;
    }
    const rows = (await this.dataSource.query(sql, [...where.params, query.limit, query.offset])) as ListedRecord[];
    const page = { tasks: rows.map(toListedSummary), total };
    return query.withTotals ? { ...page, totals: await this.totals(query.filter) } : page;
  }

  /** The sums of every task the filter selects, over the same session rows as each task's own totals. */
  async totals(filter: TaskFilter): Promise<TaskListTotals> {
    const keys = rollupKeys(filter);
    const where = keys ? keysWhere(keys, 'u') : whereOf(filter);
    const [row] = (await this.dataSource.query(
      keys
        ? `SELECT ${totalsOver('rollup')} FROM usage_by_day u ${where.sql}`
        : `SELECT ${totalsOver('sessions')} FROM tasks t JOIN sessions s ON s.task_id = t.id ${where.sql}`,
      where.params,
    )) as [TaskListTotals];
    return { ...row, costUsd: roundUsd(row.costUsd) };
  }

  /** The charts and figures of the tasks the filter selects, their days those of the IANA `timeZone`. */
  async charts(filter: TaskFilter, timeZone: string): Promise<HistoryCharts> {
    return historyCharts(connectionOf(this.dataSource), filter, timeZone, this.now());
  }

  /** The tokens of every task's sessions of unknown cost started since each period's start (as `spentInPeriods`). */
  async unknownCostTokensInPeriods(periods: SpendingPeriods): Promise<{ today: number; week: number; month: number }> {
    return unknownCostTokensInPeriods(connectionOf(this.dataSource), periods);
  }

  /** Every task the filter selects, newest first, with the models its sessions used, for export. */
  async allTasks(filter: TaskFilter): Promise<ExportedTask[]> {
    const where = whereOf(filter);
    const rows = (await this.dataSource.query(
      `SELECT ${SUMMARY_COLUMNS}, ${MORE_SUMMARY_COLUMNS}
       FROM tasks t JOIN projects p ON p.id = t.project_id LEFT JOIN sessions s ON s.task_id = t.id
       ${where.sql}
       GROUP BY t.id ORDER BY t.created_at DESC, t.id DESC`,
      where.params,
    )) as ListedRecord[];
    return rows.map(toListedSummary);
  }

  /** Every project's name, told apart from others of the same folder name. */
  async projectLabels(): Promise<Map<string, string>> {
    return projectNames(connectionOf(this.dataSource)).labels;
  }

  /** The projects most recently used first: each one's newest task is one step down its index. */
  async listProjects(limit = 50): Promise<ProjectView[]> {
    const rows = (await this.dataSource.query(
      `SELECT p.id, p.name, p.working_dir AS workingDir,
              COALESCE((SELECT MAX(t.created_at) FROM tasks t WHERE t.project_id = p.id), p.created_at) AS lastUsedAt
       FROM projects p ORDER BY lastUsedAt DESC LIMIT ?`,
      [limit],
    )) as ProjectView[];
    const labels = await this.projectLabels();
    return rows.map((p) => ({ ...p, name: labels.get(p.id) ?? p.name }));
  }
}
