/** Opens the SQLite store: WAL, a busy timeout, foreign keys, and every pending migration. */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { DataSource, type MigrationInterface } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';
import { ENTITIES } from './entities';
import { isPending, newerSchema, type SchemaState, schemaStateOf } from './schema-version';
import { BUSY_TIMEOUT_MS } from './store-connection';
import { connectionOf } from './write-transaction';

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
 * A database a newer Baton migrated is refused before anything is written to
 * it: this version does not know that schema, and its writes (or its own
 * migrations) could damage what the newer one relies on.
 */
function refuseNewer(state: SchemaState, migrations: MigrationClass[]): void {
  const what = newerSchema(state, migrations);
  if (what === undefined) return;
  throw new Error(
    `a newer version of Baton wrote it, ${what}. It was left unchanged: ` +
      'open it with that newer Baton, or use another database (--db or BATON_DB).',
  );
}

/**
 * Runs the pending migrations in one transaction under SQLite's write lock,
 * and decides what is pending only once it holds the lock: two processes
 * opening a new database at once would otherwise both run the first
 * migration, and the later one fail on "table projects already exists".
 * An up-to-date database (most opens) takes no lock.
 */
async function migrate(dataSource: DataSource, migrations: MigrationClass[]): Promise<void> {
  const db = connectionOf(dataSource);
  const before = schemaStateOf(db);
  refuseNewer(before, migrations);
  // Only now is WAL turned on: on a database in another journal mode, that is a write.
  await dataSource.query('PRAGMA journal_mode = WAL');
  if (!isPending(before, migrations)) return;
  // Waits, up to the busy timeout, for another process's migrations to commit.
  await dataSource.query('BEGIN IMMEDIATE');
  try {
    // A newer Baton may have migrated it between the check above and the lock.
    refuseNewer(schemaStateOf(db), migrations);
    await dataSource.runMigrations({ transaction: 'none' });
    // The count of migrations run, for an older Baton to see that this one is newer than it.
    await dataSource.query(`PRAGMA user_version = ${migrations.length}`);
    await dataSource.query('COMMIT');
  } catch (error) {
    await dataSource.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
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
    // WAL is turned on in migrate(), once the database is known not to be a newer Baton's.
    timeout: options.busyTimeoutMs ?? BUSY_TIMEOUT_MS,
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
