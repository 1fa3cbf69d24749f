import { createStore, type StoreApi } from 'zustand/vanilla';
import {
  sumTokens,
  type AgentEvent,
  type BatonApi,
  type BatonEvent,
  type LiveState,
  type SessionStatus,
  type SessionView,
  type TaskStatus,
  type TaskSummary,
  type TokenUsage,
} from '../contract';
import { errorMessage } from '../errors';
import type { Transport } from '../transport/transport';

/** Stream items kept per session; older ones are dropped so a long, fast stream stays cheap to render. */
export const MAX_STREAM_ITEMS = 2000;
/** Finished tasks listed under "Recent". */
export const MAX_RECENT = 20;
/** Finished tasks whose live data (timeline, streams) is kept for their cards. */
export const MAX_FINISHED_CARDS = 10;

export type StreamEvent = Exclude<AgentEvent, { kind: 'usage' }>;
export interface StreamItem {
  /** Unique within the store; the React key. */
  seq: number;
  event: StreamEvent;
}

export interface LiveSession {
  sessionId: string;
  iteration: number;
  status: SessionStatus;
  /** Running totals while the session runs, then the stored totals. */
  usage: TokenUsage;
  /** Known once the agent reports its result. */
  costUsd: number | null;
  durationMs: number | null;
  error: string | null;
  model: string | null;
  items: StreamItem[];
  droppedItems: number;
}

export interface LiveTask {
  id: string;
  summary: TaskSummary;
  status: TaskStatus;
  statusReason: string | null;
  maxIterations: number;
  /** Ordered by iteration. */
  sessions: LiveSession[];
}

export interface LiveData {
  tasks: Record<string, LiveTask>;
  /** Queued and running tasks, in the order they arrived. */
  activeIds: string[];
  /** Finished tasks, newest first; those still in `tasks` keep their live cards. */
  recent: TaskSummary[];
}

export interface LiveStoreState extends LiveData {
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  syncing: boolean;
  applyEvents(events: readonly BatonEvent[]): void;
  /** Replaces the state with getLiveState (and the recent list), then replays what arrived meanwhile. */
  resync(): Promise<void>;
}

export type LiveStore = StoreApi<LiveStoreState>;

const ACTIVE: readonly TaskStatus[] = ['queued', 'running'];
export const isActiveStatus = (status: TaskStatus): boolean => ACTIVE.includes(status);

const zero = (): TokenUsage => ({ inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0 });

function usageOf(view: SessionView): TokenUsage {
  return {
    inputTokens: view.inputTokens,
    outputTokens: view.outputTokens,
    cacheCreationTokens: view.cacheCreationTokens,
    cacheReadTokens: view.cacheReadTokens,
  };
}

function newSession(sessionId: string, iteration: number): LiveSession {
  return {
    sessionId,
    iteration,
    status: 'running',
    usage: zero(),
    costUsd: null,
    durationMs: null,
    error: null,
    model: null,
    items: [],
    droppedItems: 0,
  };
}

function applySessionView(session: LiveSession, view: SessionView): void {
  session.status = view.status;
  session.model = view.model ?? session.model;
  if (view.status === 'running') return; // A running row holds zeros until its UPDATE; keep the live figures.
  session.usage = usageOf(view);
  session.costUsd = view.costUsd;
  session.durationMs = view.durationMs;
  session.error = view.error;
}

/** Tokens and cost of a task so far: the stored totals plus what its running sessions have reported. */
export function taskCounters(task: LiveTask): { tokens: number; costUsd: number } {
  let tokens = task.summary.totals.totalTokens;
  let costUsd = task.summary.totals.costUsd;
  for (const s of task.sessions) {
    if (s.status !== 'running') continue;
    tokens += sumTokens(s.usage);
    costUsd += s.costUsd ?? 0;
  }
  return { tokens, costUsd };
}

interface ReduceOptions {
  /** Sessions whose stream is already in a snapshot: their buffered stream items would be duplicates. */
  skipStreamFor?: ReadonlySet<string>;
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
  unknownTask = false;
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

  apply(event: BatonEvent): void {
    switch (event.type) {
      case 'task.queued':
        return this.queued(event.task);
      case 'task.started': {
        const task = this.task(event.taskId);
        if (!task) return;
        task.status = 'running';
        task.summary = { ...task.summary, status: 'running' };
        return;
      }
      case 'iteration.started': {
        const task = this.task(event.taskId);
        if (!task) return;
        task.status = 'running';
        task.maxIterations = event.maxIterations;
        this.session(task, event.sessionId, event.iteration, true);
        return;
      }
      case 'agent.event': {
        const task = this.task(event.taskId);
        if (!task) return;
        const session = this.session(task, event.sessionId, event.iteration, true)!;
        this.agentEvent(session, event.event, this.options.skipStreamFor?.has(event.sessionId) ?? false);
        return;
      }
      case 'iteration.finished': {
        const task = this.task(event.taskId);
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

  agentEvent(session: LiveSession, event: AgentEvent, skipStream: boolean): void {
    if (event.kind === 'usage') {
      session.usage = event.usage;
      return;
    }
    if (event.kind === 'result') {
      session.usage = event.result.usage;
      session.costUsd = event.result.costUsd;
      session.durationMs = event.result.durationMs;
    }
    if (event.kind === 'init') session.model = event.model;
    if (skipStream) return;
    const items = this.items(session);
    items.push({ seq: this.nextSeq(), event });
    if (items.length > MAX_STREAM_ITEMS) {
      const excess = items.length - MAX_STREAM_ITEMS;
      items.splice(0, excess);
      session.droppedItems += excess;
    }
  }

  queued(summary: TaskSummary): void {
    const existing = this.task(summary.id, false);
    if (existing) {
      existing.summary = summary;
      return;
    }
    this.tasks[summary.id] = {
      id: summary.id,
      summary,
      status: summary.status,
      statusReason: summary.statusReason,
      maxIterations: summary.spec.maxIterations,
      sessions: [],
    };
    this.copiedTasks.add(summary.id);
    if (isActiveStatus(summary.status)) {
      if (!this.activeIds.includes(summary.id)) this.activeIds.push(summary.id);
    } else {
      this.addRecent(summary);
    }
  }

  finished(taskId: string, summary: TaskSummary, status: TaskStatus, reason: string): void {
    const task = this.task(taskId, false);
    if (task) {
      task.summary = summary;
      task.status = status;
      task.statusReason = reason;
    }
    this.activeIds = this.activeIds.filter((id) => id !== taskId);
    this.addRecent({ ...summary, status, statusReason: reason });
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

  /** The task, copied for writing; notes an unknown id so the store can resync. */
  task(id: string, noteUnknown = true): LiveTask | undefined {
    const task = this.tasks[id];
    if (!task) {
      if (noteUnknown) this.unknownTask = true;
      return undefined;
    }
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

/** The state a snapshot describes, keeping the live data of tasks that already finished here. */
function fromSnapshot(prev: LiveData, live: LiveState, recentTasks: TaskSummary[], nextSeq: () => number): LiveData {
  const tasks: Record<string, LiveTask> = {};
  const activeIds: string[] = [];
  for (const detail of live.tasks) {
    const { sessions, ...summary } = detail;
    const before = prev.tasks[summary.id];
    const task: LiveTask = {
      id: summary.id,
      summary,
      status: summary.status,
      statusReason: summary.statusReason,
      maxIterations: summary.spec.maxIterations,
      sessions: [],
    };
    const draft = new Draft({ tasks: {}, activeIds: [], recent: [] }, nextSeq);
    for (const view of [...sessions].sort((a, b) => a.iteration - b.iteration)) {
      const session = newSession(view.sessionId, view.iteration);
      applySessionView(session, view);
      const events = live.currentEvents[view.sessionId];
      if (events) {
        for (const e of events) draft.agentEvent(session, e, false);
      } else {
        // Finished sessions are not in the snapshot's streams; keep what this window saw of them.
        const seen = before?.sessions.find((s) => s.sessionId === view.sessionId);
        if (seen) {
          session.items = seen.items;
          session.droppedItems = seen.droppedItems;
        }
      }
      task.sessions.push(session);
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

export function createLiveStore(client: Pick<BatonApi, 'getLiveState' | 'listTasks'>): LiveStore {
  let seq = 0;
  const nextSeq = () => ++seq;
  let generation = 0;
  /** Events that arrive while a snapshot is being fetched; null when no fetch is in flight. */
  let buffered: BatonEvent[] | null = null;
  let lastUnknownResync = 0;

  return createStore<LiveStoreState>()((set, get) => {
    const reduce = (data: LiveData, events: readonly BatonEvent[], options?: ReduceOptions) => {
      const draft = new Draft(data, nextSeq, options);
      for (const event of events) draft.apply(event);
      return { data: draft.result(), unknownTask: draft.unknownTask };
    };

    return {
      tasks: {},
      activeIds: [],
      recent: [],
      status: 'idle',
      error: null,
      syncing: false,

      applyEvents(events) {
        if (events.length === 0) return;
        if (buffered) {
          buffered.push(...events);
          return;
        }
        const { data, unknownTask } = reduce(get(), events);
        set(data);
        // Events for a task this window never heard of: it missed something, so fetch the truth (rate-limited).
        if (unknownTask && Date.now() - lastUnknownResync > 2000) {
          lastUnknownResync = Date.now();
          void get().resync();
        }
      },

      async resync() {
        const mine = ++generation;
        buffered = buffered ?? [];
        set((s) => ({ syncing: true, status: s.status === 'ready' ? 'ready' : 'loading' }));
        try {
          const [live, recent] = await Promise.all([
            client.getLiveState({}),
            client.listTasks({ limit: MAX_RECENT, sort: { by: 'createdAt', direction: 'desc' } }),
          ]);
          if (mine !== generation) return;
          const pending = buffered ?? [];
          buffered = null;
          const snapshot = fromSnapshot(get(), live, recent.tasks, nextSeq);
          // Events that came before the answer on the same ordered channel are already in the snapshot:
          // replay them for their idempotent parts (lifecycle, usage) and skip stream items of streamed sessions.
          const { data } = reduce(snapshot, pending, { skipStreamFor: new Set(Object.keys(live.currentEvents)) });
          set({ ...data, status: 'ready', error: null, syncing: false });
        } catch (error) {
          if (mine !== generation) return;
          const pending = buffered ?? [];
          buffered = null;
          const { data } = reduce(get(), pending);
          set((s) => ({
            ...data,
            syncing: false,
            status: s.status === 'ready' ? 'ready' : 'error',
            error: errorMessage(error),
          }));
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
  let pending: BatonEvent[] = [];
  let cancel: (() => void) | null = null;
  const flush = () => {
    cancel = null;
    const batch = pending;
    pending = [];
    store.getState().applyEvents(batch);
  };
  const unsubscribe = transport.subscribe((event) => {
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
