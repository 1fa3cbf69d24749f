/** Launching, resuming, stopping and reading tasks, and the live state of those running here. */
import type { AgentEvent } from '../../contract/agent-events';
import type { BatonHandlers } from '../../contract/api';
import type { TaskDetail } from '../../contract/views';
import { InvalidTaskError, TaskNotFoundError } from '../../core/orchestrator/orchestrator';
import { CallFailure } from '../dispatcher';
import type { ServiceContext } from '../service-context';

type TaskHandlers = Pick<
  BatonHandlers,
  'launchTask' | 'resumeTask' | 'stopTask' | 'getTask' | 'getSessionEvents' | 'getLiveState'
>;

/** Bad specs and tasks in the wrong state are the caller's to fix: report them as invalid input, naming the fields. */
async function asCallFailure<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof InvalidTaskError) throw new CallFailure('invalid_input', error.message, error.issues);
    if (error instanceof TaskNotFoundError) throw new CallFailure('not_found', error.message);
    throw error;
  }
}

export function taskHandlers(context: ServiceContext): TaskHandlers {
  const { core, runs, recorder } = context;

  /** A task by its full id or a unique prefix of it, as `baton tasks` prints them. */
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

  return {
    launchTask: async (spec) => {
      context.ensureAgent();
      const task = await asCallFailure(() => core.orchestrator.createTask(spec));
      runs.start(task.id);
      return task;
    },

    resumeTask: async ({ taskId: idOrPrefix }) => {
      context.ensureAgent();
      const taskId = await resolveTaskId(idOrPrefix);
      if (runs.isRunning(taskId)) throw new CallFailure('invalid_input', `task ${taskId} is already running`);
      const task = await asCallFailure(() => core.orchestrator.prepareResume(taskId));
      runs.start(task.id);
      return task;
    },

    stopTask: async ({ taskId }) => ({ stopped: await runs.stop(taskId) }),

    getTask: ({ taskId }) => requireTask(taskId),

    getSessionEvents: ({ sessionId }) => recorder.eventsOf(sessionId),

    getLiveState: async () => {
      const tasks: TaskDetail[] = [];
      const currentEvents: Record<string, AgentEvent[]> = {};
      for (const taskId of runs.runningTaskIds()) {
        const task = await core.store.taskDetail(taskId);
        if (!task) continue;
        tasks.push(task);
        for (const session of task.sessions) {
          const events = session.status === 'running' ? recorder.liveEvents(session.sessionId) : undefined;
          if (events) currentEvents[session.sessionId] = [...events];
        }
      }
      return { tasks, currentEvents };
    },
  };
}
