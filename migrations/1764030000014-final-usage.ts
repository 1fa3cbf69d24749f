import type { Migration, MigrationDb } from './migration';

/**
 * What the API really served: each transcript response at its final line, and the figures that price it.
 *
 * - `usage_messages.speed` ('standard' or 'fast') and `cache_write_1h_tokens` (the 1-hour part of the cache
 *   writes) price a response as it was served. Rows stored by the first-line rule named fast usage
 *   `<model>-fast`; that is now the speed.
 * - `usage_messages.legacy`: counted under the old rule, which kept a response's first transcript line and so
 *   a partial output count. Every row here is such a row. All files are marked to be read again from the
 *   start, and the next import replaces each row whose file is still on disk by the response's final line;
 *   rows whose files are gone stay legacy, and the window says how many.
 * - Costs of imported usage are no longer stored: reports price the tokens at read time, so a price set later
 *   applies to them. Only a cost the transcript itself states (`costUSD`) stays, as the agent's.
 * - `sessions.cache_write_1h_tokens` and `sessions.speed`, for the same pricing of Baton's own runs.
 * - `usage_messages` keeps only its key's index: reports read it whole, and the indexes on `at` and
 *   `session_id` cost a third of an import's inserts.
 * - One name per model: a trailing `[…]` tag (Claude Code's `[1m]`) is dropped, names are lower case, and
 *   "default" is no model. This is `modelName` (src-main/contract/models.ts) as of this migration, in SQL.
 */
const normalized = (column: string) => `NULLIF(lower(trim(CASE WHEN ${column} LIKE '%]' AND instr(${column}, '[') > 0
  THEN substr(${column}, 1, instr(${column}, '[') - 1) ELSE ${column} END)), 'default')`;

export class FinalUsage1764030000014 implements Migration {
  name = 'FinalUsage1764030000014';

  async up(db: MigrationDb): Promise<void> {
    await db.query(`ALTER TABLE usage_messages ADD COLUMN speed TEXT NOT NULL DEFAULT 'standard'`);
    await db.query(`ALTER TABLE usage_messages ADD COLUMN cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0`);
    await db.query(`ALTER TABLE usage_messages ADD COLUMN legacy INTEGER NOT NULL DEFAULT 0`);
    await db.query(`UPDATE usage_messages SET legacy = 1`);
    await db.query(
      `UPDATE usage_messages SET speed = 'fast', model = substr(model, 1, length(model) - 5) WHERE model LIKE '%-fast'`,
    );
    await db.query(`UPDATE usage_messages SET model = ${normalized('model')} WHERE model IS NOT NULL`);
    await db.query(`UPDATE usage_messages SET cost_usd = NULL, cost_source = 'estimated' WHERE cost_source <> 'agent'`);
    await db.query(`UPDATE transcript_files SET size = -1, read_to = 0, lines = 0`);
    await db.query(`DROP INDEX idx_usage_messages_at`);
    await db.query(`DROP INDEX idx_usage_messages_session`);

    await db.query(`ALTER TABLE sessions ADD COLUMN cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0`);
    await db.query(`ALTER TABLE sessions ADD COLUMN speed TEXT NOT NULL DEFAULT 'standard'`);
    // The rollup's triggers move each session's figures to its model's new name.
    await db.query(`UPDATE sessions SET model = ${normalized('model')} WHERE model IS NOT ${normalized('model')}`);
  }

  async down(db: MigrationDb): Promise<void> {
    await db.query(`CREATE INDEX idx_usage_messages_session ON usage_messages(session_id)`);
    await db.query(`CREATE INDEX idx_usage_messages_at ON usage_messages(at)`);
    await db.query(`ALTER TABLE sessions DROP COLUMN speed`);
    await db.query(`ALTER TABLE sessions DROP COLUMN cache_write_1h_tokens`);
    await db.query(`UPDATE usage_messages SET model = model || '-fast' WHERE speed = 'fast'`);
    for (const column of ['legacy', 'cache_write_1h_tokens', 'speed']) {
      await db.query(`ALTER TABLE usage_messages DROP COLUMN ${column}`);
    }
  }
}
