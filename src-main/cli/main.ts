/**
 * The headless CLI: `baton run | tasks | task`. Exit codes: 0 the task
 * completed, 1 it ended otherwise, 2 bad input, 130 stopped by a signal.
 */
import { Command, CommanderError, Option } from 'commander';
import type { BatonEvent } from '../contract/events';
import { CONTEXT_MODES, PERMISSION_MODES } from '../contract/task-spec';
import { type Settings, settingsSchema, type TaskSummary } from '../contract/views';
import { ClaudeBinaryNotFoundError, findClaudeBinary } from '../core/agents/find-claude-binary';
import { ClaudeCodeRunner } from '../core/agents/claude-code-runner';
import { type BatonCore, openBatonCore, openTaskStore } from '../core/baton-core';
import { InvalidTaskError, validateTaskSpec } from '../core/orchestrator/orchestrator';
import { EnvironmentError, readEnvironment } from '../core/environment';
import { TaskQueue } from '../core/orchestrator/task-queue';
import { resolveDatabasePath } from '../core/paths';
import { StoreOpenError } from '../core/store/data-source';
import { formatSessionLine, formatTaskDetail, formatTaskLine } from './format';
import { BatchFileError, readBatchFile, type RunFlags, specFromFlags } from './run-flags';
import { serveCommand } from './serve-command';
import { taskJson } from './task-json';

const EXIT_NOT_COMPLETED = 1;
const EXIT_BAD_INPUT = 2;
const EXIT_INTERRUPTED = 130;

class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Whole numbers only; anything else becomes NaN and is rejected by the spec's schema with a clear message. */
function wholeNumber(value: string): number {
  return /^[+-]?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
}

/** Decimal amounts such as 0.50; anything else becomes NaN and is rejected by the schema. */
function amount(value: string): number {
  return /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : Number.NaN;
}

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function firstLine(text: string, max = 160): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function printProgress(event: BatonEvent, prefix = ''): void {
  const out = (line: string) => process.stdout.write(`${prefix}${line}\n`);
  switch (event.type) {
    case 'iteration.started':
      out(`[iteration ${event.iteration}/${event.maxIterations}] started  session ${event.sessionId}`);
      break;
    case 'iteration.finished':
      out(formatSessionLine(event.session, Number(event.task.settings.maxIterations ?? event.session.iteration)));
      break;
    case 'agent.event': {
      const agentEvent = event.event;
      if (agentEvent.kind === 'text') out(`    │ ${firstLine(agentEvent.text)}`);
      else if (agentEvent.kind === 'tool_use')
        out(`    │ ⚙ ${agentEvent.name} ${firstLine(JSON.stringify(agentEvent.input), 120)}`);
      else if (agentEvent.kind === 'retry') {
        out(
          `    │ API error ${agentEvent.errorStatus ?? ''} ${agentEvent.error}; agent retry ${agentEvent.attempt}/${agentEvent.maxRetries}`,
        );
      }
      break;
    }
    default:
      break;
  }
}

async function openStore(dbOption: string | undefined) {
  const { dataSource, store } = await openTaskStore(resolveDatabasePath(dbOption));
  return { store, close: () => dataSource.destroy() };
}

interface RunOptions extends RunFlags {
  batch?: string;
  concurrency?: number;
  json?: boolean;
  db?: string;
}

/** The core for commands that run agents: the environment and the claude binary are checked before the database opens. */
async function openRunCore(db: string | undefined): Promise<BatonCore> {
  readEnvironment();
  const binary = findClaudeBinary();
  return openBatonCore({ databaseFile: resolveDatabasePath(db), agent: new ClaudeCodeRunner({ binary }) });
}

async function runCommand(options: RunOptions): Promise<number> {
  if (options.batch !== undefined) return batchCommand(options.batch, options);
  if (options.concurrency !== undefined) throw new CliError('--concurrency goes with --batch', EXIT_BAD_INPUT);
  for (const [flag, value] of [
    ['--dir <path>', options.dir],
    ['--prompt <text>', options.prompt],
  ] as const) {
    if (value === undefined) throw new CliError(`required option '${flag}' not specified`, EXIT_BAD_INPUT);
  }
  const input = specFromFlags(options);
  // Everything that can be checked is checked before the database is touched.
  validateTaskSpec(input);
  const core = await openRunCore(options.db);
  try {
    const task = await core.orchestrator.createTask(input);
    out(`task ${task.id} in ${task.workingDir}`);
    return await runToEnd(core, task.id, options.json);
  } finally {
    await core.close();
  }
}

async function batchCommand(file: string, options: RunOptions): Promise<number> {
  const single = ['dir', 'prompt', 'title', 'maxIterations', 'check', 'context', 'model'] as const;
  const mixed = single.find((key) => options[key] !== undefined);
  if (mixed)
    throw new CliError(`--batch takes every task from its file; do not also give --${kebab(mixed)}`, EXIT_BAD_INPUT);
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new CliError('--concurrency must be a whole number from 1 to 64', EXIT_BAD_INPUT);
  }
  const specs = readBatchFile(file);
  // Every task is checked before any is written.
  specs.forEach((spec, index) => {
    try {
      validateTaskSpec(spec);
    } catch (error) {
      throw new CliError(`batch file ${file}, task ${index + 1}: ${(error as Error).message}`, EXIT_BAD_INPUT);
    }
  });
  const core = await openRunCore(options.db);
  try {
    const tasks: TaskSummary[] = [];
    for (const spec of specs) tasks.push(await core.orchestrator.createTask(spec));
    const number = new Map(tasks.map((task, index) => [task.id, index + 1]));
    out(`${tasks.length} tasks, ${concurrency} at a time`);
    const queue = new TaskQueue(core.orchestrator, concurrency);
    return await withStopSignal(
      core,
      (taskId) => `[task ${number.get(taskId)}] `,
      async (signal) => {
        const finished = await Promise.all(tasks.map((task) => queue.run(task.id, signal)));
        const details = [];
        for (const task of finished) {
          out(`[task ${number.get(task.id)}] ${task.status}: ${task.statusReason ?? ''}`);
          const detail = await core.store.taskDetail(task.id);
          if (detail) details.push(taskJson(detail));
        }
        if (options.json) out(JSON.stringify(details));
        const unfinished = finished.filter((task) => task.status !== 'completed').length;
        if (unfinished > 0) {
          process.stderr.write(`baton: ${unfinished} of ${finished.length} tasks did not complete\n`);
          return EXIT_NOT_COMPLETED;
        }
        return 0;
      },
    );
  } finally {
    await core.close();
  }
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

async function resumeCommand(id: string, options: { json?: boolean; db?: string }): Promise<number> {
  const core = await openRunCore(options.db);
  try {
    const matches = await core.store.resolveTaskId(id.trim());
    if (matches.length !== 1) {
      throw new CliError(
        matches.length === 0 ? `no task with id ${id}` : `task id ${id} is ambiguous; give more of it`,
        EXIT_BAD_INPUT,
      );
    }
    const task = await core.orchestrator.prepareResume(matches[0] as string);
    out(`resuming task ${task.id} at iteration ${task.iterations + 1}, in a fresh session`);
    return await runToEnd(core, task.id, options.json);
  } finally {
    await core.close();
  }
}

/**
 * Runs `body` with progress printed and a stop signal that Ctrl-C or SIGTERM
 * fires; the orchestrator then stops the agents and closes their sessions.
 * Exits 130 when a signal stopped the work.
 */
async function withStopSignal(
  core: BatonCore,
  prefix: (taskId: string) => string,
  body: (signal: AbortSignal) => Promise<number>,
): Promise<number> {
  const stop = new AbortController();
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    process.stderr.write(`baton: ${signal} received, stopping…\n`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const unsubscribe = core.bus.subscribe((event) => printProgress(event, prefix(event.taskId)));
  try {
    const code = await body(stop.signal);
    return signalled ? EXIT_INTERRUPTED : code;
  } finally {
    unsubscribe();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Runs one task in the foreground, printing progress. */
function runToEnd(core: BatonCore, taskId: string, json: boolean | undefined): Promise<number> {
  return withStopSignal(
    core,
    () => '',
    async (signal) => {
      const finished = await core.orchestrator.runTask(taskId, signal);
      const detail = await core.store.taskDetail(finished.id);
      if (!detail) throw new Error(`task ${finished.id} vanished`);
      out(`task ${finished.status}: ${finished.statusReason ?? ''}`);
      if (json) out(JSON.stringify(taskJson(detail)));
      if (finished.status !== 'completed' && !signal.aborted) {
        process.stderr.write(`baton: task ${finished.status}: ${finished.statusReason ?? 'no reason recorded'}\n`);
        return EXIT_NOT_COMPLETED;
      }
      return 0;
    },
  );
}

async function settingsCommand(options: {
  dailyBudgetUsd?: string;
  maxConcurrentTasks?: number;
  json?: boolean;
  db?: string;
}): Promise<number> {
  let patch: Partial<Settings> = {};
  if (options.maxConcurrentTasks !== undefined) {
    const parsed = settingsSchema.shape.maxConcurrentTasks.safeParse(options.maxConcurrentTasks);
    if (!parsed.success)
      throw new CliError('--max-concurrent-tasks must be a whole number from 1 to 64', EXIT_BAD_INPUT);
    patch.maxConcurrentTasks = parsed.data;
  }
  if (options.dailyBudgetUsd !== undefined) {
    const value = options.dailyBudgetUsd.trim() === 'off' ? null : amount(options.dailyBudgetUsd);
    const parsed = settingsSchema.partial().safeParse({ dailyBudgetUsd: value });
    if (!parsed.success || Number.isNaN(value)) {
      throw new CliError('--daily-budget-usd must be an amount in USD above 0, or "off"', EXIT_BAD_INPUT);
    }
    patch = { ...patch, ...parsed.data };
  }
  const { store, close } = await openStore(options.db);
  try {
    const settings = Object.keys(patch).length > 0 ? await store.updateSettings(patch) : await store.settings();
    if (options.json) out(JSON.stringify(settings));
    else {
      out(`daily budget: ${settings.dailyBudgetUsd === null ? 'off' : `$${settings.dailyBudgetUsd}`}`);
      out(`tasks at once (desktop and browser mode): ${settings.maxConcurrentTasks}`);
    }
    return 0;
  } finally {
    await close();
  }
}

async function tasksCommand(options: { json?: boolean; db?: string; limit: number }): Promise<number> {
  if (!Number.isInteger(options.limit) || options.limit < 1) {
    throw new CliError('--limit must be a whole number of at least 1', EXIT_BAD_INPUT);
  }
  const { store, close } = await openStore(options.db);
  try {
    const tasks = await store.listTaskSummaries({ limit: options.limit, offset: 0 });
    if (options.json) out(JSON.stringify(tasks));
    else if (tasks.length === 0) out('No tasks yet. Start one with: baton run --dir <path> --prompt <text>');
    else for (const task of tasks) out(formatTaskLine(task));
    return 0;
  } finally {
    await close();
  }
}

async function taskCommand(id: string, options: { json?: boolean; db?: string }): Promise<number> {
  const { store, close } = await openStore(options.db);
  try {
    const matches = await store.resolveTaskId(id.trim());
    if (matches.length === 0) throw new CliError(`no task with id ${id}`, EXIT_NOT_COMPLETED);
    if (matches.length > 1) throw new CliError(`task id ${id} is ambiguous; give more of it`, EXIT_BAD_INPUT);
    const detail = await store.taskDetail(matches[0] as string);
    if (!detail) throw new CliError(`no task with id ${id}`, EXIT_NOT_COMPLETED);
    out(options.json ? JSON.stringify(taskJson(detail)) : formatTaskDetail(detail));
    return 0;
  } finally {
    await close();
  }
}

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('baton')
    .description('Run coding-agent tasks as iterations, each in a fresh agent session.')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`baton: ${text.replace(/^error: /, '')}`) });
  const dbOption = () => new Option('--db <file>', 'database file (default: $BATON_DB, then the app data directory)');

  program
    .command('run')
    .description('run one task in the foreground')
    .option('--dir <path>', 'project directory the agent works in (required without --batch)')
    .option('--prompt <text>', 'what the agent should do (required without --batch)')
    .option('--batch <file>', 'run the tasks of a JSON file: an array of objects shaped like these flags')
    .option('--concurrency <n>', 'with --batch, how many tasks run at once (default 1)', wholeNumber)
    .option('--max-iterations <n>', 'most iterations to run (1-1000, default 5)', wholeNumber)
    .option('--check <command>', 'shell command run after each iteration; exit 0 means done')
    .option('--check-timeout <seconds>', 'how long the check may run (default 600)', wholeNumber)
    .option('--context <mode>', `what carries between iterations: ${CONTEXT_MODES.join(' or ')} (default fresh)`)
    .option('--model <name>', 'model for the agent')
    .option('--permission-mode <mode>', `agent permission mode: ${PERMISSION_MODES.join(', ')}`)
    .option('--max-turns <n>', 'most agent turns per iteration', wholeNumber)
    .option('--timeout <seconds>', 'wall-clock limit of one iteration; the agent is killed past it', wholeNumber)
    .option('--idle-timeout <seconds>', 'kill an agent silent this long (default 1800)', wholeNumber)
    .option('--max-retries <n>', 'retries of an iteration after a transient failure (default 3)', wholeNumber)
    .option('--budget-usd <usd>', 'the most this task may cost; no iteration starts past it', amount)
    .option('--max-tokens <n>', 'the most tokens this task may use', wholeNumber)
    .option('--title <text>', 'a name for the task (default: the prompt’s first line)')
    .option('--json', 'print the finished task as JSON on the last line')
    .addOption(dbOption())
    .action(async (options: RunOptions) => setExit(await runCommand(options)));

  program
    .command('tasks')
    .description('list tasks, newest first')
    .option('--json', 'print JSON')
    .option('--limit <n>', 'how many tasks', wholeNumber, 50)
    .addOption(dbOption())
    .action(async (options: { json?: boolean; db?: string; limit: number }) => setExit(await tasksCommand(options)));

  program
    .command('task')
    .description('show one task and its sessions')
    .argument('<id>', 'task id, or a unique prefix of it')
    .option('--json', 'print JSON')
    .addOption(dbOption())
    .action(async (id: string, options: { json?: boolean; db?: string }) => setExit(await taskCommand(id, options)));

  program
    .command('resume')
    .description('continue an interrupted, cancelled or failed task from its next iteration')
    .argument('<id>', 'task id, or a unique prefix of it')
    .option('--json', 'print the finished task as JSON on the last line')
    .addOption(dbOption())
    .action(async (id: string, options: { json?: boolean; db?: string }) => setExit(await resumeCommand(id, options)));

  program
    .command('settings')
    .description('show or change app-wide settings, such as the daily budget')
    .option('--daily-budget-usd <usd|off>', 'what all tasks together may spend per day')
    .option('--max-concurrent-tasks <n>', 'how many tasks the app and browser mode run at once', wholeNumber)
    .option('--json', 'print JSON')
    .addOption(dbOption())
    .action(async (options: Parameters<typeof settingsCommand>[0]) => setExit(await settingsCommand(options)));

  program
    .command('serve')
    .description('browser mode: serve the dashboard and its API on 127.0.0.1')
    .option('--port <n>', 'port to listen on (default: a free one)', wholeNumber, 0)
    .addOption(dbOption())
    .action(async (options: { port: number; db?: string }) => setExit(await serveCommand(options)));

  return program;
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its message; --help and --version are not failures.
      return error.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`baton: ${message}\n`);
    if (error instanceof CliError) return error.exitCode;
    if (
      error instanceof InvalidTaskError ||
      error instanceof ClaudeBinaryNotFoundError ||
      error instanceof StoreOpenError ||
      error instanceof EnvironmentError ||
      error instanceof BatchFileError
    ) {
      return EXIT_BAD_INPUT;
    }
    return EXIT_NOT_COMPLETED;
  }
}

process.exitCode = await main(process.argv.slice(2));
