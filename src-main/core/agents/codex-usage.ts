/**
 * Codex's token counts in Baton's four kinds, for its stream, its rollout files and the transcript import
 * alike. Plain code without schemas: the import's reader thread loads it too.
 */
import type { TokenUsage } from '../../contract/agent-events';

/** Codex's usage as it writes it: OpenAI counts cached tokens inside input, reasoning tokens inside output. */
export interface CodexUsage {
  input_tokens?: number;
  cached_input_tokens?: number;
  cache_write_input_tokens?: number;
  output_tokens?: number;
  reasoning_output_tokens?: number;
}

/** Baton's four kinds from Codex's usage: the input less its cached part, which is the cache read. */
export function toTokenUsage(usage: CodexUsage | undefined): TokenUsage {
  const input = usage?.input_tokens ?? 0;
  const cached = usage?.cached_input_tokens ?? 0;
  return {
    inputTokens: Math.max(0, input - cached),
    cacheReadTokens: cached,
    cacheCreationTokens: usage?.cache_write_input_tokens ?? 0,
    outputTokens: usage?.output_tokens ?? 0,
  };
}

/** A usage object from a rollout file with every count that cannot be true taken as 0; undefined where none. */
export function codexRawUsage(value: unknown): Required<CodexUsage> | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const usage = value as Record<string, unknown>;
  const count = (key: string) => {
    const n = usage[key];
    return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : 0;
  };
  return {
    input_tokens: count('input_tokens'),
    cached_input_tokens: count('cached_input_tokens'),
    cache_write_input_tokens: count('cache_write_input_tokens'),
    output_tokens: count('output_tokens'),
    reasoning_output_tokens: count('reasoning_output_tokens'),
  };
}
