/** What a migration is, and all it may do with the database: run SQL statements, one at a time. */
export interface MigrationDb {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

export interface Migration {
  /** The class's name, as the migrations table records it. */
  readonly name?: string;
  /**
   * True when `up` rebuilds tables (rebuild-table.ts): the runner then turns foreign keys off around the
   * migrations' transaction, as a DROP of a parent table would otherwise cascade-delete its children, and
   * runs `PRAGMA foreign_key_check` before the COMMIT.
   */
  readonly rebuildsTables?: boolean;
  up(db: MigrationDb): Promise<void>;
  down(db: MigrationDb): Promise<void>;
}

/** A migration's class: its name ends in the 13-digit timestamp that orders it. */
export type MigrationClass = new () => Migration;
