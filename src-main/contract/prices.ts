/**
 * The models Baton knows of, each with the prices it is charged at and where those come from: the user's own
 * (Settings), the price data Baton ships (@pydantic/genai-prices), or none (its usage counts as unknown cost).
 */
import { z } from 'zod';
import { AGENT_KINDS } from './task-spec';
import { modelPriceSchema } from './views';

export const PRICE_SOURCES = ['setting', 'data', 'none'] as const;
export type PriceSource = (typeof PRICE_SOURCES)[number];

/** Where Baton met the model: its own runs, the agents' transcripts, or the launch form's suggestions. */
export const MODEL_SIGHTINGS = ['runs', 'imports', 'suggested', 'setting'] as const;

/** USD per million tokens of each kind, as a price set in Settings gives them, with the 1-hour rate worked out. */
export const ratesSchema = modelPriceSchema.required({ cacheWrite1h: true });

export const knownModelSchema = z.object({
  /** The model's one name (`modelName`), `<model>-fast` for usage served in fast mode. */
  model: z.string(),
  /** The agent whose provider's prices apply; null for a name priced by the name alone. */
  agent: z.enum(AGENT_KINDS).nullable(),
  seenIn: z.array(z.enum(MODEL_SIGHTINGS)),
  source: z.enum(PRICE_SOURCES),
  /** Null where the source is none. */
  rates: ratesSchema.nullable(),
  /** Rates for a request whose input side is above `above` tokens (long context), billed whole at them. */
  longContext: z.array(z.object({ above: z.number().int().nonnegative(), rates: ratesSchema })),
});
export type KnownModel = z.infer<typeof knownModelSchema>;

export const modelPriceListSchema = z.object({ models: z.array(knownModelSchema) });
export type ModelPriceList = z.infer<typeof modelPriceListSchema>;
