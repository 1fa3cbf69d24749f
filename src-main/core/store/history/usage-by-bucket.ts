/**
 * Usage per local day, week or month of an IANA zone, exact in any zone, from sums by UTC day and, where a
 * UTC day falls in more than one bucket, sums by UTC quarter hour.
 *
 * Every zone's offset is a whole number of quarter hours (and changes at a quarter hour), so a quarter hour
 * lies in one local day. Each UTC day's sums go to the bucket most of its quarter hours fall in; the quarter
 * hours that fall in another bucket are then read on their own and moved there. At UTC nothing moves; eight
 * hours away, a third of a day moves at each bucket's start (every day, for day buckets).
 */
import { QUARTER_HOUR_MS } from '../../../../migrations/1764030000019-history-rollups';
import type { HistoryBucket } from '../../../contract/api';
import { DAY_MS, localDayIn, zoneOffsetSegments } from '../../local-day';
import { bucketStart } from './buckets';

const QUARTERS_PER_DAY = DAY_MS / QUARTER_HOUR_MS;

/** What a group of sessions adds up to. */
export interface UsageSums {
  sessions: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  /** The tokens of the sessions whose cost is unknown (stored as 0). */
  unknownCostTokens: number;
}

/** Sums of sessions of one model, project and agent in one time unit: a UTC day, or a UTC quarter hour. */
export interface UsageRow extends UsageSums {
  /** The day or quarter hour number: its start is `unit` times its length, in epoch ms. */
  unit: number;
  /** As stored: '' where neither the session nor its task names one. */
  model: string;
  project: string;
  agent: string;
}

/** Quarter hours [from, to), by their numbers. */
export interface QuarterRange {
  from: number;
  to: number;
}

export interface PartSums {
  costUsd: number;
  sessions: number;
}

export interface BucketUsage extends UsageSums {
  byModel: Map<string, PartSums>;
  byProject: Map<string, PartSums>;
}

export interface UsageByBucket {
  /** By the bucket's first local day. */
  buckets: Map<number, BucketUsage>;
  /** The first local days of the first and last buckets that have sessions; undefined when none has. */
  first?: number;
  last?: number;
}

export const SUM_KEYS = [
  'sessions',
  'costUsd',
  'inputTokens',
  'outputTokens',
  'cacheCreationTokens',
  'cacheReadTokens',
  'unknownCostTokens',
] as const satisfies ReadonlyArray<keyof UsageSums>;

export const zeroSums = (): UsageSums => ({
  sessions: 0,
  costUsd: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheCreationTokens: 0,
  cacheReadTokens: 0,
  unknownCostTokens: 0,
});

/** Adds `row` to `into`, times `sign`. */
export function addSums(into: UsageSums, row: UsageSums, sign = 1): void {
  for (const key of SUM_KEYS) into[key] += sign * row[key];
}

function addPart(parts: Map<string, PartSums>, key: string, row: UsageSums, sign: number): void {
  const part = parts.get(key) ?? { costUsd: 0, sessions: 0 };
  part.costUsd += sign * row.costUsd;
  part.sessions += sign * row.sessions;
  parts.set(key, part);
}

/** Where a UTC day's sums go: the bucket most of its quarter hours are in, and the quarter hours in others. */
interface DayPlan {
  bucket: number;
  moved: QuarterRange[];
}

/** Each UTC day's plan, and the bucket of any quarter hour in those days. */
function planDays(
  days: Iterable<number>,
  timeZone: string,
  bucket: HistoryBucket,
): { plans: Map<number, DayPlan>; bucketOfQuarter: (quarter: number) => number } {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  const plans = new Map<number, DayPlan>();
  const from = (sorted[0] ?? 0) * DAY_MS;
  const segments = zoneOffsetSegments(timeZone, from, sorted.length > 0 ? (sorted.at(-1)! + 1) * DAY_MS : from);
  const localDay = localDayIn(segments);
  const bucketOfQuarter = (quarter: number) => bucketStart(localDay(quarter * QUARTER_HOUR_MS), bucket);
  const changes = segments.slice(0, -1).map((s) => s.until);
  for (const day of sorted) {
    const firstQuarter = day * QUARTERS_PER_DAY;
    const lastQuarter = firstQuarter + QUARTERS_PER_DAY - 1;
    const first = bucketOfQuarter(firstQuarter);
    // At one offset the local day only grows through the day: one bucket at both ends is one bucket throughout.
    const offsetChanges = changes.some((at) => at > day * DAY_MS && at < (day + 1) * DAY_MS);
    if (!offsetChanges && bucketOfQuarter(lastQuarter) === first) {
      plans.set(day, { bucket: first, moved: [] });
      continue;
    }
    const quarters = Array.from({ length: QUARTERS_PER_DAY }, (_, i) => bucketOfQuarter(firstQuarter + i));
    const counts = new Map<number, number>();
    for (const b of quarters) counts.set(b, (counts.get(b) ?? 0) + 1);
    const main = [...counts.entries()].reduce((best, entry) => (entry[1] > best[1] ? entry : best))[0];
    const moved: QuarterRange[] = [];
    quarters.forEach((b, i) => {
      if (b === main) return;
      const last = moved.at(-1);
      if (last && last.to === firstQuarter + i) last.to++;
      else moved.push({ from: firstQuarter + i, to: firstQuarter + i + 1 });
    });
    plans.set(day, { bucket: main, moved });
  }
  return { plans, bucketOfQuarter };
}

/**
 * `days`: the sums by UTC day. `quarters`: the sums by UTC quarter hour of the same sessions, within the
 * ranges asked (called once, and only when some day falls in two buckets).
 */
export function usageByBucket(
  days: readonly UsageRow[],
  quarters: (ranges: QuarterRange[]) => UsageRow[],
  timeZone: string,
  bucket: HistoryBucket,
): UsageByBucket {
  const { plans, bucketOfQuarter } = planDays(
    days.map((row) => row.unit),
    timeZone,
    bucket,
  );
  const buckets = new Map<number, BucketUsage>();
  const add = (start: number, row: UsageRow, sign: number) => {
    let usage = buckets.get(start);
    if (!usage) buckets.set(start, (usage = { ...zeroSums(), byModel: new Map(), byProject: new Map() }));
    addSums(usage, row, sign);
    addPart(usage.byModel, row.model, row, sign);
    addPart(usage.byProject, row.project, row, sign);
  };
  for (const row of days) add(plans.get(row.unit)!.bucket, row, 1);
  const moved = [...plans.values()].flatMap((plan) => plan.moved);
  if (moved.length > 0) {
    for (const row of quarters(moved)) {
      const plan = plans.get(Math.floor(row.unit / QUARTERS_PER_DAY));
      if (!plan) continue;
      add(plan.bucket, row, -1);
      add(bucketOfQuarter(row.unit), row, 1);
    }
  }
  const withSessions = [...buckets.entries()].filter(([, usage]) => usage.sessions > 0).map(([start]) => start);
  return {
    buckets,
    first: withSessions.length > 0 ? Math.min(...withSessions) : undefined,
    last: withSessions.length > 0 ? Math.max(...withSessions) : undefined,
  };
}
