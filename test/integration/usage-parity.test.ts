/**
 * Baton's `usage daily` against ccusage 18's `daily`, token for token per local date and model: people
 * check Baton's figures against ccusage's, so every difference is a bug in one of them. Both run as
 * users run them, over a generated corpus with every kind of line ccusage treats in its own way, and over
 * transcripts the real claude CLI wrote during a `baton run`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportSummary } from '../../src-main/contract/usage';
import { lastJsonLine, runBaton } from '../support/baton-cli';
import { type TaskJson, useScriptedWorkspaces } from '../support/scripted-workspace';
import { bashCall, toolCallScript } from '../support/scripts';
import { localDate, SMALL_CORPUS, type Tokens, TranscriptCorpus } from '../support/transcript-corpus';

const CCUSAGE = path.resolve(__dirname, '..', '..', 'node_modules', '.bin', 'ccusage');
/** UTC, and two zones whose midnight falls at 07:00/08:00 and 18:30 UTC, so a day's messages move. */
const ZONES = ['UTC', 'America/Los_Angeles', 'Asia/Kolkata'];

interface CcusageDaily {
  daily: Array<{
    date: string;
    modelBreakdowns: Array<Tokens & { modelName: string }>;
  }>;
  totals: Tokens;
}

interface BatonDaily {
  daily: Array<Tokens & { date: string; model: string; bySource: { baton: Tokens; interactive: Tokens } }>;
  totals: Tokens;
}

/** `<date> <model>` → the four token kinds: a mismatch shows in the diff as the row and kind it is in. */
type TokenTable = Record<string, Tokens>;

const fourKinds = (t: Tokens): Tokens => ({
  inputTokens: t.inputTokens,
  outputTokens: t.outputTokens,
  cacheCreationTokens: t.cacheCreationTokens,
  cacheReadTokens: t.cacheReadTokens,
});

const tableOf = (rows: Array<Tokens & { date: string; model: string }>): TokenTable =>
  Object.fromEntries(
    rows.map((row) => [`${row.date} ${row.model}`, fourKinds(row)] as const).sort(([a], [b]) => a.localeCompare(b)),
  );

const ccusageTable = (report: CcusageDaily): TokenTable =>
  tableOf(
    report.daily.flatMap((day) => day.modelBreakdowns.map((m) => ({ ...m, date: day.date, model: m.modelName }))),
  );

/** ccusage as a user runs it, offline, reading only `configDir` (with HOME elsewhere, no ~/.claude either). */
function ccusageDaily(configDir: string, timeZone: string, home: string): Promise<CcusageDaily> {
  return new Promise((resolve, reject) => {
    execFile(
      CCUSAGE,
      ['daily', '--offline', '--json', '--timezone', timeZone],
      { env: { ...process.env, CLAUDE_CONFIG_DIR: configDir, HOME: home }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`ccusage failed: ${error.message}\n${stderr}`));
        const parsed = JSON.parse(stdout) as CcusageDaily | [];
        // With nothing to count, ccusage prints an empty list instead of its report.
        resolve(Array.isArray(parsed) ? { daily: [], totals: fourKinds(zeroTokens()) } : parsed);
      },
    );
  });
}

const zeroTokens = (): Tokens => ({ inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0 });

async function batonDaily(env: NodeJS.ProcessEnv, timeZone: string): Promise<BatonDaily> {
  const run = await runBaton(['usage', 'daily', '--json', '--timezone', timeZone], env);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as BatonDaily;
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

describe('baton usage daily and ccusage daily over a generated corpus', () => {
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
    expect(shape).toMatchObject({
      malformed: expect.toSatisfy((n: number) => n > 0),
      partialTails: expect.toSatisfy((n: number) => n > 0),
      duplicates: expect.toSatisfy((n: number) => n > 0),
      keyless: expect.toSatisfy((n: number) => n > 0),
      rejected: expect.toSatisfy((n: number) => n > 0),
      sidechain: expect.toSatisfy((n: number) => n > 0),
      synthetic: expect.toSatisfy((n: number) => n > 0),
    });
    expect(shape.models).toEqual(
      expect.arrayContaining(['<synthetic>', 'unknown', 'claude-opus-4-6-fast', 'claude-sonnet-4-5-20250929']),
    );
    for (const zone of ZONES) expect(sessionsAcrossMidnight(corpus, zone), zone).toBeGreaterThan(0);
  });

  it('imports what the generator wrote: its lines, messages, repeats and broken lines', () => {
    const shape = corpus.shape();
    expect(summary).toEqual({
      files: shape.files,
      newFiles: shape.files,
      linesRead: shape.lines,
      messages: shape.messages,
      duplicates: shape.duplicates,
      malformed: shape.malformed,
      sessions: shape.sessions,
      durationMs: expect.any(Number),
    });
  });

  it.each(ZONES)('counts the same tokens per date and model as ccusage, in %s', async (timeZone) => {
    const [theirs, ours] = await Promise.all([
      ccusageDaily(corpus.root, timeZone, env.HOME!),
      batonDaily(env, timeZone),
    ]);
    const expected = ccusageTable(theirs);
    expect(Object.keys(expected).length).toBeGreaterThan(20);
    expect(tableOf(ours.daily), 'baton usage daily against ccusage daily').toEqual(expected);
    // Totals keep `<synthetic>`, which the per-model rows leave out.
    expect(fourKinds(ours.totals)).toEqual(fourKinds(theirs.totals));
    // The generator's reading of ccusage's rules, which the corpus's claims rest on, is ccusage's.
    expect(tableOf(corpus.dailyByModel(timeZone)), 'the generator against ccusage').toEqual(expected);
  });
});

describe('baton usage daily and ccusage daily after the transcripts grew', () => {
  let work: string;
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('still agree when the second import reads only what was added', async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'baton-parity-grown-'));
    const corpus = TranscriptCorpus.write(path.join(work, 'claude'), { ...SMALL_CORPUS, seed: 11 });
    const home = path.join(work, 'home');
    mkdirSync(home);
    const env = { HOME: home, BATON_DB: path.join(work, 'baton.db'), CODEX_HOME: path.join(work, 'no-codex') };
    const importArgs = ['import', '--claude-dir', corpus.root, '--json'];
    expect((await runBaton(importArgs, env)).code).toBe(0);

    const filesBefore = corpus.files.length;
    const sessions = corpus.files.filter((file) => file.kind === 'session');
    const changes = [
      // The last session's half-written line is finished first; another's is left half-written.
      corpus.appendTurns(sessions.at(-1)!.path, 2),
      corpus.appendTurns(sessions[0]!.path, 3, { endWithPartialLine: true }),
      ...sessions.slice(1, 6).map((file) => corpus.appendTurns(file.path, 1)),
    ];
    const sum = (key: 'lines' | 'messages' | 'duplicates' | 'malformed') =>
      changes.reduce((total, change) => total + change[key], 0);
    const second = await runBaton(importArgs, env);
    expect(second.code, second.stderr).toBe(0);
    expect(lastJsonLine<ImportSummary>(second.stdout)).toMatchObject({
      // Subagent files of the new turns.
      newFiles: corpus.files.length - filesBefore,
      linesRead: sum('lines'),
      messages: sum('messages'),
      duplicates: sum('duplicates'),
      malformed: sum('malformed'),
    });
    expect(sum('messages')).toBeGreaterThan(0);

    const timeZone = 'Asia/Kolkata';
    const [theirs, ours] = await Promise.all([ccusageDaily(corpus.root, timeZone, home), batonDaily(env, timeZone)]);
    expect(tableOf(ours.daily)).toEqual(ccusageTable(theirs));
    expect(tableOf(corpus.dailyByModel(timeZone))).toEqual(ccusageTable(theirs));
  });
});

describe('baton usage daily and ccusage daily over what the real claude CLI wrote', () => {
  const setUp = useScriptedWorkspaces();

  it('agree in the database Baton ran in, its own sessions linked rather than counted twice', async () => {
    const { root, project, env } = await setUp(toolCallScript((n) => (n === 2 ? bashCall('echo checked') : undefined)));
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
    const home = path.join(root, 'home');
    mkdirSync(home);
    const fromRuns = await batonDaily(env, 'UTC');

    const imported = await runBaton(['import', '--claude-dir', env.CLAUDE_CONFIG_DIR!, '--json'], env);
    expect(imported.code, imported.stderr).toBe(0);
    expect(lastJsonLine<ImportSummary>(imported.stdout)).toMatchObject({ sessions: 3, malformed: 0 });

    for (const timeZone of ['UTC', 'America/Los_Angeles']) {
      const [theirs, ours] = await Promise.all([
        ccusageDaily(env.CLAUDE_CONFIG_DIR!, timeZone, home),
        batonDaily(env, timeZone),
      ]);
      const expected = ccusageTable(theirs);
      expect(Object.keys(expected).length).toBeGreaterThan(0);
      expect(tableOf(ours.daily), timeZone).toEqual(expected);
      expect(fourKinds(ours.totals)).toEqual(fourKinds(theirs.totals));
      // Every message is one of Baton's runs: linked to its session, none left as an interactive session.
      for (const row of ours.daily) {
        expect(fourKinds(row.bySource.interactive)).toEqual(zeroTokens());
        expect(fourKinds(row.bySource.baton)).toEqual(fourKinds(row));
      }
    }
    // Before the import the runs' own records counted the same tokens: the transcripts replaced them.
    expect(fourKinds(fromRuns.totals)).toEqual(fourKinds((await batonDaily(env, 'UTC')).totals));
  });
});
