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

export type { AgentEvent, RateLimitInfo, TokenUsage, WaitCause } from '../src-main/contract/agent-events';
export { waitCauseOf } from '../src-main/contract/agent-events';
export type {
  BatonApi,
  BatonMethod,
  CallError,
  CallOutcome,
  HistoryBucket,
  HistoryCharts,
  InputIssue,
  LiveState,
  MethodInput,
  MethodResult,
  TaskFilter,
  TaskListTotals,
  TaskSortKey,
} from '../src-main/contract/api';
export {
  callErrorSchema,
  DEFAULT_DIFF_BYTES,
  EXPORT_FORMATS,
  inputIssuesOf,
  TASK_SORT_KEYS,
} from '../src-main/contract/api';
export type { BatonEvent, FeedSince, SequencedEvent, TaskEvent } from '../src-main/contract/events';
export { isTaskEvent } from '../src-main/contract/events';
export { modelAtSpeed, modelName } from '../src-main/contract/models';
export type {
  AgentIgnoredField,
  AgentKind,
  ContextMode,
  OnQuota,
  PermissionMode,
  TaskSpec,
  TaskSpecInput,
} from '../src-main/contract/task-spec';
export {
  AGENT_CAPABILITIES,
  AGENT_KINDS,
  AGENT_LABELS,
  CONTEXT_MODES,
  DEFAULT_CHECK_TIMEOUT_SECONDS,
  DEFAULT_COMPLETION_MARKER,
  DEFAULT_IDLE_TIMEOUT_SECONDS,
  DEFAULT_MAX_ITERATIONS,
  DEFAULT_MAX_RETRIES,
  DEFAULT_STALL_AFTER,
  launchSpecSchema,
  MODELS_BY_AGENT,
  ON_QUOTA_CHOICES,
  PERMISSION_MODES,
  taskSpecSchema,
} from '../src-main/contract/task-spec';
export type {
  ImportProgress,
  ImportSummary,
  UsageBlock,
  UsageFilterInput,
  UsageOrigin,
  UsageOverview,
  UsagePeriodRow,
  UsageProjectRow,
  UsageSource,
  UsageTokens,
} from '../src-main/contract/usage';
export { USAGE_SOURCES } from '../src-main/contract/usage';
export type { Port } from '../src-main/contract/rpc-peer';
export { RpcPeer } from '../src-main/contract/rpc-peer';
export type { BatonBridge } from '../src-main/contract/transport';
export { EVENT_NOTIFICATION, HELLO_NOTIFICATION, WS_PATH } from '../src-main/contract/transport';
export type {
  AgentTaskDefaults,
  ChangeTracking,
  CheckOutcome,
  CostSource,
  Diff,
  DirectoryInfo,
  FileChange,
  GitChange,
  ModelPrices,
  ProjectView,
  Quota,
  QuotaWindowView,
  RunnerHost,
  SessionStatus,
  SessionView,
  Settings,
  Spending,
  TaskDefaults,
  TaskDetail,
  TaskRunner,
  TaskStatus,
  TaskSummary,
  TaskTotals,
  WorktreeState,
  WorktreeView,
} from '../src-main/contract/views';
export {
  ACTIVE_STATUSES,
  agentTaskDefaultsSchema,
  isActiveStatus,
  modelPriceSchema,
  modelPricesSchema,
  RESUMABLE_STATUSES,
  TASK_STATUSES,
  taskDefaultsSchema,
} from '../src-main/contract/views';
export {
  addDays,
  compactCost,
  compactTokens,
  describeAgentStop,
  describeApiRetry,
  describeAttempts,
  describeQuotaWindow,
  describePermissionDenials,
  describeToolCall,
  describeUnknownCostTokens,
  formatCost,
  formatCostWithUnknown,
  formatCountdown,
  formatDate,
  formatDay,
  formatDuration,
  formatElapsed,
  formatInteger,
  formatPreciseCost,
  formatRate,
  formatShare,
  formatTimeOfDay,
  formatTokens,
  formatWait,
  parseDay,
  periodLabel,
  PERMISSION_MODE_DESCRIPTIONS,
  permissionDenialHint,
  plural,
  rawValue,
  relativePath,
  roundUsd,
  SESSION_STATUS_LABELS,
  statusLabel,
  sumTokens,
  TASK_STATUS_LABELS,
  UNKNOWN_COST_TEXT,
  USAGE_SOURCE_LABELS,
  WAIT_LABELS,
} from '../src-main/contract/format';

export type { KnownModel, ModelPriceList, PriceSource } from '../src-main/contract/prices';

/** The formats exportTasks offers. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
