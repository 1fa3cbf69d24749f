/**
 * One live truth across processes. Every Baton process writes what it publishes to the event log
 * (core/events/event-log.ts); this tails it (`WHERE seq > ?`, every tick) and:
 * - republishes the other processes' events on this process's bus, as their processes published them
 *   (marked, so this process's recorder does not store them again), so every front end shows a run of
 *   another process as if it ran here;
 * - carries out requests meant for this process: a stop asked for in another process of a task run here;
 * - watches the owners of active tasks: the runs of a process that died are closed (the recovery every
 *   open runs), and their ends published here, for every window on the database.
 * Rows commit in seq order (one writer at a time, and a row's seq is taken inside its transaction), so a
 * tail that reads past its last seq misses none and repeats none, unless the log was pruned past it (its
 * process was stopped for long): it then tells its windows to take a new snapshot (`live.resync`) and its queue
 * to read the limit again. A stop asked for meanwhile is missed; its asker answers "not stopped" (remote-stop.ts).
 */
import type { AgentEvent } from '../contract/agent-events';
import type { BatonEvent } from '../contract/events';
import type { EventBus } from '../core/events/event-bus';
import { isProcessAlive } from '../core/process-tree';
import { markFollowed, MAX_STORED_EVENTS_PER_RUNNING_SESSION } from '../core/store/event-recorder';
import type { ActiveTaskRow, LiveQueries, LogRow } from '../core/store/live-queries';
import type { TaskStore } from '../core/store/task-store';

/** Between two reads of the log: a run in another process shows in a window within about this, plus a flush. */
export const DEFAULT_TAIL_INTERVAL_MS = 25;
/** Rows read per tick; a tail far behind catches up over the next ticks. */
const ROWS_PER_TICK = 2000;
/** Between two looks at the owners of active tasks: a process that died is found within about this. */
const OWNER_CHECK_MS = 2000;

export interface TailTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

/** Timers that never keep the process alive by themselves. */
const UNREFERENCED_TIMERS: TailTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => Date.now(),
};

export interface LogTailOptions {
  queries: Pick<LiveQueries, 'isOpen' | 'activeTasks' | 'lastLogSeq' | 'oldestLogSeq' | 'logAfter' | 'eventsPassed'>;
  store: Pick<TaskStore, 'taskSummary'>;
  bus: Pick<EventBus, 'publish'>;
  /** This service's id in the log: its own rows are on its bus already. */
  origin: string;
  /** A window's process shows the other processes' runs; a terminal's only acts on requests meant for it. */
  republish: boolean;
  /** Whether this process runs the task (the run registry's isRunning). */
  runsHere(taskId: string): boolean;
  /** Stops a task this process runs, as a stop asked for here does. */
  stop(taskId: string): Promise<unknown>;
  /** Another process changed the settings (the concurrency limit among them). */
  settingsChanged?: () => void;
  /** This process, as the orchestrator records it as a task's owner. */
  pid?: number;
  isAlive?: (pid: number) => boolean;
  /** Closes what dead processes left running (the recovery every open runs); the tasks it closed. */
  recover?: () => Promise<string[]>;
  intervalMs?: number;
  timers?: TailTimers;
  log?: (message: string) => void;
}

export class LogTail {
  private readonly options: LogTailOptions;
  private readonly intervalMs: number;
  private readonly timers: TailTimers;
  private readonly isAlive: (pid: number) => boolean;
  private readonly pid: number;
  private readonly log: (message: string) => void;
  /** The last row read; undefined before the tail starts. */
  private lastSeq: number | undefined;
  private ownersCheckedAt = Number.NEGATIVE_INFINITY;
  /** Owners found dead and handed to `recover`, so it runs once per death. */
  private readonly recoveredOwners = new Set<number | null>();
  /** Ticks and snapshots run one at a time, in order. */
  private chain: Promise<void> = Promise.resolve();
  private timer: unknown;
  private stopped = false;
  private lastError: string | undefined;

  constructor(options: LogTailOptions) {
    this.options = options;
    const interval = options.intervalMs;
    this.intervalMs =
      interval !== undefined && Number.isFinite(interval) && interval > 0 ? interval : DEFAULT_TAIL_INTERVAL_MS;
    this.timers = options.timers ?? UNREFERENCED_TIMERS;
    this.isAlive = options.isAlive ?? isProcessAlive;
    this.pid = options.pid ?? process.pid;
    this.log = options.log ?? ((message) => console.error(message));
  }

  /** From the log's end as it is now: what was before is in the store, for a snapshot to read. */
  start(): void {
    if (this.lastSeq !== undefined || this.stopped) return;
    this.lastSeq = this.options.queries.lastLogSeq();
    this.schedule();
  }

  /** No tick after this resolves. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await this.chain;
  }

  /** One tick now, after any under way. */
  poll(): Promise<void> {
    return this.exclusive(() => this.tick());
  }

  /**
   * Reads the log to its end, then hands `read`, for each of these sessions, the agent events stored for it
   * that the tail has passed: those this process has published, and those from before it started. `read`
   * runs at once, before any other tick can publish more, so what it reads besides (the window feed's seq)
   * describes the same moment: a snapshot built there holds exactly what was published up to that seq.
   */
  async eventsSoFar<T>(sessionIds: readonly string[], read: (events: Record<string, AgentEvent[]>) => T): Promise<T> {
    const events: Record<string, AgentEvent[]> = {};
    let result: { value: T } | undefined;
    await this.exclusive(async () => {
      try {
        await this.tick();
        for (const sessionId of sessionIds) {
          const stored = this.options.queries.eventsPassed(
            sessionId,
            this.lastSeq ?? null,
            MAX_STORED_EVENTS_PER_RUNNING_SESSION,
          );
          events[sessionId] = stored.flatMap((row) => (row.event ? [row.event] : []));
        }
      } finally {
        result = { value: read(events) };
      }
    });
    // A stopped tail (or a closed database) publishes nothing more: reading after it is the same moment.
    return result ? result.value : read(events);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      void this.exclusive(() => this.tick()).then(() => this.schedule());
    }, this.intervalMs);
  }

  private exclusive(body: () => Promise<void>): Promise<void> {
    const run = this.chain.then(async () => {
      if (this.stopped || !this.options.queries.isOpen) return;
      try {
        await body();
        this.lastError = undefined;
      } catch (error) {
        this.report(error);
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
    this.log(`baton: could not follow the event log: ${message}`);
  }

  private async tick(): Promise<void> {
    if (this.lastSeq === undefined) return;
    for (;;) {
      const from = this.lastSeq;
      const rows = this.options.queries.logAfter(from, ROWS_PER_TICK, this.options.origin);
      // Asked after the read: a pruning between the two is taken for a gap, which costs one snapshot too many.
      const oldest = this.options.queries.oldestLogSeq();
      if (oldest !== null && oldest > from + 1) this.missed();
      for (const row of rows) {
        this.lastSeq = row.seq;
        if (!row.event || this.stopped) continue;
        this.received(row.event, row);
      }
      if (rows.length < ROWS_PER_TICK || this.stopped) break;
    }
    if (this.options.recover && this.timers.now() - this.ownersCheckedAt >= OWNER_CHECK_MS) {
      this.ownersCheckedAt = this.timers.now();
      await this.recoverDeadOwners(await this.options.queries.activeTasks());
    }
  }

  /** Rows after the last one read were pruned before they were read: what they said is lost here. */
  private missed(): void {
    this.log('baton: the event log was pruned past what this process had read; its windows take a new snapshot');
    this.options.settingsChanged?.();
    if (this.options.republish) this.options.bus.publish(markFollowed({ type: 'live.resync' }));
  }

  private received(event: BatonEvent, from: Pick<LogRow, 'pid' | 'host'>): void {
    if (event.type === 'task.stop_requested') {
      if (this.options.runsHere(event.taskId)) {
        // Said where it runs (a terminal), since the stop was not asked there.
        this.log(`baton: stopping task ${event.taskId}, as Baton process ${from.pid} on ${from.host} asked`);
        void this.options.stop(event.taskId).catch((error: unknown) => this.report(error));
      }
      return;
    }
    if (event.type === 'settings.changed') this.options.settingsChanged?.();
    if (this.options.republish) this.options.bus.publish(markFollowed(event));
  }

  /** Hands the runs whose owner has died to `recover`, and publishes how each of those tasks now stands. */
  private async recoverDeadOwners(active: ActiveTaskRow[]): Promise<void> {
    const foreign = active.filter((row) => !this.options.runsHere(row.id) && row.ownerPid !== this.pid);
    // Queued tasks record their owner too: a batch that died leaves its waiting tasks to recover as well.
    const owners = new Set(
      foreign.filter((row) => row.status === 'running' || row.ownerPid !== null).map((row) => row.ownerPid),
    );
    for (const pid of this.recoveredOwners) if (!owners.has(pid)) this.recoveredOwners.delete(pid);
    const dead = [...owners].filter((pid) => !this.recoveredOwners.has(pid) && (pid === null || !this.isAlive(pid)));
    if (dead.length === 0 || this.stopped || !this.options.recover) return;
    for (const pid of dead) this.recoveredOwners.add(pid);
    let taskIds: string[];
    try {
      taskIds = await this.options.recover();
    } catch (error) {
      // Tried again at the next look.
      for (const pid of dead) this.recoveredOwners.delete(pid);
      throw error;
    }
    if (!this.stopped) await publishEnds(this.options, taskIds);
  }
}

/**
 * How tasks a recovery closed now stand, published by the process that closed them (not marked as followed):
 * the log carries them to every other process's windows too.
 */
export async function publishEnds(
  { store, bus }: Pick<LogTailOptions, 'store' | 'bus'>,
  taskIds: readonly string[],
): Promise<void> {
  for (const taskId of taskIds) {
    const task = await store.taskSummary(taskId);
    if (!task) continue;
    bus.publish({ type: 'task.finished', taskId, status: task.status, reason: task.statusReason ?? '', task });
  }
}
