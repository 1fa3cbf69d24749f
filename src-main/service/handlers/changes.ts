/** What tasks changed: directories as git sees them, diffs, and merging or discarding a worktree task. */
import type { BatonHandlers } from '../../contract/api';
import { directoryInfo, TaskChanges, TaskChangesError } from '../../core/orchestrator/task-changes';
import { CallFailure } from '../dispatcher';
import type { ServiceContext } from '../service-context';
import { taskLookup } from './task-lookup';

type ChangeHandlers = Pick<BatonHandlers, 'getDirectoryInfo' | 'getDiff' | 'mergeTask' | 'discardTask'>;

/** A refusal about changes is the caller's to act on: invalid input, with git's reason. */
async function refusalsAsInvalid<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof TaskChangesError) throw new CallFailure('invalid_input', error.message);
    throw error;
  }
}

export function changeHandlers(context: ServiceContext): ChangeHandlers {
  const { core, runs } = context;
  const changes = new TaskChanges(core.store);
  const { requireTask } = taskLookup(context);

  /** A task this process runs is never merged or discarded under it. */
  const requireStopped = async (idOrPrefix: string) => {
    const task = await requireTask(idOrPrefix);
    if (runs.isRunning(task.id)) throw new CallFailure('invalid_input', `task ${task.id} is running; stop it first`);
    return task;
  };

  return {
    getDirectoryInfo: ({ dir }) => directoryInfo(dir),

    getDiff: async ({ taskId, ...request }) => {
      const task = await requireTask(taskId);
      return refusalsAsInvalid(() => changes.diff(task, request));
    },

    mergeTask: async ({ taskId, squash }) => {
      const task = await requireStopped(taskId);
      const merged = await refusalsAsInvalid(() => changes.merge(task, squash));
      core.bus.publish({ type: 'task.worktree_finished', taskId: task.id, state: 'merged' });
      return { ...merged, task: await requireTask(task.id) };
    },

    discardTask: async ({ taskId }) => {
      const task = await requireStopped(taskId);
      const discarded = await refusalsAsInvalid(() => changes.discard(task));
      core.bus.publish({ type: 'task.worktree_finished', taskId: task.id, state: 'discarded' });
      return { ...discarded, task: await requireTask(task.id) };
    },
  };
}
