/**
 * What an agent run reports, independent of which agent CLI produced it.
 * Declared as zod schemas because these cross process boundaries (IPC,
 * WebSocket); the types are inferred from them.
 */
import { z } from 'zod';

const count = z.number().int().nonnegative();

export const tokenUsageSchema = z.object({
  inputTokens: count,
  outputTokens: count,
  cacheCreationTokens: count,
  cacheReadTokens: count,
  /** The part of `cacheCreationTokens` written for 1 hour rather than 5 minutes, which costs more. */
  cacheWrite1hTokens: count.optional(),
});
export type TokenUsage = z.infer<typeof tokenUsageSchema>;

export const zeroUsage = (): TokenUsage => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheCreationTokens: 0,
  cacheReadTokens: 0,
});

/** Per field, the larger of two counts of the same tokens. */
export function maxUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    inputTokens: Math.max(a.inputTokens, b.inputTokens),
    outputTokens: Math.max(a.outputTokens, b.outputTokens),
    cacheCreationTokens: Math.max(a.cacheCreationTokens, b.cacheCreationTokens),
    cacheReadTokens: Math.max(a.cacheReadTokens, b.cacheReadTokens),
    ...(a.cacheWrite1hTokens !== undefined || b.cacheWrite1hTokens !== undefined
      ? { cacheWrite1hTokens: Math.max(a.cacheWrite1hTokens ?? 0, b.cacheWrite1hTokens ?? 0) }
      : {}),
  };
}

/** Final metrics of one agent session, as the agent reported them. */
export const agentResultSchema = z.object({
  isError: z.boolean(),
  subtype: z.string(),
  apiErrorStatus: z.number().int().nullable(),
  resultText: z.string(),
  turns: count,
  /** The agent's own figure; null when it reported none that could be true (missing, NaN, infinite, absurd). */
  costUsd: z.number().nonnegative().nullable(),
  durationMs: count,
  apiDurationMs: count,
  usage: tokenUsageSchema,
  /** Tool calls the permission mode refused (the result's `permission_denials`); 0 in events recorded before it was kept. */
  permissionDenials: count.default(0),
  /** Output tokens the model spent reasoning, where the agent reports them (Codex); a part of `usage.outputTokens`. */
  reasoningTokens: count.optional(),
});
export type AgentResult = z.output<typeof agentResultSchema>;

/** One subscription window as the agent last saw it. */
export const quotaWindowSchema = z.object({
  status: z.enum(['allowed', 'allowed_warning', 'rejected']),
  /** Share of the window used, 0..1, when the agent reported it. */
  utilization: z.number().min(0).max(1).nullable(),
  /** When the window reopens (epoch ms), when reported. */
  resetsAt: z.number().int().nonnegative().nullable(),
});
export type QuotaWindow = z.infer<typeof quotaWindowSchema>;

/**
 * The subscription quota as a `rate_limit_event` reported it. `rateLimitType` names the window
 * the status is about ("five_hour", "seven_day", …); `windows` holds every window the line
 * described, by that same name.
 */
export const rateLimitInfoSchema = z.object({
  status: z.enum(['allowed', 'allowed_warning', 'rejected']),
  rateLimitType: z.string().nullable(),
  resetsAt: z.number().int().nonnegative().nullable(),
  utilization: z.number().min(0).max(1).nullable(),
  isUsingOverage: z.boolean(),
  windows: z.record(z.string(), quotaWindowSchema),
});
export type RateLimitInfo = z.infer<typeof rateLimitInfoSchema>;

/**
 * How deep a tool's input (or a tool result's content) may nest as Baton passes it on. JSON.stringify and
 * structured clone recurse, and fail somewhere past 10,000 levels: an input nested that deep once cost its
 * whole event, in the replay, the window and browser mode alike.
 */
export const MAX_NESTING = 64;
/** What stands where a value nested deeper than MAX_NESTING was. */
export const NESTING_CUT = `[cut: nested deeper than ${MAX_NESTING} levels]`;

/**
 * The value with what nests deeper than `levels` replaced by NESTING_CUT: a copy where something was cut,
 * the value itself otherwise. It recurses at most `levels` deep, so no input can overflow it.
 */
export function cutDeepNesting(value: unknown, levels = MAX_NESTING): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (levels <= 0) return NESTING_CUT;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item: unknown, index) => {
      const kept = cutDeepNesting(item, levels - 1);
      if (kept !== item) (copy ??= [...value])[index] = kept;
    });
    return copy ?? value;
  }
  let changed = false;
  const entries = Object.entries(value).map(([key, item]: [string, unknown]) => {
    const kept = cutDeepNesting(item, levels - 1);
    changed ||= kept !== item;
    return [key, kept];
  });
  // fromEntries defines each key, so a "__proto__" key from JSON stays a key.
  return changed ? Object.fromEntries(entries) : value;
}

/** What an iteration can wait for: a spent subscription window to reopen, or an API that gives no answer. */
export const WAIT_CAUSES = ['quota', 'api'] as const;
export type WaitCause = (typeof WAIT_CAUSES)[number];
/** The error kind of an attempt that ended in a wait, by cause: how a retry's entry tells a wait from a failure. */
export const WAIT_ERROR_KINDS = {
  quota: 'quota_exhausted',
  api: 'api_unreachable',
} as const satisfies Record<WaitCause, string>;

/** What an attempt that ended with this error kind waited for, or null when it failed for something else. */
export function waitCauseOf(errorKind: string | null | undefined): WaitCause | null {
  return WAIT_CAUSES.find((cause) => WAIT_ERROR_KINDS[cause] === errorKind) ?? null;
}

export const agentEventSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('init'),
    agentSessionId: z.string(),
    model: z.string(),
    cwd: z.string(),
    tools: z.array(z.string()),
  }),
  /** A piece of the assistant text being generated (with --include-partial-messages); the whole text follows as `text`. */
  z.object({ kind: z.literal('text_delta'), text: z.string() }),
  z.object({ kind: z.literal('text'), text: z.string() }),
  z.object({ kind: z.literal('tool_use'), toolUseId: z.string(), name: z.string(), input: z.unknown() }),
  z.object({ kind: z.literal('tool_result'), toolUseId: z.string(), content: z.string(), isError: z.boolean() }),
  z.object({
    kind: z.literal('retry'),
    attempt: count,
    maxRetries: count,
    delayMs: count,
    errorStatus: z.number().int().nullable(),
    error: z.string(),
    /** The API the agent could not reach, when it got no answer at all (the CLI then says only "unknown"). */
    apiUrl: z.string().optional(),
  }),
  /** Running token totals seen so far in this session (for live counters and estimates). */
  z.object({
    kind: z.literal('usage'),
    usage: tokenUsageSchema,
    /** "fast" once a response was served in fast mode: the tokens are priced at the fast rate, or not at all. */
    speed: z.enum(['standard', 'fast']).optional(),
    /** What those tokens cost so far at list prices, when the model's prices are known; the agent's own figure comes with the result. */
    estimatedCostUsd: z.number().nonnegative().optional(),
  }),
  /** The subscription quota after an API call (only under subscription auth). */
  z.object({ kind: z.literal('rate_limit'), info: rateLimitInfoSchema }),
  z.object({ kind: z.literal('result'), result: agentResultSchema }),
  /**
   * Published and stored by Baton, never sent by an agent: the attempt before it was turned away by a spent
   * subscription window (`quota`) or got no answer from the API (`api`), and the iteration waits until `until`
   * (epoch ms) to try again in a new session. A wait, not a failure: the views show it as one.
   */
  z.object({
    kind: z.literal('wait'),
    for: z.enum(WAIT_CAUSES),
    reason: z.string(),
    until: z.number().int(),
  }),
  /**
   * Stored by Baton, never sent by an agent: where the replay lacks output. `event`: the event before it was
   * stored cut short (or, with eventsNotStored 1, not at all); `session`: the session's stored events reached their
   * cap, and the events after this point were not stored.
   */
  z.object({
    kind: z.literal('cut'),
    scope: z.enum(['event', 'session']),
    bytesNotStored: count,
    eventsNotStored: count,
  }),
]);
export type AgentEvent = z.output<typeof agentEventSchema>;
export type AgentEventKind = AgentEvent['kind'];
