/**
 * What one transcript line counts for.
 * - Claude Code writes one line per content block while a response streams; every line of a response has
 *   the same `message.id` and `requestId`, and only the one with the highest `output_tokens` holds the
 *   response's final usage (the others hold the count of that moment). The line is read whole here, with its
 *   `outputTokens` as the rank the import keeps the final line by. Which lines count at all is as ccusage
 *   reads them: an ISO `timestamp` (seconds, optional milliseconds, `Z`) and `message.usage` with numeric
 *   `input_tokens` and `output_tokens`; an optional field that is present must have its type (a `null` model
 *   makes the whole line not count). Sidechain lines count like any other.
 * - Codex: a `token_usage_record` per response, or in older files an `event_msg` of type `token_count`
 *   whose running total moved, each in Baton's four kinds (input less its cached part, as for a run).
 * Hand-written checks rather than a schema library: this runs once per line of every transcript.
 */
import { type TokenUsage } from '../../contract/agent-events';
import { modelName, type ServiceSpeed } from '../../contract/models';
import { codexRawUsage, toTokenUsage } from '../agents/codex-usage';

/** A message that counts, before it is stored. */
export interface UsageEntry {
  /** `<message id>:<request id>`, or null where the line has no such pair (it then counts every time). */
  key: string | null;
  at: number;
  sessionId: string | null;
  project: string | null;
  /** The one name of the model (see `modelName`), never `<model>-fast`: the speed says that. */
  model: string | null;
  speed: ServiceSpeed;
  /** Cache writes in `cacheCreationTokens`, with the 1-hour part in `cacheWrite1hTokens` (always set). */
  usage: Required<TokenUsage>;
  /** The cost the transcript states (old Claude Code versions wrote `costUSD`). */
  costUsd: number | null;
  sidechain: boolean;
  /** A count was negative, fractional or infinite: taken as 0, and the line reported as malformed. */
  impossible?: boolean;
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z$/;
const VERSION = /^\d+\.\d+\.\d+/;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isNumber = (value: unknown): value is number => typeof value === 'number';

/** Absent, or present with the right type: ccusage's `optional(…)`, which refuses null. */
function optionalOk(value: unknown, ok: (value: unknown) => boolean): boolean {
  return value === undefined || ok(value);
}
const nonEmptyString = (value: unknown) => typeof value === 'string' && value.length > 0;

/** A line's timestamp (any line, any kind). */
function timestampOf(line: Json): number | null {
  if (typeof line.timestamp !== 'string') return null;
  const at = Date.parse(line.timestamp);
  return Number.isNaN(at) ? null : at;
}

/** The usage a Claude Code transcript line counts for, or null when it counts for nothing. */
export function claudeEntryOf(line: Json): UsageEntry | null {
  const message = line.message;
  if (!isObject(message)) return null;
  const usage = message.usage;
  if (!isObject(usage) || !isNumber(usage.input_tokens) || !isNumber(usage.output_tokens)) return null;
  if (typeof line.timestamp !== 'string' || !ISO_TIMESTAMP.test(line.timestamp)) return null;
  const checks =
    optionalOk(usage.cache_creation_input_tokens, isNumber) &&
    optionalOk(usage.cache_read_input_tokens, isNumber) &&
    optionalOk(usage.speed, (v) => v === 'standard' || v === 'fast') &&
    optionalOk(message.model, nonEmptyString) &&
    optionalOk(message.id, nonEmptyString) &&
    optionalOk(message.content, contentOk) &&
    optionalOk(line.cwd, (v) => typeof v === 'string') &&
    optionalOk(line.sessionId, nonEmptyString) &&
    optionalOk(line.version, (v) => typeof v === 'string' && VERSION.test(v)) &&
    optionalOk(line.costUSD, isNumber) &&
    optionalOk(line.requestId, nonEmptyString) &&
    optionalOk(line.isApiErrorMessage, (v) => typeof v === 'boolean');
  if (!checks) return null;
  // The pattern lets through dates that are none (month 13, 24:30): such a line has no time to count at.
  const at = Date.parse(line.timestamp);
  if (Number.isNaN(at)) return null;
  const messageId = message.id as string | undefined;
  const requestId = line.requestId as string | undefined;
  impossibleSeen = false;
  const tokens = {
    inputTokens: count(usage, 'input_tokens'),
    outputTokens: count(usage, 'output_tokens'),
    cacheCreationTokens: count(usage, 'cache_creation_input_tokens'),
    cacheReadTokens: count(usage, 'cache_read_input_tokens'),
    cacheWrite1hTokens: oneHourWrites(usage),
  };
  const impossible =
    impossibleSeen || (typeof line.costUSD === 'number' && !(Number.isFinite(line.costUSD) && line.costUSD >= 0));
  return {
    key: messageId !== undefined && requestId !== undefined ? `${messageId}:${requestId}` : null,
    at,
    sessionId: (line.sessionId as string | undefined) ?? null,
    project: (line.cwd as string | undefined) ?? null,
    model: modelName(message.model as string | undefined),
    speed: usage.speed === 'fast' ? 'fast' : 'standard',
    usage: tokens,
    costUsd:
      typeof line.costUSD === 'number' && Number.isFinite(line.costUSD) && line.costUSD >= 0 ? line.costUSD : null,
    sidechain: line.isSidechain === true,
    ...(impossible ? { impossible } : {}),
  };
}

/**
 * The 1-hour part of a line's cache writes, from `cache_creation.ephemeral_1h_input_tokens`; never more than
 * the writes it is part of. Lines from before the split have none.
 */
function oneHourWrites(usage: Json): number {
  const split = usage.cache_creation;
  if (!isObject(split)) return 0;
  return Math.min(count(split, 'ephemeral_1h_input_tokens'), count(usage, 'cache_creation_input_tokens'));
}

/** `message.content`, where present, is a list of objects whose `text`, if any, is a string. */
function contentOk(value: unknown): boolean {
  return (
    Array.isArray(value) && value.every((item) => isObject(item) && optionalOk(item.text, (t) => typeof t === 'string'))
  );
}

const isCount = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
/** Set by `count` where a count is there but cannot be true; claudeEntryOf clears and reads it per line. */
let impossibleSeen = false;
/** A count as it can be true: one that is absent, or negative, fractional or infinite, is 0. */
const count = (usage: Json, key: string): number => {
  const n = usage[key];
  if (isCount(n)) return n as number;
  if (n !== undefined && n !== null) impossibleSeen = true;
  return 0;
};
const CODEX_COUNTS = [
  'input_tokens',
  'cached_input_tokens',
  'cache_write_input_tokens',
  'output_tokens',
  'reasoning_output_tokens',
];

/** Whether a usage object holds a count that is there but cannot be true (-1000000, 1.5, 1e400). */
function hasImpossibleCount(usage: unknown, keys: readonly string[]): boolean {
  if (!isObject(usage)) return false;
  return keys.some((key) => usage[key] !== undefined && usage[key] !== null && !isCount(usage[key]));
}

/** Codex's usage of one response in Baton's four kinds, as a run counts it (Codex has no 1-hour writes). */
const codexUsage = (usage: Json): Required<TokenUsage> => ({
  ...toTokenUsage(codexRawUsage(usage)),
  cacheWrite1hTokens: 0,
});

/** What a Codex rollout file says as it is read line by line: its thread, where it ran, the model. */
export interface CodexFileState {
  threadId: string | null;
  cwd: string | null;
  model: string | null;
  /** The running total last counted, so a repeated `token_count` counts once. */
  lastTotal: string | null;
  /** Files with per-response records: their `token_count` lines say the same again. */
  hasRecords: boolean;
}

export const newCodexFileState = (threadIdFromName: string | null): CodexFileState => ({
  threadId: threadIdFromName,
  cwd: null,
  model: null,
  lastTotal: null,
  hasRecords: false,
});

/** The usage a Codex rollout line counts for (updating what the file has said so far), or null. */
export function codexEntryOf(line: Json, state: CodexFileState): UsageEntry | null {
  const payload = line.payload;
  if (!isObject(payload)) return null;
  if (line.type === 'session_meta') {
    if (nonEmptyString(payload.id)) state.threadId = payload.id as string;
    if (typeof payload.cwd === 'string') state.cwd = payload.cwd;
    return null;
  }
  if (line.type === 'turn_context') {
    if (nonEmptyString(payload.model)) state.model = payload.model as string;
    if (typeof payload.cwd === 'string') state.cwd = payload.cwd;
    return null;
  }
  const at = timestampOf(line);
  if (at === null) return null;
  const entry = (key: string, usage: Required<TokenUsage>, impossible: boolean): UsageEntry => ({
    key: `codex:${state.threadId ?? '?'}:${key}`,
    at,
    sessionId: state.threadId,
    project: state.cwd,
    model: modelName(state.model),
    speed: 'standard',
    usage,
    costUsd: null,
    sidechain: false,
    ...(impossible ? { impossible } : {}),
  });
  if (line.type === 'token_usage_record') {
    if (payload.thread_id !== undefined && payload.thread_id !== state.threadId) return null;
    if (!isObject(payload.usage)) return null;
    state.hasRecords = true;
    const id = nonEmptyString(payload.response_id) ? (payload.response_id as string) : `at-${at}`;
    return entry(`response:${id}`, codexUsage(payload.usage), hasImpossibleCount(payload.usage, CODEX_COUNTS));
  }
  if (line.type === 'event_msg' && payload.type === 'token_count' && !state.hasRecords) {
    const info = payload.info;
    if (!isObject(info) || !isObject(info.last_token_usage)) return null;
    const total = isObject(info.total_token_usage) ? JSON.stringify(info.total_token_usage) : `at-${at}`;
    if (total === state.lastTotal) return null;
    state.lastTotal = total;
    return entry(
      `total:${total}`,
      codexUsage(info.last_token_usage),
      hasImpossibleCount(info.last_token_usage, CODEX_COUNTS),
    );
  }
  return null;
}
