/** Opens the SQLite store: WAL, a busy timeout, foreign keys, and every pending migration. */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { DataSource, type MigrationInterface } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';
import { ENTITIES } from './entities';

export type MigrationClass = new () => MigrationInterface;

export interface OpenDataSourceOptions {
  /** Database file, or ':memory:'. */
  file: string;
  /** Defaults to every migration; tests pass a prefix to build an old schema. */
  migrations?: MigrationClass[];
  /** Path to a better_sqlite3.node built for this runtime (Electron's ABI differs from Node's). */
  nativeBinding?: string;
  /** How long a writer waits for another process's lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

export class StoreOpenError extends Error {
  override readonly name = 'StoreOpenError';
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir can spin forever on
 * pseudo file systems such as /proc, and a bad --db path must fail, not hang.
 */
function makeParentDirs(dir: string): void {
  const missing: string[] = [];
  let current = dir;
  while (!existsSync(current)) {
    missing.unshift(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const level of missing) mkdirSync(level);
}

/**
 * Runs the pending migrations in one transaction under SQLite's write lock,
 * and decides what is pending only once it holds the lock: two processes
 * opening a new database at once would otherwise both run the first
 * migration, and the later one fail on "table projects already exists".
 * An up-to-date database (most opens) takes no lock.
 */
async function migrate(dataSource: DataSource, migrations: MigrationClass[]): Promise<void> {
  if (!(await anyPending(dataSource, migrations))) return;
  // Waits, up to the busy timeout, for another process's migrations to commit.
  await dataSource.query('BEGIN IMMEDIATE');
  try {
    await dataSource.runMigrations({ transaction: 'none' });
    await dataSource.query('COMMIT');
  } catch (error) {
    await dataSource.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Read-only, unlike TypeORM's own check, which creates its table (and races
 * another process doing the same on a new database).
 */
async function anyPending(dataSource: DataSource, migrations: MigrationClass[]): Promise<boolean> {
  const tables = (await dataSource.query(
    `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'`,
  )) as unknown[];
  if (tables.length === 0) return true;
  const rows = (await dataSource.query(`SELECT name FROM migrations`)) as Array<{ name: string }>;
  const done = new Set(rows.map((row) => row.name));
  return migrations.some((Migration) => !done.has(new Migration().name ?? Migration.name));
}

export async function openDataSource(options: OpenDataSourceOptions): Promise<DataSource> {
  const file = options.file === ':memory:' ? options.file : path.resolve(options.file);
  if (file !== ':memory:') {
    try {
      makeParentDirs(path.dirname(file));
    } catch (error) {
      throw new StoreOpenError(`cannot create the database folder for ${file}: ${(error as Error).message}`);
    }
  }
  const dataSource = new DataSource({
    type: 'better-sqlite3',
    database: file,
    entities: ENTITIES,
    migrations: options.migrations ?? MIGRATIONS,
    migrationsTransactionMode: 'each',
    synchronize: false,
    enableWAL: true,
    timeout: options.busyTimeoutMs ?? 10_000,
    nativeBinding: options.nativeBinding,
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      // WAL with synchronous=NORMAL is durable across a crash of Baton; only power loss can drop the last commits.
      db.pragma('synchronous = NORMAL');
    },
  });
  try {
    await dataSource.initialize();
    await migrate(dataSource, options.migrations ?? MIGRATIONS);
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
    throw new StoreOpenError(`cannot open the database at ${file}: ${(error as Error).message}`);
  }
  return dataSource;
}
