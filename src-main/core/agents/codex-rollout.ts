/**
 * What Codex wrote about a thread in its own transcript, `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<thread>.jsonl`:
 * the usage of each API response, and how its last turn ended. Baton reads it where `codex exec --json`
 * says less than was spent:
 * - a failed turn prints `turn.failed` with no usage, though the responses that completed before the
 *   failure were billed;
 * - a forked thread's `turn.completed` reports the thread's totals, the conversation it was forked from
 *   included, where this run spent only its own responses;
 * - an error carries no HTTP status on stdout, but the transcript classifies it (`codex_error_info`).
 *
 * Checked with codex-cli 0.171.0. The lines read are `token_usage_record` (one per response, with its id),
 * `event_msg` of type `token_count` (the older way, one per response: `last_token_usage`) and `event_msg` of
 * type `task_complete` with its `error`. Anything else, or a file that cannot be read, is ignored: this is a
 * fallback, never a reason to fail a run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type TokenUsage, zeroUsage } from '../../contract/agent-events';
import { codexRawUsage, toTokenUsage, type CodexUsage } from './codex-usage';

/** Codex's state directory for an agent run with this environment: CODEX_HOME, or ~/.codex. */
export function codexHomeOf(env: NodeJS.ProcessEnv): string {
  if (env.CODEX_HOME) return env.CODEX_HOME;
  return path.join(env.HOME || os.homedir(), '.codex');
}

/** Names in a directory, newest first where they are dates or times (as Codex names them); none if unreadable. */
function entriesNewestFirst(dir: string): string[] {
  try {
    return readdirSync(dir).sort().reverse();
  } catch {
    return [];
  }
}

/** The transcript of a thread, searched from the newest day back; undefined when there is none. */
export function findRollout(codexHome: string, threadId: string): string | undefined {
  const suffix = `-${threadId}.jsonl`;
  const sessions = path.join(codexHome, 'sessions');
  for (const year of entriesNewestFirst(sessions)) {
    for (const month of entriesNewestFirst(path.join(sessions, year))) {
      for (const day of entriesNewestFirst(path.join(sessions, year, month))) {
        const dir = path.join(sessions, year, month, day);
        const file = entriesNewestFirst(dir).find((name) => name.startsWith('rollout-') && name.endsWith(suffix));
        if (file) return path.join(dir, file);
      }
    }
  }
  return undefined;
}

export interface RolloutSummary {
  /** The sum over this thread's own responses, in Baton's four kinds; zero when none completed. */
  usage: TokenUsage;
  /** The reasoning part of those responses' output tokens. */
  reasoningTokens: number;
  /** Responses counted. */
  responses: number;
  /** The HTTP status of the error the last turn failed with, where Codex's classification implies one. */
  errorStatus: number | null;
}

type RawUsage = Required<CodexUsage>;

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The status Codex's error classes stand for; those with a status of their own carry it. */
const STATUS_OF_ERROR_INFO: Record<string, number> = {
  internal_server_error: 500,
  server_overloaded: 503,
  unauthorized: 401,
  bad_request: 400,
};

/** `codex_error_info` is a name ("internal_server_error") or one such name keyed to its details. */
export function statusOfErrorInfo(info: unknown): number | null {
  if (typeof info === 'string') return STATUS_OF_ERROR_INFO[info] ?? null;
  const details = asObject(info);
  if (!details) return null;
  for (const value of Object.values(details)) {
    const status = asObject(value)?.http_status_code;
    if (typeof status === 'number' && Number.isInteger(status) && status >= 100 && status < 600) return status;
  }
  return null;
}

/** Reads a thread's transcript; undefined when it cannot be found or read. */
export function readRollout(codexHome: string, threadId: string): RolloutSummary | undefined {
  const file = findRollout(codexHome, threadId);
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const byResponse = new Map<string, RawUsage>();
  const lastUsages: RawUsage[] = [];
  let errorStatus: number | null = null;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let entry: Record<string, unknown> | undefined;
    try {
      entry = asObject(JSON.parse(line));
    } catch {
      // A line cut by a crash.
      continue;
    }
    const payload = asObject(entry?.payload);
    if (!entry || !payload) continue;
    if (entry.type === 'token_usage_record') {
      // A forked thread's file holds only its own records; another thread's (a sub-agent's) is not this one's.
      if (payload.thread_id !== undefined && payload.thread_id !== threadId) continue;
      const usage = codexRawUsage(payload.usage);
      const id = typeof payload.response_id === 'string' ? payload.response_id : `#${byResponse.size}`;
      if (usage) byResponse.set(id, usage);
    } else if (entry.type === 'event_msg' && payload.type === 'token_count') {
      const usage = codexRawUsage(asObject(payload.info)?.last_token_usage);
      if (usage) lastUsages.push(usage);
    } else if (entry.type === 'event_msg' && payload.type === 'task_complete') {
      const error = asObject(payload.error);
      errorStatus = error ? statusOfErrorInfo(error.codex_error_info) : null;
    }
  }
  // The per-response records where Codex writes them; the per-response token counts otherwise.
  const responses = byResponse.size > 0 ? [...byResponse.values()] : lastUsages;
  const usage = zeroUsage();
  let reasoningTokens = 0;
  for (const response of responses) {
    const tokens = toTokenUsage(response);
    usage.inputTokens += tokens.inputTokens;
    usage.outputTokens += tokens.outputTokens;
    usage.cacheReadTokens += tokens.cacheReadTokens;
    usage.cacheCreationTokens += tokens.cacheCreationTokens;
    reasoningTokens += response.reasoning_output_tokens ?? 0;
  }
  return { usage, reasoningTokens, responses: responses.length, errorStatus };
}
