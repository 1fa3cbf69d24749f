/**
 * The history views: filtered, sorted pages of tasks, the chart series and
 * exports. Everything is aggregated in SQL; series are bucketed so a chart
 * never gets more than a few hundred points however long the range.
 */
import type { DataSource } from 'typeorm';
import type { HistoryBucket, HistoryCharts, TaskFilter, TaskSortKey } from '../../contract/api';
import type { ProjectView, TaskSummary } from '../../contract/views';
import { type SummaryRecord, SUMMARY_COLUMNS, toSummary } from './task-store';

const DAY_MS = 86_400_000;

function whereOf(filter: TaskFilter): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter.projectId !== undefined) {
    clauses.push('t.project_id = ?');
    params.push(filter.projectId);
  }
  if (filter.status !== undefined) {
    clauses.push('t.status = ?');
    params.push(filter.status);
  }
  if (filter.from !== undefined) {
    clauses.push('t.created_at >= ?');
    params.push(filter.from);
  }
  if (filter.to !== undefined) {
    clauses.push('t.created_at < ?');
    params.push(filter.to);
  }
  return { sql: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

const ORDER_COLUMN: Record<TaskSortKey, string> = {
  createdAt: 't.created_at',
  costUsd: 'cost_usd',
  totalTokens: 'total_tokens',
  iterations: 'iterations',
  durationMs: 'duration_ms',
};

export function bucketFor(spanMs: number): HistoryBucket {
  if (spanMs <= 120 * DAY_MS) return 'day';
  if (spanMs <= 3 * 365 * DAY_MS) return 'week';
  return 'month';
}

const BUCKET_FORMAT: Record<HistoryBucket, string> = { day: '%Y-%m-%d', week: '%Y-W%W', month: '%Y-%m' };

export interface TaskPageQuery {
  filter: TaskFilter;
  sort: { by: TaskSortKey; direction: 'asc' | 'desc' };
  limit: number;
  offset: number;
}

export class HistoryQueries {
  constructor(private readonly dataSource: DataSource) {}

  async listTasks(query: TaskPageQuery): Promise<{ tasks: TaskSummary[]; total: number }> {
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
        SELECT ${SUMMARY_COLUMNS}
        FROM (SELECT * FROM tasks t ${where.sql} ORDER BY t.created_at ${direction}, t.id ${direction} LIMIT ? OFFSET ?) t
        JOIN projects p ON p.id = t.project_id
        LEFT JOIN sessions s ON s.task_id = t.id
        GROUP BY t.id
        ORDER BY t.created_at ${direction}, t.id ${direction}`;
    } else {
      sql = `
        SELECT ${SUMMARY_COLUMNS}
        FROM tasks t
        JOIN projects p ON p.id = t.project_id
        LEFT JOIN sessions s ON s.task_id = t.id
        ${where.sql}
        GROUP BY t.id
        ORDER BY ${ORDER_COLUMN[query.sort.by]} ${direction}, t.created_at DESC, t.id DESC
        LIMIT ? OFFSET ?`;
    }
    const rows = (await this.dataSource.query(sql, [...where.params, query.limit, query.offset])) as SummaryRecord[];
    return { tasks: rows.map(toSummary), total };
  }

  async charts(filter: TaskFilter): Promise<HistoryCharts> {
    const where = whereOf(filter);
    const [span] = (await this.dataSource.query(
      `SELECT MIN(t.created_at) AS first, MAX(t.created_at) AS last FROM tasks t ${where.sql}`,
      where.params,
    )) as [{ first: number | null; last: number | null }];
    const from = filter.from ?? span.first ?? 0;
    const to = filter.to ?? span.last ?? 0;
    const bucket = bucketFor(Math.max(0, to - from));

    // One pass over the per-task daily rollup (kept by triggers), grouped by day, model and project;
    // the three series are cut from that.
    const rows = (await this.dataSource.query(
      `WITH base AS MATERIALIZED (
         SELECT u.day AS day, COALESCE(NULLIF(u.model, ''), t.model, 'unknown') AS model_name, t.project_id AS project,
                SUM(u.cost_usd) AS cost, SUM(u.input_tokens) AS input, SUM(u.output_tokens) AS output,
                SUM(u.cache_creation_tokens) AS cache_write, SUM(u.cache_read_tokens) AS cache_read, SUM(u.sessions) AS sessions
         FROM tasks t JOIN usage_by_task_day u ON u.task_id = t.id
         ${where.sql}
         GROUP BY 1, 2, 3)
       SELECT 'time' AS series, strftime('${BUCKET_FORMAT[bucket]}', day * 86400, 'unixepoch') AS key, SUM(cost) AS cost,
              SUM(input + output + cache_write + cache_read) AS a, SUM(sessions) AS b, 0 AS c, 0 AS d
       FROM base GROUP BY key
       UNION ALL
       SELECT 'model', model_name, 0, SUM(input), SUM(output), SUM(cache_write), SUM(cache_read) FROM base GROUP BY model_name
       UNION ALL
       SELECT 'project', project, SUM(cost), 0, 0, 0, 0 FROM base GROUP BY project`,
      where.params,
    )) as Array<{ series: string; key: string; cost: number; a: number; b: number; c: number; d: number }>;

    const projects = (await this.dataSource.query(
      `SELECT p.id AS projectId, p.name AS name, p.working_dir AS workingDir, COUNT(*) AS tasks
       FROM tasks t JOIN projects p ON p.id = t.project_id
       ${where.sql}
       GROUP BY p.id`,
      where.params,
    )) as Array<{ projectId: string; name: string; workingDir: string; tasks: number }>;
    const projectCost = new Map(rows.filter((r) => r.series === 'project').map((r) => [r.key, r.cost]));

    const costOverTime = rows
      .filter((r) => r.series === 'time')
      .map((r) => ({ period: r.key, costUsd: r.cost, totalTokens: r.a, sessions: r.b }))
      .sort((x, y) => x.period.localeCompare(y.period));
    const tokensByModel = rows
      .filter((r) => r.series === 'model')
      .map((r) => ({
        model: r.key,
        inputTokens: r.a,
        outputTokens: r.b,
        cacheCreationTokens: r.c,
        cacheReadTokens: r.d,
      }))
      .sort((x, y) => x.model.localeCompare(y.model));
    const costByProject = projects
      .map((p) => ({ ...p, costUsd: projectCost.get(p.projectId) ?? 0 }))
      .sort((x, y) => y.costUsd - x.costUsd);

    return { bucket, costOverTime, tokensByModel, costByProject };
  }

  /** Every task the filter selects, newest first, for export. */
  async allTasks(filter: TaskFilter): Promise<TaskSummary[]> {
    const where = whereOf(filter);
    const rows = (await this.dataSource.query(
      `SELECT ${SUMMARY_COLUMNS}
       FROM tasks t JOIN projects p ON p.id = t.project_id LEFT JOIN sessions s ON s.task_id = t.id
       ${where.sql}
       GROUP BY t.id ORDER BY t.created_at DESC, t.id DESC`,
      where.params,
    )) as SummaryRecord[];
    return rows.map(toSummary);
  }

  async listProjects(limit = 50): Promise<ProjectView[]> {
    return (await this.dataSource.query(
      `SELECT p.id, p.name, p.working_dir AS workingDir, COALESCE(MAX(t.created_at), p.created_at) AS lastUsedAt
       FROM projects p LEFT JOIN tasks t ON t.project_id = p.id
       GROUP BY p.id ORDER BY lastUsedAt DESC LIMIT ?`,
      [limit],
    )) as ProjectView[];
  }
}

const CSV_COLUMNS = [
  'id',
  'title',
  'project',
  'status',
  'statusReason',
  'createdAt',
  'iterations',
  'inputTokens',
  'outputTokens',
  'cacheCreationTokens',
  'cacheReadTokens',
  'totalTokens',
  'turns',
  'costUsd',
  'durationMs',
] as const;

/** RFC 4180 quoting: a field with a comma, quote or line break is quoted, quotes doubled. */
function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function tasksToCsv(tasks: TaskSummary[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const t of tasks) {
    const row: Record<(typeof CSV_COLUMNS)[number], string | number | null> = {
      id: t.id,
      title: t.title,
      project: t.workingDir,
      status: t.status,
      statusReason: t.statusReason,
      createdAt: new Date(t.createdAt).toISOString(),
      iterations: t.iterations,
      inputTokens: t.totals.inputTokens,
      outputTokens: t.totals.outputTokens,
      cacheCreationTokens: t.totals.cacheCreationTokens,
      cacheReadTokens: t.totals.cacheReadTokens,
      totalTokens: t.totals.totalTokens,
      turns: t.totals.turns,
      costUsd: t.totals.costUsd,
      durationMs: t.durationMs,
    };
    lines.push(CSV_COLUMNS.map((column) => csvField(row[column])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
