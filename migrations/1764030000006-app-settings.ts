import type { Migration, MigrationDb } from './migration';

/** Settings that belong to the whole app, such as the daily budget: one JSON value per key. */
export class AppSettings1764030000006 implements Migration {
  name = 'AppSettings1764030000006';

  async up(db: MigrationDb): Promise<void> {
    await db.query(`CREATE TABLE app_settings (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)`);
  }

  async down(db: MigrationDb): Promise<void> {
    await db.query(`DROP TABLE app_settings`);
  }
}
