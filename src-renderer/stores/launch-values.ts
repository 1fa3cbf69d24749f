/**
 * The launch form's values, and the schema that reads them as a task spec: each field through the spec's own
 * schema for it, then the whole through launchSpecSchema, so the form refuses what the service would, in the
 * same words.
 */
import { z } from 'zod';
import { forkUnavailableReason, isAgentKind } from '../agents';
import {
  AGENT_CAPABILITIES,
  launchSpecSchema,
  ON_QUOTA_CHOICES,
  PERMISSION_MODES,
  taskSpecSchema,
  type AgentKind,
  type DirectoryInfo,
  type InputIssue,
  type OnQuota,
  type PermissionMode,
  type Spending,
  type TaskDefaults,
  type TaskSpec,
  type TaskSpecInput,
} from '../contract';
import { BatonCallError, errorMessage } from '../errors';
import { sentence } from '../text';

/** The mode a new task runs in unless the settings or the project's last launch say otherwise: it can edit files. */
export const DEFAULT_PERMISSION_MODE: PermissionMode = 'acceptEdits';

export const isPermissionMode = (value: unknown): value is PermissionMode =>
  (PERMISSION_MODES as readonly unknown[]).includes(value);

export const isOnQuota = (value: unknown): value is OnQuota => (ON_QUOTA_CHOICES as readonly unknown[]).includes(value);

/** Absolute on POSIX (`/…`) or Windows (`C:\…`, `\\server\…`). */
export function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
}

/** Why a directory cannot be sent as typed, or null: the service resolves nothing, so `~` and relative paths would miss. */
export function directoryProblem(dir: string): string | null {
  const path = dir.trim();
  if (path === '' || isAbsolutePath(path)) return null;
  if (path.startsWith('~')) return 'Use an absolute path; ~ is not expanded';
  return 'Use an absolute path, starting with /; a relative path is not resolved';
}

/**
 * The allowed-tools field as rules: one per line or comma-separated, except
 * commas inside a rule's parentheses (`Bash(git log --format=%h,%s)`).
 */
export function parseAllowedTools(text: string): string[] {
  const rules: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    let depth = 0;
    let current = '';
    for (const char of line) {
      if (char === '(') depth++;
      else if (char === ')') depth = Math.max(0, depth - 1);
      if (char === ',' && depth === 0) {
        rules.push(current);
        current = '';
      } else {
        current += char;
      }
    }
    rules.push(current);
  }
  return rules.map((r) => r.trim()).filter((r) => r !== '');
}

export const PAUSE_PERCENT_ERROR = 'Pause at window use must be a percent from 1 to 100';

/**
 * The pause threshold as typed, a percent, as the spec's share; blank is "not given". Below 1 % is refused:
 * the spec takes 0, but a threshold that low would hold every task before its first call.
 */
function pauseShare(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  // Four decimals: 33.3 % is 0.333, not 0.33299999999999996.
  return Math.round(Number(text.trim()) * 100) / 10_000;
}

const spec = taskSpecSchema.shape;
/** What the spec fills in for a field not given: the form starts from these, and a copy keeps what differs. */
const SPEC_DEFAULTS = taskSpecSchema.parse({ dir: '/', prompt: '-' });
/** Blank text is "not given", so the spec's default (or nothing) applies rather than "" being refused. */
const text = <T extends z.ZodType<unknown, string | undefined>>(field: T) =>
  z
    .string()
    .transform((typed) => (typed.trim() === '' ? undefined : typed))
    .pipe(field);
/** A number kept as typed, so "abc" is refused in the spec's words rather than silently lost; blank is not given. */
const number = <T extends z.ZodType<unknown, number | undefined>>(field: T) =>
  z
    .string()
    .transform((typed) => (typed.trim() === '' ? undefined : Number(typed.trim())))
    .pipe(field);

/** What the form holds, field by field, and the spec each reads as. */
export const launchFormSchema = z
  .object({
    agent: spec.agent,
    dir: spec.dir.superRefine((dir, ctx) => {
      const problem = directoryProblem(dir);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    prompt: spec.prompt,
    title: text(spec.title),
    model: text(spec.model),
    maxIterations: number(spec.maxIterations),
    context: spec.context,
    check: text(spec.check),
    permissionMode: spec.permissionMode,
    /** One rule per line, or comma-separated: `Bash(npm test:*)`, `Edit`. */
    allowedTools: z
      .string()
      .transform((typed) => {
        const rules = parseAllowedTools(typed);
        return rules.length > 0 ? rules : undefined;
      })
      .pipe(spec.allowedTools),
    budgetUsd: number(spec.budgetUsd),
    maxTurns: number(spec.maxTurns),
    onQuota: spec.onQuota,
    /** A percent of a window's use, 1–100, as typed; the spec's share 0.01–1. */
    pauseAtUtilization: z
      .string()
      .transform(pauseShare)
      .pipe(
        z.number({ error: PAUSE_PERCENT_ERROR }).min(0.01, PAUSE_PERCENT_ERROR).max(1, PAUSE_PERCENT_ERROR).optional(),
      ),
    /** Offered (and on by default) only where the directory is a git repository with commits. */
    worktree: spec.worktree,
    /** Iterations in a row without a change before the task ends stalled; 0 turns it off. */
    stallAfter: number(spec.stallAfter),
  })
  // The service refuses it too, on the same field; said here, nothing is sent.
  .refine(({ agent, context }) => context !== 'fork' || forkUnavailableReason(agent) === null, {
    path: ['context'],
    error: (issue) => forkUnavailableReason((issue.input as { agent: AgentKind }).agent) ?? undefined,
  })
  // Only what was given; a field the agent takes no notice of stays behind (the form hides it for that agent).
  .transform((values) => {
    const ignored: readonly string[] = AGENT_CAPABILITIES[values.agent].ignores;
    const given = Object.entries(values).filter(([key, value]) => value !== undefined && !ignored.includes(key));
    return Object.fromEntries(given) as TaskSpecInput;
  })
  .pipe(launchSpecSchema);

export type LaunchValues = Required<z.input<typeof launchFormSchema>>;
export type LaunchField = keyof LaunchValues;

/** Shown first; the rest of the form is folded away until asked for. */
export const ESSENTIAL_FIELDS = [
  'dir',
  'prompt',
  'agent',
  'model',
  'check',
  'maxIterations',
] as const satisfies readonly LaunchField[];

export const isEssential = (field: string) => (ESSENTIAL_FIELDS as readonly string[]).includes(field);

/** The fields whose defaults the settings keep by agent. */
export const AGENT_DEFAULT_FIELDS = [
  'model',
  'permissionMode',
  'maxIterations',
  'budgetUsd',
] as const satisfies readonly LaunchField[];
export type AgentDefaultField = (typeof AGENT_DEFAULT_FIELDS)[number];

export const DEFAULT_VALUES: LaunchValues = {
  agent: 'claude',
  dir: '',
  prompt: '',
  title: '',
  model: '',
  maxIterations: String(SPEC_DEFAULTS.maxIterations),
  context: 'fresh',
  check: '',
  permissionMode: DEFAULT_PERMISSION_MODE,
  allowedTools: '',
  budgetUsd: '',
  maxTurns: '',
  onQuota: 'wait',
  pauseAtUtilization: '',
  worktree: false,
  stallAfter: String(SPEC_DEFAULTS.stallAfter),
};

/**
 * What an agent's task starts with for the fields the settings keep by agent: the settings' defaults, with the
 * permission mode last launched in the directory over the settings' one.
 */
export function agentDefaults(
  defaults: TaskDefaults,
  agent: AgentKind,
  rememberedMode: PermissionMode | null,
): Pick<LaunchValues, AgentDefaultField> {
  const own = defaults[agent] ?? {};
  return {
    model: own.model ?? '',
    permissionMode: rememberedMode ?? own.permissionMode ?? DEFAULT_PERMISSION_MODE,
    maxIterations: String(own.maxIterations ?? SPEC_DEFAULTS.maxIterations),
    budgetUsd: own.budgetUsd === undefined ? '' : String(own.budgetUsd),
  };
}

/** The form's values for a spec (a finished task's, for "Run again"). */
export function valuesFromSpec(spec: TaskSpec, fallbackMode: PermissionMode): LaunchValues {
  const count = (value: number | undefined) => (value === undefined ? '' : String(value));
  return {
    // A spec stored before agents had kinds has none: it ran Claude Code.
    agent: isAgentKind(spec.agent) ? spec.agent : 'claude',
    dir: spec.dir,
    prompt: spec.prompt,
    title: spec.title ?? '',
    model: spec.model ?? '',
    maxIterations: String(spec.maxIterations),
    context: spec.context,
    check: spec.check ?? '',
    permissionMode: spec.permissionMode ?? fallbackMode,
    allowedTools: (spec.allowedTools ?? []).join('\n'),
    budgetUsd: count(spec.budgetUsd),
    maxTurns: count(spec.maxTurns),
    // A spec from a service older than these settings has neither: the defaults then.
    onQuota: isOnQuota(spec.onQuota) ? spec.onQuota : 'wait',
    pauseAtUtilization: count(
      spec.pauseAtUtilization === undefined ? undefined : Math.round(spec.pauseAtUtilization * 10_000) / 100,
    ),
    worktree: spec.worktree === true,
    stallAfter: String(spec.stallAfter ?? SPEC_DEFAULTS.stallAfter),
  };
}

/** Spec fields the form has no field for, kept from the task a "Run again" copied. */
export const CARRIED_FIELDS = [
  'checkTimeoutSeconds',
  'completionMarker',
  'timeoutSeconds',
  'idleTimeoutSeconds',
  'maxTokens',
  'maxRetries',
] as const;
export type CarriedField = (typeof CARRIED_FIELDS)[number];
export type CarriedSpec = Partial<Pick<TaskSpecInput, CarriedField>>;

/** The spec fields the form has no field for that differ from their defaults: what a re-run must keep. */
export function carriedFrom(spec: TaskSpec): CarriedSpec {
  const carried: Record<string, unknown> = {};
  for (const key of CARRIED_FIELDS) {
    const value = spec[key];
    if (value !== undefined && value !== SPEC_DEFAULTS[key]) carried[key] = value;
  }
  return carried as CarriedSpec;
}

/** Errors by field; `form` holds what belongs to no single field. */
export type LaunchErrors = Partial<Record<LaunchField | 'form', string>>;

const isLaunchField = (key: unknown): key is LaunchField => typeof key === 'string' && key in DEFAULT_VALUES;

/**
 * Puts each issue on the field its path starts with, or on `form` when that is
 * no field of this form (or the issue is about the whole spec). A field shows
 * its first issue only.
 */
export function placeIssues(issues: readonly InputIssue[]): LaunchErrors {
  const errors: LaunchErrors = {};
  for (const issue of issues) {
    const key = isLaunchField(issue.path[0]) ? issue.path[0] : 'form';
    errors[key] ??= sentence(issue.message);
  }
  return errors;
}

/**
 * Whether an 'unavailable' refusal is about the agent (its CLI is missing, or this Baton has no runner
 * for it) rather than about the connection to Baton, which fails with the same code.
 */
export function isAgentUnavailable(error: unknown): error is BatonCallError {
  if (!(error instanceof BatonCallError) || error.code !== 'unavailable') return false;
  return /\binstall\b|BATON_[A-Z]+_BIN|\bagent\b|\bCLI\b/.test(error.message);
}

/**
 * Where a failed launch's error goes: the server's issues on their fields, a missing agent (with its install
 * hint) on the agent field, else its message on the form.
 */
export function launchErrors(error: unknown): LaunchErrors {
  if (error instanceof BatonCallError && error.issues.length > 0) return placeIssues(error.issues);
  if (isAgentUnavailable(error)) return { agent: sentence(error.message) };
  // Without issues (a lost connection, a failure not about one field) the message is about the form as a whole.
  return { form: errorMessage(error) };
}

/** What the form knows of the directory typed, from getDirectoryInfo: asked, answered, or the call failed. */
export type DirectoryCheck =
  | { dir: string; status: 'checking' }
  | { dir: string; status: 'ready'; info: DirectoryInfo }
  | { dir: string; status: 'error'; error: string };

/** Whether the worktree choice can be made for the directory checked, and if not, why, in words. */
export function worktreeChoice(check: DirectoryCheck | null): { available: boolean; reason: string | null } {
  if (check === null) return { available: false, reason: 'Choose a project directory first.' };
  if (check.status === 'checking') return { available: false, reason: 'Checking the directory…' };
  // A service that could not say leaves the choice to the user; it refuses, with its reason, at launch.
  if (check.status === 'error') return { available: true, reason: `Could not check the directory: ${check.error}` };
  const { info } = check;
  if (!info.exists) return { available: false, reason: 'The directory does not exist.' };
  if (info.gitProblem) return { available: false, reason: info.gitProblem };
  if (!info.gitRepository) return { available: false, reason: 'Not a git repository.' };
  if (!info.hasCommits) return { available: false, reason: 'The repository has no commits yet.' };
  return { available: true, reason: null };
}

/** Whether today's spending has reached the daily budget, so a launched task would not run. */
export function budgetReached(spending: Pick<Spending, 'spentTodayUsd' | 'dailyBudgetUsd'> | null): boolean {
  return spending !== null && spending.dailyBudgetUsd !== null && spending.spentTodayUsd >= spending.dailyBudgetUsd;
}
