/** Usage figures added up: priced sums of facts into report rows, and rows into totals. */
import type { UsageTokens } from '../../contract/usage';
import type { CostSource } from '../../contract/views';

/** ccusage leaves this model out of its per-model figures; its tokens stay in the totals. */
export const SYNTHETIC_MODEL = '<synthetic>';

/** A priced sum of facts. */
export interface Sums {
  i: number;
  o: number;
  cw: number;
  cw1h: number;
  cr: number;
  cost: number;
  unknownTokens: number;
  source: CostSource;
}

export const zeroTokens = (): UsageTokens => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheCreationTokens: 0,
  cacheWrite1hTokens: 0,
  cacheReadTokens: 0,
  totalTokens: 0,
  costUsd: 0,
  unknownCostTokens: 0,
  costSources: [],
});

export function add(into: UsageTokens, sums: Sums): void {
  into.inputTokens += sums.i;
  into.outputTokens += sums.o;
  into.cacheCreationTokens += sums.cw;
  into.cacheWrite1hTokens += sums.cw1h;
  into.cacheReadTokens += sums.cr;
  into.totalTokens += sums.i + sums.o + sums.cw + sums.cr;
  into.costUsd += sums.cost;
  into.unknownCostTokens += sums.unknownTokens;
  if (!into.costSources.includes(sums.source)) into.costSources.push(sums.source);
}

/** A report row added into a total. */
export function addAll(into: UsageTokens, from: UsageTokens): void {
  into.inputTokens += from.inputTokens;
  into.outputTokens += from.outputTokens;
  into.cacheCreationTokens += from.cacheCreationTokens;
  into.cacheWrite1hTokens += from.cacheWrite1hTokens;
  into.cacheReadTokens += from.cacheReadTokens;
  into.totalTokens += from.totalTokens;
  into.costUsd += from.costUsd;
  into.unknownCostTokens += from.unknownCostTokens;
  for (const source of from.costSources) if (!into.costSources.includes(source)) into.costSources.push(source);
}

/** Costs summed in floating point print with noise past the cent's hundredth: kept to 1e-9 dollars. */
export function settled<T extends UsageTokens>(tokens: T): T {
  tokens.costUsd = Math.round(tokens.costUsd * 1e9) / 1e9;
  return tokens;
}
