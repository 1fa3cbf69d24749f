/**
 * The hand-made transcripts in test/fixtures/transcripts, imported as a user's config folder, against the
 * counts their README gives per response (the independent reference): every figure below is copied from that
 * table and summed per model by hand, and every cost is worked out by hand from the list prices in
 * /work/shared/claude-code.md ("Prices", USD per million tokens), never by Baton's own pricing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { openDataSource } from '../../src-main/core/store/data-source';
import { importTranscripts, type TranscriptDirectory } from '../../src-main/core/usage/transcript-import';
import { connectionOf } from '../../src-main/core/store/write-transaction';
import { UsageReports } from '../../src-main/core/usage/usage-reports';

const FIXTURES: TranscriptDirectory = {
  agent: 'claude',
  path: path.resolve(__dirname, '..', 'fixtures', 'transcripts'),
};

/** A fresh store per test, migrated as Baton opens its own. */
let root: string;
let store: DataSource;
beforeEach(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'baton-fixtures-'));
  store = await openDataSource({ file: path.join(root, 'baton.db'), migrations: MIGRATIONS });
});
afterEach(async () => {
  await store.destroy();
  rmSync(root, { recursive: true, force: true });
});

/** One response's final usage, as a row of the README's table gives it. */
interface Counted {
  input: number;
  output: number;
  write5m: number;
  write1h: number;
  read: number;
}

const row = (input: number, output: number, write5m: number, write1h: number, read: number): Counted => ({
  input,
  output,
  write5m,
  write1h,
  read,
});

/** The README's rows, by the name the report shows them under (fast usage under `<model>-fast`). */
const TABLE: Record<string, Counted[]> = {
  'claude-sonnet-4-5': [
    row(4, 412, 1200, 0, 18000), // file 1, Split 1
    row(5, 88, 600, 0, 19200), // file 1, Split 2
    row(6, 230, 15000, 0, 0), // file 2, Fallback 1 (its final line's model and cache)
  ],
  'claude-opus-4-5': [
    row(3, 150, 1000, 3000, 0), // file 3, Cache1h 1
    row(2, 42, 0, 2500, 4000), // file 3, Cache1h 2
    row(3, 120, 0, 2000, 10000), // file 6, Parent 1
    row(2, 40, 500, 0, 12000), // file 6, Parent 2
  ],
  'claude-opus-4-6': [
    row(4, 55, 0, 0, 9800), // file 4, Fast 2
  ],
  'claude-opus-4-6-fast': [
    row(10, 90, 800, 0, 9000), // file 4, Fast 1
  ],
  'claude-sonnet-4-20250514': [
    row(7, 1, 300, 0, 5000), // file 5, Keyless 1, line 2
    row(7, 64, 300, 0, 5000), // file 5, Keyless 1, line 3
    row(9, 30, 0, 0, 5300), // file 5, Keyless 2
  ],
  'claude-haiku-4-5': [
    row(20, 75, 3000, 0, 0), // subagent, Sub 1 (repeated in file 6)
    row(5, 33, 150, 0, 3000), // subagent, Sub 2
  ],
};

/** Fast mode has no list price, so its usage must stay unpriced. */
const UNPRICED = new Set(['claude-opus-4-6-fast']);

const sum = (rows: Counted[], key: keyof Counted) => rows.reduce((total, r) => total + r[key], 0);

/** What the daily report must show for a model: the table's rows summed, and whether it has a price. */
function expected(model: string) {
  const rows = TABLE[model] as Counted[];
  const priced = !UNPRICED.has(model);
  const all = sum(rows, 'input') + sum(rows, 'output') + sum(rows, 'write5m') + sum(rows, 'write1h');
  return {
    inputTokens: sum(rows, 'input'),
    outputTokens: sum(rows, 'output'),
    cacheCreationTokens: sum(rows, 'write5m') + sum(rows, 'write1h'),
    cacheWrite1hTokens: sum(rows, 'write1h'),
    cacheReadTokens: sum(rows, 'read'),
    totalTokens: all + sum(rows, 'read'),
    unknownCostTokens: priced ? 0 : all + sum(rows, 'read'),
    costSources: [priced ? 'estimated' : 'unknown'],
  };
}

const daily = () => new UsageReports(store).periods({ source: 'all', timeZone: 'UTC' }, 'day');

describe('the hand-made transcripts, imported', () => {
  it('count each response once at its final usage, as the README table gives them per model', async () => {
    // 24 assistant lines (5 + 2 + 3 + 3 + 3 + 5 in files 1–6, 3 in the subagent's): 14 responses counted, the
    // other 10 lines repeat one (partial lines, and the subagent's two lines again in file 6).
    expect(await importTranscripts(connectionOf(store), [FIXTURES])).toMatchObject({
      files: 7,
      messages: 14,
      duplicates: 10,
      corrected: 0,
      malformed: 0,
    });

    const { periods, totals } = daily();
    // Every line is dated 2026-11-03 (10:00 to 15:00 UTC).
    expect(new Set(periods.map((p) => p.period))).toEqual(new Set(['2026-11-03']));
    expect(periods.map((p) => p.model).sort()).toEqual(Object.keys(TABLE).sort());
    for (const model of Object.keys(TABLE)) {
      const period = periods.find((p) => p.model === model);
      expect(period, model).toMatchObject(expected(model));
      // None of it is Baton's.
      expect(period?.bySource.interactive, model).toMatchObject(expected(model));
      expect(period?.bySource.baton.totalTokens, model).toBe(0);
    }

    // The costs at the list prices per million tokens (input, output, 5m write, 1h write, read): Sonnet 4 and
    // 4.5 3 / 15 / 3.75 / 6 / 0.30, Opus 4.5–4.8 5 / 25 / 6.25 / 10 / 0.50, Haiku 4.5 1 / 5 / 1.25 / 2 / 0.10.
    const costOf = (model: string) => periods.find((p) => p.model === model)?.costUsd;
    // Sonnet 4.5: input 4+5+6, output 412+88+230, 5m 1200+600+15000, read 18000+19200.
    expect(costOf('claude-sonnet-4-5')).toBeCloseTo((15 * 3 + 730 * 15 + 16800 * 3.75 + 37200 * 0.3) / 1e6, 12);
    // Opus 4.5: input 3+2+3+2, output 150+42+120+40, 5m 1000+500, 1h 3000+2500+2000, read 4000+10000+12000.
    expect(costOf('claude-opus-4-5')).toBeCloseTo(
      (10 * 5 + 352 * 25 + 1500 * 6.25 + 7500 * 10 + 26000 * 0.5) / 1e6,
      12,
    );
    // Opus 4.6 at the normal speed: Fast 2 only.
    expect(costOf('claude-opus-4-6')).toBeCloseTo((4 * 5 + 55 * 25 + 9800 * 0.5) / 1e6, 12);
    // Fast mode has no price: nothing, and all its 10 + 90 + 800 + 9000 tokens unknown.
    expect(costOf('claude-opus-4-6-fast')).toBe(0);
    expect(periods.find((p) => p.model === 'claude-opus-4-6-fast')?.unknownCostTokens).toBe(9900);
    // Sonnet 4: input 7+7+9, output 1+64+30, 5m 300+300, read 5000+5000+5300.
    expect(costOf('claude-sonnet-4-20250514')).toBeCloseTo((23 * 3 + 95 * 15 + 600 * 3.75 + 15300 * 0.3) / 1e6, 12);
    // Haiku 4.5: input 20+5, output 75+33, 5m 3000+150, read 3000.
    expect(costOf('claude-haiku-4-5')).toBeCloseTo((25 * 1 + 108 * 5 + 3150 * 1.25 + 3000 * 0.1) / 1e6, 12);
    // The README's sums over all files.
    expect(totals).toMatchObject({
      inputTokens: 87,
      outputTokens: 1430,
      cacheCreationTokens: 30350,
      cacheWrite1hTokens: 7500,
      cacheReadTokens: 100300,
      unknownCostTokens: 9900,
    });
    expect(totals.costSources.sort()).toEqual(['estimated', 'unknown']);
    expect(totals.costUsd).toBeCloseTo((85155 + 106225 + 6295 + 8334 + 4802.5) / 1e6, 9);
  });

  it('adds nothing when imported again, whether the files are unchanged or read afresh', async () => {
    await importTranscripts(connectionOf(store), [FIXTURES]);
    const before = daily();
    expect(await importTranscripts(connectionOf(store), [FIXTURES])).toMatchObject({
      linesRead: 0,
      messages: 0,
      corrected: 0,
    });
    expect(daily()).toEqual(before);

    // A store that forgot which files it read reads every line again, and knows every response by its key.
    await store.query(`DELETE FROM transcript_files`);
    expect(await importTranscripts(connectionOf(store), [FIXTURES])).toMatchObject({
      messages: 0,
      corrected: 0,
      duplicates: 24,
    });
    expect(daily()).toEqual(before);
  });
});
