import type { Migration, MigrationDb } from './migration';

/**
 * Usage read from the agents' own transcripts, kept for good (Claude Code deletes its files after 30 days).
 *
 * - `transcript_files`: how far each file was read. `read_to` is the byte after the last whole line parsed,
 *   so an import reads only what was appended; `head` (a hash of the first bytes) tells a rewritten file
 *   from an appended one, and a file that shrank is read again from the start.
 * - `usage_messages`: one row per message counted, as ccusage counts them: `dedup_key` is
 *   `<message id>:<request id>` where both exist, so the one line per content block that the CLI writes
 *   counts once; otherwise a key of the file, the line and its occurrence, so such lines count each time
 *   and a re-read counts none twice. `baton` marks the messages of sessions Baton ran itself.
 * - An index on `sessions.agent_session_id`, and one on the retried sessions, find those links.
 */
export class UsageImport1764030000013 implements Migration {
  name = 'UsageImport1764030000013';

  async up(db: MigrationDb): Promise<void> {
    await db.query(`
      CREATE TABLE transcript_files (
        path        TEXT PRIMARY KEY NOT NULL,
        agent       TEXT NOT NULL,
        size        INTEGER NOT NULL,
        mtime_ms    INTEGER NOT NULL,
        read_to     INTEGER NOT NULL,
        head        TEXT NOT NULL,
        lines       INTEGER NOT NULL,
        imported_at INTEGER NOT NULL
      )`);
    await db.query(`
      CREATE TABLE usage_messages (
        id                    INTEGER PRIMARY KEY,
        dedup_key             TEXT NOT NULL UNIQUE,
        agent                 TEXT NOT NULL,
        file_path             TEXT NOT NULL,
        session_id            TEXT,
        project               TEXT,
        model                 TEXT,
        at                    INTEGER NOT NULL,
        input_tokens          INTEGER NOT NULL,
        output_tokens         INTEGER NOT NULL,
        cache_creation_tokens INTEGER NOT NULL,
        cache_read_tokens     INTEGER NOT NULL,
        cost_usd              REAL,
        cost_source           TEXT NOT NULL CHECK (cost_source IN ('agent', 'estimated', 'unknown')),
        sidechain             INTEGER NOT NULL DEFAULT 0,
        baton                 INTEGER NOT NULL DEFAULT 0
      )`);
    await db.query(`CREATE INDEX idx_usage_messages_at ON usage_messages(at)`);
    await db.query(`CREATE INDEX idx_usage_messages_session ON usage_messages(session_id)`);
    await db.query(`CREATE INDEX idx_sessions_agent_session ON sessions(agent_session_id)`);
    await db.query(`CREATE INDEX idx_sessions_retried ON sessions(session_id) WHERE retry_log IS NOT NULL`);
  }

  async down(db: MigrationDb): Promise<void> {
    await db.query(`DROP INDEX idx_sessions_retried`);
    await db.query(`DROP INDEX idx_sessions_agent_session`);
    await db.query(`DROP TABLE usage_messages`);
    await db.query(`DROP TABLE transcript_files`);
  }
}
