/**
 * The live follower against a real store: the rows another Baton process
 * would write (its task, its sessions, its recorder's session_events) are
 * written here directly, and what the follower publishes is checked tick by
 * tick. `poll()` runs one tick, so no test waits on a timer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src-main/contract/agent-events';
import type { BatonEvent } from '../../src-main/contract/events';
import { taskSpecSchema } from '../../src-main/contract/task-spec';
import { EventBus } from '../../src-main/core/events/event-bus';
import { openDataSource } from '../../src-main/core/store/data-source';
import { EventRecorder, isFollowed, markFollowed } from '../../src-main/core/store/event-recorder';
import { LiveQueries } from '../../src-main/core/store/live-queries';
import { type SessionFinish, TaskStore } from '../../src-main/core/store/task-store';
import type { BatonService } from '../../src-main/service/baton-service';
import { type FollowerTimers, LiveFollower, type LiveFollowerOptions } from '../../src-main/service/live-follower';
import { openBaton } from '../../src-main/service/open-baton';

/** The other Baton process: a pid that is not this one. Only isAlive decides whether it lives. */
const OTHER_PID = 2_000_000_001;

let dir: string;
let dataSource: DataSource;
let store: TaskStore;
let queries: LiveQueries;
let bus: EventBus;
let published: BatonEvent[];
/** Tasks "this process's run registry" runs. */
let runsHere: Set<string>;
const followers: LiveFollower[] = [];

function follower(options: Partial<LiveFollowerOptions> = {}): LiveFollower {
  const made = new LiveFollower({
    queries,
    store,
    bus,
    runsHere: (taskId) => runsHere.has(taskId),
    pid: process.pid,
    isAlive: () => true,
    ...options,
  });
  followers.push(made);
  return made;
}

async function createTask(maxIterations = 3): Promise<string> {
  const spec = taskSpecSchema.parse({ dir, prompt: 'elsewhere', maxIterations });
  return (await store.createTask({ spec, title: 'elsewhere', agent: 'claude-code', ownerPid: OTHER_PID })).id;
}

async function runElsewhere(taskId: string, pid = OTHER_PID): Promise<void> {
  expect(await store.markTaskRunning(taskId, pid)).toBe(true);
}

async function startSession(taskId: string, sessionId: string, iteration: number, pid = OTHER_PID) {
  await store.startSession({ sessionId, taskId, iteration, model: null, ownerPid: pid });
}

const text = (value: string): AgentEvent => ({ kind: 'text', text: value });

/** What the other process's recorder writes. */
async function storeEvents(sessionId: string, fromSeq: number, events: AgentEvent[]): Promise<void> {
  for (const [index, event] of events.entries()) {
    await dataSource.query(`INSERT INTO session_events (session_id, seq, kind, payload) VALUES (?, ?, ?, ?)`, [
      sessionId,
      fromSeq + index,
      event.kind,
      JSON.stringify(event),
    ]);
  }
}

function finish(over: Partial<SessionFinish> = {}): SessionFinish {
  return {
    status: 'completed',
    model: 'claude-sonnet-4-5',
    inputTokens: 10,
    outputTokens: 5,
    cacheCreationTokens: 0,
    cacheReadTokens: 0,
    turns: 1,
    costUsd: 0.01,
    costSource: 'agent',
    durationMs: 100,
    apiDurationMs: 90,
    exitCode: 0,
    errorKind: null,
    errorMessage: null,
    resultExcerpt: 'done',
    permissionDenials: 0,
    retries: [],
    ...over,
  };
}

/** What was published since the last call, in a compact form: type and the ids that matter. */
let seen = 0;
function next(): string[] {
  const fresh = published.slice(seen);
  seen = published.length;
  return fresh.map(summarize);
}
function summarize(event: BatonEvent): string {
  switch (event.type) {
    case 'task.queued':
      return `task.queued ${event.task.status}`;
    case 'task.started':
      return 'task.started';
    case 'task.waiting':
      return `task.waiting ${event.reason}`;
    case 'iteration.started':
      return `iteration.started ${event.sessionId} #${event.iteration}/${event.maxIterations}`;
    case 'agent.event':
      return `agent.event ${event.sessionId} ${event.event.kind === 'text' ? event.event.text : event.event.kind}`;
    case 'iteration.retrying':
      return `iteration.retrying ${event.previousSessionId}->${event.sessionId}`;
    case 'iteration.finished':
      return `iteration.finished ${event.session.sessionId} ${event.session.status} (${event.task.iterations} iterations)`;
    case 'task.finished':
      return `task.finished ${event.status}: ${event.reason}`;
    case 'task.withdrawn':
      return `task.withdrawn: ${event.reason}`;
    case 'usage.imported':
      return `usage.imported ${event.messages}`;
  }
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'baton-follow-'));
  dataSource = await openDataSource({ file: path.join(dir, 'baton.db') });
  store = new TaskStore(dataSource);
  queries = new LiveQueries(dataSource);
  bus = new EventBus((error) => {
    throw error;
  });
  published = [];
  seen = 0;
  runsHere = new Set();
  bus.subscribe((event) => published.push(event));
});

afterEach(async () => {
  for (const made of followers.splice(0)) await made.stop();
  if (dataSource.isInitialized) await dataSource.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('following another process', () => {
  it('publishes a foreign run from queued to finished as the orchestrator would, each event once', async () => {
    const live = follower();
    const taskId = await createTask();

    // A queued task records no owner: it is followed once a second tick still finds it not run here.
    await live.poll();
    expect(next()).toEqual([]);
    await live.poll();
    expect(next()).toEqual(['task.queued queued']);

    await runElsewhere(taskId);
    await live.poll();
    expect(next()).toEqual(['task.started']);

    await startSession(taskId, 's1', 1);
    await storeEvents('s1', 0, [text('one'), text('two')]);
    await live.poll();
    expect(next()).toEqual(['iteration.started s1 #1/3', 'agent.event s1 one', 'agent.event s1 two']);
    await live.poll();
    expect(next()).toEqual([]);

    // Ended: its last events may still be on their way (the recorder writes every 250 ms), so its end waits a tick.
    await storeEvents('s1', 2, [text('three')]);
    await store.finishSession('s1', finish());
    await live.poll();
    expect(next()).toEqual(['agent.event s1 three']);
    await storeEvents('s1', 3, [text('late')]);
    await live.poll();
    expect(next()).toEqual(['agent.event s1 late', 'iteration.finished s1 completed (1 iterations)']);

    await startSession(taskId, 's2', 2);
    await live.poll();
    expect(next()).toEqual(['iteration.started s2 #2/3']);
    await storeEvents('s2', 0, [text('four')]);
    await store.finishSession('s2', finish());
    await store.finishTask(taskId, 'completed', 'agent reported the task complete in iteration 2');
    await live.poll();
    expect(next()).toEqual([
      'agent.event s2 four',
      'iteration.finished s2 completed (2 iterations)',
      'task.finished completed: agent reported the task complete in iteration 2',
    ]);
    await live.poll();
    expect(next()).toEqual([]);
    expect(live.followedTaskIds()).toEqual([]);

    const finished = published.at(-1);
    expect(finished?.type === 'task.finished' && finished.task).toMatchObject({ id: taskId, status: 'completed' });
    expect(published.every(isFollowed)).toBe(true);
  });

  it('tells of a foreign launch that was taken back, with the task as it was first seen', async () => {
    const live = follower();
    const taskId = await createTask();
    await runElsewhere(taskId);
    await startSession(taskId, 's1', 1);
    await live.poll();
    expect(next()).toEqual(['task.queued running', 'task.started', 'iteration.started s1 #1/3']);
    await store.finishSession('s1', finish({ status: 'failed' }));
    await store.withdrawTask(taskId);
    await live.poll();
    expect(next()).toEqual([
      'task.withdrawn: its agent turned it away at its first iteration, so the launch was taken back',
    ]);
    expect(published.at(-1)).toMatchObject({ type: 'task.withdrawn', taskId, task: { id: taskId } });
    expect(live.followedTaskIds()).toEqual([]);
  });

  it('shows a session that started and ended between two ticks, and ends it at once when the next one starts', async () => {
    const live = follower();
    const taskId = await createTask();
    await runElsewhere(taskId);
    await live.poll();
    expect(next()).toEqual(['task.queued running', 'task.started']);

    await startSession(taskId, 's1', 1);
    await storeEvents('s1', 0, [text('quick')]);
    await store.finishSession('s1', finish({ status: 'failed', errorKind: 'internal', errorMessage: 'boom' }));
    await startSession(taskId, 's2', 2);
    await live.poll();
    expect(next()).toEqual([
      'iteration.started s1 #1/3',
      'agent.event s1 quick',
      'iteration.finished s1 failed (2 iterations)',
      'iteration.started s2 #2/3',
    ]);

    // The last one ends with its task before a tick sees it run.
    await store.finishSession('s2', finish());
    await startSession(taskId, 's3', 3);
    await storeEvents('s3', 0, [text('last')]);
    await store.finishSession('s3', finish());
    await store.finishTask(taskId, 'max_iterations', 'reached the limit of 3 iterations');
    await live.poll();
    expect(next()).toEqual([
      'iteration.finished s2 completed (3 iterations)',
      'iteration.started s3 #3/3',
      'agent.event s3 last',
      'iteration.finished s3 completed (3 iterations)',
      'task.finished max_iterations: reached the limit of 3 iterations',
    ]);
  });

  it('picks up a run under way from its running session, leaving its earlier iterations to history', async () => {
    const taskId = await createTask();
    await runElsewhere(taskId);
    await startSession(taskId, 'old', 1);
    await storeEvents('old', 0, [text('history')]);
    await store.finishSession('old', finish());
    await startSession(taskId, 'now', 2);
    await storeEvents('now', 0, [text('a'), text('b')]);

    const live = follower();
    await live.poll();
    expect(next()).toEqual([
      'task.queued running',
      'task.started',
      'iteration.started now #2/3',
      'agent.event now a',
      'agent.event now b',
    ]);
  });

  it('does not follow tasks this process runs', async () => {
    const live = follower();
    const queuedHere = await createTask();
    const runningHere = await createTask();
    runsHere.add(queuedHere).add(runningHere);
    await runElsewhere(runningHere, process.pid);
    await startSession(runningHere, 'mine', 1, process.pid);
    await storeEvents('mine', 0, [text('mine')]);
    // Owned by this pid though the registry has let it go (it is finishing): still this process's.
    const finishingHere = await createTask();
    await runElsewhere(finishingHere, process.pid);
    for (let i = 0; i < 3; i++) await live.poll();
    expect(published).toEqual([]);

    // A task launched here is in the database a moment before the registry has it; a single sighting is not enough.
    const launching = await createTask();
    await live.poll();
    runsHere.add(launching);
    await live.poll();
    await live.poll();
    expect(published).toEqual([]);
    expect(live.followedTaskIds()).toEqual([]);
  });

  it('follows a retry under a new session id without repeating the events that moved with the row', async () => {
    const live = follower();
    const taskId = await createTask();
    await runElsewhere(taskId);
    await startSession(taskId, 'first', 1);
    await storeEvents('first', 0, [text('try 1')]);
    await live.poll();
    next();

    await storeEvents('first', 1, [text('try 1, more')]);
    await store.renameSession('first', 'second');
    await storeEvents('second', 2, [text('try 2')]);
    await live.poll();
    expect(next()).toEqual([
      'iteration.retrying first->second',
      'agent.event second try 1, more',
      'agent.event second try 2',
    ]);
    await store.finishSession('second', finish());
    await live.poll();
    await live.poll();
    expect(next()).toEqual(['iteration.finished second completed (1 iterations)']);
  });

  it('shows another process’s task waiting for a subscription window, and going on after it', async () => {
    const live = follower();
    const taskId = await createTask();
    await runElsewhere(taskId);
    await store.markTaskWaiting(taskId, 1_900_000_000_000, 'waiting: the 5-hour window is spent');
    await live.poll();
    expect(next()).toEqual(['task.queued waiting', 'task.started', 'task.waiting waiting: the 5-hour window is spent']);
    await live.poll();
    expect(next()).toEqual([]);
    await store.markTaskAwake(taskId);
    await live.poll();
    expect(next()).toEqual(['task.started']);
  });

  it('hands a run whose owner died to the recovery, once, and then shows it interrupted', async () => {
    let alive = true;
    let recoveries = 0;
    const live = follower({
      isAlive: () => alive,
      recover: async () => {
        recoveries++;
        await store.recoverInterrupted((pid) => pid !== OTHER_PID);
      },
    });
    const taskId = await createTask();
    await runElsewhere(taskId);
    await startSession(taskId, 's1', 1);
    await live.poll();
    expect(next()).toEqual(['task.queued running', 'task.started', 'iteration.started s1 #1/3']);

    alive = false;
    await live.poll();
    expect(recoveries).toBe(1);
    await live.poll();
    expect(next()).toEqual([
      'iteration.finished s1 interrupted (1 iterations)',
      expect.stringMatching(/^task\.finished interrupted: Baton stopped while this ran/),
    ]);
    await live.poll();
    expect(recoveries).toBe(1);
  });

  it('skips a stored payload it cannot read, and reads the rest in seq order', async () => {
    const live = follower();
    const taskId = await createTask();
    await runElsewhere(taskId);
    await startSession(taskId, 's1', 1);
    await storeEvents('s1', 0, [text('a')]);
    await dataSource.query(`INSERT INTO session_events VALUES ('s1', 1, 'text', '{"kind":"text"}')`);
    await dataSource.query(`INSERT INTO session_events VALUES ('s1', 2, 'text', 'not json')`);
    await storeEvents('s1', 3, [text('b')]);
    await live.poll();
    expect(next().filter((line) => line.startsWith('agent.event'))).toEqual(['agent.event s1 a', 'agent.event s1 b']);
  });
});

describe('the recorder and followed events', () => {
  it('stores nothing a follower republishes: no second write, no foreign-key failure after a rename', async () => {
    const recorder = new EventRecorder(dataSource);
    bus.subscribe(recorder.onEvent);
    const live = follower();
    const taskId = await createTask();
    await runElsewhere(taskId);
    await startSession(taskId, 'first', 1);
    await storeEvents('first', 0, [text('a'), text('b')]);
    await live.poll();
    // The other process retries: the row, and its events, take a new id.
    await store.renameSession('first', 'second');
    await storeEvents('second', 2, [text('c')]);
    await live.poll();
    await recorder.flush();
    expect(recorder.liveEvents('first')).toBeUndefined();
    expect(recorder.liveEvents('second')).toBeUndefined();
    const [{ count }] = (await dataSource.query(`SELECT COUNT(*) AS count FROM session_events`)) as [{ count: number }];
    expect(count).toBe(3);

    // The same events, unmarked, would be recorded.
    recorder.onEvent({ type: 'iteration.started', taskId, sessionId: 'second', iteration: 1, maxIterations: 3 });
    recorder.onEvent(
      markFollowed({ type: 'agent.event', taskId, sessionId: 'second', iteration: 1, event: text('x') }),
    );
    expect(recorder.liveEvents('second')).toEqual([]);
    recorder.onEvent({ type: 'agent.event', taskId, sessionId: 'second', iteration: 1, event: text('y') });
    expect(recorder.liveEvents('second')).toEqual([text('y')]);
    await recorder.flush();
  });
});

describe('cost and lifetime', () => {
  /** Counts the follower's queries by name. */
  function counted() {
    const calls: string[] = [];
    const wrapped = new Proxy(queries, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(String(key));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    return { calls, queries: wrapped };
  }

  it('asks one small query a tick when nothing runs, or only this process runs', async () => {
    const { calls, queries: wrapped } = counted();
    const live = follower({ queries: wrapped });
    await live.poll();
    await live.poll();
    expect(calls).toEqual(['activeTasks', 'activeTasks']);

    const taskId = await createTask();
    runsHere.add(taskId);
    await runElsewhere(taskId, process.pid);
    await startSession(taskId, 'mine', 1, process.pid);
    calls.length = 0;
    await live.poll();
    expect(calls).toEqual(['activeTasks']);
  });

  it('polls on its timer, and once stopped leaves no timer and asks nothing more', async () => {
    const pending = new Map<number, () => void>();
    let ids = 0;
    const timers: FollowerTimers = {
      setTimeout: (callback, ms) => {
        expect(ms).toBe(123);
        pending.set(++ids, callback);
        return ids;
      },
      clearTimeout: (handle) => void pending.delete(handle as number),
    };
    const fire = async () => {
      const [[id, callback]] = [...pending.entries()] as [[number, () => void]];
      pending.delete(id);
      callback();
      // The tick runs on the promise chain the timer started.
      await live.poll();
    };
    const { calls, queries: wrapped } = counted();
    const live = follower({ queries: wrapped, timers, intervalMs: 123 });
    live.start();
    expect(pending.size).toBe(1);
    await fire();
    expect(calls).toEqual(['activeTasks', 'activeTasks']);
    expect(pending.size).toBe(1);

    // A tick under way when stop is called ends before stop resolves, and asks nothing after it.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inTick = new Promise<void>((resolve) => (entered = resolve));
    const slow = follower({
      queries: {
        isOpen: true,
        activeTasks: async () => {
          calls.push('activeTasks');
          entered();
          await gate;
          return wrapped.activeTasks();
        },
        sessionsOf: (...args) => wrapped.sessionsOf(...args),
        sessionsByRowId: (...args) => wrapped.sessionsByRowId(...args),
        eventsOf: (...args) => wrapped.eventsOf(...args),
      },
      timers,
      intervalMs: 123,
    });
    await live.stop();
    expect(pending.size).toBe(0);
    slow.start();
    const taskId = await createTask();
    await runElsewhere(taskId);
    const tick = slow.poll();
    await inTick;
    let stopResolved = false;
    const stopped = slow.stop().then(() => (stopResolved = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopResolved).toBe(false);
    release();
    await Promise.all([tick, stopped]);
    expect(pending.size).toBe(0);
    const asked = calls.length;
    await dataSource.destroy();
    await slow.poll();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls.length).toBe(asked);
  });

  it('survives a failing tick, logging it once while it lasts', async () => {
    const logged: string[] = [];
    let failing = true;
    const live = follower({
      log: (line) => logged.push(line),
      queries: {
        isOpen: true,
        activeTasks: () => (failing ? Promise.reject(new Error('disk I/O error')) : queries.activeTasks()),
        sessionsOf: (...args) => queries.sessionsOf(...args),
        sessionsByRowId: (...args) => queries.sessionsByRowId(...args),
        eventsOf: (...args) => queries.eventsOf(...args),
      },
    });
    await live.poll();
    await live.poll();
    expect(logged).toEqual(["baton: could not follow other processes' runs: disk I/O error"]);
    failing = false;
    const taskId = await createTask();
    await runElsewhere(taskId);
    await live.poll();
    expect(next()).toEqual(['task.queued running', 'task.started']);
  });
});

describe('the service', () => {
  let service: BatonService | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  /** The other process: alive (this test's parent), and not this one. */
  const otherPid = process.ppid;

  it('lists every task running on the database in the live state, with the events published for it so far', async () => {
    const file = path.join(dir, 'baton.db');
    service = await openBaton({ mode: 'browser', databaseFile: file, env: {}, followIntervalMs: 60_000 });
    const events: BatonEvent[] = [];
    service.subscribe((event) => events.push(event));
    const taskId = await createTask();
    await runElsewhere(taskId, otherPid);
    await startSession(taskId, 's1', 1, otherPid);
    await storeEvents('s1', 0, [text('a'), text('b')]);

    const first = await service.call('getLiveState', {});
    expect(first.tasks.map((task) => [task.id, task.status, task.sessions.map((s) => s.sessionId)])).toEqual([
      [taskId, 'running', ['s1']],
    ]);
    expect(first.currentEvents).toEqual({ s1: [text('a'), text('b')] });
    // The snapshot holds what was published before it, no more and no less.
    const streamed = () =>
      events.flatMap((event) => (event.type === 'agent.event' && event.sessionId === 's1' ? [event.event] : []));
    expect(streamed()).toEqual(first.currentEvents.s1);

    await storeEvents('s1', 2, [text('c')]);
    const second = await service.call('getLiveState', {});
    expect(second.currentEvents.s1).toEqual([text('a'), text('b'), text('c')]);
    expect(streamed()).toEqual(second.currentEvents.s1);
    expect(events.map((event) => event.type)).toEqual([
      'task.queued',
      'task.started',
      'iteration.started',
      'agent.event',
      'agent.event',
      'agent.event',
    ]);

    // It cannot stop a task another process runs.
    expect(await service.call('stopTask', { taskId })).toEqual({ stopped: false });
    expect((await store.taskSummary(taskId))?.status).toBe('running');
  });

  it('lists another process’s task that waits for a subscription window among the live ones', async () => {
    service = await openBaton({
      mode: 'browser',
      databaseFile: path.join(dir, 'baton.db'),
      env: {},
      followIntervalMs: 60_000,
    });
    const taskId = await createTask();
    await runElsewhere(taskId, otherPid);
    await store.markTaskWaiting(taskId, 1_900_000_000_000, 'waiting: the 5-hour window is spent');
    const state = await service.call('getLiveState', {});
    expect(state.tasks.map((task) => [task.id, task.status, task.wakeAt])).toEqual([
      [taskId, 'waiting', 1_900_000_000_000],
    ]);
  });

  it('reads other processes’ streams from the store where nothing follows them', async () => {
    const file = path.join(dir, 'baton.db');
    service = await openBaton({ mode: 'cli', databaseFile: file, env: {} });
    const events: BatonEvent[] = [];
    service.subscribe((event) => events.push(event));
    const taskId = await createTask();
    await runElsewhere(taskId, otherPid);
    await startSession(taskId, 's1', 1, otherPid);
    await storeEvents('s1', 0, [text('a')]);
    const state = await service.call('getLiveState', {});
    expect(state.tasks.map((task) => task.id)).toEqual([taskId]);
    expect(state.currentEvents).toEqual({ s1: [text('a')] });
    expect(events).toEqual([]);
  });
});
