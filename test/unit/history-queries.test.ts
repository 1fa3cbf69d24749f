import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { historyChartsSchema, type TaskFilter } from '../../src-main/contract/api';
import { taskSpecSchema } from '../../src-main/contract/task-spec';
import { openDataSource } from '../../src-main/core/store/data-source';
import { HistoryQueries } from '../../src-main/core/store/history-queries';
import { bucketFor, bucketLabels } from '../../src-main/core/store/history/buckets';
import { projectLabels } from '../../src-main/core/store/history/project-labels';
import { escapeLike } from '../../src-main/core/store/history/task-filter';
import {
  exportCost,
  exportFileName,
  neutralizeFormula,
  slug,
  tasksToCsv,
  tasksToJson,
} from '../../src-main/core/store/history-export';
import { startOfZoneDay, weekStartDay } from '../../src-main/core/local-day';
import { budgetDay } from '../../src-main/core/budget-day';
import { TaskStore } from '../../src-main/core/store/task-store';
import { UsageReports } from '../../src-main/core/usage/usage-reports';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Wednesday 2026-11-25 12:00 UTC. */
const NOW = Date.UTC(2026, 10, 25, 12);

let dir: string;
let dataSource: DataSource;
let history: HistoryQueries;
let sessionCounter = 0;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'baton-history-'));
  dataSource = await openDataSource({ file: path.join(dir, 'history.db') });
  history = new HistoryQueries(dataSource, () => NOW);
});

afterEach(async () => {
  if (dataSource.isInitialized) await dataSource.destroy();
  rmSync(dir, { recursive: true, force: true });
});

// Rows are written in plain SQL, as bench/fill-store.ts does; the rollup's triggers run as for real sessions.

async function project(workingDir: string): Promise<string> {
  const id = `p-${workingDir}`;
  await dataSource.query(`INSERT INTO projects (id, name, working_dir, created_at) VALUES (?, ?, ?, 0)`, [
    id,
    path.basename(workingDir),
    workingDir,
  ]);
  return id;
}

interface TaskFields {
  projectId: string;
  workingDir?: string;
  title?: string;
  prompt?: string;
  model?: string | null;
  status?: string;
  createdAt?: number;
  finishedAt?: number | null;
  agent?: string;
}

async function task(id: string, fields: TaskFields): Promise<string> {
  const prompt = fields.prompt ?? 'do it';
  const spec = taskSpecSchema.parse({
    dir: fields.workingDir ?? '/work/demo',
    prompt,
    ...(fields.model ? { model: fields.model } : {}),
  });
  await dataSource.query(
    `INSERT INTO tasks (id, project_id, title, prompt, agent, model, spec, status, status_reason, created_at, started_at, finished_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)`,
    [
      id,
      fields.projectId,
      fields.title ?? id,
      prompt,
      fields.agent ?? 'claude',
      fields.model === undefined ? 'claude-sonnet-4-5' : fields.model,
      JSON.stringify(spec),
      fields.status ?? 'completed',
      fields.createdAt ?? NOW - DAY,
      fields.createdAt ?? NOW - DAY,
      fields.finishedAt === undefined ? null : fields.finishedAt,
    ],
  );
  return id;
}

interface SessionFields {
  startedAt: number;
  model?: string | null;
  costUsd?: number;
  input?: number;
  output?: number;
  cacheWrite?: number;
  cacheRead?: number;
  durationMs?: number;
  /** No cost could be had: stored as 0, from the source 'unknown'. */
  costUnknown?: boolean;
}

async function session(taskId: string, fields: SessionFields): Promise<void> {
  const [{ next }] = (await dataSource.query(
    `SELECT COALESCE(MAX(iteration), 0) + 1 AS next FROM sessions WHERE task_id = ?`,
    [taskId],
  )) as [{ next: number }];
  await dataSource.query(
    `INSERT INTO sessions (session_id, task_id, iteration, status, started_at, ended_at, model, input_tokens, output_tokens,
       cache_creation_tokens, cache_read_tokens, turns, cost_usd, duration_ms, api_duration_ms, exit_code, cost_source)
     VALUES (?, ?, ?, 'completed', ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, 0, 0, ?)`,
    [
      `s-${++sessionCounter}`,
      taskId,
      next,
      fields.startedAt,
      fields.startedAt + 1000,
      fields.model === undefined ? 'claude-sonnet-4-5' : fields.model,
      fields.input ?? 100,
      fields.output ?? 10,
      fields.cacheWrite ?? 0,
      fields.cacheRead ?? 0,
      fields.costUnknown ? 0 : (fields.costUsd ?? 0.01),
      fields.durationMs ?? 1000,
      fields.costUnknown ? 'unknown' : 'agent',
    ],
  );
}

const isoDay = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 10);

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('local calendar buckets', () => {
  it('starts weeks on Monday and labels days, weeks and months', () => {
    const wednesday = Date.UTC(2026, 10, 25) / DAY;
    expect(isoDay(weekStartDay(wednesday) * DAY)).toBe('2026-11-23');
    expect(isoDay(weekStartDay(Date.UTC(2026, 10, 23) / DAY) * DAY)).toBe('2026-11-23');
    expect(isoDay(weekStartDay(Date.UTC(2026, 10, 22) / DAY) * DAY)).toBe('2026-11-16');
    // Before 1970 too (day numbers are negative there).
    expect(isoDay(weekStartDay(-5) * DAY)).toBe('1969-12-22');
    expect(bucketLabels(wednesday - 2, wednesday, 'day')).toEqual(['2026-11-23', '2026-11-24', '2026-11-25']);
    expect(bucketLabels(wednesday - 10, wednesday, 'week')).toEqual(['2026-11-09', '2026-11-16', '2026-11-23']);
    expect(bucketLabels(Date.UTC(2026, 10, 30) / DAY, Date.UTC(2027, 1, 1) / DAY, 'month')).toEqual([
      '2026-11',
      '2026-12',
      '2027-01',
      '2027-02',
    ]);
    expect(bucketFor(120 * DAY)).toBe('day');
    expect(bucketFor(121 * DAY)).toBe('week');
    expect(bucketFor(4 * 365 * DAY)).toBe('month');
  });
});

describe('the cost series', () => {
  it('puts each session on its local day, whatever the offset, and agrees with the session rows', async () => {
    const p1 = await project('/work/api');
    const p2 = await project('/work/web');
    const next = random(7);
    const models = ['claude-sonnet-4-5', 'claude-opus-4-5', null];
    const sessions: Array<{ startedAt: number; costUsd: number; model: string; projectId: string }> = [];
    for (let t = 0; t < 12; t++) {
      const projectId = t % 2 === 0 ? p1 : p2;
      const id = await task(`t${t}`, { projectId, createdAt: NOW - 20 * DAY, model: null });
      for (let s = 0; s < 6; s++) {
        const startedAt = NOW - 20 * DAY + Math.floor(next() * 19 * DAY);
        const costUsd = Math.round(next() * 1000) / 1000;
        const model = models[(t + s) % 3] ?? null;
        await session(id, { startedAt, costUsd, model });
        sessions.push({ startedAt, costUsd, model: model ?? 'unknown', projectId });
      }
    }
    // Zones that keep one offset all year, so each session's local day is its UTC time plus that offset.
    for (const [zone, offsetMinutes] of [
      ['Etc/GMT+12', -720],
      ['Etc/GMT+8', -480],
      ['Pacific/Marquesas', -570],
      ['UTC', 0],
      ['Etc/GMT-1', 60],
      ['Asia/Kolkata', 330],
      ['Asia/Tokyo', 540],
      ['Pacific/Kiritimati', 840],
    ] as const) {
      const charts = await history.charts({ from: NOW - 20 * DAY }, zone);
      historyChartsSchema.parse(charts);
      expect(charts.bucket).toBe('day');
      const expected = new Map<string, { cost: number; sessions: number; byModel: Map<string, number> }>();
      for (const s of sessions) {
        const day = isoDay(s.startedAt + offsetMinutes * 60_000);
        const entry = expected.get(day) ?? { cost: 0, sessions: 0, byModel: new Map() };
        entry.cost += s.costUsd;
        entry.sessions += 1;
        entry.byModel.set(s.model, (entry.byModel.get(s.model) ?? 0) + s.costUsd);
        expected.set(day, entry);
      }
      // Days are consecutive, oldest first, through today.
      const periods = charts.costOverTime.map((p) => p.period);
      for (let i = 1; i < periods.length; i++) {
        expect(Date.parse(periods[i]!) - Date.parse(periods[i - 1]!)).toBe(DAY);
      }
      expect(periods.at(-1)).toBe(isoDay(NOW + offsetMinutes * 60_000));
      for (const point of charts.costOverTime) {
        const want = expected.get(point.period);
        expect(point.sessions, `${zone} ${point.period}`).toBe(want?.sessions ?? 0);
        expect(point.costUsd).toBeCloseTo(want?.cost ?? 0, 9);
        for (const [model, cost] of want?.byModel ?? []) expect(point.costByModel[model]).toBeCloseTo(cost, 9);
        expect(Object.keys(point.costByModel).sort()).toEqual([...(want?.byModel.keys() ?? [])].sort());
        const byProject = Object.values(point.costByProject).reduce((a, b) => a + b, 0);
        expect(byProject).toBeCloseTo(point.costUsd, 9);
      }
      expect(charts.costOverTime.reduce((a, p) => a + p.sessions, 0)).toBe(sessions.length);
      expect(charts.summary.sessions).toBe(sessions.length);
    }
  });

  it('zero-fills the days of the range without sessions, and is empty when the range has none', async () => {
    const p = await project('/work/api');
    const id = await task('t1', { projectId: p, createdAt: NOW - 3 * DAY });
    await session(id, { startedAt: NOW - 3 * DAY, costUsd: 0.5 });
    await session(id, { startedAt: NOW - DAY, costUsd: 0.25 });
    const from = Date.UTC(2026, 10, 20);
    const to = Date.UTC(2026, 10, 27);
    const charts = await history.charts({ from, to }, 'UTC');
    expect(charts.costOverTime.map((p) => [p.period, p.costUsd, p.sessions])).toEqual([
      ['2026-11-20', 0, 0],
      ['2026-11-21', 0, 0],
      ['2026-11-22', 0.5, 1],
      ['2026-11-23', 0, 0],
      ['2026-11-24', 0.25, 1],
      ['2026-11-25', 0, 0],
      ['2026-11-26', 0, 0],
    ]);
    expect(charts.costOverTime[2]!.costByModel).toEqual({ 'claude-sonnet-4-5': 0.5 });
    expect(charts.costOverTime[0]!.costByModel).toEqual({});

    const empty = await history.charts({ from: NOW + DAY, to: NOW + 3 * DAY }, 'UTC');
    expect(empty.costOverTime).toEqual([]);
    expect(empty.tokensByModel).toEqual([]);
    expect(empty.summary).toMatchObject({ tasks: 0, sessions: 0, costUsd: 0, averageCostPerTaskUsd: null });
  });

  it('buckets a long range by local Monday weeks, zero-filled', async () => {
    const p = await project('/work/api');
    const id = await task('t1', { projectId: p, createdAt: NOW - 200 * DAY });
    // Monday 2026-11-23 00:30 local at +02:00 is still Sunday in UTC.
    await session(id, { startedAt: Date.UTC(2026, 10, 22, 22, 30), costUsd: 1 });
    await session(id, { startedAt: Date.UTC(2026, 10, 9, 12), costUsd: 2 });
    const charts = await history.charts({ from: NOW - 200 * DAY }, 'Etc/GMT-2');
    expect(charts.bucket).toBe('week');
    const periods = charts.costOverTime.map((p) => p.period);
    expect(periods.every((p) => new Date(p).getUTCDay() === 1)).toBe(true);
    expect(periods.at(-1)).toBe('2026-11-23');
    expect(charts.costOverTime.at(-1)).toMatchObject({ costUsd: 1, sessions: 1 });
    expect(charts.costOverTime.find((p) => p.period === '2026-11-16')).toMatchObject({ costUsd: 0, sessions: 0 });
    expect(charts.costOverTime.find((p) => p.period === '2026-11-09')).toMatchObject({ costUsd: 2, sessions: 1 });
    // In UTC the same session falls in the week before.
    const utc = await history.charts({ from: NOW - 200 * DAY }, 'UTC');
    expect(utc.costOverTime.find((p) => p.period === '2026-11-16')).toMatchObject({ costUsd: 1 });
  });
});

describe('the usage figures', () => {
  it('sums today, this week and this month over all tasks, at the local calendar', async () => {
    const a = await project('/work/api');
    const b = await project('/work/web');
    const ta = await task('ta', { projectId: a, createdAt: Date.UTC(2026, 9, 1) });
    const tb = await task('tb', { projectId: b, createdAt: Date.UTC(2026, 9, 1) });
    await session(ta, { startedAt: Date.UTC(2026, 10, 25, 1), costUsd: 1 }); // today (Wednesday)
    await session(tb, { startedAt: Date.UTC(2026, 10, 23, 9), costUsd: 2 }); // Monday
    await session(ta, { startedAt: Date.UTC(2026, 10, 22, 23), costUsd: 4 }); // Sunday 23:00 UTC
    await session(tb, { startedAt: Date.UTC(2026, 10, 2, 9), costUsd: 8 }); // this month
    await session(ta, { startedAt: Date.UTC(2026, 9, 31, 23, 30), costUsd: 16 }); // last month in UTC

    const utc = (await history.charts({ projectId: a }, 'UTC')).summary;
    expect(utc).toMatchObject({ spentTodayUsd: 1, spentThisWeekUsd: 3, spentThisMonthUsd: 15 });
    // At +01:00, Sunday 23:00 UTC is Monday and 31 October 23:30 UTC is 1 November.
    const east = (await history.charts({ projectId: a }, 'Etc/GMT-1')).summary;
    expect(east).toMatchObject({ spentTodayUsd: 1, spentThisWeekUsd: 7, spentThisMonthUsd: 31 });
    // At -02:00, 01:00 UTC on Wednesday is still Tuesday, and Sunday 23:00 UTC is last week.
    const west = (await history.charts({}, 'Etc/GMT+2')).summary;
    expect(west).toMatchObject({ spentTodayUsd: 0, spentThisWeekUsd: 3, spentThisMonthUsd: 15 });
  });

  it('counts the tokens of unknown cost of today, this week and this month, which their sums leave out', async () => {
    const a = await project('/work/api');
    const b = await project('/work/web');
    const ta = await task('ta', { projectId: a, createdAt: Date.UTC(2026, 9, 1) });
    const tb = await task('tb', { projectId: b, createdAt: Date.UTC(2026, 9, 1) });
    await session(ta, { startedAt: Date.UTC(2026, 10, 25, 1), costUsd: 1 }); // today, priced
    await session(tb, { startedAt: Date.UTC(2026, 10, 25, 2), input: 1000, output: 200, costUnknown: true }); // today
    await session(ta, { startedAt: Date.UTC(2026, 10, 23, 9), input: 40, output: 5, costUnknown: true }); // Monday
    await session(tb, { startedAt: Date.UTC(2026, 10, 2, 9), input: 7, output: 3, costUnknown: true }); // this month
    await session(ta, { startedAt: Date.UTC(2026, 9, 20), input: 100, output: 100, costUnknown: true }); // last month

    // Over all tasks, whatever the filter, as the sums are.
    const { summary } = await history.charts({ projectId: a }, 'UTC');
    expect(summary).toMatchObject({
      spentTodayUsd: 1,
      unknownCostTokensToday: 1200,
      unknownCostTokensThisWeek: 1245,
      unknownCostTokensThisMonth: 1255,
    });
  });

  it("counts the daily budget's day as History's today, in the zone the settings hold", async () => {
    const p = await project('/work/api');
    const t = await task('t', { projectId: p, createdAt: Date.UTC(2026, 10, 20) });
    // 12:00 UTC on 25 November is 04:00 in Los Angeles, at UTC-8.
    await session(t, { startedAt: Date.UTC(2026, 10, 25, 7, 30), costUsd: 2 }); // 23:30 on Tuesday, there
    await session(t, { startedAt: Date.UTC(2026, 10, 25, 8, 30), costUsd: 0.25 }); // 00:30 on Wednesday
    const store = new TaskStore(dataSource);
    await store.updateSettings({ timeZone: 'America/Los_Angeles' });
    const day = await budgetDay(store, NOW);
    expect(day).toEqual({ timeZone: 'America/Los_Angeles', start: Date.UTC(2026, 10, 25, 8) });
    const { summary } = await history.charts({}, day.timeZone);
    expect(await store.spentSince(day.start)).toBe(0.25);
    expect(summary.spentTodayUsd).toBe(0.25);
  });

  it('prices cache savings per model, and averages the cost over the filtered tasks', async () => {
    const p = await project('/work/api');
    const t1 = await task('t1', { projectId: p });
    const t2 = await task('t2', { projectId: p, status: 'failed', model: null });
    await task('t3', { projectId: p, status: 'queued' });
    // sonnet-4-5: input 3, cache read 0.3 per million; opus-4-5: 5 and 0.5. A model without known prices (never
    // reported, or one the data lacks) saves nothing that could be put a figure on: no other family's price.
    await session(t1, { startedAt: NOW - HOUR, model: 'claude-sonnet-4-5', cacheRead: 1_000_000, costUsd: 0.5 });
    await session(t2, { startedAt: NOW - HOUR, model: 'claude-opus-4-5', cacheRead: 2_000_000, costUsd: 1 });
    await session(t2, { startedAt: NOW - HOUR, model: null, cacheRead: 1_000_000, costUsd: 0.25 });
    await session(t1, { startedAt: NOW - HOUR, model: 'made-up-model', cacheRead: 1_000_000, costUsd: 0 });

    const all = await history.charts({}, 'UTC');
    expect(all.summary.cacheSavingsUsd).toBeCloseTo(2.7 + 9, 10);
    expect(all.summary).toMatchObject({ tasks: 3, sessions: 4, costUsd: 1.75 });
    expect(all.summary.averageCostPerTaskUsd).toBeCloseTo(1.75 / 3, 10);
    expect(all.summary.totalTokens).toBe(4 * 110 + 5_000_000);
    expect(all.tokensByModel.map((m) => [m.model, m.cacheReadTokens, m.costUsd, m.sessions])).toEqual([
      ['claude-opus-4-5', 2_000_000, 1, 1],
      ['claude-sonnet-4-5', 1_000_000, 0.5, 1],
      ['made-up-model', 1_000_000, 0, 1],
      ['unknown', 1_000_000, 0.25, 1],
    ]);

    const failed = await history.charts({ status: 'failed' }, 'UTC');
    expect(failed.summary).toMatchObject({ tasks: 1, sessions: 2, costUsd: 1.25, averageCostPerTaskUsd: 1.25 });
    expect(failed.summary.cacheSavingsUsd).toBeCloseTo(9, 10);

    // The user's prices count: for a model the data lacks, and over the data's.
    await new TaskStore(dataSource).updateSettings({
      modelPrices: {
        'made-up-model': { input: 2, output: 8, cacheWrite: 2.5, cacheRead: 0.5 },
        'claude-opus-4-5': { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 1 },
      },
    });
    expect((await history.charts({}, 'UTC')).summary.cacheSavingsUsd).toBeCloseTo(2.7 + 8 + 1.5, 10);
  });
});

describe('by agent', () => {
  it('sums cost per agent and filters the tasks, charts and totals by it', async () => {
    const p = await project('/work/api');
    const claude = await task('c1', { projectId: p });
    const codex = await task('x1', { projectId: p, agent: 'codex', model: 'gpt-5.5' });
    const codex2 = await task('x2', { projectId: p, agent: 'codex', model: 'gpt-5.5' });
    await session(claude, { startedAt: NOW - HOUR, costUsd: 0.5 });
    await session(codex, { startedAt: NOW - HOUR, costUsd: 0.25 });
    await session(codex2, { startedAt: NOW - 2 * HOUR, costUsd: 1 });
    await session(codex2, { startedAt: NOW - HOUR, costUsd: 0.125 });

    const all = await history.charts({}, 'UTC');
    expect(all.costByAgent).toEqual([
      { agent: 'codex', costUsd: 1.375, unknownCostTokens: 0, tasks: 2, sessions: 3, totalTokens: 330 },
      { agent: 'claude', costUsd: 0.5, unknownCostTokens: 0, tasks: 1, sessions: 1, totalTokens: 110 },
    ]);
    const codexOnly = await history.charts({ agent: 'codex' }, 'UTC');
    expect(codexOnly.summary).toMatchObject({ tasks: 2, sessions: 3, costUsd: 1.375 });
    expect(codexOnly.costByAgent.map((a) => a.agent)).toEqual(['codex']);
    const page = await history.listTasks({
      filter: { agent: 'claude' },
      sort: { by: 'createdAt', direction: 'desc' },
      limit: 10,
      offset: 0,
      withTotals: false,
    });
    expect(page.tasks.map((t) => t.id)).toEqual(['c1']);
  });
});

describe('searching and totals', () => {
  async function titled(): Promise<string> {
    const p = await project('/work/api');
    const titles = ['Fix 100% of tests', 'Fix 1000 tests', 'rename under_score', 'rename underXscore', 'back\\slash'];
    for (const [i, title] of titles.entries()) {
      const id = await task(`t${i}`, { projectId: p, title, createdAt: NOW - (i + 1) * HOUR });
      await session(id, { startedAt: NOW - HOUR, costUsd: 0.1 * (i + 1), durationMs: 1000 * (i + 1) });
    }
    await task('by-prompt', { projectId: p, title: 'untitled', prompt: 'Please FIX the flaky login test' });
    return p;
  }
  const ids = async (filter: TaskFilter) =>
    (
      await history.listTasks({ filter, sort: { by: 'createdAt', direction: 'desc' }, limit: 100, offset: 0 })
    ).tasks.map((t) => t.id);

  it('finds text in titles and prompts, case-insensitively, with % _ and \\ taken literally', async () => {
    await titled();
    expect(await ids({ search: 'fix' })).toEqual(['t0', 't1', 'by-prompt']);
    expect(await ids({ search: '100%' })).toEqual(['t0']);
    expect(await ids({ search: 'under_score' })).toEqual(['t2']);
    expect(await ids({ search: 'k\\s' })).toEqual(['t4']);
    expect(await ids({ search: 'flaky login' })).toEqual(['by-prompt']);
    expect(await ids({ search: '%' })).toEqual(['t0']);
    expect(await ids({ search: 'nothing like it' })).toEqual([]);
    expect(escapeLike('a%b_c\\d')).toBe('a\\%b\\_c\\\\d');
    // The charts and the export follow the search too.
    expect((await history.charts({ search: 'rename' }, 'UTC')).summary).toMatchObject({ tasks: 2, sessions: 2 });
    expect((await history.allTasks({ search: 'RENAME' })).map((t) => t.id)).toEqual(['t2', 't3']);
  });

  it('sums every task the filter selects for the totals row, not only the page', async () => {
    await titled();
    const page = await history.listTasks({
      filter: { search: 'fix' },
      sort: { by: 'costUsd', direction: 'desc' },
      limit: 1,
      offset: 0,
      withTotals: true,
    });
    expect(page.tasks).toHaveLength(1);
    expect(page.total).toBe(3);
    expect(page.totals).toEqual({
      iterations: 2,
      inputTokens: 200,
      outputTokens: 20,
      cacheCreationTokens: 0,
      cacheReadTokens: 0,
      totalTokens: 220,
      costUsd: 0.3,
      unknownCostTokens: 0,
      durationMs: 3000,
    });
    const all = await history.listTasks({
      filter: {},
      sort: { by: 'createdAt', direction: 'desc' },
      limit: 100,
      offset: 0,
      withTotals: true,
    });
    const sum = (pick: (t: (typeof all.tasks)[number]) => number) => all.tasks.reduce((a, t) => a + pick(t), 0);
    expect(all.totals?.iterations).toBe(sum((t) => t.iterations));
    expect(all.totals?.totalTokens).toBe(sum((t) => t.totals.totalTokens));
    expect(all.totals?.costUsd).toBeCloseTo(
      sum((t) => t.totals.costUsd),
      10,
    );
    expect(all.totals?.durationMs).toBe(sum((t) => t.durationMs));
    // Without asking, a page carries no totals.
    expect(
      (await history.listTasks({ filter: {}, sort: { by: 'createdAt', direction: 'desc' }, limit: 1, offset: 0 }))
        .totals,
    ).toBeUndefined();
  });
});

describe('project names', () => {
  it('shows as much of the path as tells two folders of the same name apart', () => {
    const labels = projectLabels([
      { id: 'a', workingDir: '/home/me/work/api' },
      { id: 'b', workingDir: '/home/me/old/api' },
      { id: 'c', workingDir: '/srv/x/web' },
      { id: 'd', workingDir: '/home/me/web/' },
      { id: 'e', workingDir: '/a/same/tool' },
      { id: 'f', workingDir: '/b/same/tool' },
      { id: 'g', workingDir: 'C:\\code\\solo' },
      { id: 'h', workingDir: '/' },
    ]);
    expect(Object.fromEntries(labels)).toEqual({
      a: 'work/api',
      b: 'old/api',
      c: 'x/web',
      d: 'me/web',
      e: 'a/same/tool',
      f: 'b/same/tool',
      g: 'solo',
      h: '/',
    });
  });

  it('names projects that way in the project list and in the cost by project', async () => {
    const a = await project('/home/me/work/api');
    const b = await project('/home/me/old/api');
    await project('/home/me/web');
    await session(await task('ta', { projectId: a }), { startedAt: NOW - HOUR, costUsd: 2 });
    await session(await task('tb', { projectId: b }), { startedAt: NOW - HOUR, costUsd: 1 });
    const listed = await history.listProjects();
    expect(Object.fromEntries(listed.map((p) => [p.workingDir, p.name]))).toEqual({
      '/home/me/work/api': 'work/api',
      '/home/me/old/api': 'old/api',
      '/home/me/web': 'web',
    });
    const charts = await history.charts({}, 'UTC');
    expect(charts.costByProject.map((p) => [p.name, p.costUsd, p.tasks])).toEqual([
      ['work/api', 2, 1],
      ['old/api', 1, 1],
    ]);
    // And by project per day: the day's cost split by project id.
    expect(charts.costOverTime.at(-1)?.costByProject).toEqual({ [a]: 2, [b]: 1 });
  });

  it('lists the projects used last first, each at its newest task, or at its own start without tasks', async () => {
    const a = await project('/work/a');
    const b = await project('/work/b');
    await project('/work/unused');
    await dataSource.query(`UPDATE projects SET created_at = ? WHERE working_dir = '/work/unused'`, [NOW - 2 * DAY]);
    await task('a-old', { projectId: a, createdAt: NOW - 5 * DAY });
    await task('a-new', { projectId: a, createdAt: NOW - DAY });
    await task('b-only', { projectId: b, createdAt: NOW - 3 * DAY });
    expect((await history.listProjects()).map((p) => [p.workingDir, p.lastUsedAt])).toEqual([
      ['/work/a', NOW - DAY],
      ['/work/unused', NOW - 2 * DAY],
      ['/work/b', NOW - 3 * DAY],
    ]);
    expect((await history.listProjects(1)).map((p) => p.workingDir)).toEqual(['/work/a']);
  });
});

describe('exports', () => {
  it('defuses cells a spreadsheet would run, rounds costs, and has model and finishedAt columns', async () => {
    const p = await project('/work/api');
    const hostile = ['=HYPERLINK("http://x")', '+1', '-2', '@SUM(A1)', '\tTab', '\rReturn', 'plain, "quoted"'];
    for (const [i, title] of hostile.entries()) {
      const id = await task(`t${i}`, {
        projectId: p,
        title,
        createdAt: NOW - (i + 1) * HOUR,
        finishedAt: i === 0 ? NOW : null,
        model: i === 1 ? null : 'sonnet',
      });
      if (i === 0) {
        // 0.1 + 0.2 is 0.30000000000000004 in floating point.
        await session(id, { startedAt: NOW - HOUR, costUsd: 0.1, model: 'claude-sonnet-4-5' });
        await session(id, { startedAt: NOW - HOUR, costUsd: 0.2, model: 'claude-opus-4-5' });
      }
    }
    const tasks = await history.allTasks({});
    const csv = tasksToCsv(tasks);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'id,title,project,agent,model,status,statusReason,createdAt,finishedAt,iterations,inputTokens,outputTokens,cacheCreationTokens,cacheReadTokens,totalTokens,turns,costUsd,durationMs,linesChanged',
    );
    expect(lines[1]).toBe(
      `t0,"'=HYPERLINK(""http://x"")",/work/api,claude,claude-opus-4-5 claude-sonnet-4-5,completed,,${new Date(NOW - HOUR).toISOString()},${new Date(NOW).toISOString()},2,200,20,0,0,220,2,0.3,2000,`,
    );
    expect(lines[2]).toMatch(/^t1,'\+1,\/work\/api,claude,,completed,,[^,]+,,0,/);
    expect(lines[3]).toMatch(/^t2,'-2,\/work\/api,claude,sonnet,/);
    expect(lines[4]).toMatch(/^t3,'@SUM\(A1\),/);
    expect(lines[5]).toMatch(/^t4,'\tTab,/);
    // A cell with a line break is quoted, after the apostrophe.
    expect(csv).toContain(`t5,"'\rReturn",`);
    expect(csv).toContain('t6,"plain, ""quoted""",');
    expect(neutralizeFormula('a=b')).toBe('a=b');
    expect(exportCost(0.1 + 0.2)).toBe(0.3);
    expect(exportCost(0.0000123456789)).toBe(0.00001235);

    const json = JSON.parse(tasksToJson(tasks)) as Array<{ id: string; models: string[]; totals: { costUsd: number } }>;
    expect(json[0]).toMatchObject({
      id: 't0',
      models: ['claude-opus-4-5', 'claude-sonnet-4-5'],
      totals: { costUsd: 0.3 },
    });
  });

  it('names the file after the filter, in local days', () => {
    const context = { timeZone: 'UTC', now: NOW };
    expect(exportFileName({}, 'csv', context)).toBe('baton-tasks-2026-11-25.csv');
    expect(exportFileName({}, 'json', { timeZone: 'Pacific/Tongatapu', now: NOW })).toBe('baton-tasks-2026-11-26.json');
    const from = Date.UTC(2026, 10, 1) - 60 * 60_000; // local midnight at +01:00
    const to = Date.UTC(2026, 11, 1) - 60 * 60_000;
    expect(
      exportFileName({ projectId: 'p', status: 'max_iterations', from, to }, 'csv', {
        projectName: 'work/My API',
        timeZone: 'Etc/GMT-1',
        now: NOW,
      }),
    ).toBe('baton-tasks-work-my-api-max-iterations-2026-11-01_2026-11-30.csv');
    expect(exportFileName({ from }, 'csv', { timeZone: 'Etc/GMT-1', now: NOW })).toBe(
      'baton-tasks-from-2026-11-01.csv',
    );
    expect(exportFileName({ to, search: ' Fix: the "login" flow! ' }, 'csv', { timeZone: 'Etc/GMT-1', now: NOW })).toBe(
      'baton-tasks-search-fix-the-login-flow-until-2026-11-30.csv',
    );
    expect(slug('Café/../Ünïcode ✓')).toBe('cafe-..-unicode');
    expect(exportFileName({ projectId: 'p' }, 'csv', { projectName: '✓✓', timeZone: 'UTC', now: NOW })).toBe(
      'baton-tasks-project.csv',
    );
  });
});

describe('one time zone across a change of the clocks', () => {
  const ZONE = 'America/New_York';
  // Sessions either side of local midnight on the days New York changes its clocks (2026-03-08, 02:00 EST to
  // 03:00 EDT; 2026-11-01, 02:00 EDT to 01:00 EST), where a fixed offset puts one of each pair on the wrong day.
  const SESSIONS: Array<[string, string]> = [
    ['2026-03-08T04:30:00Z', '2026-03-07'], // 23:30 EST
    ['2026-03-08T05:30:00Z', '2026-03-08'], // 00:30 EST
    ['2026-03-09T03:30:00Z', '2026-03-08'], // 23:30 EDT
    ['2026-03-09T04:30:00Z', '2026-03-09'], // 00:30 EDT
    ['2026-11-01T03:30:00Z', '2026-10-31'], // 23:30 EDT
    ['2026-11-01T04:30:00Z', '2026-11-01'], // 00:30 EDT
    ['2026-11-02T04:30:00Z', '2026-11-01'], // 23:30 EST
    ['2026-11-02T05:30:00Z', '2026-11-02'], // 00:30 EST
  ];

  it("gives History's day buckets the days All usage gives the same sessions", async () => {
    const p = await project('/work/api');
    const t = await task('t', { projectId: p, createdAt: Date.parse('2026-03-01T00:00:00Z') });
    for (const [i, [at]] of SESSIONS.entries()) await session(t, { startedAt: Date.parse(at), costUsd: 2 ** i / 100 });
    const expected = new Map<string, number>();
    for (const [i, [, day]] of SESSIONS.entries()) expected.set(day, (expected.get(day) ?? 0) + 2 ** i / 100);

    const bucketCosts = async (from: string, to: string) => {
      const charts = await history.charts({ from: Date.parse(from), to: Date.parse(to) }, ZONE);
      expect(charts.bucket).toBe('day');
      return charts.costOverTime.filter((point) => point.sessions > 0).map((point) => [point.period, point.costUsd]);
    };
    const historyDays = [
      ...(await bucketCosts('2026-03-01T00:00:00Z', '2026-03-15T00:00:00Z')),
      ...(await bucketCosts('2026-10-25T00:00:00Z', '2026-11-08T00:00:00Z')),
    ];
    expect(historyDays).toEqual([...expected]);

    const usage = new UsageReports(dataSource, () => NOW).report('daily', {
      source: 'baton',
      timeZone: ZONE,
    });
    const usageDays = new Map<string, number>();
    for (const row of usage.periods) usageDays.set(row.period, (usageDays.get(row.period) ?? 0) + row.costUsd);
    expect([...usageDays]).toEqual(historyDays);
  });

  it("moves the budget's today with the settings' zone, and takes the service's own when none is set", async () => {
    const p = await project('/work/api');
    const t = await task('t', { projectId: p, createdAt: Date.parse('2026-10-30T00:00:00Z') });
    // 2026-11-02 04:45 UTC is 23:45 EST on 1 November, the day New York's clocks went back: today began at
    // 00:00 EDT, an hour before midnight at today's own offset would be.
    const now = Date.parse('2026-11-02T04:45:00Z');
    const costs = new Map(SESSIONS.map(([at], i) => [Date.parse(at), 2 ** i / 100]));
    for (const [at, costUsd] of costs) if (at <= now) await session(t, { startedAt: at, costUsd });
    const store = new TaskStore(dataSource);
    await store.updateSettings({ timeZone: ZONE });
    const newYork = await budgetDay(store, now);
    expect(newYork).toEqual({ timeZone: ZONE, start: Date.parse('2026-11-01T04:00:00Z') });
    expect(await store.spentSince(newYork.start)).toBeCloseTo(0.32 + 0.64, 10);
    history = new HistoryQueries(dataSource, () => now);
    expect((await history.charts({}, ZONE)).summary.spentTodayUsd).toBeCloseTo(0.32 + 0.64, 10);

    await store.updateSettings({ timeZone: 'Asia/Tokyo' });
    expect(await budgetDay(store, now)).toEqual({ timeZone: 'Asia/Tokyo', start: Date.parse('2026-11-01T15:00:00Z') });

    await store.updateSettings({ timeZone: null });
    const previousTz = process.env.TZ;
    process.env.TZ = 'Europe/Berlin';
    try {
      expect(await budgetDay(store, now)).toEqual({
        timeZone: 'Europe/Berlin',
        start: Date.parse('2026-11-01T23:00:00Z'),
      });
    } finally {
      if (previousTz === undefined) delete process.env.TZ;
      else process.env.TZ = previousTz;
    }
  });
});

describe("the daily budget's day", () => {
  it('starts at local midnight on a day the clocks change', () => {
    const berlin = (at: number) => startOfZoneDay('Europe/Berlin', at);
    // 2026-03-29: clocks go from 02:00 to 03:00, so midnight is at +01:00 and noon at +02:00.
    expect(berlin(Date.UTC(2026, 2, 29, 10))).toBe(Date.UTC(2026, 2, 28, 23));
    // 2026-10-25: back from 03:00 to 02:00, so midnight is at +02:00 and noon at +01:00.
    expect(berlin(Date.UTC(2026, 9, 25, 11))).toBe(Date.UTC(2026, 9, 24, 22));
    expect(berlin(Date.UTC(2026, 10, 25, 11))).toBe(Date.UTC(2026, 10, 24, 23));
    // Santiago skips midnight itself (2026-09-06, 00:00 to 01:00 at -03:00): the day begins at 01:00.
    expect(startOfZoneDay('America/Santiago', Date.UTC(2026, 8, 6, 15))).toBe(Date.UTC(2026, 8, 6, 4));
  });
});

describe('one name per model, and unknown costs', () => {
  it('names a model once, by the models its sessions ran, in the rows, the charts and the exports', async () => {
    const p = await project('/work/api');
    // Asked for no model ("default"); its sessions ran the 1M-context variant and the plain one.
    const a = await task('a', { projectId: p, model: 'default', createdAt: NOW - 2 * HOUR });
    await session(a, { startedAt: NOW - 2 * HOUR, model: 'claude-opus-4-8[1m]', costUsd: 1 });
    await session(a, { startedAt: NOW - HOUR, model: 'Claude-Opus-4-8', costUsd: 2 });
    const b = await task('b', { projectId: p, model: 'default', createdAt: NOW - HOUR });

    const { tasks } = await history.listTasks({
      filter: {},
      sort: { by: 'createdAt', direction: 'asc' },
      limit: 10,
      offset: 0,
    });
    expect(tasks.map((t) => [t.id, t.models])).toEqual([
      ['a', ['claude-opus-4-8']],
      ['b', []],
    ]);

    const charts = historyChartsSchema.parse(await history.charts({}, 'UTC'));
    expect(charts.tokensByModel.map((m) => [m.model, m.sessions, m.costUsd])).toEqual([['claude-opus-4-8', 2, 3]]);
    const models = new Set(charts.costOverTime.flatMap((point) => Object.keys(point.costByModel)));
    expect([...models]).toEqual(['claude-opus-4-8']);

    const exported = await history.allTasks({});
    const csv = tasksToCsv(exported).split('\r\n');
    expect(csv[1]).toMatch(/^b,b,\/work\/api,claude,,/);
    expect(csv[2]).toMatch(/^a,a,\/work\/api,claude,claude-opus-4-8,/);
    const json = JSON.parse(tasksToJson(exported)) as Array<{ id: string; model: string | null; models: string[] }>;
    expect(json.map((t) => [t.id, t.model, t.models])).toEqual([
      ['b', null, []],
      ['a', null, ['claude-opus-4-8']],
    ]);
    expect(b).toBe('b');
  });

  it('carries the tokens of unknown cost in the rows, the totals and every chart, never as $0', async () => {
    const p = await project('/work/api');
    const q = await project('/work/web');
    const codex = await task('codex', { projectId: p, agent: 'codex', model: 'gpt-9', createdAt: NOW - 3 * HOUR });
    await session(codex, { startedAt: NOW - 3 * HOUR, model: 'gpt-9', input: 1000, output: 200, costUnknown: true });
    const mixed = await task('mixed', { projectId: q, createdAt: NOW - 2 * HOUR });
    await session(mixed, { startedAt: NOW - 2 * HOUR, costUsd: 0.5, input: 100, output: 10 });
    await session(mixed, { startedAt: NOW - HOUR, model: 'gpt-9', input: 40, output: 5, costUnknown: true });

    const page = await history.listTasks({
      filter: {},
      sort: { by: 'createdAt', direction: 'asc' },
      limit: 10,
      offset: 0,
      withTotals: true,
    });
    expect(page.tasks.map((t) => [t.id, t.totals.costUsd, t.totals.unknownCostTokens])).toEqual([
      ['codex', 0, 1200],
      ['mixed', 0.5, 45],
    ]);
    expect(page.totals).toMatchObject({ costUsd: 0.5, unknownCostTokens: 1245, totalTokens: 1355 });

    const charts = historyChartsSchema.parse(await history.charts({}, 'Etc/GMT-1'));
    expect(charts.summary).toMatchObject({ costUsd: 0.5, unknownCostTokens: 1245 });
    expect(charts.costOverTime.reduce((sum, point) => sum + point.unknownCostTokens, 0)).toBe(1245);
    expect(charts.tokensByModel.map((m) => [m.model, m.unknownCostTokens])).toEqual([
      ['claude-sonnet-4-5', 0],
      ['gpt-9', 1245],
    ]);
    expect(Object.fromEntries(charts.costByAgent.map((a) => [a.agent, a.unknownCostTokens]))).toEqual({
      claude: 45,
      codex: 1200,
    });
    expect(Object.fromEntries(charts.costByProject.map((row) => [row.workingDir, row.unknownCostTokens]))).toEqual({
      '/work/api': 1200,
      '/work/web': 45,
    });
    // The filter applies to them as to everything else.
    const filtered = await history.charts({ agent: 'claude' }, 'UTC');
    expect(filtered.summary.unknownCostTokens).toBe(45);
  });
});
