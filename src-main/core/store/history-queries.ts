/**
 * The history views: filtered, sorted pages of tasks, the chart series, the
 * usage figures and exports. Everything is aggregated in SQL; series are
 * bucketed so a chart never gets more than a few hundred points however long
 * the range, and zero-filled so idle days show as 0.
 */
import type { DataSource } from 'typeorm';
import type { HistoryBucket, HistoryCharts, TaskFilter, TaskListTotals, TaskSortKey } from '../../contract/api';
import { modelName } from '../../contract/models';
import type { ProjectView, TaskSummary } from '../../contract/views';
import { priceFor } from '../pricing';
import {
  DAY_MS,
  dayDate,
  spendingPeriods,
  weekStartDay,
  zoneDay,
  zoneDaySql,
  type SpendingPeriods,
} from '../local-day';
import { spentInPeriods, storedModelPrices } from './stored-settings';
import { type SummaryRecord, SUMMARY_COLUMNS, toSummary } from './task-rows';
import { roundUsd as roundToDecimals } from '../../contract/format';
import type { ExportedTask } from './history-export';

/** History's sums keep ten decimals: its averages and savings divide sums that are finer than any price. */
const roundUsd = (usd: number) => roundToDecimals(usd, 10);

/** Beyond this many buckets a zero-filled series is cut to the buckets that have sessions. */
const MAX_BUCKETS = 1000;

/** A session's tokens, all four kinds. */
const SESSION_TOKENS_SQL = 's.input_tokens + s.output_tokens + s.cache_creation_tokens + s.cache_read_tokens';
/** The tokens of the sessions whose cost is unknown: their cost is stored as 0. */
const UNKNOWN_COST_TOKENS_SQL = `COALESCE(SUM(CASE WHEN s.cost_source = 'unknown' THEN ${SESSION_TOKENS_SQL} END), 0)`;
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

/** The name a chart groups a model under: its one name, or "unknown" where neither session nor task gave one. */
const chartModel = (raw: string | null | undefined): string => modelName(raw) ?? 'unknown';

/** `%` and `_` match literally; the backslash escapes them (and itself). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function whereOf(filter: TaskFilter): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter.projectId !== undefined) {
    clauses.push('t.project_id = ?');
    params.push(filter.projectId);
  }
  if (filter.agent !== undefined) {
    clauses.push('t.agent = ?');
    params.push(filter.agent);
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
  const search = filter.search?.trim();
  if (search) {
    const pattern = `%${escapeLike(search)}%`;
    clauses.push(`(t.title LIKE ? ESCAPE '\\' OR t.prompt LIKE ? ESCAPE '\\')`);
    params.push(pattern, pattern);
  }
  return { sql: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** `where` with one more condition. */
function andWhere(where: string, condition: string): string {
  return where ? `${where} AND ${condition}` : `WHERE ${condition}`;
}

/** The local day SQL of a zone whose offset is always 0: the rollup's own UTC days, with nothing to move. */
const UTC_DAY_SQL = zoneDaySql('s.started_at', 'UTC', 0, 0);

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

/** The label of the bucket a day falls in; the SQL below computes the same. */
export function bucketLabel(day: number, bucket: HistoryBucket): string {
  if (bucket === 'day') return dayDate(day);
  if (bucket === 'week') return dayDate(weekStartDay(day));
  return dayDate(day).slice(0, 7);
}

/** The labels of every bucket from the one holding `firstDay` to the one holding `lastDay`, in order. */
export function bucketLabels(firstDay: number, lastDay: number, bucket: HistoryBucket): string[] {
  const labels: string[] = [];
  if (bucket === 'month') {
    const first = new Date(firstDay * DAY_MS);
    for (let m = 0; ; m++) {
      const day = Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + m, 1) / DAY_MS;
      if (day > lastDay) break;
      labels.push(dayDate(day).slice(0, 7));
    }
    return labels;
  }
  const step = bucket === 'week' ? 7 : 1;
  for (let day = bucket === 'week' ? weekStartDay(firstDay) : firstDay; day <= lastDay; day += step) {
    labels.push(dayDate(day));
  }
  return labels;
}

/** SQL for the bucket label of a day-number column; must agree with bucketLabel. */
function bucketSql(day: string, bucket: HistoryBucket): string {
  if (bucket === 'day') return `strftime('%Y-%m-%d', ${day} * 86400, 'unixepoch')`;
  if (bucket === 'week') return `strftime('%Y-%m-%d', (${day} - ((((${day}) + 3) % 7) + 7) % 7) * 86400, 'unixepoch')`;
  return `strftime('%Y-%m', ${day} * 86400, 'unixepoch')`;
}

function pathSegments(workingDir: string): string[] {
  return workingDir.split(/[\\/]+/).filter((segment) => segment.length > 0);
}

/**
 * A name for each project: its folder's name, or, where two folders share a name, as many of
 * the last path segments as tell them apart ("work/api" beside "old/api"); the whole path when
 * even that is not enough.
 */
export function projectLabels(projects: Array<{ id: string; workingDir: string }>): Map<string, string> {
  const segments = new Map(projects.map((p) => [p.id, pathSegments(p.workingDir)]));
  const depth = new Map(projects.map((p) => [p.id, 1]));
  const labelOf = (p: { id: string; workingDir: string }) => {
    const parts = segments.get(p.id) ?? [];
    const d = depth.get(p.id) ?? 1;
    if (parts.length === 0) return p.workingDir;
    if (d > parts.length) return p.workingDir;
    return parts.slice(-d).join('/');
  };
  for (;;) {
    const groups = new Map<string, Array<{ id: string; workingDir: string }>>();
    for (const p of projects) {
      const label = labelOf(p);
      groups.set(label, [...(groups.get(label) ?? []), p]);
    }
    let deeper = false;
    for (const group of groups.values()) {
      if (group.length < 2) continue;
      for (const p of group) {
        const parts = segments.get(p.id) ?? [];
        const d = depth.get(p.id) ?? 1;
        if (d <= parts.length) {
          depth.set(p.id, d + 1);
          deeper = true;
        }
      }
    }
    if (!deeper) break;
  }
  return new Map(projects.map((p) => [p.id, labelOf(p)]));
}

export interface TaskPageQuery {
  filter: TaskFilter;
  sort: { by: TaskSortKey; direction: 'asc' | 'desc' };
  limit: number;
  offset: number;
  withTotals?: boolean;
}

interface UsageRow {
  series: 'total' | 'time' | 'timeModel' | 'timeProject' | 'model' | 'project';
  key: string | null;
  sub: string;
  cost: number | null;
  n1: number | null;
  n2: number | null;
  n3: number | null;
  n4: number | null;
  n5: number | null;
  first: number | null;
  last: number | null;
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
    const where = whereOf(filter);
    const [row] = (await this.dataSource.query(
      `SELECT COUNT(s.id) AS iterations,
              COALESCE(SUM(s.input_tokens), 0) AS inputTokens,
              COALESCE(SUM(s.output_tokens), 0) AS outputTokens,
              COALESCE(SUM(s.cache_creation_tokens), 0) AS cacheCreationTokens,
              COALESCE(SUM(s.cache_read_tokens), 0) AS cacheReadTokens,
              COALESCE(SUM(${SESSION_TOKENS_SQL}), 0) AS totalTokens,
              COALESCE(SUM(s.cost_usd), 0) AS costUsd,
              ${UNKNOWN_COST_TOKENS_SQL} AS unknownCostTokens,
              COALESCE(SUM(s.duration_ms), 0) AS durationMs
       FROM tasks t JOIN sessions s ON s.task_id = t.id
       ${where.sql}`,
      where.params,
    )) as [TaskListTotals];
    return { ...row, costUsd: roundUsd(row.costUsd) };
  }

  /** The charts and figures of the tasks the filter selects, their days those of the IANA `timeZone`. */
  async charts(filter: TaskFilter, timeZone: string): Promise<HistoryCharts> {
    const now = this.now();
    const where = whereOf(filter);
    const [span] = (await this.dataSource.query(
      `SELECT COUNT(*) AS tasks, MIN(t.created_at) AS first, MAX(t.created_at) AS last FROM tasks t ${where.sql}`,
      where.params,
    )) as [{ tasks: number; first: number | null; last: number | null }];
    // The range shown: the filter's, or from the first task to now. `to` is exclusive; `last` is the range's last instant.
    const rangeStart = filter.from ?? span.first ?? now;
    const rangeLast = Math.max(rangeStart, filter.to !== undefined ? filter.to - 1 : Math.max(now, span.last ?? now));
    const bucket = bucketFor(rangeLast - rangeStart);

    // The per-task daily rollup (kept by triggers) has UTC days. A session whose local day is
    // another one is moved: taken off its UTC day and added to its local day, from the session
    // rows. Only sessions within the offset of a UTC midnight move, so most of the work stays
    // on the rollup. The offset is the zone's at each session's start (it changes with DST).
    const rollup = `
      SELECT u.day AS day, COALESCE(NULLIF(u.model, ''), t.model, 'unknown') AS model, t.project_id AS project,
             u.cost_usd AS cost, u.input_tokens AS input, u.output_tokens AS output,
             u.cache_creation_tokens AS cache_write, u.cache_read_tokens AS cache_read, u.sessions AS sessions
      FROM tasks t JOIN usage_by_task_day u ON u.task_id = t.id
      ${where.sql}`;
    const localDayOfSession = await this.localDayOfSession(timeZone);
    const utc = localDayOfSession === UTC_DAY_SQL;
    const moved = utc
      ? ''
      : `moved AS MATERIALIZED (
          SELECT s.started_at / ${DAY_MS} AS utc_day, ${localDayOfSession} AS local_day,
                 COALESCE(NULLIF(s.model, ''), t.model, 'unknown') AS model, t.project_id AS project,
                 s.cost_usd AS cost, s.input_tokens AS input, s.output_tokens AS output,
                 s.cache_creation_tokens AS cache_write, s.cache_read_tokens AS cache_read
          FROM sessions s JOIN tasks t ON t.id = s.task_id
          ${andWhere(where.sql, `${localDayOfSession} <> s.started_at / ${DAY_MS}`)}),`;
    const parts = utc
      ? rollup
      : `${rollup}
          UNION ALL
          SELECT utc_day, model, project, -cost, -input, -output, -cache_write, -cache_read, -1 FROM moved
          UNION ALL
          SELECT local_day, model, project, cost, input, output, cache_write, cache_read, 1 FROM moved`;
    const key = bucketSql('day', bucket);
    const rows = (await this.dataSource.query(
      `WITH ${moved}
       usage AS MATERIALIZED (
         SELECT day, model, project, SUM(cost) AS cost, SUM(input) AS input, SUM(output) AS output,
                SUM(cache_write) AS cache_write, SUM(cache_read) AS cache_read, SUM(sessions) AS sessions
         FROM (${parts})
         GROUP BY day, model, project
         HAVING SUM(sessions) <> 0)
       SELECT 'total' AS series, '' AS key, '' AS sub, SUM(cost) AS cost, SUM(input) AS n1, SUM(output) AS n2,
              SUM(cache_write) AS n3, SUM(cache_read) AS n4, SUM(sessions) AS n5, MIN(day) AS first, MAX(day) AS last
       FROM usage
       UNION ALL
       SELECT 'time', ${key}, '', SUM(cost), SUM(input + output + cache_write + cache_read), 0, 0, 0, SUM(sessions), 0, 0
       FROM usage GROUP BY 2
       UNION ALL
       SELECT 'timeModel', ${key}, model, SUM(cost), 0, 0, 0, 0, SUM(sessions), 0, 0 FROM usage GROUP BY 2, 3
       UNION ALL
       SELECT 'timeProject', ${key}, project, SUM(cost), 0, 0, 0, 0, SUM(sessions), 0, 0 FROM usage GROUP BY 2, 3
       UNION ALL
       SELECT 'model', model, '', SUM(cost), SUM(input), SUM(output), SUM(cache_write), SUM(cache_read), SUM(sessions), 0, 0
       FROM usage GROUP BY model
       UNION ALL
       SELECT 'project', project, '', SUM(cost), 0, 0, 0, 0, SUM(sessions), 0, 0 FROM usage GROUP BY project`,
      utc ? where.params : [...where.params, ...where.params],
    )) as UsageRow[];

    const total = rows.find((r) => r.series === 'total');
    const sessions = total?.n5 ?? 0;
    const unknown = await this.unknownCostTokens(where, bucket, localDayOfSession);

    // Zero-filled buckets from the range's first day (or the first session's, if earlier) to its last.
    const costOverTime: HistoryCharts['costOverTime'] = [];
    if (sessions > 0 && typeof total?.first === 'number' && typeof total.last === 'number') {
      const dataFirst = total.first;
      const dataLast = total.last;
      let first = Math.min(zoneDay(timeZone, rangeStart), dataFirst);
      let last = Math.max(zoneDay(timeZone, rangeLast), dataLast);
      let labels = bucketLabels(first, last, bucket);
      if (labels.length > MAX_BUCKETS) {
        first = dataFirst;
        last = dataLast;
        labels = bucketLabels(first, last, bucket);
      }
      const byLabel = new Map<string, HistoryCharts['costOverTime'][number]>();
      for (const period of labels) {
        const point = {
          period,
          costUsd: 0,
          unknownCostTokens: unknown.byPeriod.get(period) ?? 0,
          totalTokens: 0,
          sessions: 0,
          costByModel: {} as Record<string, number>,
          costByProject: {},
        };
        byLabel.set(period, point);
        costOverTime.push(point);
      }
      for (const r of rows) {
        const point = r.key === null ? undefined : byLabel.get(r.key);
        if (!point) continue;
        if (r.series === 'time') {
          point.costUsd = roundUsd(r.cost ?? 0);
          point.totalTokens = r.n1 ?? 0;
          point.sessions = r.n5 ?? 0;
        } else if (r.series === 'timeModel' && (r.n5 ?? 0) > 0) {
          // Spellings of one model (a `[1m]` tag, case) are one series.
          const model = chartModel(r.sub);
          point.costByModel[model] = roundUsd((point.costByModel[model] ?? 0) + (r.cost ?? 0));
        } else if (r.series === 'timeProject' && (r.n5 ?? 0) > 0) {
          point.costByProject[r.sub] = roundUsd(r.cost ?? 0);
        }
      }
    }

    const byModel = new Map<string, HistoryCharts['tokensByModel'][number]>();
    for (const r of rows) {
      if (r.series !== 'model') continue;
      const model = chartModel(r.key);
      const row = byModel.get(model) ?? {
        model,
        inputTokens: 0,
        outputTokens: 0,
        cacheCreationTokens: 0,
        cacheReadTokens: 0,
        costUsd: 0,
        unknownCostTokens: unknown.byModel.get(model) ?? 0,
        sessions: 0,
      };
      row.inputTokens += r.n1 ?? 0;
      row.outputTokens += r.n2 ?? 0;
      row.cacheCreationTokens += r.n3 ?? 0;
      row.cacheReadTokens += r.n4 ?? 0;
      row.costUsd = roundUsd(row.costUsd + (r.cost ?? 0));
      row.sessions += r.n5 ?? 0;
      byModel.set(model, row);
    }
    const tokensByModel = [...byModel.values()].sort((x, y) => x.model.localeCompare(y.model));

    const projects = (await this.dataSource.query(
      `SELECT p.id AS projectId, p.working_dir AS workingDir, COUNT(*) AS tasks
       FROM tasks t JOIN projects p ON p.id = t.project_id
       ${where.sql}
       GROUP BY p.id`,
      where.params,
    )) as Array<{ projectId: string; workingDir: string; tasks: number }>;
    // Day boundaries do not matter to a sum over the whole range: the UTC rollup serves as it is.
    const agentRows = (await this.dataSource.query(
      `SELECT t.agent AS agent, SUM(u.cost_usd) AS costUsd, COUNT(DISTINCT t.id) AS tasks, SUM(u.sessions) AS sessions,
              SUM(u.input_tokens + u.output_tokens + u.cache_creation_tokens + u.cache_read_tokens) AS totalTokens
       FROM tasks t JOIN usage_by_task_day u ON u.task_id = t.id
       ${where.sql}
       GROUP BY t.agent`,
      where.params,
    )) as Array<{ agent: string; costUsd: number; tasks: number; sessions: number; totalTokens: number }>;
    const costByAgent = agentRows
      .map((row) => ({
        ...row,
        costUsd: roundUsd(row.costUsd),
        unknownCostTokens: unknown.byAgent.get(row.agent) ?? 0,
      }))
      .sort((x, y) => y.costUsd - x.costUsd || x.agent.localeCompare(y.agent));
    const labels = await this.projectLabels();
    const projectCost = new Map(rows.filter((r) => r.series === 'project').map((r) => [r.key, r.cost ?? 0]));
    const costByProject = projects
      .map((p) => ({
        projectId: p.projectId,
        name: labels.get(p.projectId) ?? p.workingDir,
        workingDir: p.workingDir,
        costUsd: roundUsd(projectCost.get(p.projectId) ?? 0),
        unknownCostTokens: unknown.byProject.get(p.projectId) ?? 0,
        tasks: p.tasks,
      }))
      .sort((x, y) => y.costUsd - x.costUsd || x.name.localeCompare(y.name));

    // Cache reads are priced per model; what they saved is what they would have cost as input. A model
    // without known prices (the user's or the data's) adds nothing: another family's would be a guess.
    const modelPrices = await storedModelPrices(this.dataSource);
    const cacheSavingsUsd = tokensByModel.reduce((sum, m) => {
      const price = m.model === 'unknown' ? undefined : priceFor(m.model, undefined, modelPrices);
      return price ? sum + (m.cacheReadTokens * (price.input - price.cacheRead)) / 1_000_000 : sum;
    }, 0);
    const costUsd = roundUsd(total?.cost ?? 0);

    return {
      bucket,
      costOverTime,
      tokensByModel,
      costByAgent,
      costByProject,
      summary: {
        ...(await this.spending(now, timeZone)),
        tasks: span.tasks,
        sessions,
        costUsd,
        unknownCostTokens: unknown.total,
        totalTokens: (total?.n1 ?? 0) + (total?.n2 ?? 0) + (total?.n3 ?? 0) + (total?.n4 ?? 0),
        cacheSavingsUsd: roundUsd(cacheSavingsUsd),
        averageCostPerTaskUsd: span.tasks > 0 ? roundUsd(costUsd / span.tasks) : null,
      },
    };
  }

  /**
   * The tokens of the selected tasks' sessions whose cost is unknown, in all, per bucket (of the session's
   * local day), model, project and agent. Read from the session rows, as the daily rollup has no such column;
   * sessions of unknown cost are few (a model without prices), and the condition is checked first.
   */
  private async unknownCostTokens(
    where: { sql: string; params: unknown[] },
    bucket: HistoryBucket,
    localDayOfSession: string,
  ): Promise<{
    total: number;
    byPeriod: Map<string, number>;
    byModel: Map<string, number>;
    byProject: Map<string, number>;
    byAgent: Map<string, number>;
  }> {
    const rows = (await this.dataSource.query(
      `SELECT ${bucketSql(localDayOfSession, bucket)} AS period,
              COALESCE(NULLIF(s.model, ''), t.model) AS model, t.project_id AS project, t.agent AS agent,
              SUM(${SESSION_TOKENS_SQL}) AS tokens
       FROM sessions s JOIN tasks t ON t.id = s.task_id
       ${andWhere(where.sql, "s.cost_source = 'unknown'")}
       GROUP BY 1, 2, 3, 4`,
      where.params,
    )) as Array<{ period: string; model: string | null; project: string; agent: string; tokens: number }>;
    const add = (map: Map<string, number>, key: string, tokens: number) => map.set(key, (map.get(key) ?? 0) + tokens);
    const sums = { total: 0, byPeriod: new Map(), byModel: new Map(), byProject: new Map(), byAgent: new Map() };
    for (const row of rows) {
      sums.total += row.tokens;
      add(sums.byPeriod, row.period, row.tokens);
      add(sums.byModel, chartModel(row.model), row.tokens);
      add(sums.byProject, row.project, row.tokens);
      add(sums.byAgent, row.agent, row.tokens);
    }
    return sums;
  }

  /**
   * What all tasks' sessions started since local midnight, local Monday and the local 1st cost, and the tokens
   * of those of them whose cost is unknown (which the sums leave out).
   */
  private async spending(
    now: number,
    timeZone: string,
  ): Promise<
    Pick<
      HistoryCharts['summary'],
      | 'spentTodayUsd'
      | 'spentThisWeekUsd'
      | 'spentThisMonthUsd'
      | 'unknownCostTokensToday'
      | 'unknownCostTokensThisWeek'
      | 'unknownCostTokensThisMonth'
    >
  > {
    const periods = spendingPeriods(now, timeZone);
    const spent = await spentInPeriods(this.dataSource, periods);
    const unknown = await this.unknownCostTokensInPeriods(periods);
    return {
      spentTodayUsd: roundUsd(spent.today),
      spentThisWeekUsd: roundUsd(spent.week),
      spentThisMonthUsd: roundUsd(spent.month),
      unknownCostTokensToday: unknown.today,
      unknownCostTokensThisWeek: unknown.week,
      unknownCostTokensThisMonth: unknown.month,
    };
  }

  /**
   * SQL for the zone's local day number of a session's start `s.started_at`, over the span sessions started
   * in (one indexed look-up), so a zone's changes of offset (DST) fall where they fall.
   */
  private async localDayOfSession(timeZone: string): Promise<string> {
    const [span] = (await this.dataSource.query(
      `SELECT MIN(started_at) AS first, MAX(started_at) AS last FROM sessions`,
    )) as [{ first: number | null; last: number | null }];
    const now = this.now();
    return zoneDaySql('s.started_at', timeZone, span.first ?? now, span.last ?? now);
  }

  /** The tokens of every task's sessions of unknown cost started since each period's start (as `spentInPeriods`). */
  async unknownCostTokensInPeriods(periods: SpendingPeriods): Promise<{ today: number; week: number; month: number }> {
    const [row] = (await this.dataSource.query(
      `SELECT COALESCE(SUM(CASE WHEN s.started_at >= ? THEN ${SESSION_TOKENS_SQL} END), 0) AS today,
              COALESCE(SUM(CASE WHEN s.started_at >= ? THEN ${SESSION_TOKENS_SQL} END), 0) AS week,
              COALESCE(SUM(CASE WHEN s.started_at >= ? THEN ${SESSION_TOKENS_SQL} END), 0) AS month
       FROM sessions s WHERE s.cost_source = 'unknown' AND s.started_at >= ?`,
      [periods.today, periods.week, periods.month, Math.min(periods.today, periods.week, periods.month)],
    )) as [{ today: number; week: number; month: number }];
    return row;
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
    const rows = (await this.dataSource.query(`SELECT id, working_dir AS workingDir FROM projects`)) as Array<{
      id: string;
      workingDir: string;
    }>;
    return projectLabels(rows);
  }

  async listProjects(limit = 50): Promise<ProjectView[]> {
    const rows = (await this.dataSource.query(
      `SELECT p.id, p.name, p.working_dir AS workingDir, COALESCE(MAX(t.created_at), p.created_at) AS lastUsedAt
       FROM projects p LEFT JOIN tasks t ON t.project_id = p.id
       GROUP BY p.id ORDER BY lastUsedAt DESC LIMIT ?`,
      [limit],
    )) as ProjectView[];
    const labels = await this.projectLabels();
    return rows.map((p) => ({ ...p, name: labels.get(p.id) ?? p.name }));
  }
}
