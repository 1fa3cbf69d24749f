import type { Migration, MigrationDb } from './migration';

/**
 * History's rollups, kept exact by triggers, so its charts, figures and totals read a few thousand rows
 * whatever the number of sessions (usage_by_task_day, migration 4, has a row per task and day: about as
 * many rows as tasks).
 *
 * - `usage_by_day`: the sessions' sums per UTC day, project, agent and model.
 * - `usage_by_quarter_hour`: the same per UTC quarter hour. Every zone's offset is a whole number of quarter
 *   hours, so no quarter hour straddles a local midnight: History takes each UTC day from usage_by_day and
 *   moves only the quarter hours that fall in another local day (or week, or month) than the rest of it.
 * - `task_counts`: the tasks per project and agent, and how many of them have sessions.
 *
 * The model is the session's, or its task's where the session has none ('' where neither has one). A task
 * deleted takes its sessions with it first (a BEFORE DELETE trigger), so their rows are taken off while the
 * task still says which project and agent they were under.
 */
export const DAY_MS = 86_400_000;
export const QUARTER_HOUR_MS = 900_000;

/** The two rollups by time: the column holding the time unit, and the unit in ms. */
const BY_TIME = [
  { table: 'usage_by_day', unit: 'day', ms: DAY_MS },
  { table: 'usage_by_quarter_hour', unit: 'slot', ms: QUARTER_HOUR_MS },
] as const;

/** Each sum a rollup keeps, and what one session `r` adds to it. */
const SUMS: Record<string, (r: string) => string> = {
  sessions: () => '1',
  cost_usd: (r) => `${r}.cost_usd`,
  input_tokens: (r) => `${r}.input_tokens`,
  output_tokens: (r) => `${r}.output_tokens`,
  cache_creation_tokens: (r) => `${r}.cache_creation_tokens`,
  cache_read_tokens: (r) => `${r}.cache_read_tokens`,
  // A session whose cost is unknown stores 0 as its cost: its tokens are counted apart.
  unknown_cost_tokens: (r) =>
    `CASE WHEN ${r}.cost_source = 'unknown' THEN ${r}.input_tokens + ${r}.output_tokens + ${r}.cache_creation_tokens + ${r}.cache_read_tokens ELSE 0 END`,
  duration_ms: (r) => `${r}.duration_ms`,
};
const SUM_COLUMNS = Object.keys(SUMS);
/** The session columns a rollup reads: an UPDATE of any of them moves the session's sums. */
const READ_COLUMNS = [
  'task_id',
  'started_at',
  'model',
  'cost_usd',
  'cost_source',
  'input_tokens',
  'output_tokens',
  'cache_creation_tokens',
  'cache_read_tokens',
  'duration_ms',
];

const modelOf = (r: string, task: string) => `COALESCE(NULLIF(${r}.model, ''), ${task}.model, '')`;
const upsert = (table: string, unit: string) =>
  `INSERT INTO ${table} (${unit}, project_id, agent, model, ${SUM_COLUMNS.join(', ')})`;
const onConflict = (unit: string) =>
  `ON CONFLICT (${unit}, project_id, agent, model) DO UPDATE SET ${SUM_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`;

/** One session `r` (NEW or OLD) added to (sign '') or taken off (sign '-') a rollup by time. */
function applySession(r: 'NEW' | 'OLD', sign: '' | '-', { table, unit, ms }: (typeof BY_TIME)[number]): string {
  const values = SUM_COLUMNS.map((c) => `${sign}(${SUMS[c]!(r)})`).join(', ');
  const add = `${upsert(table, unit)}
    SELECT ${r}.started_at / ${ms}, t.project_id, t.agent, ${modelOf(r, 't')}, ${values}
    FROM tasks t WHERE t.id = ${r}.task_id
    ${onConflict(unit)};`;
  // Only sessions make rows; a row whose sessions are all taken off goes.
  return sign === ''
    ? add
    : `${add}\n    DELETE FROM ${table} WHERE ${unit} = ${r}.started_at / ${ms} AND sessions = 0;`;
}

/** A task's sessions, all at once, added under its NEW key or taken off its OLD one. */
function applyTask(r: 'NEW' | 'OLD', sign: '' | '-', { table, unit, ms }: (typeof BY_TIME)[number]): string {
  const values = SUM_COLUMNS.map((c) => `${sign}SUM(${SUMS[c]!('s')})`).join(', ');
  const add = `${upsert(table, unit)}
    SELECT s.started_at / ${ms}, ${r}.project_id, ${r}.agent, ${modelOf('s', r)}, ${values}
    FROM sessions s WHERE s.task_id = ${r}.id GROUP BY 1, 4
    ${onConflict(unit)};`;
  return sign === ''
    ? add
    : `${add}\n    DELETE FROM ${table} WHERE sessions = 0 AND ${unit} IN (SELECT started_at / ${ms} FROM sessions WHERE task_id = ${r}.id);`;
}

/** A task counts as one with sessions from its first session on (`when`: only if that holds too)... */
const firstSession = (when = 'true') => `
    UPDATE task_counts SET tasks_with_sessions = tasks_with_sessions + 1
    WHERE ${when} AND (project_id, agent) = (SELECT project_id, agent FROM tasks WHERE id = NEW.task_id)
      AND NOT EXISTS (SELECT 1 FROM sessions WHERE task_id = NEW.task_id AND id <> NEW.id);`;
/** ...until its last goes. */
const lastSession = (when = 'true') => `
    UPDATE task_counts SET tasks_with_sessions = tasks_with_sessions - 1
    WHERE ${when} AND (project_id, agent) = (SELECT project_id, agent FROM tasks WHERE id = OLD.task_id)
      AND NOT EXISTS (SELECT 1 FROM sessions WHERE task_id = OLD.task_id);`;
const movedTask = 'OLD.task_id <> NEW.task_id';

const TRIGGERS = {
  sessions_rollups_insert: `AFTER INSERT ON sessions BEGIN
    ${BY_TIME.map((t) => applySession('NEW', '', t)).join('\n    ')}
    ${firstSession()}
  END`,
  sessions_rollups_update: `AFTER UPDATE OF ${READ_COLUMNS.join(', ')} ON sessions BEGIN
    ${BY_TIME.map((t) => `${applySession('OLD', '-', t)}\n    ${applySession('NEW', '', t)}`).join('\n    ')}
    ${lastSession(movedTask)}
    ${firstSession(movedTask)}
  END`,
  sessions_rollups_delete: `AFTER DELETE ON sessions BEGIN
    ${BY_TIME.map((t) => applySession('OLD', '-', t)).join('\n    ')}
    ${lastSession()}
  END`,
  tasks_rollups_insert: `AFTER INSERT ON tasks BEGIN
    INSERT INTO task_counts (project_id, agent, tasks, tasks_with_sessions) VALUES (NEW.project_id, NEW.agent, 1, 0)
    ON CONFLICT (project_id, agent) DO UPDATE SET tasks = tasks + 1;
  END`,
  // Before the task goes (and before a foreign key's cascade would take the sessions without it).
  tasks_rollups_before_delete: `BEFORE DELETE ON tasks BEGIN
    DELETE FROM sessions WHERE task_id = OLD.id;
  END`,
  tasks_rollups_delete: `AFTER DELETE ON tasks BEGIN
    UPDATE task_counts SET tasks = tasks - 1 WHERE project_id = OLD.project_id AND agent = OLD.agent;
    DELETE FROM task_counts WHERE project_id = OLD.project_id AND agent = OLD.agent AND tasks = 0;
  END`,
  // The store never moves a task to another project, agent or model; if anything does, its sums follow.
  tasks_rollups_update: `AFTER UPDATE OF project_id, agent, model ON tasks BEGIN
    ${BY_TIME.map((t) => `${applyTask('OLD', '-', t)}\n    ${applyTask('NEW', '', t)}`).join('\n    ')}
    UPDATE task_counts
    SET tasks = tasks - 1, tasks_with_sessions = tasks_with_sessions - EXISTS (SELECT 1 FROM sessions WHERE task_id = OLD.id)
    WHERE project_id = OLD.project_id AND agent = OLD.agent;
    INSERT INTO task_counts (project_id, agent, tasks, tasks_with_sessions)
    VALUES (NEW.project_id, NEW.agent, 1, EXISTS (SELECT 1 FROM sessions WHERE task_id = NEW.id))
    ON CONFLICT (project_id, agent) DO UPDATE
    SET tasks = tasks + 1, tasks_with_sessions = tasks_with_sessions + excluded.tasks_with_sessions;
    DELETE FROM task_counts WHERE project_id = OLD.project_id AND agent = OLD.agent AND tasks = 0;
  END`,
};

export const HISTORY_ROLLUP_TRIGGERS = Object.keys(TRIGGERS);

/**
 * Fills the rollups from the rows as they are (whatever they held is replaced): at the migration, and after a
 * bulk load that ran without the triggers (the benchmark's).
 */
export async function fillHistoryRollups(db: MigrationDb): Promise<void> {
  for (const table of ['usage_by_day', 'usage_by_quarter_hour', 'task_counts']) await db.query(`DELETE FROM ${table}`);
  const quarter = BY_TIME[1];
  await db.query(`${upsert(quarter.table, quarter.unit)}
    SELECT s.started_at / ${quarter.ms}, t.project_id, t.agent, ${modelOf('s', 't')},
           ${SUM_COLUMNS.map((c) => `SUM(${SUMS[c]!('s')})`).join(', ')}
    FROM sessions s JOIN tasks t ON t.id = s.task_id
    GROUP BY 1, 2, 3, 4`);
  // A UTC day is 96 whole quarter hours.
  await db.query(`INSERT INTO usage_by_day (day, project_id, agent, model, ${SUM_COLUMNS.join(', ')})
    SELECT slot / ${DAY_MS / QUARTER_HOUR_MS}, project_id, agent, model, ${SUM_COLUMNS.map((c) => `SUM(${c})`).join(', ')}
    FROM usage_by_quarter_hour GROUP BY 1, 2, 3, 4`);
  await db.query(`INSERT INTO task_counts (project_id, agent, tasks, tasks_with_sessions)
    SELECT t.project_id, t.agent, COUNT(*), SUM(EXISTS (SELECT 1 FROM sessions s WHERE s.task_id = t.id))
    FROM tasks t GROUP BY 1, 2`);
}

export class HistoryRollups1764030000019 implements Migration {
  name = 'HistoryRollups1764030000019';

  async up(db: MigrationDb): Promise<void> {
    const sums = `
        sessions              INTEGER NOT NULL,
        cost_usd              REAL NOT NULL,
        input_tokens          INTEGER NOT NULL,
        output_tokens         INTEGER NOT NULL,
        cache_creation_tokens INTEGER NOT NULL,
        cache_read_tokens     INTEGER NOT NULL,
        unknown_cost_tokens   INTEGER NOT NULL,
        duration_ms           INTEGER NOT NULL`;
    for (const { table, unit } of BY_TIME) {
      await db.query(`
        CREATE TABLE ${table} (
          ${unit} INTEGER NOT NULL,
          project_id TEXT NOT NULL,
          agent TEXT NOT NULL,
          model TEXT NOT NULL,${sums},
          PRIMARY KEY (${unit}, project_id, agent, model)
        ) WITHOUT ROWID`);
    }
    await db.query(`
      CREATE TABLE task_counts (
        project_id          TEXT NOT NULL,
        agent               TEXT NOT NULL,
        tasks               INTEGER NOT NULL,
        tasks_with_sessions INTEGER NOT NULL,
        PRIMARY KEY (project_id, agent)
      ) WITHOUT ROWID`);
    await fillHistoryRollups(db);
    for (const [name, body] of Object.entries(TRIGGERS)) await db.query(`CREATE TRIGGER ${name} ${body}`);
    // A project's or an agent's first and newest task in one step (History's range, the project list's order);
    // each serves what the index on the column alone did.
    await db.query(`CREATE INDEX idx_tasks_project_created ON tasks(project_id, created_at)`);
    await db.query(`DROP INDEX idx_tasks_project`);
    await db.query(`CREATE INDEX idx_tasks_agent_created ON tasks(agent, created_at)`);
    await db.query(`DROP INDEX idx_tasks_agent`);
    // Sessions of unknown cost are few: History finds them without reading the others.
    await db.query(`CREATE INDEX idx_sessions_unknown_cost ON sessions(started_at) WHERE cost_source = 'unknown'`);
  }

  async down(db: MigrationDb): Promise<void> {
    await db.query(`DROP INDEX idx_sessions_unknown_cost`);
    await db.query(`CREATE INDEX idx_tasks_agent ON tasks(agent)`);
    await db.query(`DROP INDEX idx_tasks_agent_created`);
    await db.query(`CREATE INDEX idx_tasks_project ON tasks(project_id)`);
    await db.query(`DROP INDEX idx_tasks_project_created`);
    for (const name of Object.keys(TRIGGERS)) await db.query(`DROP TRIGGER ${name}`);
    for (const table of ['task_counts', 'usage_by_quarter_hour', 'usage_by_day']) await db.query(`DROP TABLE ${table}`);
  }
}
