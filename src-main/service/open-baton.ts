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
  inputIssuesOf,
  type MethodInput,
  type MethodResult,
} from '../contract/api';
import { describeSpecError, launchSpecSchema, type TaskSpecInput } from '../contract/task-spec';
import type { AgentRunner } from '../core/agents/agent-runner';
import { AgentBinaryNotFoundError } from '../core/agents/find-agent-binary';
import { openBatonCore, recoverCrashedRuns } from '../core/baton-core';
import { type BatonEnvironment, EnvironmentError, readEnvironment } from '../core/environment';
import { isolationProblem } from '../core/process-containment';
import { agentRunners } from './agent-runners';
import { checkLaunch, InvalidTaskError } from '../core/orchestrator/orchestrator';
import { skippingClock } from '../core/orchestrator/clock';
import { resolveDatabasePath } from '../core/paths';
import { EventLogWriter, newOrigin } from '../core/events/event-log';
import { EventRecorder } from '../core/store/event-recorder';
import { HistoryQueries } from '../core/store/history-queries';
import { LiveQueries } from '../core/store/live-queries';
import { rememberBrowserPort, rememberedBrowserPort } from '../core/store/browser-port';
import { StoreOpenError } from '../core/store/data-source';
import type { BatonService, OpenBatonOptions } from './baton-service';
import { CallFailure, createDispatcher } from './dispatcher';
import { appHandlers } from './handlers/app';
import { historyHandlers } from './handlers/history';
import { changeHandlers } from './handlers/changes';
import { doctorHandlers } from './handlers/doctor';
import { settingsHandlers } from './handlers/settings';
import { taskHandlers } from './handlers/tasks';
import { usageHandlers } from './handlers/usage';
import { defaultTranscriptDirectories } from '../core/usage/transcript-import';
import { TranscriptImports } from '../core/usage/transcript-imports';
import { UsageReports } from '../core/usage/usage-reports';
import { launchBatch } from './launch-batch';
import { LogTail, publishEnds } from './log-tail';
import { WindowFeed } from './window-feed';
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
  let environment: BatonEnvironment;
  try {
    environment = readEnvironment(env);
  } catch (error) {
    if (error instanceof EnvironmentError) throw new BatonSetupError(error.message);
    throw error;
  }
  // An isolation asked for by name and not to be had refuses at start, not in the middle of a task.
  const problem = isolationProblem(environment.isolation);
  if (problem) throw new BatonSetupError(problem);
  return environment;
}

/**
 * Checks a spec as launchTask will, directory included, without opening
 * anything: a command can refuse bad input before it writes a byte.
 */
export async function checkTaskSpec(input: TaskSpecInput): Promise<void> {
  // The contract's bounds too, as launchTask applies them: a batch with one entry past them starts no task.
  const bounded = launchSpecSchema.safeParse(input);
  if (!bounded.success) {
    const issues = inputIssuesOf(bounded.error);
    throw new ServiceCallError({ code: 'invalid_input', message: describeSpecError(bounded.error), issues });
  }
  try {
    await checkLaunch(input);
  } catch (error) {
    if (error instanceof InvalidTaskError) {
      throw new ServiceCallError({ code: 'invalid_input', message: error.message, issues: error.issues });
    }
    throw error;
  }
}

export async function openBaton(options: OpenBatonOptions): Promise<BatonService> {
  const environment = environmentOf(options.env);
  const agents = agentRunners(environment, options.env, { claude: options.claudeBinary });
  for (const kind of options.requireAgents ?? []) {
    try {
      agents[kind]?.ensureAvailable?.();
    } catch (error) {
      if (error instanceof AgentBinaryNotFoundError) throw new BatonSetupError(error.message);
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
      agent: agents.claude as AgentRunner,
      agents,
      nativeBinding: options.nativeBinding,
      retry: environment.retry,
      clock: environment.skipWaits ? skippingClock() : undefined,
      host: options.mode,
    });
  } catch (error) {
    if (error instanceof StoreOpenError) throw new BatonSetupError(error.message);
    throw error;
  }

  // Every run's stream is kept for replay, whichever front end started it.
  // What this service publishes goes to the event log too, for the other processes on the database.
  const origin = newOrigin();
  const recorder = new EventRecorder(core.dataSource, undefined, new EventLogWriter(origin));
  const unsubscribeRecorder = core.bus.subscribe(recorder.onEvent);
  // Subscribed right after the recorder, so every event a window is sent is in the recorder's memory too.
  const feed = new WindowFeed(core.bus);
  // What a dead process left active and this start closed: every window on the database hears of it.
  await publishEnds(core, core.recoveredTaskIds);
  const runs = new RunRegistry(
    core.orchestrator,
    options.concurrency ?? (await core.store.settings()).maxConcurrentTasks,
    // Unless the host fixed its own, the limit is the stored setting, which another process may change.
    options.concurrency === undefined
      ? { readLimit: async () => (await core.store.settings()).maxConcurrentTasks }
      : {},
  );

  const live = new LiveQueries(core.dataSource);
  // Runs of other processes on this database show here as if run here; the CLI prints only its own, but
  // carries out a stop another process asks for.
  const tail = new LogTail({
    queries: live,
    store: core.store,
    bus: core.bus,
    origin: origin.id,
    republish: options.followOtherProcesses ?? options.mode !== 'cli',
    runsHere: (taskId) => runs.isRunning(taskId),
    stop: (taskId) => runs.stop(taskId),
    settingsChanged: () => runs.limitMayHaveChanged(),
    recover: options.mode === 'cli' ? undefined : () => recoverCrashedRuns(core.store),
    intervalMs: options.followIntervalMs,
  });
  tail.start();

  const imports = new TranscriptImports(
    core.dataSource,
    options.transcriptDirectories ?? defaultTranscriptDirectories(options.env ?? process.env),
  );
  // A window shows all usage, so the app and browser mode keep it current; the CLI imports when told to.
  if (options.watchTranscripts ?? options.mode !== 'cli') imports.watch();

  const context: ServiceContext = {
    core,
    usage: new UsageReports(core.dataSource),
    imports,
    recorder,
    history: new HistoryQueries(core.dataSource),
    runs,
    live,
    tail,
    feed,
    options,
    databaseFile,
    version: packageVersion(),
    ensureAgent: (kind) => {
      const runner = agents[kind];
      if (!runner) throw new CallFailure('unavailable', `the ${kind} agent is not available in this version of Baton`);
      try {
        runner.ensureAvailable?.();
      } catch (error) {
        if (error instanceof AgentBinaryNotFoundError) throw new CallFailure('unavailable', error.message);
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
    ...doctorHandlers(context),
    ...usageHandlers(context),
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
    launchBatch: (specs) =>
      launchBatch(
        {
          orchestrator: core.orchestrator,
          ensureAgent: (spec) => context.ensureAgent(spec.agent ?? 'claude'),
          start: (taskId) => runs.start(taskId),
        },
        specs,
      ),
    browserPort: {
      remembered: () => rememberedBrowserPort(core.dataSource),
      remember: (port) => rememberBrowserPort(core.dataSource, port),
    },
    subscribe: (listener) => feed.subscribe(listener),
    stopAll: () => runs.stopAll(),
    close: () =>
      (closed ??= (async () => {
        await tail.stop();
        await imports.stop();
        await runs.stopAll();
        unsubscribeRecorder();
        feed.close();
        await recorder.flush();
        await core.close();
      })()),
  };
}
