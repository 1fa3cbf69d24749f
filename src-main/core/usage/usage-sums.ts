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

/** A report row's figures as sums, to add into a total. */
const sumsOf = (t: UsageTokens): Sums[] =>
  t.costSources.map((source, n) => ({
    i: n === 0 ? t.inputTokens : 0,
    o: n === 0 ? t.outputTokens : 0,
    cw: n === 0 ? t.cacheCreationTokens : 0,
    cw1h: n === 0 ? t.cacheWrite1hTokens : 0,
    cr: n === 0 ? t.cacheReadTokens : 0,
    cost: n === 0 ? t.costUsd : 0,
    unknownTokens: n === 0 ? t.unknownCostTokens : 0,
    source,
  }));

export const addAll = (into: UsageTokens, from: UsageTokens) => {
  for (const sums of sumsOf(from)) add(into, sums);
};

/** Costs summed in floating point print with noise past the cent's hundredth: kept to 1e-9 dollars. */
export function settled<T extends UsageTokens>(tokens: T): T {
  tokens.costUsd = Math.round(tokens.costUsd * 1e9) / 1e9;
  return tokens;
}
