/** Finding a task the way people name it: by its id or a unique prefix of it, as `baton tasks` prints them. */
import type { TaskDetail } from '../../contract/views';
import { CallFailure } from '../dispatcher';
import type { ServiceContext } from '../service-context';

export function taskLookup({ core }: Pick<ServiceContext, 'core'>) {
  const resolveTaskId = async (idOrPrefix: string): Promise<string> => {
    if (await core.store.taskSummary(idOrPrefix)) return idOrPrefix;
    const matches = await core.store.resolveTaskId(idOrPrefix);
    if (matches.length === 0) throw new CallFailure('not_found', `no task with id ${idOrPrefix}`);
    if (matches.length > 1) {
      throw new CallFailure('invalid_input', `task id ${idOrPrefix} is ambiguous; give more of it`, [
        { path: ['taskId'], message: 'matches more than one task' },
      ]);
    }
    return matches[0] as string;
  };

  const requireTask = async (idOrPrefix: string): Promise<TaskDetail> => {
    const taskId = await resolveTaskId(idOrPrefix);
    const task = await core.store.taskDetail(taskId);
    if (!task) throw new CallFailure('not_found', `no task with id ${idOrPrefix}`);
    return task;
  };

  return { resolveTaskId, requireTask };
}
