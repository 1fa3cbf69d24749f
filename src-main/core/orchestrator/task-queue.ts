/**
 * Runs tasks in this process with a limit on how many run at once; the rest
 * wait their turn, queued. Each task keeps its own stop signal.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import type { TaskSummary } from '../../contract/views';
import type { Orchestrator } from './orchestrator';

export class TaskQueue {
  private readonly limit: LimitFunction;

  constructor(
    private readonly orchestrator: Orchestrator,
    concurrency: number,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new RangeError('concurrency must be a whole number of at least 1');
    this.limit = pLimit(concurrency);
  }

  /** Resolves when the task has run to its end. A task stopped while it waits never starts. */
  run(taskId: string, signal?: AbortSignal): Promise<TaskSummary> {
    return this.limit(() =>
      signal?.aborted ? this.orchestrator.skipQueued(taskId) : this.orchestrator.runTask(taskId, signal),
    );
  }
}
