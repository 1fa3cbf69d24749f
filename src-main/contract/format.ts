/** Every number, cost, duration and date Baton shows, in the terminal and in the window, is formatted here, so they agree. */
import { type WaitCause, waitCauseOf } from './agent-events';
import type { PermissionMode } from './task-spec';
import type { UsageSource } from './usage';
import type { SessionStatus, TaskStatus } from './views';
import { formatDuration, formatInteger, formatPreciseCost, pad2, plural } from './format-numbers';

export * from './format-numbers';
export * from './format-chart';

/** Local date and time as "2026-11-25 14:03": sortable, unambiguous, and independent of the OS locale. */
export function formatDate(epochMs: number | null | undefined): string {
  if (epochMs === null || epochMs === undefined || !Number.isFinite(epochMs)) return '—';
  const d = new Date(epochMs);
  return `${formatDay(d)} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** Local time of day to the second, "14:03:07": when an event of an iteration came (its day is the iteration's). */
export function formatTimeOfDay(epochMs: number | null | undefined): string {
  if (epochMs === null || epochMs === undefined || !Number.isFinite(epochMs)) return '—';
  const d = new Date(epochMs);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** A local calendar day as "YYYY-MM-DD" (the value format of <input type="date">). */
export function formatDay(d: Date): string {
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}

/** Parses "YYYY-MM-DD" as local midnight; null when empty or malformed. */
export function parseDay(value: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!match) return null;
  const [, y, m, d] = match;
  const date = new Date(Number(y), Number(m) - 1, Number(d));
  if (date.getMonth() !== Number(m) - 1) return null;
  return date.getTime();
}

/** The exact value for a data-value attribute: unrounded, no separators ("15100", "0.1627"). */
export function rawValue(value: number): string {
  return String(value);
}

/** Input + output + cache write + cache read, the same sum the store computes for totalTokens. */
export function sumTokens(usage: {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
}): number {
  return usage.inputTokens + usage.outputTokens + usage.cacheCreationTokens + usage.cacheReadTokens;
}

/** Local midnight `days` calendar days after the day of `epochMs` (DST-safe, unlike adding 24 h). */
export function addDays(epochMs: number, days: number): number {
  const d = new Date(epochMs);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + days).getTime();
}

/**
 * Costs kept to a billionth of a dollar (or `decimals` places), finer than any price, so sums of floats do not
 * show noise (0.1 + 0.2 → 0.3); never -0.
 */
export function roundUsd(usd: number, decimals = 9): number {
  const factor = 10 ** decimals;
  const rounded = Math.round(usd * factor) / factor;
  return rounded === 0 ? 0 : rounded;
}

/** Words for every task status, for people (the enum stays in JSON and attributes). */
/** Where usage comes from: Baton's own runs, or sessions a person ran in the agent's own interface. */
export const USAGE_SOURCE_LABELS: Record<UsageSource, string> = { baton: 'Baton', interactive: 'Interactive' };

export const TASK_STATUS_LABELS: Record<TaskStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  /** For a spent window or an API that does not answer: the reason (and WAIT_LABELS, where known) says which. */
  waiting: 'Waiting',
  completed: 'Completed',
  max_iterations: 'Reached max iterations',
  failed: 'Failed',
  cancelled: 'Stopped',
  interrupted: 'Interrupted',
  budget_exceeded: 'Over budget',
  stalled: 'Stalled',
};

/** Words for every session (iteration) status. */
export const SESSION_STATUS_LABELS: Record<SessionStatus, string> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Stopped',
  interrupted: 'Interrupted',
};

/** Words for a task, or an iteration, that waits: what it waits for. */
export const WAIT_LABELS: Record<WaitCause, string> = {
  quota: 'Waiting for quota',
  api: 'Waiting for the API',
};

/** What a wait was for, after "waited" or "waits": "for quota", "for the API". */
export const WAITED_FOR: Record<WaitCause, string> = { quota: 'for quota', api: 'for the API' };

/**
 * An iteration's earlier attempts in words, waits apart from failures: "1 retry", "1 wait for quota",
 * "2 waits for the API and 1 retry".
 */
export function describeAttempts(retries: readonly { errorKind: string }[]): string {
  const parts: string[] = [];
  for (const cause of ['quota', 'api'] as const) {
    const waits = retries.filter((r) => waitCauseOf(r.errorKind) === cause).length;
    if (waits > 0) parts.push(`${plural(waits, 'wait')} ${WAITED_FOR[cause]}`);
  }
  const failed = retries.filter((r) => waitCauseOf(r.errorKind) === null).length;
  if (failed > 0) parts.push(plural(failed, 'retry', 'retries'));
  return parts.join(' and ');
}

/** The label of a task or session status; an unknown one (a newer server) is shown in words made of its enum. */
export function statusLabel(status: string): string {
  const known: Record<string, string> = { ...SESSION_STATUS_LABELS, ...TASK_STATUS_LABELS };
  if (Object.hasOwn(known, status)) return known[status]!;
  const words = status.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The limits a session was given, where known, to say which one it stopped at. */
interface SessionLimits {
  maxTurns?: number;
  maxBudgetUsd?: number;
}

/** How Claude Code names why a session stopped (its result's subtype), as a phrase after "the agent". */
const AGENT_STOPS: Record<string, (limits: SessionLimits) => string> = {
  error_max_turns: ({ maxTurns }) =>
    maxTurns === undefined ? 'stopped at its limit of turns' : `stopped at its limit of ${plural(maxTurns, 'turn')}`,
  error_max_budget_usd: ({ maxBudgetUsd }) =>
    maxBudgetUsd === undefined
      ? 'stopped at its budget'
      : `stopped at its budget (${formatPreciseCost(maxBudgetUsd)} for this session)`,
  error_during_execution: () => 'stopped with an error while it ran',
};

/**
 * How an agent's session ended, as a phrase after "the agent": "finished", "stopped at its budget", "stopped: the
 * API answered 529". Never the agent's own code for it: one this version does not know is read out in words.
 */
export function describeAgentStop(
  result: { isError: boolean; subtype: string; apiErrorStatus: number | null },
  limits: SessionLimits = {},
): string {
  if (Object.hasOwn(AGENT_STOPS, result.subtype)) return AGENT_STOPS[result.subtype]!(limits);
  if (result.apiErrorStatus !== null) return `stopped: the API answered ${result.apiErrorStatus}`;
  if (result.subtype === 'success' || result.subtype === '')
    return result.isError ? 'stopped with an error' : 'finished';
  const words = result.subtype.replace(/^error_/, '').replace(/_/g, ' ');
  return result.isError ? `stopped with an error (${words})` : `finished (${words})`;
}

/** What each permission mode lets the agent do, one line each. */
export const PERMISSION_MODE_DESCRIPTIONS: Record<PermissionMode, string> = {
  default: 'the CLI asks first; run headless it refuses file edits and most Bash',
  acceptEdits: 'edits files without asking; still refuses most Bash',
  bypassPermissions: 'everything, no questions asked; use with care',
  plan: 'reads and plans only; changes nothing',
};

/** "3 tool calls were blocked by the permission mode"; empty for none. */
export function describePermissionDenials(count: number): string {
  if (count <= 0) return '';
  return count === 1
    ? '1 tool call was blocked by the permission mode'
    : `${formatInteger(count)} tool calls were blocked by the permission mode`;
}

/** A wait as people say it: "35 s", "2 min 05 s"; never "0 s" for a wait that has not ended. */
export function formatWait(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0 s';
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  return `${Math.floor(seconds / 60)} min ${pad2(seconds % 60)} s`;
}

/** An API call the agent CLI retries: what went wrong, and how it goes on. */
interface ApiRetry {
  attempt: number;
  maxRetries: number;
  delayMs: number;
  errorStatus: number | null;
  error: string;
  apiUrl?: string;
}

/** What went wrong with a call the agent retries, as a phrase: "can't reach the API: timeout", "the API answered 529". */
export function describeApiTrouble(retry: Pick<ApiRetry, 'errorStatus' | 'error' | 'apiUrl'>): string {
  const error = retry.error.trim().replace(/^\((.*)\)$/, '$1');
  const known = error !== '' && error.toLowerCase() !== 'unknown';
  const what =
    retry.errorStatus === null ? `can't reach ${retry.apiUrl ?? 'the API'}` : `the API answered ${retry.errorStatus}`;
  return `${what}${known ? `: ${error}` : ''}`;
}

/** The agent CLI's retry of an API call, in words: "Can't reach the API: timeout; retry 7 of 10 in 35 s". */
export function describeApiRetry(retry: ApiRetry): string {
  const trouble = describeApiTrouble(retry);
  const when = retry.delayMs > 0 ? `in ${formatWait(retry.delayMs)}` : 'now';
  return `${trouble.charAt(0).toUpperCase()}${trouble.slice(1)}; retry ${retry.attempt} of ${retry.maxRetries} ${when}`;
}

/** What to change so blocked tool calls can run, for the mode a task ran in. */
export function permissionDenialHint(mode: PermissionMode | null | undefined): string {
  const tools = 'or list the tools it needs under allowed tools (e.g. Bash(npm test:*))';
  if (mode === 'bypassPermissions') return 'Check the allowed tools and the project’s own settings of the CLI.';
  if (mode === 'acceptEdits') return `To let them run, launch again with bypassPermissions, ${tools}.`;
  return `To let them run, launch again with acceptEdits (file edits) or bypassPermissions (everything), ${tools}.`;
}

const TOOL_SUMMARY_MAX = 200;

function clipLine(text: string, max = TOOL_SUMMARY_MAX): string {
  const lines = text.trim().split(/\r?\n/);
  let first = lines[0] ?? '';
  const more = lines.length > 1;
  if (first.length > max) first = `${first.slice(0, max)}…`;
  else if (more) first = `${first} …`;
  return first;
}

/** `path` relative to `baseDir` when it lies inside it: "/work/app/src/a.ts" in "/work/app" → "src/a.ts". */
export function relativePath(path: string, baseDir: string | null | undefined): string {
  if (!baseDir) return path;
  const base = baseDir.replace(/[\\/]+$/, '');
  if (base === '') return path;
  if (path === base) return '.';
  for (const sep of ['/', '\\']) {
    if (path.startsWith(base + sep)) return path.slice(base.length + 1);
  }
  return path;
}

const FILE_TOOLS: Record<string, string> = {
  Read: 'file_path',
  Write: 'file_path',
  Edit: 'file_path',
  MultiEdit: 'file_path',
  NotebookEdit: 'notebook_path',
  NotebookRead: 'notebook_path',
  LS: 'path',
};

/**
 * A tool call in one line, as it reads to a person: `$ npm test` for Bash,
 * "Edit src/app.ts" for the file tools (relative to the task's directory),
 * "Grep TODO in src" for searches, the tool's name and its main argument
 * otherwise; never the raw JSON (which the views keep behind a disclosure).
 */
export function describeToolCall(name: string, input: unknown, baseDir?: string | null): string {
  const fields = input && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  const text = (key: string): string | null => {
    const value = fields[key];
    return typeof value === 'string' && value.trim() !== '' ? value : null;
  };
  const path = (key: string): string | null => {
    const value = text(key);
    return value === null ? null : relativePath(value, baseDir);
  };

  if (name === 'Bash') {
    const command = text('command');
    return command === null ? 'Bash' : `$ ${clipLine(command)}`;
  }
  const fileKey = FILE_TOOLS[name];
  if (fileKey) {
    const file = path(fileKey);
    return file === null ? name : `${name} ${clipLine(file)}`;
  }
  if (name === 'Glob' || name === 'Grep') {
    const pattern = text('pattern');
    const where = path('path');
    if (pattern === null) return name;
    return `${name} ${clipLine(pattern)}${where !== null && where !== '.' ? ` in ${clipLine(where)}` : ''}`;
  }
  if (name === 'TodoWrite' && Array.isArray(fields.todos)) return `TodoWrite ${plural(fields.todos.length, 'item')}`;
  for (const key of ['description', 'url', 'query', 'prompt', 'command', 'path', 'file_path', 'pattern']) {
    const value = text(key);
    if (value !== null) return `${name} ${clipLine(key.endsWith('path') ? relativePath(value, baseDir) : value, 120)}`;
  }
  const firstText = Object.values(fields).find((v): v is string => typeof v === 'string' && v.trim() !== '');
  if (firstText !== undefined) return `${name} ${clipLine(firstText, 120)}`;
  const keys = Object.keys(fields);
  return keys.length > 0 ? `${name} (${keys.slice(0, 4).join(', ')}${keys.length > 4 ? ', …' : ''})` : name;
}

/** A subscription window's name for people: "five_hour" → "5-hour", "seven_day_opus" → "7-day Opus". */
export function describeQuotaWindow(name: string | null): string {
  if (name === null) return 'subscription';
  const known: Record<string, string> = { five_hour: '5-hour', seven_day: '7-day' };
  if (Object.hasOwn(known, name)) return known[name]!;
  const [first, second, ...rest] = name.split('_');
  const head = first && second && known[`${first}_${second}`];
  if (head) return [head, ...rest.map((word) => word.charAt(0).toUpperCase() + word.slice(1))].join(' ');
  return name.replace(/_/g, ' ');
}

/** How long until `epochMs`, for a countdown: "3m05s", or "now" once it has passed. */
export function formatCountdown(epochMs: number, now: number): string {
  const left = epochMs - now;
  return left <= 0 ? 'now' : formatDuration(Math.ceil(left / 1000) * 1000);
}
