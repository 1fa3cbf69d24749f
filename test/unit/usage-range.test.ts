/**
 * All usage over a range of local dates: SQL reads the facts of the range only (with a day to spare each side),
 * and each report still keeps a fact by its own local date, in zones as far from UTC as there are.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageFilter } from '../../src-main/contract/usage';
import { openDataSource } from '../../src-main/core/store/data-source';
import { UsageReports } from '../../src-main/core/usage/usage-reports';

let dir: string;
let ds: DataSource;
let reports: UsageReports;

/** One imported response of `tokens` input tokens at `iso`. */
const AT = [
  // Local 2026-12-01 00:30 in Kiritimati (UTC+14), still 2026-11-30 in UTC.
  ['2026-11-30T10:30:00Z', 1],
  // Local 2026-12-01 22:59 in Pago Pago (UTC-11), already 2026-12-02 in UTC.
  ['2026-12-02T09:59:00Z', 10],
  // Well outside any zone's 2026-12-01.
  ['2026-11-28T12:00:00Z', 100],
  ['2026-12-05T12:00:00Z', 1000],
] as const;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'baton-usage-range-'));
  ds = await openDataSource({ file: path.join(dir, 'baton.db') });
  for (const [i, [iso, tokens]] of AT.entries()) {
    await ds.query(
      `INSERT INTO usage_messages (dedup_key, agent, file_path, session_id, project, model, at, input_tokens,
         output_tokens, cache_creation_tokens, cache_read_tokens, cost_source)
       VALUES (?, 'claude', '/f', 'one-session', '/work/app', 'claude-sonnet-4-5', ?, ?, 0, 0, 0, 'estimated')`,
      [`m${i}:r${i}`, Date.parse(iso), tokens],
    );
  }
  reports = new UsageReports(ds, () => Date.parse('2026-12-10T00:00:00Z'));
});

afterAll(async () => {
  await ds.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const filter = (timeZone: string, since?: string, until?: string): UsageFilter => ({
  source: 'all',
  timeZone,
  ...(since ? { since } : {}),
  ...(until ? { until } : {}),
});

describe('All usage over a range of dates', () => {
  it('counts a fact on its local date in a zone 14 hours ahead of UTC and one 11 hours behind', () => {
    const day = (timeZone: string) => reports.periods(filter(timeZone, '2026-12-01', '2026-12-01'), 'day');
    expect(day('Pacific/Kiritimati').periods.map((p) => [p.period, p.inputTokens])).toEqual([['2026-12-01', 1]]);
    expect(day('Pacific/Pago_Pago').periods.map((p) => [p.period, p.inputTokens])).toEqual([['2026-12-01', 10]]);
    expect(reports.projects(filter('Pacific/Kiritimati', '2026-12-01', '2026-12-01'))).toMatchObject([
      { project: '/work/app', inputTokens: 1 },
    ]);
    expect(reports.blocks(filter('Pacific/Pago_Pago', '2026-12-01', '2026-12-01'))).toMatchObject([
      { inputTokens: 10, messages: 1 },
    ]);
  });

  it('gives over any range what the whole history gives on those dates', () => {
    for (const timeZone of ['UTC', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Asia/Kolkata']) {
      const all = reports.periods(filter(timeZone), 'day').periods;
      for (const [since, until] of [
        ['2026-11-28', '2026-11-30'],
        ['2026-12-01', '2026-12-02'],
        ['2026-12-02', '2026-12-05'],
        ['2026-11-01', '2026-12-31'],
      ] as const) {
        const ranged = reports.periods(filter(timeZone, since, until), 'day').periods;
        expect(ranged, `${timeZone} ${since}–${until}`).toEqual(
          all.filter((p) => p.period >= since && p.period <= until),
        );
        const blocks = reports.blocks(filter(timeZone, since, until));
        const inRange = all.filter((p) => p.period >= since && p.period <= until);
        expect(blocks.filter((b) => !b.isGap).reduce((n, b) => n + b.inputTokens, 0)).toBe(
          inRange.reduce((n, p) => n + p.inputTokens, 0),
        );
      }
    }
  });

  it('sums a session whole, however much of it falls before the range', () => {
    // The session report keeps a session by its last activity and sums all of it: the range does not cut it.
    const sessions = reports.sessions(filter('UTC', '2026-12-05', '2026-12-05'));
    expect(sessions.map((s) => [s.sessionId, s.inputTokens])).toEqual([['one-session', 1111]]);
  });
});
