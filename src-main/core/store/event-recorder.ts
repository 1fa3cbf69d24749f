/**
 * Keeps each session's agent events for replay. Events arrive on the hot
 * path of a live stream, so they are buffered and written in one transaction
 * per flush rather than one INSERT each; and each session keeps at most
 * MAX_EVENTS_PER_SESSION, so a runaway agent cannot fill the disk.
 */
import type { DataSource } from 'typeorm';
import type { AgentEvent } from '../../contract/agent-events';
import type { BatonEvent } from '../../contract/events';
import { writeTransaction } from './write-transaction';

export const MAX_EVENTS_PER_SESSION = 5000;
const FLUSH_INTERVAL_MS = 250;

interface Pending {
  sessionId: string;
  seq: number;
  event: AgentEvent;
}

export class EventRecorder {
  private pending: Pending[] = [];
  private readonly nextSeq = new Map<string, number>();
  /** Events of sessions still running, for a window that connects mid-iteration. */
  private readonly live = new Map<string, AgentEvent[]>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly dataSource: DataSource) {}

  /** Subscribe this to the bus. */
  readonly onEvent = (event: BatonEvent): void => {
    if (event.type === 'iteration.started') {
      this.nextSeq.set(event.sessionId, 0);
      this.live.set(event.sessionId, []);
    } else if (event.type === 'agent.event') {
      const seq = this.nextSeq.get(event.sessionId) ?? 0;
      if (seq >= MAX_EVENTS_PER_SESSION) return;
      this.nextSeq.set(event.sessionId, seq + 1);
      this.pending.push({ sessionId: event.sessionId, seq, event: event.event });
      const live = this.live.get(event.sessionId);
      if (live && live.length < MAX_EVENTS_PER_SESSION) live.push(event.event);
      this.timer ??= setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS);
    } else if (event.type === 'iteration.retrying') {
      // Written now, under the old id, before the session row takes the new one (its events follow by cascade).
      void this.flush();
      const { previousSessionId: from, sessionId: to } = event;
      this.nextSeq.set(to, this.nextSeq.get(from) ?? 0);
      this.nextSeq.delete(from);
      this.live.set(to, this.live.get(from) ?? []);
      this.live.delete(from);
    } else if (event.type === 'iteration.finished') {
      this.nextSeq.delete(event.session.sessionId);
      this.live.delete(event.session.sessionId);
      void this.flush();
    }
  };

  liveEvents(sessionId: string): AgentEvent[] | undefined {
    return this.live.get(sessionId);
  }

  /** Writes what is pending; the write itself is synchronous, so it is done when this returns its promise. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    writeTransaction(this.dataSource, (db) => {
      const insert = db.prepare(
        `INSERT OR IGNORE INTO session_events (session_id, seq, kind, payload) VALUES (?, ?, ?, ?)`,
      );
      for (const { sessionId, seq, event } of batch) insert.run(sessionId, seq, event.kind, JSON.stringify(event));
    });
  }

  async eventsOf(sessionId: string): Promise<{ events: AgentEvent[]; truncated: boolean }> {
    await this.flush();
    const rows = (await this.dataSource.query(
      `SELECT payload FROM session_events WHERE session_id = ? ORDER BY seq LIMIT ?`,
      [sessionId, MAX_EVENTS_PER_SESSION],
    )) as Array<{ payload: string }>;
    return {
      events: rows.map((row) => JSON.parse(row.payload) as AgentEvent),
      truncated: rows.length >= MAX_EVENTS_PER_SESSION,
    };
  }
}
