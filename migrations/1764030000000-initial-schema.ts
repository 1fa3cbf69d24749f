import type { Migration, MigrationDb } from './migration';

/** Projects, tasks, and one session row per iteration. */
export class InitialSchema1764030000000 implements Migration {
  // Explicit, so bundling or minifying the class cannot change what TypeORM records.
  name = 'InitialSchema1764030000000';

  async up(db: MigrationDb): Promise<void> {
    await db.query(`
      CREATE TABLE projects (
        id          TEXT PRIMARY KEY NOT NULL,
        name        TEXT NOT NULL,
        working_dir TEXT NOT NULL UNIQUE,
        created_at  INTEGER NOT NULL
      )`);
    await db.query(`
      CREATE TABLE tasks (
        id            TEXT PRIMARY KEY NOT NULL,
        project_id    TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        title         TEXT NOT NULL,
        prompt        TEXT NOT NULL,
        agent         TEXT NOT NULL,
        model         TEXT,
        settings      TEXT NOT NULL DEFAULT '{}',
        status        TEXT NOT NULL CHECK (status IN
                        ('queued','running','completed','max_iterations','failed','cancelled','interrupted','budget_exceeded')),
        status_reason TEXT,
        created_at    INTEGER NOT NULL,
        started_at    INTEGER,
        finished_at   INTEGER
      )`);
    await db.query(`CREATE INDEX idx_tasks_project ON tasks(project_id)`);
    await db.query(`
      CREATE TABLE sessions (
        id                    INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id            TEXT NOT NULL UNIQUE,
        task_id               TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        iteration             INTEGER NOT NULL CHECK (iteration >= 1),
        status                TEXT NOT NULL CHECK (status IN ('running','completed','failed','cancelled','interrupted')),
        started_at            INTEGER NOT NULL,
        ended_at              INTEGER,
        model                 TEXT,
        input_tokens          INTEGER NOT NULL DEFAULT 0,
        output_tokens         INTEGER NOT NULL DEFAULT 0,
        cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
        cache_read_tokens     INTEGER NOT NULL DEFAULT 0,
        turns                 INTEGER NOT NULL DEFAULT 0,
        cost_usd              REAL NOT NULL DEFAULT 0,
        cost_source           TEXT NOT NULL DEFAULT 'agent' CHECK (cost_source IN ('agent','estimated')),
        duration_ms           INTEGER NOT NULL DEFAULT 0,
        api_duration_ms       INTEGER NOT NULL DEFAULT 0,
        exit_code             INTEGER,
        error_kind            TEXT,
        error_message         TEXT,
        result_excerpt        TEXT
      )`);
    // Serves both the FK look-ups by task and "one row per iteration".
    await db.query(`CREATE UNIQUE INDEX idx_sessions_task_iteration ON sessions(task_id, iteration)`);
  }

  async down(db: MigrationDb): Promise<void> {
    await db.query(`DROP TABLE sessions`);
    await db.query(`DROP TABLE tasks`);
    await db.query(`DROP TABLE projects`);
  }
}
