/**
 * One live truth: the runs other Baton processes own on this database (a
 * `baton run` in a terminal, a batch, another window or browser-mode
 * process), republished on this process's bus as the very events the
 * orchestrator publishes for its own runs, so every front end shows them
 * without a special case.
 *
 * Other processes share only the database, so the follower polls it: every
 * tick one small query lists the queued and running tasks, and only when some
 * are another process's does it read their sessions and the agent events
 * their recorder has stored since the last tick (seq by seq, each once).
 * Republished events are marked, so this process's recorder does not store
 * them a second time.
 */
import type { AgentEvent } from '../contract/agent-events';
import type { BatonEvent } from '../contract/events';
import { isActiveStatus, type TaskSummary } from '../contract/views';
import type { EventBus } from '../core/events/event-bus';
import { isProcessAlive } from '../core/process-tree';
import { markFollowed, MAX_STORED_EVENTS_PER_RUNNING_SESSION } from '../core/store/event-recorder';
import type { ActiveTaskRow, LiveQueries, LiveSessionRow } from '../core/store/live-queries';
import type { TaskStore } from '../core/store/task-store';

export const DEFAULT_FOLLOW_INTERVAL_MS = 500;
/** Events published per session and tick; a session found far along is caught up over the next ticks. */
const EVENTS_PER_TICK = 1000;
/** What an `iteration.retrying` says of an attempt another process retried: the store has its reason only once the iteration ends. */
const RETRIED_ELSEWHERE =
  'failed in the Baton process that runs this task; its reason is stored when the iteration ends';

export interface FollowerTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Timers that never keep the process alive by themselves. */
const UNREFERENCED_TIMERS: FollowerTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface LiveFollowerOptions {
  queries: Pick<LiveQueries, 'isOpen' | 'activeTasks' | 'sessionsOf' | 'sessionsByRowId' | 'eventsOf'>;
  store: Pick<TaskStore, 'taskSummary' | 'sessionView'>;
  bus: Pick<EventBus, 'publish'>;
  /** Whether this process runs the task, so its events are on the bus already (the run registry's isRunning). */
  runsHere(taskId: string): boolean;
  /** This process, as the orchestrator records it as a task's owner. */
  pid?: number;
  isAlive?: (pid: number) => boolean;
  /**
   * Closes what a dead process left running (the recovery every open runs),
   * called when the owner of a followed run is gone; without it, such a run
   * stays running here until the next Baton opens the database.
   */
  recover?: () => Promise<void>;
  /** Milliseconds between ticks; DEFAULT_FOLLOW_INTERVAL_MS unless a positive number. */
  intervalMs?: number;
  timers?: FollowerTimers;
  log?: (message: string) => void;
}

interface FollowedSession {
  /** The row's id, which a retry keeps while the session id changes. */
  rowId: number;
  sessionId: string;
  iteration: number;
  /** The last stored event published; -1 before the first. */
  lastSeq: number;
  /** Retries seen, each a rename of the row. */
  retries: number;
  /** Seen ended on an earlier tick, which gave its owner time to store its last events. */
  endedBefore: boolean;
}

interface FollowedTask {
  taskId: string;
  status: 'queued' | 'running';
  /** The wake-up time of the wait last published, null while not waiting. */
  wakeAt: number | null;
  maxIterations: number;
  /** Its summary when first seen: what a window is told of it if it is taken back. */
  firstSummary: TaskSummary;
  /** The newest session row accounted for: rows above it are sessions not seen yet. */
  watermark: number;
  sessions: Map<number, FollowedSession>;
}

export class LiveFollower {
  private readonly queries: LiveFollowerOptions['queries'];
  private readonly store: LiveFollowerOptions['store'];
  private readonly bus: LiveFollowerOptions['bus'];
  private readonly runsHere: (taskId: string) => boolean;
  private readonly pid: number;
  private readonly isAlive: (pid: number) => boolean;
  private readonly recover: (() => Promise<void>) | undefined;
  private readonly intervalMs: number;
  private readonly timers: FollowerTimers;
  private readonly log: (message: string) => void;

  private readonly tasks = new Map<string, FollowedTask>();
  /**
   * Queued tasks of no known owner seen on the last tick. A queued task
   * records no owner, and one launched here is in the database a moment
   * before the run registry has it; so such a task is followed only when a
   * second tick still finds it foreign.
   */
  private sightings = new Set<string>();
  /** Owners found dead whose runs were handed to `recover`, so it runs once per death. */
  private readonly recoveredOwners = new Set<number | null>();
  /** Ticks and snapshots run one at a time, in order. */
  private chain: Promise<void> = Promise.resolve();
  private completed = 0;
  private timer: unknown;
  private started = false;
  private stopped = false;
  private lastError: string | undefined;

  constructor(options: LiveFollowerOptions) {
    this.queries = options.queries;
    this.store = options.store;
    this.bus = options.bus;
    this.runsHere = options.runsHere;
    this.pid = options.pid ?? process.pid;
    this.isAlive = options.isAlive ?? isProcessAlive;
    this.recover = options.recover;
    const interval = options.intervalMs;
    this.intervalMs =
      interval !== undefined && Number.isFinite(interval) && interval > 0 ? interval : DEFAULT_FOLLOW_INTERVAL_MS;
    this.timers = options.timers ?? UNREFERENCED_TIMERS;
    this.log = options.log ?? ((message) => console.error(message));
  }

  /** Polls every interval until stopped. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.schedule();
  }

  /** No tick after this resolves: the timer is cleared and a tick under way has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    await this.chain;
  }

  /** One tick now, after any under way. */
  poll(): Promise<void> {
    return this.exclusive(() => this.tick());
  }

  /**
   * Brings what is followed up to date, then returns, for each of these
   * sessions that is followed, the events published for it so far, read
   * back from the store. A live-state snapshot built from it holds exactly
   * what was published before it, and the next tick waits a whole interval
   * after it, so a window that replays the events it buffered meanwhile
   * neither misses nor repeats one.
   */
  async eventsSoFar(sessionIds: readonly string[]): Promise<Record<string, AgentEvent[]>> {
    const events: Record<string, AgentEvent[]> = {};
    await this.exclusive(async () => {
      await this.tick();
      for (const sessionId of sessionIds) {
        const session = this.sessionNamed(sessionId);
        if (!session || this.stopped) continue;
        const stored =
          session.lastSeq < 0
            ? []
            : await this.queries.eventsOf(sessionId, {
                afterSeq: -1,
                throughSeq: session.lastSeq,
                limit: MAX_STORED_EVENTS_PER_RUNNING_SESSION,
              });
        events[sessionId] = stored.flatMap((row) => (row.event ? [row.event] : []));
      }
    });
    return events;
  }

  /** The tasks followed now, for tests and diagnostics. */
  followedTaskIds(): string[] {
    return [...this.tasks.keys()];
  }

  private schedule(): void {
    if (!this.started || this.stopped) return;
    this.clearTimer();
    const due = this.completed;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      // A snapshot that ran in between was a tick too, and restarted the interval.
      void this.exclusive(async () => {
        if (this.completed === due) await this.tick();
      });
    }, this.intervalMs);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private exclusive(body: () => Promise<void>): Promise<void> {
    const run = this.chain.then(async () => {
      if (this.stopped) return;
      try {
        await body();
        this.lastError = undefined;
      } catch (error) {
        this.report(error);
      } finally {
        this.completed++;
        this.schedule();
      }
    });
    this.chain = run;
    return run;
  }

  /** Logs a failure once, not once a tick while it lasts. */
  private report(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (message === this.lastError) return;
    this.lastError = message;
    this.log(`baton: could not follow other processes' runs: ${message}`);
  }

  private publish(event: BatonEvent): void {
    if (!this.stopped) this.bus.publish(markFollowed(event));
  }

  private isMine(row: ActiveTaskRow): boolean {
    return this.runsHere(row.id) || row.ownerPid === this.pid;
  }

  private sessionNamed(sessionId: string): FollowedSession | undefined {
    for (const task of this.tasks.values()) {
      for (const session of task.sessions.values()) if (session.sessionId === sessionId) return session;
    }
    return undefined;
  }

  private async tick(): Promise<void> {
    if (this.stopped || !this.queries.isOpen) return;
    const foreign = new Map<string, ActiveTaskRow>();
    const sightings = new Set<string>();
    for (const row of await this.queries.activeTasks()) {
      if (this.isMine(row)) continue;
      if (row.status === 'queued' && !this.tasks.has(row.id) && !this.sightings.has(row.id)) {
        sightings.add(row.id);
        continue;
      }
      foreign.set(row.id, row);
    }
    this.sightings = sightings;

    for (const task of [...this.tasks.values()]) {
      if (this.stopped) return;
      if (!foreign.has(task.taskId)) await this.leave(task);
    }
    for (const row of foreign.values()) {
      if (this.stopped) return;
      await this.see(row);
    }
    await this.recoverDeadOwners(foreign);
    await this.followSessions();
  }

  /** A foreign task: followed from its first sighting, started when it leaves the queue. */
  private async see(row: ActiveTaskRow): Promise<void> {
    const followed = this.tasks.get(row.id);
    if (followed) {
      if (followed.status === 'queued' && row.status === 'running') {
        followed.status = 'running';
        this.publish({ type: 'task.started', taskId: row.id });
      }
      this.seeWait(followed, row);
      return;
    }
    const summary = await this.store.taskSummary(row.id);
    if (!summary || !isActiveStatus(summary.status)) return;
    // Sessions it ran before it was seen are history; a running one is followed from its first event.
    const known = await this.queries.sessionsOf([row.id], 0);
    if (this.runsHere(row.id) || this.stopped) return;
    const task: FollowedTask = {
      taskId: row.id,
      status: summary.status === 'queued' ? 'queued' : 'running',
      wakeAt: null,
      maxIterations: summary.spec.maxIterations,
      firstSummary: summary,
      watermark: Math.max(0, ...known.map((session) => session.rowId)),
      sessions: new Map(),
    };
    this.tasks.set(row.id, task);
    this.publish({ type: 'task.queued', taskId: row.id, task: summary });
    if (task.status === 'running') this.publish({ type: 'task.started', taskId: row.id });
    this.seeWait(task, row);
    for (const session of known) if (session.status === 'running') this.startSession(task, session);
  }

  /** A wait for a subscription window that began, or ended, since the last tick. */
  private seeWait(task: FollowedTask, row: ActiveTaskRow): void {
    if (row.wakeAt === task.wakeAt) return;
    task.wakeAt = row.wakeAt;
    if (row.wakeAt !== null) {
      this.publish({ type: 'task.waiting', taskId: row.id, wakeAt: row.wakeAt, reason: row.reason ?? 'waiting' });
    } else if (task.status === 'running') {
      this.publish({ type: 'task.started', taskId: row.id });
    }
  }

  /** The task is no longer another process's queued or running task. */
  private async leave(task: FollowedTask): Promise<void> {
    const rows = new Map(
      (await this.queries.sessionsByRowId([...task.sessions.keys()])).map((row) => [row.rowId, row]),
    );
    for (const session of [...task.sessions.values()]) {
      const row = rows.get(session.rowId);
      if (!row || row.status === 'running') continue;
      this.retried(task, session, row);
      await this.finishSession(task, session);
    }
    // Sessions it started and ended since the last tick.
    for (const row of await this.queries.sessionsOf([task.taskId], task.watermark)) {
      if (row.rowId <= task.watermark || row.status === 'running' || this.stopped) continue;
      await this.finishSession(task, this.startSession(task, row));
    }
    const summary = await this.store.taskSummary(task.taskId);
    this.tasks.delete(task.taskId);
    if (!summary) {
      // Only a launch its agent turned away at once is deleted; its process alone knew the agent's words.
      this.publish({
        type: 'task.withdrawn',
        taskId: task.taskId,
        reason: 'its agent turned it away at its first iteration, so the launch was taken back',
        task: task.firstSummary,
      });
      return;
    }
    // Still active means this process runs it now (a resume), and its own events take over.
    if (isActiveStatus(summary.status) || this.runsHere(task.taskId)) return;
    this.publish({
      type: 'task.finished',
      taskId: task.taskId,
      status: summary.status,
      reason: summary.statusReason ?? '',
      task: summary,
    });
  }

  /** Hands runs whose owner has died to `recover`; the next tick sees them interrupted. */
  private async recoverDeadOwners(foreign: Map<string, ActiveTaskRow>): Promise<void> {
    if (!this.recover) return;
    // Queued tasks record their owner too: a batch that died leaves its waiting tasks to recover as well.
    const owners = new Set(
      [...foreign.values()]
        .filter((row) => row.status === 'running' || row.ownerPid !== null)
        .map((row) => row.ownerPid),
    );
    for (const pid of this.recoveredOwners) if (!owners.has(pid)) this.recoveredOwners.delete(pid);
    const dead = [...owners].filter((pid) => !this.recoveredOwners.has(pid) && (pid === null || !this.isAlive(pid)));
    if (dead.length === 0 || this.stopped) return;
    for (const pid of dead) this.recoveredOwners.add(pid);
    try {
      await this.recover();
    } catch (error) {
      // Tried again on the next tick.
      for (const pid of dead) this.recoveredOwners.delete(pid);
      throw error;
    }
  }

  private async followSessions(): Promise<void> {
    const tasks = [...this.tasks.values()].filter((task) => task.status === 'running');
    if (tasks.length === 0 || this.stopped) return;
    const rows = await this.queries.sessionsOf(
      tasks.map((task) => task.taskId),
      Math.min(...tasks.map((task) => task.watermark)),
    );
    const current = new Map(rows.map((row) => [row.rowId, row]));
    const ended = tasks.flatMap((task) => [...task.sessions.keys()].filter((rowId) => !current.has(rowId)));
    for (const row of await this.queries.sessionsByRowId(ended)) current.set(row.rowId, row);

    for (const task of tasks) {
      const newer = rows.filter(
        (row) => row.taskId === task.taskId && row.rowId > task.watermark && !task.sessions.has(row.rowId),
      );
      const latest = Math.max(task.watermark, ...newer.map((row) => row.rowId));
      for (const session of [...task.sessions.values()]) {
        if (this.stopped) return;
        const row = current.get(session.rowId);
        if (!row) {
          task.sessions.delete(session.rowId);
          continue;
        }
        this.retried(task, session, row);
        await this.advance(task, session, row, latest);
      }
      for (const row of newer) {
        if (this.stopped) return;
        await this.advance(task, this.startSession(task, row), row, latest);
      }
    }
  }

  /**
   * Publishes a session's new events; once it has ended, and its last events
   * are surely stored (a later session started, or a tick has passed), its end.
   */
  private async advance(
    task: FollowedTask,
    session: FollowedSession,
    row: LiveSessionRow,
    latest: number,
  ): Promise<void> {
    if (row.status !== 'running' && (session.endedBefore || session.rowId < latest)) {
      return this.finishSession(task, session);
    }
    if (row.status !== 'running') session.endedBefore = true;
    await this.publishEvents(task, session, false);
  }

  private startSession(task: FollowedTask, row: LiveSessionRow): FollowedSession {
    const session: FollowedSession = {
      rowId: row.rowId,
      sessionId: row.sessionId,
      iteration: row.iteration,
      lastSeq: -1,
      retries: 0,
      endedBefore: false,
    };
    task.sessions.set(row.rowId, session);
    task.watermark = Math.max(task.watermark, row.rowId);
    this.publish({
      type: 'iteration.started',
      taskId: task.taskId,
      sessionId: row.sessionId,
      iteration: row.iteration,
      maxIterations: task.maxIterations,
    });
    return session;
  }

  /** A retry renamed the row; its stored events moved with it, under the same seqs. */
  private retried(task: FollowedTask, session: FollowedSession, row: LiveSessionRow): void {
    if (row.sessionId === session.sessionId) return;
    const previousSessionId = session.sessionId;
    session.sessionId = row.sessionId;
    session.retries++;
    this.publish({
      type: 'iteration.retrying',
      taskId: task.taskId,
      iteration: session.iteration,
      attempt: session.retries,
      previousSessionId,
      sessionId: row.sessionId,
      error: RETRIED_ELSEWHERE,
    });
  }

  private async publishEvents(task: FollowedTask, session: FollowedSession, all: boolean): Promise<void> {
    for (;;) {
      const page = await this.queries.eventsOf(session.sessionId, {
        afterSeq: session.lastSeq,
        limit: EVENTS_PER_TICK,
      });
      for (const { seq, event } of page) {
        session.lastSeq = seq;
        if (!event) continue;
        this.publish({
          type: 'agent.event',
          taskId: task.taskId,
          sessionId: session.sessionId,
          iteration: session.iteration,
          event,
        });
      }
      if (!all || page.length < EVENTS_PER_TICK || this.stopped) return;
    }
  }

  /** The rest of its events, then its stored view with the task's totals. */
  private async finishSession(task: FollowedTask, session: FollowedSession): Promise<void> {
    await this.publishEvents(task, session, true);
    task.sessions.delete(session.rowId);
    const view = await this.store.sessionView(session.sessionId);
    const summary = view ? await this.store.taskSummary(task.taskId) : undefined;
    if (!view || !summary) return;
    this.publish({ type: 'iteration.finished', taskId: task.taskId, session: view, task: summary });
  }
}
