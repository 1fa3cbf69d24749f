/**
 * Rows as the views see them: a task's summary (its sessions summed by SQL) and a session's view, read from
 * the columns the store keeps.
 */
import { taskSpecSchema } from '../../contract/task-spec';
import {
  type ChangeTracking,
  type CheckOutcome,
  COST_DRIFT_SHOWN,
  type FileChange,
  type GitChange,
  type RetryEntry,
  type RunnerHost,
  type SessionView,
  type TaskStatus,
  type TaskSummary,
} from '../../contract/views';
import type { RateLimitInfo } from '../../contract/agent-events';
import type { SessionRow } from './entities';

export const SUMMARY_COLUMNS = `
  t.id, t.project_id, p.working_dir, t.title, t.prompt, t.agent, t.model, t.spec,
  t.status, t.status_reason, t.created_at, t.started_at, t.finished_at, t.wake_at, t.change_tracking,
  t.owner_pid, t.owner_host,
  SUM(s.insertions + s.deletions)          AS lines_changed,
  COUNT(s.id)                              AS iterations,
  COALESCE(SUM(s.input_tokens), 0)          AS input_tokens,
  COALESCE(SUM(s.output_tokens), 0)         AS output_tokens,
  COALESCE(SUM(s.cache_creation_tokens), 0) AS cache_creation_tokens,
  COALESCE(SUM(s.cache_read_tokens), 0)     AS cache_read_tokens,
  COALESCE(SUM(s.input_tokens + s.output_tokens + s.cache_creation_tokens + s.cache_read_tokens), 0) AS total_tokens,
  COALESCE(SUM(s.turns), 0)                 AS turns,
  COALESCE(SUM(s.cost_usd), 0)              AS cost_usd,
  COALESCE(AVG(s.input_tokens + s.output_tokens + s.cache_creation_tokens + s.cache_read_tokens), 0) AS avg_tokens,
  COALESCE(SUM(s.duration_ms), 0)           AS duration_ms,
  COALESCE(SUM(s.api_duration_ms), 0)       AS api_duration_ms`;

export const TASK_SUMMARY_SQL = `
  SELECT ${SUMMARY_COLUMNS}
  FROM tasks t
  JOIN projects p ON p.id = t.project_id
  LEFT JOIN sessions s ON s.task_id = t.id
  WHERE t.id = ?
  GROUP BY t.id`;

// The page of tasks is cut first, so only its sessions are aggregated.
export const TASK_PAGE_SQL = `
  SELECT ${SUMMARY_COLUMNS}
  FROM (SELECT * FROM tasks ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?) t
  JOIN projects p ON p.id = t.project_id
  LEFT JOIN sessions s ON s.task_id = t.id
  GROUP BY t.id
  ORDER BY t.created_at DESC, t.id DESC`;

export interface SummaryRecord {
  id: string;
  project_id: string;
  working_dir: string;
  title: string;
  prompt: string;
  agent: string;
  model: string | null;
  spec: string;
  status: TaskStatus;
  status_reason: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  wake_at: number | null;
  change_tracking: ChangeTracking | null;
  owner_pid: number | null;
  owner_host: RunnerHost | null;
  /** Null when no session of the task has git's counts. */
  lines_changed: number | null;
  iterations: number;
  input_tokens: number;
  output_tokens: number;
  cache_creation_tokens: number;
  cache_read_tokens: number;
  total_tokens: number;
  turns: number;
  cost_usd: number;
  avg_tokens: number;
  duration_ms: number;
  api_duration_ms: number;
}

export function toSummary(row: SummaryRecord): TaskSummary {
  return {
    id: row.id,
    projectId: row.project_id,
    workingDir: row.working_dir,
    title: row.title,
    prompt: row.prompt,
    agent: row.agent,
    model: row.model,
    spec: taskSpecSchema.parse(JSON.parse(row.spec)),
    status: row.status,
    statusReason: row.status_reason,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    iterations: row.iterations,
    totals: {
      inputTokens: row.input_tokens,
      outputTokens: row.output_tokens,
      cacheCreationTokens: row.cache_creation_tokens,
      cacheReadTokens: row.cache_read_tokens,
      totalTokens: row.total_tokens,
      turns: row.turns,
      costUsd: row.cost_usd,
    },
    averageTokensPerIteration: row.avg_tokens,
    durationMs: row.duration_ms,
    apiDurationMs: row.api_duration_ms,
    wakeAt: row.wake_at,
    linesChanged: row.lines_changed,
    changeTracking: row.change_tracking,
    runner: row.owner_pid === null ? null : { pid: row.owner_pid, host: row.owner_host },
  };
}

function gitChangeOf(row: SessionRow): GitChange | null {
  if (row.gitBefore === null) return null;
  return {
    commitBefore: row.gitBefore,
    commitAfter: row.gitAfter,
    filesChanged: row.filesChanged ?? 0,
    insertions: row.insertions ?? 0,
    deletions: row.deletions ?? 0,
    files: row.changedFiles ? (JSON.parse(row.changedFiles) as FileChange[]) : [],
  };
}

function checkOf(row: SessionRow): CheckOutcome | null {
  if (row.checkDurationMs === null) return null;
  return {
    exitCode: row.checkExitCode,
    durationMs: row.checkDurationMs,
    output: row.checkOutput ?? '',
    timedOut: row.checkTimedOut === 1,
  };
}

/**
 * (agent - computed) / computed, where the agent reported a cost, a computed one exists and they are more than
 * COST_DRIFT_SHOWN apart; null otherwise (a computed cost of 0 has no relative drift).
 */
export function costDriftOf(costSource: string, costUsd: number, computedCostUsd: number | null): number | null {
  if (costSource !== 'agent' || computedCostUsd === null || computedCostUsd <= 0) return null;
  const drift = (costUsd - computedCostUsd) / computedCostUsd;
  return Math.abs(drift) > COST_DRIFT_SHOWN ? drift : null;
}

export function toSessionView(row: SessionRow): SessionView {
  return {
    sessionId: row.sessionId,
    iteration: row.iteration,
    status: row.status,
    startedAt: row.startedAt,
    endedAt: row.endedAt,
    model: row.model,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    cacheCreationTokens: row.cacheCreationTokens,
    cacheReadTokens: row.cacheReadTokens,
    turns: row.turns,
    costUsd: row.costUsd,
    costSource: row.costSource,
    durationMs: row.durationMs,
    apiDurationMs: row.apiDurationMs,
    exitCode: row.exitCode,
    errorKind: row.errorKind,
    error: row.errorMessage,
    resultExcerpt: row.resultExcerpt,
    permissionDenials: row.permissionDenials,
    retries: row.retryLog ? (JSON.parse(row.retryLog) as RetryEntry[]) : [],
    rateLimit: row.rateLimitJson ? (JSON.parse(row.rateLimitJson) as RateLimitInfo) : null,
    eventsNotStored: row.eventsNotStored,
    git: gitChangeOf(row),
    check: checkOf(row),
    agentSessionId: row.agentSessionId,
    reasoningTokens: row.reasoningTokens,
    computedCostUsd: row.computedCostUsd,
    costDrift: costDriftOf(row.costSource, row.costUsd, row.computedCostUsd),
    waitingFor: row.waitCause,
  };
}
