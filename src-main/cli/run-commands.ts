/**
 * `baton run`, `run --batch` and `resume`: tasks launched through the
 * service's launchTask and resumeTask, the same path the window takes, so
 * every run's stream is recorded for replay.
 */
import { type BatonEvent, isTaskEvent } from '../contract/events';
import type { TaskSpecInput } from '../contract/task-spec';
import { BatchEntryError, type BatonService, LaunchWithdrawnError } from '../service/baton-service';
import { checkTaskSpec, openBaton, ServiceCallError } from '../service/open-baton';
import { CliError, EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_NOT_COMPLETED, out } from './cli-error';
import { formatCountdown, formatDate } from '../contract/format';
import { formatSessionLine } from './format';
import { readBatchFile, specFromFlags } from './run-flags';
import { taskJson } from './task-json';

export interface RunOptions extends Record<string, unknown> {
  batch?: string;
  concurrency?: number;
  json?: boolean;
  db?: string;
}

const MAX_CONCURRENCY = 64;

function firstLine(text: string, max = 160): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Every this often a waiting task says how long is left (each second, in place, on a terminal). */
const COUNTDOWN_LINE_MS = 30_000;

/**
 * The countdown of tasks waiting for a subscription window: a line when the wait starts, then
 * the time left, until the task goes on or ends.
 */
class WaitCountdowns {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Attempts Baton waited after (a spent window, an API that did not answer): their retry is no failure. */
  readonly waitedAfter = new Set<string>();
  /** In place only for one task on a terminal: in a batch, other tasks' lines would run into it. */
  private readonly inPlace: boolean;

  constructor(oneTask: boolean) {
    this.inPlace = oneTask && process.stdout.isTTY === true;
  }

  start(taskId: string, wakeAt: number, reason: string, prefix: string): void {
    this.stop(taskId);
    process.stdout.write(
      `${prefix}[waiting] ${reason}; goes on at ${formatDate(wakeAt)} (in ${formatCountdown(wakeAt, Date.now())})\n`,
    );
    const tick = () => {
      const left = `${prefix}[waiting] ${formatCountdown(wakeAt, Date.now())} left`;
      process.stdout.write(this.inPlace ? `\r${left}\u001b[K` : `${left}\n`);
    };
    this.timers.set(taskId, setInterval(tick, this.inPlace ? 1000 : COUNTDOWN_LINE_MS));
  }

  stop(taskId: string): void {
    const timer = this.timers.get(taskId);
    if (timer === undefined) return;
    clearInterval(timer);
    this.timers.delete(taskId);
    if (this.inPlace) process.stdout.write('\n');
  }

  stopAll(): void {
    for (const taskId of [...this.timers.keys()]) this.stop(taskId);
  }
}

function printProgress(event: BatonEvent, prefix: string, waits: WaitCountdowns): void {
  const print = (line: string) => process.stdout.write(`${prefix}${line}\n`);
  if (event.type === 'task.started' || event.type === 'task.finished') waits.stop(event.taskId);
  switch (event.type) {
    case 'task.waiting':
      waits.start(event.taskId, event.wakeAt, event.reason.replace(/^waiting: /, ''), prefix);
      break;
    case 'iteration.started':
      print(`[iteration ${event.iteration}/${event.maxIterations}] started  session ${event.sessionId}`);
      break;
    case 'iteration.retrying':
      // After a wait, its [waiting] line said why.
      print(
        waits.waitedAfter.delete(event.previousSessionId)
          ? `[iteration ${event.iteration}] attempt ${event.attempt} waited; goes on in session ${event.sessionId}`
          : `[iteration ${event.iteration}] attempt ${event.attempt} failed (${firstLine(event.error, 120)}); retrying in session ${event.sessionId}`,
      );
      break;
    case 'iteration.finished':
      print(formatSessionLine(event.session, event.task.spec.maxIterations));
      break;
    case 'agent.event': {
      const agentEvent = event.event;
      if (agentEvent.kind === 'wait') waits.waitedAfter.add(event.sessionId);
      else if (agentEvent.kind === 'text') print(`    │ ${firstLine(agentEvent.text)}`);
      else if (agentEvent.kind === 'tool_use')
        print(`    │ ⚙ ${agentEvent.name} ${firstLine(JSON.stringify(agentEvent.input), 120)}`);
      // The agent's own retries of the API are said by the task's [waiting] line they make.
      break;
    }
    default:
      break;
  }
}

/** A spec the service refuses before anything is opened, with the batch entry it came from. */
async function checkSpec(spec: TaskSpecInput, where = ''): Promise<void> {
  try {
    await checkTaskSpec(spec);
  } catch (error) {
    if (error instanceof ServiceCallError) throw new CliError(`${where}${error.message}`, EXIT_BAD_INPUT);
    throw error;
  }
}

/**
 * Runs `body` with progress printed and a stop that Ctrl-C or SIGTERM
 * fires: the service then stops the agents and stores their sessions.
 * Exits 130 when a signal stopped the work.
 */
async function withStopSignal(
  service: BatonService,
  prefix: (taskId: string) => string,
  body: (stopped: () => boolean) => Promise<number>,
  options: { oneTask: boolean },
): Promise<number> {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    process.stderr.write(`baton: ${signal} received, stopping…\n`);
    void service.stopAll();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const waits = new WaitCountdowns(options.oneTask);
  const unsubscribe = service.subscribe((event) => {
    if (isTaskEvent(event)) printProgress(event, prefix(event.taskId), waits);
  });
  try {
    const code = await body(() => signalled);
    return signalled ? EXIT_INTERRUPTED : code;
  } finally {
    unsubscribe();
    waits.stopAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** A launch its agent turned away, with nothing kept, is bad input like any other refused at launch. */
function refusedLaunch(error: unknown): never {
  if (error instanceof LaunchWithdrawnError) throw new CliError(error.message, EXIT_BAD_INPUT);
  throw error;
}

/** In a batch, a launch taken back is one task's outcome: the others go on. */
function withdrawal(error: unknown): LaunchWithdrawnError {
  if (error instanceof LaunchWithdrawnError) return error;
  throw error;
}

/** Waits for one task in the foreground, printing progress, then its outcome. */
function runToEnd(service: BatonService, taskId: string, json: boolean | undefined): Promise<number> {
  return withStopSignal(
    service,
    () => '',
    async (stopped) => {
      const finished = await service.waitForTask(taskId).catch(refusedLaunch);
      const detail = await service.call('getTask', { taskId: finished.id });
      out(`task ${finished.status}: ${finished.statusReason ?? ''}`);
      if (json) out(JSON.stringify(taskJson(detail)));
      if (finished.status !== 'completed' && !stopped()) {
        process.stderr.write(`baton: task ${finished.status}: ${finished.statusReason ?? 'no reason recorded'}\n`);
        return EXIT_NOT_COMPLETED;
      }
      return 0;
    },
    { oneTask: true },
  );
}

/** The service for commands that run agents: the agent's binary is found before the database opens. */
/** Opens the service to run tasks, having found the binaries of the agents they need (none known yet for a resume). */
function openForRuns(
  db: string | undefined,
  concurrency: number | undefined,
  specs: readonly TaskSpecInput[],
): Promise<BatonService> {
  const requireAgents = [...new Set(specs.map((spec) => spec.agent ?? 'claude'))];
  return openBaton({ mode: 'cli', databaseFile: db, requireAgents, concurrency });
}

export async function runCommand(options: RunOptions): Promise<number> {
  if (options.batch !== undefined) return batchCommand(options.batch, options);
  if (options.concurrency !== undefined) throw new CliError('--concurrency goes with --batch', EXIT_BAD_INPUT);
  for (const [flag, value] of [
    ['--dir <path>', options.dir],
    ['--prompt <text>', options.prompt],
  ] as const) {
    if (value === undefined) throw new CliError(`required option '${flag}' not specified`, EXIT_BAD_INPUT);
  }
  const spec = specFromFlags(options) as TaskSpecInput;
  // Everything that can be checked is checked before the database is touched.
  await checkSpec(spec);
  const service = await openForRuns(options.db, 1, [spec]);
  try {
    const task = await service.call('launchTask', spec);
    out(`task ${task.id} in ${task.workingDir}`);
    const { worktree } = await service.call('getTask', { taskId: task.id });
    if (worktree) out(`working in worktree ${worktree.path} on branch ${worktree.branch}`);
    return await runToEnd(service, task.id, options.json);
  } finally {
    await service.close();
  }
}

/** Every task flag given beside --batch is a default for every entry; an entry's own value wins. */
async function batchCommand(file: string, options: RunOptions): Promise<number> {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    throw new CliError(`--concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}`, EXIT_BAD_INPUT);
  }
  const specs = readBatchFile(file, specFromFlags(options));
  // Every task is checked before any is written.
  for (const [index, spec] of specs.entries()) await checkSpec(spec, `batch file ${file}, task ${index + 1}: `);
  const service = await openForRuns(options.db, concurrency, specs);
  try {
    // Tasks are launched in file order, so the n-th queued task is entry n.
    const number = new Map<string, number>();
    const numbering = service.subscribe((event) => {
      if (event.type === 'task.queued') number.set(event.taskId, number.size + 1);
    });
    return await withStopSignal(
      service,
      (taskId) => `[task ${number.get(taskId) ?? '?'}] `,
      async () => {
        const tasks = await service.launchBatch(specs).catch((error: unknown) => {
          if (!(error instanceof BatchEntryError)) throw error;
          const message = `batch file ${file}, task ${error.entry + 1}: ${error.message}`;
          throw new CliError(message, error.invalidInput ? EXIT_BAD_INPUT : EXIT_NOT_COMPLETED);
        });
        numbering();
        out(`${tasks.length} tasks, ${concurrency} at a time`);
        const finished = await Promise.all(tasks.map((task) => service.waitForTask(task.id).catch(withdrawal)));
        const details = [];
        for (const [index, task] of finished.entries()) {
          const label = `[task ${number.get(tasks[index]!.id)}]`;
          if (task instanceof LaunchWithdrawnError) {
            process.stderr.write(`baton: ${label} ${task.message}\n`);
            continue;
          }
          out(`${label} ${task.status}: ${task.statusReason ?? ''}`);
          details.push(taskJson(await service.call('getTask', { taskId: task.id })));
        }
        if (options.json) out(JSON.stringify(details));
        const unfinished = finished.filter(
          (task) => task instanceof LaunchWithdrawnError || task.status !== 'completed',
        ).length;
        if (unfinished > 0) {
          process.stderr.write(`baton: ${unfinished} of ${finished.length} tasks did not complete\n`);
          return EXIT_NOT_COMPLETED;
        }
        return 0;
      },
      { oneTask: specs.length === 1 },
    );
  } finally {
    await service.close();
  }
}

export async function resumeCommand(id: string, options: { json?: boolean; db?: string }): Promise<number> {
  // The task's agent is known once its record is read: resumeTask finds its binary then.
  const service = await openForRuns(options.db, 1, []);
  try {
    const task = await service.call('resumeTask', { taskId: id.trim() });
    out(`resuming task ${task.id} at iteration ${task.iterations + 1}, in a fresh session`);
    return await runToEnd(service, task.id, options.json);
  } finally {
    await service.close();
  }
}
