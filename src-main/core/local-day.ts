/**
 * Local calendar days at a fixed UTC offset: the one arithmetic behind the daily budget, the
 * History figures and its daily bars, so "spent today" means the same day everywhere.
 * A "day number" counts local days since 1970-01-01; day N's local midnight is N * DAY_MS - offsetMs.
 */

export const DAY_MS = 86_400_000;

/** This process's offset from UTC at an instant, in ms east positive: the daily budget's time zone. */
export function processUtcOffsetMs(epochMs: number): number {
  return -new Date(epochMs).getTimezoneOffset() * 60_000;
}

/** The local day number of an instant. */
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

export function spendingPeriods(now: number, offsetMs: number): SpendingPeriods {
  const today = localDay(now, offsetMs);
  return {
    today: dayStart(today, offsetMs),
    week: dayStart(weekStartDay(today), offsetMs),
    month: dayStart(monthStartDay(today), offsetMs),
  };
}

/**
 * Local midnight at the start of the day `now` falls in, in this process's time zone: the daily
 * budget's day. On a day the clocks change, midnight's offset is not now's, so it is asked again.
 */
export function startOfLocalDay(now: number): number {
  const day = localDay(now, processUtcOffsetMs(now));
  const guess = dayStart(day, processUtcOffsetMs(now));
  return dayStart(day, processUtcOffsetMs(guess));
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

/** SQL for the local day number of an epoch-ms column, given the zone's segments over its values. */
export function localDaySql(column: string, segments: readonly OffsetSegment[]): string {
  const day = (offsetMs: number) => `(${column} + ${offsetMs}) / ${DAY_MS}`;
  if (segments.length === 1) return day(segments[0]!.offsetMs);
  const cases = segments.slice(0, -1).map((s) => `WHEN ${column} < ${s.until} THEN ${day(s.offsetMs)}`);
  return `CASE ${cases.join(' ')} ELSE ${day(segments.at(-1)!.offsetMs)} END`;
}

/** YYYY-MM-DD of a local day number. */
export const dayDate = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
