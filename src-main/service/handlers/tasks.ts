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
  'launchTask' | 'resumeTask' | 'stopTask' | 'getTask' | 'getSessionEvents' | 'getLiveState' | 'getEventsSince'
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
  const { core, runs, recorder, live, tail, feed } = context;

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
      // Events after this may or may not show in the task rows read next.
      const tasksSeq = feed.seq;
      // Every queued or running task on the database, whichever process runs it.
      const taskIds = new Set(runs.runningTaskIds());
      for (const row of await live.activeTasks()) taskIds.add(row.id);
      const tasks: TaskDetail[] = [];
      for (const taskId of taskIds) {
        const task = await core.store.taskDetail(taskId);
        if (task && (runs.isRunning(taskId) || isActiveStatus(task.status))) tasks.push(task);
      }
      tasks.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));

      // Other processes' streams as far as the log's tail has published them; then, in the same turn (nothing
      // awaited, so nothing published between), this process's streams from the recorder's memory and the
      // feed's seq: the streams hold exactly the events up to that seq.
      const foreignSessions = tasks.filter((task) => !runs.isRunning(task.id)).flatMap(runningSessionIds);
      const streamsAndSeq = (currentEvents: Record<string, AgentEvent[]>) => {
        for (const task of tasks) {
          if (!runs.isRunning(task.id)) continue;
          for (const sessionId of runningSessionIds(task)) {
            const events = recorder.liveEvents(sessionId);
            if (events) currentEvents[sessionId] = [...events];
          }
        }
        return { currentEvents, seq: feed.seq };
      };
      const { currentEvents, seq } =
        foreignSessions.length === 0 ? streamsAndSeq({}) : await tail.eventsSoFar(foreignSessions, streamsAndSeq);
      // Orchestrator and handlers share this process: its pid is the one recorded on the tasks it runs.
      return { tasks, currentEvents, servicePid: process.pid, feed: feed.id, seq, tasksSeq };
    },

    getEventsSince: async ({ feed: feedId, seq }) => feed.since(seq, feedId),
  };
}
