/**
 * `baton import`'s quick start: the entry of out/cli/baton-import.cjs, which the launcher (scripts/cli-launcher.mjs)
 * runs first for `baton import`. A bundle a fiftieth the size of the whole command's, so an import that finds
 * little new starts in a fraction of the time (`npm run bench` measures both). It takes the plain case only,
 * the flags --claude-dir, --codex-dir, --json and --db, and answers undefined for everything else (--help, a
 * flag it does not know, a missing folder, a database it cannot open: service/quick-import.ts), and the
 * launcher runs the whole command, which words every refusal as always.
 */
import {
  clearImportProgress,
  type ImportOptions,
  namedDirectories,
  printImportProgress,
  printImportSummary,
  showsProgress,
} from './import-cli';
import { CliError, EXIT_NOT_COMPLETED, exitQuietlyOnClosedPipe } from './cli-error';
import { quickImport } from '../service/quick-import';

const PROGRESS_EVERY_MS = 250;

/** `import` and its flags as the full command reads them, or undefined where it reads anything else. */
export function plainImportFlags(argv: readonly string[]): ImportOptions | undefined {
  if (argv[0] !== 'import') return undefined;
  const options: ImportOptions = {};
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--json') {
      options.json = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (flag !== '--claude-dir' && flag !== '--codex-dir' && flag !== '--db') return undefined;
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    // A missing value, or one that looks like a flag: commander's words for it.
    if (value === undefined || value === '' || value.startsWith('-')) return undefined;
    if (flag === '--db') options.db = value;
    else if (flag === '--claude-dir') (options.claudeDir ??= []).push(value);
    else (options.codexDir ??= []).push(value);
  }
  return options;
}

/** Runs the import and answers its exit code, or undefined for the whole command to run instead. */
export async function main(argv: string[]): Promise<number | undefined> {
  const options = plainImportFlags(argv);
  if (!options) return undefined;
  let directories;
  try {
    directories = namedDirectories(options);
  } catch (error) {
    if (error instanceof CliError) return undefined;
    throw error;
  }
  exitQuietlyOnClosedPipe(process.stdout);
  const progress = showsProgress(options.json);
  let shownAt = 0;
  let summary;
  try {
    summary = await quickImport({
      databaseFile: options.db,
      directories,
      env: process.env,
      onProgress: progress
        ? (step) => {
            const now = performance.now();
            if (now - shownAt < PROGRESS_EVERY_MS) return;
            shownAt = now;
            printImportProgress(step);
          }
        : undefined,
    });
  } catch (error) {
    // As the whole command says a failure (cli/main.ts).
    process.stderr.write(`baton: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_NOT_COMPLETED;
  }
  if (!summary) return undefined;
  if (progress) clearImportProgress();
  printImportSummary(summary, options.json === true);
  return 0;
}
