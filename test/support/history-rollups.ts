/** History's rollup tables (migration 19) as they are, and as the session and task rows say they should be. */
import type { DataSource } from 'typeorm';

type Row = Record<string, unknown>;

const TOKEN_COLUMNS = ['input_tokens', 'output_tokens', 'cache_creation_tokens', 'cache_read_tokens'] as const;
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** Costs summed in another order differ in their last bits: both sides are compared to a millionth of a cent. */
export function roundedCosts<T>(value: T): T {
  if (typeof value === 'number') return (Number.isInteger(value) ? value : Math.round(value * 1e8) / 1e8) as T;
  if (Array.isArray(value)) return value.map(roundedCosts) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, roundedCosts(v)])) as T;
  }
  return value;
}

/** Migration 19's rollup tables as the rows say they should be: every session summed by UTC day or quarter hour. */
export async function expectedRollups(ds: DataSource): Promise<Map<string, Row[]>> {
  const tasks = new Map(((await ds.query(`SELECT * FROM tasks`)) as Row[]).map((task) => [task.id, task]));
  const sessions = (await ds.query(`SELECT * FROM sessions`)) as Row[];
  const byTime = (ms: number, unit: string) => {
    const rows = new Map<string, Row>();
    for (const s of sessions) {
      const task = tasks.get(s.task_id)!;
      const key = {
        [unit]: Math.floor(Number(s.started_at) / ms),
        project_id: task.project_id,
        agent: task.agent,
        model: s.model || task.model || '',
      };
      const zero = { sessions: 0, cost_usd: 0, unknown_cost_tokens: 0, duration_ms: 0 };
      const row = rows.get(JSON.stringify(key)) ?? {
        ...key,
        ...zero,
        ...Object.fromEntries(TOKEN_COLUMNS.map((c) => [c, 0])),
      };
      row.sessions = Number(row.sessions) + 1;
      for (const c of ['cost_usd', ...TOKEN_COLUMNS, 'duration_ms']) row[c] = Number(row[c]) + Number(s[c]);
      if (s.cost_source === 'unknown') {
        row.unknown_cost_tokens = Number(row.unknown_cost_tokens) + sum(TOKEN_COLUMNS.map((c) => Number(s[c])));
      }
      rows.set(JSON.stringify(key), row);
    }
    return [...rows.values()];
  };
  const counts = new Map<string, Row>();
  for (const task of tasks.values()) {
    const key = JSON.stringify([task.project_id, task.agent]);
    const row = counts.get(key) ?? { project_id: task.project_id, agent: task.agent, tasks: 0, tasks_with_sessions: 0 };
    row.tasks = Number(row.tasks) + 1;
    if (sessions.some((s) => s.task_id === task.id)) row.tasks_with_sessions = Number(row.tasks_with_sessions) + 1;
    counts.set(key, row);
  }
  return sortedTables([
    ['task_counts', [...counts.values()]],
    ['usage_by_day', byTime(86_400_000, 'day')],
    ['usage_by_quarter_hour', byTime(900_000, 'slot')],
  ]);
}

/** The rollup tables as they are. */
export async function storedRollups(ds: DataSource): Promise<Map<string, Row[]>> {
  const tables = ['task_counts', 'usage_by_day', 'usage_by_quarter_hour'];
  return sortedTables(
    await Promise.all(
      tables.map(async (table) => [table, (await ds.query(`SELECT * FROM ${table}`)) as Row[]] as const),
    ),
  );
}

function sortedTables(tables: ReadonlyArray<readonly [string, Row[]]>): Map<string, Row[]> {
  const key = (row: Row) => JSON.stringify(roundedCosts(row));
  return new Map(
    tables.map(([table, rows]) => [table, roundedCosts(rows).sort((a, b) => key(a).localeCompare(key(b)))]),
  );
}
