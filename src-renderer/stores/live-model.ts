/**
 * What the live view shows of a task and its iterations, and the figures derived from it: the store keeps
 * these, components read them. Nothing here changes a state; live-reduce.ts applies events to it.
 */
import {
  isActiveStatus,
  roundUsd,
  sumTokens,
  type CheckOutcome,
  type CostSource,
  type GitChange,
  type SessionStatus,
  type SessionView,
  type TaskStatus,
  type TaskSummary,
  type TaskTotals,
  type TokenUsage,
  type WaitCause,
} from '../contract';
import { unknownTokensOf } from '../cost';
import { taskModels } from '../models';
import { pendingWait, type StreamItem } from './stream';

/** Finished tasks listed under "Recent" (the same rows as History's table). */
export const MAX_RECENT = 10;
/** Finished tasks whose live data (timeline, streams) is kept for their cards. */
export const MAX_FINISHED_CARDS = 5;

export interface LiveSession {
  sessionId: string;
  iteration: number;
  status: SessionStatus;
  /** When the session started (epoch ms): the stored start, or when this window heard of it. */
  startedAt: number;
  /** Running totals while the session runs (failed attempts included), then the stored totals. */
  usage: TokenUsage;
  /** Known once the agent reports its result (then the stored figure). */
  costUsd: number | null;
  /** The latest usage event's estimate at list prices, while no result is known. */
  estimatedCostUsd: number | null;
  /** Where the stored cost came from, once the session is stored; 'unknown' when no cost could be had. */
  costSource: CostSource | null;
  /** The cost computed from the tokens beside an agent's own, once stored; null where unknown. */
  computedCostUsd: number | null;
  /** The agent's own id for the session (a Codex thread id), once stored, where it is not Baton's. */
  agentSessionId: string | null;
  /** Output tokens spent reasoning (already inside the output tokens), once stored. */
  reasoningTokens: number;
  durationMs: number | null;
  error: string | null;
  model: string | null;
  /** Tool calls the permission mode refused, once the result (or the stored session) says. */
  permissionDenials: number;
  /** What it changed and how the check after it ended, once stored (iteration.finished carries them). */
  git: GitChange | null;
  check: CheckOutcome | null;
  /** Failed attempts Baton retried under a new session id while this window watched. */
  attempts: number;
  /** Tokens and cost of earlier attempts of this iteration, added to the current attempt's running totals. */
  priorUsage: TokenUsage | null;
  priorCostUsd: number;
  items: StreamItem[];
  droppedItems: number;
  /** The text block being generated from deltas (its item's seq). */
  openText: number | null;
}

export interface LiveTask {
  id: string;
  summary: TaskSummary;
  status: TaskStatus;
  statusReason: string | null;
  /** While waiting for a spent subscription window (or stopped at one): when it reopens (epoch ms). */
  wakeAt: number | null;
  maxIterations: number;
  /** Ordered by iteration. */
  sessions: LiveSession[];
}

/**
 * A summary from an event, with what only the listing of tasks sums and the live sessions know: the models
 * they ran, and the tokens of those whose cost is unknown.
 */
export function withLiveSessions(summary: TaskSummary, task: LiveTask | undefined): TaskSummary {
  if (!task || task.sessions.length === 0) return summary;
  return {
    ...summary,
    models: summary.models ?? taskModels({ model: null }, task.sessions),
    totals: {
      ...summary.totals,
      unknownCostTokens: summary.totals.unknownCostTokens ?? unknownTokensOf(task.sessions),
    },
  };
}

export interface LiveData {
  tasks: Record<string, LiveTask>;
  /** Queued and running tasks, in the order they arrived. */
  activeIds: string[];
  /** Finished tasks, newest first; those still in `tasks` keep their live cards. */
  recent: TaskSummary[];
}

/** The finished tasks that keep their live cards, newest first. */
export function finishedCardIds({ tasks, recent }: Pick<LiveData, 'tasks' | 'recent'>): string[] {
  return recent.flatMap((t) => {
    const task = tasks[t.id];
    return task && !isActiveStatus(task.status) ? [t.id] : [];
  });
}

/** A launch its agent turned away at once: the task is gone, and the window says why until dismissed. */
export interface WithdrawnLaunch {
  taskId: string;
  title: string;
  reason: string;
  spec: TaskSummary['spec'];
}

/** How many taken-back launches the window keeps saying; older ones drop off. */
export const MAX_WITHDRAWN = 3;

export { isActiveStatus };

const zero = (): TokenUsage => ({ inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0 });

export const addUsage = (a: TokenUsage, b: TokenUsage): TokenUsage => ({
  inputTokens: a.inputTokens + b.inputTokens,
  outputTokens: a.outputTokens + b.outputTokens,
  cacheCreationTokens: a.cacheCreationTokens + b.cacheCreationTokens,
  cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
});

export function usageOf(view: SessionView): TokenUsage {
  return {
    inputTokens: view.inputTokens,
    outputTokens: view.outputTokens,
    cacheCreationTokens: view.cacheCreationTokens,
    cacheReadTokens: view.cacheReadTokens,
  };
}

export function newSession(sessionId: string, iteration: number, startedAt = Date.now()): LiveSession {
  return {
    sessionId,
    iteration,
    status: 'running',
    startedAt,
    usage: zero(),
    costUsd: null,
    estimatedCostUsd: null,
    costSource: null,
    computedCostUsd: null,
    agentSessionId: null,
    reasoningTokens: 0,
    durationMs: null,
    error: null,
    model: null,
    permissionDenials: 0,
    git: null,
    check: null,
    attempts: 0,
    priorUsage: null,
    priorCostUsd: 0,
    items: [],
    droppedItems: 0,
    openText: null,
  };
}

export function applySessionView(session: LiveSession, view: SessionView): void {
  session.status = view.status;
  session.model = view.model ?? session.model;
  session.startedAt = view.startedAt;
  session.agentSessionId = view.agentSessionId ?? session.agentSessionId;
  if (view.status === 'running') return; // A running row holds zeros until its UPDATE; keep the live figures.
  // From here on the stored figures are the only source: what the table and History show too.
  session.usage = usageOf(view);
  session.costUsd = view.costUsd;
  session.estimatedCostUsd = null;
  session.costSource = view.costSource;
  session.computedCostUsd = view.computedCostUsd ?? null;
  session.reasoningTokens = view.reasoningTokens ?? 0;
  session.durationMs = view.durationMs;
  session.error = view.error;
  session.permissionDenials = view.permissionDenials ?? session.permissionDenials;
  session.git = view.git ?? null;
  session.check = view.check ?? null;
}

export interface TaskCounters {
  tokens: number;
  costUsd: number;
  /** True while a running session's cost is an estimate (no result yet). */
  estimated: boolean;
  /** Ended sessions whose cost is unknown (not in `costUsd`), and those whose cost is. */
  unknownSessions: number;
  knownSessions: number;
}

/** Tokens and cost of a task so far: the stored totals plus what its running sessions have reported. */
export function taskCounters(task: Pick<LiveTask, 'summary' | 'sessions'>): TaskCounters {
  let tokens = task.summary.totals.totalTokens;
  let costUsd = task.summary.totals.costUsd;
  let estimated = false;
  let unknownSessions = 0;
  let knownSessions = 0;
  for (const s of task.sessions) {
    if (s.status !== 'running') {
      if (s.costSource === 'unknown') unknownSessions++;
      else knownSessions++;
      continue;
    }
    knownSessions++;
    tokens += sumTokens(s.usage);
    const cost = sessionCost(s);
    costUsd += cost.costUsd ?? 0;
    if (cost.estimated) estimated = true;
  }
  return { tokens, costUsd: roundUsd(costUsd), estimated, unknownSessions, knownSessions };
}

/**
 * A task's totals with its running sessions' live figures added: the stored
 * totals (finished iterations) stay the one source for those, and the live
 * usage counts only while its iteration runs.
 */
export function liveTotals(
  totals: TaskTotals,
  sessions: readonly LiveSession[],
): TaskTotals & { estimated: boolean; includesRunning: boolean } {
  const sum = { ...totals, estimated: false, includesRunning: false };
  for (const s of sessions) {
    if (s.status !== 'running') continue;
    sum.includesRunning = true;
    sum.inputTokens += s.usage.inputTokens;
    sum.outputTokens += s.usage.outputTokens;
    sum.cacheCreationTokens += s.usage.cacheCreationTokens;
    sum.cacheReadTokens += s.usage.cacheReadTokens;
    sum.totalTokens += sumTokens(s.usage);
    const cost = sessionCost(s);
    sum.costUsd += cost.costUsd ?? 0;
    if (cost.estimated) sum.estimated = true;
  }
  // Only a sum made here can carry float noise; the stored total is exact as it is.
  if (sum.includesRunning) sum.costUsd = roundUsd(sum.costUsd);
  return sum;
}

/** A session's cost: the agent's figure once known, else the running estimate; `unknown` where none could be had. */
export function sessionCost(session: LiveSession): { costUsd: number | null; estimated: boolean; unknown?: true } {
  if (session.status !== 'running' && session.costSource === 'unknown') {
    return { costUsd: null, estimated: false, unknown: true };
  }
  if (session.costUsd !== null) return { costUsd: session.costUsd, estimated: false };
  if (session.estimatedCostUsd !== null) return { costUsd: session.estimatedCostUsd, estimated: true };
  return { costUsd: null, estimated: false };
}

/**
 * What a running iteration waits for while its task waits: what its stream last said (Baton's wait, or the
 * agent retrying an API that does not answer); a spent window otherwise. Null while it is not waiting.
 */
export function iterationWait(
  task: Pick<LiveTask, 'status'>,
  session: Pick<LiveSession, 'status' | 'items'>,
): WaitCause | null {
  if (task.status !== 'waiting' || session.status !== 'running') return null;
  return pendingWait(session.items) ?? 'quota';
}

/** What a stored iteration waits for, while it runs (its "error" is then the wait's reason). */
export function storedWait(view: Pick<SessionView, 'status' | 'waitingFor'>): WaitCause | null {
  return view.status === 'running' ? (view.waitingFor ?? null) : null;
}

/** What a waiting task waits for: its running iteration's wait, or (holding off before one) a window's. */
export function taskWait(task: Pick<LiveTask, 'status' | 'sessions'>): WaitCause | null {
  if (task.status !== 'waiting') return null;
  const running = task.sessions.find((s) => s.status === 'running');
  return running ? iterationWait(task, running) : 'quota';
}

/** Tool calls the permission mode refused, over all the task's sessions. */
export function taskPermissionDenials(task: Pick<LiveTask, 'sessions'>): number {
  return task.sessions.reduce((n, s) => n + s.permissionDenials, 0);
}

/**
 * The progress bar: completed iterations out of the most, plus half an
 * iteration for the one running. It is never full while an iteration runs,
 * and full for a task that completed early.
 */
export function progressOf(task: Pick<LiveTask, 'status' | 'sessions' | 'maxIterations'>): {
  value: number;
  max: number;
  /** The iteration shown as "Iteration n of max". */
  current: number;
} {
  const max = Math.max(1, task.maxIterations);
  const done = task.sessions.filter((s) => s.status !== 'running').length;
  const running = task.sessions.find((s) => s.status === 'running');
  if (running) return { value: Math.min(done + 0.5, max - 0.5), max, current: running.iteration };
  if (task.status === 'completed') return { value: max, max, current: done };
  return { value: Math.min(done, max), max, current: done };
}

export function taskFromDetail(summary: TaskSummary, sessions: readonly SessionView[]): LiveTask {
  const task: LiveTask = {
    id: summary.id,
    summary,
    status: summary.status,
    statusReason: summary.statusReason,
    wakeAt: summary.wakeAt ?? null,
    maxIterations: summary.spec.maxIterations,
    sessions: [],
  };
  for (const view of [...sessions].sort((a, b) => a.iteration - b.iteration)) {
    const session = newSession(view.sessionId, view.iteration, view.startedAt);
    applySessionView(session, view);
    task.sessions.push(session);
  }
  return task;
}
