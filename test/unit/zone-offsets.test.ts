/** A zone's offsets over a span, found where they change, for reports that give SQL rows their local day. */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { dayDate, localDaySql, zoneOffsetMs, zoneOffsetSegments } from '../../src-main/core/local-day';

const HOUR = 3_600_000;

describe('zone offsets', () => {
  it('finds Los Angeles’ change to standard time at its instant, and none in Kolkata', () => {
    const from = Date.parse('2026-10-01T00:00:00Z');
    const to = Date.parse('2026-12-01T00:00:00Z');
    expect(zoneOffsetSegments('America/Los_Angeles', from, to)).toEqual([
      // 2026-11-01 02:00 PDT is 09:00 UTC.
      { until: Date.parse('2026-11-01T09:00:00Z'), offsetMs: -7 * HOUR },
      { until: Number.POSITIVE_INFINITY, offsetMs: -8 * HOUR },
    ]);
    expect(zoneOffsetSegments('Asia/Kolkata', from, to)).toEqual([
      { until: Number.POSITIVE_INFINITY, offsetMs: 5.5 * HOUR },
    ]);
  });

  it('follows a half-hour change (Lord Howe Island) and a zone of quarter hours (Kathmandu)', () => {
    const segments = zoneOffsetSegments('Australia/Lord_Howe', Date.parse('2026-09-01Z'), Date.parse('2026-11-01Z'));
    expect(segments.map((s) => s.offsetMs / HOUR)).toEqual([10.5, 11]);
    expect(zoneOffsetMs('Asia/Kathmandu', Date.parse('2026-06-01T12:34:56Z'))).toBe(5.75 * HOUR);
  });

  it('gives SQL the local day of each instant, the same as the zone’s own calendar', () => {
    const zone = 'America/Los_Angeles';
    const segments = zoneOffsetSegments(zone, Date.parse('2026-10-31Z'), Date.parse('2026-11-03Z'));
    const db = new Database(':memory:');
    const day = db.prepare(`SELECT ${localDaySql('at', segments)} AS day FROM (SELECT ? AS at)`);
    const calendar = new Intl.DateTimeFormat('en-CA', { timeZone: zone });
    // Around the change: 2026-11-01 00:00 PDT is 07:00 UTC; 2026-11-02 00:00 PST is 08:00 UTC.
    for (const at of ['2026-11-01T06:59:00Z', '2026-11-01T07:00:00Z', '2026-11-02T07:59:00Z', '2026-11-02T08:00:00Z']) {
      const instant = Date.parse(at);
      expect(dayDate((day.get(instant) as { day: number }).day), at).toBe(calendar.format(instant));
    }
    db.close();
  });
});
