/**
 * A database a newer Baton migrated is refused, and left byte for byte as it
 * was: an older Baton once opened it, ran none of its own migrations, and
 * wrote into a schema it did not know.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Migration, type MigrationDb, MIGRATIONS } from '../../migrations';
import { type MigrationClass, openDataSource } from '../../src-main/core/store/data-source';
import { newerDatabase, type DatabaseSnapshot, snapshotOf } from '../support/newer-database';

/** What a later Baton adds: a table this one knows nothing of. */
class FutureSchema1899999999999 implements Migration {
  name = 'FutureSchema1899999999999';
  async up(db: MigrationDb): Promise<void> {
    await db.query(`CREATE TABLE future_things (id TEXT PRIMARY KEY)`);
  }
  async down(db: MigrationDb): Promise<void> {
    await db.query(`DROP TABLE future_things`);
  }
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'baton-newer-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function userVersionAfterOpen(file: string, migrations: MigrationClass[] = MIGRATIONS): Promise<number> {
  const dataSource = await openDataSource({ file, migrations });
  const [row] = (await dataSource.query('PRAGMA user_version')) as [{ user_version: number }];
  await dataSource.destroy();
  return row.user_version;
}

async function expectRefusedUnchanged(file: string, reason: RegExp): Promise<void> {
  const before: DatabaseSnapshot = snapshotOf(file);
  await expect(openDataSource({ file })).rejects.toThrow(reason);
  await expect(openDataSource({ file })).rejects.toThrow(/left unchanged.*another database \(--db or BATON_DB\)/);
  expect(snapshotOf(file)).toEqual(before);
}

describe('a database written by a newer Baton', () => {
  it('is refused when it ran a migration this version does not know, and nothing of it changes', async () => {
    const file = path.join(dir, 'newer.db');
    const dataSource = await openDataSource({ file, migrations: [...MIGRATIONS, FutureSchema1899999999999] });
    await dataSource.destroy();
    await expectRefusedUnchanged(file, /newer version of Baton.*FutureSchema1899999999999/);
  });

  it('is refused when its user_version is above this version’s, even with every migration known', async () => {
    const file = await newerDatabase(dir, { userVersion: MIGRATIONS.length + 1 });
    await expectRefusedUnchanged(
      file,
      new RegExp(`schema version ${MIGRATIONS.length + 1}.*up to ${MIGRATIONS.length}`),
    );
  });

  it('is refused while the newer Baton still has it open, with its writes in the WAL', async () => {
    const file = path.join(dir, 'open.db');
    const newer = await openDataSource({ file, migrations: [...MIGRATIONS, FutureSchema1899999999999] });
    await newer.query(`INSERT INTO future_things VALUES ('kept')`);
    const before = snapshotOf(file);
    await expect(openDataSource({ file })).rejects.toThrow(/FutureSchema1899999999999/);
    expect(snapshotOf(file)).toEqual(before);
    await newer.destroy();
  });
});

describe('the schema version Baton writes', () => {
  it('is the count of migrations run, so an older Baton can tell', async () => {
    const file = path.join(dir, 'a.db');
    expect(await userVersionAfterOpen(file, MIGRATIONS.slice(0, 3))).toBe(3);
    expect(await userVersionAfterOpen(file)).toBe(MIGRATIONS.length);
  });

  it('is set on a database migrated before Baton set it, and then opens without another write', async () => {
    const file = await newerDatabase(dir, { userVersion: 0 });
    expect(await userVersionAfterOpen(file)).toBe(MIGRATIONS.length);
    const settled = snapshotOf(file);
    expect(await userVersionAfterOpen(file)).toBe(MIGRATIONS.length);
    expect(snapshotOf(file)).toEqual(settled);
  });

  it('lets an older-schema database open and upgrade as before', async () => {
    const file = path.join(dir, 'old.db');
    await userVersionAfterOpen(file, MIGRATIONS.slice(0, 1));
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT COUNT(*) AS n FROM migrations').get()).toEqual({ n: 1 });
    db.close();
    expect(await userVersionAfterOpen(file)).toBe(MIGRATIONS.length);
  });
});
