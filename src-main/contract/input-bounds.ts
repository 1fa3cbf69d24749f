/**
 * The bounds every contract input shares. An input past them is refused at
 * the boundary, by field, rather than reaching a query, a loop or a spawn
 * that fails on it (or runs for seconds first).
 */
import { z } from 'zod';

/** The longest path Baton takes: Linux's PATH_MAX, past which no call on the path can succeed. */
export const MAX_PATH_CHARS = 4096;

/**
 * The latest time an input may name, 9999-01-01 UTC: past any record, and early enough that every local day
 * of it (±14 hours) is still a four-digit year, as dates in views, file names and SQL are written.
 */
export const MAX_EPOCH_MS = Date.UTC(9999, 0, 1);

/** The highest iteration number an input may name: far past any task's (1000 iterations, plus quota turn-aways). */
export const MAX_ITERATION = 1_000_000;

/** The furthest into a list a page may start: far past any database's count of tasks. */
export const MAX_LIST_OFFSET = 10_000_000;

/** No file name, argument, command or SQLite text can hold a NUL byte; one in an input can only fail further in. */
export const hasNoNul = (text: string): boolean => !text.includes('\0');
export const nulMessage = (what: string): string => `${what} must not contain a NUL byte (\\0)`;

/**
 * Text of at most `max` characters without a NUL byte; `what` names it in the messages ("the path").
 * With `trim`, the bound is on the text trimmed.
 */
export function boundedText(what: string, max: number, { trim = false } = {}) {
  const text = z.string({ error: `${what} must be text` });
  return (trim ? text.trim() : text)
    .max(max, `${what} must be at most ${max} characters`)
    .refine(hasNoNul, nulMessage(what));
}

/** A time as epoch milliseconds, from 1970 to MAX_EPOCH_MS; `what` names it in the messages ("the end"). */
export function epochMsInput(what: string) {
  const range = `${what} must be a time from 1970 to the year 9999, in milliseconds since 1970 (UTC)`;
  return z
    .number({ error: range })
    .int(`${what} must be a whole number of milliseconds`)
    .min(0, range)
    .max(MAX_EPOCH_MS, range);
}

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether "YYYY-MM-DD" is a day of the calendar (not 2024-02-30) from 1970 to 9999. */
export function isCalendarDay(text: string): boolean {
  const match = DAY_PATTERN.exec(text);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return year >= 1970 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
