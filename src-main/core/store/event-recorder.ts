/**
 * Keeps each session's agent events for replay. Events arrive on the hot
 * path of a live stream, so they are buffered and written in one transaction
 * per flush rather than one INSERT each. A runaway agent cannot fill the disk
 * (or this process's memory): each session keeps at most MAX_EVENTS_PER_SESSION
 * events and MAX_EVENT_BYTES_PER_SESSION bytes of them, and an event's stored
 * payload is cut to MAX_EVENT_BYTES. Where output was cut, a `cut` event says
 * so in the replay.
 *
 * Text deltas are transient: they are stored while the session runs (so a
 * window in another process can stream them), counted apart, and deleted
 * once the session ends, when the whole texts they built are in the replay.
 *
 * A write that fails (SQLITE_FULL on a full disk) costs the replay its
 * events, never the run: they are dropped, counted per session and in all,
 * and logged when the failures start, when they stop and, with the count,
 * when a session that lost events ends; the count is then stored on its row
 * (sessions.events_not_stored), if that small in-place write still succeeds.
 */
import type { Statement } from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import type { AgentEvent } from '../../contract/agent-events';
import type { BatonEvent } from '../../contract/events';
import { type EventLogWriter, type LogEntry, logEntryOf } from '../events/event-log';
import { fitted, MAX_EVENT_BYTES, serialised } from './stored-events';
import { type Connection, writeTransaction } from './write-transaction';

export { MAX_EVENT_BYTES } from './stored-events';

export const MAX_EVENTS_PER_SESSION = 5000;
/** Deltas of one running session; past it, only whole texts are kept. */
export const MAX_TEXT_DELTAS_PER_SESSION = 20_000;
/** What a running session can have stored, deltas included: what a window that joins late may have to read. */
export const MAX_STORED_EVENTS_PER_RUNNING_SESSION = MAX_EVENTS_PER_SESSION + MAX_TEXT_DELTAS_PER_SESSION;
/** The most a session's stored events may take; past it only its result is stored (the session row keeps its usage). */
export const MAX_EVENT_BYTES_PER_SESSION = 32 * 1024 * 1024;
/** The most a running session's text deltas may take; past it only whole texts are kept, as past their count. */
export const MAX_TEXT_DELTA_BYTES_PER_SESSION = 8 * 1024 * 1024;
/** Soon, for the other processes that tail the event log (a window shows a terminal's run within 100 ms). */
const FLUSH_INTERVAL_MS = 25;

type CutEvent = Extract<AgentEvent, { kind: 'cut' }>;

/** Events republished from a run another process owns (see markFollowed). */
const followed = new WeakSet<BatonEvent>();

/**
 * Marks an event the log tail republishes from another process's run: that
 * process records its stream itself, so the recorder passes it by. Recording
 * it again would only repeat writes under the other process's lock, and could
 * fail on a foreign key once that process renames the session for a retry.
 */
export function markFollowed<E extends BatonEvent>(event: E): E {
  followed.add(event);
  return event;
}

export function isFollowed(event: BatonEvent): boolean {
  return followed.has(event);
}

interface SessionRow {
  sessionId: string;
  seq: number;
  kind: AgentEvent['kind'];
  payload: string;
  /** When the recorder received the event (epoch ms), the replay's clock; a rewrite keeps the first write's. */
  at?: number;
  /** A row written before, written again (the session's cut marker, with its final counts). */
  replace?: boolean;
}

/** What a flush writes, in the order published: an agent event kept for replay, its log row, or both. */
interface Pending {
  row?: SessionRow;
  log?: LogEntry;
}

/** The session an agent event belongs to, with its task and iteration (what its log row says of it). */
interface Where {
  sessionId: string;
  taskId: string;
  iteration: number;
}

/** What a running session has stored so far, each against its own limit. */
interface Kept {
  events: number;
  deltas: number;
  bytes: number;
  deltaBytes: number;
  /** The session's `cut` marker once its events passed their cap, and whether its counts changed since written. */
  cut?: { seq: number; marker: CutEvent; dirty: boolean };
}

const nothingKept = (): Kept => ({ events: 0, deltas: 0, bytes: 0, deltaBytes: 0 });

export class EventRecorder {
  private pending: Pending[] = [];
  private readonly nextSeq = new Map<string, number>();
  /** Per running session: what it stored, against its limits. */
  private readonly kept = new Map<string, Kept>();
  /** Events of sessions still running, for a window that connects mid-iteration. */
  private readonly live = new Map<string, AgentEvent[]>();
  private timer: NodeJS.Timeout | undefined;
  /** Per session: events a failed write kept out of the database. */
  private readonly lost = new Map<string, number>();
  private failures = 0;
  /** Failed writes since the last one that succeeded, so a full disk is logged once, not at every flush. */
  private failuresInARow = 0;

  private statements: { db: Connection; insert: Statement<unknown[]>; replace: Statement<unknown[]> } | undefined;

  /** With `eventLog`, every event this process publishes is written to the event log too. */
  constructor(
    private readonly dataSource: DataSource,
    private readonly log: (message: string) => void = (message) => console.error(message),
    private readonly eventLog?: EventLogWriter,
    private readonly now: () => number = Date.now,
  ) {}

  /** Subscribe this to the bus. */
  readonly onEvent = (event: BatonEvent): void => {
    if (followed.has(event)) return;
    // An agent event is logged as it is kept (keep); a retry once the events before it are written.
    if (event.type !== 'agent.event' && event.type !== 'iteration.retrying') this.queueLog(logEntryOf(event));
    if (event.type === 'iteration.started') {
      this.nextSeq.set(event.sessionId, 0);
      this.kept.set(event.sessionId, nothingKept());
      this.live.set(event.sessionId, []);
    } else if (event.type === 'agent.event') {
      const { sessionId, event: agentEvent } = event;
      // Where the event belongs, as its log row says it.
      const at: Where = { sessionId, taskId: event.taskId, iteration: event.iteration };
      let kept = this.kept.get(sessionId);
      if (!kept) this.kept.set(sessionId, (kept = nothingKept()));
      const isDelta = agentEvent.kind === 'text_delta';
      if (isDelta ? kept.deltas >= MAX_TEXT_DELTAS_PER_SESSION : kept.events >= MAX_EVENTS_PER_SESSION) return;
      // Serialised here rather than at the flush, so its size is known before anything of it is kept.
      const serial = serialised(agentEvent);
      if (!serial) {
        this.keepCut(at, kept, { kind: 'cut', scope: 'event', bytesNotStored: 0, eventsNotStored: 1 });
        return;
      }
      const { event: storable, payload } = serial;
      const bytes = Buffer.byteLength(payload);
      if (isDelta) {
        // Deltas only preview a text whose whole follows: past their limits they are not worth a marker.
        if (bytes > MAX_EVENT_BYTES || kept.deltaBytes + bytes > MAX_TEXT_DELTA_BYTES_PER_SESSION) return;
        kept.deltas++;
        kept.deltaBytes += bytes;
        this.keep(at, storable, payload);
        return;
      }
      // The result is kept past the session's cap, so the replay still ends with how the session ended.
      if (kept.cut && agentEvent.kind !== 'result') {
        this.notStored(at, kept, bytes);
        return;
      }
      const stored = bytes <= MAX_EVENT_BYTES ? { event: storable, payload, bytes } : fitted(storable);
      if (!stored) {
        this.keepCut(at, kept, { kind: 'cut', scope: 'event', bytesNotStored: bytes, eventsNotStored: 1 });
        return;
      }
      if (agentEvent.kind !== 'result' && kept.bytes + stored.bytes > MAX_EVENT_BYTES_PER_SESSION) {
        this.notStored(at, kept, bytes);
        return;
      }
      kept.events++;
      kept.bytes += stored.bytes;
      this.keep(at, stored.event, stored.payload);
      if (stored.bytes < bytes) {
        this.keepCut(at, kept, {
          kind: 'cut',
          scope: 'event',
          bytesNotStored: bytes - stored.bytes,
          eventsNotStored: 0,
        });
      }
    } else if (event.type === 'iteration.retrying') {
      // Written now, under the old id, before the session row takes the new one (its events follow by cascade).
      void this.flush();
      this.queueLog(logEntryOf(event));
      const { previousSessionId: from, sessionId: to } = event;
      this.nextSeq.set(to, this.nextSeq.get(from) ?? 0);
      this.nextSeq.delete(from);
      this.kept.set(to, this.kept.get(from) ?? nothingKept());
      this.kept.delete(from);
      this.live.set(to, this.live.get(from) ?? []);
      this.live.delete(from);
      const lost = this.lost.get(from);
      if (lost !== undefined) this.lost.set(to, lost);
      this.lost.delete(from);
    } else if (event.type === 'iteration.finished') {
      const { sessionId } = event.session;
      this.rewriteCutMarker(sessionId);
      // A session that stored no deltas has none to drop: no second transaction at every iteration's end.
      const hadDeltas = (this.kept.get(sessionId)?.deltas ?? 1) > 0;
      this.nextSeq.delete(sessionId);
      this.kept.delete(sessionId);
      this.live.delete(sessionId);
      void this.flush().then(() => {
        if (hadDeltas) this.dropTextDeltas(sessionId);
        this.recordLost(sessionId);
      });
    }
  };

  /** Queues one event for the database and keeps it for windows that join the running session. */
  private keep(at: Where, event: AgentEvent, payload: string): number {
    const { sessionId, taskId, iteration } = at;
    const seq = this.nextSeq.get(sessionId) ?? 0;
    this.nextSeq.set(sessionId, seq + 1);
    // The log's copy is the event as published, its agent event as stored (cut where it had to be).
    const log: LogEntry | undefined = this.eventLog && {
      type: 'agent.event',
      taskId,
      sessionId,
      payload: `{"type":"agent.event","taskId":${JSON.stringify(taskId)},"sessionId":${JSON.stringify(sessionId)},"iteration":${iteration},"event":${payload}}`,
    };
    this.pending.push({ row: { sessionId, seq, kind: event.kind, payload, at: this.now() }, log });
    const live = this.live.get(sessionId);
    if (live) {
      // A whole text supersedes the deltas that built it, for a window that connects later.
      if (event.kind === 'text') while (live.at(-1)?.kind === 'text_delta') live.pop();
      live.push(event);
    }
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS);
    return seq;
  }

  /** An event other than an agent event, for the log. */
  private queueLog(entry: LogEntry): void {
    if (!this.eventLog) return;
    this.pending.push({ log: entry });
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS);
  }

  /** A marker: small, and kept even past the caps, since it is what tells the replay that output is missing. */
  private keepCut(at: Where, kept: Kept, marker: CutEvent): number {
    kept.events++;
    return this.keep(at, marker, JSON.stringify(marker));
  }

  /** An event past the session's cap: counted on the session's marker, which the first one stores. */
  private notStored(at: Where, kept: Kept, bytes: number): void {
    if (kept.cut) {
      kept.cut.marker.bytesNotStored += bytes;
      kept.cut.marker.eventsNotStored++;
      kept.cut.dirty = true;
      return;
    }
    const marker: CutEvent = { kind: 'cut', scope: 'session', bytesNotStored: bytes, eventsNotStored: 1 };
    kept.cut = { seq: this.keepCut(at, kept, marker), marker, dirty: false };
  }

  /** The session's marker as stored carries the counts of its first event only: write its final counts. */
  private rewriteCutMarker(sessionId: string): void {
    const cut = this.kept.get(sessionId)?.cut;
    if (!cut?.dirty) return;
    cut.dirty = false;
    this.pending.push({
      row: { sessionId, seq: cut.seq, kind: 'cut', payload: JSON.stringify(cut.marker), replace: true },
    });
  }

  liveEvents(sessionId: string): AgentEvent[] | undefined {
    return this.live.get(sessionId);
  }

  /** Writes what is pending; the write itself is synchronous, so it is done when this returns its promise. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // A crash mid-session still leaves the marker's counts of the last flush.
    for (const sessionId of this.kept.keys()) this.rewriteCutMarker(sessionId);
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    // A replay that misses events must not take the run down with it: count them, say so, and go on.
    try {
      writeTransaction(this.dataSource, (db) => {
        const { insert, replace } = this.statementsFor(db);
        for (const { row, log } of batch) {
          // The log row first: the stored event records it, so a snapshot can take what a tail has passed.
          const logSeq = log && this.eventLog ? this.eventLog.write(db, log) : null;
          if (!row) continue;
          if (row.replace) replace.run(row.payload, row.sessionId, row.seq);
          else insert.run(row.sessionId, row.seq, row.kind, row.payload, logSeq, row.at ?? null);
        }
        this.eventLog?.prune(db);
      });
    } catch (error) {
      this.failed(batch, error as Error);
      return;
    }
    if (this.failuresInARow > 0) {
      this.log(`baton: agent events are stored for replay again, after ${this.failuresInARow} failed writes`);
      this.failuresInARow = 0;
    }
  }

  /** Prepared once per connection: a flush comes every few milliseconds while a run streams. */
  private statementsFor(db: Connection): { insert: Statement<unknown[]>; replace: Statement<unknown[]> } {
    if (this.statements?.db !== db) {
      this.statements = {
        db,
        insert: db.prepare(
          `INSERT OR IGNORE INTO session_events (session_id, seq, kind, payload, log_seq, at) VALUES (?, ?, ?, ?, ?, ?)`,
        ),
        replace: db.prepare(`UPDATE session_events SET payload = ? WHERE session_id = ? AND seq = ?`),
      };
    }
    return this.statements;
  }

  private failed(batch: Pending[], error: Error): void {
    this.failures++;
    this.failuresInARow++;
    let events = 0;
    for (const { row } of batch) {
      // A rewritten marker is no event of its own: its first write holds the counts as they were.
      if (!row || row.replace) continue;
      events++;
      this.lost.set(row.sessionId, (this.lost.get(row.sessionId) ?? 0) + 1);
    }
    if (this.failuresInARow === 1) {
      // Only events for the log (a task's start or end): other processes' windows miss them, no replay does.
      const what =
        events > 0 ? `${events} agent events for replay` : `${batch.length} events for other Baton processes`;
      this.log(`baton: could not store ${what}: ${error.message} (the run goes on; what cannot be stored is counted)`);
    }
  }

  /** Failed writes since this recorder started. */
  get failedWrites(): number {
    return this.failures;
  }

  /** Events of a session that a failed write kept out of its replay, while it runs and until its end is written. */
  eventsNotStored(sessionId: string): number {
    return this.lost.get(sessionId) ?? 0;
  }

  /** The session ended having lost events: say how many, and keep the count on its row. */
  private recordLost(sessionId: string): void {
    const lost = this.lost.get(sessionId);
    if (lost === undefined) return;
    this.lost.delete(sessionId);
    this.log(`baton: session ${sessionId} ended with ${lost} agent events not stored for replay`);
    try {
      // In place, one integer: it needs no new page, so it can succeed where the events' inserts failed.
      writeTransaction(this.dataSource, (db) => {
        db.prepare(`UPDATE sessions SET events_not_stored = events_not_stored + ? WHERE session_id = ?`).run(
          lost,
          sessionId,
        );
      });
    } catch (error) {
      this.log(`baton: could not record that count on session ${sessionId}: ${(error as Error).message}`);
    }
  }

  /** The session has ended: its whole texts stay, the deltas that built them go. */
  private dropTextDeltas(sessionId: string): void {
    try {
      writeTransaction(this.dataSource, (db) => {
        db.prepare(`DELETE FROM session_events WHERE session_id = ? AND kind = 'text_delta'`).run(sessionId);
      });
    } catch (error) {
      this.log(`baton: could not drop the text deltas of session ${sessionId}: ${(error as Error).message}`);
    }
  }

  async eventsOf(
    sessionId: string,
  ): Promise<{ events: AgentEvent[]; times: Array<number | null>; truncated: boolean }> {
    await this.flush();
    const rows = (await this.dataSource.query(
      `SELECT payload, at FROM session_events WHERE session_id = ? ORDER BY seq LIMIT ?`,
      [sessionId, MAX_EVENTS_PER_SESSION],
    )) as Array<{ payload: string; at: number | null }>;
    const events = rows.map((row) => JSON.parse(row.payload) as AgentEvent);
    return {
      events,
      times: rows.map((row) => row.at),
      truncated: rows.length >= MAX_EVENTS_PER_SESSION || events.some((e) => e.kind === 'cut' && e.scope === 'session'),
    };
  }
}
