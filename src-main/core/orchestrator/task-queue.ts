/**
 * Runs tasks in this process with a limit on how many run at once; the rest
 * wait their turn, queued. Each task keeps its own stop signal.
 *
 * There is one queue for the life of the process and its limit changes in
 * place: a lower limit stops no running task but starts none until fewer run
 * than it allows; a higher one starts waiting tasks at once.
 *
 * The limit counts the tasks this process runs, not every process on the
 * database: it is the number the user sees in Settings, and it bounds what
 * this service starts. A `run --batch` or another `serve` on the same file
 * keeps its own count; counting across processes would need slots in the
 * database that survive a crashed owner.
 */
import type { TaskSummary } from '../../contract/views';
import type { Orchestrator } from './orchestrator';

/** How often a queue whose limit is stored looks again while tasks wait, so another process's change is honoured. */
export const DEFAULT_LIMIT_POLL_MS = 500;

export interface TaskQueueOptions {
  /**
   * The limit as stored now, read again before each start. Another process
   * (`baton settings` beside `baton serve`) may change it at any time.
   */
  readLimit?: () => Promise<number>;
  /** Milliseconds between reads of readLimit while tasks wait; DEFAULT_LIMIT_POLL_MS unless positive. */
  pollMs?: number;
  log?: (message: string, error: unknown) => void;
}

interface Waiting {
  start: () => void;
  onAbort: () => void;
}

function isLimit(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}

export class TaskQueue {
  private limit: number;
  private active = 0;
  private readonly waiting: Waiting[] = [];
  private pumping = false;
  private pumpAgain = false;
  private poll: ReturnType<typeof setInterval> | undefined;
  private readonly readLimit: (() => Promise<number>) | undefined;
  private readonly pollMs: number;
  private readonly log: (message: string, error: unknown) => void;

  constructor(
    private readonly orchestrator: Orchestrator,
    concurrency: number,
    options: TaskQueueOptions = {},
  ) {
    this.limit = TaskQueue.checked(concurrency);
    this.readLimit = options.readLimit;
    this.pollMs = options.pollMs !== undefined && options.pollMs > 0 ? options.pollMs : DEFAULT_LIMIT_POLL_MS;
    this.log = options.log ?? ((message, error) => console.error(message, error));
  }

  private static checked(concurrency: number): number {
    if (!isLimit(concurrency)) throw new RangeError('concurrency must be a whole number of at least 1');
    return concurrency;
  }

  /** Changes the limit of this same queue: tasks already waiting are held to it too. */
  setConcurrency(concurrency: number): void {
    this.limit = TaskQueue.checked(concurrency);
    this.pump();
  }

  /** The stored limit may have changed (another process said so): tasks waiting look at it now. */
  limitMayHaveChanged(): void {
    if (this.readLimit) this.pump();
  }

  /** Resolves when the task has run to its end. A task stopped while it waits never starts. */
  run(taskId: string, signal?: AbortSignal): Promise<TaskSummary> {
    return new Promise<TaskSummary>((resolve, reject) => {
      const entry: Waiting = {
        start: () => {
          signal?.removeEventListener('abort', entry.onAbort);
          const ran = signal?.aborted
            ? this.orchestrator.skipQueued(taskId)
            : this.orchestrator.runTask(taskId, signal);
          ran
            .then(resolve, reject)
            .finally(() => {
              this.active--;
              this.pump();
            })
            .catch(() => undefined);
        },
        // Stopped before its turn: it leaves the line and ends now, without waiting for a slot.
        onAbort: () => {
          const at = this.waiting.indexOf(entry);
          if (at < 0) return;
          this.waiting.splice(at, 1);
          this.updatePoll();
          this.orchestrator.skipQueued(taskId).then(resolve, reject);
        },
      };
      if (signal?.aborted) {
        this.orchestrator.skipQueued(taskId).then(resolve, reject);
        return;
      }
      signal?.addEventListener('abort', entry.onAbort, { once: true });
      this.waiting.push(entry);
      this.updatePoll();
      this.pump();
    });
  }

  /** The limit to hold the next start to: the stored one when there is one, else the last set. */
  private async currentLimit(): Promise<number> {
    if (!this.readLimit) return this.limit;
    try {
      const stored = await this.readLimit();
      // A value this version cannot honour (written by hand, or by another version) leaves the last good one.
      if (isLimit(stored)) this.limit = stored;
    } catch (error) {
      this.log('baton: could not read the concurrency setting; keeping the last one:', error);
    }
    return this.limit;
  }

  /** Starts waiting tasks while fewer run than the limit. One pass at a time, so two never share a slot. */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void (async () => {
      try {
        do {
          this.pumpAgain = false;
          while (this.waiting.length > 0) {
            const limit = await this.currentLimit();
            const next = this.waiting[0];
            if (!next || this.active >= limit) break;
            this.waiting.shift();
            this.active++;
            next.start();
          }
        } while (this.pumpAgain);
      } finally {
        this.pumping = false;
        this.updatePoll();
      }
    })();
  }

  /** While tasks wait on a stored limit, look at it now and then: a raise elsewhere starts them without other cause. */
  private updatePoll(): void {
    const wanted = this.readLimit !== undefined && this.waiting.length > 0;
    if (wanted && !this.poll) {
      this.poll = setInterval(() => this.pump(), this.pollMs);
      this.poll.unref?.();
    } else if (!wanted && this.poll) {
      clearInterval(this.poll);
      this.poll = undefined;
    }
  }
}
