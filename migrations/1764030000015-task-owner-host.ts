import type { Migration, MigrationDb } from './migration';

/**
 * What kind of Baton process owns a task (`cli`: a terminal's `baton run`; `browser`: `baton serve`;
 * `desktop`: the app), beside its pid, so a window can say where a task it cannot stop runs. Null for
 * tasks an earlier version queued or ran.
 *
 * First it finishes what the earliest builds of migration 14 left undone. That migration changed twice on
 * the day it came (2026-12-07, before this one existed): `sessions.speed` was added to it, and then the
 * drop of usage_messages' `at` and `session_id` indexes. A store migrated by either earlier build recorded
 * it as done, so it never ran again, and every migration after it failed on the missing column. Any store
 * that reaches this migration has run some build of 14; for the last build's, the repair changes nothing.
 */
export class TaskOwnerHost1764030000015 implements Migration {
  name = 'TaskOwnerHost1764030000015';

  async up(db: MigrationDb): Promise<void> {
    const columns = (await db.query(`SELECT name FROM pragma_table_info('sessions')`)) as { name: string }[];
    if (!columns.some((column) => column.name === 'speed'))
      await db.query(`ALTER TABLE sessions ADD COLUMN speed TEXT NOT NULL DEFAULT 'standard'`);
    await db.query(`DROP INDEX IF EXISTS idx_usage_messages_at`);
    await db.query(`DROP INDEX IF EXISTS idx_usage_messages_session`);
    await db.query(`ALTER TABLE tasks ADD COLUMN owner_host TEXT`);
  }

  async down(db: MigrationDb): Promise<void> {
    await db.query(`ALTER TABLE tasks DROP COLUMN owner_host`);
  }
}
