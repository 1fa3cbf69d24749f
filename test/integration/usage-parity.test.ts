/**
 * Baton's `usage daily` against an independent recount of the same transcripts (test/support/final-usage-
 * recount.ts: the final-usage rule applied to the files on disk, priced from the price data by its own
 * arithmetic), per local date and model, every token kind and the cost, in three time zones, over a generated
 * corpus with the real transcripts' shape, after it grew, and over what the real claude CLI wrote.
 *
 * ccusage 18 is no reference for output tokens or costs: it counts each response's first line, a partial
 * one. It stays the check of what it is right about, which the recount's reading rests on: which lines count,
 * their keys, their dates in a zone, and the input and cache-read tokens every line of a response shares.
 * ccusage 20, which takes the final line, is compared where its native binary is installed, as a second
 * opinion on output tokens and not as their definition.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportSummary } from '../../src-main/contract/usage';
import { lastJsonLine, runBaton } from '../support/baton-cli';
import { type RecountRow, recountTranscripts } from '../support/final-usage-recount';
import { type TaskJson, useScriptedWorkspaces } from '../support/scripted-workspace';
import { bashCall, toolCallScript } from '../support/scripts';
import { type DailyModelRow, localDate, SMALL_CORPUS, TranscriptCorpus } from '../support/transcript-corpus';

/** UTC, and two zones whose midnight falls at 07:00/08:00 and 18:30 UTC, so a day's messages move. */
const ZONES = ['UTC', 'America/Los_Angeles', 'Asia/Kolkata'];
const NODE_MODULES = path.resolve(__dirname, '..', '..', 'node_modules');

/**
 * A ccusage of one major version: the packages that may hold it (the plain name, or an alias), the first
 * whose version is that major's, run through its own `bin`. node_modules/.bin/ccusage may be either version.
 */
function ccusageOf(major: number): { script: string } | { missing: string } {
  for (const name of [`ccusage${major}`, 'ccusage']) {
    const manifest = path.join(NODE_MODULES, name, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string; bin: Record<string, string> };
    if (!pkg.version.startsWith(`${major}.`)) continue;
    const script = path.join(NODE_MODULES, name, pkg.bin.ccusage!);
    if (major >= 20) {
      // A launcher of a native binary, in an optional package npm skips on other platforms.
      const native = `@ccusage/ccusage-${process.platform}-${process.arch}`;
      try {
        createRequire(script).resolve(`${native}/package.json`);
      } catch {
        return { missing: `ccusage ${major}'s native binary (${native}) is not installed` };
      }
    }
    return { script };
  }
  return { missing: `ccusage ${major} is not installed` };
}
const CCUSAGE18 = ccusageOf(18);
const CCUSAGE20 = ccusageOf(20);

interface CcusageDaily {
  daily: Array<{
    date?: string;
    period?: string;
    modelBreakdowns: Array<{ modelName: string; inputTokens: number; outputTokens: number; cacheReadTokens: number }>;
  }>;
  totals: { inputTokens: number; outputTokens: number; cacheReadTokens: number };
}

type BatonRow = Omit<RecountRow, 'date'> & {
  date?: string;
  period?: string;
  bySource: { baton: BatonTotals; interactive: BatonTotals };
};
type BatonTotals = Omit<RecountRow, 'date' | 'model'>;

interface BatonDaily {
  daily: BatonRow[];
  totals: BatonTotals;
}

/** ccusage as a user runs it, offline, reading only `configDir` (with HOME elsewhere, no ~/.claude either). */
function ccusageDaily(script: string, configDir: string, timeZone: string, home: string): Promise<CcusageDaily> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script, 'daily', '--offline', '--json', '--timezone', timeZone],
      { env: { ...process.env, CLAUDE_CONFIG_DIR: configDir, HOME: home }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`ccusage failed: ${error.message}\n${stderr}`));
        const parsed = JSON.parse(stdout) as CcusageDaily | [];
        // With nothing to count, ccusage 18 prints an empty list instead of its report.
        resolve(
          Array.isArray(parsed)
            ? { daily: [], totals: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0 } }
            : parsed,
        );
      },
    );
  });
}

const ccusage18 = (configDir: string, timeZone: string, home: string) => {
  if ('missing' in CCUSAGE18) throw new Error(CCUSAGE18.missing);
  return ccusageDaily(CCUSAGE18.script, configDir, timeZone, home);
};

async function batonDaily(env: NodeJS.ProcessEnv, timeZone: string): Promise<BatonDaily> {
  const run = await runBaton(['usage', 'daily', '--json', '--timezone', timeZone], env);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as BatonDaily;
}

const dayOf = (row: { date?: string; period?: string }) => row.date ?? row.period ?? '?';

/** Every figure but the cost, compared exactly: a mismatch shows in the diff as its row and kind. */
function figures(row: BatonTotals) {
  return {
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    cacheCreationTokens: row.cacheCreationTokens,
    cacheWrite1hTokens: row.cacheWrite1hTokens,
    cacheReadTokens: row.cacheReadTokens,
    totalTokens: row.totalTokens,
    unknownCostTokens: row.unknownCostTokens,
    costSources: [...row.costSources].sort(),
  };
}

const tableOf = (rows: Array<BatonTotals & { model: string; date?: string; period?: string }>) =>
  Object.fromEntries(rows.map((row) => [`${dayOf(row)} ${row.model}`, figures(row)] as const).sort());

/** Rows whose costs differ by more than 1e-6 dollars, or that one side lacks. */
function costsApart(ours: BatonRow[], reference: RecountRow[]): string[] {
  const theirs = new Map(reference.map((row) => [`${row.date} ${row.model}`, row.costUsd]));
  const apart: string[] = [];
  for (const row of ours) {
    const key = `${dayOf(row)} ${row.model}`;
    const expected = theirs.get(key);
    if (expected === undefined || Math.abs(row.costUsd - expected) > 1e-6) {
      apart.push(`${key}: baton ${row.costUsd}, recount ${expected}`);
    }
    theirs.delete(key);
  }
  for (const [key, cost] of theirs) apart.push(`${key}: baton none, recount ${cost}`);
  return apart;
}

/**
 * Asserts Baton's daily report is the recount's, row for row, and its totals too. With `tokensOnly`, the
 * costs are left out: those of Baton's own runs are the agent's figures, which no transcript holds.
 */
async function expectRecount(
  configDir: string,
  env: NodeJS.ProcessEnv,
  timeZone: string,
  options: { tokensOnly?: boolean } = {},
): Promise<BatonDaily> {
  const recount = recountTranscripts(configDir);
  const ours = await batonDaily(env, timeZone);
  const reference = recount.daily(timeZone);
  if (options.tokensOnly) {
    const tokens = (rows: Array<BatonTotals & { model: string }>) =>
      Object.values(tableOf(rows)).map(({ costSources: _sources, unknownCostTokens: _unknown, ...kinds }) => kinds);
    expect(tokens(ours.daily), `baton usage daily against the recount, in ${timeZone}`).toEqual(tokens(reference));
    expect(Object.keys(tableOf(ours.daily))).toEqual(Object.keys(tableOf(reference)));
    return ours;
  }
  expect(tableOf(ours.daily), `baton usage daily against the recount, in ${timeZone}`).toEqual(tableOf(reference));
  expect(costsApart(ours.daily, reference), `costs apart, in ${timeZone}`).toEqual([]);
  // Totals keep `<synthetic>`, which the per-model rows leave out.
  const totals = recount.totals();
  expect({ ...figures(ours.totals), costSources: [] }).toEqual({ ...figures(totals), costSources: [] });
  expect(Math.abs(ours.totals.costUsd - totals.costUsd)).toBeLessThan(1e-6);
  return ours;
}

/** Per date, the tokens of one kind a ccusage report gives, all models together. */
function perDate(report: CcusageDaily, kind: 'inputTokens' | 'outputTokens' | 'cacheReadTokens') {
  return Object.fromEntries(
    report.daily.map((day) => [dayOf(day), day.modelBreakdowns.reduce((sum, m) => sum + m[kind], 0)] as const),
  );
}

/** Sessions with two counted messages less than an hour apart on either side of a local midnight. */
function sessionsAcrossMidnight(corpus: TranscriptCorpus, timeZone: string): number {
  const bySession = new Map<string, number[]>();
  for (const message of corpus.countedMessages()) {
    const times = bySession.get(message.sessionId) ?? [];
    times.push(Date.parse(message.timestamp));
    bySession.set(message.sessionId, times);
  }
  return [...bySession.values()].filter((times) =>
    times
      .sort((a, b) => a - b)
      .some(
        (at, i) =>
          i > 0 && at - times[i - 1]! < 3_600_000 && localDate(at, timeZone) !== localDate(times[i - 1]!, timeZone),
      ),
  ).length;
}

describe('baton usage daily against a recount of a generated corpus', () => {
  let work: string;
  let corpus: TranscriptCorpus;
  let env: NodeJS.ProcessEnv;
  let summary: ImportSummary;

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'baton-parity-'));
    corpus = TranscriptCorpus.write(path.join(work, 'claude'), SMALL_CORPUS);
    env = {
      HOME: path.join(work, 'home'),
      BATON_DB: path.join(work, 'baton.db'),
      // Nothing of the machine's own transcripts: only the folder named on the command line is read.
      CLAUDE_CONFIG_DIR: path.join(work, 'no-claude'),
      CODEX_HOME: path.join(work, 'no-codex'),
    };
    mkdirSync(env.HOME!);
    const imported = await runBaton(['import', '--claude-dir', corpus.root, '--json'], env);
    expect(imported.code, imported.stderr).toBe(0);
    summary = lastJsonLine<ImportSummary>(imported.stdout);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('holds every kind of line the comparison is about', () => {
    const shape = corpus.shape();
    const some = expect.toSatisfy((n: number) => n > 0);
    expect(shape).toMatchObject({
      malformed: some,
      partialTails: some,
      duplicates: some,
      keyless: some,
      rejected: some,
      sidechain: some,
      synthetic: some,
      partialLines: some,
      modelChanged: some,
      fast: some,
      taggedModels: some,
      longContext: some,
      inSeveralFiles: some,
      corrected: some,
    });
    // Most responses are split, and their first lines hold a fraction of the output, as in real transcripts.
    expect(shape.shortAtFirstLine / shape.messages).toBeGreaterThan(0.4);
    expect(shape.finalOutputTokens / shape.firstLineOutputTokens).toBeGreaterThan(2);
    expect(shape.cacheWrite1h / shape.messages).toBeGreaterThan(0.2);
    expect(shape.cacheWrite1h / shape.messages).toBeLessThan(0.45);
    expect(shape.models).toEqual(
      expect.arrayContaining([
        '<synthetic>',
        'unknown',
        'claude-opus-4-6-fast',
        'claude-opus-4-8',
        'claude-sonnet-4-5-20250929',
      ]),
    );
    for (const zone of ZONES) expect(sessionsAcrossMidnight(corpus, zone), zone).toBeGreaterThan(0);
    const recount = recountTranscripts(corpus.root);
    // Requests priced at the long-context tier, and fast responses left unpriced.
    expect(recount.responses.filter((r) => r.tiered).length).toBeGreaterThan(0);
    expect(recount.responses.filter((r) => r.model.endsWith('-fast')).every((r) => r.costUsd === null)).toBe(true);
  });

  it('the generator and the recount, written apart, find the same tokens', () => {
    const recount = recountTranscripts(corpus.root);
    for (const zone of ZONES) {
      const tokens = (row: DailyModelRow | RecountRow) => ({
        date: row.date,
        model: row.model,
        inputTokens: row.inputTokens,
        outputTokens: row.outputTokens,
        cacheCreationTokens: row.cacheCreationTokens,
        cacheWrite1hTokens: row.cacheWrite1hTokens,
        cacheReadTokens: row.cacheReadTokens,
      });
      expect(recount.daily(zone).map(tokens), zone).toEqual(corpus.dailyByModel(zone).map(tokens));
    }
    expect(recount.firstLineOutputTokens()).toBe(corpus.shape().firstLineOutputTokens);
  });

  it('imports what the generator wrote: its lines, responses, repeats, corrections and broken lines', () => {
    const shape = corpus.shape();
    expect(summary).toEqual({
      files: shape.files,
      newFiles: shape.files,
      linesRead: shape.lines,
      messages: shape.messages,
      duplicates: shape.duplicates,
      corrected: shape.corrected,
      malformed: shape.malformed,
      sessions: shape.sessions,
      durationMs: expect.any(Number),
      skipped: [],
      skippedFiles: 0,
    });
  });

  it.each(ZONES)(
    'counts each response by its final line, per date and model as the recount does, in %s',
    async (zone) => {
      const ours = await expectRecount(corpus.root, env, zone);
      expect(ours.daily.length).toBeGreaterThan(20);
    },
  );

  it.each(ZONES)('agrees with ccusage 18 on what it counts right: lines, keys, dates, in %s', async (zone) => {
    const [theirs, ours] = await Promise.all([ccusage18(corpus.root, zone, env.HOME!), batonDaily(env, zone)]);
    const recount = recountTranscripts(corpus.root);
    // The recount's reading of which lines count, their keys, order and dates is ccusage's: it finds what
    // ccusage finds of the figures all lines of a response share, each response dated by its first line.
    const firstLines = recount.firstLineDays(zone);
    expect(perDate(theirs, 'inputTokens')).toEqual(Object.fromEntries(firstLines.map((d) => [d.date, d.inputTokens])));
    expect(perDate(theirs, 'cacheReadTokens')).toEqual(
      Object.fromEntries(firstLines.map((d) => [d.date, d.cacheReadTokens])),
    );
    // Those figures do not depend on which line is taken: Baton's totals are ccusage's.
    expect(ours.totals.inputTokens).toBe(theirs.totals.inputTokens);
    expect(ours.totals.cacheReadTokens).toBe(theirs.totals.cacheReadTokens);
    // Its output is the first lines' (so it is no reference for output tokens or costs), and short of Baton's.
    expect(theirs.totals.outputTokens).toBe(recount.firstLineOutputTokens());
    expect(ours.totals.outputTokens).toBeGreaterThan(2 * theirs.totals.outputTokens);
  });

  const ccusage20Missing = 'missing' in CCUSAGE20 ? CCUSAGE20.missing : null;
  it.skipIf(ccusage20Missing !== null)(
    `finds the output tokens ccusage 20 finds, taking final lines too${ccusage20Missing ? ` (skipped: ${ccusage20Missing})` : ''}`,
    async () => {
      if ('missing' in CCUSAGE20) return;
      const theirs = await ccusageDaily(CCUSAGE20.script, corpus.root, 'UTC', env.HOME!);
      const ours = await batonDaily(env, 'UTC');
      // A second opinion, not the definition: ccusage 20 reads some odd lines its own way, so near, not equal.
      const apart = Math.abs(theirs.totals.outputTokens - ours.totals.outputTokens) / ours.totals.outputTokens;
      expect(apart, `ccusage 20 ${theirs.totals.outputTokens}, baton ${ours.totals.outputTokens}`).toBeLessThan(0.02);
    },
  );
});

describe('baton usage daily against the recount after the transcripts grew', () => {
  let work: string;
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('corrects a response whose final line came after its partial ones were imported, and adds nothing twice', async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'baton-parity-grown-'));
    const corpus = TranscriptCorpus.write(path.join(work, 'claude'), { ...SMALL_CORPUS, seed: 11 });
    const home = path.join(work, 'home');
    mkdirSync(home);
    const env = { HOME: home, BATON_DB: path.join(work, 'baton.db'), CODEX_HOME: path.join(work, 'no-codex') };
    const importArgs = ['import', '--claude-dir', corpus.root, '--json'];
    expect((await runBaton(importArgs, env)).code).toBe(0);

    const sessions = corpus.files.filter((file) => file.kind === 'session');
    const importChanges = async (changes: Array<ReturnType<TranscriptCorpus['appendTurns']>>, filesBefore: number) => {
      const sum = (key: 'lines' | 'messages' | 'duplicates' | 'malformed' | 'corrected') =>
        changes.reduce((total, change) => total + change[key], 0);
      const run = await runBaton(importArgs, env);
      expect(run.code, run.stderr).toBe(0);
      expect(lastJsonLine<ImportSummary>(run.stdout)).toMatchObject({
        // Subagent files of the new turns.
        newFiles: corpus.files.length - filesBefore,
        linesRead: sum('lines'),
        messages: sum('messages'),
        duplicates: sum('duplicates'),
        corrected: sum('corrected'),
        malformed: sum('malformed'),
      });
      for (const zone of ZONES) await expectRecount(corpus.root, env, zone);
      return { messages: sum('messages'), corrected: sum('corrected') };
    };

    let filesBefore = corpus.files.length;
    const grown = await importChanges(
      [
        // The last session's half-written line is finished first; another's is left half-written.
        corpus.appendTurns(sessions.at(-1)!.path, 2),
        corpus.appendTurns(sessions[0]!.path, 3, { endWithPartialLine: true }),
        // This one stops after a response's partial lines: its final line comes later.
        corpus.appendTurns(sessions[1]!.path, 3, { endMidResponse: true }),
        ...sessions.slice(2, 6).map((file) => corpus.appendTurns(file.path, 1)),
      ],
      filesBefore,
    );
    expect(grown.messages).toBeGreaterThan(0);

    filesBefore = corpus.files.length;
    const finished = await importChanges(
      [corpus.appendTurns(sessions[1]!.path, 1), corpus.appendTurns(sessions[0]!.path, 1)],
      filesBefore,
    );
    // The held-back final line replaced the partial one counted in the import before.
    expect(finished.corrected).toBeGreaterThan(0);
  });
});

describe('baton usage daily against the recount over what the real claude CLI wrote', () => {
  const setUp = useScriptedWorkspaces();

  it('agree in the database Baton ran in, its own sessions linked rather than counted twice', async () => {
    const { project, env } = await setUp(toolCallScript((n) => (n === 2 ? bashCall('echo checked') : undefined)));
    const run = await runBaton(
      [
        'run',
        '--dir',
        project,
        '--prompt',
        'Tidy up the project',
        '--max-iterations',
        '3',
        '--model',
        'claude-sonnet-4-5',
        '--permission-mode',
        'bypassPermissions',
        '--json',
      ],
      env,
    );
    const task = lastJsonLine<TaskJson>(run.stdout);
    expect(task, run.stderr).toMatchObject({ status: 'max_iterations', iterations: 3 });
    // The workspace's HOME, empty: ccusage finds no other transcripts there.
    const home = env.HOME!;
    const fromRuns = await batonDaily(env, 'UTC');

    const imported = await runBaton(['import', '--claude-dir', env.CLAUDE_CONFIG_DIR!, '--json'], env);
    expect(imported.code, imported.stderr).toBe(0);
    expect(lastJsonLine<ImportSummary>(imported.stdout)).toMatchObject({ sessions: 3, malformed: 0 });

    for (const timeZone of ['UTC', 'America/Los_Angeles']) {
      const ours = await expectRecount(env.CLAUDE_CONFIG_DIR!, env, timeZone, { tokensOnly: true });
      expect(ours.daily.length).toBeGreaterThan(0);
      const theirs = await ccusage18(env.CLAUDE_CONFIG_DIR!, timeZone, home);
      expect(ours.totals.inputTokens).toBe(theirs.totals.inputTokens);
      expect(ours.totals.cacheReadTokens).toBe(theirs.totals.cacheReadTokens);
      // Every message is one of Baton's runs: linked to its session, none left as an interactive session.
      for (const row of ours.daily) {
        expect(row.bySource.interactive.totalTokens).toBe(0);
        expect(row.bySource.baton.totalTokens).toBe(row.totalTokens);
      }
    }
    // Before the import the runs' own records counted the same tokens: the transcripts replaced them.
    const after = (await batonDaily(env, 'UTC')).totals;
    for (const kind of ['inputTokens', 'outputTokens', 'cacheCreationTokens', 'cacheReadTokens'] as const) {
      expect(after[kind], kind).toBe(fromRuns.totals[kind]);
    }
  });
});
