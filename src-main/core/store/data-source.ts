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
    await dataSource.runMigrations();
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
    throw new StoreOpenError(`cannot open the database at ${file}: ${(error as Error).message}`);
  }
  return dataSource;
}
