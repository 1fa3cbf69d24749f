/**
 * The settings as the store keeps them (app_settings, one JSON value per key), and the spending sum the daily
 * budget and the views share.
 */
import type { DataSource } from 'typeorm';
import { QUARTER_HOUR_MS } from '../../../migrations/1764030000019-history-rollups';
import { timeZoneSchema } from '../../contract/time-zone';
import { type ModelPrices, modelPricesSchema, type Settings, taskDefaultsSchema } from '../../contract/views';
import type { SpendingPeriods } from '../local-day';
import { repriceSessions } from './session-prices';
import { type Connection, connectionOf, writeTransaction } from './write-transaction';

/** Never set, or written in a shape this version does not read: no prices of the user's own. */
function modelPricesOf(stored: unknown): ModelPrices {
  const parsed = modelPricesSchema.safeParse(stored);
  return parsed.success ? parsed.data : {};
}

/** The user's model prices, read at once (History reads all it shows in one go). */
export function modelPricesIn(db: Connection): ModelPrices {
  const row = db.prepare(`SELECT value FROM app_settings WHERE key = 'modelPrices'`).get() as
    { value: string } | undefined;
  return modelPricesOf(row ? (JSON.parse(row.value) as unknown) : undefined);
}

export async function storedModelPrices(dataSource: DataSource): Promise<ModelPrices> {
  return modelPricesIn(connectionOf(dataSource));
}

/** Tasks the desktop app and browser mode run at once unless the settings say otherwise. */
export const DEFAULT_CONCURRENCY = 2;

/** The settings as stored, each defaulted where never set or written in a shape this version does not read. */
export async function readSettings(dataSource: DataSource): Promise<Settings> {
  const rows = (await dataSource.query(`SELECT key, value FROM app_settings`)) as Array<{
    key: string;
    value: string;
  }>;
  const stored = Object.fromEntries(rows.map((row) => [row.key, JSON.parse(row.value) as unknown]));
  const taskDefaults = taskDefaultsSchema.safeParse(stored.taskDefaults);
  return {
    // Never set, or written in a shape this version does not read: the launch form then starts from none.
    taskDefaults: taskDefaults.success ? taskDefaults.data : {},
    dailyBudgetUsd: typeof stored.dailyBudgetUsd === 'number' ? stored.dailyBudgetUsd : null,
    maxConcurrentTasks: typeof stored.maxConcurrentTasks === 'number' ? stored.maxConcurrentTasks : DEFAULT_CONCURRENCY,
    modelPrices: modelPricesOf(stored.modelPrices),
    // A zone this system no longer knows counts as none: the service's own.
    timeZone: timeZoneSchema.safeParse(stored.timeZone).data ?? null,
  };
}

/** Stores what the patch sets; new model prices re-price the sessions priced from tokens. */
export function writeSettings(dataSource: DataSource, patch: Partial<Settings>): void {
  writeTransaction(dataSource, (db) => {
    const upsert = db.prepare(
      `INSERT INTO app_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    );
    for (const [key, value] of Object.entries(patch)) upsert.run(key, JSON.stringify(value));
  });
  if (patch.modelPrices) repriceSessions(dataSource, patch.modelPrices);
}

/**
 * What all sessions started in each period cost: the one spending sum behind the daily budget,
 * Settings' "spent today" and History's figures.
 */
export async function spentInPeriods(
  dataSource: DataSource,
  periods: SpendingPeriods,
): Promise<{ today: number; week: number; month: number }> {
  return spentInPeriodsIn(connectionOf(dataSource), periods);
}

/**
 * The same, read at once. A period that starts at a quarter hour (a local midnight, in every zone) is summed
 * from the quarter-hour rollup: a month holds tens of thousands of sessions, and a few thousand quarter hours.
 */
export function spentInPeriodsIn(
  db: Connection,
  periods: SpendingPeriods,
): { today: number; week: number; month: number } {
  const starts = [periods.today, periods.week, periods.month];
  const quarters = starts.every((start) => start % QUARTER_HOUR_MS === 0);
  const [time, unit] = quarters ? ['slot', QUARTER_HOUR_MS] : ['started_at', 1];
  return db
    .prepare(
      `SELECT COALESCE(SUM(CASE WHEN ${time} >= ? THEN cost_usd END), 0) AS today,
              COALESCE(SUM(CASE WHEN ${time} >= ? THEN cost_usd END), 0) AS week,
              COALESCE(SUM(CASE WHEN ${time} >= ? THEN cost_usd END), 0) AS month
       FROM ${quarters ? 'usage_by_quarter_hour' : 'sessions'} WHERE ${time} >= ?`,
    )
    .get(...[...starts, Math.min(...starts)].map((start) => start / unit)) as {
    today: number;
    week: number;
    month: number;
  };
}
