import type { Migration, MigrationDb } from './migration';

const SUMS = ['cost_usd', 'input_tokens', 'output_tokens', 'cache_creation_tokens', 'cache_read_tokens'];
const keyOf = (row: 'NEW' | 'OLD') =>
  `task_id = ${row}.task_id AND day = ${row}.started_at / 86400000 AND model = COALESCE(${row}.model, '')`;
const add = `INSERT INTO usage_by_task_day (task_id, day, model, sessions, ${SUMS.join(', ')})
  VALUES (NEW.task_id, NEW.started_at / 86400000, COALESCE(NEW.model, ''), 1, ${SUMS.map((c) => `NEW.${c}`).join(', ')})
  ON CONFLICT (task_id, day, model) DO UPDATE SET sessions = sessions + 1, ${SUMS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')};`;
const subtract = `UPDATE usage_by_task_day SET sessions = sessions - 1, ${SUMS.map((c) => `${c} = ${c} - OLD.${c}`).join(', ')}
  WHERE ${keyOf('OLD')};
  DELETE FROM usage_by_task_day WHERE ${keyOf('OLD')} AND sessions = 0;`;

/** Fills the rollup from the sessions as they are: at the migration, and after a bulk load without the triggers. */
export async function fillUsageByTaskDay(db: MigrationDb): Promise<void> {
  await db.query(`DELETE FROM usage_by_task_day`);
  await db.query(`
      INSERT INTO usage_by_task_day
      SELECT task_id, started_at / 86400000, COALESCE(model, ''), COUNT(*), ${SUMS.map((c) => `SUM(${c})`).join(', ')}
      FROM sessions GROUP BY 1, 2, 3`);
}

/**
 * Session usage rolled up per task, day and model, kept exact by triggers.
 * History's charts read these (about one row per task) instead of every
 * session row, so they stay fast with hundreds of thousands of sessions.
 */
export class UsageByTaskDay1764030000004 implements Migration {
  name = 'UsageByTaskDay1764030000004';

  async up(db: MigrationDb): Promise<void> {
    await db.query(`
      CREATE TABLE usage_by_task_day (
        task_id               TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        day                   INTEGER NOT NULL,
        model                 TEXT NOT NULL,
        sessions              INTEGER NOT NULL,
        cost_usd              REAL NOT NULL,
        input_tokens          INTEGER NOT NULL,
        output_tokens         INTEGER NOT NULL,
        cache_creation_tokens INTEGER NOT NULL,
        cache_read_tokens     INTEGER NOT NULL,
        PRIMARY KEY (task_id, day, model)
      ) WITHOUT ROWID`);
    await fillUsageByTaskDay(db);
    await db.query(`CREATE TRIGGER sessions_usage_insert AFTER INSERT ON sessions BEGIN ${add} END`);
    await db.query(
      `CREATE TRIGGER sessions_usage_update AFTER UPDATE OF task_id, started_at, model, ${SUMS.join(', ')} ON sessions
       BEGIN ${subtract} ${add} END`,
    );
    await db.query(`CREATE TRIGGER sessions_usage_delete AFTER DELETE ON sessions BEGIN ${subtract} END`);
  }

  async down(db: MigrationDb): Promise<void> {
    await db.query(`DROP TRIGGER sessions_usage_delete`);
    await db.query(`DROP TRIGGER sessions_usage_update`);
    await db.query(`DROP TRIGGER sessions_usage_insert`);
    await db.query(`DROP TABLE usage_by_task_day`);
  }
}
