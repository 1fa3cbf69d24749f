/**
 * `baton import` and `baton usage daily` against `ccusage daily`, over the same transcript corpus (about
 * 110k lines in several hundred files, shaped like a heavy user's): ccusage 20 (native, the speed anchor),
 * the first import into an empty store, an import with nothing new, the daily report over the imported store,
 * and ccusage 18 (JavaScript) once, each its own process as a user runs it, interleaved round by round so
 * machine load weighs on each alike. A Node process reports its own peak RSS at exit (getrusage, through a
 * preloaded script); ccusage 20's native binary cannot, so GNU time reports it, where there is one.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { type CorpusOptions, type CorpusShape, FULL_CORPUS, TranscriptCorpus } from '../test/support/transcript-corpus';
import { CCUSAGE18_SCRIPT, findCcusage20 } from './ccusage-bins';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GNU_TIME = '/usr/bin/time';

/** The test suite’s full corpus, with more sessions: about 110k lines, the size the targets are set for. */
export const BENCH_CORPUS: CorpusOptions = { ...FULL_CORPUS, sessions: 420 };

export interface ProcessSample {
  ms: number;
  /** Null where it could not be measured (a native process and no GNU time). */
  peakRssMb: number | null;
}

export interface ImportBench {
  shape: CorpusShape;
  bytes: number;
  /** Empty when ccusage 20 cannot run here; `notes` says why. */
  ccusage20: ProcessSample[];
  /** ccusage 18 in the first round only: it takes several times as long as everything else in a round. */
  ccusage18: ProcessSample[];
  firstImport: ProcessSample[];
  reimport: ProcessSample[];
  usageDaily: ProcessSample[];
  /** What did not add up (an import that counted other than the corpus holds): the figures are then suspect. */
  problems: string[];
  /** What the reader should know: a comparison left out, and why. */
  notes: string[];
}

/** Loaded into a measured Node process with --require: writes its peak RSS (kB) where it is told, on exit. */
const PEAK_RSS_PRELOAD = `process.on('exit', () => {
  require('node:fs').writeFileSync(process.env.BENCH_PEAK_RSS_FILE, String(process.resourceUsage().maxRSS));
});
`;

function du(dir: string): number {
  return Number(execFileSync('du', ['-sb', dir]).toString().split('\t')[0]);
}

/** Whether GNU time is there to report a process's peak RSS (`-f %M`, which BSD's time lacks). */
function hasGnuTime(): boolean {
  if (!existsSync(GNU_TIME)) return false;
  const probe = spawnSync(GNU_TIME, ['-f', '%M', 'true'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return probe.status === 0 && /^\d+\s*$/.test(probe.stderr.toString());
}

const totalTokensOf = (stdout: string) =>
  (JSON.parse(stdout) as { totals: { totalTokens: number } }).totals.totalTokens;

export function measureImport(rounds: number, onProgress: (text: string) => void = () => undefined): ImportBench {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-import-bench-'));
  const buildDir = path.join(ROOT, 'out', `bench-cli-${process.pid}`);
  const batonCommand = path.join(buildDir, 'baton.js');
  try {
    // The figure is the current source's, in a build of its own that no test's build replaces meanwhile.
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-cli.mjs'), '--outdir', buildDir], {
      stdio: 'ignore',
    });
    const preload = path.join(dir, 'peak-rss.cjs');
    writeFileSync(preload, PEAK_RSS_PRELOAD);
    const home = path.join(dir, 'home');
    mkdirSync(home);

    onProgress('writing the transcript corpus…');
    const corpus = TranscriptCorpus.write(path.join(dir, 'claude'), BENCH_CORPUS);
    const shape = corpus.shape();
    const bytes = du(corpus.root);
    const rssFile = path.join(dir, 'peak-rss');
    const gnuTime = hasGnuTime();
    // HOME is empty, so no tool finds any other transcripts (ccusage 20 reads a dozen agents' folders).
    const env = {
      ...process.env,
      HOME: home,
      CLAUDE_CONFIG_DIR: corpus.root,
      CODEX_HOME: path.join(dir, 'no-codex'),
      BENCH_PEAK_RSS_FILE: rssFile,
    };

    /** Runs a Node script, or with `native` any command, to its end: its wall time, peak RSS and output. */
    const run = (
      script: string,
      args: string[],
      options: { extraEnv?: NodeJS.ProcessEnv; native?: boolean } = {},
    ): { sample: ProcessSample; stdout: string } => {
      rmSync(rssFile, { force: true });
      const [command, commandArgs] = options.native
        ? gnuTime
          ? [GNU_TIME, ['-f', '%M', '-o', rssFile, process.execPath, script, ...args]]
          : [process.execPath, [script, ...args]]
        : [process.execPath, ['--require', preload, script, ...args]];
      const t0 = performance.now();
      const child = spawnSync(command, commandArgs, {
        env: { ...env, ...options.extraEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 256 * 1024 * 1024,
      });
      const ms = performance.now() - t0;
      if (child.status !== 0) throw new Error(`${script} ${args.join(' ')} failed: ${child.stderr.toString()}`);
      const peakRssMb = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8').trim()) / 1024 : null;
      return { sample: { ms, peakRssMb }, stdout: child.stdout.toString() };
    };
    const lastLine = (stdout: string) =>
      JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null') as Record<string, number>;

    const result: ImportBench = {
      shape,
      bytes,
      ccusage20: [],
      ccusage18: [],
      firstImport: [],
      reimport: [],
      usageDaily: [],
      problems: [],
      notes: [],
    };
    const ccusage20 = findCcusage20();
    if ('missing' in ccusage20) result.notes.push(`${ccusage20.missing}: no comparison with ccusage 20`);
    else if (!gnuTime) result.notes.push('no GNU time at /usr/bin/time: no peak RSS for ccusage 20');
    const has18 = existsSync(CCUSAGE18_SCRIPT);
    if (!has18) result.notes.push('ccusage 18 (the dev dependency ccusage) is not installed: no comparison with it');

    const daily = ['daily', '--offline', '--json'];
    // The first run of a new build compiles the bundle and writes V8's code cache; a user's runs after it do not.
    run(batonCommand, ['usage', 'daily', '--json'], { extraEnv: { BATON_DB: path.join(dir, 'warm-up.db') } });
    for (let round = 1; round <= rounds; round++) {
      onProgress(`round ${round} of ${rounds}…`);
      // The launcher too, as `npx ccusage` runs it: it starts Node, then the native binary.
      const theirs20 = 'launcher' in ccusage20 ? run(ccusage20.launcher, daily, { native: true }) : undefined;
      if (theirs20) result.ccusage20.push(theirs20.sample);
      const theirs18 = round === 1 && has18 ? run(CCUSAGE18_SCRIPT, daily) : undefined;
      if (theirs18) result.ccusage18.push(theirs18.sample);

      const db = { BATON_DB: path.join(dir, `round-${round}.db`) };
      const importArgs = ['import', '--claude-dir', corpus.root, '--json'];
      const first = run(batonCommand, importArgs, { extraEnv: db });
      result.firstImport.push(first.sample);
      const summary = lastLine(first.stdout);
      if (summary.messages !== shape.messages || summary.linesRead !== shape.lines) {
        result.problems.push(
          `the first import counted ${summary.messages} messages in ${summary.linesRead} lines; the corpus holds ${shape.messages} in ${shape.lines}`,
        );
      }

      const again = run(batonCommand, importArgs, { extraEnv: db });
      result.reimport.push(again.sample);
      const nothing = lastLine(again.stdout);
      if (nothing.messages !== 0 || nothing.linesRead !== 0) {
        result.problems.push(
          `the import with nothing new read ${nothing.linesRead} lines, ${nothing.messages} messages`,
        );
      }

      const report = run(batonCommand, ['usage', 'daily', '--json'], { extraEnv: db });
      result.usageDaily.push(report.sample);
      if (round === 1) {
        // The totals side by side: the tools' rules differ where a response's lines repeat, so a difference is
        // worth reading, not a failure (test/integration/usage-parity.test.ts holds Baton to its rules).
        const totals = [
          `baton usage daily ${totalTokensOf(report.stdout)}`,
          ...(theirs20 ? [`ccusage 20 ${totalTokensOf(theirs20.stdout)}`] : []),
          ...(theirs18 ? [`ccusage 18 ${totalTokensOf(theirs18.stdout)}`] : []),
        ];
        result.notes.push(`total tokens: ${totals.join(', ')}`);
      }
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(buildDir, { recursive: true, force: true });
  }
}
