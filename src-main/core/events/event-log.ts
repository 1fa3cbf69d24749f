/**
 * The event log (migration 1764030000017): every event a Baton process publishes, in one table with a global
 * sequence, for the other processes on the database to tail. Written by the event recorder in the same
 * transactions as the agent events it keeps for replay (store/event-recorder.ts), read by the log tail
 * (service/log-tail.ts).
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { BatonEvent } from '../../contract/events';
import type { Statement } from 'better-sqlite3';
import type { Connection } from '../store/write-transaction';

/**
 * Rows the log keeps: about a minute of a busy stream. A tail further behind than this (a process stopped for
 * long) misses what was pruned, and tells its windows to take a new snapshot (service/log-tail.ts).
 */
export const EVENT_LOG_ROWS_KEPT = 50_000;
/** Writes between two prunings of the log. */
const PRUNE_EVERY_WRITES = 500;

/** The service that writes: one id per open Baton, with its process and machine. */
export interface LogOrigin {
  id: string;
  pid: number;
  host: string;
}

export const newOrigin = (): LogOrigin => ({ id: randomUUID(), pid: process.pid, host: os.hostname() });

/** An event as the log stores it; `payload` is the event's JSON. */
export interface LogEntry {
  type: BatonEvent['type'];
  taskId: string | null;
  sessionId: string | null;
  payload: string;
}

function sessionIdOf(event: BatonEvent): string | null {
  switch (event.type) {
    case 'iteration.started':
    case 'iteration.retrying':
    case 'agent.event':
      return event.sessionId;
    case 'iteration.finished':
      return event.session.sessionId;
    default:
      return null;
  }
}

export function logEntryOf(event: BatonEvent, payload = JSON.stringify(event)): LogEntry {
  return { type: event.type, taskId: 'taskId' in event ? event.taskId : null, sessionId: sessionIdOf(event), payload };
}

export interface LogBounds {
  /** Rows kept (EVENT_LOG_ROWS_KEPT). */
  keep: number;
  /** Writes between two prunings. */
  pruneEvery: number;
}

export class EventLogWriter {
  private writes = 0;
  private readonly statements = new WeakMap<Connection, Statement<unknown[]>>();

  constructor(
    readonly origin: LogOrigin,
    private readonly now: () => number = Date.now,
    private readonly bounds: LogBounds = { keep: EVENT_LOG_ROWS_KEPT, pruneEvery: PRUNE_EVERY_WRITES },
  ) {}

  /** Writes one entry inside the caller's transaction, and answers its seq. */
  write(db: Connection, entry: LogEntry): number {
    let insert = this.statements.get(db);
    if (!insert) {
      insert = db.prepare(
        `INSERT INTO event_log (at, origin, pid, host, task_id, session_id, type, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      this.statements.set(db, insert);
    }
    const { id, pid, host } = this.origin;
    this.writes++;
    return Number(
      insert.run(this.now(), id, pid, host, entry.taskId, entry.sessionId, entry.type, entry.payload).lastInsertRowid,
    );
  }

  /** Inside a write transaction, now and then: the rows older than the ones kept go. */
  prune(db: Connection): void {
    if (this.writes < this.bounds.pruneEvery) return;
    this.writes = 0;
    db.prepare(`DELETE FROM event_log WHERE seq <= (SELECT MAX(seq) FROM event_log) - ?`).run(this.bounds.keep);
  }
}
