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
