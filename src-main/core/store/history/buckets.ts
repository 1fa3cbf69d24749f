/** History's time buckets: a local day, a week from Monday or a month, by the span shown. */
import type { HistoryBucket } from '../../../contract/api';
import { DAY_MS, dayDate, monthStartDay, weekStartDay } from '../../local-day';

/** Beyond this many buckets a zero-filled series is cut to the buckets that have sessions. */
export const MAX_BUCKETS = 1000;

export function bucketFor(spanMs: number): HistoryBucket {
  if (spanMs <= 120 * DAY_MS) return 'day';
  if (spanMs <= 3 * 365 * DAY_MS) return 'week';
  return 'month';
}

/** The first local day of the bucket a local day falls in. */
export function bucketStart(day: number, bucket: HistoryBucket): number {
  if (bucket === 'day') return day;
  return bucket === 'week' ? weekStartDay(day) : monthStartDay(day);
}

/** The label of the bucket a day falls in. */
export function bucketLabel(day: number, bucket: HistoryBucket): string {
  const date = dayDate(bucketStart(day, bucket));
  return bucket === 'month' ? date.slice(0, 7) : date;
}

/** The labels of every bucket from the one holding `firstDay` to the one holding `lastDay`, in order. */
export function bucketLabels(firstDay: number, lastDay: number, bucket: HistoryBucket): string[] {
  const labels: string[] = [];
  if (bucket === 'month') {
    const first = new Date(firstDay * DAY_MS);
    for (let m = 0; ; m++) {
      const day = Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + m, 1) / DAY_MS;
      if (day > lastDay) break;
      labels.push(dayDate(day).slice(0, 7));
    }
    return labels;
  }
  const step = bucket === 'week' ? 7 : 1;
  for (let day = bucketStart(firstDay, bucket); day <= lastDay; day += step) labels.push(dayDate(day));
  return labels;
}
