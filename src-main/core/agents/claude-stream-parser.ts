/**
 * Turns Claude Code's `--output-format stream-json` stdout, one line at a time,
 * into typed AgentEvents. Unknown line types are skipped (the CLI adds new ones
 * often); a line that is not a JSON object, or a known line of the wrong shape,
 * is a protocol error for the caller to fail the iteration with.
 */
import { z } from 'zod';
import {
  type AgentEvent,
  type QuotaWindow,
  type RateLimitInfo,
  type TokenUsage,
  cutDeepNesting,
  maxUsage,
  zeroUsage,
} from '../../contract/agent-events';
import { decodeEventLine, describeIssues } from './event-lines';

export { MAX_LINE_LENGTH } from './event-lines';

/** No token count in one session comes near this; a larger one is an agent's bug. */
export const MAX_PLAUSIBLE_TOKENS = 10_000_000_000;

/** Counts that cannot be true (negative, fractional, absurd) are refused, taken as 0. */
export const count = z.number().int().nonnegative().max(MAX_PLAUSIBLE_TOKENS).catch(0);

const TOKEN_FIELDS = ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'];

/** Whether a usage object as the agent printed it holds a token count that cannot be true. */
function hasImpossibleTokens(raw: unknown): boolean {
  if (!raw || typeof raw !== 'object') return false;
  return TOKEN_FIELDS.some((field) => {
    const value = (raw as Record<string, unknown>)[field];
    return value !== undefined && count.safeParse(value).data !== value;
  });
}

const apiUsage = z
  .object({
    input_tokens: count.optional(),
    output_tokens: count.optional(),
    cache_creation_input_tokens: count.optional(),
    cache_read_input_tokens: count.optional(),
    /** The cache writes split by duration; the 1-hour ones cost more. */
    cache_creation: z.object({ ephemeral_1h_input_tokens: count.optional() }).loose().optional().catch(undefined),
    /** "fast" for a response served in fast mode, which is priced at its own rate. */
    speed: z.string().optional().catch(undefined),
  })
  .loose();

const contentBlock = z
  .object({
    type: z.string(),
    text: z.string().optional(),
    id: z.string().optional(),
    name: z.string().optional(),
    input: z.unknown().optional(),
    tool_use_id: z.string().optional(),
    content: z.unknown().optional(),
    is_error: z.boolean().optional(),
  })
  .loose();

const initLine = z.object({
  type: z.literal('system'),
  subtype: z.literal('init'),
  session_id: z.string(),
  model: z.string().catch(''),
  cwd: z.string().catch(''),
  tools: z.array(z.string()).catch([]),
});

const retryLine = z.object({
  type: z.literal('system'),
  subtype: z.literal('api_retry'),
  attempt: count,
  max_retries: count,
  retry_delay_ms: z.number().catch(0),
  error_status: z.number().int().nullable().catch(null),
  error: z.string().catch('unknown'),
});

const quotaStatus = z.enum(['allowed', 'allowed_warning', 'rejected']);
const share = z.number().min(0).max(1).nullable().optional().catch(null);
const epochSeconds = z.number().nonnegative().nullable().optional().catch(null);
/** The CLI's own line for the subscription quota; newer versions add `unifiedWindows`. */
const rateLimitLine = z.object({
  rate_limit_info: z.object({
    status: quotaStatus,
    resetsAt: epochSeconds,
    rateLimitType: z.string().nullable().optional().catch(null),
    utilization: share,
    isUsingOverage: z.boolean().optional().catch(false),
    unifiedWindows: z
      .record(
        z.string(),
        z.object({ status: quotaStatus.optional().catch(undefined), utilization: share, resetsAt: epochSeconds }),
      )
      .optional()
      .catch(undefined),
  }),
});

const toEpochMs = (seconds: number | null | undefined) =>
  typeof seconds === 'number' ? Math.round(seconds * 1000) : null;

function toRateLimitInfo(line: z.infer<typeof rateLimitLine>): RateLimitInfo {
  const info = line.rate_limit_info;
  const windows: Record<string, QuotaWindow> = {};
  for (const [name, window] of Object.entries(info.unifiedWindows ?? {})) {
    windows[name] = {
      status: window.status ?? (name === info.rateLimitType ? info.status : 'allowed'),
      utilization: window.utilization ?? null,
      resetsAt: toEpochMs(window.resetsAt),
    };
  }
  const named = info.rateLimitType ? windows[info.rateLimitType] : undefined;
  return {
    status: info.status,
    rateLimitType: info.rateLimitType ?? null,
    resetsAt: toEpochMs(info.resetsAt) ?? named?.resetsAt ?? null,
    utilization: info.utilization ?? named?.utilization ?? null,
    isUsingOverage: info.isUsingOverage ?? false,
    windows,
  };
}

const assistantLine = z.object({
  type: z.literal('assistant'),
  message: z.object({
    id: z.string().optional(),
    content: z.array(contentBlock),
    usage: apiUsage.optional(),
  }),
});

const userLine = z.object({
  type: z.literal('user'),
  message: z.object({ content: z.union([z.string(), z.array(contentBlock)]) }),
});

const streamEventLine = z.object({
  type: z.literal('stream_event'),
  event: z
    .object({
      type: z.string(),
      message: z.object({ id: z.string(), usage: apiUsage.optional() }).loose().optional(),
      usage: apiUsage.optional(),
      // A content_block_delta's delta has a type; a message_delta's has none.
      delta: z.object({ type: z.string().optional(), text: z.string().optional() }).loose().optional(),
    })
    .loose(),
});

const resultLine = z.object({
  type: z.literal('result'),
  subtype: z.string(),
  is_error: z.boolean(),
  api_error_status: z.number().int().nullable().optional(),
  num_turns: count,
  duration_ms: z.number().nonnegative(),
  duration_api_ms: z.number().nonnegative().catch(0),
  result: z.string().optional(),
  total_cost_usd: z.unknown().optional(),
  usage: apiUsage.optional(),
  /** The tool calls the permission mode refused; only their number is kept. */
  permission_denials: z.array(z.unknown()).catch([]),
});

/** No single agent session costs more than this; a larger figure is an agent's bug, not a bill. */
export const MAX_PLAUSIBLE_SESSION_COST_USD = 10_000;

/** The agent's cost when it could be true; null (priced from its tokens instead) when it cannot. */
function plausibleCost(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_PLAUSIBLE_SESSION_COST_USD
    ? value
    : null;
}

export type ParsedLine = { ok: true; events: AgentEvent[] } | { ok: false; error: string };

function toUsage(raw: z.infer<typeof apiUsage> | undefined): TokenUsage {
  const cacheCreationTokens = raw?.cache_creation_input_tokens ?? 0;
  const oneHour = Math.min(raw?.cache_creation?.ephemeral_1h_input_tokens ?? 0, cacheCreationTokens);
  return {
    inputTokens: raw?.input_tokens ?? 0,
    outputTokens: raw?.output_tokens ?? 0,
    cacheCreationTokens,
    cacheReadTokens: raw?.cache_read_input_tokens ?? 0,
    // Only where there are some, so usage from before the split reads as it always did.
    ...(oneHour > 0 ? { cacheWrite1hTokens: oneHour } : {}),
  };
}

function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) =>
        part && typeof part === 'object' && 'text' in part && typeof part.text === 'string' ? part.text : '',
      )
      .join('');
  }
  return content === undefined ? '' : JSON.stringify(cutDeepNesting(content));
}

/**
 * One parser per agent session: it keeps the per-message token counts so it can
 * report running totals. Assistant lines repeat a message's usage once per
 * content block, and their output count is a placeholder until `message_delta`,
 * so usage is kept per message id and summed, never added line by line.
 */
export class ClaudeStreamParser {
  private readonly usageByMessage = new Map<string, TokenUsage>();
  private currentMessageId: string | undefined;
  private sawResult = false;
  private fast = false;

  /** Whether any response was served in fast mode: the session is then priced at the fast rate. */
  get servedFast(): boolean {
    return this.fast;
  }

  get hasResult(): boolean {
    return this.sawResult;
  }

  /** Assistant messages seen so far: the turn count when no result line arrives. */
  get messagesSeen(): number {
    return this.usageByMessage.size;
  }

  /** Token totals seen so far in this session. */
  usageSoFar(): TokenUsage {
    const total = zeroUsage();
    for (const usage of this.usageByMessage.values()) {
      total.inputTokens += usage.inputTokens;
      total.outputTokens += usage.outputTokens;
      total.cacheCreationTokens += usage.cacheCreationTokens;
      total.cacheReadTokens += usage.cacheReadTokens;
      if (usage.cacheWrite1hTokens)
        total.cacheWrite1hTokens = (total.cacheWrite1hTokens ?? 0) + usage.cacheWrite1hTokens;
    }
    return total;
  }

  parseLine(line: string): ParsedLine {
    const decoded = decodeEventLine(line, { who: 'agent', event: 'a stream-json event', anyType: true });
    if (!decoded.ok) return decoded;
    if (decoded.value === null) return { ok: true, events: [] };
    const parsed = this.toEvents(decoded.value);
    return 'error' in parsed ? { ok: false, error: `malformed ${parsed.lineType} line: ${parsed.error}` } : parsed;
  }

  private toEvents(value: {
    type: unknown;
    subtype?: unknown;
  }): { ok: true; events: AgentEvent[] } | { lineType: string; error: string } {
    const events: AgentEvent[] = [];
    const fail = (lineType: string, error: z.ZodError) => ({ lineType, error: describeIssues(error) });

    switch (value.type) {
      case 'system': {
        if (value.subtype === 'init') {
          const line = initLine.safeParse(value);
          if (!line.success) return fail('init', line.error);
          const { session_id, model, cwd, tools } = line.data;
          events.push({ kind: 'init', agentSessionId: session_id, model, cwd, tools });
        } else if (value.subtype === 'api_retry') {
          const line = retryLine.safeParse(value);
          if (!line.success) return fail('api_retry', line.error);
          const d = line.data;
          events.push({
            kind: 'retry',
            attempt: d.attempt,
            maxRetries: d.max_retries,
            delayMs: Math.round(d.retry_delay_ms),
            errorStatus: d.error_status,
            error: d.error,
          });
        }
        break;
      }
      case 'rate_limit_event': {
        // A status this version does not know says nothing Baton can act on: skipped, not an error.
        const line = rateLimitLine.safeParse(value);
        if (line.success) events.push({ kind: 'rate_limit', info: toRateLimitInfo(line.data) });
        break;
      }
      case 'assistant': {
        const line = assistantLine.safeParse(value);
        if (!line.success) return fail('assistant', line.error);
        const { id, content, usage } = line.data.message;
        for (const block of content) {
          if (block.type === 'text' && block.text) events.push({ kind: 'text', text: block.text });
          else if (block.type === 'tool_use') {
            events.push({
              kind: 'tool_use',
              toolUseId: block.id ?? '',
              name: block.name ?? '',
              input: cutDeepNesting(block.input ?? {}),
            });
          }
        }
        if (usage?.speed === 'fast') this.fast = true;
        if (id && usage) this.recordUsage(id, toUsage(usage), events, false);
        break;
      }
      case 'user': {
        const line = userLine.safeParse(value);
        if (!line.success) return fail('user', line.error);
        const { content } = line.data.message;
        if (Array.isArray(content)) {
          for (const block of content) {
            if (block.type !== 'tool_result') continue;
            events.push({
              kind: 'tool_result',
              toolUseId: block.tool_use_id ?? '',
              content: toolResultText(block.content),
              isError: block.is_error ?? false,
            });
          }
        }
        break;
      }
      case 'stream_event': {
        const line = streamEventLine.safeParse(value);
        if (!line.success) return fail('stream_event', line.error);
        const { event } = line.data;
        if (event.type === 'content_block_delta') {
          // Tool input arrives as input_json_delta; only text is shown as it is written.
          if (event.delta?.type === 'text_delta' && event.delta.text) {
            events.push({ kind: 'text_delta', text: event.delta.text });
          }
        } else if (event.type === 'message_start' && event.message) {
          this.currentMessageId = event.message.id;
          if (event.message.usage?.speed === 'fast') this.fast = true;
          this.recordUsage(event.message.id, toUsage(event.message.usage), events, false);
        } else if (event.type === 'message_delta' && event.usage && this.currentMessageId) {
          const known = this.usageByMessage.get(this.currentMessageId) ?? zeroUsage();
          this.recordUsage(
            this.currentMessageId,
            { ...known, outputTokens: event.usage.output_tokens ?? 0 },
            events,
            true,
          );
        }
        break;
      }
      case 'result': {
        const line = resultLine.safeParse(value);
        if (!line.success) return fail('result', line.error);
        const d = line.data;
        this.sawResult = true;
        events.push({
          kind: 'result',
          result: {
            isError: d.is_error,
            subtype: d.subtype,
            apiErrorStatus: d.api_error_status ?? null,
            resultText: d.result ?? '',
            turns: d.num_turns,
            // With tokens that cannot be true, its cost is no better: the session is priced from what was kept, marked estimated.
            costUsd: hasImpossibleTokens((value as { usage?: unknown }).usage) ? null : plausibleCost(d.total_cost_usd),
            durationMs: Math.round(d.duration_ms),
            apiDurationMs: Math.round(d.duration_api_ms),
            usage: toUsage(d.usage),
            permissionDenials: d.permission_denials.length,
          },
        });
        break;
      }
      default:
        break;
    }
    return { ok: true, events };
  }

  /**
   * Keeps the larger of the known and new counts per field, since an assistant
   * line's placeholder output count (1) must not undo a real `message_delta`
   * count, unless `exactOutput` says this is the authoritative output figure.
   */
  private recordUsage(messageId: string, next: TokenUsage, events: AgentEvent[], exactOutput: boolean): void {
    const known = this.usageByMessage.get(messageId);
    const merged: TokenUsage = known
      ? {
          ...maxUsage(known, next),
          outputTokens: exactOutput ? next.outputTokens : Math.max(known.outputTokens, next.outputTokens),
        }
      : next;
    if (
      known &&
      known.inputTokens === merged.inputTokens &&
      known.outputTokens === merged.outputTokens &&
      known.cacheCreationTokens === merged.cacheCreationTokens &&
      known.cacheReadTokens === merged.cacheReadTokens &&
      known.cacheWrite1hTokens === merged.cacheWrite1hTokens
    ) {
      return;
    }
    this.usageByMessage.set(messageId, merged);
    events.push({ kind: 'usage', usage: this.usageSoFar(), ...(this.fast ? { speed: 'fast' as const } : {}) });
  }
}
