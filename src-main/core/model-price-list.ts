/**
 * Settings' list of models and their prices: every model with usage in the store, every model the launch form
 * suggests and every model the user priced, once each, with the rates it is charged at and their source.
 */
import { modelName } from '../contract/models';
import { type KnownModel, MODEL_SIGHTINGS } from '../contract/prices';
import { AGENT_KINDS, type AgentKind, MODELS_BY_AGENT } from '../contract/task-spec';
import type { ModelPrices } from '../contract/views';
import { pricedBy, type Rates } from './pricing';
import type { ModelSighting } from './store/known-models';

type Sighting = KnownModel['seenIn'][number];

const ratesOf = (rates: Rates): Rates => ({
  input: rates.input,
  output: rates.output,
  cacheWrite: rates.cacheWrite,
  cacheWrite1h: rates.cacheWrite1h,
  cacheRead: rates.cacheRead,
});

export function modelPriceList(overrides: ModelPrices, withUsage: readonly ModelSighting[]): { models: KnownModel[] } {
  // One row per model and agent: the same name can be priced under two providers' data.
  const rows = new Map<string, { model: string; agent: AgentKind | null; seenIn: Set<Sighting> }>();
  const see = (model: string, agent: AgentKind | null, seenIn: Sighting) => {
    const key = `${agent ?? ''}\u0000${model}`;
    const row = rows.get(key) ?? { model, agent, seenIn: new Set<Sighting>() };
    row.seenIn.add(seenIn);
    rows.set(key, row);
  };
  for (const { model, agent, seenIn } of withUsage) see(model, agent, seenIn);
  for (const agent of AGENT_KINDS) for (const model of MODELS_BY_AGENT[agent]) see(model, agent, 'suggested');
  for (const name of Object.keys(overrides)) {
    const model = modelName(name);
    if (model === null) continue;
    // A setting for a model already listed under an agent prices that row; only an unlisted one gets its own.
    const listed = [...rows.values()].filter((row) => row.model === model);
    if (listed.length > 0) listed.forEach((row) => row.seenIn.add('setting'));
    else see(model, null, 'setting');
  }
  const models = [...rows.values()].map(({ model, agent, seenIn }): KnownModel => {
    const { source, price } = pricedBy(model, agent ?? undefined, overrides);
    return {
      model,
      agent,
      seenIn: MODEL_SIGHTINGS.filter((sighting) => seenIn.has(sighting)),
      source,
      rates: price ? ratesOf(price) : null,
      longContext: (price?.tiers ?? []).map((tier) => ({ above: tier.above, rates: ratesOf(tier.rates) })),
    };
  });
  // Models in use first, then by name: the list a person scans for what they pay.
  const used = (row: KnownModel) => row.seenIn.includes('runs') || row.seenIn.includes('imports');
  models.sort((a, b) => Number(used(b)) - Number(used(a)) || a.model.localeCompare(b.model));
  return { models };
}
