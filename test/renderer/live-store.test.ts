import { describe, expect, it, vi } from 'vitest';
import type { LiveState } from '../../src-main/contract/api';
import type { BatonEvent } from '../../src-main/contract/events';
import {
  connectLiveStore,
  createLiveStore,
  MAX_STREAM_ITEMS,
  taskCounters,
  type LiveStore,
} from '../../src-renderer/stores/live-store';
import { detail, fakeClient, FakeTransport, session, spec, summary } from './fixtures';

const SID = 'aaaaaaaa-0000-4000-8000-000000000001';
const usage = (input: number, output: number, write = 0, read = 0) => ({
  inputTokens: input,
  outputTokens: output,
  cacheCreationTokens: write,
  cacheReadTokens: read,
});

function liveClient(
  state: LiveState = { tasks: [], currentEvents: {}, feed: 'feed', seq: 0, tasksSeq: 0 },
  recent = [summary({ id: 'old', status: 'completed' })],
) {
  return fakeClient({
    getLiveState: async () => state,
    listTasks: async () => ({ tasks: recent, total: recent.length }),
  });
}

async function readyStore(client = liveClient()): Promise<LiveStore> {
  const store = createLiveStore(client);
  await store.getState().resync();
  return store;
}

const queued = summary({ id: 't1', status: 'queued' });
const started: BatonEvent[] = [
  { type: 'task.queued', taskId: 't1', task: queued },
  { type: 'task.started', taskId: 't1' },
  { type: 'iteration.started', taskId: 't1', sessionId: SID, iteration: 1, maxIterations: 3 },
];
const agent = (
  event: Extract<BatonEvent, { type: 'agent.event' }>['event'],
  sessionId = SID,
  iteration = 1,
): BatonEvent => ({
  type: 'agent.event',
  taskId: 't1',
  sessionId,
  iteration,
  event,
});

describe('the live store', () => {
  it('follows a task from queued to finished, with counters and the stream', async () => {
    const store = await readyStore();
    store.getState().applyEvents([started[0]!]);
    expect(store.getState().activeIds).toEqual(['t1']);
    expect(store.getState().tasks['t1']!.status).toBe('queued');

    store.getState().applyEvents(started.slice(1));
    let task = store.getState().tasks['t1']!;
    expect(task.status).toBe('running');
    expect(task.maxIterations).toBe(3);
    expect(task.sessions.map((s) => [s.sessionId, s.iteration, s.status])).toEqual([[SID, 1, 'running']]);

    store.getState().applyEvents([
      agent({ kind: 'text', text: 'Reading the tests' }),
      agent({ kind: 'tool_use', toolUseId: 'tu1', name: 'Bash', input: { command: 'npm test' } }),
      agent({ kind: 'usage', usage: usage(10, 5, 100, 0) }),
      agent({ kind: 'tool_result', toolUseId: 'tu1', content: '1 failing', isError: false }),
      // Usage events are running totals: the latest replaces the previous one.
      agent({ kind: 'usage', usage: usage(20, 40, 100, 300) }),
    ]);
    task = store.getState().tasks['t1']!;
    const s = task.sessions[0]!;
    expect(s.items.map((i) => i.event.kind)).toEqual(['text', 'tool_use', 'tool_result']);
    expect(s.usage).toEqual(usage(20, 40, 100, 300));
    expect(s.costUsd).toBeNull();
    expect(taskCounters(task)).toMatchObject({ tokens: 460, costUsd: 0, estimated: false });

    const finishedSession = session({
      sessionId: SID,
      iteration: 1,
      inputTokens: 20,
      outputTokens: 45,
      cacheCreationTokens: 100,
      cacheReadTokens: 300,
      costUsd: 0.0123,
      durationMs: 4000,
    });
    const afterOne = summary({
      id: 't1',
      status: 'running',
      iterations: 1,
      totals: {
        inputTokens: 20,
        outputTokens: 45,
        cacheCreationTokens: 100,
        cacheReadTokens: 300,
        totalTokens: 465,
        turns: 2,
        costUsd: 0.0123,
      },
    });
    store
      .getState()
      .applyEvents([{ type: 'iteration.finished', taskId: 't1', session: finishedSession, task: afterOne }]);
    task = store.getState().tasks['t1']!;
    expect(task.sessions[0]).toMatchObject({
      status: 'completed',
      costUsd: 0.0123,
      durationMs: 4000,
      usage: usage(20, 45, 100, 300),
    });
    // The finished session is counted once, through the task's stored totals.
    expect(taskCounters(task)).toMatchObject({ tokens: 465, costUsd: 0.0123, estimated: false });

    const done = {
      ...afterOne,
      status: 'completed' as const,
      statusReason: 'agent reported the task complete',
      finishedAt: 1_700_000_010_000,
    };
    store.getState().applyEvents([
      {
        type: 'task.finished',
        taskId: 't1',
        status: 'completed',
        reason: 'agent reported the task complete',
        task: done,
      },
    ]);
    const state = store.getState();
    expect(state.activeIds).toEqual([]);
    expect(state.recent.map((t) => t.id)).toEqual(['t1', 'old']);
    // The finished task keeps its card data (timeline and stream) for the Recent list.
    expect(state.tasks['t1']!.status).toBe('completed');
    expect(state.tasks['t1']!.sessions[0]!.items).toHaveLength(3);
  });

  it('adds a running session’s live usage and cost to the task counters', async () => {
    const store = await readyStore();
    const withOne = summary({
      id: 't1',
      status: 'running',
      totals: {
        inputTokens: 1,
        outputTokens: 2,
        cacheCreationTokens: 3,
        cacheReadTokens: 4,
        totalTokens: 10,
        turns: 1,
        costUsd: 0.5,
      },
    });
    store.getState().applyEvents([
      { type: 'task.queued', taskId: 't1', task: withOne },
      { type: 'iteration.started', taskId: 't1', sessionId: 's2', iteration: 2, maxIterations: 3 },
      agent({ kind: 'usage', usage: usage(100, 0) }, 's2', 2),
      agent(
        {
          kind: 'result',
          result: {
            isError: false,
            subtype: 'success',
            apiErrorStatus: null,
            resultText: 'ok',
            turns: 1,
            costUsd: 0.25,
            durationMs: 900,
            apiDurationMs: 800,
            usage: usage(100, 20),
            permissionDenials: 2,
          },
        },
        's2',
        2,
      ),
    ]);
    const task = store.getState().tasks['t1']!;
    expect(task.sessions[0]!.costUsd).toBe(0.25);
    expect(task.sessions[0]!.permissionDenials).toBe(2);
    expect(taskCounters(task)).toMatchObject({ tokens: 130, costUsd: 0.75, estimated: false });
  });

  it('keeps at most MAX_STREAM_ITEMS per session, dropping the oldest', async () => {
    const store = await readyStore();
    store.getState().applyEvents(started);
    const texts: BatonEvent[] = [];
    for (let i = 0; i < MAX_STREAM_ITEMS + 250; i++) texts.push(agent({ kind: 'text', text: `line ${i}` }));
    // Applied in two batches, as frames would.
    store.getState().applyEvents(texts.slice(0, 1000));
    store.getState().applyEvents(texts.slice(1000));
    const s = store.getState().tasks['t1']!.sessions[0]!;
    expect(s.items).toHaveLength(MAX_STREAM_ITEMS);
    expect(s.droppedItems).toBe(250);
    expect(s.items[0]!.event).toEqual({ kind: 'text', text: 'line 250' });
    expect(s.items.at(-1)!.event).toEqual({ kind: 'text', text: `line ${MAX_STREAM_ITEMS + 249}` });
    expect(new Set(s.items.map((i) => i.seq)).size).toBe(MAX_STREAM_ITEMS);
  });

  // How fast it applies them is the bench's matter (live event-to-screen latency at 1000 events/s).
  it('keeps the newest MAX_STREAM_ITEMS of a 1000-events-per-second stream for 20 s, in order', async () => {
    const store = await readyStore();
    store.getState().applyEvents(started);
    // 20,000 events in 60-per-second batches, as connectLiveStore would deliver them.
    for (let frame = 0; frame < 1200; frame++) {
      const batch: BatonEvent[] = [];
      for (let i = 0; i < 17; i++) batch.push(agent({ kind: 'text', text: `chunk ${frame * 17 + i}` }));
      store.getState().applyEvents(batch);
    }
    const items = store.getState().tasks['t1']!.sessions[0]!.items;
    expect(items).toHaveLength(MAX_STREAM_ITEMS);
    const last = 1200 * 17 - 1;
    expect(items.map((item) => item.event)).toEqual(
      Array.from({ length: MAX_STREAM_ITEMS }, (_, i) => ({
        kind: 'text',
        text: `chunk ${last - MAX_STREAM_ITEMS + 1 + i}`,
      })),
    );
  });

  it('does not mutate earlier states (React sees every change)', async () => {
    const store = await readyStore();
    store.getState().applyEvents(started);
    const before = store.getState().tasks['t1']!;
    const beforeItems = before.sessions[0]!.items;
    store.getState().applyEvents([agent({ kind: 'text', text: 'hi' })]);
    const after = store.getState().tasks['t1']!;
    expect(after).not.toBe(before);
    expect(beforeItems).toHaveLength(0);
    expect(after.sessions[0]!.items).toHaveLength(1);
  });

  it('resync replaces the state with getLiveState, including the streams so far', async () => {
    const client = liveClient();
    const store = createLiveStore(client);
    expect(store.getState().status).toBe('idle');
    const loading = store.getState().resync();
    expect(store.getState().status).toBe('loading');
    await loading;
    store.getState().applyEvents(started);
    store.getState().applyEvents([agent({ kind: 'text', text: 'stale' })]);

    const running = detail({
      id: 't9',
      status: 'running',
      spec: spec({ maxIterations: 8 }),
      sessions: [
        session({ sessionId: 's1', iteration: 1, status: 'completed' }),
        session({
          sessionId: 's2',
          iteration: 2,
          status: 'running',
          inputTokens: 0,
          outputTokens: 0,
          cacheCreationTokens: 0,
          cacheReadTokens: 0,
          costUsd: 0,
        }),
      ],
    });
    client.getLiveState.mockResolvedValueOnce({
      tasks: [running],
      currentEvents: {
        s2: [
          { kind: 'text', text: 'working' },
          { kind: 'usage', usage: usage(7, 3) },
        ],
      },
    });
    await store.getState().resync();

    const state = store.getState();
    expect(state.status).toBe('ready');
    expect(state.activeIds).toEqual(['t9']);
    expect(state.tasks['t1']).toBeUndefined();
    const t9 = state.tasks['t9']!;
    expect(t9.maxIterations).toBe(8);
    expect(t9.sessions.map((s) => [s.sessionId, s.status])).toEqual([
      ['s1', 'completed'],
      ['s2', 'running'],
    ]);
    expect(t9.sessions[0]!.costUsd).toBe(0.0123);
    expect(t9.sessions[1]!.usage).toEqual(usage(7, 3));
    expect(t9.sessions[1]!.items.map((i) => i.event)).toEqual([{ kind: 'text', text: 'working' }]);
    expect(state.recent.map((t) => t.id)).toEqual(['old']);
  });

  it("applies, of the events that arrive during a resync, exactly those after the snapshot's seq", async () => {
    let answer!: (s: LiveState) => void;
    const client = liveClient();
    const store = await readyStore(client);
    client.getLiveState.mockImplementationOnce(() => new Promise<LiveState>((resolve) => (answer = resolve)));
    const syncing = store.getState().resync();
    await Promise.resolve();

    // Out of order, and one twice: the seq alone says what the snapshot holds and in which order the rest goes.
    store.getState().receive([
      { seq: 3, event: agent({ kind: 'text', text: 'after' }) },
      { seq: 1, event: agent({ kind: 'text', text: 'in the snapshot' }) },
      { seq: 2, event: agent({ kind: 'usage', usage: usage(50, 5) }) },
      { seq: 3, event: agent({ kind: 'text', text: 'after' }) },
    ]);
    expect(store.getState().tasks['t1']).toBeUndefined();
    answer({
      tasks: [detail({ id: 't1', status: 'running', sessions: [session({ sessionId: SID, status: 'running' })] })],
      currentEvents: {
        [SID]: [
          { kind: 'text', text: 'in the snapshot' },
          { kind: 'usage', usage: usage(50, 5) },
        ],
      },
      feed: 'feed',
      seq: 2,
      tasksSeq: 2,
    });
    await syncing;
    const s = store.getState().tasks['t1']!.sessions[0]!;
    expect(s.items.map((i) => i.event)).toEqual([
      { kind: 'text', text: 'in the snapshot' },
      { kind: 'text', text: 'after' },
    ]);
    expect(s.usage).toEqual(usage(50, 5));
    expect(store.getState().seq).toBe(3);

    // Delivered again (a repeat on the way): dropped.
    store.getState().receive([{ seq: 3, event: agent({ kind: 'text', text: 'after' }) }]);
    store.getState().receive([{ seq: 4, event: agent({ kind: 'text', text: 'later' }) }]);
    expect(store.getState().tasks['t1']!.sessions[0]!.items).toHaveLength(3);
  });

  it("applies again what of the events in the task rows' window is not a stream (a task that ended)", async () => {
    let answer!: (s: LiveState) => void;
    const client = liveClient();
    const store = await readyStore(client);
    client.getLiveState.mockImplementationOnce(() => new Promise<LiveState>((resolve) => (answer = resolve)));
    const syncing = store.getState().resync();
    await Promise.resolve();
    const done = summary({ id: 't1', status: 'completed' });
    store.getState().receive([
      { seq: 5, event: agent({ kind: 'text', text: 'last words' }) },
      { seq: 6, event: { type: 'task.finished', taskId: 't1', status: 'completed', reason: 'done', task: done } },
    ]);
    // The rows were read before the task ended (seq 4), the streams after (seq 6).
    answer({
      tasks: [detail({ id: 't1', status: 'running', sessions: [session({ sessionId: SID, status: 'running' })] })],
      currentEvents: { [SID]: [{ kind: 'text', text: 'last words' }] },
      feed: 'feed',
      seq: 6,
      tasksSeq: 4,
    });
    await syncing;
    const t1 = store.getState().tasks['t1']!;
    expect(t1.status).toBe('completed');
    expect(store.getState().activeIds).toEqual([]);
    expect(t1.sessions[0]!.items.map((i) => i.event)).toEqual([{ kind: 'text', text: 'last words' }]);
  });

  it('after a lost connection, applies what it missed from the feed, and takes a snapshot when that is too old', async () => {
    const client = liveClient();
    const store = await readyStore(client);
    store.getState().receive(started.map((event, i) => ({ seq: i + 1, event })));
    expect(store.getState().seq).toBe(3);

    client.getEventsSince.mockResolvedValueOnce({
      events: [4, 5].map((seq) => ({ seq, event: agent({ kind: 'text', text: `missed ${seq}` }) })),
    });
    const catching = store.getState().catchUp();
    // The new connection's first event, before the answer: it waits for the gap to close.
    store.getState().receive([{ seq: 6, event: agent({ kind: 'text', text: 'new 6' }) }]);
    await catching;
    expect(client.getEventsSince).toHaveBeenLastCalledWith({ feed: 'feed', seq: 3 });
    expect(store.getState().tasks['t1']!.sessions[0]!.items.map((i) => i.event)).toEqual([
      { kind: 'text', text: 'missed 4' },
      { kind: 'text', text: 'missed 5' },
      { kind: 'text', text: 'new 6' },
    ]);
    expect(client.getLiveState).toHaveBeenCalledTimes(1);

    client.getEventsSince.mockResolvedValueOnce({ tooOld: true });
    await store.getState().catchUp();
    expect(client.getLiveState).toHaveBeenCalledTimes(2);
    expect(store.getState()).toMatchObject({ status: 'ready', seq: 0, syncing: false });
  });

  it('counts events about no task in the order, so they leave no gap', async () => {
    const client = liveClient();
    const store = await readyStore(client);
    store
      .getState()
      .receive([
        ...started.map((event, i) => ({ seq: i + 1, event })),
        { seq: 4, event: { type: 'usage.imported', messages: 3, corrected: 0 } },
        { seq: 5, event: { type: 'task.stop_requested', taskId: 't1' } },
        { seq: 6, event: agent({ kind: 'text', text: 'on' }) },
      ]);
    expect(store.getState().seq).toBe(6);
    expect(store.getState().tasks['t1']!.sessions[0]!.items).toHaveLength(1);
    expect(client.getEventsSince).not.toHaveBeenCalled();
  });

  it('takes a new snapshot when its service says it missed other processes’ events', async () => {
    const finished = summary({ id: 't1', status: 'completed' });
    const client = liveClient();
    const store = await readyStore(client);
    store.getState().receive(started.map((event, i) => ({ seq: i + 1, event })));
    expect(store.getState().activeIds).toEqual(['t1']);
    // Meanwhile the task ended in another process, in events the service's tail never read.
    client.getLiveState.mockResolvedValueOnce({ tasks: [], currentEvents: {}, feed: 'feed', seq: 4, tasksSeq: 4 });
    client.listTasks.mockResolvedValueOnce({ tasks: [finished], total: 1 });
    store.getState().receive([{ seq: 4, event: { type: 'live.resync' } }]);
    await vi.waitFor(() => expect(client.getLiveState).toHaveBeenCalledTimes(2));
    await vi.waitFor(() => expect(store.getState().syncing).toBe(false));
    expect(store.getState().activeIds).toEqual([]);
    expect(store.getState().recent.map((task) => task.id)).toContain('t1');
    expect(client.getEventsSince).not.toHaveBeenCalled();
  });

  it('fetches what a gap in the seqs left out before applying what came after it', async () => {
    const client = liveClient();
    const store = await readyStore(client);
    store.getState().receive(started.map((event, i) => ({ seq: i + 1, event })));
    client.getEventsSince.mockResolvedValueOnce({
      events: [{ seq: 4, event: agent({ kind: 'text', text: 'lost on the way' }) }],
    });
    store.getState().receive([{ seq: 5, event: agent({ kind: 'text', text: 'after the gap' }) }]);
    await vi.waitFor(() => expect(store.getState().seq).toBe(5));
    expect(store.getState().tasks['t1']!.sessions[0]!.items.map((i) => i.event)).toEqual([
      { kind: 'text', text: 'lost on the way' },
      { kind: 'text', text: 'after the gap' },
    ]);
  });

  it('shows a failed first load as an error, and keeps data when a later resync fails', async () => {
    const client = liveClient();
    client.getLiveState.mockRejectedValueOnce(new Error('database is locked'));
    const store = createLiveStore(client);
    await store.getState().resync();
    expect(store.getState()).toMatchObject({ status: 'error', error: 'database is locked' });

    await store.getState().resync();
    store.getState().applyEvents(started);
    client.getLiveState.mockRejectedValueOnce(new Error('gone'));
    await store.getState().resync();
    expect(store.getState()).toMatchObject({ status: 'ready', error: 'gone', activeIds: ['t1'] });
  });
});

describe('connectLiveStore', () => {
  it('loads a snapshot, batches events into one update per frame, and resyncs after a reconnect', async () => {
    const client = liveClient();
    const transport = new FakeTransport(async () => null);
    const store = createLiveStore(client);
    const frames: (() => void)[] = [];
    const disconnect = connectLiveStore(store, transport, (flush) => {
      frames.push(flush);
      return () => frames.splice(frames.indexOf(flush), 1);
    });
    await vi.waitFor(() => expect(store.getState().status).toBe('ready'));
    expect(client.getLiveState).toHaveBeenCalledTimes(1);

    const updates = vi.fn();
    store.subscribe(updates);
    for (const e of started) transport.emit(e);
    for (let i = 0; i < 100; i++) transport.emit(agent({ kind: 'text', text: `t${i}` }));
    expect(updates).not.toHaveBeenCalled();
    expect(frames).toHaveLength(1);
    frames.shift()!();
    expect(updates).toHaveBeenCalledTimes(1);
    expect(store.getState().tasks['t1']!.sessions[0]!.items).toHaveLength(100);

    // A reconnect catches up from the last seq rather than taking a new snapshot.
    client.getEventsSince.mockResolvedValueOnce({ events: [] });
    transport.resync();
    await vi.waitFor(() => expect(client.getEventsSince).toHaveBeenCalledWith({ feed: 'feed', seq: 103 }));
    expect(client.getLiveState).toHaveBeenCalledTimes(1);
    disconnect();
    transport.emit(started[0]!);
    expect(frames).toHaveLength(0);
  });
});
