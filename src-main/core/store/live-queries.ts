/**
 * The reads behind one live view of every run on the database, whichever
 * process runs it: which tasks are active and who runs them, the event log's
 * new rows, and the agent events stored for a running session. Each query is
 * small and indexed (tasks by status, the log and events by their primary
 * keys), because the log tail runs them every tick.
 */
import type { Statement } from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import type { z } from 'zod';
import { type AgentEvent, agentEventSchema } from '../../contract/agent-events';
import { type BatonEvent, batonEventSchema } from '../../contract/events';
import { connectionOf } from './write-transaction';

export interface ActiveTaskRow {
  id: string;
  /** A waiting task is one that runs. */
  status: 'queued' | 'running';
  /** The process running the task; null while it is queued (a queued task records no owner). */
  ownerPid: number | null;
}

export interface StoredEvent {
  seq: number;
  /** Null when the stored payload is not an agent event this version understands. */
  event: AgentEvent | null;
}

/** A row of the event log (migration 1764030000017). */
export interface LogRow {
  seq: number;
  /** The service that wrote it (one id per open Baton), its process and machine. */
  origin: string;
  pid: number;
  host: string;
  event: BatonEvent | null;
}

/** A stored event, or null: one another version wrote that this one cannot read is passed by. */
function parsed<T>(schema: z.ZodType<T>, payload: string): T | null {
  try {
    const result = schema.safeParse(JSON.parse(payload));
    return result.success ? result.data : null;
  } catch {
    return null;
  }
}
const parseBatonEvent = (payload: string) => parsed(batonEventSchema, payload);
const parseEvent = (payload: string) => parsed(agentEventSchema, payload);

export class LiveQueries {
  private readonly statements = new Map<string, Statement<unknown[]>>();

  constructor(private readonly dataSource: DataSource) {}

  /** False once the database is closed: nothing may be asked of it then. */
  get isOpen(): boolean {
    return this.dataSource.isInitialized;
  }

  /** Queued and running tasks, oldest first. */
  async activeTasks(): Promise<ActiveTaskRow[]> {
    const rows = (await this.dataSource.query(
      `SELECT id, status, owner_pid FROM tasks WHERE status IN ('queued', 'running', 'waiting') ORDER BY created_at, id`,
    )) as Array<{ id: string; status: 'queued' | 'running' | 'waiting'; owner_pid: number | null }>;
    return rows.map((row) => ({
      id: row.id,
      status: row.status === 'queued' ? 'queued' : 'running',
      ownerPid: row.owner_pid,
    }));
  }

  /** Prepared once: the log tail asks these every few milliseconds. */
  private statement(sql: string): Statement<unknown[]> {
    let prepared = this.statements.get(sql);
    if (!prepared) this.statements.set(sql, (prepared = connectionOf(this.dataSource).prepare(sql)));
    return prepared;
  }

  /** The newest seq of the event log, 0 when it is empty: where a tail that starts now begins. */
  lastLogSeq(): number {
    const row = this.statement(`SELECT MAX(seq) AS seq FROM event_log`).get() as { seq: number | null };
    return row.seq ?? 0;
  }

  /** The oldest seq the event log still holds (the rest are pruned), null when it is empty. */
  oldestLogSeq(): number | null {
    const row = this.statement(`SELECT MIN(seq) AS seq FROM event_log`).get() as { seq: number | null };
    return row.seq;
  }

  /**
   * The log's rows after `seq` that another service wrote (`exceptOrigin` is the asker's own, read and parsed
   * for nothing otherwise), in order, at most `limit`; `event` null where this version cannot read it.
   */
  logAfter(seq: number, limit: number, exceptOrigin: string): LogRow[] {
    const rows = this.statement(
      `SELECT seq, origin, pid, host, payload FROM event_log WHERE seq > ? AND origin <> ? ORDER BY seq LIMIT ?`,
    ).all(seq, exceptOrigin, limit) as Array<Omit<LogRow, 'event'> & { payload: string }>;
    return rows.map(({ payload, ...row }) => ({ ...row, event: parseBatonEvent(payload) }));
  }

  /**
   * The session's stored events that a tail at log seq `throughLogSeq` has passed (and those stored before
   * there was a log), in order, at most `limit`.
   */
  eventsPassed(sessionId: string, throughLogSeq: number | null, limit: number): StoredEvent[] {
    const rows = this.statement(
      `SELECT seq, payload FROM session_events WHERE session_id = ? AND (log_seq IS NULL OR log_seq <= ?)
         ORDER BY seq LIMIT ?`,
    ).all(sessionId, throughLogSeq ?? Number.MAX_SAFE_INTEGER, limit) as Array<{ seq: number; payload: string }>;
    return rows.map((row) => ({ seq: row.seq, event: parseEvent(row.payload) }));
  }
}
