/**
 * The one composition root. Every front end (the CLI, browser mode, the
 * desktop app's service process) opens Baton here and talks to it only
 * through the BatonService it returns.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  type BatonHandlers,
  type BatonMethod,
  type CallError,
  type InputIssue,
  type MethodInput,
  type MethodResult,
} from '../contract/api';
import type { TaskSpecInput } from '../contract/task-spec';
import type { AgentRunner, AgentRunOutcome, AgentRunRequest } from '../core/agents/agent-runner';
import { ClaudeCodeRunner } from '../core/agents/claude-code-runner';
import { ClaudeBinaryNotFoundError, findClaudeBinary } from '../core/agents/find-claude-binary';
import { openBatonCore, recoverCrashedRuns } from '../core/baton-core';
import { type BatonEnvironment, EnvironmentError, readEnvironment } from '../core/environment';
import { checkLaunch, InvalidTaskError } from '../core/orchestrator/orchestrator';
import { resolveDatabasePath } from '../core/paths';
import { EventRecorder } from '../core/store/event-recorder';
import { HistoryQueries } from '../core/store/history-queries';
import { LiveQueries } from '../core/store/live-queries';
import { StoreOpenError } from '../core/store/data-source';
import type { BatonService, OpenBatonOptions } from './baton-service';
import { CallFailure, createDispatcher } from './dispatcher';
import { appHandlers } from './handlers/app';
import { historyHandlers } from './handlers/history';
import { changeHandlers } from './handlers/changes';
import { settingsHandlers } from './handlers/settings';
import { taskHandlers } from './handlers/tasks';
import { LiveFollower } from './live-follower';
import { RunRegistry } from './run-registry';
import type { ServiceContext } from './service-context';

/** Baton cannot start as configured: a bad environment value, an unusable database, a missing agent. */
export class BatonSetupError extends Error {
  override readonly name = 'BatonSetupError';
}

/** A call that failed, as `BatonService.call` throws it: the contract's CallError, fields and all. */
export class ServiceCallError extends Error {
  override readonly name = 'ServiceCallError';
  readonly code: CallError['code'];
  readonly issues: InputIssue[];
  constructor(error: CallError) {
    super(error.message);
    this.code = error.code;
    this.issues = error.issues;
  }
}

function packageVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    const manifest = JSON.parse(readFileSync(require.resolve('../../package.json'), 'utf8')) as { version?: string };
    return manifest.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function environmentOf(env: NodeJS.ProcessEnv | undefined): BatonEnvironment {
  try {
    return readEnvironment(env);
  } catch (error) {
    if (error instanceof EnvironmentError) throw new BatonSetupError(error.message);
    throw error;
  }
}

/**
 * Checks a spec as launchTask will, directory included, without opening
 * anything: a command can refuse bad input before it writes a byte.
 */
export async function checkTaskSpec(input: TaskSpecInput): Promise<void> {
  try {
    await checkLaunch(input);
  } catch (error) {
    if (error instanceof InvalidTaskError) {
      throw new ServiceCallError({ code: 'invalid_input', message: error.message, issues: error.issues });
    }
    throw error;
  }
}

/**
 * Finds the claude binary when a task is launched, not at start-up, so the
 * window opens (and explains the problem) on a machine without the CLI.
 */
class LazyClaudeRunner implements AgentRunner {
  readonly agentName = 'claude-code';
  private runner: ClaudeCodeRunner | undefined;
  constructor(
    private readonly binary: string | undefined,
    private readonly environment: BatonEnvironment,
    /** The service's environment, which the agent inherits (its API keys, base URL and config dir). */
    private readonly agentEnv: NodeJS.ProcessEnv | undefined,
  ) {}
  ensureAvailable(): void {
    this.runner ??= new ClaudeCodeRunner({
      binary:
        this.binary ??
        findClaudeBinary({ configured: this.environment.claudeBinary, searchPath: this.environment.searchPath }),
      env: this.agentEnv,
    });
  }
  run(request: AgentRunRequest): Promise<AgentRunOutcome> {
    this.ensureAvailable();
    return (this.runner as ClaudeCodeRunner).run(request);
  }
}

export async function openBaton(options: OpenBatonOptions): Promise<BatonService> {
  const environment = environmentOf(options.env);
  const agent = new LazyClaudeRunner(options.claudeBinary, environment, options.env);
  if (options.requireAgent) {
    try {
      agent.ensureAvailable();
    } catch (error) {
      if (error instanceof ClaudeBinaryNotFoundError) throw new BatonSetupError(error.message);
      throw error;
    }
  }
  const databaseFile = resolveDatabasePath({
    explicit: options.databaseFile,
    fromEnvironment: environment.databaseFile,
    dataDir: options.dataDir ?? environment.defaultDataDir,
  });
  let core;
  try {
    core = await openBatonCore({
      databaseFile,
      agent,
      nativeBinding: options.nativeBinding,
      retry: environment.retry,
    });
  } catch (error) {
    if (error instanceof StoreOpenError) throw new BatonSetupError(error.message);
    throw error;
  }

  // Every run's stream is kept for replay, whichever front end started it.
  const recorder = new EventRecorder(core.dataSource);
  const unsubscribeRecorder = core.bus.subscribe(recorder.onEvent);
  const runs = new RunRegistry(
    core.orchestrator,
    options.concurrency ?? (await core.store.settings()).maxConcurrentTasks,
    // Unless the host fixed its own, the limit is the stored setting, which another process may change.
    options.concurrency === undefined
      ? { readLimit: async () => (await core.store.settings()).maxConcurrentTasks }
      : {},
  );

  const live = new LiveQueries(core.dataSource);
  // Runs of other processes on this database show here as if run here; the CLI prints only its own.
  const follower =
    (options.followOtherProcesses ?? options.mode !== 'cli')
      ? new LiveFollower({
          queries: live,
          store: core.store,
          bus: core.bus,
          runsHere: (taskId) => runs.isRunning(taskId),
          recover: () => recoverCrashedRuns(core.store),
          intervalMs: options.followIntervalMs,
        })
      : undefined;
  follower?.start();

  const context: ServiceContext = {
    core,
    recorder,
    history: new HistoryQueries(core.dataSource),
    runs,
    live,
    follower,
    options,
    databaseFile,
    version: packageVersion(),
    ensureAgent: () => {
      try {
        agent.ensureAvailable();
      } catch (error) {
        if (error instanceof ClaudeBinaryNotFoundError) throw new CallFailure('unavailable', error.message);
        throw error;
      }
    },
  };
  const handlers: BatonHandlers = {
    ...appHandlers(context),
    ...taskHandlers(context),
    ...historyHandlers(context),
    ...settingsHandlers(context),
    ...changeHandlers(context),
  };
  const dispatch = createDispatcher(handlers);
  let closed: Promise<void> | undefined;

  return {
    databaseFile,
    handlers,
    dispatch,
    call: async <M extends BatonMethod>(method: M, input: MethodInput<M>): Promise<MethodResult<M>> => {
      const outcome = await dispatch(method, input);
      if (!outcome.ok) throw new ServiceCallError(outcome.error);
      return outcome.value as MethodResult<M>;
    },
    waitForTask: (taskId) => runs.wait(taskId) ?? Promise.reject(new Error(`task ${taskId} is not running here`)),
    subscribe: (listener) => core.bus.subscribe(listener),
    stopAll: () => runs.stopAll(),
    close: () =>
      (closed ??= (async () => {
        await follower?.stop();
        await runs.stopAll();
        unsubscribeRecorder();
        await recorder.flush();
        await core.close();
      })()),
  };
}
