/**
 * The numbers of format.ts (which re-exports them: it is the one formatter): counts, costs and durations.
 * A module of its own, with no imports, for the import command's quick start (cli/quick-import.ts), which
 * prints its summary without loading the contract's schemas.
 */

// Intl only where it is needed: building a NumberFormat loads ICU's number data, which costs a short command
// (`baton import`) a fifth of its time.
let integerFormat: Intl.NumberFormat | undefined;

/** Token counts and other integers, with en-US thousands separators: 15100 → "15,100". */
export function formatTokens(value: number): string {
  const rounded = Math.round(value);
  if (Number.isSafeInteger(rounded)) return String(rounded).replace(/\B(?=(\d{3})+$)/g, ',');
  integerFormat ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  return integerFormat.format(rounded);
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

/** A price per million tokens: cents always, and up to four decimals where a rate has them ($0.125, $0.0375). */
export function formatRate(usdPerMTok: number): string {
  if (!Number.isFinite(usdPerMTok)) return '—';
  return `$${usdPerMTok.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 })}`;
}

/**
 * Costs set beside each other (a spend and its budget, the agent's figure and the computed one): four decimals
 * below a dollar, so two figures a rounding would show alike are told apart ($0.0250, $0.0300); formatCost above.
 */
export function formatPreciseCost(usd: number): string {
  if (!Number.isFinite(usd) || Math.abs(usd) >= 1) return formatCost(usd);
  return `${usd < 0 ? '-' : ''}$${Math.abs(usd).toFixed(4)}`;
}

/** What a cost of unknown price reads as, in the window and the terminal alike. */
export const UNKNOWN_COST_TEXT = 'unknown';

/**
 * A cost some of whose tokens have no known price: "$0.42 + unknown" (the known part, and that more was spent),
 * "unknown" when nothing of it is known, the known sum alone when every token is priced. `knownTokens` is how many
 * tokens had a price; where it is not known, a known cost of 0 with unknown tokens reads "unknown".
 */
export function formatCostWithUnknown(usd: number, unknownTokens: number, knownTokens?: number): string {
  if (!(unknownTokens > 0)) return formatCost(usd);
  const nothingKnown = knownTokens === undefined ? usd === 0 : knownTokens <= 0;
  return nothingKnown ? UNKNOWN_COST_TEXT : `${formatCost(usd)} + ${UNKNOWN_COST_TEXT}`;
}

/** "12,000 tokens have no known cost": the one wording for what a cost with "+ unknown" leaves out. */
export function describeUnknownCostTokens(tokens: number): string {
  return `${formatTokens(tokens)} ${tokens === 1 ? 'token has' : 'tokens have'} no known cost`;
}

export const pad2 = (n: number): string => String(n).padStart(2, '0');

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

/** A position in a recording, as players show it: "0:07", "12:34", "1:02:03" (whole seconds, rounded down). */
export function formatElapsed(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const totalSeconds = Math.floor(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = pad2(totalSeconds % 60);
  return minutes < 60 ? `${minutes}:${seconds}` : `${Math.floor(minutes / 60)}:${pad2(minutes % 60)}:${seconds}`;
}

/** "1 iteration", "2 iterations", "1,204 tokens": a count with its noun in the right number. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatInteger(count)} ${count === 1 ? singular : pluralForm}`;
}
