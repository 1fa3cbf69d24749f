/** Everything the orchestrator publishes. The desktop window and browser mode subscribe to these as they are. */
import { z } from 'zod';
import { agentEventSchema } from './agent-events';
import { sessionViewSchema, taskStatusSchema, taskSummarySchema } from './views';

export const batonEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('task.queued'), taskId: z.string(), task: taskSummarySchema }),
  z.object({ type: z.literal('task.started'), taskId: z.string() }),
  /** The task holds off until a subscription window reopens; `task.started` follows when it goes on. */
  z.object({
    type: z.literal('task.waiting'),
    taskId: z.string(),
    /** When it will go on (epoch ms). */
    wakeAt: z.number().int(),
    reason: z.string(),
  }),
  z.object({
    type: z.literal('task.finished'),
    taskId: z.string(),
    status: taskStatusSchema,
    reason: z.string(),
    task: taskSummarySchema,
  }),
  /**
   * The agent turned the task's first iteration away before any work (it rejected the model): the task
   * is taken back, and nothing of it is kept. `task` is its summary as it was, so a form can offer it again.
   */
  z.object({
    type: z.literal('task.withdrawn'),
    taskId: z.string(),
    reason: z.string(),
    task: taskSummarySchema,
  }),
  z.object({
    type: z.literal('iteration.started'),
    taskId: z.string(),
    sessionId: z.string(),
    iteration: z.number().int().positive(),
    maxIterations: z.number().int().positive(),
  }),
  /**
   * A transient failure is retried under a new session id (the CLI refuses a
   * used one); the iteration's record, and its recorded stream, move to it.
   */
  z.object({
    type: z.literal('iteration.retrying'),
    taskId: z.string(),
    iteration: z.number().int().positive(),
    /** The attempt that failed, from 1. */
    attempt: z.number().int().positive(),
    previousSessionId: z.string(),
    sessionId: z.string(),
    error: z.string(),
  }),
  z.object({
    type: z.literal('iteration.finished'),
    taskId: z.string(),
    session: sessionViewSchema,
    task: taskSummarySchema,
  }),
  z.object({
    type: z.literal('agent.event'),
    taskId: z.string(),
    sessionId: z.string(),
    iteration: z.number().int().positive(),
    event: agentEventSchema,
  }),
  /**
   * An import of the agents' transcripts stored new responses or corrected ones counted before: every view of
   * all usage is out of date. Not about one task, so it has no taskId.
   */
  z.object({
    type: z.literal('usage.imported'),
    /** Responses stored by the import, and responses counted before whose figures it corrected. */
    messages: z.number().int().nonnegative(),
    corrected: z.number().int().nonnegative(),
  }),
  /**
   * A stop asked for in a process that does not run the task: the process that runs it stops it when its
   * tail of the event log reaches this, and its own events say how the task ended.
   */
  z.object({ type: z.literal('task.stop_requested'), taskId: z.string() }),
  /**
   * A worktree task's branch was merged or its worktree discarded, in whichever process: every window showing
   * the task shows the outcome instead of the buttons.
   */
  z.object({
    type: z.literal('task.worktree_finished'),
    taskId: z.string(),
    state: z.enum(['merged', 'discarded']),
  }),
  /** The settings changed: another process's queue takes a new concurrency limit at once. */
  z.object({ type: z.literal('settings.changed') }),
  /**
   * This service's tail of the event log fell behind the log's pruning (its process was stopped for long):
   * other processes' events were missed, so what its windows hold may be stale. A window takes a new
   * snapshot. Never written to the log: it is about this service alone.
   */
  z.object({ type: z.literal('live.resync') }),
]);
export type BatonEvent = z.infer<typeof batonEventSchema>;

/**
 * An event as a service delivers it to its windows (over IPC and WebSocket alike): numbered once by the
 * service as it was published, so a window tells what it holds from what it lacks by seq alone.
 */
export const sequencedEventSchema = z.object({ seq: z.number().int().positive(), event: batonEventSchema });
export type SequencedEvent = z.infer<typeof sequencedEventSchema>;

/** The events after a seq, or `tooOld` when the service no longer holds them all (or restarted): take a snapshot. */
export const feedSinceSchema = z.union([
  z.object({ events: z.array(sequencedEventSchema) }),
  z.object({ tooOld: z.literal(true) }),
]);
export type FeedSince = z.infer<typeof feedSinceSchema>;
export type BatonEventType = BatonEvent['type'];
/** The events about one task: all but the usage ones. */
/** What a live view of tasks applies: neither usage, nor settings, nor signals between processes or to windows. */
export type TaskEvent = Exclude<
  BatonEvent,
  {
    type: 'usage.imported' | 'task.stop_requested' | 'task.worktree_finished' | 'settings.changed' | 'live.resync';
  }
>;
export const isTaskEvent = (event: BatonEvent): event is TaskEvent =>
  event.type !== 'usage.imported' &&
  event.type !== 'task.stop_requested' &&
  event.type !== 'task.worktree_finished' &&
  event.type !== 'settings.changed' &&
  event.type !== 'live.resync';
