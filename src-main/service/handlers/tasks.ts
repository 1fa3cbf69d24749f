/** Launching, resuming, stopping and reading tasks, and the live state of every task running on the database. */
import type { AgentEvent } from '../../contract/agent-events';
import type { BatonHandlers } from '../../contract/api';
import { isActiveStatus, type TaskDetail } from '../../contract/views';
import { InvalidTaskError, TaskNotFoundError } from '../../core/orchestrator/orchestrator';
import { CallFailure } from '../dispatcher';
import { stopElsewhere } from '../remote-stop';
import type { ServiceContext } from '../service-context';
import { taskLookup } from './task-lookup';

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

const runningSessionIds = (task: TaskDetail) =>
  task.sessions.filter((session) => session.status === 'running').map((session) => session.sessionId);

export function taskHandlers(context: ServiceContext): TaskHandlers {
  const { core, runs, recorder, live, tail } = context;

  const { resolveTaskId, requireTask } = taskLookup(context);

  return {
    launchTask: async (spec) => {
      context.ensureAgent(spec.agent);
      const task = await asCallFailure(() => core.orchestrator.createTask(spec));
      runs.start(task.id);
      return task;
    },

    resumeTask: async ({ taskId: idOrPrefix }) => {
      const taskId = await resolveTaskId(idOrPrefix);
      if (runs.isRunning(taskId)) throw new CallFailure('invalid_input', `task ${taskId} is already running`);
      const task = await asCallFailure(() => core.orchestrator.prepareResume(taskId));
      context.ensureAgent(task.spec.agent);
      runs.start(task.id);
      return task;
    },

    // A task another process runs is stopped by that process, asked through the event log.
    stopTask: async ({ taskId }) => ({
      stopped: runs.isRunning(taskId) ? await runs.stop(taskId) : await stopElsewhere(core, taskId),
    }),

    getTask: ({ taskId }) => requireTask(taskId),

    getSessionEvents: ({ sessionId }) => recorder.eventsOf(sessionId),

    getLiveState: async () => {
      // Every queued or running task on the database, whichever process runs it.
      const taskIds = new Set(runs.runningTaskIds());
      for (const row of await live.activeTasks()) taskIds.add(row.id);
      const tasks: TaskDetail[] = [];
      for (const taskId of taskIds) {
        const task = await core.store.taskDetail(taskId);
        if (task && (runs.isRunning(taskId) || isActiveStatus(task.status))) tasks.push(task);
      }
      tasks.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));

      // Other processes' streams as far as the log's tail has published them, so a window that replays what
      // it buffered meanwhile repeats nothing.
      const foreignSessions = tasks.filter((task) => !runs.isRunning(task.id)).flatMap(runningSessionIds);
      const currentEvents: Record<string, AgentEvent[]> =
        foreignSessions.length === 0 ? {} : await tail.eventsSoFar(foreignSessions);
      // This process's streams are taken last, with nothing awaited after, from the recorder's memory.
      for (const task of tasks) {
        if (!runs.isRunning(task.id)) continue;
        for (const sessionId of runningSessionIds(task)) {
          const events = recorder.liveEvents(sessionId);
          if (events) currentEvents[sessionId] = [...events];
        }
      }
      // Orchestrator and handlers share this process: its pid is the one recorded on the tasks it runs.
      return { tasks, currentEvents, servicePid: process.pid };
    },
  };
}
