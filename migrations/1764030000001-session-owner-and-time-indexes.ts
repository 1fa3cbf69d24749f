import type { Migration, MigrationDb } from './migration';

/**
 * Records which process runs a session, so a later start can tell a crashed
 * run from a live one in another process; and indexes the time columns that
 * the task list and history sort and filter on.
 */
export class SessionOwnerAndTimeIndexes1764030000001 implements Migration {
  name = 'SessionOwnerAndTimeIndexes1764030000001';

  async up(db: MigrationDb): Promise<void> {
    await db.query(`ALTER TABLE sessions ADD COLUMN owner_pid INTEGER`);
    await db.query(`CREATE INDEX idx_tasks_created_at ON tasks(created_at, id)`);
    await db.query(`CREATE INDEX idx_sessions_started_at ON sessions(started_at)`);
  }

  async down(db: MigrationDb): Promise<void> {
    await db.query(`DROP INDEX idx_sessions_started_at`);
    await db.query(`DROP INDEX idx_tasks_created_at`);
    await db.query(`ALTER TABLE sessions DROP COLUMN owner_pid`);
  }
}
