import type { Migration, MigrationDb } from './migration';

/**
 * `session_events.at`: when the recorder received each agent event (epoch ms), so a replay plays in real time.
 * Events stored before have none (NULL); the replay spaces those evenly.
 */
export class SessionEventTimes1764030000018 implements Migration {
  name = 'SessionEventTimes1764030000018';

  async up(db: MigrationDb): Promise<void> {
    await db.query(`ALTER TABLE session_events ADD COLUMN at INTEGER`);
  }

  async down(db: MigrationDb): Promise<void> {
    await db.query(`ALTER TABLE session_events DROP COLUMN at`);
  }
}
