/** Read models shared by the CLI, the desktop window and browser mode, declared once as zod schemas. */
import { z } from 'zod';
import { quotaWindowSchema, rateLimitInfoSchema, WAIT_CAUSES } from './agent-events';
import { hasNoNul, nulMessage } from './input-bounds';
import { SPEC_TEXTS, taskSpecSchema, type AgentKind } from './task-spec';
import { timeZoneSchema } from './time-zone';

export const TASK_STATUSES = [
  'queued',
  'running',
  /** Running, but holding off until a spent subscription window reopens. */
  'waiting',
  'completed',
  'max_iterations',
  'failed',
  'cancelled',
  'interrupted',
  'budget_exceeded',
  /** Ended because K iterations in a row changed no file and left the check's output as it was. */
  'stalled',
] as const;
export const taskStatusSchema = z.enum(TASK_STATUSES);

/** Statuses a task can be resumed from: it stopped before it was done. */
export const RESUMABLE_STATUSES = [
  'interrupted',
  'cancelled',
  'failed',
  'stalled',
] as const satisfies readonly (typeof TASK_STATUSES)[number][];
export type TaskStatus = z.infer<typeof taskStatusSchema>;

/** Statuses of a task that is not over: live in every view, and stoppable (a waiting task still runs). */
export const ACTIVE_STATUSES = ['queued', 'running', 'waiting'] as const satisfies readonly TaskStatus[];
export const isActiveStatus = (status: TaskStatus): boolean =>
  (ACTIVE_STATUSES as readonly TaskStatus[]).includes(status);

export const SESSION_STATUSES = ['running', 'completed', 'failed', 'cancelled', 'interrupted'] as const;
export const sessionStatusSchema = z.enum(SESSION_STATUSES);
export type SessionStatus = z.infer<typeof sessionStatusSchema>;

/** Where a session's cost came from: the agent's own report, prices applied to its tokens, or neither. */
export const costSourceSchema = z.enum(['agent', 'estimated', 'unknown']);
export type CostSource = z.infer<typeof costSourceSchema>;
/** A session view shows its costDrift when the agent's cost and the computed one differ by more than this share. */
export const COST_DRIFT_SHOWN = 0.05;

const count = z.number().int().nonnegative();
const epochMs = z.number().int();

export const taskTotalsSchema = z.object({
  inputTokens: count,
  outputTokens: count,
  cacheCreationTokens: count,
  cacheReadTokens: count,
  totalTokens: count,
  turns: count,
  /** Known costs only: a session whose cost is unknown adds 0 here and its tokens to `unknownCostTokens`. */
  costUsd: z.number(),
  /** Tokens of the sessions whose cost is unknown; where present and above 0 the cost reads "+ unknown" or "unknown". */
  unknownCostTokens: count.optional(),
});
export type TaskTotals = z.infer<typeof taskTotalsSchema>;

/**
 * Whether Baton records what each iteration changes: `git` in a git repository, otherwise why not.
 * Null before the task first ran.
 */
export const CHANGE_TRACKING = ['git', 'not_a_repository', 'git_unavailable'] as const;
export const changeTrackingSchema = z.enum(CHANGE_TRACKING);
export type ChangeTracking = z.infer<typeof changeTrackingSchema>;

/** The kinds of Baton process that run tasks: a terminal's `baton run`, browser mode's `baton serve`, the desktop app. */
export const RUNNER_HOSTS = ['cli', 'browser', 'desktop'] as const;
export type RunnerHost = (typeof RUNNER_HOSTS)[number];

/** The Baton process that runs a task (or queued it to run): only that process can stop it. */
export const taskRunnerSchema = z.object({
  /** On this machine: every process on a database shares its file. */
  pid: z.number().int().positive(),
  /** Null for a task an earlier version of Baton queued or ran. */
  host: z.enum(RUNNER_HOSTS).nullable(),
});
export type TaskRunner = z.infer<typeof taskRunnerSchema>;

export const taskSummarySchema = z.object({
  id: z.string(),
  projectId: z.string(),
  workingDir: z.string(),
  title: z.string(),
  prompt: z.string(),
  agent: z.string(),
  /** The model the task asked for, as given (null, or "default", for the agent's own choice). */
  model: z.string().nullable(),
  /**
   * The models its sessions ran, each as `modelName` names it, sorted; where present, what views show as its
   * model(s) instead of `model`.
   */
  models: z.array(z.string()).optional(),
  /** Everything the task was launched with, defaults filled in; `dir`, `prompt` and `model` are also above. */
  spec: taskSpecSchema,
  status: taskStatusSchema,
  statusReason: z.string().nullable(),
  createdAt: epochMs,
  startedAt: epochMs.nullable(),
  finishedAt: epochMs.nullable(),
  iterations: count,
  totals: taskTotalsSchema,
  averageTokensPerIteration: z.number(),
  /** Sum of the sessions' run times, and of the time they spent waiting on the API. */
  durationMs: count,
  apiDurationMs: count,
  /** While waiting (or interrupted while waiting) for a subscription window: when it reopens. */
  wakeAt: epochMs.nullable().optional(),
  /** Lines inserted plus deleted over the iterations git recorded; null when none was recorded. */
  linesChanged: count.nullable().optional(),
  /** Whether (or why not) its iterations get a change record. */
  changeTracking: changeTrackingSchema.nullable().optional(),
  /** The process that runs it, or queued it to run; null once it has ended. */
  runner: taskRunnerSchema.nullable().optional(),
});
export type TaskSummary = z.infer<typeof taskSummarySchema>;

/** A failed attempt of an iteration that was retried under a new session id. */
export const retryEntrySchema = z.object({
  attempt: z.number().int().positive(),
  sessionId: z.string(),
  errorKind: z.string(),
  error: z.string(),
  /** How long Baton waited before the next attempt. */
  delayMs: count,
  inputTokens: count,
  outputTokens: count,
  cacheCreationTokens: count,
  cacheReadTokens: count,
  costUsd: z.number(),
});
export type RetryEntry = z.infer<typeof retryEntrySchema>;

/** One file an iteration changed, as `git diff --numstat` counts it; a binary file counts no lines. */
export const fileChangeSchema = z.object({
  path: z.string(),
  insertions: count,
  deletions: count,
  binary: z.boolean(),
});
export type FileChange = z.infer<typeof fileChangeSchema>;

/** What one iteration changed in the task's git working tree, between two snapshot (or checkpoint) commits. */
export const gitChangeSchema = z.object({
  commitBefore: z.string(),
  /** Null while the iteration runs, or when Baton stopped before it could take the snapshot after. */
  commitAfter: z.string().nullable(),
  filesChanged: count,
  insertions: count,
  deletions: count,
  /** The first files (by path) of those changed; `filesChanged` counts them all. */
  files: z.array(fileChangeSchema),
});
export type GitChange = z.infer<typeof gitChangeSchema>;

/** How the completion check ended after an iteration. */
export const checkOutcomeSchema = z.object({
  /** Null when it was killed (timed out, stopped) or could not start. */
  exitCode: z.number().int().nullable(),
  durationMs: count,
  /** The tail of its output, bounded. */
  output: z.string(),
  timedOut: z.boolean(),
});
export type CheckOutcome = z.infer<typeof checkOutcomeSchema>;

/** One iteration's session as the views show it. */
export const sessionViewSchema = z.object({
  sessionId: z.string(),
  iteration: z.number().int().positive(),
  status: sessionStatusSchema,
  startedAt: epochMs,
  endedAt: epochMs.nullable(),
  model: z.string().nullable(),
  inputTokens: count,
  outputTokens: count,
  cacheCreationTokens: count,
  cacheReadTokens: count,
  turns: count,
  costUsd: z.number(),
  costSource: costSourceSchema,
  durationMs: count,
  apiDurationMs: count,
  exitCode: z.number().int().nullable(),
  errorKind: z.string().nullable(),
  error: z.string().nullable(),
  resultExcerpt: z.string().nullable(),
  /** Tool calls the permission mode refused in this iteration. */
  permissionDenials: count,
  /** Failed attempts before the final one; their tokens and cost are included in the totals above. */
  retries: z.array(retryEntrySchema),
  /** The subscription quota as the agent last reported it in this iteration, when it did. */
  rateLimit: rateLimitInfoSchema.nullable().optional(),
  /** Agent events a failed write (a full disk) kept out of this iteration's replay. */
  eventsNotStored: count.optional(),
  /** What the iteration changed; null where nothing was recorded (no git repository, no git). */
  git: gitChangeSchema.nullable().optional(),
  /** The completion check run after it; null without a check, or when the iteration ended the task first. */
  check: checkOutcomeSchema.nullable().optional(),
  /** The session's id as the agent reported it, where it is not Baton's (Codex names its threads itself). */
  agentSessionId: z.string().nullable().optional(),
  /** Output tokens the model spent reasoning; already inside `outputTokens`. */
  reasoningTokens: count.optional(),
  /** The cost computed from the tokens at list prices, beside an agent's own; null where the model's prices are unknown. */
  computedCostUsd: z.number().nullable().optional(),
  /**
   * How far the agent's cost is from the computed one, (agent - computed) / computed, where both exist and they
   * differ by more than COST_DRIFT_SHOWN (5%); null otherwise.
   */
  costDrift: z.number().nullable().optional(),
  /** What the running iteration waits for while its task waits; null (or absent) while it does not wait. */
  waitingFor: z.enum(WAIT_CAUSES).nullable().optional(),
});
export type SessionView = z.infer<typeof sessionViewSchema>;

export const WORKTREE_STATES = ['active', 'merged', 'discarded'] as const;
export const worktreeStateSchema = z.enum(WORKTREE_STATES);
export type WorktreeState = z.infer<typeof worktreeStateSchema>;

/** The git worktree a `--worktree` task runs in, on a branch of its own. */
export const worktreeViewSchema = z.object({
  path: z.string(),
  /** `baton/<short task id>`. */
  branch: z.string(),
  /** The commit the branch was made from. */
  baseCommit: z.string(),
  /** The branch the task started from, which merge goes into; null when HEAD was detached. */
  baseBranch: z.string().nullable(),
  state: worktreeStateSchema,
  /** When it was merged or discarded; null while active, and for those finished before Baton kept the time. */
  stateChangedAt: epochMs.nullable().optional(),
  /** False when an active worktree's folder is gone (deleted by hand): resume refuses then. */
  present: z.boolean(),
});
export type WorktreeView = z.infer<typeof worktreeViewSchema>;

/** A worktree and branch that a launch cut short by a crash left with no task to own them. */
export const orphanedWorktreeSchema = z.object({
  /** The task the launch was for, which never got its row. */
  taskId: z.string(),
  repositoryRoot: z.string(),
  path: z.string(),
  branch: z.string(),
  folderExists: z.boolean(),
  branchExists: z.boolean(),
  /** Removed by this call (`fix`). */
  removed: z.boolean(),
  /** Why it could not be removed, where `fix` tried. */
  problem: z.string().nullable(),
});
export type OrphanedWorktreeView = z.infer<typeof orphanedWorktreeSchema>;

/** `baton doctor`: what crashes left of task worktrees. */
export const doctorReportSchema = z.object({
  /** What the start of this Baton found and put right (stale locks, merges that had landed), one line each. */
  recovered: z.array(z.string()),
  orphans: z.array(orphanedWorktreeSchema),
});
export type DoctorReport = z.infer<typeof doctorReportSchema>;

export const taskDetailSchema = taskSummarySchema.extend({
  sessions: z.array(sessionViewSchema),
  worktree: worktreeViewSchema.nullable().optional(),
});
export type TaskDetail = z.infer<typeof taskDetailSchema>;

export const projectViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  workingDir: z.string(),
  lastUsedAt: epochMs,
});
export type ProjectView = z.infer<typeof projectViewSchema>;

/** What a new task of one agent starts with in the launch form unless the user changes it. */
export const agentTaskDefaultsSchema = z.object({
  // Bounded as a launch bounds it (launchSpecSchema), since the form launches with it.
  model: taskSpecSchema.shape.model
    .unwrap()
    .max(SPEC_TEXTS.model.max, `the model must be at most ${SPEC_TEXTS.model.max} characters`)
    .refine(hasNoNul, nulMessage('the model'))
    .optional(),
  permissionMode: taskSpecSchema.shape.permissionMode,
  maxIterations: taskSpecSchema.shape.maxIterations.unwrap().optional(),
  budgetUsd: taskSpecSchema.shape.budgetUsd,
});
export type AgentTaskDefaults = z.infer<typeof agentTaskDefaultsSchema>;

/**
 * The launch form's defaults, by agent: a model, or a budget, fits one agent and not the others. Defaults
 * stored before they were by agent are one set at the top level, made when the form launched Claude Code
 * alone: they are read as Claude Code's.
 */
export const taskDefaultsSchema = agentTaskDefaultsSchema
  .extend({
    claude: agentTaskDefaultsSchema.optional(),
    codex: agentTaskDefaultsSchema.optional(),
    gemini: agentTaskDefaultsSchema.optional(),
  } satisfies Record<AgentKind, unknown>)
  .transform(({ claude, codex, gemini, ...legacy }) => {
    const given = <T extends object>(o: T | undefined) =>
      o && Object.values(o).some((v) => v !== undefined) ? o : undefined;
    const byAgent = { claude: claude ?? given(legacy), codex, gemini };
    return Object.fromEntries(Object.entries(byAgent).filter(([, d]) => d !== undefined)) as Partial<
      Record<AgentKind, AgentTaskDefaults>
    >;
  });
export type TaskDefaults = z.output<typeof taskDefaultsSchema>;

/** The most a price may be, in USD per million tokens: far above any model's, low enough to catch a typo. */
export const MAX_PRICE_PER_MTOK = 10_000;
const pricePerMTok = (kind: string) =>
  z
    .number({ error: `the ${kind} price must be a number (USD per million tokens)` })
    .nonnegative(`the ${kind} price must be 0 or more`)
    .max(MAX_PRICE_PER_MTOK, `the ${kind} price must be at most ${MAX_PRICE_PER_MTOK} USD per million tokens`);

/** A model's prices in USD per million tokens, as the user sets them in the settings. */
export const modelPriceSchema = z.object({
  input: pricePerMTok('input'),
  output: pricePerMTok('output'),
  cacheWrite: pricePerMTok('cache write'),
  /** The 1-hour cache write rate; 2× input (Anthropic's rule) where not set. */
  cacheWrite1h: pricePerMTok('1-hour cache write').optional(),
  cacheRead: pricePerMTok('cache read'),
});
export type ModelPriceOverride = z.infer<typeof modelPriceSchema>;

export const MAX_MODEL_PRICES = 500;
const MAX_MODEL_NAME = 200;
/** The user's prices by model name (compared without case): each wins over the price data, or adds a model it lacks. */
export const modelPricesSchema = z.record(z.string(), modelPriceSchema).superRefine((prices, ctx) => {
  const names = Object.keys(prices);
  if (names.length > MAX_MODEL_PRICES) {
    ctx.addIssue({ code: 'custom', message: `at most ${MAX_MODEL_PRICES} models may have prices of their own` });
  }
  for (const name of names) {
    const length = name.trim().length;
    if (!hasNoNul(name)) ctx.addIssue({ code: 'custom', path: [name], message: nulMessage('a model name') });
    if (length === 0 || length > MAX_MODEL_NAME) {
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message:
          length === 0 ? 'a model name must not be empty' : `a model name must be at most ${MAX_MODEL_NAME} characters`,
      });
    }
  }
});
export type ModelPrices = z.infer<typeof modelPricesSchema>;

/** App-wide settings. */
export const settingsSchema = z.object({
  /** Defaults of the launch form for new tasks. */
  taskDefaults: taskDefaultsSchema,
  /** The most all tasks together may spend per local calendar day, in USD; null for no limit. */
  dailyBudgetUsd: z.number().positive('the daily budget must be more than 0 USD').max(100_000).nullable(),
  /** How many tasks the app runs at once; the rest wait, queued. */
  maxConcurrentTasks: z
    .number()
    .int('the concurrency must be a whole number')
    .min(1, 'the concurrency must be at least 1')
    .max(64, 'the concurrency must be at most 64'),
  /**
   * Prices the user set per model, in USD per million tokens. The service always answers with it ({} for none);
   * optional so a caller that sends the whole settings back without it (an older form) is still understood.
   */
  modelPrices: modelPricesSchema.optional(),
  /**
   * The zone whose calendar day the daily budget counts, as the window last sent it; null for the service's
   * own zone. The service always answers with it; optional so an older form's whole settings are understood.
   */
  timeZone: timeZoneSchema.nullable().optional(),
});
export type Settings = z.infer<typeof settingsSchema>;

/** What has been spent today (the daily budget's day), beside the daily budget. */
export const spendingSchema = z.object({
  /** Known costs only; `unknownCostTokensToday` are today's tokens of sessions whose cost is unknown. */
  spentTodayUsd: z.number().nonnegative(),
  unknownCostTokensToday: count.default(0),
  dailyBudgetUsd: z.number().positive().nullable(),
  /** The zone "today" is a day of (the settings' zone, else the service's); absent from an older service. */
  timeZone: z.string().optional(),
});
export type Spending = z.infer<typeof spendingSchema>;

/** One subscription window as last seen by any iteration on this database. */
export const quotaWindowViewSchema = quotaWindowSchema.extend({
  /** "five_hour", "seven_day", …, as the agent names it. */
  name: z.string(),
  /** When an agent last reported it (epoch ms). */
  seenAt: epochMs,
});
export type QuotaWindowView = z.infer<typeof quotaWindowViewSchema>;

/** What the launch form needs to know of a directory before a task runs in it. */
export const directoryInfoSchema = z.object({
  exists: z.boolean(),
  /** Inside a git work tree with at least one commit: `--worktree` can be used. */
  gitRepository: z.boolean(),
  hasCommits: z.boolean(),
  /** The checked-out branch, null when HEAD is detached or there is no repository. */
  branch: z.string().nullable(),
  /** Why git cannot be used here, in words, when it cannot. */
  gitProblem: z.string().nullable(),
});
export type DirectoryInfo = z.infer<typeof directoryInfoSchema>;

/** A unified diff as `git diff` prints it, cut short past a size. */
export const diffSchema = z.object({
  patch: z.string(),
  /** The whole diff was larger than `maxBytes`: `patch` holds its first part, cut at a line end. */
  truncated: z.boolean(),
  /** The size of the whole diff, in bytes. */
  totalBytes: count,
});
export type Diff = z.infer<typeof diffSchema>;

export const quotaSchema = z.object({ windows: z.array(quotaWindowViewSchema) });
export type Quota = z.infer<typeof quotaSchema>;
