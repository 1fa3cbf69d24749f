import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { MigrationClass, MigrationDb } from '../../migrations';
import { rebuildTable } from '../../migrations/rebuild-table';
import { migrate } from '../../src-main/core/store/migrate';

/** A parent with a CHECK, a child that cascades from it, an index, a trigger, a view and an AUTOINCREMENT key. */
class Tables1700000000000 {
  name = 'Tables1700000000000';
  async up(db: MigrationDb): Promise<void> {
    await db.query(
      `CREATE TABLE parents (id INTEGER PRIMARY KEY AUTOINCREMENT, state TEXT NOT NULL CHECK (state IN ('a','b')), flag INTEGER NOT NULL DEFAULT 0)`,
    );
    await db.query(
      `CREATE TABLE children (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parents(id) ON DELETE CASCADE)`,
    );
    await db.query(`CREATE INDEX idx_parents_state ON parents(state)`);
    await db.query(`CREATE TABLE log (what TEXT)`);
    await db.query(`CREATE TRIGGER parents_log AFTER INSERT ON parents BEGIN INSERT INTO log VALUES (NEW.state); END`);
    await db.query(`CREATE VIEW parent_states AS SELECT state FROM parents`);
  }
  async down(): Promise<void> {}
}

/** 'b' with the flag becomes the stored state 'c', which the old CHECK refused. */
class StoredC1700000000001 {
  name = 'StoredC1700000000001';
  rebuildsTables = true;
  async up(db: MigrationDb): Promise<void> {
    await rebuildTable(db, 'parents', {
      create: (name) =>
        `CREATE TABLE "${name}" (id INTEGER PRIMARY KEY AUTOINCREMENT, state TEXT NOT NULL CHECK (state IN ('a','b','c')))`,
      copy: { id: 'id', state: `CASE WHEN state = 'b' AND flag = 1 THEN 'c' ELSE state END` },
    });
  }
  async down(): Promise<void> {}
}

/** A rebuild that loses a parent its child still names. */
class LosesAParent1700000000002 {
  name = 'LosesAParent1700000000002';
  rebuildsTables = true;
  async up(db: MigrationDb): Promise<void> {
    await db.query(`DELETE FROM parents WHERE id = 2`);
  }
  async down(): Promise<void> {}
}

const open: Database.Database[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

async function seeded(): Promise<Database.Database> {
  const db = new Database(':memory:');
  open.push(db);
  db.pragma('foreign_keys = ON');
  await migrate(db, [Tables1700000000000]);
  db.exec(`INSERT INTO parents (state, flag) VALUES ('a', 0), ('b', 1), ('b', 0), ('a', 0)`);
  db.exec(`INSERT INTO children (parent_id) VALUES (1), (2), (2), (3)`);
  // The last parent goes: its id must not be handed out again.
  db.exec(`DELETE FROM parents WHERE id = 4`);
  return db;
}

const names = (db: Database.Database, type: string) =>
  (db.prepare(`SELECT name FROM sqlite_master WHERE type = ? ORDER BY name`).all(type) as Array<{ name: string }>).map(
    (row) => row.name,
  );

describe('a migration that rebuilds tables', () => {
  it('keeps the rows of the tables that reference the rebuilt one, its indexes, triggers, views and ids', async () => {
    const db = await seeded();
    await migrate(db, [Tables1700000000000, StoredC1700000000001]);

    expect(db.prepare(`SELECT id, state FROM parents ORDER BY id`).all()).toEqual([
      { id: 1, state: 'a' },
      { id: 2, state: 'c' },
      { id: 3, state: 'b' },
    ]);
    // With foreign keys on, dropping the old table would have cascade-deleted these.
    expect(db.prepare(`SELECT parent_id FROM children ORDER BY id`).all()).toEqual([
      { parent_id: 1 },
      { parent_id: 2 },
      { parent_id: 2 },
      { parent_id: 3 },
    ]);
    expect(names(db, 'index')).toContain('idx_parents_state');
    expect(names(db, 'trigger')).toEqual(['parents_log']);
    expect(names(db, 'view')).toEqual(['parent_states']);
    expect(names(db, 'table')).not.toContain('parents_rebuilt');
    db.exec(`INSERT INTO parents (state) VALUES ('c')`);
    expect(db.prepare(`SELECT MAX(id) AS id FROM parents`).get()).toEqual({ id: 5 });
    expect(db.prepare(`SELECT COUNT(*) AS n FROM log`).get()).toEqual({ n: 5 });
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    // And the references hold again: a dangling child is refused.
    expect(() => db.exec(`INSERT INTO children (parent_id) VALUES (99)`)).toThrow(/FOREIGN KEY/);
  });

  it('fails, changing nothing, when the foreign key check finds a row whose parent is gone; foreign keys are on again', async () => {
    const db = await seeded();
    await expect(migrate(db, [Tables1700000000000, StoredC1700000000001, LosesAParent1700000000002])).rejects.toThrow(
      /2 row\(s\) whose foreign key points nowhere: children row 2 \(no parents\)/,
    );
    expect(db.inTransaction).toBe(false);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    // The rebuild before it ran in the same transaction, and went with it.
    expect(db.prepare(`SELECT id, state FROM parents ORDER BY id`).all()).toEqual([
      { id: 1, state: 'a' },
      { id: 2, state: 'b' },
      { id: 3, state: 'b' },
    ]);
    expect((db.prepare(`SELECT name FROM migrations`).all() as Array<{ name: string }>).map((r) => r.name)).toEqual([
      'Tables1700000000000',
    ]);
  });

  it('turns foreign keys on again when a migration throws', async () => {
    const db = await seeded();
    class Throws1700000000003 {
      name = 'Throws1700000000003';
      rebuildsTables = true;
      async up(): Promise<void> {
        throw new Error('no');
      }
      async down(): Promise<void> {}
    }
    await expect(migrate(db, [Tables1700000000000, Throws1700000000003 as MigrationClass])).rejects.toThrow('no');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('leaves foreign keys on while migrations that rebuild nothing run', async () => {
    const db = new Database(':memory:');
    open.push(db);
    db.pragma('foreign_keys = ON');
    let during: unknown;
    class Looks1700000000004 {
      name = 'Looks1700000000004';
      async up(): Promise<void> {
        during = db.pragma('foreign_keys', { simple: true });
      }
      async down(): Promise<void> {}
    }
    await migrate(db, [Looks1700000000004]);
    expect(during).toBe(1);
  });
});
