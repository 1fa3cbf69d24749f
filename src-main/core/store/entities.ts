/**
 * Table mappings. EntitySchema rather than decorators: esbuild (Vite, vitest,
 * tsx) does not emit decorator metadata, and explicit column types keep the
 * mapping independent of the compiler. The schema itself comes only from
 * migrations; these mappings must agree with them.
 */
import { EntitySchema } from 'typeorm';
import type { WaitCause } from '../../contract/agent-events';
import type { SessionView, TaskStatus } from '../../contract/views';

/** Times are epoch milliseconds: compact, sortable, and easy to bucket by day in SQL. */
export interface ProjectRow {
  id: string;
  name: string;
  workingDir: string;
  createdAt: number;
}

export interface TaskRow {
  id: string;
  projectId: string;
  title: string;
  prompt: string;
  agent: string;
  model: string | null;
  /** JSON of the task's whole launch spec (TaskSpec, defaults filled in). */
  spec: string;
  status: TaskStatus;
  statusReason: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface SessionRow extends Omit<
  SessionView,
  | 'error'
  | 'retries'
  | 'rateLimit'
  | 'git'
  | 'check'
  | 'agentSessionId'
  | 'reasoningTokens'
  | 'computedCostUsd'
  | 'waitingFor'
> {
  agentSessionId: string | null;
  reasoningTokens: number;
  computedCostUsd: number | null;
  /** What the running iteration waits for while its task waits; null otherwise (see migration 16). */
  waitCause: WaitCause | null;
  /** What the iteration changed (see migration 11); all null where git recorded nothing. */
  gitBefore: string | null;
  gitAfter: string | null;
  filesChanged: number | null;
  insertions: number | null;
  deletions: number | null;
  /** JSON array of FileChange: the first files by path. */
  changedFiles: string | null;
  /** The completion check after it; `checkDurationMs` null when none ran. */
  checkExitCode: number | null;
  checkDurationMs: number | null;
  checkOutput: string | null;
  checkTimedOut: number | null;
  /** JSON of the last RateLimitInfo the agent reported in this iteration, or null. */
  rateLimitJson: string | null;
  id: number;
  /** JSON array of RetryEntry, or null. */
  retryLog: string | null;
  taskId: string;
  errorMessage: string | null;
  /** Process id of the Baton process running this session, to tell live runs from crashed ones. */
  ownerPid: number | null;
}

const int = (name: string, nullable = false) => ({ name, type: 'integer' as const, nullable });
const text = (name: string, nullable = false) => ({ name, type: 'text' as const, nullable });

export const ProjectEntity = new EntitySchema<ProjectRow>({
  name: 'Project',
  tableName: 'projects',
  columns: {
    id: { ...text('id'), primary: true },
    name: text('name'),
    workingDir: text('working_dir'),
    createdAt: int('created_at'),
  },
});

export const TaskEntity = new EntitySchema<TaskRow>({
  name: 'Task',
  tableName: 'tasks',
  columns: {
    id: { ...text('id'), primary: true },
    projectId: text('project_id'),
    title: text('title'),
    prompt: text('prompt'),
    agent: text('agent'),
    model: text('model', true),
    spec: text('spec'),
    status: text('status'),
    statusReason: text('status_reason', true),
    createdAt: int('created_at'),
    startedAt: int('started_at', true),
    finishedAt: int('finished_at', true),
  },
});

export const SessionEntity = new EntitySchema<SessionRow>({
  name: 'Session',
  tableName: 'sessions',
  columns: {
    id: { ...int('id'), primary: true, generated: 'increment' },
    sessionId: text('session_id'),
    taskId: text('task_id'),
    iteration: int('iteration'),
    status: text('status'),
    startedAt: int('started_at'),
    endedAt: int('ended_at', true),
    model: text('model', true),
    inputTokens: int('input_tokens'),
    outputTokens: int('output_tokens'),
    cacheCreationTokens: int('cache_creation_tokens'),
    cacheReadTokens: int('cache_read_tokens'),
    turns: int('turns'),
    costUsd: { name: 'cost_usd', type: 'real' },
    costSource: text('cost_source'),
    durationMs: int('duration_ms'),
    apiDurationMs: int('api_duration_ms'),
    exitCode: int('exit_code', true),
    errorKind: text('error_kind', true),
    errorMessage: text('error_message', true),
    resultExcerpt: text('result_excerpt', true),
    ownerPid: int('owner_pid', true),
    retryLog: text('retry_log', true),
    permissionDenials: int('permission_denials'),
    rateLimitJson: text('rate_limit', true),
    eventsNotStored: int('events_not_stored'),
    gitBefore: text('git_before', true),
    gitAfter: text('git_after', true),
    filesChanged: int('files_changed', true),
    insertions: int('insertions', true),
    deletions: int('deletions', true),
    changedFiles: text('changed_files', true),
    checkExitCode: int('check_exit_code', true),
    checkDurationMs: int('check_duration_ms', true),
    checkOutput: text('check_output', true),
    checkTimedOut: int('check_timed_out', true),
    agentSessionId: text('agent_session_id', true),
    reasoningTokens: int('reasoning_tokens'),
    computedCostUsd: { name: 'computed_cost_usd', type: 'real', nullable: true },
    waitCause: text('wait_cause', true),
  },
});

export const ENTITIES = [ProjectEntity, TaskEntity, SessionEntity];
