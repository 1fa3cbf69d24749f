/**
 * The live view's store. Every event a window receives carries the seq its service numbered it by; a
 * snapshot (getLiveState) says the seq its streams are valid at. So the store applies exactly the events
 * after what it holds, in order, and drops the rest: after a snapshot, those up to its seq; after a lost
 * connection, it asks for the events after its last seq (getEventsSince), and takes a new snapshot only when
 * the service no longer has them all.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { isTaskEvent, type BatonApi, type BatonEvent, type SequencedEvent, type TaskEvent } from '../contract';
import { errorMessage } from '../errors';
import type { Transport } from '../transport/transport';
import { MAX_RECENT, MAX_WITHDRAWN, type LiveData, type WithdrawnLaunch } from './live-model';
import { dismissTask, fromSnapshot, insertTask, reduceEvents, type ReduceOptions } from './live-reduce';

export * from './live-model';
export { MAX_STREAM_ITEMS } from './stream';
export type { StreamEvent, StreamItem } from './stream';

/** How long the events of a task getTask could not load are dropped before it is tried again. */
const RETRY_LOAD_AFTER_MS = 30_000;

export interface LiveStoreState extends LiveData {
  /** Newest first. */
  withdrawn: WithdrawnLaunch[];
  dismissWithdrawn(taskId: string): void;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  syncing: boolean;
  /** The service's process, from the last snapshot: a task another process runs can be stopped only there. */
  servicePid: number | null;
  /** The service's numbering (from the last snapshot), and the seq of the last event this state holds. */
  feed: string | null;
  seq: number;
  /** Applies events delivered with their seq: those this state holds already are dropped, the rest applied in order. */
  receive(delivered: readonly SequencedEvent[]): void;
  /** Applies events about tasks as they are, outside the numbering (others, an import of usage, pass by). */
  applyEvents(events: readonly BatonEvent[]): void;
  /** Replaces the state with getLiveState (and the recent list), then applies what arrived after its seq. */
  resync(): Promise<void>;
  /** After a lost connection: applies what was missed, from the service's feed, or takes a snapshot. */
  catchUp(): Promise<void>;
  /** Drops a finished task's card (its row stays under Recent). */
  dismiss(taskId: string): void;
}

export type LiveStore = StoreApi<LiveStoreState>;

/**
 * Every numbered event counts for the order, the ones about no task too (an import of usage): they take a seq
 * like the others, and skipping them would look like a gap.
 */
type Sequenced = SequencedEvent;

/** In seq order, each seq once. */
function ordered(events: readonly Sequenced[]): Sequenced[] {
  const bySeq = new Map<number, Sequenced>();
  for (const e of events) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

const taskEvents = (events: readonly Sequenced[]): TaskEvent[] =>
  events.flatMap(({ event }) => (isTaskEvent(event) ? [event] : []));

export function createLiveStore(
  client: Pick<BatonApi, 'getLiveState' | 'listTasks' | 'getTask' | 'getEventsSince'>,
): LiveStore {
  let itemSeq = 0;
  const nextItemSeq = () => ++itemSeq;
  let generation = 0;
  /** Events that arrive while a snapshot or a catch-up is under way; null when none is. */
  let buffered: Sequenced[] | null = null;
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
      const reduced = reduceEvents(data, events, nextItemSeq, {
        loading: new Set(loading.keys()),
        unloadable,
        ...options,
      });
      const fresh = reduced.withdrawn.reverse();
      const before = get().withdrawn;
      // The same list when nothing was taken back, so the views that show it do not render again.
      const withdrawn =
        fresh.length === 0
          ? before
          : [...fresh, ...before.filter((w) => !fresh.some((n) => n.taskId === w.taskId))].slice(0, MAX_WITHDRAWN);
      return { data: { ...reduced.data, withdrawn }, held: reduced.held };
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

    /** Applies events and, when they are numbered, moves the state's seq to the last. */
    const apply = (events: readonly TaskEvent[], seq?: number) => {
      const { data, held } = reduce(get(), events);
      set(seq === undefined ? data : { ...data, seq });
      holdUnknown(held);
    };

    const load = async (taskId: string) => {
      const mine = loading.get(taskId);
      let detail: TaskDetailOrNull;
      try {
        detail = await client.getTask({ taskId });
      } catch {
        detail = null;
      }
      if (loading.get(taskId) !== mine || !mine) return; // A snapshot took these events over.
      loading.delete(taskId);
      if (buffered) {
        // A snapshot or catch-up is under way: the held events are applied with what it brings.
        loading.set(taskId, mine);
        return;
      }
      let base: LiveData = get();
      if (detail) base = insertTask(base, detail, nextItemSeq);
      else failedLoads.set(taskId, Date.now());
      const { data, held } = reduce(base, mine);
      set(data);
      holdUnknown(held);
    };

    /** Applies the events after the state's seq, in order, up to the first gap; returns those after the gap. */
    const applyInOrder = (events: readonly Sequenced[]): Sequenced[] => {
      let seq = get().seq;
      const next: TaskEvent[] = [];
      const sorted = ordered(events);
      let stale = false;
      for (const e of sorted) {
        if (e.seq <= seq) continue;
        if (e.seq !== seq + 1) break;
        seq = e.seq;
        if (isTaskEvent(e.event)) next.push(e.event);
        else if (e.event.type === 'live.resync') stale = true;
      }
      if (seq !== get().seq) apply(next, seq);
      // The service missed other processes' events: what this holds may be stale.
      if (stale) void get().resync();
      return sorted.filter((e) => e.seq > seq);
    };

    /** Applies what it can; a gap is an event lost on the way: fetch what is missing, keeping what came after. */
    const applyOrCatchUp = (events: readonly Sequenced[]) => {
      const after = applyInOrder(events);
      if (after.length === 0) return;
      buffered = after;
      void get().catchUp();
    };

    /** Ends a snapshot or catch-up that failed: what arrived meanwhile is applied as far as it goes on. */
    const giveUp = (error: unknown) => {
      const pending = buffered ?? [];
      buffered = null;
      set((s) => ({ syncing: false, status: s.status === 'ready' ? 'ready' : 'error', error: errorMessage(error) }));
      // Events past a gap are dropped: the next catch-up asks for them again by seq.
      if (get().feed === null) apply(taskEvents(pending));
      else applyInOrder(pending);
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
      feed: null,
      seq: 0,

      dismissWithdrawn(taskId) {
        set({ withdrawn: get().withdrawn.filter((w) => w.taskId !== taskId) });
      },

      receive(delivered) {
        if (delivered.length === 0) return;
        if (buffered) {
          buffered.push(...delivered);
          return;
        }
        if (get().feed === null) return apply(taskEvents(delivered));
        applyOrCatchUp(delivered);
      },

      applyEvents(all) {
        const events = all.filter(isTaskEvent);
        if (events.length > 0) apply(events);
      },

      dismiss(taskId) {
        set(dismissTask(get(), taskId));
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
          const arrived = ordered(buffered ?? []);
          buffered = null;
          // Held events of tasks still loading came before the snapshot was asked for.
          const held = [...loading.values()].flat();
          loading.clear();
          const snapshot = fromSnapshot(get(), live, recent.tasks, nextItemSeq);
          // Events after the task rows began to be read and up to the snapshot's seq may or may not show in
          // those rows: applied again but for the streams the snapshot holds (lifecycle and totals repeat
          // harmlessly).
          const inBetween = taskEvents(arrived.filter((e) => e.seq > live.tasksSeq && e.seq <= live.seq));
          const first = reduce(snapshot, [...held, ...inBetween], {
            skipStreamFor: new Set(Object.keys(live.currentEvents)),
          });
          set({
            ...first.data,
            feed: live.feed,
            seq: live.seq,
            servicePid: live.servicePid ?? null,
            status: 'ready',
            error: null,
            syncing: false,
          });
          holdUnknown(first.held);
          // Events after the snapshot's seq are new to it: applied whole, in order.
          applyOrCatchUp(arrived);
        } catch (error) {
          if (mine === generation) giveUp(error);
        }
      },

      async catchUp() {
        const { feed, seq } = get();
        if (feed === null) return get().resync();
        const mine = ++generation;
        buffered = buffered ?? [];
        set({ syncing: true });
        try {
          const since = await client.getEventsSince({ feed, seq });
          if (mine !== generation) return;
          if ('tooOld' in since) return await get().resync();
          const arrived = [...since.events, ...(buffered ?? [])];
          buffered = null;
          set({ syncing: false, error: null });
          // Loads that ended meanwhile left their events held: those tasks are loaded again, events first.
          const held = new Map(loading);
          loading.clear();
          holdUnknown(held);
          // The feed answers every seq it has; a gap left means something else went wrong: start afresh.
          const after = applyInOrder(arrived);
          if (after.length > 0) {
            buffered = after;
            void get().resync();
          }
        } catch {
          // The service could not say (an older one, or the connection went again): a snapshot settles it.
          if (mine === generation) await get().resync();
        }
      },
    };
  });
}

type TaskDetailOrNull = Awaited<ReturnType<BatonApi['getTask']>> | null;

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
 * frame), catches up after a reconnect, and loads the first snapshot.
 */
export function connectLiveStore(
  store: LiveStore,
  transport: Pick<Transport, 'subscribe' | 'onResync'>,
  schedule: (flush: () => void) => () => void = frameScheduler,
): () => void {
  let pending: SequencedEvent[] = [];
  let cancel: (() => void) | null = null;
  const flush = () => {
    cancel = null;
    const batch = pending;
    pending = [];
    store.getState().receive(batch);
  };
  const unsubscribe = transport.subscribe((event, seq) => {
    // Events about no task (an import of usage) are for the usage store; here they only keep the count.
    pending.push({ seq, event });
    cancel ??= schedule(flush);
  });
  const unresync = transport.onResync(() => {
    cancel?.();
    flush();
    void store.getState().catchUp();
  });
  void store.getState().resync();
  return () => {
    unsubscribe();
    unresync();
    cancel?.();
  };
}
