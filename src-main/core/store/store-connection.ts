/**
 * The store opened as a bare SQLite connection, without TypeORM, for the import's quick start
 * (cli/quick-import.ts): only a database that needs nothing done first. A missing file, a schema that is
 * not this version's (pending migrations, or a newer Baton's), or a journal other than WAL answers
 * undefined, and the caller opens the full store, which creates, migrates, refuses or converts it.
 * The connection is set as the full store sets its own (data-source.ts): busy timeout, synchronous=NORMAL,
 * foreign keys on.
 */
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../../migrations';
import { isPending, newerSchema, schemaStateOf } from './schema-version';
import type { Connection } from './write-transaction';

export const BUSY_TIMEOUT_MS = 10_000;

export function openCurrentStore(file: string): Connection | undefined {
  let db: Connection;
  try {
    db = new Database(file, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  } catch {
    // Missing, or not to be opened: the full store says why, or creates it.
    return undefined;
  }
  try {
    const state = schemaStateOf(db);
    const current =
      !isPending(state, MIGRATIONS) &&
      newerSchema(state, MIGRATIONS) === undefined &&
      db.pragma('journal_mode', { simple: true }) === 'wal';
    if (!current) {
      db.close();
      return undefined;
    }
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    return db;
  } catch {
    // Not a database, or locked past the timeout: the full store reports it as it does for every command.
    db.close();
    return undefined;
  }
}
