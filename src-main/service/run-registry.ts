/**
 * The tasks this process runs: each one queued behind the concurrency limit,
 * with its own stop signal, until it has run to its end.
 */
import type { TaskSummary } from '../contract/views';
import { LaunchWithdrawnError, type Orchestrator } from '../core/orchestrator/orchestrator';
import { TaskQueue, type TaskQueueOptions } from '../core/orchestrator/task-queue';

interface Run {
  stop: AbortController;
  done: Promise<TaskSummary>;
}

export class RunRegistry {
  private readonly runs = new Map<string, Run>();
  // One queue for the process's life: a second one beside it would start tasks past the limit.
  private readonly queue: TaskQueue;
  private readonly log: (message: string, error: unknown) => void;

  /** With options.readLimit the limit is the stored setting, read again before each start (see TaskQueue). */
  constructor(
    private readonly orchestrator: Orchestrator,
    concurrency: number,
    options: TaskQueueOptions = {},
  ) {
    this.log = options.log ?? ((message, error) => console.error(message, error));
    this.queue = new TaskQueue(orchestrator, concurrency, { ...options, log: this.log });
  }

  /** The new limit holds at once, for queued tasks too; running ones are never stopped by it. */
  setConcurrency(concurrency: number): void {
    this.queue.setConcurrency(concurrency);
  }

  /** Another process changed the stored limit: queued tasks look at it now rather than at the next poll. */
  limitMayHaveChanged(): void {
    this.queue.limitMayHaveChanged();
  }

  isRunning(taskId: string): boolean {
    return this.runs.has(taskId);
  }

  runningTaskIds(): string[] {
    return [...this.runs.keys()];
  }

  /** Queues a task to run in the background. */
  start(taskId: string): void {
    const stop = new AbortController();
    const done = this.queue.run(taskId, stop.signal).finally(() => this.runs.delete(taskId));
    // The failure is the caller's to see through wait(); this only keeps it from going unheard. A launch
    // taken back is no failure to run: its task.withdrawn event says why.
    done.catch((error: unknown) => {
      if (!(error instanceof LaunchWithdrawnError)) this.log(`baton: task ${taskId} failed to run:`, error);
    });
    this.runs.set(taskId, { stop, done });
  }

  /**
   * Resolves when the task has run to its end; rejects with LaunchWithdrawnError when its launch was
   * taken back. Undefined when this process does not run it.
   */
  wait(taskId: string): Promise<TaskSummary> | undefined {
    return this.runs.get(taskId)?.done;
  }

  /** False when this process does not run the task. */
  async stop(taskId: string): Promise<boolean> {
    const run = this.runs.get(taskId);
    if (!run) return false;
    run.stop.abort();
    // A task still waiting for its turn ends now; a running one once its agent is down and its session stored.
    if (!(await this.orchestrator.skipQueuedIfWaiting(taskId))) await run.done.catch(() => undefined);
    return true;
  }

  async stopAll(): Promise<void> {
    const runs = [...this.runs.values()];
    for (const run of runs) run.stop.abort();
    await Promise.all(runs.map((run) => run.done.catch(() => undefined)));
  }
}
