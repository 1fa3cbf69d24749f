/** History's filter as SQL over `tasks t`, and whether the rollups by project and agent can answer it. */
import type { TaskFilter } from '../../../contract/api';

/** `%` and `_` match literally; the backslash escapes them (and itself). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export interface Where {
  sql: string;
  params: unknown[];
}

export function whereOf(filter: TaskFilter): Where {
  const { clauses, params } = keyClauses(filter, 't');
  if (filter.status !== undefined) {
    clauses.push('t.status = ?');
    params.push(filter.status);
  }
  if (filter.from !== undefined) {
    clauses.push('t.created_at >= ?');
    params.push(filter.from);
  }
  if (filter.to !== undefined) {
    clauses.push('t.created_at < ?');
    params.push(filter.to);
  }
  const search = filter.search?.trim();
  if (search) {
    const pattern = `%${escapeLike(search)}%`;
    clauses.push(`(t.title LIKE ? ESCAPE '\\' OR t.prompt LIKE ? ESCAPE '\\')`);
    params.push(pattern, pattern);
  }
  return whereClause(clauses, params);
}

/** `where` with one more condition. */
export function andWhere(where: string, condition: string): string {
  return where ? `${where} AND ${condition}` : `WHERE ${condition}`;
}

/** What of a filter the rollups keep: they are by project and agent. */
export interface RollupKeys {
  projectId?: string;
  agent?: string;
}

/**
 * The filter's project and agent, or null when it selects tasks by something the rollups do not keep (status,
 * creation time, text): those are summed per task.
 */
export function rollupKeys(filter: TaskFilter): RollupKeys | null {
  if (filter.status !== undefined || filter.from !== undefined || filter.to !== undefined) return null;
  if (filter.search?.trim()) return null;
  return { projectId: filter.projectId, agent: filter.agent };
}

/** The keys as a condition on the `project_id` and `agent` columns of `alias` ('' for none). */
export function keysWhere(keys: RollupKeys, alias = ''): Where {
  const { clauses, params } = keyClauses(keys, alias);
  return whereClause(clauses, params);
}

function keyClauses(keys: RollupKeys, alias: string): { clauses: string[]; params: unknown[] } {
  const column = (name: string) => (alias ? `${alias}.${name}` : name);
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (keys.projectId !== undefined) {
    clauses.push(`${column('project_id')} = ?`);
    params.push(keys.projectId);
  }
  if (keys.agent !== undefined) {
    clauses.push(`${column('agent')} = ?`);
    params.push(keys.agent);
  }
  return { clauses, params };
}

const whereClause = (clauses: string[], params: unknown[]): Where => ({
  sql: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '',
  params,
});
