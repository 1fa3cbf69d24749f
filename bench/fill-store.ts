/**
 * Fills a store with synthetic history straight through better-sqlite3, for the benchmarks. The rows go in
 * without the triggers that keep the rollups, which are then filled once from them, as the migrations fill
 * them: a million sessions in seconds rather than a minute. The triggers are what the tests check.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import { v4 as uuidv4 } from 'uuid';
import { fillUsageByTaskDay } from '../migrations/1764030000004-usage-by-task-day';
import { fillHistoryRollups } from '../migrations/1764030000019-history-rollups';
import { taskSpecSchema } from '../src-main/contract/task-spec';

export interface FillOptions {
  tasks: number;
  sessionsPerTask: number;
  projects: number;
  models: string[];
  /** Tasks are spread evenly over this many days up to now. */
  days: number;
}

export function rawConnection(dataSource: DataSource): BetterSqlite3.Database {
  return (dataSource.driver as unknown as { databaseConnection: BetterSqlite3.Database }).databaseConnection;
}

/** Runs `body` in one transaction with the triggers on tasks and sessions set aside, then fills the rollups. */
async function withRollupsFilledAfter(db: BetterSqlite3.Database, body: () => void): Promise<void> {
  const triggers = db
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('tasks', 'sessions')`)
    .all() as Array<{ name: string; sql: string }>;
  const migrationDb = { query: async (sql: string) => db.prepare(sql).run() };
  db.exec('BEGIN IMMEDIATE');
  try {
    for (const { name } of triggers) db.exec(`DROP TRIGGER "${name}"`);
    body();
    await fillUsageByTaskDay(migrationDb);
    await fillHistoryRollups(migrationDb);
    for (const { sql } of triggers) db.exec(sql);
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

export async function fillStore(dataSource: DataSource, options: FillOptions): Promise<string[]> {
  const db = rawConnection(dataSource);
  const insertProject = db.prepare(`INSERT INTO projects (id, name, working_dir, created_at) VALUES (?, ?, ?, ?)`);
  const insertTask = db.prepare(
    `INSERT INTO tasks (id, project_id, title, prompt, agent, model, spec, status, status_reason, created_at, started_at, finished_at)
     VALUES (?, ?, ?, 'bench', 'claude', ?, ?, 'completed', 'bench', ?, ?, ?)`,
  );
  const insertSession = db.prepare(
    `INSERT INTO sessions (session_id, task_id, iteration, status, started_at, ended_at, model, input_tokens, output_tokens,
       cache_creation_tokens, cache_read_tokens, turns, cost_usd, duration_ms, api_duration_ms, exit_code)
     VALUES (?, ?, ?, 'completed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
  );
  const now = Date.now();
  const step = (options.days * 86_400_000) / options.tasks;
  const ids: string[] = [];
  await withRollupsFilledAfter(db, () => {
    const projectIds: string[] = [];
    const projectDirs: string[] = [];
    for (let p = 0; p < options.projects; p++) {
      const id = uuidv4();
      projectIds.push(id);
      projectDirs.push(`/bench/project-${p}-${id}`);
      insertProject.run(id, `project-${p}`, projectDirs[p], now - options.days * 86_400_000);
    }
    // One stored spec per project and model, as the orchestrator writes it (defaults filled in).
    const specs = new Map<string, string>();
    const specOf = (dir: string, model: string) => {
      const key = `${dir}\n${model}`;
      let spec = specs.get(key);
      if (!spec)
        specs.set(
          key,
          (spec = JSON.stringify(taskSpecSchema.parse({ dir, prompt: 'bench', model, maxIterations: 10 }))),
        );
      return spec;
    };
    for (let t = 0; t < options.tasks; t++) {
      const id = uuidv4();
      ids.push(id);
      const at = Math.round(now - options.days * 86_400_000 + t * step);
      const model = options.models[t % options.models.length] as string;
      const project = t % projectIds.length;
      const spec = specOf(projectDirs[project] as string, model);
      insertTask.run(id, projectIds[project], `task ${t}`, model, spec, at, at, at + 50_000);
      for (let i = 1; i <= options.sessionsPerTask; i++) {
        insertSession.run(
          uuidv4(),
          id,
          i,
          at + i,
          at + i + 4000,
          model,
          100 + i,
          10 + i,
          5,
          1000 + i,
          2,
          0.01,
          4000,
          3000,
        );
      }
    }
  });
  db.pragma('wal_checkpoint(TRUNCATE)');
  return ids;
}
