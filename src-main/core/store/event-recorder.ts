/**
 * Keeps each session's agent events for replay. Events arrive on the hot
 * path of a live stream, so they are buffered and written in one transaction
 * per flush rather than one INSERT each; and each session keeps at most
 * MAX_EVENTS_PER_SESSION, so a runaway agent cannot fill the disk.
 *
 * Text deltas are transient: they are stored while the session runs (so a
 * window in another process can stream them), counted apart, and deleted
 * once the session ends, when the whole texts they built are in the replay.
 */
import type { DataSource } from 'typeorm';
import type { AgentEvent } from '../../contract/agent-events';
import type { BatonEvent } from '../../contract/events';
import { writeTransaction } from './write-transaction';

export const MAX_EVENTS_PER_SESSION = 5000;
/** Deltas of one running session; past it, only whole texts are kept. */
export const MAX_TEXT_DELTAS_PER_SESSION = 20_000;
/** What a running session can have stored, deltas included: what a window that joins late may have to read. */
export const MAX_STORED_EVENTS_PER_RUNNING_SESSION = MAX_EVENTS_PER_SESSION + MAX_TEXT_DELTAS_PER_SESSION;
const FLUSH_INTERVAL_MS = 250;

/** Events republished from a run another process owns (see markFollowed). */
const followed = new WeakSet<BatonEvent>();

/**
 * Marks an event a follower republishes from another process's run: that
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

interface Pending {
  sessionId: string;
  seq: number;
  event: AgentEvent;
}

export class EventRecorder {
  private pending: Pending[] = [];
  private readonly nextSeq = new Map<string, number>();
  /** Per running session: events kept, and text deltas kept, each against its own limit. */
  private readonly kept = new Map<string, { events: number; deltas: number }>();
  /** Events of sessions still running, for a window that connects mid-iteration. */
  private readonly live = new Map<string, AgentEvent[]>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly log: (message: string) => void = (message) => console.error(message),
  ) {}

  /** Subscribe this to the bus. */
  readonly onEvent = (event: BatonEvent): void => {
    if (followed.has(event)) return;
    if (event.type === 'iteration.started') {
      this.nextSeq.set(event.sessionId, 0);
      this.kept.set(event.sessionId, { events: 0, deltas: 0 });
      this.live.set(event.sessionId, []);
    } else if (event.type === 'agent.event') {
      const kept = this.kept.get(event.sessionId) ?? { events: 0, deltas: 0 };
      this.kept.set(event.sessionId, kept);
      const isDelta = event.event.kind === 'text_delta';
      if (isDelta ? kept.deltas >= MAX_TEXT_DELTAS_PER_SESSION : kept.events >= MAX_EVENTS_PER_SESSION) return;
      if (isDelta) kept.deltas++;
      else kept.events++;
      const seq = this.nextSeq.get(event.sessionId) ?? 0;
      this.nextSeq.set(event.sessionId, seq + 1);
      this.pending.push({ sessionId: event.sessionId, seq, event: event.event });
      const live = this.live.get(event.sessionId);
      if (live) {
        // A whole text supersedes the deltas that built it, for a window that connects later.
        if (event.event.kind === 'text') while (live.at(-1)?.kind === 'text_delta') live.pop();
        live.push(event.event);
      }
      this.timer ??= setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS);
    } else if (event.type === 'iteration.retrying') {
      // Written now, under the old id, before the session row takes the new one (its events follow by cascade).
      void this.flush();
      const { previousSessionId: from, sessionId: to } = event;
      this.nextSeq.set(to, this.nextSeq.get(from) ?? 0);
      this.nextSeq.delete(from);
      this.kept.set(to, this.kept.get(from) ?? { events: 0, deltas: 0 });
      this.kept.delete(from);
      this.live.set(to, this.live.get(from) ?? []);
      this.live.delete(from);
    } else if (event.type === 'iteration.finished') {
      const { sessionId } = event.session;
      this.nextSeq.delete(sessionId);
      this.kept.delete(sessionId);
      this.live.delete(sessionId);
      void this.flush().then(() => this.dropTextDeltas(sessionId));
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
    // A replay that misses events must not take the run down with it: say so, and go on.
    try {
      writeTransaction(this.dataSource, (db) => {
        const insert = db.prepare(
          `INSERT OR IGNORE INTO session_events (session_id, seq, kind, payload) VALUES (?, ?, ?, ?)`,
        );
        for (const { sessionId, seq, event } of batch) insert.run(sessionId, seq, event.kind, JSON.stringify(event));
      });
    } catch (error) {
      this.log(`baton: could not store ${batch.length} agent events for replay: ${(error as Error).message}`);
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
