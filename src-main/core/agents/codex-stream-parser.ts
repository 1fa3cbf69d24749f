/**
 * Turns the Codex CLI's `codex exec --json` stdout, one line at a time, into
 * Baton's typed AgentEvents. Pure: it reads lines and keeps counts, nothing else.
 *
 * What Codex prints (checked with codex-cli 0.171.0; the shapes are its
 * documented exec events, not one version's details):
 * - `thread.started` {thread_id}: the thread id is the session id Codex reports → `init`;
 * - `turn.started`, then `item.started` / `item.completed` {item}: an `agent_message`
 *   → `text`, a `command_execution` → `tool_use` + `tool_result`, a `file_change`
 *   → `tool_use` + `tool_result`, an `error` item is a warning (such as "Model
 *   metadata for X not found"), not a failure;
 * - `error` {message}: "Reconnecting... 1/5 (…)" while it retries → `retry`; the
 *   last one, without a count, repeats why the turn is about to fail;
 * - `turn.completed` {usage} → `usage` and a successful `result`; `turn.failed`
 *   {error} → a failed `result`.
 *
 * Codex reports no cost, no durations and no HTTP status: the result's cost is
 * null (to be priced from its tokens), its durations 0 (the runner measures the
 * wall time) and its apiErrorStatus null. Unknown line and item types are
 * skipped; a line that is not a JSON object, or a known line of the wrong shape,
 * is a protocol error for the caller to fail the iteration with.
 */
import { z } from 'zod';
import { type AgentEvent, type AgentResult, type TokenUsage, zeroUsage } from '../../contract/agent-events';
// A token count that cannot be true (negative, fractional, absurd) is taken as 0, as for Claude Code.
import { count as tokens, type ParsedLine } from './claude-stream-parser';
import { toTokenUsage } from './codex-usage';
import { decodeEventLine, describeIssues } from './event-lines';

/** The tool names Codex's actions are shown under; `Bash` is the one Baton's views describe as `$ <command>`. */
export const CODEX_COMMAND_TOOL = 'Bash';
export const CODEX_PATCH_TOOL = 'ApplyPatch';

/** Codex's usage of a turn: the sum over the turn's API requests, in OpenAI's terms. */
const turnUsage = z
  .object({
    /** All prompt tokens, the cached ones included. */
    input_tokens: tokens.optional(),
    cached_input_tokens: tokens.optional(),
    cache_write_input_tokens: tokens.optional(),
    /** All generated tokens, the reasoning ones included. */
    output_tokens: tokens.optional(),
    reasoning_output_tokens: tokens.optional(),
  })
  .loose();

const threadStarted = z.object({ thread_id: z.string().min(1) });
const turnCompleted = z.object({ usage: turnUsage.optional() });
const turnFailed = z.object({ error: z.object({ message: z.string().catch('') }).catch({ message: '' }) });
const errorLine = z.object({ message: z.string() });
const itemLine = z.object({ item: z.object({ id: z.string(), type: z.string() }).loose() });

const agentMessage = z.object({ text: z.string().catch('') });
const commandExecution = z.object({
  command: z.string(),
  aggregated_output: z.string().catch(''),
  exit_code: z.number().int().nullable().catch(null),
  status: z.string().catch(''),
});
const fileChange = z.object({
  changes: z.array(z.object({ path: z.string(), kind: z.string().catch('update') })),
  status: z.string().catch(''),
});
const warningItem = z.object({ message: z.string().catch('') });

/** "Reconnecting... 2/5 (why)": the attempt, the most there will be, and why. */
const RETRY_MESSAGE = /^\s*(?:reconnecting|retrying)\b[^\d]*(\d+)\s*\/\s*(\d+)\s*(?:\((.*)\))?\s*$/is;

/** `<shell> -lc <one quoted word>`, the way Codex reports a command it ran through a shell. */
const SHELL_WRAPPER = /^(?:\S*\/)?(?:bash|sh|zsh)\s+-l?c\s+(?:'((?:[^']|'\\'')*)'|"((?:[^"\\]|\\.)*)")$/s;

/**
 * The command Codex ran, without the shell it wrapped it in: Codex reports
 * `/bin/bash -lc '<command>'` (or, when the command holds a single quote, the
 * command in double quotes) for what the model asked to run as `<command>`.
 * Anything else is returned as it is.
 */
export function unwrapShellCommand(command: string): string {
  const wrapped = SHELL_WRAPPER.exec(command);
  if (!wrapped) return command;
  if (wrapped[1] !== undefined) return wrapped[1].replaceAll(`'\\''`, `'`);
  // Inside double quotes a backslash escapes only these four.
  return wrapped[2]!.replace(/\\([\\"$`])/g, '$1');
}

/** How a Codex run ended, with what the contract's AgentResult has no field for. */
export interface CodexOutcome {
  status: 'completed' | 'failed';
  /** The same result the `result` event carried. */
  result: AgentResult;
  /** Reasoning tokens, a part of `result.usage.outputTokens` (not in addition to it). */
  reasoningOutputTokens: number;
  /** Why the turn failed, as Codex said it; null when it completed. */
  error: string | null;
}

export type ParsedCodexLine = ParsedLine;

export interface CodexStreamParserOptions {
  /** What the session was started with; Codex's own lines name neither. */
  model?: string;
  cwd?: string;
}

type Step = { events: AgentEvent[] } | { malformed: string; issue: string };

const bad = (what: string, error: z.ZodError): Step => ({ malformed: what, issue: describeIssues(error) });

/** A tool Codex ran failed, or was not let run. */
const FAILED_STATUSES = new Set(['failed', 'declined']);

/** One parser per `codex exec` run. */
export class CodexStreamParser {
  private threadIdSeen: string | null = null;
  private turnsStarted = 0;
  private readonly usage = zeroUsage();
  private reasoningTokens = 0;
  private readonly toolsStarted = new Set<string>();
  private readonly warningsSeen: string[] = [];
  private lastError: string | null = null;
  /** The last assistant message: the result's text, as Claude Code's result repeats its last message. */
  private lastText = '';
  private retries = 0;
  private finalOutcome: CodexOutcome | null = null;

  constructor(private readonly options: CodexStreamParserOptions = {}) {}

  /** The thread id from `thread.started`: the id to store for the session, and to fork or resume it by. */
  get threadId(): string | null {
    return this.threadIdSeen;
  }

  /** How the run ended; null until a `turn.completed` or `turn.failed` line. */
  get outcome(): CodexOutcome | null {
    return this.finalOutcome;
  }

  /** Turns started so far (one per prompt: `codex exec` runs one). */
  get turnsSeen(): number {
    return this.turnsStarted;
  }

  /** Token totals of the turns completed so far; Codex reports usage only when a turn completes. */
  usageSoFar(): TokenUsage {
    return { ...this.usage };
  }

  /** The reasoning part of the output tokens so far. */
  get reasoningOutputTokens(): number {
    return this.reasoningTokens;
  }

  /** Warnings Codex reported as `error` items, which do not fail the run. */
  get warnings(): readonly string[] {
    return this.warningsSeen;
  }

  /** The last `error` line's message (a retry's or the final one), for a run that ends without a turn result. */
  get lastErrorMessage(): string | null {
    return this.lastError;
  }

  /** Retries Codex reported so far. */
  get retriesSeen(): number {
    return this.retries;
  }

  parseLine(line: string): ParsedCodexLine {
    const decoded = decodeEventLine(line, { who: 'codex', event: 'an exec event' });
    if (!decoded.ok) return decoded;
    const value = decoded.value;
    if (value === null) return { ok: true, events: [] };
    const step = this.step(value.type, value);
    return 'malformed' in step
      ? { ok: false, error: `malformed codex ${step.malformed} line: ${step.issue}` }
      : { ok: true, events: step.events };
  }

  private step(type: string, value: unknown): Step {
    switch (type) {
      case 'thread.started': {
        const line = threadStarted.safeParse(value);
        if (!line.success) return bad(type, line.error);
        this.threadIdSeen = line.data.thread_id;
        return {
          events: [
            {
              kind: 'init',
              agentSessionId: line.data.thread_id,
              model: this.options.model ?? '',
              cwd: this.options.cwd ?? '',
              tools: [],
            },
          ],
        };
      }
      case 'turn.started':
        this.turnsStarted++;
        return { events: [] };
      case 'item.started':
      case 'item.completed': {
        const line = itemLine.safeParse(value);
        if (!line.success) return bad(type, line.error);
        return this.item(line.data.item, type === 'item.completed');
      }
      case 'error': {
        const line = errorLine.safeParse(value);
        if (!line.success) return bad(type, line.error);
        this.lastError = line.data.message;
        const retry = RETRY_MESSAGE.exec(line.data.message);
        if (!retry) return { events: [] };
        this.retries++;
        return {
          events: [
            {
              kind: 'retry',
              attempt: Number(retry[1]),
              maxRetries: Number(retry[2]),
              // Codex says neither how long it waits nor what status it got.
              delayMs: 0,
              errorStatus: null,
              error: retry[3]?.trim() || line.data.message,
            },
          ],
        };
      }
      case 'turn.completed': {
        const line = turnCompleted.safeParse(value);
        if (!line.success) return bad(type, line.error);
        const turn = toTokenUsage(line.data.usage);
        this.usage.inputTokens += turn.inputTokens;
        this.usage.outputTokens += turn.outputTokens;
        this.usage.cacheReadTokens += turn.cacheReadTokens;
        this.usage.cacheCreationTokens += turn.cacheCreationTokens;
        this.reasoningTokens += line.data.usage?.reasoning_output_tokens ?? 0;
        const result = this.finish('completed', null);
        return {
          events: [
            { kind: 'usage', usage: this.usageSoFar() },
            { kind: 'result', result },
          ],
        };
      }
      case 'turn.failed': {
        const line = turnFailed.safeParse(value);
        if (!line.success) return bad(type, line.error);
        const message = line.data.error.message || this.lastError || 'codex reported a failed turn';
        return { events: [{ kind: 'result', result: this.finish('failed', message) }] };
      }
      default:
        return { events: [] };
    }
  }

  private finish(status: CodexOutcome['status'], error: string | null): AgentResult {
    const result: AgentResult = {
      isError: status === 'failed',
      subtype: status === 'failed' ? 'turn_failed' : 'success',
      apiErrorStatus: null,
      resultText: error ?? this.lastText,
      turns: Math.max(1, this.turnsStarted),
      costUsd: null,
      durationMs: 0,
      apiDurationMs: 0,
      usage: this.usageSoFar(),
      permissionDenials: 0,
    };
    this.finalOutcome = { status, result, reasoningOutputTokens: this.reasoningTokens, error };
    return result;
  }

  private item(item: { id: string; type: string }, completed: boolean): Step {
    switch (item.type) {
      case 'agent_message': {
        if (!completed) return { events: [] };
        const message = agentMessage.safeParse(item);
        if (!message.success) return bad('agent_message', message.error);
        if (message.data.text === '') return { events: [] };
        this.lastText = message.data.text;
        return { events: [{ kind: 'text', text: message.data.text }] };
      }
      case 'command_execution': {
        const command = commandExecution.safeParse(item);
        if (!command.success) return bad('command_execution', command.error);
        const { aggregated_output, exit_code, status } = command.data;
        const events = this.toolStart(item.id, CODEX_COMMAND_TOOL, {
          command: unwrapShellCommand(command.data.command),
          codexCommand: command.data.command,
        });
        if (completed) {
          const failed = FAILED_STATUSES.has(status) || (exit_code !== null && exit_code !== 0);
          events.push({
            kind: 'tool_result',
            toolUseId: item.id,
            // As Claude Code reports a failed Bash call: the exit code first, then the output.
            content:
              exit_code !== null && exit_code !== 0
                ? `Exit code ${exit_code}\n${aggregated_output}`
                : aggregated_output,
            isError: failed,
          });
        }
        return { events };
      }
      case 'file_change': {
        const patch = fileChange.safeParse(item);
        if (!patch.success) return bad('file_change', patch.error);
        const { changes, status } = patch.data;
        const events = this.toolStart(item.id, CODEX_PATCH_TOOL, { path: changes[0]?.path ?? '', changes });
        if (completed) {
          events.push({
            kind: 'tool_result',
            toolUseId: item.id,
            content: changes.map((change) => `${change.kind} ${change.path}`).join('\n'),
            isError: FAILED_STATUSES.has(status),
          });
        }
        return { events };
      }
      case 'error': {
        if (completed) {
          const warning = warningItem.safeParse(item);
          if (warning.success && warning.data.message) this.warningsSeen.push(warning.data.message);
        }
        return { events: [] };
      }
      default:
        return { events: [] };
    }
  }

  /** The `tool_use` of an item, once: at `item.started`, or at `item.completed` when no start was printed. */
  private toolStart(id: string, name: string, input: Record<string, unknown>): AgentEvent[] {
    if (this.toolsStarted.has(id)) return [];
    this.toolsStarted.add(id);
    return [{ kind: 'tool_use', toolUseId: id, name, input }];
  }
}
