/**
 * Model prices, in USD per million tokens, from `@pydantic/genai-prices`: maintained data that ships inside the
 * package (no network at run time). A model the data does not know has no price: it is never priced as another
 * family's. The user's overrides (the settings' `modelPrices`) win over the data and add models it lacks.
 *
 * What was really served is priced: 5-minute and 1-hour cache writes at their own rates, a request above a
 * long-context threshold at that tier's rates (the whole request, as the API bills it), and fast mode only at
 * a fast rate — the data has none today, so fast usage is unpriced unless the user sets `<model>-fast`.
 */
import { calcPrice, findProvider, type ModelPrice as DataPrice } from '@pydantic/genai-prices';
import type { TokenUsage } from '../contract/agent-events';
import { FAST_SUFFIX, modelAtSpeed, modelName, type ServiceSpeed } from '../contract/models';
import type { AgentKind } from '../contract/task-spec';
import type { ModelPrices } from '../contract/views';

export interface Rates {
  input: number;
  output: number;
  /** The 5-minute rate, Claude Code's default. */
  cacheWrite: number;
  /** The 1-hour rate (2× input on Anthropic's list). */
  cacheWrite1h: number;
  cacheRead: number;
}

export interface ModelPrice extends Rates {
  /** Rates for a request whose input side (input + cache writes + cache reads) is above `above` tokens. */
  tiers?: Array<{ above: number; rates: Rates }>;
}

/** How a request was served, where it changes the rate. */
export interface ServedAs {
  speed?: ServiceSpeed;
  /** The request's input side, for long-context tiers; 0 (the base rate) for sums over many requests. */
  contextTokens?: number;
}

/** Where each agent's models are priced; a name its provider does not list is then looked up by the name alone. */
const PROVIDER_OF: Record<AgentKind, string> = { claude: 'anthropic', codex: 'openai', gemini: 'google' };

type DataValue = DataPrice[string];
const baseOf = (value: DataValue): number | undefined => (typeof value === 'number' ? value : value?.base);

/** The rates of one tier start (0 for the base), each kind falling back as the data means it. */
function ratesAt(price: DataPrice, start: number): Rates | undefined {
  const at = (value: DataValue): number | undefined => {
    if (value === undefined || typeof value === 'number') return value;
    let rate = value.base;
    for (const tier of value.tiers) if (start > tier.start) rate = tier.price;
    return rate;
  };
  const input = at(price.input_mtok);
  const output = at(price.output_mtok);
  if (input === undefined || output === undefined) return undefined;
  // The data counts cache tokens inside input: a kind without a rate of its own is charged as input.
  const cacheWrite = at(price.cache_write_mtok) ?? input;
  return {
    input,
    output,
    cacheWrite,
    cacheWrite1h: at(price.cache_write_1h_mtok) ?? (price.cache_write_mtok === undefined ? input : input * 2),
    cacheRead: at(price.cache_read_mtok) ?? input,
  };
}

/** The tier starts of a price, each kind's merged (they agree in the data). */
function tierStartsOf(price: DataPrice): number[] {
  const starts = new Set<number>();
  for (const value of Object.values(price)) {
    if (value !== undefined && typeof value !== 'number') for (const tier of value.tiers) starts.add(tier.start);
  }
  return [...starts].sort((a, b) => a - b);
}

function fromData(model: string, providerId: string | undefined, exact: boolean): ModelPrice | undefined {
  const found = calcPrice({}, model, providerId === undefined ? undefined : { providerId });
  if (!found) return undefined;
  // A fast model must be the data's own entry, never the normal one its name starts with.
  if (exact && found.model.id.toLowerCase() !== model) return undefined;
  const base = ratesAt(found.model_price, 0);
  if (!base || baseOf(found.model_price.input_mtok) === undefined) return undefined;
  const tiers = tierStartsOf(found.model_price).flatMap((start) => {
    const rates = ratesAt(found.model_price, start + 1);
    return rates ? [{ above: start, rates }] : [];
  });
  return tiers.length > 0 ? { ...base, tiers } : base;
}

/** Looked up on every usage event of a stream, so each name is matched against the data once. */
const dataPrices = new Map<string, ModelPrice | null>();

function dataPriceFor(name: string, agent: AgentKind | undefined, exact: boolean): ModelPrice | undefined {
  const key = `${agent ?? ''}\u0000${name}`;
  let price = dataPrices.get(key);
  if (price === undefined) {
    price = (agent && fromData(name, PROVIDER_OF[agent], exact)) || fromData(name, undefined, exact) || null;
    dataPrices.set(key, price);
  }
  return price ?? undefined;
}

function overrideFor(name: string, overrides: ModelPrices): ModelPrice | undefined {
  for (const [key, price] of Object.entries(overrides)) {
    if (modelName(key) === name) return { ...price, cacheWrite1h: price.cacheWrite1h ?? price.input * 2 };
  }
  return undefined;
}

/**
 * The model's prices at a speed: the user's override for that name (compared as `modelName` compares), else
 * the data's; undefined for a model neither knows, for fast mode without a fast price, and for a session whose
 * model was never reported.
 */
export function priceFor(
  model: string | null | undefined,
  agent?: AgentKind,
  overrides: ModelPrices = {},
  speed: ServiceSpeed = 'standard',
): ModelPrice | undefined {
  const base = modelName(model);
  if (!base) return undefined;
  const name = modelAtSpeed(base, speed);
  return overrideFor(name, overrides) ?? dataPriceFor(name, agent, name.endsWith(FAST_SUFFIX));
}

/** A model's price (as `priceFor` finds it) and where it comes from: the user's setting, the data, or none. */
export function pricedBy(
  name: string,
  agent: AgentKind | undefined,
  overrides: ModelPrices,
): { source: 'setting' | 'data' | 'none'; price?: ModelPrice } {
  const own = overrideFor(name, overrides);
  if (own) return { source: 'setting', price: own };
  const data = dataPriceFor(name, agent, name.endsWith(FAST_SUFFIX));
  return data ? { source: 'data', price: data } : { source: 'none' };
}

/** The rates a request pays: its long-context tier's where its input side is above one. */
function ratesFor(price: ModelPrice, contextTokens: number): Rates {
  let rates: Rates = price;
  for (const tier of price.tiers ?? []) if (contextTokens > tier.above) rates = tier.rates;
  return rates;
}

/** The tokens at the model's list prices; null where its prices are unknown. */
export function costAt(price: ModelPrice | undefined, usage: TokenUsage, contextTokens = 0): number | null {
  if (!price) return null;
  const rates = ratesFor(price, contextTokens);
  const oneHour = Math.min(usage.cacheWrite1hTokens ?? 0, usage.cacheCreationTokens);
  return (
    (usage.inputTokens * rates.input +
      usage.outputTokens * rates.output +
      (usage.cacheCreationTokens - oneHour) * rates.cacheWrite +
      oneHour * rates.cacheWrite1h +
      usage.cacheReadTokens * rates.cacheRead) /
    1_000_000
  );
}

export function estimateCostUsd(
  model: string | null | undefined,
  usage: TokenUsage,
  agent?: AgentKind,
  overrides?: ModelPrices,
  served: ServedAs = {},
): number | null {
  return costAt(priceFor(model, agent, overrides, served.speed), usage, served.contextTokens);
}

/** Prices with one set of overrides and one agent, as a task run uses them. */
export interface Pricing {
  priceFor(model: string | null | undefined, speed?: ServiceSpeed): ModelPrice | undefined;
  costOf(model: string | null | undefined, usage: TokenUsage, served?: ServedAs): number | null;
}

export function pricingWith(overrides: ModelPrices, agent?: AgentKind): Pricing {
  return {
    priceFor: (model, speed) => priceFor(model, agent, overrides, speed),
    costOf: (model, usage, served) => estimateCostUsd(model, usage, agent, overrides, served),
  };
}

/**
 * Every long-context threshold in the agents' providers' data, ascending. Reports group requests by how many
 * of these their input side is above, so a group's tier is known for every model without pricing each request.
 */
let thresholds: readonly number[] | undefined;
export function tierThresholds(): readonly number[] {
  if (thresholds) return thresholds;
  const starts = new Set<number>();
  for (const providerId of Object.values(PROVIDER_OF)) {
    for (const model of findProvider({ providerId })?.models ?? []) {
      const prices = Array.isArray(model.prices) ? model.prices.map((p) => p.prices) : [model.prices];
      for (const price of prices) for (const start of tierStartsOf(price)) starts.add(start);
    }
  }
  thresholds = [...starts].sort((a, b) => a - b);
  return thresholds;
}

/** A request size inside the given bucket (the number of thresholds it is above), for `costAt`. */
export const contextOfBucket = (bucket: number): number => (bucket <= 0 ? 0 : tierThresholds()[bucket - 1]! + 1);
