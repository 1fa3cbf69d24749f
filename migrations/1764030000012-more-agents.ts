import type { Migration, MigrationDb } from './migration';

/**
 * More agents than Claude Code, and costs from maintained price data.
 *
 * - `tasks.agent` names the agent kind the spec asks for ('claude', 'codex', 'gemini'); tasks from before
 *   were all Claude Code's, stored as 'claude-code'.
 * - `sessions.agent_session_id`: the session's id as the agent reports it, where that is not Baton's own
 *   (Codex names its threads itself).
 * - `sessions.reasoning_tokens`: output tokens the model spent reasoning, kept apart (they are inside
 *   output_tokens already, so never added to the totals).
 * - `sessions.computed_cost_usd`: the cost computed from the tokens beside the one the agent reported,
 *   null where the price data does not know the model.
 * - `sessions.cost_unknown`: no cost could be had at all (no agent cost, a model the data does not know);
 *   a flag beside cost_source, whose CHECK would need a table rebuild for a third source.
 */
export class MoreAgents1764030000012 implements Migration {
  name = 'MoreAgents1764030000012';

  async up(db: MigrationDb): Promise<void> {
    await db.query(`ALTER TABLE sessions ADD COLUMN agent_session_id TEXT`);
    await db.query(`ALTER TABLE sessions ADD COLUMN reasoning_tokens INTEGER NOT NULL DEFAULT 0`);
    await db.query(`ALTER TABLE sessions ADD COLUMN computed_cost_usd REAL`);
    await db.query(`ALTER TABLE sessions ADD COLUMN cost_unknown INTEGER NOT NULL DEFAULT 0`);
    await db.query(`UPDATE tasks SET agent = 'claude' WHERE agent = 'claude-code'`);
    await db.query(`CREATE INDEX idx_tasks_agent ON tasks(agent)`);
  }

  async down(db: MigrationDb): Promise<void> {
    await db.query(`DROP INDEX idx_tasks_agent`);
    await db.query(`UPDATE tasks SET agent = 'claude-code' WHERE agent = 'claude'`);
    for (const column of ['cost_unknown', 'computed_cost_usd', 'reasoning_tokens', 'agent_session_id']) {
      await db.query(`ALTER TABLE sessions DROP COLUMN ${column}`);
    }
  }
}
