import type { Migration, MigrationDb } from './migration';

/** How many tool calls the permission mode refused in each iteration; earlier rows never counted any. */
export class SessionPermissionDenials1764030000008 implements Migration {
  name = 'SessionPermissionDenials1764030000008';

  async up(db: MigrationDb): Promise<void> {
    await db.query(`ALTER TABLE sessions ADD COLUMN permission_denials INTEGER NOT NULL DEFAULT 0`);
  }

  async down(db: MigrationDb): Promise<void> {
    await db.query(`ALTER TABLE sessions DROP COLUMN permission_denials`);
  }
}
