/**
 * The contract's types, the only thing the renderer takes from src-main, in
 * one place. Type-only re-exports: nothing of main reaches the bundle.
 */
export type { AgentEvent, TokenUsage } from '../src-main/contract/agent-events';
export type {
  BatonApi,
  BatonMethod,
  CallError,
  CallOutcome,
  HistoryCharts,
  LiveState,
  TaskFilter,
  TaskSortKey,
} from '../src-main/contract/api';
export type { BatonEvent } from '../src-main/contract/events';
export type { ContextMode, TaskSpecInput } from '../src-main/contract/task-spec';
export type { BatonBridge, ClientMessage } from '../src-main/contract/transport';
export type {
  ProjectView,
  SessionStatus,
  SessionView,
  TaskDetail,
  TaskStatus,
  TaskSummary,
} from '../src-main/contract/views';
