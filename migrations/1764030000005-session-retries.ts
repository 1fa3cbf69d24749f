import type { Migration, MigrationDb } from './migration';

/**
 * Records the retries of an iteration on its session. A retry runs under a
 * new session id (the CLI refuses a used one), so the session row takes the
 * new id, and its stored events must follow: session_events is rebuilt with
 * ON UPDATE CASCADE.
 */
export class SessionRetries1764030000005 implements Migration {
  name = 'SessionRetries1764030000005';

  async up(db: MigrationDb): Promise<void> {
    await db.query(`ALTER TABLE sessions ADD COLUMN retries INTEGER NOT NULL DEFAULT 0`);
    await db.query(`ALTER TABLE sessions ADD COLUMN retry_log TEXT`);
    await db.query(`
      CREATE TABLE session_events_new (
        session_id TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE ON UPDATE CASCADE,
        seq        INTEGER NOT NULL,
        kind       TEXT NOT NULL,
        payload    TEXT NOT NULL,
        PRIMARY KEY (session_id, seq)
      ) WITHOUT ROWID`);
    await db.query(`INSERT INTO session_events_new SELECT session_id, seq, kind, payload FROM session_events`);
    await db.query(`DROP TABLE session_events`);
    await db.query(`ALTER TABLE session_events_new RENAME TO session_events`);
  }

  async down(db: MigrationDb): Promise<void> {
    await db.query(`ALTER TABLE sessions DROP COLUMN retry_log`);
    await db.query(`ALTER TABLE sessions DROP COLUMN retries`);
  }
}
