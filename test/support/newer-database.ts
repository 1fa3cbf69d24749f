/** Databases as another version of Baton left them, and what a test compares to see that nothing was written. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../migrations';
import { openDataSource } from '../../src-main/core/store/data-source';

/** A database with every migration this Baton knows, closed cleanly, then stamped with `userVersion`. */
export async function newerDatabase(dir: string, { userVersion }: { userVersion: number }): Promise<string> {
  const file = path.join(dir, `version-${userVersion}.db`);
  const dataSource = await openDataSource({ file, migrations: MIGRATIONS });
  await dataSource.destroy();
  const db = new Database(file);
  db.pragma(`user_version = ${userVersion}`);
  db.close();
  return file;
}

/**
 * The database file and its WAL, by content hash, and whether each exists. The -shm file is left out:
 * it is shared memory in which every reader, even a read-only one, marks what it reads.
 */
export type DatabaseSnapshot = Record<string, string | null>;

export function snapshotOf(file: string): DatabaseSnapshot {
  const snapshot: DatabaseSnapshot = {};
  for (const name of [file, `${file}-wal`, `${file}-journal`]) {
    snapshot[path.basename(name)] = existsSync(name)
      ? createHash('sha256').update(readFileSync(name)).digest('hex')
      : null;
  }
  snapshot['-shm exists'] = existsSync(`${file}-shm`) ? 'yes' : 'no';
  return snapshot;
}
