import { describe, expect, it, vi } from 'vitest';
import type { AgentEvent } from '../../src-main/contract/agent-events';
import type { BatonEvent } from '../../src-main/contract/events';
import {
  createLiveStore,
  liveTotals,
  MAX_RECENT,
  progressOf,
  taskCounters,
  taskPermissionDenials,
  type LiveSession,
  type LiveStore,
} from '../../src-renderer/stores/live-store';
import { addStreamEvent, buildStream, pendingApiRetry, type StreamState } from '../../src-renderer/stores/stream';
import { detail, fakeClient, session, summary } from './fixtures';

const SID = 'aaaaaaaa-0000-4000-8000-000000000001';
const SID2 = 'bbbbbbbb-0000-4000-8000-000000000002';
const usage = (input: number, output: number) => ({
  inputTokens: input,
  outputTokens: output,
  cacheCreationTokens: 0,
  cacheReadTokens: 0,
});
const agent = (event: AgentEvent, sessionId = SID, taskId = 't1', iteration = 1): BatonEvent => ({
  type: 'agent.event',
  taskId,
  sessionId,
  iteration,
  event,
});
const result = (costUsd: number, over: Partial<Extract<AgentEvent, { kind: 'result' }>['result']> = {}) =>
  ({
    kind: 'result',
    result: {
      isError: false,
      subtype: 'success',
      apiErrorStatus: null,
      resultText: 'ok',
      turns: 1,
      costUsd,
      durationMs: 900,
      apiDurationMs: 800,
      usage: usage(100, 20),
      permissionDenials: 0,
      ...over,
    },
  }) as const;

function client(overrides: Parameters<typeof fakeClient>[0] = {}) {
  return fakeClient({
    getLiveState: async () => ({ tasks: [], currentEvents: {}, feed: 'feed', seq: 0, tasksSeq: 0 }),
    listTasks: async () => ({ tasks: [], total: 0 }),
    ...overrides,
  });
}

async function ready(c = client()): Promise<LiveStore> {
  const store = createLiveStore(c);
  await store.getState().resync();
  return store;
}

const started: BatonEvent[] = [
  { type: 'task.queued', taskId: 't1', task: summary({ id: 't1' }) },
  { type: 'task.started', taskId: 't1' },
  { type: 'iteration.started', taskId: 't1', sessionId: SID, iteration: 1, maxIterations: 3 },
];

const retrying = (attempt: number, error: string): BatonEvent => ({
  type: 'iteration.retrying',
  taskId: 't1',
  iteration: 1,
  attempt,
  previousSessionId: SID,
  sessionId: SID2,
  error,
});

const texts = (s: LiveSession | undefined) =>
  s!.items.map((i) => (i.event.kind === 'text' ? [i.event.text, i.event.partial ?? false] : i.event.kind));

describe('text deltas', () => {
  const fresh = (): StreamState => ({ items: [], droppedItems: 0, openText: null });
  let seq = 0;
  const next = () => ++seq;

  it('grow one text block as they come, which the whole text then replaces', () => {
    const state = fresh();
    addStreamEvent(state, { kind: 'text_delta', text: 'Look' }, next);
    addStreamEvent(state, { kind: 'text_delta', text: 'ing at ' }, next);
    const growing = state.items[0];
    addStreamEvent(state, { kind: 'text_delta', text: 'the tests' }, next);
    expect(state.items).toHaveLength(1);
    expect(state.items[0]!.event).toEqual({ kind: 'text', text: 'Looking at the tests', partial: true });
    // Replaced, not changed in place: a memoised view of the item re-renders.
    expect(state.items[0]).not.toBe(growing);
    addStreamEvent(state, { kind: 'text', text: 'Looking at the tests.' }, next);
    expect(state.items.map((i) => i.event)).toEqual([{ kind: 'text', text: 'Looking at the tests.' }]);
    expect(state.openText).toBeNull();
  });

  it('start a new block after a tool call, and a text without deltas is its own block', () => {
    const items = buildStream([
      { kind: 'text_delta', text: 'One' },
      { kind: 'text', text: 'One.' },
      { kind: 'tool_use', toolUseId: 'a', name: 'Bash', input: { command: 'ls' } },
      { kind: 'text_delta', text: 'Tw' },
      { kind: 'text_delta', text: 'o' },
      { kind: 'usage', usage: usage(1, 1) },
      { kind: 'text', text: 'Two.' },
      { kind: 'text', text: 'Three.' },
      { kind: 'text_delta', text: 'Four, still being writ' },
    ]);
    expect(items.map((i) => i.event)).toEqual([
      { kind: 'text', text: 'One.' },
      { kind: 'tool_use', toolUseId: 'a', name: 'Bash', input: { command: 'ls' } },
      { kind: 'text', text: 'Two.' },
      { kind: 'text', text: 'Three.' },
      { kind: 'text', text: 'Four, still being writ', partial: true },
    ]);
  });

  it('accumulate in the live store, across batches, and the final text replaces them', async () => {
    const store = await ready();
    store.getState().applyEvents(started);
    store
      .getState()
      .applyEvents([agent({ kind: 'text_delta', text: 'Hel' }), agent({ kind: 'text_delta', text: 'lo' })]);
    const s = () => store.getState().tasks['t1']!.sessions[0];
    expect(texts(s())).toEqual([['Hello', true]]);
    store.getState().applyEvents([agent({ kind: 'text_delta', text: ' there' })]);
    expect(texts(s())).toEqual([['Hello there', true]]);
    store.getState().applyEvents([agent({ kind: 'text', text: 'Hello there!' })]);
    expect(texts(s())).toEqual([['Hello there!', false]]);
  });

  it('know the API retry a session waits on', () => {
    const items = buildStream([
      { kind: 'text', text: 'x' },
      { kind: 'retry', attempt: 1, maxRetries: 10, delayMs: 500, errorStatus: null, error: 'timeout' },
    ]);
    expect(pendingApiRetry(items)?.event.kind).toBe('retry');
    expect(pendingApiRetry(buildStream([{ kind: 'text', text: 'x' }]))).toBeNull();
  });

  it('show the agent retrying one failure as its latest try, and another failure on its own', () => {
    const retry = (attempt: number, error = 'stream disconnected', errorStatus: number | null = null) =>
      ({ kind: 'retry', attempt, maxRetries: 5, delayMs: 0, errorStatus, error }) as const;
    const items = buildStream([
      { kind: 'text', text: 'x' },
      retry(1),
      retry(2),
      retry(3),
      retry(4, 'overloaded', 529),
      retry(5, 'overloaded', 529),
      { kind: 'text', text: 'y' },
      retry(1),
    ]);
    expect(items.map((i) => (i.event.kind === 'retry' ? `${i.event.error} ${i.event.attempt}` : i.event.kind))).toEqual(
      ['text', 'stream disconnected 3', 'overloaded 5', 'text', 'stream disconnected 1'],
    );
    // The one waited on is the latest try, with its own time to count down from.
    const state: StreamState = { items: [], droppedItems: 0, openText: null };
    addStreamEvent(state, retry(1), next, 1000);
    addStreamEvent(state, retry(2), next, 5000);
    expect(state.items).toHaveLength(1);
    expect(pendingApiRetry(state.items)).toMatchObject({ at: 5000, event: { attempt: 2 } });
  });
});

describe('the streams the store hands out', () => {
  it('are frozen, new items deeply, batch after batch and through a retry', async () => {
    const store = await ready();
    store.getState().applyEvents(started);
    const tool = (id: string): AgentEvent => ({
      kind: 'tool_use',
      toolUseId: id,
      name: 'Bash',
      input: { command: 'npm test', env: { CI: '1' } },
    });
    store.getState().applyEvents([agent({ kind: 'text', text: 'first' }), agent(tool('a'))]);
    const first = store.getState().tasks['t1']!.sessions[0]!.items;
    store.getState().applyEvents([agent({ kind: 'text_delta', text: 'part' }), agent(tool('b'))]);
    store.getState().applyEvents([retrying(1, 'overloaded'), agent(tool('c'), SID2)]);
    const items = store.getState().tasks['t1']!.sessions[0]!.items;
    expect(items.map((i) => i.event.kind)).toEqual([
      'text',
      'tool_use',
      'text',
      'tool_use',
      'attempt_failed',
      'tool_use',
    ]);
    // The items of an earlier batch are the same objects.
    expect(items.slice(0, 2)).toEqual(first);
    expect(items[0]).toBe(first[0]);
    expect(Object.isFrozen(items)).toBe(true);
    for (const item of items) {
      expect(Object.isFrozen(item)).toBe(true);
      expect(Object.isFrozen(item.event)).toBe(true);
    }
    const inputs = items.flatMap((i) => (i.event.kind === 'tool_use' ? [i.event.input as { env: object }] : []));
    expect(inputs).toHaveLength(3);
    for (const input of inputs) expect(Object.isFrozen(input.env)).toBe(true);
  });
});

describe('live counters', () => {
  it('rise with the latest usage and its estimate, labelled an estimate until the result', async () => {
    const store = await ready();
    store.getState().applyEvents(started);
    store
      .getState()
      .applyEvents([
        agent({ kind: 'usage', usage: usage(100, 10), estimatedCostUsd: 0.01 }),
        agent({ kind: 'usage', usage: usage(300, 40), estimatedCostUsd: 0.1 + 0.2 }),
      ]);
    let task = store.getState().tasks['t1']!;
    // No float noise: 0.1 + 0.2 is shown and kept as 0.3.
    expect(taskCounters(task)).toMatchObject({ tokens: 340, costUsd: 0.3, estimated: true });
    expect(task.sessions[0]!.estimatedCostUsd).toBe(0.3);

    store.getState().applyEvents([agent(result(0.25))]);
    task = store.getState().tasks['t1']!;
    expect(taskCounters(task)).toMatchObject({ tokens: 120, costUsd: 0.25, estimated: false });
  });

  it('come from the stored session once the iteration finished', async () => {
    const store = await ready();
    store.getState().applyEvents(started);
    store.getState().applyEvents([agent({ kind: 'usage', usage: usage(300, 40), estimatedCostUsd: 0.3 })]);
    const stored = session({
      sessionId: SID,
      inputTokens: 310,
      outputTokens: 45,
      cacheCreationTokens: 0,
      cacheReadTokens: 0,
      costUsd: 0.29,
      permissionDenials: 3,
    });
    const totals = {
      inputTokens: 310,
      outputTokens: 45,
      cacheCreationTokens: 0,
      cacheReadTokens: 0,
      totalTokens: 355,
      turns: 2,
      costUsd: 0.29,
    };
    store
      .getState()
      .applyEvents([
        { type: 'iteration.finished', taskId: 't1', session: stored, task: summary({ id: 't1', totals }) },
      ]);
    const task = store.getState().tasks['t1']!;
    expect(task.sessions[0]).toMatchObject({ costUsd: 0.29, estimatedCostUsd: null, permissionDenials: 3 });
    expect(taskCounters(task)).toMatchObject({ tokens: 355, costUsd: 0.29, estimated: false });
    expect(taskPermissionDenials(task)).toBe(3);
  });

  it('add the running sessions to the stored totals for the task page', () => {
    const totals = {
      inputTokens: 10,
      outputTokens: 5,
      cacheCreationTokens: 0,
      cacheReadTokens: 0,
      totalTokens: 15,
      turns: 1,
      costUsd: 0.1,
    };
    const running = { status: 'running', usage: usage(20, 2), costUsd: null, estimatedCostUsd: 0.2 } as LiveSession;
    const finished = { status: 'completed', usage: usage(10, 5), costUsd: 0.1 } as LiveSession;
    expect(liveTotals(totals, [finished, running])).toEqual({
      ...totals,
      inputTokens: 30,
      outputTokens: 7,
      totalTokens: 37,
      costUsd: 0.3,
      estimated: true,
      includesRunning: true,
    });
    expect(liveTotals(totals, [finished])).toEqual({ ...totals, estimated: false, includesRunning: false });
  });
});

describe('the progress bar', () => {
  const s = (status: LiveSession['status'], iteration: number) => ({ status, iteration }) as LiveSession;

  it('is never full while the last iteration runs', () => {
    expect(progressOf({ status: 'running', maxIterations: 1, sessions: [s('running', 1)] })).toEqual({
      value: 0.5,
      max: 1,
      current: 1,
    });
    expect(
      progressOf({
        status: 'running',
        maxIterations: 3,
        sessions: [s('completed', 1), s('failed', 2), s('running', 3)],
      }),
    ).toEqual({ value: 2.5, max: 3, current: 3 });
    expect(progressOf({ status: 'running', maxIterations: 4, sessions: [s('running', 1)] }).value).toBe(0.5);
    expect(progressOf({ status: 'queued', maxIterations: 4, sessions: [] }).value).toBe(0);
  });

  it('counts completed iterations, and is full for a task that completed early', () => {
    expect(progressOf({ status: 'running', maxIterations: 4, sessions: [s('completed', 1)] }).value).toBe(1);
    expect(progressOf({ status: 'completed', maxIterations: 5, sessions: [s('completed', 1)] }).value).toBe(5);
    expect(progressOf({ status: 'failed', maxIterations: 5, sessions: [s('failed', 1), s('failed', 2)] }).value).toBe(
      2,
    );
  });
});

describe('a retried iteration (iteration.retrying)', () => {
  it('moves the iteration’s stream to the new session id, with a note of the failed attempt', async () => {
    const store = await ready();
    store.getState().applyEvents(started);
    store
      .getState()
      .applyEvents([
        agent({ kind: 'text', text: 'first try' }),
        agent({ kind: 'usage', usage: usage(100, 10), estimatedCostUsd: 0.05 }),
      ]);
    store
      .getState()
      .applyEvents([
        retrying(1, 'API error 529: overloaded'),
        agent({ kind: 'text', text: 'second try' }, SID2),
        agent({ kind: 'usage', usage: usage(50, 5), estimatedCostUsd: 0.02 }, SID2),
      ]);
    const task = store.getState().tasks['t1']!;
    expect(task.sessions.map((x) => [x.sessionId, x.iteration, x.status])).toEqual([[SID2, 1, 'running']]);
    const moved = task.sessions[0]!;
    expect(moved.items.map((i) => i.event.kind)).toEqual(['text', 'attempt_failed', 'text']);
    expect(moved.items[1]!.event).toMatchObject({ attempt: 1, error: 'API error 529: overloaded', sessionId: SID2 });
    expect(moved.attempts).toBe(1);
    // The failed attempt's tokens still count (the stored session includes them too).
    expect(moved.usage).toEqual(usage(150, 15));
    expect(moved.estimatedCostUsd).toBe(0.07);

    store.getState().applyEvents([
      {
        type: 'iteration.finished',
        taskId: 't1',
        session: session({ sessionId: SID2, inputTokens: 150, outputTokens: 15, costUsd: 0.07 }),
        task: summary({ id: 't1', status: 'running' }),
      },
    ]);
    expect(store.getState().tasks['t1']!.sessions.map((x) => [x.sessionId, x.status])).toEqual([[SID2, 'completed']]);
  });

  it('merges with events of the new session that came first', async () => {
    const store = await ready();
    store.getState().applyEvents(started);
    store
      .getState()
      .applyEvents([
        agent({ kind: 'text', text: 'old' }),
        agent({ kind: 'text', text: 'new' }, SID2),
        retrying(2, 'no result'),
      ]);
    const sessions = store.getState().tasks['t1']!.sessions;
    expect(sessions).toHaveLength(1);
    expect(texts(sessions[0])).toEqual([['old', false], 'attempt_failed', ['new', false]]);
  });
});

describe('tasks this window did not launch (the CLI, another window)', () => {
  const foreign = detail({
    id: 'cli-1',
    title: 'From the CLI',
    status: 'running',
    sessions: [session({ sessionId: SID, status: 'running', costUsd: 0, inputTokens: 0, outputTokens: 0 })],
  });

  it('are loaded with getTask when first heard of through any event, and the events meanwhile applied', async () => {
    let answer!: (d: typeof foreign) => void;
    const c = client({ getTask: () => new Promise((resolve) => (answer = resolve)) });
    const store = await ready(c);
    store
      .getState()
      .applyEvents([
        { type: 'iteration.started', taskId: 'cli-1', sessionId: SID, iteration: 1, maxIterations: 3 },
        agent({ kind: 'text', text: 'hello' }, SID, 'cli-1'),
      ]);
    store.getState().applyEvents([agent({ kind: 'text', text: 'more' }, SID, 'cli-1')]);
    expect(c.getTask).toHaveBeenCalledTimes(1);
    expect(c.getTask).toHaveBeenCalledWith({ taskId: 'cli-1' });
    expect(store.getState().tasks['cli-1']).toBeUndefined();

    answer(foreign);
    await vi.waitFor(() => expect(store.getState().tasks['cli-1']).toBeDefined());
    const state = store.getState();
    expect(state.activeIds).toEqual(['cli-1']);
    expect(state.tasks['cli-1']!.summary.title).toBe('From the CLI');
    expect(state.tasks['cli-1']!.sessions[0]!.items.map((i) => i.event)).toEqual([
      { kind: 'text', text: 'hello' },
      { kind: 'text', text: 'more' },
    ]);
    expect(c.getLiveState).toHaveBeenCalledTimes(1);
  });

  it('starting without a task.queued, and listed under Recent when they finish', async () => {
    const c = client({ getTask: async () => ({ ...foreign, status: 'queued', sessions: [] }) });
    const store = await ready(c);
    store.getState().applyEvents([{ type: 'task.started', taskId: 'cli-1' }]);
    await vi.waitFor(() => expect(store.getState().activeIds).toEqual(['cli-1']));
    expect(store.getState().tasks['cli-1']!.status).toBe('running');

    const done = summary({ id: 'cli-1', title: 'From the CLI', status: 'completed', finishedAt: 5 });
    store
      .getState()
      .applyEvents([{ type: 'task.finished', taskId: 'cli-1', status: 'completed', reason: 'done', task: done }]);
    expect(store.getState().activeIds).toEqual([]);
    expect(store.getState().recent.map((t) => t.id)).toEqual(['cli-1']);
  });

  it('that only finished need no load: their summary goes under Recent', async () => {
    const c = client();
    const store = await ready(c);
    const done = summary({ id: 'cli-2', status: 'failed' });
    store
      .getState()
      .applyEvents([{ type: 'task.finished', taskId: 'cli-2', status: 'failed', reason: 'boom', task: done }]);
    expect(store.getState().recent[0]).toMatchObject({ id: 'cli-2', status: 'failed', statusReason: 'boom' });
    expect(c.getTask).not.toHaveBeenCalled();
  });

  it('that cannot be loaded are not asked for again at every event', async () => {
    const c = client({ getTask: () => Promise.reject(new Error('no task with id ghost')) });
    const store = await ready(c);
    store.getState().applyEvents([agent({ kind: 'text', text: 'a' }, SID, 'ghost')]);
    await vi.waitFor(() => expect(c.getTask).toHaveBeenCalledTimes(1));
    await new Promise((r) => setTimeout(r, 0));
    store.getState().applyEvents([agent({ kind: 'text', text: 'b' }, SID, 'ghost')]);
    await new Promise((r) => setTimeout(r, 0));
    expect(c.getTask).toHaveBeenCalledTimes(1);
    expect(store.getState().tasks['ghost']).toBeUndefined();
  });
});

describe('Recent', () => {
  it('updates as tasks finish, newest first, and keeps the last MAX_RECENT', async () => {
    const store = await ready();
    expect(MAX_RECENT).toBe(10);
    for (let i = 0; i < 12; i++) {
      const task = summary({ id: `t${i}`, status: 'completed' });
      store.getState().applyEvents([
        { type: 'task.queued', taskId: task.id, task: { ...task, status: 'queued' } },
        { type: 'task.finished', taskId: task.id, status: 'completed', reason: 'ok', task },
      ]);
    }
    const recent = store.getState().recent.map((t) => t.id);
    expect(recent).toHaveLength(10);
    expect(recent[0]).toBe('t11');
    expect(recent.at(-1)).toBe('t2');
  });

  it('lets a finished card be dismissed while its row stays', async () => {
    const store = await ready();
    const task = summary({ id: 't1', status: 'completed' });
    store
      .getState()
      .applyEvents([...started, { type: 'task.finished', taskId: 't1', status: 'completed', reason: 'ok', task }]);
    expect(store.getState().tasks['t1']).toBeDefined();
    store.getState().dismiss('t1');
    expect(store.getState().tasks['t1']).toBeUndefined();
    expect(store.getState().recent.map((t) => t.id)).toEqual(['t1']);
  });
});

describe('a resumed task', () => {
  it('is active again when it is queued anew, and leaves Recent until it finishes', async () => {
    const store = await ready();
    const done = summary({ id: 't1', status: 'interrupted' });
    store
      .getState()
      .applyEvents([
        ...started,
        { type: 'task.finished', taskId: 't1', status: 'interrupted', reason: 'Baton stopped', task: done },
      ]);
    expect(store.getState().recent.map((t) => t.id)).toEqual(['t1']);
    store
      .getState()
      .applyEvents([{ type: 'task.queued', taskId: 't1', task: summary({ id: 't1', status: 'queued' }) }]);
    expect(store.getState().activeIds).toEqual(['t1']);
    expect(store.getState().tasks['t1']!.status).toBe('queued');
    expect(store.getState().recent).toEqual([]);
  });
});
