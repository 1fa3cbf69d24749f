/**
 * `baton import` against `ccusage daily`, over the same full-size transcript corpus (FULL_CORPUS: about
 * 100k lines in several hundred files): the first import into an empty store, an import with nothing new,
 * and ccusage, each its own process as a user runs it, interleaved round by round so machine load weighs
 * on each alike. Each process's peak RSS comes from the process itself (getrusage at exit), which no
 * polling of /proc can miss and which needs no /usr/bin/time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { type CorpusShape, FULL_CORPUS, TranscriptCorpus } from '../test/support/transcript-corpus';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BATON_BUNDLE = path.join(ROOT, 'out', 'cli', 'baton.js');
const CCUSAGE_BIN = path.join(ROOT, 'node_modules', '.bin', 'ccusage');

export interface ProcessSample {
  ms: number;
  peakRssMb: number;
}

export interface ImportBench {
  shape: CorpusShape;
  bytes: number;
  ccusage: ProcessSample[];
  firstImport: ProcessSample[];
  reimport: ProcessSample[];
  /** What did not add up (an import that counted other than the corpus holds): the figures are then suspect. */
  problems: string[];
}

/** Loaded into the measured process with --require: writes its peak RSS (kB) where it is told, on exit. */
const PEAK_RSS_PRELOAD = `process.on('exit', () => {
  require('node:fs').writeFileSync(process.env.BENCH_PEAK_RSS_FILE, String(process.resourceUsage().maxRSS));
});
`;

function du(dir: string): number {
  return Number(execFileSync('du', ['-sb', dir]).toString().split('\t')[0]);
}

export function measureImport(rounds: number, onProgress: (text: string) => void = () => undefined): ImportBench {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-import-bench-'));
  try {
    // The figure is the current source's, not whichever bundle was built last.
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-cli.mjs')], { stdio: 'ignore' });
    const preload = path.join(dir, 'peak-rss.cjs');
    writeFileSync(preload, PEAK_RSS_PRELOAD);
    const home = path.join(dir, 'home');
    mkdirSync(home);

    onProgress('writing the transcript corpus…');
    const corpus = TranscriptCorpus.write(path.join(dir, 'claude'), FULL_CORPUS);
    const shape = corpus.shape();
    const bytes = du(corpus.root);
    const rssFile = path.join(dir, 'peak-rss');
    const env = {
      ...process.env,
      HOME: home,
      CLAUDE_CONFIG_DIR: corpus.root,
      CODEX_HOME: path.join(dir, 'no-codex'),
      BENCH_PEAK_RSS_FILE: rssFile,
    };

    const run = (script: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
      rmSync(rssFile, { force: true });
      const t0 = performance.now();
      const child = spawnSync(process.execPath, ['--require', preload, script, ...args], {
        env: { ...env, ...extraEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 256 * 1024 * 1024,
      });
      const ms = performance.now() - t0;
      if (child.status !== 0) throw new Error(`${script} ${args.join(' ')} failed: ${child.stderr.toString()}`);
      const peakRssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
      return { sample: { ms, peakRssMb }, stdout: child.stdout.toString() };
    };
    const lastLine = (stdout: string) =>
      JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null') as Record<string, number>;

    const ccusageScript = realpathSync(CCUSAGE_BIN);
    const result: ImportBench = { shape, bytes, ccusage: [], firstImport: [], reimport: [], problems: [] };
    for (let round = 1; round <= rounds; round++) {
      onProgress(`round ${round} of ${rounds}…`);
      const ccusage = run(ccusageScript, ['daily', '--offline', '--json']);
      result.ccusage.push(ccusage.sample);

      const db = path.join(dir, `round-${round}.db`);
      const importArgs = ['import', '--claude-dir', corpus.root, '--json'];
      const first = run(BATON_BUNDLE, importArgs, { BATON_DB: db });
      result.firstImport.push(first.sample);
      const summary = lastLine(first.stdout);
      if (summary.messages !== shape.messages || summary.linesRead !== shape.lines) {
        result.problems.push(
          `the first import counted ${summary.messages} messages in ${summary.linesRead} lines; the corpus holds ${shape.messages} in ${shape.lines}`,
        );
      }

      const again = run(BATON_BUNDLE, importArgs, { BATON_DB: db });
      result.reimport.push(again.sample);
      const nothing = lastLine(again.stdout);
      if (nothing.messages !== 0 || nothing.linesRead !== 0) {
        result.problems.push(
          `the import with nothing new read ${nothing.linesRead} lines, ${nothing.messages} messages`,
        );
      }
      if (round === 1) {
        const ours = (
          JSON.parse(run(BATON_BUNDLE, ['usage', 'daily', '--json'], { BATON_DB: db }).stdout) as {
            totals: { totalTokens: number };
          }
        ).totals.totalTokens;
        const theirs = (JSON.parse(ccusage.stdout) as { totals: { totalTokens: number } }).totals.totalTokens;
        if (ours !== theirs) result.problems.push(`baton usage daily totals ${ours} tokens, ccusage daily ${theirs}`);
      }
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
