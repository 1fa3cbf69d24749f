/**
 * History's figures said again from the session rows, apart from the store's SQL and its rollups: every
 * session on the local day Intl gives its start, summed in JavaScript. What History answers from its rollups
 * (or per task) must be this.
 */
import type { DataSource } from 'typeorm';
import type { HistoryCharts, TaskFilter } from '../../src-main/contract/api';
import { roundUsd } from '../../src-main/contract/format';
import { modelName } from '../../src-main/contract/models';
import { spendingPeriods, zoneDay } from '../../src-main/core/local-day';
import { cacheSavingsUsd } from '../../src-main/core/store/history/charts';
import { bucketFor, bucketLabel, bucketLabels, MAX_BUCKETS } from '../../src-main/core/store/history/buckets';
import { projectLabels } from '../../src-main/core/store/history/project-labels';
import { storedModelPrices } from '../../src-main/core/store/stored-settings';

type Row = Record<string, unknown>;

interface Joined {
  taskId: string;
  project: string;
  agent: string;
  status: string;
  createdAt: number;
  startedAt: number;
  model: string;
  cost: number;
  tokens: [number, number, number, number];
  unknown: number;
}

const TOKEN_COLUMNS = ['input_tokens', 'output_tokens', 'cache_creation_tokens', 'cache_read_tokens'] as const;
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

async function joined(ds: DataSource): Promise<{ tasks: Row[]; sessions: Joined[] }> {
  const tasks = (await ds.query(`SELECT * FROM tasks`)) as Row[];
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const sessions = ((await ds.query(`SELECT * FROM sessions`)) as Row[]).map((s) => {
    const task = byId.get(s.task_id)!;
    const tokens = TOKEN_COLUMNS.map((c) => Number(s[c])) as Joined['tokens'];
    return {
      taskId: String(task.id),
      project: String(task.project_id),
      agent: String(task.agent),
      status: String(task.status),
      createdAt: Number(task.created_at),
      startedAt: Number(s.started_at),
      model: modelName(String(s.model || task.model || '')) ?? 'unknown',
      cost: Number(s.cost_usd),
      tokens,
      unknown: s.cost_source === 'unknown' ? sum(tokens) : 0,
    };
  });
  return { tasks, sessions };
}

const selects = (filter: TaskFilter) => (task: Row) =>
  (filter.projectId === undefined || task.project_id === filter.projectId) &&
  (filter.agent === undefined || task.agent === filter.agent) &&
  (filter.status === undefined || task.status === filter.status) &&
  (filter.from === undefined || Number(task.created_at) >= filter.from) &&
  (filter.to === undefined || Number(task.created_at) < filter.to);

/** Sums of sessions grouped by a key: cost, tokens, sessions and unknown tokens. */
function group(sessions: Joined[], key: (s: Joined) => string) {
  const groups = new Map<string, Joined[]>();
  for (const s of sessions) groups.set(key(s), [...(groups.get(key(s)) ?? []), s]);
  return groups;
}

export async function chartsFromSessions(
  ds: DataSource,
  filter: TaskFilter,
  timeZone: string,
  now: number,
): Promise<HistoryCharts> {
  const all = await joined(ds);
  const tasks = all.tasks.filter(selects(filter));
  const taskIds = new Set(tasks.map((t) => t.id));
  const sessions = all.sessions.filter((s) => taskIds.has(s.taskId));
  const created = tasks.map((t) => Number(t.created_at));
  const rangeStart = filter.from ?? (created.length > 0 ? Math.min(...created) : now);
  const rangeLast = Math.max(
    rangeStart,
    filter.to !== undefined ? filter.to - 1 : Math.max(now, created.length > 0 ? Math.max(...created) : now),
  );
  const bucket = bucketFor(rangeLast - rangeStart);
  const dayOf = (s: Joined) => zoneDay(timeZone, s.startedAt);

  const costOverTime: HistoryCharts['costOverTime'] = [];
  if (sessions.length > 0) {
    const days = sessions.map(dayOf);
    const [first, last] = [Math.min(...days), Math.max(...days)];
    let labels = bucketLabels(
      Math.min(zoneDay(timeZone, rangeStart), first),
      Math.max(zoneDay(timeZone, rangeLast), last),
      bucket,
    );
    if (labels.length > MAX_BUCKETS) labels = bucketLabels(first, last, bucket);
    const byPeriod = group(sessions, (s) => bucketLabel(dayOf(s), bucket));
    for (const period of labels) {
      const inIt = byPeriod.get(period) ?? [];
      const costs = (key: (s: Joined) => string) =>
        Object.fromEntries([...group(inIt, key)].map(([k, g]) => [k, roundUsd(sum(g.map((s) => s.cost)), 10)]));
      costOverTime.push({
        period,
        costUsd: roundUsd(sum(inIt.map((s) => s.cost)), 10),
        unknownCostTokens: sum(inIt.map((s) => s.unknown)),
        totalTokens: sum(inIt.map((s) => sum(s.tokens))),
        sessions: inIt.length,
        costByModel: costs((s) => s.model),
        costByProject: costs((s) => s.project),
      });
    }
  }

  const tokensByModel = [...group(sessions, (s) => s.model)]
    .map(([model, g]) => ({
      model,
      inputTokens: sum(g.map((s) => s.tokens[0])),
      outputTokens: sum(g.map((s) => s.tokens[1])),
      cacheCreationTokens: sum(g.map((s) => s.tokens[2])),
      cacheReadTokens: sum(g.map((s) => s.tokens[3])),
      costUsd: roundUsd(sum(g.map((s) => s.cost)), 10),
      unknownCostTokens: sum(g.map((s) => s.unknown)),
      sessions: g.length,
    }))
    .sort((x, y) => x.model.localeCompare(y.model));
  const costByAgent = [...group(sessions, (s) => s.agent)]
    .map(([agent, g]) => ({
      agent,
      costUsd: roundUsd(sum(g.map((s) => s.cost)), 10),
      unknownCostTokens: sum(g.map((s) => s.unknown)),
      totalTokens: sum(g.map((s) => sum(s.tokens))),
      tasks: new Set(g.map((s) => s.taskId)).size,
      sessions: g.length,
    }))
    .sort((x, y) => y.costUsd - x.costUsd || x.agent.localeCompare(y.agent));
  const projects = (await ds.query(`SELECT id, working_dir AS workingDir FROM projects`)) as Array<{
    id: string;
    workingDir: string;
  }>;
  const labels = projectLabels(projects);
  const costByProject = projects
    .filter((p) => tasks.some((t) => t.project_id === p.id))
    .map((p) => {
      const of = sessions.filter((s) => s.project === p.id);
      return {
        projectId: p.id,
        name: labels.get(p.id)!,
        workingDir: p.workingDir,
        costUsd: roundUsd(sum(of.map((s) => s.cost)), 10),
        unknownCostTokens: sum(of.map((s) => s.unknown)),
        tasks: tasks.filter((t) => t.project_id === p.id).length,
      };
    })
    .sort((x, y) => y.costUsd - x.costUsd || x.name.localeCompare(y.name));

  const periods = spendingPeriods(now, timeZone);
  const since = (start: number) => all.sessions.filter((s) => s.startedAt >= start);
  const costUsd = roundUsd(sum(sessions.map((s) => s.cost)), 10);
  return {
    bucket,
    costOverTime,
    tokensByModel,
    costByAgent,
    costByProject,
    summary: {
      spentTodayUsd: roundUsd(sum(since(periods.today).map((s) => s.cost)), 10),
      spentThisWeekUsd: roundUsd(sum(since(periods.week).map((s) => s.cost)), 10),
      spentThisMonthUsd: roundUsd(sum(since(periods.month).map((s) => s.cost)), 10),
      unknownCostTokensToday: sum(since(periods.today).map((s) => s.unknown)),
      unknownCostTokensThisWeek: sum(since(periods.week).map((s) => s.unknown)),
      unknownCostTokensThisMonth: sum(since(periods.month).map((s) => s.unknown)),
      tasks: tasks.length,
      sessions: sessions.length,
      costUsd,
      unknownCostTokens: sum(sessions.map((s) => s.unknown)),
      totalTokens: sum(sessions.map((s) => sum(s.tokens))),
      // Priced as History prices them: the sums are what is checked here.
      cacheSavingsUsd: cacheSavingsUsd(tokensByModel, await storedModelPrices(ds)),
      averageCostPerTaskUsd: tasks.length > 0 ? roundUsd(costUsd / tasks.length, 10) : null,
    },
  };
}
