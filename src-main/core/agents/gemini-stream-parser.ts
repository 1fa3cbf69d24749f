/**
 * Turns the Gemini CLI's `--output-format stream-json` stdout, one line at a
 * time, into Baton's typed AgentEvents, and reads what it says only on stderr
 * (its retries, the HTTP status of a failed request). Pure: it reads lines and
 * keeps counts, nothing else.
 *
 * What Gemini prints (checked with @google/gemini-cli 0.61.0):
 * - `init` {session_id, model} → `init`;
 * - `message` {role: "user", content}: the prompt, skipped; {role: "assistant",
 *   content, delta: true}: a piece of the answer → `text_delta`, the whole text
 *   following as `text` once a tool call or the result ends it;
 * - `tool_use` {tool_name, tool_id, parameters} → `tool_use`, and `tool_result`
 *   {tool_id, status, output?, error?} → `tool_result`. Its shell, file-writing,
 *   editing and reading tools are shown under the names Baton's views describe
 *   (`Bash`, `Write`, `Edit`, `Read`: the parameters are the same);
 * - `error` {severity, message}: a warning, or why the run is about to end;
 * - `result` {status, error?, stats} → `usage` and `result`.
 *
 * Usage: `stats.input_tokens` counts the cached prompt tokens too, and `input` is
 * the uncached part; `cached` is what was read from the cache; Gemini reports no
 * cache writes. `output_tokens` is the answer without the thinking, which Gemini
 * counts apart (its `total_tokens` has it, its stats do not name it): Baton's
 * output is both, as Google bills them, and the thinking part is kept as
 * `reasoningTokens`. Gemini reports no cost: it is null, to be priced from the tokens.
 */
import { z } from 'zod';
import {
  type AgentEvent,
  type AgentResult,
  cutDeepNesting,
  type TokenUsage,
  zeroUsage,
} from '../../contract/agent-events';
// A token count that cannot be true (negative, fractional, absurd) is taken as 0, as for Claude Code.
import { count as tokens, type ParsedLine } from './claude-stream-parser';
import { decodeEventLine, describeIssues } from './event-lines';

/** Gemini's tools under the names Baton's views know, where the parameters are the same as Claude Code's. */
export const GEMINI_TOOL_NAMES: Readonly<Record<string, string>> = {
  run_shell_command: 'Bash',
  write_file: 'Write',
  replace: 'Edit',
  read_file: 'Read',
};

const stats = z
  .object({
    /** Prompt, answer and thinking tokens (and the prompt of built-in tools). */
    total_tokens: tokens.optional(),
    /** All prompt tokens, the cached ones included. */
    input_tokens: tokens.optional(),
    /** The answer's tokens, without the thinking. */
    output_tokens: tokens.optional(),
    cached: tokens.optional(),
    /** The uncached part of `input_tokens`. */
    input: tokens.optional(),
    duration_ms: z.number().nonnegative().catch(0).optional(),
    tool_calls: tokens.optional(),
  })
  .loose();

const initLine = z.object({ session_id: z.string().min(1), model: z.string().catch('') });
const messageLine = z.object({ role: z.string(), content: z.string().catch('') });
const toolUseLine = z.object({
  tool_name: z.string(),
  tool_id: z.string(),
  parameters: z.unknown().optional(),
});
const toolResultLine = z.object({
  tool_id: z.string(),
  status: z.string().catch('success'),
  output: z.string().optional().catch(undefined),
  error: z
    .object({ message: z.string().catch('') })
    .loose()
    .optional()
    .catch(undefined),
});
const errorLine = z.object({ severity: z.string().catch('error'), message: z.string().catch('') });
const resultLine = z.object({
  status: z.string(),
  error: z
    .object({ type: z.string().catch(''), message: z.string().catch('') })
    .loose()
    .optional(),
  stats: stats.optional().catch(undefined),
});

type Stats = z.infer<typeof stats>;

/** Baton's four kinds, and the thinking part of the output, from a result's stats. */
export function toGeminiUsage(raw: Stats | undefined): { usage: TokenUsage; reasoningTokens: number } {
  const prompt = raw?.input_tokens ?? 0;
  const cached = raw?.cached ?? 0;
  const answer = raw?.output_tokens ?? 0;
  const reasoningTokens = Math.max(0, (raw?.total_tokens ?? 0) - prompt - answer);
  return {
    usage: {
      inputTokens: raw?.input ?? Math.max(0, prompt - cached),
      cacheReadTokens: cached,
      cacheCreationTokens: 0,
      outputTokens: answer + reasoningTokens,
    },
    reasoningTokens,
  };
}

/** `[API Error: {"error":{"code":400,"message":"…"}}]`, the way Gemini reports a failed request's body. */
const API_ERROR = /^\[API Error: (.*)\]$/s;

/** The API's own message and status inside Gemini's error text, where it has them. */
export function unwrapApiError(message: string): { message: string; status: number | null } {
  const wrapped = API_ERROR.exec(message.trim());
  if (!wrapped) return { message, status: null };
  const inner = wrapped[1] ?? '';
  try {
    const body: unknown = JSON.parse(inner);
    const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (error && typeof error.message === 'string') {
      return { message: error.message, status: typeof error.code === 'number' ? error.code : null };
    }
  } catch {
    // Not JSON: the message as Gemini worded it.
  }
  return { message: inner, status: null };
}

export type ParsedGeminiLine = ParsedLine;
type Step = { events: AgentEvent[] } | { malformed: string; issue: string };

const bad = (lineType: string, error: z.ZodError): Step => ({ malformed: lineType, issue: describeIssues(error) });

export interface GeminiStreamParserOptions {
  /** The directory the agent runs in, for the `init` event (Gemini does not print it). */
  cwd?: string;
}

/** One parser per session. */
export class GeminiStreamParser {
  private sessionIdSeen: string | null = null;
  private pendingText = '';
  private lastText = '';
  private turns = 0;
  /** Whether the model is answering now (text or tool calls since the last tool result). */
  private inTurn = false;
  private lastError: string | null = null;
  private finalUsage: TokenUsage = zeroUsage();
  private reasoning = 0;
  private resultSeen: AgentResult | null = null;

  constructor(private readonly options: GeminiStreamParserOptions = {}) {}

  /** The session id from `init`. */
  get sessionId(): string | null {
    return this.sessionIdSeen;
  }

  /** Model turns seen so far: each answer the model began, after the prompt or after tool results. */
  get turnsSeen(): number {
    return this.turns;
  }

  /** Gemini prints tokens only in its result: until then there are none to show. */
  usageSoFar(): TokenUsage {
    return { ...this.finalUsage };
  }

  /** The thinking part of the output tokens, from the result. */
  get reasoningTokens(): number {
    return this.reasoning;
  }

  /** The result, once its line arrived. */
  get result(): AgentResult | null {
    return this.resultSeen;
  }

  /** The last `error` line's message. */
  get lastErrorMessage(): string | null {
    return this.lastError;
  }

  parseLine(line: string): ParsedGeminiLine {
    const decoded = decodeEventLine(line, { who: 'gemini', event: 'a stream-json event' });
    if (!decoded.ok) return decoded;
    const value = decoded.value;
    if (value === null) return { ok: true, events: [] };
    const step = this.step(value.type, value);
    return 'malformed' in step
      ? { ok: false, error: `malformed gemini ${step.malformed} line: ${step.issue}` }
      : { ok: true, events: step.events };
  }

  /** The answer's text so far as one `text` event, when there is any; the text the result reports. */
  private flushText(events: AgentEvent[]): void {
    if (this.pendingText === '') return;
    events.push({ kind: 'text', text: this.pendingText });
    this.lastText = this.pendingText;
    this.pendingText = '';
  }

  private startTurn(): void {
    if (this.inTurn) return;
    this.inTurn = true;
    this.turns++;
  }

  private step(type: string, value: unknown): Step {
    switch (type) {
      case 'init': {
        const line = initLine.safeParse(value);
        if (!line.success) return bad(type, line.error);
        this.sessionIdSeen = line.data.session_id;
        return {
          events: [
            {
              kind: 'init',
              agentSessionId: line.data.session_id,
              model: line.data.model,
              cwd: this.options.cwd ?? '',
              tools: [],
            },
          ],
        };
      }
      case 'message': {
        const line = messageLine.safeParse(value);
        if (!line.success) return bad(type, line.error);
        if (line.data.role !== 'assistant' || line.data.content === '') return { events: [] };
        this.startTurn();
        this.pendingText += line.data.content;
        return { events: [{ kind: 'text_delta', text: line.data.content }] };
      }
      case 'tool_use': {
        const line = toolUseLine.safeParse(value);
        if (!line.success) return bad(type, line.error);
        this.startTurn();
        const events: AgentEvent[] = [];
        this.flushText(events);
        // The text before a tool call is not the final answer.
        this.lastText = '';
        const { tool_name, tool_id, parameters } = line.data;
        events.push({
          kind: 'tool_use',
          toolUseId: tool_id,
          name: GEMINI_TOOL_NAMES[tool_name] ?? tool_name,
          input: cutDeepNesting(parameters ?? {}),
        });
        return { events };
      }
      case 'tool_result': {
        const line = toolResultLine.safeParse(value);
        if (!line.success) return bad(type, line.error);
        this.inTurn = false;
        const { tool_id, status, output, error } = line.data;
        const isError = status !== 'success';
        return {
          events: [
            {
              kind: 'tool_result',
              toolUseId: tool_id,
              content: (isError ? (error?.message ?? output) : output) ?? '',
              isError,
            },
          ],
        };
      }
      case 'error': {
        const line = errorLine.safeParse(value);
        if (!line.success) return bad(type, line.error);
        this.lastError = line.data.message;
        return { events: [] };
      }
      case 'result': {
        const line = resultLine.safeParse(value);
        if (!line.success) return bad(type, line.error);
        const events: AgentEvent[] = [];
        this.flushText(events);
        const { usage, reasoningTokens } = toGeminiUsage(line.data.stats);
        this.finalUsage = usage;
        this.reasoning = reasoningTokens;
        const failed = line.data.status !== 'success';
        const apiError = unwrapApiError(line.data.error?.message || this.lastError || '');
        const result: AgentResult = {
          isError: failed,
          subtype: failed ? line.data.error?.type || 'error' : 'success',
          apiErrorStatus: failed ? apiError.status : null,
          resultText: failed ? apiError.message || 'gemini reported an error' : this.lastText,
          turns: Math.max(this.turns, failed ? 0 : 1),
          costUsd: null,
          durationMs: Math.round(line.data.stats?.duration_ms ?? 0),
          apiDurationMs: 0,
          usage,
          permissionDenials: 0,
          reasoningTokens,
        };
        this.resultSeen = result;
        events.push({ kind: 'usage', usage: { ...usage } }, { kind: 'result', result });
        return { events };
      }
      default:
        return { events: [] };
    }
  }
}

/** "Attempt 1 failed with status 500. Retrying with backoff..." (the status is missing for a network error). */
const RETRY_LINE = /^Attempt (\d+) failed(?: with status (\d{3}))?\. Retrying with backoff/;
/** The status line of the error object Gemini prints under its message. */
const STATUS_LINE = /^\s+(?:status|code): (\d{3}),?$/;

/**
 * Reads the Gemini CLI's stderr, where alone it says that it retries a failed
 * request (it retries 5xx and 429 itself, with backoff) and which HTTP status a
 * failed request got. It does not say how long it waits (0 in the events), nor
 * how many attempts it makes at most, which its settings say (`general.maxAttempts`).
 */
export class GeminiStderrReader {
  private status: number | null = null;
  private retries = 0;

  /** `maxAttempts`: how often Gemini tries one request (its settings' `general.maxAttempts`), when known. */
  constructor(private readonly options: { maxAttempts?: number } = {}) {}

  /** The HTTP status of the last failed request, when Gemini printed one. */
  get lastStatus(): number | null {
    return this.status;
  }

  get retriesSeen(): number {
    return this.retries;
  }

  line(line: string): AgentEvent[] {
    const status = STATUS_LINE.exec(line);
    if (status) {
      this.status = Number(status[1]);
      return [];
    }
    const retry = RETRY_LINE.exec(line);
    if (!retry) return [];
    this.retries++;
    const errorStatus = retry[2] === undefined ? null : Number(retry[2]);
    if (errorStatus !== null) this.status = errorStatus;
    const detail = line.slice(retry[0].length).replace(/^\.*\s*/, '');
    return [
      {
        kind: 'retry',
        attempt: Number(retry[1]),
        maxRetries: Math.max(0, (this.options.maxAttempts ?? 0) - 1),
        delayMs: 0,
        errorStatus,
        error: unwrapApiError(`[API Error: ${detail.replace(/^_?ApiError:\s*/, '')}]`).message || 'request failed',
      },
    ];
  }
}
