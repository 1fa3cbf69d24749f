/** Opens the SQLite store: WAL, a busy timeout, foreign keys, and every pending migration. */
import path from 'node:path';
import { DataSource } from 'typeorm';
import { MIGRATIONS, type MigrationClass } from '../../../migrations';
import { ENTITIES } from './entities';
import { migrate } from './migrate';
import { BUSY_TIMEOUT_MS, makeParentDirs, prepareConnection } from './store-connection';
import { connectionOf } from './write-transaction';

export type { MigrationClass } from '../../../migrations';

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
    synchronize: false,
    // WAL is turned on in migrate(), once the database is known not to be a newer Baton's.
    timeout: options.busyTimeoutMs ?? BUSY_TIMEOUT_MS,
    nativeBinding: options.nativeBinding,
    prepareDatabase: prepareConnection,
  });
  try {
    await dataSource.initialize();
    await migrate(connectionOf(dataSource), options.migrations ?? MIGRATIONS);
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
    throw new StoreOpenError(`cannot open the database at ${file}: ${(error as Error).message}`);
  }
  return dataSource;
}
