/** Read models shared by the CLI, the desktop window and browser mode. Plain JSON. */

export const TASK_STATUSES = [
  'queued',
  'running',
  'completed',
  'max_iterations',
  'failed',
  'cancelled',
  'interrupted',
  'budget_exceeded',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const SESSION_STATUSES = ['running', 'completed', 'failed', 'cancelled', 'interrupted'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export type CostSource = 'agent' | 'estimated';

export interface TaskTotals {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
  turns: number;
  costUsd: number;
}

export interface TaskSummary {
  id: string;
  projectId: string;
  workingDir: string;
  title: string;
  prompt: string;
  agent: string;
  model: string | null;
  settings: Record<string, unknown>;
  status: TaskStatus;
  statusReason: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  iterations: number;
  totals: TaskTotals;
  averageTokensPerIteration: number;
  /** Sum of the sessions' run times, and of the time they spent waiting on the API. */
  durationMs: number;
  apiDurationMs: number;
}

/** One iteration's session as the views show it. */
export interface SessionView {
  sessionId: string;
  iteration: number;
  status: SessionStatus;
  startedAt: number;
  endedAt: number | null;
  model: string | null;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  turns: number;
  costUsd: number;
  costSource: CostSource;
  durationMs: number;
  apiDurationMs: number;
  exitCode: number | null;
  errorKind: string | null;
  error: string | null;
  resultExcerpt: string | null;
}

export interface TaskDetail extends TaskSummary {
  sessions: SessionView[];
}
