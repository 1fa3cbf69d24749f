/**
 * The one API between the renderer and the main process. Every method is
 * declared here once, with a zod schema for its input and one for its result;
 * Electron IPC and the WebSocket bridge are two transports of it.
 */
import { z } from 'zod';
import { agentEventSchema } from './agent-events';
import { feedSinceSchema } from './events';
import {
  boundedText,
  epochMsInput,
  hasNoNul,
  MAX_ITERATION,
  MAX_LIST_OFFSET,
  MAX_PATH_CHARS,
  nulMessage,
} from './input-bounds';
import { modelPriceListSchema } from './prices';
import { AGENT_KINDS, launchSpecSchema } from './task-spec';
import { timeZoneSchema } from './time-zone';
import {
  diffSchema,
  directoryInfoSchema,
  doctorReportSchema,
  projectViewSchema,
  settingsSchema,
  quotaSchema,
  spendingSchema,
  taskDetailSchema,
  taskStatusSchema,
  taskSummarySchema,
} from './views';

const count = z.number().int().nonnegative();
const id = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `${what} is required`)
    .max(200, `${what} is too long`)
    .refine(hasNoNul, nulMessage(`the ${what}`));

export const taskFilterSchema = z
  .object({
    projectId: id('project id').optional(),
    /** Tasks run by this agent. */
    agent: z.enum(AGENT_KINDS, { error: `the agent must be one of ${AGENT_KINDS.join(', ')}` }).optional(),
    status: taskStatusSchema.optional(),
    /** Tasks created at or after this time (epoch ms). */
    from: epochMsInput('the start of the range').optional(),
    /** Tasks created before this time (epoch ms). */
    to: epochMsInput('the end of the range').optional(),
    /** Text found in the task's title or prompt (a plain substring, case-insensitive for ASCII letters). */
    search: boundedText('the search', 200, { trim: true }).optional(),
  })
  .refine((f) => f.from === undefined || f.to === undefined || f.from <= f.to, {
    message: 'the date range ends before it starts',
    path: ['to'],
  });
export type TaskFilter = z.infer<typeof taskFilterSchema>;

/** The caller's time zone: its days, weeks and months are counted; the service's own zone when absent. */
const callerTimeZoneSchema = timeZoneSchema.optional();

export const TASK_SORT_KEYS = ['createdAt', 'costUsd', 'totalTokens', 'iterations', 'durationMs'] as const;
export type TaskSortKey = (typeof TASK_SORT_KEYS)[number];

export const listTasksInputSchema = z.object({
  filter: taskFilterSchema.default({}),
  sort: z
    .object({ by: z.enum(TASK_SORT_KEYS), direction: z.enum(['asc', 'desc']) })
    .default({ by: 'createdAt', direction: 'desc' }),
  limit: z.number().int().min(1).max(1000).default(100),
  offset: z
    .number()
    .int('the offset must be a whole number')
    .min(0, 'the offset must be 0 or more')
    .max(MAX_LIST_OFFSET, `the offset must be at most ${MAX_LIST_OFFSET}`)
    .default(0),
  /** Also sum every task the filter selects (not only this page), for a totals row. */
  withTotals: z.boolean().default(false),
});

/** The sums of every task a filter selects, as the table's totals row shows them. */
export const taskListTotalsSchema = z.object({
  iterations: count,
  inputTokens: count,
  outputTokens: count,
  cacheCreationTokens: count,
  cacheReadTokens: count,
  totalTokens: count,
  /** Known costs only; `unknownCostTokens` are the tokens of sessions whose cost is unknown (shown "+ unknown"). */
  costUsd: z.number(),
  unknownCostTokens: count,
  durationMs: count,
});
export type TaskListTotals = z.infer<typeof taskListTotalsSchema>;

export const historyBucketSchema = z.enum(['day', 'week', 'month']);
export type HistoryBucket = z.infer<typeof historyBucketSchema>;

export const historyChartsInputSchema = z.object({
  filter: taskFilterSchema.default({}),
  timeZone: callerTimeZoneSchema,
});

export const historyChartsSchema = z.object({
  /** Chosen so a series never has more than a few hundred points, however long the range. */
  bucket: historyBucketSchema,
  /**
   * Every bucket of the range, oldest first, those without sessions included with 0; empty when
   * the range has no sessions at all. A session counts on the local day it started.
   */
  costOverTime: z.array(
    z.object({
      /** The bucket's first local day, "YYYY-MM-DD" (weeks start on Monday), or "YYYY-MM" for a month. */
      period: z.string(),
      /** Known costs only here and below; `unknownCostTokens` are the tokens of sessions whose cost is unknown. */
      costUsd: z.number(),
      unknownCostTokens: count,
      totalTokens: count,
      sessions: count,
      /** The bucket's cost by model name, and by project id; models and projects without sessions left out. */
      costByModel: z.record(z.string(), z.number()),
      costByProject: z.record(z.string(), z.number()),
    }),
  ),
  /** One row per model, named as `modelName` names it ("unknown" where no session or task names one). */
  tokensByModel: z.array(
    z.object({
      model: z.string(),
      inputTokens: count,
      outputTokens: count,
      cacheCreationTokens: count,
      cacheReadTokens: count,
      costUsd: z.number(),
      unknownCostTokens: count,
      sessions: count,
    }),
  ),
  /** What each agent's tasks cost, most first; agents without tasks in the selection left out. */
  costByAgent: z.array(
    z.object({
      agent: z.string(),
      costUsd: z.number(),
      unknownCostTokens: count,
      totalTokens: count,
      tasks: count,
      sessions: count,
    }),
  ),
  /** `name` tells projects apart: where two folders share a name, it shows as much of the path as needed. */
  costByProject: z.array(
    z.object({
      projectId: z.string(),
      name: z.string(),
      workingDir: z.string(),
      costUsd: z.number(),
      unknownCostTokens: count,
      tasks: count,
    }),
  ),
  summary: z.object({
    /**
     * Spent by every task (whatever the filter) since local midnight, local Monday and the 1st of the month:
     * known costs only, with the tokens of the sessions of unknown cost in each (shown "+ unknown").
     */
    spentTodayUsd: z.number(),
    spentThisWeekUsd: z.number(),
    spentThisMonthUsd: z.number(),
    unknownCostTokensToday: count,
    unknownCostTokensThisWeek: count,
    unknownCostTokensThisMonth: count,
    /** The rest is over the tasks the filter selects. */
    tasks: count,
    sessions: count,
    costUsd: z.number(),
    unknownCostTokens: count,
    totalTokens: count,
    /** What the cache reads would have cost at each model's input price, less what they cost. */
    cacheSavingsUsd: z.number(),
    /** Null when the filter selects no task. */
    averageCostPerTaskUsd: z.number().nullable(),
  }),
});
export type HistoryCharts = z.infer<typeof historyChartsSchema>;

export const EXPORT_FORMATS = ['csv', 'json'] as const;

/** How much of a diff one call returns unless it asks for more: enough for a file, small enough for the window. */
export const DEFAULT_DIFF_BYTES = 512 * 1024;

export const liveStateSchema = z.object({
  /** Running and queued tasks, with their sessions so far. */
  tasks: z.array(taskDetailSchema),
  /** The agent events of each running session so far, for a window that (re)connects mid-iteration. */
  currentEvents: z.record(z.string(), z.array(agentEventSchema)),
  /** The service's own process: a task whose runner is another process can be stopped only there. */
  servicePid: z.number().int().positive().optional(),
  /** The service's numbering of the events it delivers (a restarted service has another). */
  feed: z.string(),
  /** `currentEvents` holds exactly the events up to this seq: a window applies only those after it. */
  seq: z.number().int().nonnegative(),
  /**
   * The seq when the task rows began to be read: events after it and up to `seq` may or may not show in
   * them, so a window applies again what of those is not a stream (their ends, their totals), which repeats
   * harmlessly.
   */
  tasksSeq: z.number().int().nonnegative(),
});
export type LiveState = z.infer<typeof liveStateSchema>;

export const appInfoSchema = z.object({
  mode: z.enum(['desktop', 'browser']),
  version: z.string(),
  databaseFile: z.string(),
  /** Whether a native directory picker exists (desktop only). */
  canPickDirectory: z.boolean(),
});
export type AppInfo = z.infer<typeof appInfoSchema>;

import {
  importProgressSchema,
  importSummarySchema,
  usageFilterSchema,
  usageOverviewSchema,
  usageReportInputSchema,
  usageReportSchema,
} from './usage';

const method = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output });
const noInput = z.object({}).strict().default({});

export const batonContract = {
  getAppInfo: method(noInput, appInfoSchema),
  launchTask: method(launchSpecSchema, taskSummarySchema),
  stopTask: method(z.object({ taskId: id('task id') }), z.object({ stopped: z.boolean() })),
  /** Continues an interrupted, cancelled or failed task from its next iteration, in a fresh session. */
  resumeTask: method(z.object({ taskId: id('task id') }), taskSummarySchema),
  listTasks: method(
    listTasksInputSchema,
    z.object({
      tasks: z.array(taskSummarySchema),
      total: count,
      /** Present when asked for with `withTotals`. */
      totals: taskListTotalsSchema.optional(),
    }),
  ),
  getTask: method(z.object({ taskId: id('task id') }), taskDetailSchema),
  getSessionEvents: method(
    z.object({ sessionId: id('session id') }),
    z.object({
      events: z.array(agentEventSchema),
      /** When each event was stored (epoch ms), index for index; null for events stored before Baton kept it. */
      times: z.array(z.number().int().nullable()),
      truncated: z.boolean(),
    }),
  ),
  getLiveState: method(noInput, liveStateSchema),
  /** What a window that lost its connection missed: the events of this feed after its last seq. */
  getEventsSince: method(
    z.object({ feed: z.string().max(100), seq: z.number().int().nonnegative() }).strict(),
    feedSinceSchema,
  ),
  getHistoryCharts: method(historyChartsInputSchema, historyChartsSchema),
  /** The file is named after the filter; its dates are the caller's local days. */
  exportTasks: method(
    z.object({
      filter: taskFilterSchema.default({}),
      format: z.enum(EXPORT_FORMATS),
      timeZone: callerTimeZoneSchema,
    }),
    z.object({ fileName: z.string(), mimeType: z.string(), content: z.string() }),
  ),
  listProjects: method(noInput, z.array(projectViewSchema)),
  pickDirectory: method(noInput, z.object({ path: z.string().nullable() })),
  getSettings: method(noInput, settingsSchema),
  updateSettings: method(settingsSchema.partial().strict(), settingsSchema),
  /** Every model Baton knows of (used, imported, suggested or priced by the user), its prices and their source. */
  listModelPrices: method(noInput, modelPriceListSchema),
  /** Today's spending beside the daily budget, so a launch can warn before it would stop at the budget. */
  getSpending: method(noInput, spendingSchema),
  /** The subscription windows (5-hour, 7-day, …) as agents last reported them, for the dashboard. */
  getQuota: method(noInput, quotaSchema),
  /** Whether a directory exists and is a git repository, for the launch form's worktree choice. */
  getDirectoryInfo: method(
    z.object({ dir: boundedText('the directory', MAX_PATH_CHARS, { trim: true }).min(1, 'a directory is required') }),
    directoryInfoSchema,
  ),
  /**
   * A task's diff as git prints it: one iteration's (or, without `iteration`, the whole task's), of one file
   * when `path` is given, cut short past `maxBytes`.
   */
  getDiff: method(
    z.object({
      taskId: id('task id'),
      iteration: z
        .number()
        .int('the iteration must be a whole number')
        .positive('the iteration must be 1 or more')
        .max(MAX_ITERATION, `the iteration must be at most ${MAX_ITERATION}`)
        .optional(),
      path: boundedText('the path', MAX_PATH_CHARS).min(1, 'the path must not be empty').optional(),
      maxBytes: z
        .number()
        .int()
        .min(1024)
        .max(256 * 1024 * 1024)
        .default(DEFAULT_DIFF_BYTES),
    }),
    diffSchema,
  ),
  /** Merges a worktree task's branch into the branch it started from; refuses on a dirty target or a conflict. */
  mergeTask: method(
    z.object({ taskId: id('task id'), squash: z.boolean().default(false) }),
    z.object({ task: taskDetailSchema, commit: z.string(), message: z.string() }),
  ),
  /** Removes a worktree task's worktree and its branch. */
  discardTask: method(z.object({ taskId: id('task id') }), z.object({ task: taskDetailSchema, message: z.string() })),
  /**
   * `baton doctor`: what crashes left of task worktrees: what this start put right, and the worktrees and
   * branches of launches cut short, which `fix` removes.
   */
  doctor: method(z.object({ fix: z.boolean().default(false) }), doctorReportSchema),
  /** `baton usage daily|monthly|session|blocks`: everything Baton knows, Baton's sessions and interactive ones. */
  getUsageReport: method(usageReportInputSchema, usageReportSchema),
  /**
   * The "All usage" view: days by source and model, the 5-hour blocks of the range (the newest, gaps left out;
   * `olderBlocks` counts the rest), projects by cost, and where it came from.
   */
  getUsageOverview: method(z.object({ filter: usageFilterSchema.default({ source: 'all' }) }), usageOverviewSchema),
  /** Reads what is new in the agents' transcript folders; resolves when done. One import runs at a time. */
  importTranscripts: method(noInput, importSummarySchema),
  /** The import under way, or the last one, for a progress bar. */
  getImportProgress: method(noInput, importProgressSchema),
} as const;

export type BatonContract = typeof batonContract;
export type BatonMethod = keyof BatonContract;
export type MethodInput<M extends BatonMethod> = z.input<BatonContract[M]['input']>;
export type MethodParsedInput<M extends BatonMethod> = z.output<BatonContract[M]['input']>;
export type MethodResult<M extends BatonMethod> = z.output<BatonContract[M]['output']>;

/** What callers (the renderer) see: one async function per method. */
export type BatonApi = { [M in BatonMethod]: (input: MethodInput<M>) => Promise<MethodResult<M>> };

/** What implementers (main) receive: inputs already validated, defaults filled in. */
export type BatonHandlers = { [M in BatonMethod]: (input: MethodParsedInput<M>) => Promise<MethodResult<M>> };

export function isBatonMethod(value: unknown): value is BatonMethod {
  return typeof value === 'string' && Object.hasOwn(batonContract, value);
}

/** One thing wrong with an input: where (the path of keys into it, empty for the whole) and what. */
export const inputIssueSchema = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
});
export type InputIssue = z.infer<typeof inputIssueSchema>;

/** Zod's issues as the contract carries them. */
export function inputIssuesOf(error: z.ZodError): InputIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.filter((key): key is string | number => typeof key !== 'symbol'),
    message: issue.message,
  }));
}

/** "path: message", or the message alone for an issue about the whole input. */
export function describeIssue(issue: InputIssue): string {
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

/**
 * A failed call, as every transport delivers it. `issues` says which input
 * fields were wrong, so a form can put each message on its field; it is
 * empty when the failure is not about one field.
 */
export const callErrorSchema = z.object({
  code: z.enum(['invalid_input', 'unknown_method', 'not_found', 'unavailable', 'internal']),
  message: z.string(),
  issues: z.array(inputIssueSchema).default([]),
});
export type CallError = z.output<typeof callErrorSchema>;

export type CallOutcome<T = unknown> = { ok: true; value: T } | { ok: false; error: CallError };

/** A failed outcome; `issues` only when the failure names input fields. */
export function failure(code: CallError['code'], message: string, issues: InputIssue[] = []): CallOutcome<never> {
  return { ok: false, error: { code, message, issues } };
}
