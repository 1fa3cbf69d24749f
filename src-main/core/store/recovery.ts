/** What a crashed Baton left running, closed by the next process that opens the store. */
import type { DataSource } from 'typeorm';
import { writeTransaction } from './write-transaction';

/**
 * After a crash: sessions and tasks left 'running' by a process that is
 * gone become 'interrupted', with an end time, and so do tasks it had
 * queued but not started (they can be resumed from their first iteration).
 * A live owner (another Baton on the same database) is never touched.
 * Returns the ids of the tasks.
 */
export async function recoverInterrupted(
  dataSource: DataSource,
  isAlive: (pid: number) => boolean,
  now: number,
): Promise<{ taskIds: string[]; sessionIds: string[] }> {
  const ownersSql = `SELECT DISTINCT owner_pid AS pid FROM sessions WHERE status = 'running'
       UNION SELECT DISTINCT owner_pid FROM tasks WHERE status IN ('running', 'waiting', 'queued')`;
  // Most starts find nothing to recover: look first, and take the write lock only when there is work.
  const owners = (await dataSource.query(ownersSql)) as Array<{ pid: number | null }>;
  if (!owners.some((o) => o.pid === null || !isAlive(o.pid))) return { taskIds: [], sessionIds: [] };
  return writeTransaction(dataSource, (db) => {
    const owners = db.prepare(ownersSql).all() as Array<{ pid: number | null }>;
    const taskIds = new Set<string>();
    const sessionIds: string[] = [];
    for (const pid of owners.map((o) => o.pid).filter((pid) => pid === null || !isAlive(pid))) {
      const match = pid === null ? 'owner_pid IS NULL' : 'owner_pid = ?';
      const params = pid === null ? [] : [pid];
      const gone = `process ${pid ?? 'unknown'} is gone`;
      const why = `Baton stopped while this ran (${gone})`;
      const tasks = db
        .prepare(
          `SELECT DISTINCT task_id AS id FROM sessions WHERE status = 'running' AND ${match}
             UNION SELECT id FROM tasks WHERE status IN ('running', 'waiting') AND ${match}`,
        )
        .all(...params, ...params) as Array<{ id: string }>;
      const queued = db.prepare(`SELECT id FROM tasks WHERE status = 'queued' AND ${match}`).all(...params) as Array<{
        id: string;
      }>;
      const sessions = db
        .prepare(`SELECT session_id AS id FROM sessions WHERE status = 'running' AND ${match}`)
        .all(...params) as Array<{ id: string }>;
      sessionIds.push(...sessions.map((session) => session.id));
      // Their text deltas would only crowd the replay: the whole texts are stored beside them.
      const dropDeltas = db.prepare(`DELETE FROM session_events WHERE session_id = ? AND kind = 'text_delta'`);
      for (const session of sessions) dropDeltas.run(session.id);
      // The task first, while its iteration still shows what it waited for. Only a window's wait has a
      // reopening worth keeping (that reopening can offer to resume it); a wait for the API ended with its process.
      const waitedForApi = `EXISTS (SELECT 1 FROM sessions WHERE task_id = tasks.id AND status = 'running' AND wait_cause = 'api')`;
      const interrupt = db.prepare(
        `UPDATE tasks SET status = 'interrupted', finished_at = ?, owner_pid = NULL,
             wake_at = CASE WHEN ${waitedForApi} THEN NULL ELSE wake_at END,
             status_reason = CASE WHEN status = 'waiting' AND NOT ${waitedForApi} THEN ? ELSE ? END
           WHERE id = ? AND status IN ('running', 'waiting')`,
      );
      const whyWaiting = `Baton stopped while this waited for a subscription window to reopen (${gone})`;
      for (const { id } of tasks) {
        interrupt.run(now, whyWaiting, why, id);
        taskIds.add(id);
      }
      // What a session had spent when its process died is kept (see recordUsageSoFar); a row without it keeps its own.
      db.prepare(
        `UPDATE sessions SET status = 'interrupted', ended_at = ?, owner_pid = NULL, wait_cause = NULL,
             -- An iteration cut while it waited for a window is marked so: it never got its turn.
             error_kind = CASE WHEN wait_cause = 'quota' THEN 'quota_exhausted' ELSE 'interrupted' END,
             error_message = ?,
             input_tokens = COALESCE(json_extract(usage_so_far, '$.inputTokens'), input_tokens),
             output_tokens = COALESCE(json_extract(usage_so_far, '$.outputTokens'), output_tokens),
             cache_creation_tokens = COALESCE(json_extract(usage_so_far, '$.cacheCreationTokens'), cache_creation_tokens),
             cache_read_tokens = COALESCE(json_extract(usage_so_far, '$.cacheReadTokens'), cache_read_tokens),
             turns = COALESCE(json_extract(usage_so_far, '$.turns'), turns),
             cost_usd = COALESCE(json_extract(usage_so_far, '$.costUsd'), cost_usd),
             cost_source = CASE WHEN json_extract(usage_so_far, '$.costUnknown') THEN 'unknown'
               ELSE COALESCE(json_extract(usage_so_far, '$.costSource'), cost_source) END,
             computed_cost_usd = CASE WHEN json_type(usage_so_far, '$.computedCostUsd') IS NULL
               THEN computed_cost_usd ELSE json_extract(usage_so_far, '$.computedCostUsd') END,
             retries = COALESCE(json_array_length(usage_so_far, '$.retries'), retries),
             retry_log = COALESCE(json_extract(usage_so_far, '$.retries'), retry_log)
           WHERE status = 'running' AND ${match}`,
      ).run(now, why, ...params);
      const neverStarted = db.prepare(
        `UPDATE tasks SET status = 'interrupted', status_reason = ?, finished_at = ?, owner_pid = NULL
           WHERE id = ? AND status = 'queued'`,
      );
      for (const { id } of queued) {
        neverStarted.run(`Baton stopped before this task's turn came (${gone})`, now, id);
        taskIds.add(id);
      }
    }
    return { taskIds: [...taskIds], sessionIds };
  });
}
