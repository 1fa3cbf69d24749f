/**
 * History's rollups (migration 19) against the session rows: the tables the triggers keep after the store's
 * own writes (sessions started and finished, prices changed, tasks withdrawn, a project deleted), and every
 * chart and figure read from them, in zones whose clocks change and zones a quarter or half hour off UTC.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { historyChartsSchema, type TaskFilter } from '../../src-main/contract/api';
import { taskSpecSchema } from '../../src-main/contract/task-spec';
import { zoneDayStart, zoneDay } from '../../src-main/core/local-day';
import { openDataSource } from '../../src-main/core/store/data-source';
import { HistoryQueries } from '../../src-main/core/store/history-queries';
import { TaskStore } from '../../src-main/core/store/task-store';
import { chartsFromSessions } from '../support/history-reference';
import { sessionFinish } from '../support/session-finish';
import { expectedRollups, roundedCosts, storedRollups } from '../support/history-rollups';

const DAY = 86_400_000;
/** Tuesday 2026-12-01 12:00 UTC. */
const NOW = Date.UTC(2026, 11, 1, 12);

/** Zones whose clocks change (Santiago at midnight itself, Lord Howe by half an hour), and fixed odd offsets. */
const ZONES = [
  'UTC',
  'America/Los_Angeles',
  'Europe/Berlin',
  'America/Santiago',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Pacific/Kiritimati',
];

let dir: string;
let dataSource: DataSource;
let clock = NOW;
let store: TaskStore;
let history: HistoryQueries;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'baton-history-rollups-'));
  dataSource = await openDataSource({ file: path.join(dir, 'history.db') });
  store = new TaskStore(dataSource, () => clock);
  history = new HistoryQueries(dataSource, () => NOW);
});

afterEach(async () => {
  if (dataSource.isInitialized) await dataSource.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const MODELS = ['claude-sonnet-4-5', 'claude-opus-4-5[1m]', 'Claude-Opus-4-5', 'mystery-model', null];
let sessionCounter = 0;

/** One iteration as the orchestrator writes it: a running row, then its final UPDATE. */
async function iteration(taskId: string, n: number, at: number, next: () => number): Promise<string> {
  const sessionId = `s${++sessionCounter}`;
  const model = MODELS[Math.floor(next() * MODELS.length)] ?? null;
  clock = at;
  await store.startSession({ sessionId, taskId, iteration: n, model, ownerPid: process.pid });
  const kind = next();
  await store.finishSession(
    sessionId,
    sessionFinish({
      model,
      inputTokens: Math.floor(next() * 5000),
      outputTokens: Math.floor(next() * 900),
      cacheCreationTokens: Math.floor(next() * 300),
      cacheReadTokens: Math.floor(next() * 20000),
      costUsd: kind < 0.15 ? 0 : Math.round(next() * 1000) / 1000,
      costSource: kind < 0.5 ? 'estimated' : 'agent',
      costUnknown: kind < 0.15,
      durationMs: Math.floor(next() * 60_000),
      endedAt: at + 1000,
    }),
  );
  return sessionId;
}

/**
 * Tasks over the `spanDays` before NOW in three projects and two agents, each with iterations at random
 * times, and some exactly at (or just before) a local midnight of the zones above.
 */
async function fill(spanDays: number, seed: number): Promise<string[]> {
  const next = random(seed);
  const ids: string[] = [];
  for (let t = 0; t < 14; t++) {
    const createdAt = NOW - spanDays * DAY + Math.floor((t / 14) * spanDays * DAY);
    clock = createdAt;
    const agent = t % 4 === 3 ? 'codex' : 'claude';
    const { id } = await store.createTask({
      spec: taskSpecSchema.parse({ dir: `/work/${['api', 'web', 'old/api'][t % 3]}`, prompt: `task ${t}` }),
      title: `task ${t}`,
      agent,
      ownerPid: process.pid,
    });
    ids.push(id);
    const sessions = 1 + Math.floor(next() * 6);
    for (let n = 1; n <= sessions; n++) {
      let at = createdAt + Math.floor(next() * (NOW - createdAt));
      if (n === 1 && t < ZONES.length) {
        // A local midnight of one of the zones, or the millisecond before it.
        const zone = ZONES[t]!;
        at = zoneDayStart(zone, zoneDay(zone, at)) - (t % 2);
      }
      await iteration(id, n, at, next);
    }
    if (t % 5 === 0) await store.finishTask(id, 'failed', 'it failed');
    else await store.finishTask(id, 'completed', 'done');
  }
  // Spent today, this week and this month, in every zone.
  await iteration(ids[0]!, 99, NOW - 3_600_000, next);
  return ids;
}

/** Every chart and figure, in every zone, for the filters the rollups answer and one they do not. */
async function expectChartsFromSessions(filters: TaskFilter[]): Promise<void> {
  for (const zone of ZONES) {
    for (const filter of filters) {
      const charts = historyChartsSchema.parse(await history.charts(filter, zone));
      expect(roundedCosts({ zone, filter, charts })).toEqual(
        roundedCosts({ zone, filter, charts: await chartsFromSessions(dataSource, filter, zone, NOW) }),
      );
    }
  }
}

async function filters(): Promise<TaskFilter[]> {
  const [project] = (await dataSource.query(`SELECT id FROM projects ORDER BY working_dir LIMIT 1`)) as Array<{
    id: string;
  }>;
  return [
    {},
    { projectId: project!.id },
    { agent: 'codex' },
    { projectId: project!.id, agent: 'claude' },
    // Per task: the status is not in the rollups.
    { status: 'completed' },
    { from: NOW - 30 * DAY },
  ];
}

describe("History's rollups", () => {
  it('stay what the session rows sum to through every write the store makes', async () => {
    const ids = await fill(60, 11);
    expect(await storedRollups(dataSource)).toEqual(await expectedRollups(dataSource));

    // A session started is counted at once (at zero), and moves when it finishes.
    clock = NOW - DAY;
    await store.startSession({ sessionId: 'late', taskId: ids[2]!, iteration: 99, model: null, ownerPid: 1 });
    expect(await storedRollups(dataSource)).toEqual(await expectedRollups(dataSource));
    await iteration(ids[2]!, 100, NOW - 2 * DAY, random(3));

    // New prices re-price the sessions whose cost came from their tokens.
    const before = await storedRollups(dataSource);
    await store.updateSettings({
      modelPrices: { 'claude-sonnet-4-5': { input: 30, output: 150, cacheWrite: 37.5, cacheRead: 3 } },
    });
    const after = await storedRollups(dataSource);
    expect(after).not.toEqual(before);
    expect(after).toEqual(await expectedRollups(dataSource));

    // A task withdrawn takes its sessions; a project deleted takes its tasks and theirs.
    await store.withdrawTask(ids[4]!);
    expect(await storedRollups(dataSource)).toEqual(await expectedRollups(dataSource));
    await dataSource.query(`DELETE FROM projects WHERE working_dir = '/work/web'`);
    expect(await storedRollups(dataSource)).toEqual(await expectedRollups(dataSource));
    expect((await storedRollups(dataSource)).get('usage_by_day')!.length).toBeGreaterThan(0);
  });

  it('follow a session moved to another task or time, and a task moved to another project, agent or model', async () => {
    const ids = await fill(20, 5);
    await dataSource.query(
      `UPDATE sessions SET task_id = ?, iteration = 50 WHERE id = (SELECT MIN(id) FROM sessions)`,
      [ids[6]],
    );
    await dataSource.query(`UPDATE sessions SET started_at = started_at + 7 * ${DAY} WHERE id % 3 = 0`);
    await dataSource.query(
      `UPDATE tasks SET agent = 'gemini', model = 'claude-haiku-4-5',
         project_id = (SELECT id FROM projects WHERE working_dir = '/work/api') WHERE id = ?`,
      [ids[1]],
    );
    expect(await storedRollups(dataSource)).toEqual(await expectedRollups(dataSource));
  });

  for (const [bucket, spanDays] of [
    ['day', 60],
    ['week', 400],
    ['month', 1500],
  ] as const) {
    it(`give the charts the session rows give, by ${bucket}, in every zone, after each kind of write`, async () => {
      const ids = await fill(spanDays, spanDays);
      expect((await history.charts({}, 'UTC')).bucket).toBe(bucket);
      await expectChartsFromSessions(await filters());
      await store.updateSettings({
        modelPrices: { 'mystery-model': { input: 1, output: 2, cacheWrite: 1.25, cacheRead: 0.1 } },
      });
      await store.withdrawTask(ids[3]!);
      await expectChartsFromSessions(await filters());
    });
  }

  it('give the totals row and the spending figures the session rows give', async () => {
    await fill(60, 9);
    for (const filter of await filters()) {
      const { totals } = await history.listTasks({
        filter,
        sort: { by: 'createdAt', direction: 'desc' },
        limit: 1,
        offset: 0,
        withTotals: true,
      });
      const [expected] = (await dataSource.query(
        `SELECT COUNT(*) AS iterations, SUM(s.input_tokens) AS inputTokens, SUM(s.output_tokens) AS outputTokens,
                SUM(s.cache_creation_tokens) AS cacheCreationTokens, SUM(s.cache_read_tokens) AS cacheReadTokens,
                SUM(s.input_tokens + s.output_tokens + s.cache_creation_tokens + s.cache_read_tokens) AS totalTokens,
                ROUND(SUM(s.cost_usd), 8) AS costUsd,
                COALESCE(SUM(CASE WHEN s.cost_source = 'unknown'
                  THEN s.input_tokens + s.output_tokens + s.cache_creation_tokens + s.cache_read_tokens END), 0)
                  AS unknownCostTokens,
                SUM(s.duration_ms) AS durationMs
         FROM sessions s JOIN tasks t ON t.id = s.task_id
         WHERE (? IS NULL OR t.project_id = ?) AND (? IS NULL OR t.agent = ?) AND (? IS NULL OR t.status = ?)
           AND (? IS NULL OR t.created_at >= ?)`,
        [filter.projectId, filter.agent, filter.status, filter.from].flatMap((v) => [v ?? null, v ?? null]),
      )) as [Record<string, number>];
      expect(roundedCosts({ filter, totals })).toEqual(roundedCosts({ filter, totals: expected }));
    }
  });

  it('are read in one go: the charts asked first are answered before a page of tasks asked after them', async () => {
    await fill(20, 4);
    const answered: string[] = [];
    await Promise.all([
      history.charts({}, 'America/Los_Angeles').then(() => answered.push('charts')),
      history
        .listTasks({
          filter: {},
          sort: { by: 'createdAt', direction: 'desc' },
          limit: 200,
          offset: 0,
          withTotals: true,
        })
        .then(() => answered.push('tasks')),
    ]);
    expect(answered).toEqual(['charts', 'tasks']);
  });
});
