/**
 * Baton's own migration runner, on the bare connection, for every way the store is opened (data-source.ts
 * with TypeORM, store-connection.ts without). It keeps the migrations table as TypeORM's runner kept it
 * (same table, same rows), so stores migrated by either are one and the same.
 *
 * The pending migrations run in one transaction under SQLite's write lock, and what is pending is decided
 * only once the lock is held: two processes opening a new database at once would otherwise both run the
 * first migration, and the later one fail on "table projects already exists". An up-to-date database
 * (most opens) takes no lock. A database a newer Baton migrated is refused before anything is written.
 *
 * A migration that rebuilds tables (migrations/rebuild-table.ts, SQLite's 12 steps) runs with foreign keys
 * off, and the transaction commits only if `PRAGMA foreign_key_check` then finds every reference whole.
 */
import type { MigrationClass, MigrationDb } from '../../../migrations';
import type { Connection } from './write-transaction';

// Which schema a database holds, read without writing: the migrations it ran, and the schema version a
// Baton wrote.

interface SchemaState {
  done: Set<string>;
  userVersion: number;
}

/** Read-only, unlike TypeORM's own check, which creates its table (and races another process doing the same). */
function schemaStateOf(db: Connection): SchemaState {
  const userVersion = db.pragma('user_version', { simple: true }) as number;
  const hasTable = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'`).get();
  const rows = hasTable ? (db.prepare(`SELECT name FROM migrations`).all() as Array<{ name: string }>) : [];
  return { done: new Set(rows.map((row) => row.name)), userVersion };
}

const migrationName = (Migration: MigrationClass) => new Migration().name ?? Migration.name;

/**
 * What makes a database a newer Baton's, or undefined: a migration this version does not know, or a higher
 * user_version, which every Baton since that check sets to its count of migrations.
 */
function newerSchema(state: SchemaState, migrations: readonly MigrationClass[]): string | undefined {
  const known = new Set(migrations.map(migrationName));
  const unknown = [...state.done].filter((name) => !known.has(name));
  if (unknown.length === 0 && state.userVersion <= migrations.length) return undefined;
  return unknown.length > 0
    ? `with migrations this version does not know (${unknown.slice(0, 3).join(', ')}${unknown.length > 3 ? ', …' : ''})`
    : `with schema version ${state.userVersion}, where this version knows up to ${migrations.length}`;
}

/** A migration not run yet, or a database migrated before Baton set user_version (set once, then). */
function isPending(state: SchemaState, migrations: readonly MigrationClass[]): boolean {
  return (
    state.userVersion < migrations.length || migrations.some((Migration) => !state.done.has(migrationName(Migration)))
  );
}

function refuseNewer(state: SchemaState, migrations: readonly MigrationClass[]): void {
  const what = newerSchema(state, migrations);
  if (what === undefined) return;
  throw new Error(
    `a newer version of Baton wrote it, ${what}. It was left unchanged: ` +
      'open it with that newer Baton, or use another database (--db or BATON_DB).',
  );
}

/** A migration's order: the 13-digit timestamp that ends its name, as TypeORM reads it. */
function timestampOf(name: string): number {
  const timestamp = Number.parseInt(name.slice(-13), 10);
  if (!Number.isFinite(timestamp)) throw new Error(`migration ${name} does not end in a timestamp`);
  return timestamp;
}

/** One statement at a time, as a migration's `query` runs it; what a statement returns, for the few that read. */
function migrationDb(db: Connection): MigrationDb {
  return {
    query: async (sql, parameters = []) => {
      const statement = db.prepare(sql);
      return statement.reader ? statement.all(...parameters) : statement.run(...parameters);
    },
  };
}

/** Rows whose foreign keys point nowhere, as `PRAGMA foreign_key_check` reports them: a rebuild that lost a parent. */
function checkForeignKeys(db: Connection): void {
  const broken = db.pragma('foreign_key_check') as Array<{ table: string; rowid: number | null; parent: string }>;
  if (broken.length === 0) return;
  const listed = broken.slice(0, 3).map((row) => `${row.table} row ${row.rowid ?? '?'} (no ${row.parent})`);
  throw new Error(
    `the migrations left ${broken.length} row(s) whose foreign key points nowhere: ${listed.join(', ')}` +
      `${broken.length > 3 ? ', …' : ''}. Nothing was changed.`,
  );
}

export async function migrate(db: Connection, migrations: readonly MigrationClass[]): Promise<void> {
  // Read once: WAL (below) changes nothing of it, and a pending migration is decided again under the lock.
  const state = schemaStateOf(db);
  refuseNewer(state, migrations);
  // Only now is WAL turned on: on a database in another journal mode, that is a write.
  db.pragma('journal_mode = WAL');
  if (!isPending(state, migrations)) return;
  // A rebuild drops tables that others reference: with foreign keys on, that would cascade-delete their rows.
  // The pragma is a no-op inside a transaction, so it is turned off before one begins, and back on whatever happens.
  const rebuilds = migrations.some((M) => !state.done.has(migrationName(M)) && new M().rebuildsTables === true);
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  if (rebuilds) db.pragma('foreign_keys = OFF');
  try {
    await runPending(db, migrations, rebuilds);
  } finally {
    if (rebuilds) db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  }
}

async function runPending(db: Connection, migrations: readonly MigrationClass[], rebuilds: boolean): Promise<void> {
  // Waits, up to the busy timeout, for another process's migrations to commit.
  db.exec('BEGIN IMMEDIATE');
  try {
    // A newer Baton may have migrated it between the check above and the lock.
    refuseNewer(schemaStateOf(db), migrations);
    db.exec(
      `CREATE TABLE IF NOT EXISTS "migrations" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "timestamp" bigint NOT NULL, "name" varchar NOT NULL)`,
    );
    const { done } = schemaStateOf(db);
    const record = db.prepare(`INSERT INTO "migrations" ("timestamp", "name") VALUES (?, ?)`);
    const queries = migrationDb(db);
    const ordered = [...migrations].sort((a, b) => timestampOf(migrationName(a)) - timestampOf(migrationName(b)));
    for (const Migration of ordered) {
      const name = migrationName(Migration);
      if (done.has(name)) continue;
      await new Migration().up(queries);
      record.run(timestampOf(name), name);
    }
    // With foreign keys off, nothing checked them meanwhile.
    if (rebuilds) checkForeignKeys(db);
    // The count of migrations run, for an older Baton to see that this one is newer than it.
    db.pragma(`user_version = ${migrations.length}`);
    db.exec('COMMIT');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
