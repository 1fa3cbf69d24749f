/**
 * Model prices, in USD per million tokens, from `@pydantic/genai-prices`: maintained data that ships inside the
 * package (no network at run time). A model the data does not know has no price: it is never priced as another
 * family's. The user's overrides (the settings' `modelPrices`) win over the data and add models it lacks.
 */
import { calcPrice, type ModelPrice as DataPrice } from '@pydantic/genai-prices';
import type { TokenUsage } from '../contract/agent-events';
import type { AgentKind } from '../contract/task-spec';
import type { ModelPrices } from '../contract/views';

export interface ModelPrice {
  input: number;
  output: number;
  /** Anthropic's 5-minute rate, which Claude Code uses by default. */
  cacheWrite: number;
  cacheRead: number;
}

/** Where each agent's models are priced; a name its provider does not list is then looked up by the name alone. */
const PROVIDER_OF: Record<AgentKind, string> = { claude: 'anthropic', codex: 'openai', gemini: 'google' };

/**
 * The base (first-tier) rate of a price. Tiers are per request (Sonnet 4.5 above 200k input tokens), and a
 * session's tokens are sums over many requests, so a session's total says nothing of any one request's tier.
 */
function baseRate(value: DataPrice[string]): number | undefined {
  if (typeof value === 'number') return value;
  return value?.base;
}

function fromData(model: string, providerId: string | undefined): ModelPrice | undefined {
  const found = calcPrice({}, model, providerId === undefined ? undefined : { providerId });
  if (!found) return undefined;
  const input = baseRate(found.model_price.input_mtok);
  const output = baseRate(found.model_price.output_mtok);
  if (input === undefined || output === undefined) return undefined;
  // The data counts cache tokens inside input: a kind without a rate of its own is charged as input.
  return {
    input,
    output,
    cacheWrite: baseRate(found.model_price.cache_write_mtok) ?? input,
    cacheRead: baseRate(found.model_price.cache_read_mtok) ?? input,
  };
}

/** Looked up on every usage event of a stream, so each name is matched against the data once. */
const dataPrices = new Map<string, ModelPrice | null>();

function dataPriceFor(model: string, agent: AgentKind | undefined): ModelPrice | undefined {
  const key = `${agent ?? ''}\u0000${model}`;
  let price = dataPrices.get(key);
  if (price === undefined) {
    price = (agent && fromData(model, PROVIDER_OF[agent])) || fromData(model, undefined) || null;
    dataPrices.set(key, price);
  }
  return price ?? undefined;
}

const normalized = (model: string) => model.trim().toLowerCase();

/**
 * The model's prices: the user's override for that name (compared without case), else the data's; undefined
 * for a model neither knows, and for a session whose model was never reported.
 */
export function priceFor(
  model: string | null | undefined,
  agent?: AgentKind,
  overrides: ModelPrices = {},
): ModelPrice | undefined {
  if (!model?.trim()) return undefined;
  const name = normalized(model);
  for (const [key, price] of Object.entries(overrides)) if (normalized(key) === name) return price;
  return dataPriceFor(name, agent);
}

/** The tokens at the model's list prices; null where its prices are unknown. */
export function costAt(price: ModelPrice | undefined, usage: TokenUsage): number | null {
  if (!price) return null;
  return (
    (usage.inputTokens * price.input +
      usage.outputTokens * price.output +
      usage.cacheCreationTokens * price.cacheWrite +
      usage.cacheReadTokens * price.cacheRead) /
    1_000_000
  );
}

export function estimateCostUsd(
  model: string | null | undefined,
  usage: TokenUsage,
  agent?: AgentKind,
  overrides?: ModelPrices,
): number | null {
  return costAt(priceFor(model, agent, overrides), usage);
}

/** Prices with one set of overrides and one agent, as a task run uses them. */
export interface Pricing {
  priceFor(model: string | null | undefined): ModelPrice | undefined;
  costOf(model: string | null | undefined, usage: TokenUsage): number | null;
}

export function pricingWith(overrides: ModelPrices, agent?: AgentKind): Pricing {
  return {
    priceFor: (model) => priceFor(model, agent, overrides),
    costOf: (model, usage) => estimateCostUsd(model, usage, agent, overrides),
  };
}
