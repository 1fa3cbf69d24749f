/**
 * Applies events to the live state with immer: each batch is one `produce`, so React sees new objects
 * exactly where something changed, and the state before stays as it was.
 */
import { freeze, isDraft, original, produce, type Draft } from 'immer';
import {
  isActiveStatus,
  roundUsd,
  type AgentEvent,
  type LiveState,
  type TaskDetail,
  type TaskEvent,
  type TaskStatus,
  type TaskSummary,
} from '../contract';
import {
  addUsage,
  applySessionView,
  MAX_FINISHED_CARDS,
  MAX_RECENT,
  newSession,
  taskFromDetail,
  withLiveSessions,
  type LiveData,
  type LiveSession,
  type LiveTask,
  type WithdrawnLaunch,
} from './live-model';
import { addStreamEvent, lastIsWait, type StreamItem } from './stream';

export interface ReduceOptions {
  /** Sessions whose stream is already in a snapshot: stream items of these events would be duplicates. */
  skipStreamFor?: ReadonlySet<string>;
  /** Tasks being loaded: their events wait until they are. */
  loading?: ReadonlySet<string>;
  /** Tasks that could not be loaded lately: their events are dropped until a later try. */
  unloadable?: { has(taskId: string): boolean };
}

export interface Reduced {
  data: LiveData;
  /** Events of tasks this window does not know yet (started elsewhere, or missed), by task. */
  held: Map<string, TaskEvent[]>;
  /** Launches taken back in this batch, oldest first. */
  withdrawn: WithdrawnLaunch[];
}

type LiveDraft = Draft<LiveData>;
type SessionDraft = Draft<LiveSession> | LiveSession;
type TaskDraft = Draft<LiveTask> | LiveTask;

const dataOf = ({ tasks, activeIds, recent }: LiveData): LiveData => ({ tasks, activeIds, recent });

/** Applies a batch of events in one produce. */
export function reduceEvents(
  data: LiveData,
  events: readonly TaskEvent[],
  nextSeq: () => number,
  options: ReduceOptions = {},
): Reduced {
  const held = new Map<string, TaskEvent[]>();
  const withdrawn: WithdrawnLaunch[] = [];
  const next = produce(dataOf(data), (draft) => {
    const apply = new Applier(draft, nextSeq, options, held, withdrawn);
    for (const event of events) apply.event(event);
    apply.finish();
  });
  return { data: next, held, withdrawn };
}

/** Adds a task loaded with getTask (one this window first heard of through a later event). */
export function insertTask(data: LiveData, detail: TaskDetail, nextSeq: () => number): LiveData {
  return produce(dataOf(data), (draft) => new Applier(draft, nextSeq).insert(detail));
}

/** Drops a finished task's card; its row stays under Recent. */
export function dismissTask(data: LiveData, taskId: string): LiveData {
  return produce(dataOf(data), (draft) => {
    if (!draft.activeIds.includes(taskId)) delete draft.tasks[taskId];
  });
}

/** The state a snapshot describes, keeping the live data of tasks that already finished here. */
export function fromSnapshot(
  prev: LiveData,
  live: Pick<LiveState, 'tasks' | 'currentEvents'>,
  recentTasks: readonly TaskSummary[],
  nextSeq: () => number,
): LiveData {
  const tasks: Record<string, LiveTask> = {};
  const activeIds: string[] = [];
  for (const detail of live.tasks) {
    const { sessions, ...summary } = detail;
    const before = prev.tasks[summary.id];
    const task = taskFromDetail(summary, sessions);
    task.sessions = task.sessions.map((session) => {
      const events = live.currentEvents[session.sessionId];
      // Finished sessions are not in the snapshot's streams; keep what this window saw of them.
      const seen = before?.sessions.find((s) => s.sessionId === session.sessionId);
      if (!events) return seen ? { ...session, items: seen.items, droppedItems: seen.droppedItems } : session;
      return produce(session, (draft) => {
        for (const event of events) agentEvent(draft, event, false, nextSeq);
        freezeItems(draft);
      });
    });
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

/**
 * A session's stream items, as a plain array for this batch: immer would trap every shift of a 2000-item
 * draft, so the array is copied once and the copy assigned (a 1000-events-per-second stream stays cheap).
 */
function itemsOf(session: SessionDraft): StreamItem[] {
  const items = session.items;
  if (!isDraft(items)) return items as StreamItem[];
  const copy = [...(original(items) as StreamItem[])];
  session.items = copy;
  return copy;
}

/** Freezes a batch's copy of the items (new items deeply, as immer would): immer then skips its 2000 items. */
function freezeItems(session: SessionDraft): void {
  const items = session.items;
  if (isDraft(items) || Object.isFrozen(items)) return;
  for (const item of items) if (!Object.isFrozen(item)) freeze(item, true);
  Object.freeze(items);
}

function agentEvent(session: SessionDraft, event: AgentEvent, skipStream: boolean, nextSeq: () => number): void {
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
  const state = { items: itemsOf(session), droppedItems: session.droppedItems, openText: session.openText };
  addStreamEvent(state, event, nextSeq);
  session.items = state.items;
  session.droppedItems = state.droppedItems;
  session.openText = state.openText;
}

class Applier {
  /** Sessions whose stream this batch changed. */
  private readonly streamed = new Set<SessionDraft>();

  constructor(
    private readonly draft: LiveDraft,
    private readonly nextSeq: () => number,
    private readonly options: ReduceOptions = {},
    private readonly held = new Map<string, TaskEvent[]>(),
    private readonly withdrawn: WithdrawnLaunch[] = [],
  ) {}

  /** At the batch's end. */
  finish(): void {
    for (const session of this.streamed) freezeItems(session);
  }

  /** Keeps the event for when its task is loaded; true when it was held (or dropped). */
  private hold(event: TaskEvent): boolean {
    const id = event.taskId;
    // Queued and finished events carry the task's summary: they need no load.
    const carriesSummary = event.type === 'task.queued' || event.type === 'task.finished';
    if (!carriesSummary && this.options.unloadable?.has(id) && !this.draft.tasks[id]) return true;
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
  private known(event: TaskEvent): TaskDraft | undefined {
    const task = this.draft.tasks[event.taskId];
    if (!task) this.held.set(event.taskId, [event]);
    return task;
  }

  private skipStream(sessionId: string): boolean {
    return this.options.skipStreamFor?.has(sessionId) ?? false;
  }

  event(event: TaskEvent): void {
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
        return this.activate(task);
      }
      case 'task.waiting': {
        const task = this.known(event);
        if (!task) return;
        task.status = 'waiting';
        task.statusReason = event.reason;
        task.wakeAt = event.wakeAt;
        task.summary = { ...task.summary, status: 'waiting', statusReason: event.reason, wakeAt: event.wakeAt };
        return this.activate(task);
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
        if (task) this.retrying(task, event);
        return;
      }
      case 'agent.event': {
        const task = this.known(event);
        if (!task) return;
        const session = this.session(task, event.sessionId, event.iteration, true)!;
        this.streamed.add(session);
        return agentEvent(session, event.event, this.skipStream(event.sessionId), this.nextSeq);
      }
      case 'iteration.finished': {
        const task = this.known(event);
        if (!task) return;
        task.summary = event.task;
        const session = this.session(task, event.session.sessionId, event.session.iteration, true)!;
        return applySessionView(session, event.session);
      }
      case 'task.finished':
        return this.finished(event.taskId, event.task, event.status, event.reason);
    }
  }

  /** The iteration moves to its new session id: its stream so far stays, followed by a note of the failure. */
  private retrying(task: TaskDraft, event: Extract<TaskEvent, { type: 'iteration.retrying' }>): void {
    const old = this.session(task, event.previousSessionId, event.iteration, false);
    let target = this.session(task, event.sessionId, event.iteration, false);
    const note: StreamItem = {
      seq: this.nextSeq(),
      at: Date.now(),
      event: {
        kind: 'attempt_failed',
        attempt: event.attempt,
        error: event.error,
        sessionId: event.sessionId,
        afterWait: old ? lastIsWait(old.items) : false,
      },
    };
    const skipStream = this.skipStream(event.sessionId);
    if (old && target) {
      // The new attempt's first events came before the move: the old stream and the note go before them.
      itemsOf(target).unshift(...itemsOf(old), ...(skipStream ? [] : [note]));
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
      if (!skipStream) itemsOf(target).push(note);
    } else {
      target ??= this.session(task, event.sessionId, event.iteration, true)!;
      if (!skipStream) itemsOf(target).push(note);
    }
    target.status = 'running';
    target.error = null;
    target.attempts = Math.max(target.attempts, event.attempt);
    this.streamed.add(target);
  }

  /** A task that runs (again, after a resume): listed as active, and no longer under Recent. */
  private activate(task: TaskDraft): void {
    if (!this.draft.activeIds.includes(task.id)) this.draft.activeIds.push(task.id);
    if (this.draft.recent.some((t) => t.id === task.id)) {
      this.draft.recent = this.draft.recent.filter((t) => t.id !== task.id);
    }
  }

  private queued(summary: TaskSummary): void {
    const existing = this.draft.tasks[summary.id];
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
    this.add(taskFromDetail(summary, []));
  }

  insert(detail: TaskDetail): void {
    if (this.draft.tasks[detail.id]) return;
    const { sessions, ...summary } = detail;
    this.add(taskFromDetail(summary, sessions));
  }

  private add(task: LiveTask): void {
    this.draft.tasks[task.id] = task;
    if (isActiveStatus(task.status)) this.activate(task);
    else this.addRecent(task.summary);
  }

  private finished(taskId: string, summary: TaskSummary, status: TaskStatus, reason: string): void {
    const task = this.draft.tasks[taskId];
    if (task) {
      task.summary = summary;
      task.status = status;
      task.statusReason = reason;
      // A task stopped at a spent window keeps when it reopens, for its Resume.
      task.wakeAt = summary.wakeAt ?? null;
    }
    this.draft.activeIds = this.draft.activeIds.filter((id) => id !== taskId);
    this.addRecent({ ...withLiveSessions(summary, task as LiveTask | undefined), status, statusReason: reason });
  }

  private addRecent(summary: TaskSummary): void {
    const draft = this.draft;
    draft.recent = [summary, ...draft.recent.filter((t) => t.id !== summary.id)].slice(0, MAX_RECENT);
    // Only the newest finished tasks keep their streams in memory.
    let kept = 0;
    for (const t of draft.recent) {
      if (!draft.tasks[t.id]) continue;
      if (++kept > MAX_FINISHED_CARDS) delete draft.tasks[t.id];
    }
    for (const id of Object.keys(draft.tasks)) {
      if (!draft.activeIds.includes(id) && !draft.recent.some((t) => t.id === id)) delete draft.tasks[id];
    }
  }

  private withdraw(event: Extract<TaskEvent, { type: 'task.withdrawn' }>): void {
    const id = event.taskId;
    delete this.draft.tasks[id];
    this.held.delete(id);
    this.draft.activeIds = this.draft.activeIds.filter((taskId) => taskId !== id);
    this.draft.recent = this.draft.recent.filter((task) => task.id !== id);
    this.withdrawn.push({ taskId: id, title: event.task.title, reason: event.reason, spec: event.task.spec });
  }

  private session(task: TaskDraft, sessionId: string, iteration: number, create: boolean): SessionDraft | undefined {
    const found = task.sessions.find((s) => s.sessionId === sessionId);
    if (found || !create) return found;
    task.sessions.push(newSession(sessionId, iteration));
    task.sessions.sort((a, b) => a.iteration - b.iteration);
    return task.sessions.find((s) => s.sessionId === sessionId);
  }
}
