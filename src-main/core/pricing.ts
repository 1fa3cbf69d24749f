/**
 * Built-in prices, for iterations cut off before the agent reported its own
 * cost. USD per million tokens; cache writes are priced at the 5-minute rate,
 * which is what Claude Code uses by default.
 */
import type { TokenUsage } from '../contract/agent-events';

export interface ModelPrice {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

// Most specific pattern first: "opus-4-1" must not fall into "opus-4".
const PRICES: Array<[RegExp, ModelPrice]> = [
  [/opus-4-[5-9]/, { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 }],
  [/opus-4/, { input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 }],
  [/sonnet-5/, { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.2 }],
  [/sonnet-4/, { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 }],
  [/haiku-4-5/, { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 }],
];

/** Claude Code's default model family, for sessions whose model was never reported. */
const FALLBACK = PRICES.find(([pattern]) => pattern.source === 'sonnet-4')?.[1] as ModelPrice;

function listedPriceOf(model: string | null | undefined): ModelPrice | undefined {
  const name = (model ?? '').toLowerCase().replace(/\./g, '-');
  return PRICES.find(([pattern]) => pattern.test(name))?.[1];
}

export function priceOf(model: string | null | undefined): ModelPrice {
  return listedPriceOf(model) ?? FALLBACK;
}

/** Whether the table lists the model's family; priceOf falls back to a default for the rest. */
export function hasKnownPrice(model: string | null | undefined): boolean {
  return listedPriceOf(model) !== undefined;
}

export function estimateCostUsd(model: string | null | undefined, usage: TokenUsage): number {
  const price = priceOf(model);
  return (
    (usage.inputTokens * price.input +
      usage.outputTokens * price.output +
      usage.cacheCreationTokens * price.cacheWrite +
      usage.cacheReadTokens * price.cacheRead) /
    1_000_000
  );
}
