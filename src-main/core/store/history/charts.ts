/**
 * History's charts and figures, read in one go (one read transaction, no await between the statements): the
 * page's other calls then wait for the charts, not the charts for them. Series are bucketed so a chart never
 * gets more than a few hundred points however long the range, and zero-filled so idle days show as 0.
 */
import type { HistoryCharts, TaskFilter } from '../../../contract/api';
import { roundUsd as roundToDecimals } from '../../../contract/format';
import { modelName } from '../../../contract/models';
import type { ModelPrices } from '../../../contract/views';
import { spendingPeriods, type SpendingPeriods, zoneDay } from '../../local-day';
import { priceFor } from '../../pricing';
import { modelPricesIn, spentInPeriodsIn } from '../stored-settings';
import type { Connection } from '../write-transaction';
import { bucketFor, bucketLabel, bucketLabels, MAX_BUCKETS } from './buckets';
import { projectLabels } from './project-labels';
import { addSums, type UsageRow, type UsageSums, usageByBucket, zeroSums } from './usage-by-bucket';
import { usageSource } from './usage-sources';

/** History's sums keep ten decimals: its averages and savings divide sums that are finer than any price. */
export const roundUsd = (usd: number) => roundToDecimals(usd, 10);

/** The name a chart groups a model under: its one name, or "unknown" where neither session nor task gave one. */
export const chartModel = (raw: string | null | undefined): string => modelName(raw) ?? 'unknown';

const totalTokens = (sums: UsageSums) =>
  sums.inputTokens + sums.outputTokens + sums.cacheCreationTokens + sums.cacheReadTokens;

/** Sums of `rows` grouped by a key of each. */
function sumBy(rows: readonly UsageRow[], key: (row: UsageRow) => string): Map<string, UsageSums> {
  const groups = new Map<string, UsageSums>();
  for (const row of rows) {
    const k = key(row);
    let sums = groups.get(k);
    if (!sums) groups.set(k, (sums = zeroSums()));
    addSums(sums, row);
  }
  return groups;
}

/**
 * What the cache reads saved: what they would have cost as input, less what they cost, at each model's prices.
 * A model without known prices (the user's or the data's) adds nothing: another family's would be a guess.
 */
export function cacheSavingsUsd(models: HistoryCharts['tokensByModel'], prices: ModelPrices): number {
  const saved = models.reduce((sum, m) => {
    const price = m.model === 'unknown' ? undefined : priceFor(m.model, undefined, prices);
    return price ? sum + (m.cacheReadTokens * (price.input - price.cacheRead)) / 1_000_000 : sum;
  }, 0);
  return roundUsd(saved);
}

/** The project ids and folders, and their names as History shows them. */
export function projectNames(db: Connection): { dirs: Map<string, string>; labels: Map<string, string> } {
  const rows = db.prepare(`SELECT id, working_dir AS workingDir FROM projects`).all() as Array<{
    id: string;
    workingDir: string;
  }>;
  return { dirs: new Map(rows.map((p) => [p.id, p.workingDir])), labels: projectLabels(rows) };
}

const SESSION_TOKENS = 'input_tokens + output_tokens + cache_creation_tokens + cache_read_tokens';

/** The tokens of every task's sessions of unknown cost started since each period's start (as spentInPeriods). */
export function unknownCostTokensInPeriods(
  db: Connection,
  periods: SpendingPeriods,
): { today: number; week: number; month: number } {
  return db
    .prepare(
      `SELECT COALESCE(SUM(CASE WHEN started_at >= ? THEN ${SESSION_TOKENS} END), 0) AS today,
              COALESCE(SUM(CASE WHEN started_at >= ? THEN ${SESSION_TOKENS} END), 0) AS week,
              COALESCE(SUM(CASE WHEN started_at >= ? THEN ${SESSION_TOKENS} END), 0) AS month
       FROM sessions WHERE cost_source = 'unknown' AND started_at >= ?`,
    )
    .get(periods.today, periods.week, periods.month, Math.min(periods.today, periods.week, periods.month)) as {
    today: number;
    week: number;
    month: number;
  };
}

/** What all tasks' sessions started since local midnight, local Monday and the local 1st cost, and their unknown tokens. */
function spending(db: Connection, now: number, timeZone: string) {
  const periods = spendingPeriods(now, timeZone);
  const spent = spentInPeriodsIn(db, periods);
  const unknown = unknownCostTokensInPeriods(db, periods);
  return {
    spentTodayUsd: roundUsd(spent.today),
    spentThisWeekUsd: roundUsd(spent.week),
    spentThisMonthUsd: roundUsd(spent.month),
    unknownCostTokensToday: unknown.today,
    unknownCostTokensThisWeek: unknown.week,
    unknownCostTokensThisMonth: unknown.month,
  };
}

/** The charts and figures of the tasks the filter selects, their days those of the IANA `timeZone`. */
export function historyCharts(db: Connection, filter: TaskFilter, timeZone: string, now: number): HistoryCharts {
  // One snapshot: another process's writes land before or after, not between the statements.
  return db.transaction(() => readCharts(db, filter, timeZone, now))();
}

function readCharts(db: Connection, filter: TaskFilter, timeZone: string, now: number): HistoryCharts {
  const source = usageSource(db, filter);
  const span = source.span();
  // The range shown: the filter's, or from the first task to now. `to` is exclusive; `last` is the range's last instant.
  const rangeStart = filter.from ?? span.first ?? now;
  const rangeLast = Math.max(rangeStart, filter.to !== undefined ? filter.to - 1 : Math.max(now, span.last ?? now));
  const bucket = bucketFor(rangeLast - rangeStart);
  const days = source.days();
  const byBucket = usageByBucket(days, source.quarters, timeZone, bucket);

  // Zero-filled buckets from the range's first day (or the first session's, if earlier) to its last.
  const costOverTime: HistoryCharts['costOverTime'] = [];
  if (byBucket.first !== undefined && byBucket.last !== undefined) {
    let labels = bucketLabels(
      Math.min(zoneDay(timeZone, rangeStart), byBucket.first),
      Math.max(zoneDay(timeZone, rangeLast), byBucket.last),
      bucket,
    );
    if (labels.length > MAX_BUCKETS) labels = bucketLabels(byBucket.first, byBucket.last, bucket);
    const byLabel = new Map([...byBucket.buckets].map(([start, usage]) => [bucketLabel(start, bucket), usage]));
    for (const period of labels) {
      const usage = byLabel.get(period);
      const costByModel: Record<string, number> = {};
      const costByProject: Record<string, number> = {};
      // Spellings of one model (a `[1m]` tag, case) are one series; a model or project without sessions is left out.
      for (const [model, part] of usage?.byModel ?? []) {
        if (part.sessions <= 0) continue;
        const name = chartModel(model);
        costByModel[name] = (costByModel[name] ?? 0) + part.costUsd;
      }
      for (const [project, part] of usage?.byProject ?? []) {
        if (part.sessions > 0) costByProject[project] = (costByProject[project] ?? 0) + part.costUsd;
      }
      costOverTime.push({
        period,
        costUsd: roundUsd(usage?.costUsd ?? 0),
        unknownCostTokens: usage?.unknownCostTokens ?? 0,
        totalTokens: usage ? totalTokens(usage) : 0,
        sessions: usage?.sessions ?? 0,
        costByModel: Object.fromEntries(Object.entries(costByModel).map(([k, v]) => [k, roundUsd(v)])),
        costByProject: Object.fromEntries(Object.entries(costByProject).map(([k, v]) => [k, roundUsd(v)])),
      });
    }
  }

  const tokensByModel = [...sumBy(days, (row) => chartModel(row.model))]
    .filter(([, sums]) => sums.sessions > 0)
    .map(([model, sums]) => ({
      model,
      inputTokens: sums.inputTokens,
      outputTokens: sums.outputTokens,
      cacheCreationTokens: sums.cacheCreationTokens,
      cacheReadTokens: sums.cacheReadTokens,
      costUsd: roundUsd(sums.costUsd),
      unknownCostTokens: sums.unknownCostTokens,
      sessions: sums.sessions,
    }))
    .sort((x, y) => x.model.localeCompare(y.model));

  // Day boundaries do not matter to a sum over the whole range: the rows by UTC day serve as they are.
  const counts = source.taskCounts();
  const tasksWithSessions = new Map<string, number>();
  const tasksOfProject = new Map<string, number>();
  for (const c of counts) {
    tasksWithSessions.set(c.agent, (tasksWithSessions.get(c.agent) ?? 0) + c.tasksWithSessions);
    tasksOfProject.set(c.project, (tasksOfProject.get(c.project) ?? 0) + c.tasks);
  }
  const costByAgent = [...sumBy(days, (row) => row.agent)]
    .filter(([, sums]) => sums.sessions > 0)
    .map(([agent, sums]) => ({
      agent,
      costUsd: roundUsd(sums.costUsd),
      unknownCostTokens: sums.unknownCostTokens,
      totalTokens: totalTokens(sums),
      tasks: tasksWithSessions.get(agent) ?? 0,
      sessions: sums.sessions,
    }))
    .sort((x, y) => y.costUsd - x.costUsd || x.agent.localeCompare(y.agent));

  const projects = projectNames(db);
  const byProject = sumBy(days, (row) => row.project);
  const costByProject = [...tasksOfProject]
    .filter(([, tasks]) => tasks > 0)
    .map(([projectId, tasks]) => {
      const workingDir = projects.dirs.get(projectId) ?? '';
      return {
        projectId,
        name: projects.labels.get(projectId) ?? workingDir,
        workingDir,
        costUsd: roundUsd(byProject.get(projectId)?.costUsd ?? 0),
        unknownCostTokens: byProject.get(projectId)?.unknownCostTokens ?? 0,
        tasks,
      };
    })
    .sort((x, y) => y.costUsd - x.costUsd || x.name.localeCompare(y.name));

  const total = zeroSums();
  for (const row of days) addSums(total, row);
  const costUsd = roundUsd(total.costUsd);

  return {
    bucket,
    costOverTime,
    tokensByModel,
    costByAgent,
    costByProject,
    summary: {
      ...spending(db, now, timeZone),
      tasks: span.tasks,
      sessions: total.sessions,
      costUsd,
      unknownCostTokens: total.unknownCostTokens,
      totalTokens: totalTokens(total),
      cacheSavingsUsd: cacheSavingsUsd(tokensByModel, modelPricesIn(db)),
      averageCostPerTaskUsd: span.tasks > 0 ? roundUsd(costUsd / span.tasks) : null,
    },
  };
}
