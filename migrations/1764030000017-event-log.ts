import type { Migration, MigrationDb } from './migration';

/**
 * One sequenced log of every event a Baton process publishes, which the other processes on the database
 * tail (`WHERE seq > ?`) instead of rebuilding runs from rows.
 *
 * - `event_log.seq` is global and never reused (AUTOINCREMENT): SQLite has one writer at a time and a row's
 *   seq is taken inside its writer's transaction, so rows commit in seq order and a tail misses none.
 * - `origin` is the writing service (one id per open Baton), with its `pid` and `host`; `task_id` and
 *   `session_id` say what the event is about. The log is bounded: old rows are deleted as new ones come.
 * - `session_events.log_seq`: the log row written with each stored agent event, in the same transaction,
 *   so a snapshot can hold exactly the events a tail has passed.
 */
export class EventLog1764030000017 implements Migration {
  name = 'EventLog1764030000017';

  async up(db: MigrationDb): Promise<void> {
    await db.query(`
      CREATE TABLE event_log (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        at          INTEGER NOT NULL,
        origin      TEXT NOT NULL,
        pid         INTEGER NOT NULL,
        host        TEXT NOT NULL,
        task_id     TEXT,
        session_id  TEXT,
        type        TEXT NOT NULL,
        payload     TEXT NOT NULL
      )`);
    await db.query(`ALTER TABLE session_events ADD COLUMN log_seq INTEGER`);
  }

  async down(db: MigrationDb): Promise<void> {
    await db.query(`ALTER TABLE session_events DROP COLUMN log_seq`);
    await db.query(`DROP TABLE event_log`);
  }
}
