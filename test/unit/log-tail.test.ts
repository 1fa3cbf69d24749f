/**
 * The event log between two Baton processes on one database: "there" is the process that runs a task (its
 * own bus, and a recorder that writes the log), "here" the one that tails the log. Both share the store, as
 * two processes do. `poll()` runs one tick of the tail and `flush()` one write of the recorder, so no test
 * waits on a timer.
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
import { EventLogWriter, newOrigin } from '../../src-main/core/events/event-log';
import { openDataSource } from '../../src-main/core/store/data-source';
import { EventRecorder, isFollowed } from '../../src-main/core/store/event-recorder';
import { LiveQueries } from '../../src-main/core/store/live-queries';
import { TaskStore } from '../../src-main/core/store/task-store';
import { connectionOf } from '../../src-main/core/store/write-transaction';
import type { BatonService } from '../../src-main/service/baton-service';
import { LogTail, type LogTailOptions, type TailTimers } from '../../src-main/service/log-tail';
import { openBaton } from '../../src-main/service/open-baton';
import { stopElsewhere } from '../../src-main/service/remote-stop';

/** The other Baton process: a pid that is not this one. Only isAlive decides whether it lives. */
const OTHER_PID = 2_000_000_001;

let dir: string;
let dataSource: DataSource;
let store: TaskStore;
let there: { bus: EventBus; recorder: EventRecorder; origin: string };
let here: { bus: EventBus; published: BatonEvent[]; recorder: EventRecorder };
const tails: LogTail[] = [];

function tail(options: Partial<LogTailOptions> = {}): LogTail {
  const made = new LogTail({
    queries: new LiveQueries(dataSource),
    store,
    bus: here.bus,
    origin: newOrigin().id,
    republish: true,
    runsHere: () => false,
    stop: async () => undefined,
    pid: process.pid,
    isAlive: () => true,
    ...options,
  });
  made.start();
  tails.push(made);
  return made;
}

const text = (value: string): AgentEvent => ({ kind: 'text', text: value });

async function runningTask(pid = OTHER_PID): Promise<string> {
  const spec = taskSpecSchema.parse({ dir, prompt: 'elsewhere', maxIterations: 3 });
  const { id } = await store.createTask({ spec, title: 'elsewhere', agent: 'claude-code', ownerPid: pid });
  expect(await store.markTaskRunning(id, pid)).toBe(true);
  return id;
}

/** What the process there publishes as a session starts and streams. */
async function streamThere(taskId: string, sessionId: string, texts: string[]): Promise<void> {
  if (!(await store.sessionView(sessionId))) {
    await store.startSession({ sessionId, taskId, iteration: 1, model: null, ownerPid: OTHER_PID });
    there.bus.publish({ type: 'iteration.started', taskId, sessionId, iteration: 1, maxIterations: 3 });
  }
  for (const value of texts) {
    there.bus.publish({ type: 'agent.event', taskId, sessionId, iteration: 1, event: text(value) });
  }
}

function summarize(event: BatonEvent): string {
  if (event.type === 'agent.event') return `agent.event ${event.event.kind === 'text' ? event.event.text : ''}`;
  if (event.type === 'iteration.started') return `iteration.started ${event.sessionId}`;
  return event.type;
}

let seen = 0;
function next(): string[] {
  const fresh = here.published.slice(seen);
  seen = here.published.length;
  return fresh.map(summarize);
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'baton-log-tail-'));
  dataSource = await openDataSource({ file: path.join(dir, 'baton.db') });
  store = new TaskStore(dataSource);
  const origin = newOrigin();
  const thrown = (error: unknown) => {
    throw error;
  };
  const thereBus = new EventBus(thrown);
  const thereRecorder = new EventRecorder(dataSource, undefined, new EventLogWriter(origin));
  thereBus.subscribe(thereRecorder.onEvent);
  there = { bus: thereBus, recorder: thereRecorder, origin: origin.id };
  const hereBus = new EventBus(thrown);
  // The process here records what it runs itself, as every Baton does: what it republishes it must not.
  const hereRecorder = new EventRecorder(dataSource, undefined, new EventLogWriter(newOrigin()));
  hereBus.subscribe(hereRecorder.onEvent);
  here = { bus: hereBus, published: [], recorder: hereRecorder };
  hereBus.subscribe((event) => here.published.push(event));
  seen = 0;
});

afterEach(async () => {
  for (const made of tails.splice(0)) await made.stop();
  // Their writes are due within a few milliseconds: done now, before the database closes under them.
  await there.recorder.flush();
  await here.recorder.flush();
  if (dataSource.isInitialized) await dataSource.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('tailing the event log', () => {
  it('republishes another process’s events as it published them, in order, each once, and stores none again', async () => {
    const live = tail();
    const taskId = await runningTask();
    await streamThere(taskId, 's1', ['one', 'two']);
    await live.poll();
    // Nothing reaches the log before the process there writes it.
    expect(next()).toEqual([]);
    await there.recorder.flush();
    await live.poll();
    expect(next()).toEqual(['iteration.started s1', 'agent.event one', 'agent.event two']);
    await live.poll();
    expect(next()).toEqual([]);

    const reason = 'its agent turned it away at its first iteration: model not found';
    const task = (await store.taskSummary(taskId))!;
    there.bus.publish({ type: 'task.withdrawn', taskId, reason, task });
    await there.recorder.flush();
    await live.poll();
    // The words of the process that ran it, not a guess.
    expect(here.published.at(-1)).toMatchObject({ type: 'task.withdrawn', reason });
    expect(here.published.every(isFollowed)).toBe(true);
    await here.recorder.flush();
    const stored = connectionOf(dataSource)
      .prepare(`SELECT COUNT(*) AS n FROM session_events WHERE session_id = 's1'`)
      .get() as { n: number };
    expect(stored.n).toBe(2);
  });

  it('passes over its own rows, and rows this version cannot read', async () => {
    const origin = newOrigin();
    const mine = new EventRecorder(dataSource, undefined, new EventLogWriter(origin));
    here.bus.subscribe(mine.onEvent);
    const live = tail({ origin: origin.id });
    here.bus.publish({ type: 'usage.imported', messages: 1, corrected: 0 });
    await mine.flush();
    connectionOf(dataSource)
      .prepare(
        `INSERT INTO event_log (at, origin, pid, host, type, payload) VALUES (0, 'newer', 1, 'h', 'task.moved', '{"type":"task.moved"}')`,
      )
      .run();
    there.bus.publish({ type: 'usage.imported', messages: 2, corrected: 0 });
    await there.recorder.flush();
    seen = here.published.length;
    await live.poll();
    expect(here.published.slice(seen)).toEqual([{ type: 'usage.imported', messages: 2, corrected: 0 }]);
  });

  it('gives a snapshot exactly the stored events it has published, so a window repeats and misses none', async () => {
    const live = tail();
    const taskId = await runningTask();
    await streamThere(taskId, 's1', ['a', 'b']);
    await there.recorder.flush();
    await streamThere(taskId, 's1', ['c']);
    // Written, and not yet read by the tail: the snapshot reads the log first, then the store.
    await there.recorder.flush();
    const streamed = () =>
      here.published.flatMap((event) => (event.type === 'agent.event' ? [(event.event as { text: string }).text] : []));
    const snapshot = await live.eventsSoFar(['s1'], (events) => events);
    expect(snapshot.s1?.map((event) => (event as { text: string }).text)).toEqual(['a', 'b', 'c']);
    expect(streamed()).toEqual(['a', 'b', 'c']);
    // Kept but not yet written: neither in the snapshot nor published, until the tail reads it.
    await streamThere(taskId, 's1', ['d']);
    expect((await live.eventsSoFar(['s1'], (events) => events)).s1).toHaveLength(3);
    expect(streamed()).toEqual(['a', 'b', 'c']);
  });

  it('carries out a stop asked for in another process, of a task it runs', async () => {
    const stopped: string[] = [];
    const taskId = await runningTask();
    const owner = tail({ runsHere: (id) => id === taskId, stop: async (id) => stopped.push(id) });
    let now = 0;
    const asked = stopElsewhere(
      {
        bus: there.bus,
        store,
        now: () => now,
        sleep: async (ms) => {
          now += ms;
          await there.recorder.flush();
          await owner.poll();
          // The process that runs it ends it once stopped.
          if (stopped.length > 0) await store.finishTask(taskId, 'cancelled', 'stopped');
        },
      },
      taskId,
    );
    expect(await asked).toBe(true);
    expect(stopped).toEqual([taskId]);
    // Not a task event: a window's live view passes it by.
    expect(here.published).toEqual([]);
  });

  it('tells its queue at once when another process changed the settings, and its windows too', async () => {
    let changes = 0;
    const live = tail({ settingsChanged: () => changes++ });
    there.bus.publish({ type: 'settings.changed' });
    await there.recorder.flush();
    await live.poll();
    expect(changes).toBe(1);
    expect(next()).toEqual(['settings.changed']);
  });

  it('answers a stop of a task nobody runs, or one whose process never ends it, with stopped: false', async () => {
    const taskId = await runningTask();
    let now = 0;
    const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
    expect(await stopElsewhere({ bus: there.bus, store, ...clock }, taskId)).toBe(false);
    await store.finishTask(taskId, 'cancelled', 'stopped');
    expect(await stopElsewhere({ bus: there.bus, store, ...clock }, taskId)).toBe(false);
  });

  it('hands a run whose owner died to the recovery, once, and publishes how the task ended', async () => {
    const taskId = await runningTask();
    let alive = true;
    let recoveries = 0;
    let clock = 0;
    const live = tail({
      isAlive: () => alive,
      timers: { setTimeout: () => undefined, clearTimeout: () => undefined, now: () => clock },
      recover: async () => {
        recoveries++;
        const { taskIds } = await store.recoverInterrupted(() => alive);
        return taskIds;
      },
    });
    await live.poll();
    expect(recoveries).toBe(0);
    alive = false;
    clock += 2000;
    await live.poll();
    expect(recoveries).toBe(1);
    expect(here.published.at(-1)).toMatchObject({ type: 'task.finished', taskId, status: 'interrupted' });
    // Not marked: this process closed it, and the log carries its end to the other windows.
    expect(isFollowed(here.published.at(-1)!)).toBe(false);
    clock += 2000;
    await live.poll();
    expect(recoveries).toBe(1);
  });

  it('reads on its timer, and once stopped leaves no timer and reads nothing more', async () => {
    const pending = new Set<() => void>();
    const timers: TailTimers = {
      setTimeout: (callback) => {
        pending.add(callback);
        return callback;
      },
      clearTimeout: (handle) => pending.delete(handle as () => void),
      now: () => 0,
    };
    const live = tail({ timers });
    expect(pending.size).toBe(1);
    there.bus.publish({ type: 'usage.imported', messages: 3, corrected: 0 });
    await there.recorder.flush();
    const [fire] = pending;
    pending.clear();
    fire!();
    await live.poll();
    expect(next()).toEqual(['usage.imported']);
    expect(pending.size).toBe(1);
    await live.stop();
    expect(pending.size).toBe(0);
  });
});

describe('the log itself', () => {
  it('tells which stored events a tail at a seq has passed: those logged at or before it', async () => {
    const taskId = await runningTask();
    await streamThere(taskId, 's1', ['a']);
    await there.recorder.flush();
    const queries = new LiveQueries(dataSource);
    const passed = queries.lastLogSeq();
    await streamThere(taskId, 's1', ['b']);
    await there.recorder.flush();
    const texts = (through: number | null) =>
      queries.eventsPassed('s1', through, 100).map((row) => (row.event as { text: string }).text);
    expect(texts(passed)).toEqual(['a']);
    expect(texts(queries.lastLogSeq())).toEqual(['a', 'b']);
  });

  it('tells its windows to take a new snapshot, and its queue to read the limit, when the log was pruned past it', async () => {
    let changes = 0;
    const logged: string[] = [];
    const live = tail({ settingsChanged: () => changes++, log: (line) => logged.push(line) });
    const taskId = await runningTask();
    await streamThere(taskId, 's1', ['a']);
    await there.recorder.flush();
    await live.poll();
    expect(next()).toEqual(['iteration.started s1', 'agent.event a']);
    // The tail's process is stopped while the other streams on, and the log is pruned past what it read.
    await streamThere(taskId, 's1', ['b', 'c']);
    await there.recorder.flush();
    const db = connectionOf(dataSource);
    db.prepare(`DELETE FROM event_log WHERE seq < (SELECT MAX(seq) FROM event_log)`).run();
    await live.poll();
    expect(next()).toEqual(['live.resync', 'agent.event c']);
    expect(isFollowed(here.published.at(-2)!)).toBe(true);
    expect(changes).toBe(1);
    expect(logged).toEqual([expect.stringContaining('pruned past what this process had read')]);
    // Caught up: the next rows follow on, with nothing missed.
    await streamThere(taskId, 's1', ['d']);
    await there.recorder.flush();
    await live.poll();
    expect(next()).toEqual(['agent.event d']);
    expect(changes).toBe(1);
    // The notice is this process's alone: never written to the log for the others.
    await here.recorder.flush();
    expect(db.prepare(`SELECT COUNT(*) FROM event_log WHERE type = 'live.resync'`).pluck().get()).toBe(0);
  });

  it('keeps its newest rows only, and never reuses a seq', async () => {
    const writer = new EventLogWriter(newOrigin(), () => 0, { keep: 10, pruneEvery: 5 });
    const db = connectionOf(dataSource);
    const entry = { type: 'usage.imported' as const, taskId: null, sessionId: null, payload: '{}' };
    const seqs: number[] = [];
    for (let i = 0; i < 25; i++) {
      db.transaction(() => {
        seqs.push(writer.write(db, entry));
        writer.prune(db);
      })();
    }
    const kept = db.prepare(`SELECT seq FROM event_log ORDER BY seq`).pluck().all() as number[];
    expect(kept.length).toBeLessThanOrEqual(10 + 5);
    expect(kept.at(-1)).toBe(25);
    expect(new Set(seqs).size).toBe(25);
    db.prepare(`DELETE FROM event_log`).run();
    expect(writer.write(db, entry)).toBe(26);
  });
});

/** A window's service on the database, whose tail reads only when a snapshot asks it to. */
const openFollower = () =>
  openBaton({ mode: 'browser', databaseFile: path.join(dir, 'baton.db'), env: {}, followIntervalMs: 60_000 });

describe('the service', () => {
  let service: BatonService | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  it('lists every task running on the database in the live state, with the events published for it so far', async () => {
    service = await openFollower();
    const events: BatonEvent[] = [];
    service.subscribe((event) => events.push(event));
    // The other process: alive (this test's parent), so the service's tail leaves its run alone.
    const taskId = await runningTask(process.ppid);
    await streamThere(taskId, 's1', ['a', 'b']);
    await there.recorder.flush();

    const first = await service.call('getLiveState', {});
    expect(first.tasks.map((task) => [task.id, task.status, task.sessions.map((s) => s.sessionId)])).toEqual([
      [taskId, 'running', ['s1']],
    ]);
    expect(first.currentEvents).toEqual({ s1: [text('a'), text('b')] });
    const streamed = () => events.flatMap((event) => (event.type === 'agent.event' ? [event.event] : []));
    expect(streamed()).toEqual(first.currentEvents.s1);

    await streamThere(taskId, 's1', ['c']);
    await there.recorder.flush();
    const second = await service.call('getLiveState', {});
    expect(second.currentEvents.s1).toEqual([text('a'), text('b'), text('c')]);
    expect(streamed()).toEqual(second.currentEvents.s1);
  });

  it('gives a live state that holds exactly the events up to its seq, while another process streams', async () => {
    service = await openFollower();
    const delivered: { seq: number; event: BatonEvent }[] = [];
    service.subscribe((event, seq) => delivered.push({ seq, event }));
    const taskId = await runningTask(process.ppid);
    await streamThere(taskId, 's1', ['a', 'b']);
    await there.recorder.flush();

    // Snapshots taken while the stream goes on, two at once so one's tail read publishes during the other.
    const snapshots = [];
    for (const batch of [['c'], ['d', 'e'], ['f']]) {
      const taking = [service.call('getLiveState', {}), service.call('getLiveState', {})];
      await streamThere(taskId, 's1', batch);
      await there.recorder.flush();
      snapshots.push(...(await Promise.all(taking)));
    }
    snapshots.push(await service.call('getLiveState', {}));

    const all = ['a', 'b', 'c', 'd', 'e', 'f'].map(text);
    expect(delivered.map((d) => d.seq)).toEqual(delivered.map((_, i) => i + 1));
    for (const snapshot of snapshots) {
      expect(snapshot.tasksSeq).toBeLessThanOrEqual(snapshot.seq);
      // What a window does: the snapshot's stream, then the delivered events after its seq.
      const after = delivered.filter((d) => d.seq > snapshot.seq);
      const applied = [
        ...(snapshot.currentEvents.s1 ?? []),
        ...after.flatMap(({ event }) => (event.type === 'agent.event' ? [event.event] : [])),
      ];
      expect(applied).toEqual(all);
    }
    expect(snapshots.at(-1)!.seq).toBe(delivered.length);
  });

  it("answers the events after a live state's seq from its feed, and tooOld for another feed", async () => {
    service = await openFollower();
    const taskId = await runningTask(process.ppid);
    await streamThere(taskId, 's1', ['a', 'b']);
    await there.recorder.flush();
    const { feed, seq } = await service.call('getLiveState', {});
    await streamThere(taskId, 's1', ['c']);
    await there.recorder.flush();
    await service.call('getLiveState', {});
    const since = await service.call('getEventsSince', { feed, seq });
    expect('events' in since && since.events.map((d) => d.event)).toEqual([
      expect.objectContaining({ type: 'agent.event', event: text('c') }),
    ]);
    expect(await service.call('getEventsSince', { feed: 'another', seq })).toEqual({ tooOld: true });
  });
});
