import type { Migration, MigrationDb } from './migration';

/**
 * The task's launch spec gets a typed home: one JSON column holding the
 * whole spec (directory, prompt and model included), replacing the untyped
 * `settings` bag that held the rest. Old rows keep every value they had.
 */
export class TaskSpec1764030000007 implements Migration {
  name = 'TaskSpec1764030000007';

  async up(db: MigrationDb): Promise<void> {
    await db.query(`ALTER TABLE tasks ADD COLUMN spec TEXT NOT NULL DEFAULT '{}'`);
    // json_patch drops keys whose value is null, so a task without a model keeps none.
    await db.query(`
      UPDATE tasks SET spec = json_patch(
        CASE WHEN json_valid(settings) AND json_type(settings) = 'object' THEN settings ELSE '{}' END,
        json_object(
          'dir', (SELECT working_dir FROM projects WHERE projects.id = tasks.project_id),
          'prompt', prompt,
          'model', model))`);
    await db.query(`ALTER TABLE tasks DROP COLUMN settings`);
  }

  async down(db: MigrationDb): Promise<void> {
    await db.query(`ALTER TABLE tasks ADD COLUMN settings TEXT NOT NULL DEFAULT '{}'`);
    await db.query(`UPDATE tasks SET settings = json_remove(spec, '$.dir', '$.prompt', '$.model')`);
    await db.query(`ALTER TABLE tasks DROP COLUMN spec`);
  }
}
