/**
 * Which schema a database holds, read without writing: the migrations it ran, and the schema version a
 * Baton wrote. Shared by the full store (data-source.ts, which migrates) and the import's quick start
 * (store-connection.ts, which opens only a database already at this version's schema).
 */
import type { Connection } from './write-transaction';

/** A migration as this version knows it: its class, whose instance may carry a name. */
export type NamedMigration = new () => { name?: string };

export interface SchemaState {
  done: Set<string>;
  userVersion: number;
}

/** Read-only, unlike TypeORM's own check, which creates its table (and races another process doing the same). */
export function schemaStateOf(db: Connection): SchemaState {
  const userVersion = db.pragma('user_version', { simple: true }) as number;
  const hasTable = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'`).get();
  const rows = hasTable ? (db.prepare(`SELECT name FROM migrations`).all() as Array<{ name: string }>) : [];
  return { done: new Set(rows.map((row) => row.name)), userVersion };
}

export const migrationName = (Migration: NamedMigration) => new Migration().name ?? Migration.name;

/**
 * What makes a database a newer Baton's, or undefined: a migration this version does not know, or a higher
 * user_version, which every Baton since that check sets to its count of migrations.
 */
export function newerSchema(state: SchemaState, migrations: readonly NamedMigration[]): string | undefined {
  const known = new Set(migrations.map(migrationName));
  const unknown = [...state.done].filter((name) => !known.has(name));
  if (unknown.length === 0 && state.userVersion <= migrations.length) return undefined;
  return unknown.length > 0
    ? `with migrations this version does not know (${unknown.slice(0, 3).join(', ')}${unknown.length > 3 ? ', …' : ''})`
    : `with schema version ${state.userVersion}, where this version knows up to ${migrations.length}`;
}

/** A migration not run yet, or a database migrated before Baton set user_version (set once, then). */
export function isPending(state: SchemaState, migrations: readonly NamedMigration[]): boolean {
  return (
    state.userVersion < migrations.length || migrations.some((Migration) => !state.done.has(migrationName(Migration)))
  );
}
