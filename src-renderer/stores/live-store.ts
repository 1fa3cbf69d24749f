import { createStore, type StoreApi } from 'zustand/vanilla';
import {
  isActiveStatus,
  isTaskEvent,
  roundUsd,
  sumTokens,
  type AgentEvent,
  type BatonApi,
  type BatonEvent,
  type TaskEvent,
  type CostSource,
  type LiveState,
  type SessionStatus,
  type SessionView,
  type TaskDetail,
  type TaskStatus,
  type TaskSummary,
  type TaskTotals,
  type TokenUsage,
  type WaitCause,
} from '../contract';
import { unknownTokensOf } from '../cost';
import { errorMessage } from '../errors';
import { taskModels } from '../models';
import type { Transport } from '../transport/transport';
import { addStreamEvent, lastIsWait, pendingWait, type StreamItem } from './stream';

export { MAX_STREAM_ITEMS } from './stream';
export type { StreamEvent, StreamItem } from './stream';

/** Finished tasks listed under "Recent" (the same rows as History's table). */
export const MAX_RECENT = 10;
/** Finished tasks whose live data (timeline, streams) is kept for their cards. */
export const MAX_FINISHED_CARDS = 5;
/** How long the events of a task getTask could not load are dropped before it is tried again. */
const RETRY_LOAD_AFTER_MS = 30_000;

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
function withLiveSessions(summary: TaskSummary, task: LiveTask | undefined): TaskSummary {
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

/** A launch its agent turned away at once: the task is gone, and the window says why until dismissed. */
export interface WithdrawnLaunch {
  taskId: string;
  title: string;
  reason: string;
  spec: TaskSummary['spec'];
}

/** How many taken-back launches the window keeps saying; older ones drop off. */
const MAX_WITHDRAWN = 3;

export interface LiveStoreState extends LiveData {
  /** Newest first. */
  withdrawn: WithdrawnLaunch[];
  dismissWithdrawn(taskId: string): void;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  syncing: boolean;
  /** The service's process, from the last snapshot: a task another process runs can be stopped only there. */
  servicePid: number | null;
  /** Applies the events about tasks; others (an import of usage) are passed by. */
  applyEvents(events: readonly BatonEvent[]): void;
  /** Replaces the state with getLiveState (and the recent list), then replays what arrived meanwhile. */
  resync(): Promise<void>;
  /** Drops a finished task's card (its row stays under Recent). */
  dismiss(taskId: string): void;
}

export type LiveStore = StoreApi<LiveStoreState>;

export { isActiveStatus };

const zero = (): TokenUsage => ({ inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0 });

const addUsage = (a: TokenUsage, b: TokenUsage): TokenUsage => ({
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

function newSession(sessionId: string, iteration: number, startedAt = Date.now()): LiveSession {
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
    attempts: 0,
    priorUsage: null,
    priorCostUsd: 0,
    items: [],
    droppedItems: 0,
    openText: null,
  };
}

function applySessionView(session: LiveSession, view: SessionView): void {
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

interface ReduceOptions {
  /** Sessions whose stream is already in a snapshot: their buffered stream items would be duplicates. */
  skipStreamFor?: ReadonlySet<string>;
  /** Tasks being loaded: their events wait until they are. */
  loading?: ReadonlySet<string>;
  /** Tasks that could not be loaded lately: their events are dropped until a later try. */
  unloadable?: { has(taskId: string): boolean };
}

/**
 * Applies a batch of events with copy-on-write: each touched task, session
 * and item array is copied once per batch, not once per event, which is what
 * keeps a 1000-events-per-second stream cheap.
 */
class Draft {
  readonly tasks: Record<string, LiveTask>;
  activeIds: string[];
  recent: TaskSummary[];
  /** Events of tasks this window does not know yet (started elsewhere, or missed), by task. */
  readonly held = new Map<string, TaskEvent[]>();
  /** Launches taken back in this batch, oldest first. */
  readonly withdrawn: WithdrawnLaunch[] = [];
  private readonly copiedTasks = new Set<string>();
  private readonly copiedSessions = new Set<LiveSession>();
  private readonly copiedItems = new Set<LiveSession>();

  constructor(
    data: LiveData,
    private readonly nextSeq: () => number,
    private readonly options: ReduceOptions = {},
  ) {
    this.tasks = { ...data.tasks };
    this.activeIds = [...data.activeIds];
    this.recent = [...data.recent];
  }

  result(): LiveData {
    return { tasks: this.tasks, activeIds: this.activeIds, recent: this.recent };
  }

  /** Keeps the event for when its task is loaded; true when it was held (or dropped). */
  private hold(event: TaskEvent): boolean {
    const id = event.taskId;
    // Queued and finished events carry the task's summary: they need no load.
    const carriesSummary = event.type === 'task.queued' || event.type === 'task.finished';
    if (!carriesSummary && this.options.unloadable?.has(id) && !this.tasks[id]) return true;
    const held = this.held.get(id);
    if (held) {
      held.push(event);
      return true;
    }
    if (this.options.loading?.has(id)) {
      this.held.set(id, [event]);
      return true;
    }
    return false;
  }

  /** The known task for an event, or undefined after holding the event until its task is loaded. */
  private known(event: TaskEvent): LiveTask | undefined {
    const task = this.task(event.taskId);
    if (!task) this.held.set(event.taskId, [event]);
    return task;
  }

  apply(event: TaskEvent): void {
    // Never held: it ends the task whether or not it was loaded, and whatever is held for it.
    if (event.type === 'task.withdrawn') return this.withdraw(event);
    if (this.hold(event)) return;
    switch (event.type) {
      case 'task.queued':
        return this.queued(event.task);
      case 'task.started': {
        const task = this.known(event);
        if (!task) return;
        // Also the end of a wait: the window reopened, so its reason and wake-up time no longer apply.
        if (task.status === 'waiting') task.statusReason = null;
        task.status = 'running';
        task.wakeAt = null;
        task.summary = { ...task.summary, status: 'running', wakeAt: null, statusReason: task.statusReason };
        this.activate(task);
        return;
      }
      case 'task.waiting': {
        const task = this.known(event);
        if (!task) return;
        task.status = 'waiting';
        task.statusReason = event.reason;
        task.wakeAt = event.wakeAt;
        task.summary = { ...task.summary, status: 'waiting', statusReason: event.reason, wakeAt: event.wakeAt };
        this.activate(task);
        return;
      }
      case 'iteration.started': {
        const task = this.known(event);
        if (!task) return;
        // An iteration starting ends any wait, even if its task.started was missed.
        if (task.status === 'waiting') {
          task.statusReason = null;
          task.wakeAt = null;
        }
        task.status = 'running';
        task.maxIterations = event.maxIterations;
        this.activate(task);
        this.session(task, event.sessionId, event.iteration, true);
        return;
      }
      case 'iteration.retrying': {
        const task = this.known(event);
        if (!task) return;
        return this.retrying(task, event);
      }
      case 'agent.event': {
        const task = this.known(event);
        if (!task) return;
        const session = this.session(task, event.sessionId, event.iteration, true)!;
        this.agentEvent(session, event.event, this.options.skipStreamFor?.has(event.sessionId) ?? false);
        return;
      }
      case 'iteration.finished': {
        const task = this.known(event);
        if (!task) return;
        task.summary = event.task;
        const session = this.session(task, event.session.sessionId, event.session.iteration, true)!;
        applySessionView(session, event.session);
        return;
      }
      case 'task.finished':
        return this.finished(event.taskId, event.task, event.status, event.reason);
    }
  }

  /** The iteration moves to its new session id: its stream so far stays, followed by a note of the failure. */
  retrying(task: LiveTask, event: Extract<TaskEvent, { type: 'iteration.retrying' }>): void {
    const old = this.session(task, event.previousSessionId, event.iteration, false);
    let target = this.session(task, event.sessionId, event.iteration, false);
    const note = {
      seq: this.nextSeq(),
      at: Date.now(),
      event: {
        kind: 'attempt_failed',
        attempt: event.attempt,
        error: event.error,
        sessionId: event.sessionId,
        afterWait: old ? lastIsWait(old.items) : false,
      } as const,
    };
    const skipStream = this.options.skipStreamFor?.has(event.sessionId) ?? false;
    if (old && target) {
      // The new attempt's first events came before the move: the old stream and the note go before them.
      this.items(target).unshift(...old.items, ...(skipStream ? [] : [note]));
      target.droppedItems += old.droppedItems;
      task.sessions = task.sessions.filter((s) => s !== old);
    } else if (old) {
      target = old;
      const costSoFar = old.costUsd ?? old.estimatedCostUsd ?? 0;
      target.priorUsage = { ...old.usage };
      target.priorCostUsd = roundUsd(costSoFar);
      target.sessionId = event.sessionId;
      target.costUsd = null;
      target.estimatedCostUsd = costSoFar > 0 ? target.priorCostUsd : null;
      target.durationMs = null;
      target.openText = null;
      if (!skipStream) this.items(target).push(note);
    } else {
      target ??= this.session(task, event.sessionId, event.iteration, true)!;
      if (!skipStream) this.items(target).push(note);
    }
    target.status = 'running';
    target.error = null;
    target.attempts = Math.max(target.attempts, event.attempt);
  }

  agentEvent(session: LiveSession, event: AgentEvent, skipStream: boolean): void {
    const prior = session.priorUsage;
    if (event.kind === 'usage') {
      session.usage = prior ? addUsage(prior, event.usage) : event.usage;
      if (event.estimatedCostUsd !== undefined) {
        session.estimatedCostUsd = roundUsd(session.priorCostUsd + event.estimatedCostUsd);
      }
      return;
    }
    if (event.kind === 'result') {
      session.usage = prior ? addUsage(prior, event.result.usage) : event.result.usage;
      // An agent figure that could not be true stays an estimate from the tokens.
      if (event.result.costUsd !== null) session.costUsd = roundUsd(session.priorCostUsd + event.result.costUsd);
      session.durationMs = event.result.durationMs;
      session.permissionDenials = event.result.permissionDenials ?? 0;
    }
    if (event.kind === 'init') session.model = event.model;
    if (skipStream) return;
    const state = { items: this.items(session), droppedItems: session.droppedItems, openText: session.openText };
    addStreamEvent(state, event, this.nextSeq);
    session.droppedItems = state.droppedItems;
    session.openText = state.openText;
  }

  /** A task that runs (again, after a resume): listed as active, and no longer under Recent. */
  activate(task: LiveTask): void {
    if (!this.activeIds.includes(task.id)) this.activeIds.push(task.id);
    if (this.recent.some((t) => t.id === task.id)) this.recent = this.recent.filter((t) => t.id !== task.id);
  }

  queued(summary: TaskSummary): void {
    const existing = this.task(summary.id);
    if (existing) {
      existing.summary = summary;
      if (isActiveStatus(summary.status)) {
        // A resumed task is queued again.
        existing.status = summary.status;
        existing.statusReason = summary.statusReason;
        existing.wakeAt = summary.wakeAt ?? null;
        existing.maxIterations = summary.spec.maxIterations;
        this.activate(existing);
      }
      return;
    }
    this.tasks[summary.id] = {
      id: summary.id,
      summary,
      status: summary.status,
      statusReason: summary.statusReason,
      wakeAt: summary.wakeAt ?? null,
      maxIterations: summary.spec.maxIterations,
      sessions: [],
    };
    this.copiedTasks.add(summary.id);
    if (isActiveStatus(summary.status)) this.activate(this.tasks[summary.id]!);
    else this.addRecent(summary);
  }

  /** A task loaded with getTask (one this window first heard of through a later event). */
  insert(detail: TaskDetail): void {
    if (this.tasks[detail.id]) return;
    const { sessions, ...summary } = detail;
    this.tasks[detail.id] = taskFromDetail(summary, sessions);
    this.copiedTasks.add(detail.id);
    if (isActiveStatus(summary.status)) this.activate(this.tasks[detail.id]!);
    else this.addRecent(summary);
  }

  finished(taskId: string, summary: TaskSummary, status: TaskStatus, reason: string): void {
    const task = this.task(taskId);
    if (task) {
      task.summary = summary;
      task.status = status;
      task.statusReason = reason;
      // A task stopped at a spent window keeps when it reopens, for its Resume.
      task.wakeAt = summary.wakeAt ?? null;
    }
    this.activeIds = this.activeIds.filter((id) => id !== taskId);
    this.addRecent({ ...withLiveSessions(summary, task), status, statusReason: reason });
  }

  addRecent(summary: TaskSummary): void {
    this.recent = [summary, ...this.recent.filter((t) => t.id !== summary.id)].slice(0, MAX_RECENT);
    // Only the newest finished tasks keep their streams in memory.
    let kept = 0;
    for (const t of this.recent) {
      if (!this.tasks[t.id]) continue;
      if (++kept > MAX_FINISHED_CARDS) delete this.tasks[t.id];
    }
    for (const id of Object.keys(this.tasks)) {
      if (!this.activeIds.includes(id) && !this.recent.some((t) => t.id === id)) delete this.tasks[id];
    }
  }

  withdraw(event: Extract<TaskEvent, { type: 'task.withdrawn' }>): void {
    const id = event.taskId;
    delete this.tasks[id];
    this.held.delete(id);
    this.activeIds = this.activeIds.filter((taskId) => taskId !== id);
    this.recent = this.recent.filter((task) => task.id !== id);
    this.withdrawn.push({ taskId: id, title: event.task.title, reason: event.reason, spec: event.task.spec });
  }

  dismiss(taskId: string): void {
    if (this.activeIds.includes(taskId)) return;
    delete this.tasks[taskId];
  }

  /** The task, copied for writing. */
  task(id: string): LiveTask | undefined {
    const task = this.tasks[id];
    if (!task) return undefined;
    if (this.copiedTasks.has(id)) return task;
    const copy = { ...task, sessions: [...task.sessions] };
    this.tasks[id] = copy;
    this.copiedTasks.add(id);
    return copy;
  }

  session(task: LiveTask, sessionId: string, iteration: number, create: boolean): LiveSession | undefined {
    const index = task.sessions.findIndex((s) => s.sessionId === sessionId);
    if (index >= 0) {
      const found = task.sessions[index]!;
      if (this.copiedSessions.has(found)) return found;
      const copy = { ...found };
      task.sessions[index] = copy;
      this.copiedSessions.add(copy);
      return copy;
    }
    if (!create) return undefined;
    const created = newSession(sessionId, iteration);
    this.copiedSessions.add(created);
    this.copiedItems.add(created);
    task.sessions.push(created);
    task.sessions.sort((a, b) => a.iteration - b.iteration);
    return created;
  }

  items(session: LiveSession): StreamItem[] {
    if (!this.copiedItems.has(session)) {
      session.items = [...session.items];
      this.copiedItems.add(session);
    }
    return session.items;
  }
}

function taskFromDetail(summary: TaskSummary, sessions: readonly SessionView[]): LiveTask {
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

/** The state a snapshot describes, keeping the live data of tasks that already finished here. */
function fromSnapshot(prev: LiveData, live: LiveState, recentTasks: TaskSummary[], nextSeq: () => number): LiveData {
  const tasks: Record<string, LiveTask> = {};
  const activeIds: string[] = [];
  for (const detail of live.tasks) {
    const { sessions, ...summary } = detail;
    const before = prev.tasks[summary.id];
    const task = taskFromDetail(summary, sessions);
    const draft = new Draft({ tasks: {}, activeIds: [], recent: [] }, nextSeq);
    for (const session of task.sessions) {
      const events = live.currentEvents[session.sessionId];
      if (events) {
        for (const e of events) draft.agentEvent(session, e, false);
      } else {
        // Finished sessions are not in the snapshot's streams; keep what this window saw of them.
        const seen = before?.sessions.find((s) => s.sessionId === session.sessionId);
        if (seen) {
          session.items = seen.items;
          session.droppedItems = seen.droppedItems;
        }
      }
    }
    tasks[task.id] = task;
    activeIds.push(task.id);
  }

  const finished = recentTasks.filter((t) => !isActiveStatus(t.status) && !tasks[t.id]);
  const recent: TaskSummary[] = [];
  for (const t of [...finished, ...prev.recent]) {
    if (tasks[t.id] || recent.some((r) => r.id === t.id)) continue;
    recent.push(t);
  }
  recent.sort((a, b) => (b.finishedAt ?? b.createdAt) - (a.finishedAt ?? a.createdAt));
  const keptRecent = recent.slice(0, MAX_RECENT);
  for (const t of keptRecent.slice(0, MAX_FINISHED_CARDS)) {
    const before = prev.tasks[t.id];
    if (before && !isActiveStatus(before.status)) tasks[t.id] = before;
  }
  return { tasks, activeIds, recent: keptRecent };
}

export function createLiveStore(client: Pick<BatonApi, 'getLiveState' | 'listTasks' | 'getTask'>): LiveStore {
  let seq = 0;
  const nextSeq = () => ++seq;
  let generation = 0;
  /** Events that arrive while a snapshot is being fetched; null when no fetch is in flight. */
  let buffered: TaskEvent[] | null = null;
  /** Tasks being loaded with getTask, with the events that came for them meanwhile. */
  const loading = new Map<string, TaskEvent[]>();
  /** Tasks getTask could not load, and when; their events are dropped for a while rather than held forever. */
  const failedLoads = new Map<string, number>();
  const unloadable = {
    has(taskId: string) {
      const at = failedLoads.get(taskId);
      if (at === undefined) return false;
      if (Date.now() - at < RETRY_LOAD_AFTER_MS) return true;
      failedLoads.delete(taskId);
      return false;
    },
  };

  return createStore<LiveStoreState>()((set, get) => {
    const reduce = (data: LiveData, events: readonly TaskEvent[], options: ReduceOptions = {}) => {
      const draft = new Draft(data, nextSeq, { loading: new Set(loading.keys()), unloadable, ...options });
      for (const event of events) draft.apply(event);
      const fresh = draft.withdrawn.reverse();
      const withdrawn = [...fresh, ...get().withdrawn.filter((w) => !fresh.some((n) => n.taskId === w.taskId))];
      return { data: { ...draft.result(), withdrawn: withdrawn.slice(0, MAX_WITHDRAWN) }, held: draft.held };
    };

    /** Holds the events of tasks not known yet, and loads each such task once. */
    const holdUnknown = (held: Map<string, TaskEvent[]>) => {
      for (const [taskId, events] of held) {
        const waiting = loading.get(taskId);
        if (waiting) {
          waiting.push(...events);
          continue;
        }
        loading.set(taskId, [...events]);
        void load(taskId);
      }
    };

    const load = async (taskId: string) => {
      const mine = loading.get(taskId);
      let detail: TaskDetail | null;
      try {
        detail = await client.getTask({ taskId });
      } catch {
        detail = null;
      }
      if (loading.get(taskId) !== mine || !mine) return; // A resync took these events over.
      loading.delete(taskId);
      if (buffered) {
        // A resync is in flight: its snapshot will know the task; replay the held events after it.
        buffered.unshift(...mine);
        return;
      }
      let base: LiveData = get();
      if (detail) {
        const draft = new Draft(base, nextSeq);
        draft.insert(detail);
        base = draft.result();
      } else {
        failedLoads.set(taskId, Date.now());
      }
      const { data, held } = reduce(base, mine);
      set(data);
      holdUnknown(held);
    };

    return {
      tasks: {},
      activeIds: [],
      recent: [],
      withdrawn: [],
      status: 'idle',
      error: null,
      syncing: false,
      servicePid: null,

      dismissWithdrawn(taskId) {
        set({ withdrawn: get().withdrawn.filter((w) => w.taskId !== taskId) });
      },

      applyEvents(all) {
        const events = all.filter(isTaskEvent);
        if (events.length === 0) return;
        if (buffered) {
          buffered.push(...events);
          return;
        }
        const { data, held } = reduce(get(), events);
        set(data);
        holdUnknown(held);
      },

      dismiss(taskId) {
        const draft = new Draft(get(), nextSeq);
        draft.dismiss(taskId);
        set(draft.result());
      },

      async resync() {
        const mine = ++generation;
        buffered = buffered ?? [];
        set((s) => ({ syncing: true, status: s.status === 'ready' ? 'ready' : 'loading' }));
        try {
          // How many events had come when the live state answered: those are in it, later ones are not.
          let inSnapshot = 0;
          const [live, recent] = await Promise.all([
            client.getLiveState({}).then((state) => {
              inSnapshot = buffered?.length ?? 0;
              return state;
            }),
            client.listTasks({ limit: MAX_RECENT, sort: { by: 'createdAt', direction: 'desc' } }),
          ]);
          if (mine !== generation) return;
          const arrived = buffered ?? [];
          // Held events of tasks still loading came before the snapshot was asked for: replay them with the rest.
          const before = [...[...loading.values()].flat(), ...arrived.slice(0, inSnapshot)];
          const after = arrived.slice(inSnapshot);
          loading.clear();
          buffered = null;
          const snapshot = fromSnapshot(get(), live, recent.tasks, nextSeq);
          // Events that came before the answer on the same ordered channel are already in the snapshot:
          // replay them for their idempotent parts (lifecycle, usage) and skip stream items of streamed sessions.
          const first = reduce(snapshot, before, { skipStreamFor: new Set(Object.keys(live.currentEvents)) });
          // Events that came while the task list was still loading are new to the snapshot: apply them whole.
          const { data, held } = reduce(first.data, after);
          set({ ...data, servicePid: live.servicePid ?? null, status: 'ready', error: null, syncing: false });
          holdUnknown(first.held);
          holdUnknown(held);
        } catch (error) {
          if (mine !== generation) return;
          const pending = buffered ?? [];
          buffered = null;
          const { data, held } = reduce(get(), pending);
          set((s) => ({
            ...data,
            syncing: false,
            status: s.status === 'ready' ? 'ready' : 'error',
            error: errorMessage(error),
          }));
          holdUnknown(held);
        }
      },
    };
  });
}

/** Runs `flush` at the next frame, or after 100 ms when frames do not come (a hidden window). */
export function frameScheduler(flush: () => void): () => void {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    cancel();
    flush();
  };
  const frame = typeof requestAnimationFrame === 'function' ? requestAnimationFrame(run) : null;
  const timer = setTimeout(run, 100);
  function cancel() {
    if (frame !== null) cancelAnimationFrame(frame);
    clearTimeout(timer);
  }
  return () => {
    done = true;
    cancel();
  };
}

/**
 * Feeds the transport's events to the store in batches (one store update per
 * frame), resyncs after a reconnect, and loads the first snapshot.
 */
export function connectLiveStore(
  store: LiveStore,
  transport: Pick<Transport, 'subscribe' | 'onResync'>,
  schedule: (flush: () => void) => () => void = frameScheduler,
): () => void {
  let pending: TaskEvent[] = [];
  let cancel: (() => void) | null = null;
  const flush = () => {
    cancel = null;
    const batch = pending;
    pending = [];
    store.getState().applyEvents(batch);
  };
  const unsubscribe = transport.subscribe((event) => {
    // Events about no task (an import of usage) are for the usage store.
    if (!isTaskEvent(event)) return;
    pending.push(event);
    cancel ??= schedule(flush);
  });
  const unresync = transport.onResync(() => {
    cancel?.();
    flush();
    void store.getState().resync();
  });
  void store.getState().resync();
  return () => {
    unsubscribe();
    unresync();
    cancel?.();
  };
}
