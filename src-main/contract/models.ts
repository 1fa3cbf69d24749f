/**
 * One name per model. Agents report the same model under several spellings: Claude Code's `[1m]` suffix for
 * its 1M-token context (`claude-opus-4-8[1m]`), stray case and spaces. Every stored, priced and shown name
 * goes through `modelName`, so a model is one row everywhere. A response served in fast mode is shown and
 * priced under `<model>-fast` (the name ccusage uses, and the name a price set in Settings takes), because
 * its rate is not the model's.
 */

/** A trailing `[…]` variant tag, such as Claude Code's `[1m]`: the API serves the same model. */
const VARIANT_SUFFIX = /\[[^\]]*\]$/;

/** The one name of a model, or null when there is none (absent, empty, or a placeholder such as "default"). */
export function modelName(raw: string | null | undefined): string | null {
  if (typeof raw !== 'string') return null;
  const name = raw.trim().replace(VARIANT_SUFFIX, '').trim().toLowerCase();
  if (name === '' || name === 'default') return null;
  return name;
}

export type ServiceSpeed = 'standard' | 'fast';

export const FAST_SUFFIX = '-fast';

/** The name usage of a model at a speed is shown and priced under. */
export function modelAtSpeed(model: string, speed: ServiceSpeed): string {
  return speed === 'fast' && !model.endsWith(FAST_SUFFIX) ? `${model}${FAST_SUFFIX}` : model;
}
