/**
 * SQLite's way to change what ALTER TABLE cannot (a CHECK, a dropped column with a constraint): steps 4 to 9
 * of https://www.sqlite.org/lang_altertable.html#otheralter. Create the new table under a temporary name, copy
 * the rows, drop the old table, rename the new one, and recreate the old table's indexes and triggers, and
 * every view (a view that names a dropped table makes the rename fail).
 *
 * Only for a migration that declares `rebuildsTables`: the runner (src-main/core/store/migrate.ts) takes the
 * other steps, foreign keys off outside the transaction, the check before COMMIT, and foreign keys back on.
 * With foreign keys on, the DROP would delete every child row through ON DELETE CASCADE.
 */
import type { MigrationDb } from './migration';

export interface TableRebuild {
  /** The new table's CREATE TABLE statement for the name given (the temporary one). */
  create(name: string): string;
  /** Each column of the new table to fill, and the SQL expression over the old row that fills it. */
  copy: Record<string, string>;
}

interface SchemaEntry {
  type: 'index' | 'trigger' | 'view';
  name: string;
  sql: string;
}

export async function rebuildTable(db: MigrationDb, table: string, rebuild: TableRebuild): Promise<void> {
  const temporary = `${table}_rebuilt`;
  // Indexes SQLite made itself (UNIQUE, PRIMARY KEY) have no SQL: the new CREATE TABLE makes them again.
  const kept = (await db.query(
    `SELECT type, name, sql FROM sqlite_master
     WHERE sql IS NOT NULL AND ((type IN ('index', 'trigger') AND tbl_name = ?) OR type = 'view')`,
    [table],
  )) as SchemaEntry[];
  for (const view of kept.filter((entry) => entry.type === 'view')) await db.query(`DROP VIEW "${view.name}"`);
  await db.query(rebuild.create(temporary));
  const columns = Object.keys(rebuild.copy);
  await db.query(
    `INSERT INTO "${temporary}" (${columns.map((column) => `"${column}"`).join(', ')})
     SELECT ${Object.values(rebuild.copy).join(', ')} FROM "${table}"`,
  );
  await keepAutoincrement(db, table, temporary);
  await db.query(`DROP TABLE "${table}"`);
  await db.query(`ALTER TABLE "${temporary}" RENAME TO "${table}"`);
  for (const type of ['index', 'trigger', 'view'] as const) {
    for (const entry of kept.filter((e) => e.type === type)) await db.query(entry.sql);
  }
}

/**
 * An AUTOINCREMENT table's counter goes with the old table; the copy's would restart at its highest row id,
 * and hand out again the ids of rows deleted at the end (ids that other rows, or a window, may still name).
 */
async function keepAutoincrement(db: MigrationDb, table: string, temporary: string): Promise<void> {
  const counter = (await db.query(
    `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'`,
  )) as unknown[];
  if (counter.length === 0) return;
  await db.query(`DELETE FROM sqlite_sequence WHERE name = ?`, [temporary]);
  await db.query(`INSERT INTO sqlite_sequence (name, seq) SELECT ?, seq FROM sqlite_sequence WHERE name = ?`, [
    temporary,
    table,
  ]);
}
