/**
 * Write transactions that hold the write lock from their first statement
 * (BEGIN IMMEDIATE) and never yield to the event loop. Several processes
 * share one database: a deferred transaction that reads and then writes can
 * fail at once with SQLITE_BUSY, while IMMEDIATE waits its turn under the
 * busy timeout. And one process shares one connection: a transaction that
 * awaited between statements could take in another task's writes.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { DataSource } from 'typeorm';

export type Connection = BetterSqlite3.Database;

export function connectionOf(dataSource: DataSource): Connection {
  return (dataSource.driver as unknown as { databaseConnection: Connection }).databaseConnection;
}

export function writeTransaction<T>(dataSource: DataSource, body: (db: Connection) => T): T {
  return immediateTransaction(connectionOf(dataSource), body);
}

/** The same on a bare connection (the import's, which may have no DataSource). */
export function immediateTransaction<T>(db: Connection, body: (db: Connection) => T): T {
  return db.transaction(() => body(db)).immediate();
}
