/** What a migration is, and all it may do with the database: run SQL statements, one at a time. */
export interface MigrationDb {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

export interface Migration {
  /** The class's name, as the migrations table records it. */
  readonly name?: string;
  up(db: MigrationDb): Promise<void>;
  down(db: MigrationDb): Promise<void>;
}

/** A migration's class: its name ends in the 13-digit timestamp that orders it. */
export type MigrationClass = new () => Migration;
