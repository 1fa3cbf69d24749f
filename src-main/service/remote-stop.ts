/**
 * A stop of a task that another Baton process runs (a `baton run` in a terminal, another window): asked for
 * through the event log, which that process tails (log-tail.ts), and answered once the store says the task
 * has ended, as a stop of a task run here answers once its run has.
 */
import { isActiveStatus } from '../contract/views';
import type { EventBus } from '../core/events/event-bus';
import type { TaskStore } from '../core/store/task-store';

/** How long a stop waits for the other process; past it, the answer is that the task is not (yet) stopped. */
export const REMOTE_STOP_TIMEOUT_MS = 30_000;
const CHECK_EVERY_MS = 100;

export interface RemoteStopDeps {
  bus: Pick<EventBus, 'publish'>;
  store: Pick<TaskStore, 'taskSummary'>;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** False when the task is not active, or when its process has not ended it within the timeout. */
export async function stopElsewhere(deps: RemoteStopDeps, taskId: string): Promise<boolean> {
  const sleep = deps.sleep ?? realSleep;
  const now = deps.now ?? Date.now;
  const active = async () => {
    const task = await deps.store.taskSummary(taskId);
    return task !== undefined && isActiveStatus(task.status);
  };
  if (!(await active())) return false;
  deps.bus.publish({ type: 'task.stop_requested', taskId });
  const deadline = now() + REMOTE_STOP_TIMEOUT_MS;
  while (now() < deadline) {
    await sleep(CHECK_EVERY_MS);
    if (!(await active())) return true;
  }
  return false;
}
