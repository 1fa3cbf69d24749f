import type { Migration, MigrationDb } from './migration';

/**
 * What kind of Baton process owns a task (`cli`: a terminal's `baton run`; `browser`: `baton serve`;
 * `desktop`: the app), beside its pid, so a window can say where a task it cannot stop runs. Null for
 * tasks an earlier version queued or ran.
 */
export class TaskOwnerHost1764030000015 implements Migration {
  name = 'TaskOwnerHost1764030000015';

  async up(db: MigrationDb): Promise<void> {
    await db.query(`ALTER TABLE tasks ADD COLUMN owner_host TEXT`);
  }

  async down(db: MigrationDb): Promise<void> {
    await db.query(`ALTER TABLE tasks DROP COLUMN owner_host`);
  }
}
