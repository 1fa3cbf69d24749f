/**
 * Binds the contract to the core. One instance serves the desktop window
 * (over IPC) or browser mode (over HTTP and WebSocket); tasks launched here
 * run in this process, each with its own stop signal.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AgentEvent } from '../contract/agent-events';
import type { BatonHandlers } from '../contract/api';
import type { TaskDetail } from '../contract/views';
import { ClaudeBinaryNotFoundError, findClaudeBinary } from '../core/agents/find-claude-binary';
import { ClaudeCodeRunner } from '../core/agents/claude-code-runner';
import type { AgentRunner, AgentRunOutcome, AgentRunRequest } from '../core/agents/agent-runner';
import { openBatonCore } from '../core/baton-core';
import { InvalidTaskError, TaskNotFoundError } from '../core/orchestrator/orchestrator';
import { TaskQueue } from '../core/orchestrator/task-queue';
import { EventRecorder } from '../core/store/event-recorder';
import { HistoryQueries, tasksToCsv } from '../core/store/history-queries';
import type { BatonHost, OpenHostOptions } from './baton-host';
import { CallFailure, createDispatcher } from './dispatcher';

function packageVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    const manifest = JSON.parse(readFileSync(require.resolve('../../package.json'), 'utf8')) as { version?: string };
    return manifest.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * Finds the claude binary when a task is launched, not at start-up, so the
 * window opens (and explains the problem) on a machine without the CLI.
 */
class LazyClaudeRunner implements AgentRunner {
  readonly agentName = 'claude-code';
  private runner: ClaudeCodeRunner | undefined;
  constructor(private readonly binary: string | undefined) {}
  ensureAvailable(): void {
    this.runner ??= new ClaudeCodeRunner({ binary: this.binary ?? findClaudeBinary() });
  }
  run(request: AgentRunRequest): Promise<AgentRunOutcome> {
    this.ensureAvailable();
    return (this.runner as ClaudeCodeRunner).run(request);
  }
}

/** Bad specs and tasks in the wrong state are the caller's to fix: report them as invalid input. */
async function asCallFailure<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof InvalidTaskError) throw new CallFailure('invalid_input', error.message);
    if (error instanceof TaskNotFoundError) throw new CallFailure('not_found', error.message);
    throw error;
  }
}

export async function openBatonHost(options: OpenHostOptions): Promise<BatonHost> {
  const agent = new LazyClaudeRunner(options.claudeBinary);
  const core = await openBatonCore({ databaseFile: options.databaseFile, agent, nativeBinding: options.nativeBinding });
  const recorder = new EventRecorder(core.dataSource);
  const unsubscribeRecorder = core.bus.subscribe(recorder.onEvent);
  const history = new HistoryQueries(core.dataSource);
  const running = new Map<string, { stop: AbortController; done: Promise<unknown> }>();
  const version = packageVersion();

  const requireTask = async (taskId: string): Promise<TaskDetail> => {
    const task = await core.store.taskDetail(taskId);
    if (!task) throw new CallFailure('not_found', `no task with id ${taskId}`);
    return task;
  };

  const ensureAgent = () => {
    try {
      agent.ensureAvailable();
    } catch (error) {
      if (error instanceof ClaudeBinaryNotFoundError) throw new CallFailure('unavailable', error.message);
      throw error;
    }
  };

  // Tasks beyond the concurrency setting wait their turn; a new setting applies to tasks launched after it.
  let queue = new TaskQueue(core.orchestrator, (await core.store.settings()).maxConcurrentTasks);

  /** Queues a task to run in the background with its own stop signal. */
  const startRun = (taskId: string) => {
    const stop = new AbortController();
    const done = queue
      .run(taskId, stop.signal)
      .catch((error: unknown) => console.error(`baton: task ${taskId} failed to run:`, error))
      .finally(() => running.delete(taskId));
    running.set(taskId, { stop, done });
  };

  const handlers: BatonHandlers = {
    getAppInfo: async () => ({
      mode: options.mode,
      version,
      databaseFile: options.databaseFile,
      canPickDirectory: options.pickDirectory !== undefined,
    }),

    launchTask: async (spec) => {
      ensureAgent();
      const task = await asCallFailure(() => core.orchestrator.createTask(spec));
      startRun(task.id);
      return task;
    },

    resumeTask: async ({ taskId }) => {
      ensureAgent();
      if (running.has(taskId)) throw new CallFailure('invalid_input', `task ${taskId} is already running`);
      const task = await asCallFailure(() => core.orchestrator.prepareResume(taskId));
      startRun(task.id);
      return task;
    },

    stopTask: async ({ taskId }) => {
      const run = running.get(taskId);
      if (!run) return { stopped: false };
      run.stop.abort();
      // A task still waiting for its turn ends now; a running one once its agent is down and its session stored.
      if (!(await core.orchestrator.skipQueuedIfWaiting(taskId))) await run.done;
      return { stopped: true };
    },

    listTasks: (query) => history.listTasks(query),
    getTask: ({ taskId }) => requireTask(taskId),
    getSessionEvents: ({ sessionId }) => recorder.eventsOf(sessionId),

    getLiveState: async () => {
      const tasks: TaskDetail[] = [];
      const currentEvents: Record<string, AgentEvent[]> = {};
      for (const taskId of running.keys()) {
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

    getHistoryCharts: ({ filter }) => history.charts(filter),

    exportTasks: async ({ filter, format }) => {
      const tasks = await history.allTasks(filter);
      const stamp = new Date().toISOString().slice(0, 10);
      return format === 'csv'
        ? { fileName: `baton-tasks-${stamp}.csv`, mimeType: 'text/csv', content: tasksToCsv(tasks) }
        : {
            fileName: `baton-tasks-${stamp}.json`,
            mimeType: 'application/json',
            content: JSON.stringify(tasks, null, 2),
          };
    },

    listProjects: () => history.listProjects(),

    getSettings: () => core.store.settings(),
    updateSettings: async (patch) => {
      const settings = await core.store.updateSettings(patch);
      if (patch.maxConcurrentTasks !== undefined) queue = new TaskQueue(core.orchestrator, settings.maxConcurrentTasks);
      return settings;
    },

    pickDirectory: async () => {
      if (!options.pickDirectory)
        throw new CallFailure('unavailable', 'a directory picker exists only in the desktop app');
      return { path: await options.pickDirectory() };
    },
  };

  const stopAll = async () => {
    const runs = [...running.values()];
    for (const run of runs) run.stop.abort();
    await Promise.all(runs.map((run) => run.done));
  };

  return {
    dispatch: createDispatcher(handlers),
    subscribe: (listener) => core.bus.subscribe(listener),
    stopAll,
    close: async () => {
      await stopAll();
      unsubscribeRecorder();
      await recorder.flush();
      await core.close();
    },
  };
}
