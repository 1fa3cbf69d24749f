import type { Migration, MigrationDb } from './migration';

/**
 * What subscription windows agents reported: the last report on each session, the last state
 * of each window for the dashboard and the pause threshold, and when a waiting task wakes.
 * A waiting task stays 'running' in the tasks table (whose CHECK would need a rebuild for a new
 * status); a wake-up time beside it is what makes it waiting.
 */
export class QuotaWindows1764030000009 implements Migration {
  name = 'QuotaWindows1764030000009';

  async up(db: MigrationDb): Promise<void> {
    await db.query(`ALTER TABLE tasks ADD COLUMN wake_at INTEGER`);
    await db.query(`ALTER TABLE sessions ADD COLUMN rate_limit TEXT`);
    await db.query(`
      CREATE TABLE quota_windows (
        name        TEXT PRIMARY KEY NOT NULL,
        status      TEXT NOT NULL,
        utilization REAL,
        resets_at   INTEGER,
        seen_at     INTEGER NOT NULL
      ) WITHOUT ROWID`);
  }

  async down(db: MigrationDb): Promise<void> {
    await db.query(`DROP TABLE quota_windows`);
    await db.query(`ALTER TABLE sessions DROP COLUMN rate_limit`);
    await db.query(`ALTER TABLE tasks DROP COLUMN wake_at`);
  }
}
