/**
 * The store as a bare SQLite connection, without TypeORM: for the import's quick start
 * (service/quick-import.ts), and the settings every connection to the store has (data-source.ts opens its
 * own through TypeORM with the same). It creates and migrates the database as the full store does
 * (migrate.ts). It does not recover what a crashed Baton left running: the import touches no task, and the
 * next Baton that opens the store in full recovers it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../../migrations';
import { migrate } from './migrate';
import type { Connection } from './write-transaction';

export const BUSY_TIMEOUT_MS = 10_000;

/** What every connection to the store sets first: WAL with synchronous=NORMAL is durable across a crash of Baton. */
export function prepareConnection(db: Pick<Connection, 'pragma'>): void {
  db.pragma('synchronous = NORMAL');
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir can spin forever on
 * pseudo file systems such as /proc, and a bad --db path must fail, not hang.
 */
export function makeParentDirs(dir: string): void {
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

/** The store at `file`, created and migrated as needed. Throws what opening it met, as the full store would. */
export async function openStoreConnection(file: string): Promise<Connection> {
  makeParentDirs(path.dirname(path.resolve(file)));
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    prepareConnection(db);
    db.pragma('foreign_keys = ON');
    await migrate(db, MIGRATIONS);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
