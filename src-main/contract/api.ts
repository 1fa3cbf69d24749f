/**
 * The one API between the renderer and the main process. Every method is
 * declared here once, with a zod schema for its input and one for its result;
 * Electron IPC and the WebSocket bridge are two transports of it.
 */
import { z } from 'zod';
import { agentEventSchema } from './agent-events';
import { taskSpecSchema } from './task-spec';
import { projectViewSchema, settingsSchema, taskDetailSchema, taskStatusSchema, taskSummarySchema } from './views';

const count = z.number().int().nonnegative();
const id = (what: string) => z.string().trim().min(1, `${what} is required`).max(200, `${what} is too long`);

export const taskFilterSchema = z
  .object({
    projectId: id('project id').optional(),
    status: taskStatusSchema.optional(),
    /** Tasks created at or after this time (epoch ms). */
    from: z.number().int().nonnegative().optional(),
    /** Tasks created before this time (epoch ms). */
    to: z.number().int().nonnegative().optional(),
  })
  .refine((f) => f.from === undefined || f.to === undefined || f.from <= f.to, {
    message: 'the date range ends before it starts',
  });
export type TaskFilter = z.infer<typeof taskFilterSchema>;

export const TASK_SORT_KEYS = ['createdAt', 'costUsd', 'totalTokens', 'iterations', 'durationMs'] as const;
export type TaskSortKey = (typeof TASK_SORT_KEYS)[number];

export const listTasksInputSchema = z.object({
  filter: taskFilterSchema.default({}),
  sort: z
    .object({ by: z.enum(TASK_SORT_KEYS), direction: z.enum(['asc', 'desc']) })
    .default({ by: 'createdAt', direction: 'desc' }),
  limit: z.number().int().min(1).max(1000).default(100),
  offset: z.number().int().min(0).default(0),
});

export const historyBucketSchema = z.enum(['day', 'week', 'month']);
export type HistoryBucket = z.infer<typeof historyBucketSchema>;

export const historyChartsSchema = z.object({
  /** Chosen so a series never has more than a few hundred points, however long the range. */
  bucket: historyBucketSchema,
  costOverTime: z.array(z.object({ period: z.string(), costUsd: z.number(), totalTokens: count, sessions: count })),
  tokensByModel: z.array(
    z.object({
      model: z.string(),
      inputTokens: count,
      outputTokens: count,
      cacheCreationTokens: count,
      cacheReadTokens: count,
    }),
  ),
  costByProject: z.array(
    z.object({ projectId: z.string(), name: z.string(), workingDir: z.string(), costUsd: z.number(), tasks: count }),
  ),
});
export type HistoryCharts = z.infer<typeof historyChartsSchema>;

export const EXPORT_FORMATS = ['csv', 'json'] as const;

export const liveStateSchema = z.object({
  /** Running and queued tasks, with their sessions so far. */
  tasks: z.array(taskDetailSchema),
  /** The agent events of each running session so far, for a window that (re)connects mid-iteration. */
  currentEvents: z.record(z.string(), z.array(agentEventSchema)),
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

const method = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output });
const noInput = z.object({}).strict().default({});

export const batonContract = {
  getAppInfo: method(noInput, appInfoSchema),
  launchTask: method(taskSpecSchema, taskSummarySchema),
  stopTask: method(z.object({ taskId: id('task id') }), z.object({ stopped: z.boolean() })),
  /** Continues an interrupted, cancelled or failed task from its next iteration, in a fresh session. */
  resumeTask: method(z.object({ taskId: id('task id') }), taskSummarySchema),
  listTasks: method(listTasksInputSchema, z.object({ tasks: z.array(taskSummarySchema), total: count })),
  getTask: method(z.object({ taskId: id('task id') }), taskDetailSchema),
  getSessionEvents: method(
    z.object({ sessionId: id('session id') }),
    z.object({ events: z.array(agentEventSchema), truncated: z.boolean() }),
  ),
  getLiveState: method(noInput, liveStateSchema),
  getHistoryCharts: method(z.object({ filter: taskFilterSchema.default({}) }), historyChartsSchema),
  exportTasks: method(
    z.object({ filter: taskFilterSchema.default({}), format: z.enum(EXPORT_FORMATS) }),
    z.object({ fileName: z.string(), mimeType: z.string(), content: z.string() }),
  ),
  listProjects: method(noInput, z.array(projectViewSchema)),
  pickDirectory: method(noInput, z.object({ path: z.string().nullable() })),
  getSettings: method(noInput, settingsSchema),
  updateSettings: method(settingsSchema.partial().strict(), settingsSchema),
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
