/** Figures as charts print them: compact axis ticks, shares of a whole, and period labels. */
import type { HistoryBucket } from './api';

// Axis ticks. Ticks are "nice" numbers (1, 2, 2.5, 5 × 10^n), so each is printed with as few
// decimals as show it exactly: 0.025 stays $0.025, never $0.03.

/** The fewest decimals (up to `max`) that print `value` exactly, float noise aside. */
function exactDecimals(value: number, max: number): number {
  for (let d = 0; d < max; d++) {
    const rounded = Number(value.toFixed(d));
    if (Math.abs(rounded - value) <= Math.abs(value) * 1e-9) return d;
  }
  return max;
}

function compactNumber(abs: number, maxDecimals: number): string {
  const units: Array<[string, number]> = [
    ['B', 1e9],
    ['M', 1e6],
    ['k', 1e3],
  ];
  for (const [unit, size] of units) {
    if (abs >= size) {
      const scaled = abs / size;
      return `${scaled.toFixed(exactDecimals(scaled, 3))}${unit}`;
    }
  }
  return abs.toFixed(exactDecimals(abs, maxDecimals));
}

/** Token counts on an axis: 950, 1.2k, 15k, 1.25M, 2B. */
export function compactTokens(value: number): string {
  if (!Number.isFinite(value)) return '';
  if (value === 0) return '0';
  return `${value < 0 ? '-' : ''}${compactNumber(Math.abs(value), 2)}`;
}

/** Costs on an axis: $0, $0.025, $0.50, $1, $12.50, $1.5k. */
export function compactCost(value: number): string {
  if (!Number.isFinite(value)) return '';
  if (value === 0) return '$0';
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  if (abs >= 1000) return `${sign}$${compactNumber(abs, 0)}`;
  let decimals = exactDecimals(abs, 6);
  // Money reads as cents: $0.50, not $0.5.
  if (decimals === 1) decimals = 2;
  return `${sign}$${abs.toFixed(decimals)}`;
}

/** A part of a whole as a percentage: "12.5%", "<0.1%", ">99.9%", "100%"; "—" for a whole of 0. */
export function formatShare(part: number, whole: number): string {
  if (!(whole > 0) || !Number.isFinite(part)) return '—';
  const percent = (part / whole) * 100;
  if (percent <= 0) return '0%';
  if (percent < 0.1) return '<0.1%';
  if (percent >= 100) return '100%';
  if (percent > 99.9) return '>99.9%';
  return `${percent.toFixed(1)}%`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A period of the cost series as an axis tick ("Nov 24", "Nov 2026") or in full ("Week of 2026-11-23"). */
export function periodLabel(period: string, bucket: HistoryBucket, form: 'tick' | 'full'): string {
  const [year, month, day] = period.split('-');
  const monthName = MONTHS[Number(month) - 1] ?? month;
  if (bucket === 'month') return `${monthName} ${year}`;
  if (form === 'tick') return `${monthName} ${Number(day)}`;
  return bucket === 'week' ? `Week of ${period}` : period;
}
