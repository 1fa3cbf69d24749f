/** Every number, cost, duration and date Baton shows, in the terminal and in the window, is formatted here, so they agree. */

const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Token counts and other integers, with en-US thousands separators: 15100 → "15,100". */
export function formatTokens(value: number): string {
  return integerFormat.format(Math.round(value));
}

export const formatInteger = formatTokens;

/** Costs: "$0.00" for zero, 4 decimals under a cent (so small sessions are not shown as free), 2 otherwise. */
export function formatCost(usd: number): string {
  if (!Number.isFinite(usd)) return '—';
  const sign = usd < 0 ? '-' : '';
  const abs = Math.abs(usd);
  if (abs === 0) return '$0.00';
  const digits = abs < 0.01 ? 4 : 2;
  const text = abs.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${sign}$${text}`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Durations: "850ms", "4.2s", "3m05s", "2h07m". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const tenths = Math.round(ms / 100) / 10;
  if (tenths < 60) return `${tenths.toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) return `${minutes}m${pad2(totalSeconds % 60)}s`;
  const hours = Math.floor(minutes / 60);
  return `${hours}h${pad2(minutes % 60)}m`;
}

/** Local date and time as "2026-11-25 14:03": sortable, unambiguous, and independent of the OS locale. */
export function formatDate(epochMs: number | null | undefined): string {
  if (epochMs === null || epochMs === undefined || !Number.isFinite(epochMs)) return '—';
  const d = new Date(epochMs);
  return `${formatDay(d)} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** A local calendar day as "YYYY-MM-DD" (the value format of <input type="date">). */
export function formatDay(d: Date): string {
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}

/** Parses "YYYY-MM-DD" as local midnight; null when empty or malformed. */
export function parseDay(value: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!match) return null;
  const [, y, m, d] = match;
  const date = new Date(Number(y), Number(m) - 1, Number(d));
  if (date.getMonth() !== Number(m) - 1) return null;
  return date.getTime();
}

/** The exact value for a data-value attribute: unrounded, no separators ("15100", "0.1627"). */
export function rawValue(value: number): string {
  return String(value);
}

/** Input + output + cache write + cache read, the same sum the store computes for totalTokens. */
export function sumTokens(usage: {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
}): number {
  return usage.inputTokens + usage.outputTokens + usage.cacheCreationTokens + usage.cacheReadTokens;
}

/** Local midnight `days` calendar days after the day of `epochMs` (DST-safe, unlike adding 24 h). */
export function addDays(epochMs: number, days: number): number {
  const d = new Date(epochMs);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + days).getTime();
}
