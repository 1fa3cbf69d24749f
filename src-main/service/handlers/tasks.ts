/** Launching, resuming, stopping and reading tasks, and the live state of every task running on the database. */
import type { AgentEvent } from '../../contract/agent-events';
import type { BatonHandlers } from '../../contract/api';
import { isActiveStatus, type TaskDetail } from '../../contract/views';
import { InvalidTaskError, TaskNotFoundError } from '../../core/orchestrator/orchestrator';
import { MAX_STORED_EVENTS_PER_RUNNING_SESSION } from '../../core/store/event-recorder';
import { CallFailure } from '../dispatcher';
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
  const { core, runs, recorder, live } = context;

  /** The stored events of sessions another process runs (their recorder writes them every 250 ms). */
  const storedEvents = async (sessionIds: readonly string[]): Promise<Record<string, AgentEvent[]>> => {
    const events: Record<string, AgentEvent[]> = {};
    for (const sessionId of sessionIds) {
      const rows = await live.eventsOf(sessionId, { afterSeq: -1, limit: MAX_STORED_EVENTS_PER_RUNNING_SESSION });
      events[sessionId] = rows.flatMap((row) => (row.event ? [row.event] : []));
    }
    return events;
  };

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

    // A task another process runs cannot be stopped from here: it answers stopped: false, as for a task not running.
    stopTask: async ({ taskId }) => ({ stopped: await runs.stop(taskId) }),

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

      // Other processes' streams as the follower has published them (so a window that replays what it
      // buffered meanwhile repeats nothing), or as stored where nothing follows them.
      const foreignSessions = tasks.filter((task) => !runs.isRunning(task.id)).flatMap(runningSessionIds);
      const currentEvents: Record<string, AgentEvent[]> =
        foreignSessions.length === 0
          ? {}
          : context.follower
            ? await context.follower.eventsSoFar(foreignSessions)
            : await storedEvents(foreignSessions);
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
