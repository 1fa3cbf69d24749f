/**
 * Everything the renderer takes from src-main, in one place: the contract's
 * types, and values from its zod-only modules (the task-spec schema, the
 * constant lists the views offer, the formatter shared with the CLI). Nothing
 * else of main (core, cli, server, electron) nor any node built-in may reach
 * the bundle, so every renderer module imports the contract from here.
 */
import { z } from 'zod';
import type { EXPORT_FORMATS } from '../src-main/contract/api';

// On its first parse zod probes for eval with `new Function`; the page's CSP has no
// 'unsafe-eval', so the probe would be reported as a violation. Parse without it.
z.config({ jitless: true });

export type { AgentEvent, TokenUsage } from '../src-main/contract/agent-events';
export type {
  BatonApi,
  BatonMethod,
  CallError,
  CallOutcome,
  HistoryCharts,
  InputIssue,
  LiveState,
  TaskFilter,
  TaskSortKey,
} from '../src-main/contract/api';
export { callErrorSchema, EXPORT_FORMATS, inputIssuesOf, TASK_SORT_KEYS } from '../src-main/contract/api';
export type { BatonEvent } from '../src-main/contract/events';
export type { ContextMode, TaskSpecInput } from '../src-main/contract/task-spec';
export { CONTEXT_MODES, DEFAULT_MAX_ITERATIONS, taskSpecSchema } from '../src-main/contract/task-spec';
export type { BatonBridge, ClientMessage } from '../src-main/contract/transport';
export { WS_PATH } from '../src-main/contract/transport';
export type {
  ProjectView,
  SessionStatus,
  SessionView,
  TaskDetail,
  TaskStatus,
  TaskSummary,
} from '../src-main/contract/views';
export { RESUMABLE_STATUSES, TASK_STATUSES } from '../src-main/contract/views';
export {
  addDays,
  formatCost,
  formatDate,
  formatDay,
  formatDuration,
  formatTokens,
  parseDay,
  rawValue,
  sumTokens,
} from '../src-main/contract/format';

/** The formats exportTasks offers. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
