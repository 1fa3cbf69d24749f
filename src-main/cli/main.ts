/**
 * The `baton` command: a front end of the one service. Exit codes: 0 the
 * task completed, 1 it ended otherwise, 2 bad input, 130 stopped by a signal.
 */
import { Command, CommanderError, Option } from 'commander';
import { type ModelPrices, modelPricesSchema, type Settings, settingsSchema } from '../contract/views';
import { BatonSetupError, openBaton, ServiceCallError } from '../service/open-baton';
import type { BatonService } from '../service/baton-service';
import { CliError, EXIT_BAD_INPUT, EXIT_NOT_COMPLETED, exitQuietlyOnClosedPipe, out } from './cli-error';
import { formatCost } from '../contract/format';
import { formatTaskDetail, formatTaskLine } from './format';
import type { RunOptions } from './run-commands';
import { amount, BatchFileError, taskSpecOptions, wholeNumber } from './run-flags';
import { importCommand, type ImportOptions, usageCommand, type UsageOptions } from './usage-commands';
import { doctorCommand, type DoctorOptions } from './doctor-command';
import { taskJson } from './task-json';

const MAX_LIST_LIMIT = 1000;

/*
 * The foreground run and browser mode load their modules when asked for: the browser server, its WebSocket
 * library and the run's console are not evaluated for the commands that only read or import records.
 */
const runCommands = () => import('./run-commands');
const serveCommands = () => import('./serve-command');

/** Opens the service for a command that only reads or changes records, and closes it after. */
async function withService<T>(db: string | undefined, body: (service: BatonService) => Promise<T>): Promise<T> {
  const service = await openBaton({ mode: 'cli', databaseFile: db });
  try {
    return await body(service);
  } finally {
    await service.close();
  }
}

const MODEL_PRICE_FORM = '<model>=<input>,<output>,<cacheWrite>,<cacheRead> (USD per million tokens)';

/** One `--model-price` value: the model's name and its four prices, validated as the settings are. */
function modelPriceOption(text: string): ModelPrices {
  const at = text.lastIndexOf('=');
  const model = text.slice(0, at).trim();
  const prices = text
    .slice(at + 1)
    .split(',')
    .map((part) => (part.trim() === '' ? Number.NaN : Number(part)));
  if (at < 0 || prices.length !== 4) throw new CliError(`--model-price takes ${MODEL_PRICE_FORM}`, EXIT_BAD_INPUT);
  const [input, output, cacheWrite, cacheRead] = prices;
  const parsed = modelPricesSchema.safeParse({ [model]: { input, output, cacheWrite, cacheRead } });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => issue.message).join('; ');
    throw new CliError(`--model-price ${text}: ${problems}`, EXIT_BAD_INPUT);
  }
  return parsed.data;
}

function formatModelPrices(prices: ModelPrices): string[] {
  const names = Object.keys(prices).sort((a, b) => a.localeCompare(b));
  if (names.length === 0) return ['model prices: from the price data (none of your own)'];
  return [
    'model prices (USD per million tokens: input, output, cache write, cache read):',
    ...names.map((name) => {
      const p = prices[name] as ModelPrices[string];
      return `  ${name}  ${p.input}, ${p.output}, ${p.cacheWrite}, ${p.cacheRead}`;
    }),
  ];
}

async function settingsCommand(options: {
  dailyBudgetUsd?: string;
  timezone?: string;
  maxConcurrentTasks?: number;
  modelPrice?: ModelPrices[];
  clearModelPrice?: string[];
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
  if (options.timezone !== undefined) {
    const value = options.timezone.trim() === 'system' ? null : options.timezone;
    const parsed = settingsSchema.shape.timeZone.safeParse(value);
    if (!parsed.success) throw new CliError(`--timezone: ${parsed.error.issues[0]?.message}`, EXIT_BAD_INPUT);
    patch.timeZone = parsed.data;
  }
  const setPrices = options.modelPrice ?? [];
  const clearPrices = (options.clearModelPrice ?? []).map((name) => name.trim().toLowerCase());
  return withService(options.db, async (service) => {
    if (setPrices.length > 0 || clearPrices.length > 0) {
      // The settings keep the whole record: what is stored, less the cleared names, plus the new prices.
      const current = (await service.call('getSettings', {})).modelPrices ?? {};
      const named = new Set([...clearPrices, ...setPrices.flatMap((p) => Object.keys(p).map((n) => n.toLowerCase()))]);
      const missing = clearPrices.filter((name) => !Object.keys(current).some((n) => n.toLowerCase() === name));
      if (missing.length > 0) {
        throw new CliError(`--clear-model-price: no prices of your own for ${missing.join(', ')}`, EXIT_BAD_INPUT);
      }
      const kept = Object.entries(current).filter(([name]) => !named.has(name.toLowerCase()));
      patch.modelPrices = Object.assign(Object.fromEntries(kept), ...setPrices) as ModelPrices;
    }
    const settings =
      Object.keys(patch).length > 0
        ? await service.call('updateSettings', patch)
        : await service.call('getSettings', {});
    if (options.json) out(JSON.stringify(settings));
    else {
      out(`daily budget: ${settings.dailyBudgetUsd === null ? 'off' : formatCost(settings.dailyBudgetUsd)}`);
      // The zone the budget's "today" is a day of: the one a window (or --timezone) set, else the system's.
      const { timeZone } = await service.call('getSpending', {});
      if (timeZone) out(`days of the daily budget: ${timeZone}${settings.timeZone ? '' : " (the system's zone)"}`);
      out(`tasks at once (desktop and browser mode): ${settings.maxConcurrentTasks}`);
      for (const line of formatModelPrices(settings.modelPrices ?? {})) out(line);
    }
    return 0;
  });
}

async function tasksCommand(options: { json?: boolean; db?: string; limit: number }): Promise<number> {
  if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > MAX_LIST_LIMIT) {
    throw new CliError(`--limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`, EXIT_BAD_INPUT);
  }
  return withService(options.db, async (service) => {
    const { tasks } = await service.call('listTasks', { limit: options.limit });
    if (options.json) out(JSON.stringify(tasks));
    else if (tasks.length === 0) out('No tasks yet. Start one with: baton run --dir <path> --prompt <text>');
    else for (const task of tasks) out(formatTaskLine(task));
    return 0;
  });
}

async function taskCommand(id: string, options: { json?: boolean; db?: string }): Promise<number> {
  return aboutTask(options.db, async (service) => {
    const detail = await service.call('getTask', { taskId: id.trim() });
    out(options.json ? JSON.stringify(taskJson(detail)) : formatTaskDetail(detail));
    return 0;
  });
}

/** A command about one task: a task that is not found is not bad input, as the id may be from another database. */
async function aboutTask(db: string | undefined, body: (service: BatonService) => Promise<number>): Promise<number> {
  return withService(db, async (service) => {
    try {
      return await body(service);
    } catch (error) {
      if (error instanceof ServiceCallError && error.code === 'not_found') {
        throw new CliError(error.message, EXIT_NOT_COMPLETED);
      }
      throw error;
    }
  });
}

/** The CLI prints whole diffs, as git would; past this it says where it cut. */
const CLI_DIFF_BYTES = 256 * 1024 * 1024;

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('baton')
    .description('Run coding-agent tasks as iterations, each in a fresh agent session.')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`baton: ${text.replace(/^error: /, '')}`) });
  const dbOption = () => new Option('--db <file>', 'database file (default: $BATON_DB, then the app data directory)');

  const run = program
    .command('run')
    .description('run one task in the foreground, or a batch of them')
    .option('--batch <file>', 'run the tasks of a JSON file: an array of objects keyed like these flags')
    .option('--concurrency <n>', 'with --batch, how many tasks run at once (default 1)', wholeNumber);
  // The task flags come from the spec's one mapping; beside --batch they are defaults for every entry.
  for (const option of taskSpecOptions()) run.addOption(option);
  run
    .option('--json', 'print the finished task as JSON on the last line')
    .addOption(dbOption())
    .action(async (options: RunOptions) => setExit(await (await runCommands()).runCommand(options)));

  program
    .command('tasks')
    .description('list tasks, newest first')
    .option('--json', 'print JSON')
    .option('--limit <n>', `how many tasks (1-${MAX_LIST_LIMIT})`, wholeNumber, 50)
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
    .action(async (id: string, options: { json?: boolean; db?: string }) =>
      setExit(await (await runCommands()).resumeCommand(id, options)),
    );

  program
    .command('diff')
    .description('print what a task changed, or one iteration of it, as a unified diff')
    .argument('<id>', 'task id, or a unique prefix of it')
    .option('--iteration <n>', 'only this iteration', wholeNumber)
    .addOption(dbOption())
    .action(async (id: string, options: { iteration?: number; db?: string }) => {
      if (options.iteration !== undefined && !(Number.isInteger(options.iteration) && options.iteration >= 1)) {
        throw new CliError('--iteration must be a whole number from 1', EXIT_BAD_INPUT);
      }
      setExit(
        await aboutTask(options.db, async (service) => {
          const diff = await service.call('getDiff', {
            taskId: id.trim(),
            iteration: options.iteration,
            maxBytes: CLI_DIFF_BYTES,
          });
          process.stdout.write(diff.patch);
          if (diff.truncated)
            process.stderr.write(`baton: the diff is cut at ${CLI_DIFF_BYTES} of ${diff.totalBytes} bytes\n`);
          return 0;
        }),
      );
    });

  program
    .command('merge')
    .description('merge a worktree task’s branch into the branch it started from')
    .argument('<id>', 'task id, or a unique prefix of it')
    .option('--squash', 'one commit with all of the task’s changes, instead of a merge commit')
    .option('--json', 'print JSON')
    .addOption(dbOption())
    .action(async (id: string, options: { squash?: boolean; json?: boolean; db?: string }) =>
      setExit(
        await aboutTask(options.db, async (service) => {
          const merged = await service.call('mergeTask', { taskId: id.trim(), squash: options.squash === true });
          out(
            options.json
              ? JSON.stringify({ commit: merged.commit, message: merged.message, task: taskJson(merged.task) })
              : merged.message,
          );
          return 0;
        }),
      ),
    );

  program
    .command('discard')
    .description('remove a worktree task’s worktree and delete its branch')
    .argument('<id>', 'task id, or a unique prefix of it')
    .option('--json', 'print JSON')
    .addOption(dbOption())
    .action(async (id: string, options: { json?: boolean; db?: string }) =>
      setExit(
        await aboutTask(options.db, async (service) => {
          const discarded = await service.call('discardTask', { taskId: id.trim() });
          out(
            options.json
              ? JSON.stringify({ message: discarded.message, task: taskJson(discarded.task) })
              : discarded.message,
          );
          return 0;
        }),
      ),
    );

  program
    .command('doctor')
    .description('list what crashes left of task worktrees: worktrees and branches of launches cut short')
    .option('--fix', 'remove those worktrees and branches')
    .option('--json', 'print JSON')
    .addOption(dbOption())
    .action(async (options: DoctorOptions) => setExit(await doctorCommand(options)));

  program
    .command('settings')
    .description('show or change app-wide settings, such as the daily budget')
    .option('--daily-budget-usd <usd|off>', 'what all tasks together may spend per day')
    .option(
      '--timezone <zone|system>',
      "the IANA zone whose days the daily budget counts (the window sets its own); 'system' for the system's",
    )
    .option('--max-concurrent-tasks <n>', 'how many tasks the app and browser mode run at once', wholeNumber)
    .option(
      '--model-price <price>',
      `a model's own prices, over the price data's or for a model it lacks: ${MODEL_PRICE_FORM}; repeatable`,
      (value: string, previous: ModelPrices[] = []) => [...previous, modelPriceOption(value)],
    )
    .option(
      '--clear-model-price <model>',
      'drop your own prices for the model (the price data applies again); repeatable',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--json', 'print JSON')
    .addOption(dbOption())
    .action(async (options: Parameters<typeof settingsCommand>[0]) => setExit(await settingsCommand(options)));

  const repeatable = (value: string, previous: string[] = []) => [...previous, value];
  program
    .command('import')
    .description(
      "read the agents' transcripts (Claude Code, Codex) into Baton's store, only what is new since the last import",
    )
    .option(
      '--claude-dir <dir>',
      'a Claude Code config folder (holding projects/); repeatable; default CLAUDE_CONFIG_DIR, else ~/.config/claude and ~/.claude',
      repeatable,
    )
    .option(
      '--codex-dir <dir>',
      'a Codex home (holding sessions/); repeatable; default CODEX_HOME, else ~/.codex',
      repeatable,
    )
    .option('--json', 'print the summary as JSON on the last line')
    .addOption(dbOption())
    .action(async (options: ImportOptions) => setExit(await importCommand(options)));

  program
    .command('usage')
    .description("usage reports over everything Baton knows: its own sessions and the agents' interactive ones")
    .argument('<report>', 'daily, monthly, session or blocks (5-hour windows)')
    .option('--since <YYYY-MM-DD>', 'from this local date')
    .option('--until <YYYY-MM-DD>', 'to this local date, included')
    .option('--project <dir>', "only this project's directory")
    .option('--agent <agent>', 'only this agent: claude, codex or gemini')
    .addOption(
      new Option('--source <source>', 'whose sessions').choices(['baton', 'interactive', 'all']).default('all'),
    )
    .option('--timezone <zone>', 'count dates in this time zone (default: the system’s)')
    .option('--json', 'print JSON')
    .addOption(dbOption())
    .action(async (report: string, options: UsageOptions) => setExit(await usageCommand(report, options)));

  program
    .command('serve')
    .description('browser mode: serve the dashboard and its API on 127.0.0.1')
    .option(
      '--port <n>',
      'port to listen on, exactly (default: the one this database was served on last, else a free one)',
      wholeNumber,
    )
    .addOption(dbOption())
    .action(async (options: { port?: number; db?: string }) =>
      setExit(await (await serveCommands()).serveCommand(options)),
    );

  return program;
}

/** The exit code of a failure that reached the top. */
function exitCodeOf(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof BatonSetupError || error instanceof BatchFileError) return EXIT_BAD_INPUT;
  if (error instanceof ServiceCallError) return error.code === 'internal' ? EXIT_NOT_COMPLETED : EXIT_BAD_INPUT;
  return EXIT_NOT_COMPLETED;
}

export async function main(argv: string[]): Promise<number> {
  exitQuietlyOnClosedPipe(process.stdout);
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
    process.stderr.write(`baton: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodeOf(error);
  }
}
