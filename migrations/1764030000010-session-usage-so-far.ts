import type { Migration, MigrationDb } from './migration';

/**
 * What a running session has spent so far, and what its recorder could not store.
 *
 * `usage_so_far` (JSON: tokens, turns, cost and its source, and the retries so far) is written while the
 * session runs, so a Baton killed mid-iteration leaves its spending behind: recovery moves it into the token
 * and cost columns. It is kept apart from them because a running row's figures must stay zero until its
 * final UPDATE: the live views add the running session's own figures to the stored totals, and the
 * usage_by_task_day triggers would otherwise run on every write.
 *
 * `events_not_stored`: agent events of the session that a failed write (a full disk) kept out of its replay.
 */
export class SessionUsageSoFar1764030000010 implements Migration {
  name = 'SessionUsageSoFar1764030000010';

  async up(db: MigrationDb): Promise<void> {
    await db.query(`ALTER TABLE sessions ADD COLUMN usage_so_far TEXT`);
    await db.query(`ALTER TABLE sessions ADD COLUMN events_not_stored INTEGER NOT NULL DEFAULT 0`);
  }

  async down(db: MigrationDb): Promise<void> {
    await db.query(`ALTER TABLE sessions DROP COLUMN events_not_stored`);
    await db.query(`ALTER TABLE sessions DROP COLUMN usage_so_far`);
  }
}
