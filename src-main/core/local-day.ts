/**
 * The one time zone arithmetic: local calendar days in an IANA zone, behind the daily budget, History's
 * figures, day buckets and ranges, and All usage, so "today" and "that day" mean the same everywhere.
 * A "day number" counts local days since 1970-01-01; at a fixed offset day N's local midnight is
 * N * DAY_MS - offsetMs, and a zone's offset is asked at the instant in question (it changes with DST).
 */

export const DAY_MS = 86_400_000;

/** The zone of this process (the service's own): the default wherever no zone was asked for. */
export const serviceTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** The local day number of an instant at a fixed offset. */
export function localDay(epochMs: number, offsetMs: number): number {
  return Math.floor((epochMs + offsetMs) / DAY_MS);
}

/** Local midnight, as epoch ms, of a day number. */
export function dayStart(day: number, offsetMs: number): number {
  return day * DAY_MS - offsetMs;
}

/** The Monday of the day's week (1970-01-01, day 0, was a Thursday). */
export function weekStartDay(day: number): number {
  return day - ((((day + 3) % 7) + 7) % 7);
}

export function monthStartDay(day: number): number {
  const d = new Date(day * DAY_MS);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / DAY_MS;
}

/** Where today, this week (from Monday) and this month began, as epoch ms. */
export interface SpendingPeriods {
  today: number;
  week: number;
  month: number;
}

/** Where today, this week (from Monday) and this month began in the zone, as epoch ms. */
export function spendingPeriods(now: number, timeZone: string): SpendingPeriods {
  const today = zoneDay(timeZone, now);
  return {
    today: zoneDayStart(timeZone, today),
    week: zoneDayStart(timeZone, weekStartDay(today)),
    month: zoneDayStart(timeZone, monthStartDay(today)),
  };
}

/** The zone's local day number of an instant. */
export function zoneDay(timeZone: string, at: number): number {
  return localDay(at, zoneOffsetMs(timeZone, at));
}

/**
 * The first instant (epoch ms) of a local day in the zone. Midnight's offset may not be the one a day
 * earlier or later (the clocks change), so it is asked at a first guess; where the clocks skip midnight
 * itself (Santiago, 00:00 to 01:00), that lands in the day before, and the day begins at the guess.
 */
export function zoneDayStart(timeZone: string, day: number): number {
  const guess = dayStart(day, zoneOffsetMs(timeZone, day * DAY_MS));
  const start = dayStart(day, zoneOffsetMs(timeZone, guess));
  return zoneDay(timeZone, start) === day ? start : guess;
}

/** Local midnight at the start of the day `now` falls in, in the zone. */
export function startOfZoneDay(timeZone: string, now: number): number {
  return zoneDayStart(timeZone, zoneDay(timeZone, now));
}

/** A time zone's offset from UTC over a span: `offsetMs` holds from the previous segment's `until` to its own. */
export interface OffsetSegment {
  /** The first instant (epoch ms) the next offset holds; Infinity for the last segment. */
  until: number;
  offsetMs: number;
}

const QUARTER_HOUR_MS = 15 * 60_000;
const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** A named zone's offset from UTC at an instant, in ms east positive. */
export function zoneOffsetMs(timeZone: string, at: number): number {
  let format = zoneFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    zoneFormats.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(at)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const local = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!);
  return local - (at - (((at % 60_000) + 60_000) % 60_000));
}

/**
 * The zone's offsets between two instants, found by a step of a day and a search down to the quarter hour
 * where the offset changes (every zone changes at a whole quarter hour). So SQL can give each row its local
 * day with a CASE over a few segments instead of returning one row per quarter hour.
 */
export function zoneOffsetSegments(timeZone: string, from: number, to: number): OffsetSegment[] {
  const segments: OffsetSegment[] = [];
  let at = Math.floor(from / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
  let offset = zoneOffsetMs(timeZone, at);
  while (at < to) {
    const next = Math.min(at + DAY_MS, Math.ceil(to / QUARTER_HOUR_MS) * QUARTER_HOUR_MS);
    if (zoneOffsetMs(timeZone, next) === offset) {
      at = next;
      continue;
    }
    let [low, high] = [at, next]; // the offset is `offset` at low and another at high
    while (high - low > QUARTER_HOUR_MS) {
      const middle = low + Math.floor((high - low) / 2 / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
      if (zoneOffsetMs(timeZone, middle) === offset) low = middle;
      else high = middle;
    }
    segments.push({ until: high, offsetMs: offset });
    at = high;
    offset = zoneOffsetMs(timeZone, high);
  }
  segments.push({ until: Number.POSITIVE_INFINITY, offsetMs: offset });
  return segments;
}

/** The local day number of an instant, from the zone's segments over the instants asked about (see above). */
export function localDayIn(segments: readonly OffsetSegment[]): (at: number) => number {
  return (at) => {
    // The first segment whose `until` is after the instant; the last one's is Infinity.
    let [low, high] = [0, segments.length - 1];
    while (low < high) {
      const middle = (low + high) >> 1;
      if (segments[middle]!.until > at) high = middle;
      else low = middle + 1;
    }
    return localDay(at, segments[low]!.offsetMs);
  };
}

/**
 * Days added before SQLite's integer division (which truncates toward zero) and taken off after,
 * so a local day number is a true floor even for a time the offset puts before 1970.
 */
const BIAS_DAYS = 100_000;

/** SQL for the local day number of an epoch-ms column, given the zone's segments over its values. */
export function localDaySql(column: string, segments: readonly OffsetSegment[]): string {
  const day = (offsetMs: number) => `((${column} + ${offsetMs + BIAS_DAYS * DAY_MS}) / ${DAY_MS} - ${BIAS_DAYS})`;
  if (segments.length === 1) return day(segments[0]!.offsetMs);
  const cases = segments.slice(0, -1).map((s) => `WHEN ${column} < ${s.until} THEN ${day(s.offsetMs)}`);
  return `CASE ${cases.join(' ')} ELSE ${day(segments.at(-1)!.offsetMs)} END`;
}

/** SQL for the zone's local day number of an epoch-ms column whose values lie (mostly) from `from` to `to`. */
export function zoneDaySql(column: string, timeZone: string, from: number, to: number): string {
  return localDaySql(column, zoneOffsetSegments(timeZone, from, to));
}

/** YYYY-MM-DD of a local day number. */
export const dayDate = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
