/**
 * The reads behind one live view of every run on the database, whichever
 * process runs it: which tasks are active and who runs them, their sessions
 * and the agent events stored for them. Each query is small and indexed
 * (tasks by status, running sessions by a partial index, events by their
 * primary key), because the live follower runs them every tick.
 */
import type { DataSource } from 'typeorm';
import { type AgentEvent, agentEventSchema } from '../../contract/agent-events';
import type { SessionStatus } from '../../contract/views';

export interface ActiveTaskRow {
  id: string;
  /** A waiting task is one that runs, and holds off until `wakeAt`. */
  status: 'queued' | 'running';
  /** The process running the task; null while it is queued (a queued task records no owner). */
  ownerPid: number | null;
  /** Set while the task waits (for a subscription window, or the API): when it goes on. */
  wakeAt: number | null;
  reason: string | null;
}

export interface LiveSessionRow {
  /** The row's own id: it stays when a retry gives the session a new session id. */
  rowId: number;
  sessionId: string;
  taskId: string;
  iteration: number;
  status: SessionStatus;
}

export interface StoredEvent {
  seq: number;
  /** Null when the stored payload is not an agent event this version understands. */
  event: AgentEvent | null;
}

interface SessionRecord {
  id: number;
  session_id: string;
  task_id: string;
  iteration: number;
  status: SessionStatus;
}

const SESSION_COLUMNS = `id, session_id, task_id, iteration, status`;

const toSession = (row: SessionRecord): LiveSessionRow => ({
  rowId: row.id,
  sessionId: row.session_id,
  taskId: row.task_id,
  iteration: row.iteration,
  status: row.status,
});

const placeholders = (values: readonly unknown[]) => values.map(() => '?').join(', ');

function parseEvent(payload: string): AgentEvent | null {
  try {
    const parsed = agentEventSchema.safeParse(JSON.parse(payload));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export class LiveQueries {
  constructor(private readonly dataSource: DataSource) {}

  /** False once the database is closed: nothing may be asked of it then. */
  get isOpen(): boolean {
    return this.dataSource.isInitialized;
  }

  /** Queued and running tasks, oldest first. */
  async activeTasks(): Promise<ActiveTaskRow[]> {
    const rows = (await this.dataSource.query(
      `SELECT id, status, owner_pid, wake_at, status_reason FROM tasks WHERE status IN ('queued', 'running', 'waiting')
       ORDER BY created_at, id`,
    )) as Array<{
      id: string;
      status: 'queued' | 'running' | 'waiting';
      owner_pid: number | null;
      wake_at: number | null;
      status_reason: string | null;
    }>;
    return rows.map((row) => ({
      id: row.id,
      status: row.status === 'queued' ? 'queued' : 'running',
      ownerPid: row.owner_pid,
      wakeAt: row.status === 'waiting' ? row.wake_at : null,
      reason: row.status_reason,
    }));
  }

  /**
   * The sessions of these tasks that are running, or whose row id is above
   * `afterRowId` (sessions newer than that, whatever their status), by row id.
   */
  async sessionsOf(taskIds: readonly string[], afterRowId: number): Promise<LiveSessionRow[]> {
    if (taskIds.length === 0) return [];
    const rows = (await this.dataSource.query(
      `SELECT ${SESSION_COLUMNS} FROM sessions
       WHERE task_id IN (${placeholders(taskIds)}) AND (status = 'running' OR id > ?)
       ORDER BY id`,
      [...taskIds, afterRowId],
    )) as SessionRecord[];
    return rows.map(toSession);
  }

  /** Sessions by their row ids (the rows a follower knows), whatever they are called now. */
  async sessionsByRowId(rowIds: readonly number[]): Promise<LiveSessionRow[]> {
    if (rowIds.length === 0) return [];
    const rows = (await this.dataSource.query(
      `SELECT ${SESSION_COLUMNS} FROM sessions WHERE id IN (${placeholders(rowIds)}) ORDER BY id`,
      [...rowIds],
    )) as SessionRecord[];
    return rows.map(toSession);
  }

  /** The session's stored events with `afterSeq < seq <= throughSeq`, in order, at most `limit`. */
  async eventsOf(
    sessionId: string,
    range: { afterSeq: number; throughSeq?: number; limit: number },
  ): Promise<StoredEvent[]> {
    const rows = (await this.dataSource.query(
      `SELECT seq, payload FROM session_events WHERE session_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?`,
      [sessionId, range.afterSeq, range.throughSeq ?? Number.MAX_SAFE_INTEGER, range.limit],
    )) as Array<{ seq: number; payload: string }>;
    return rows.map((row) => ({ seq: row.seq, event: parseEvent(row.payload) }));
  }
}
