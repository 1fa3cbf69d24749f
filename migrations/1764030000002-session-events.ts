import type { Migration, MigrationDb } from './migration';

/** The agent events of each session, so a past iteration's stream can be replayed. Bounded per session by the recorder. */
export class SessionEvents1764030000002 implements Migration {
  name = 'SessionEvents1764030000002';

  async up(db: MigrationDb): Promise<void> {
    await db.query(`
      CREATE TABLE session_events (
        session_id TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
        seq        INTEGER NOT NULL,
        kind       TEXT NOT NULL,
        payload    TEXT NOT NULL,
        PRIMARY KEY (session_id, seq)
      ) WITHOUT ROWID`);
  }

  async down(db: MigrationDb): Promise<void> {
    await db.query(`DROP TABLE session_events`);
  }
}
