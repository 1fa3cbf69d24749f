/** What the orchestrator throws at its callers, each a kind the service and the front ends tell apart. */
import type { InputIssue } from '../../contract/api';
import type { TaskSummary } from '../../contract/views';
import type { TaskStore } from '../store/task-store';

/** A spec or a request the caller must fix; `issues` name the fields at fault, when there are any. */
export class InvalidTaskError extends Error {
  override readonly name = 'InvalidTaskError';
  constructor(
    message: string,
    readonly issues: InputIssue[] = [],
  ) {
    super(message);
  }
}

export class TaskAlreadyRunningError extends Error {
  override readonly name = 'TaskAlreadyRunningError';
}

export class TaskNotFoundError extends Error {
  override readonly name = 'TaskNotFoundError';
}

/** The agent turned a new task away at its first iteration, so the launch was taken back: nothing of it is kept. */
export class LaunchWithdrawnError extends Error {
  override readonly name = 'LaunchWithdrawnError';
}

/** A task's summary, or the error that says there is no such task. */
export async function requireSummary(store: Pick<TaskStore, 'taskSummary'>, taskId: string): Promise<TaskSummary> {
  const task = await store.taskSummary(taskId);
  if (!task) throw new TaskNotFoundError(`no task with id ${taskId}`);
  return task;
}
