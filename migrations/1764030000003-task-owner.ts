import type { Migration, MigrationDb } from './migration';

/** Which process runs a task, so a task that crashed between iterations can be told from a live one. */
export class TaskOwner1764030000003 implements Migration {
  name = 'TaskOwner1764030000003';

  async up(db: MigrationDb): Promise<void> {
    await db.query(`ALTER TABLE tasks ADD COLUMN owner_pid INTEGER`);
    await db.query(`CREATE INDEX idx_tasks_status ON tasks(status)`);
    await db.query(`CREATE INDEX idx_sessions_status ON sessions(status) WHERE status = 'running'`);
  }

  async down(db: MigrationDb): Promise<void> {
    await db.query(`DROP INDEX idx_sessions_status`);
    await db.query(`DROP INDEX idx_tasks_status`);
    await db.query(`ALTER TABLE tasks DROP COLUMN owner_pid`);
  }
}
