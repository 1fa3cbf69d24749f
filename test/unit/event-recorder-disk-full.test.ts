/**
 * A full disk under the event recorder: a real SQLITE_FULL, made by capping the database at the pages it
 * has (PRAGMA max_page_count), so inserting events that need new pages fails while the in-place UPDATEs
 * of a session row still succeed. (On a disk that is really full those can fail too: the session then
 * stays 'running' until the next start recovers it as interrupted.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type BatonCore, openBatonCore } from '../../src-main/core/baton-core';
import { EventRecorder } from '../../src-main/core/store/event-recorder';
import { connectionOf } from '../../src-main/core/store/write-transaction';
import { ScriptedAgent, success } from '../support/scripted-agent';

let dir: string;
let core: BatonCore | undefined;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'baton-disk-full-'));
});
afterEach(async () => {
  await core?.close();
  core = undefined;
  rmSync(dir, { recursive: true, force: true });
});

it('a write that fails with SQLITE_FULL is logged once and counted, and the run goes on to finish its sessions', async () => {
  const EVENTS = 12;
  // Texts of 20 KB need overflow pages the capped database cannot add; written in three flushes a session,
  // as the recorder's timer would spread them over a run that streams for a while.
  const agent = new ScriptedAgent(async (request) => {
    for (let i = 0; i < EVENTS; i++) {
      request.onEvent({ kind: 'text', text: `${i} ${'x'.repeat(20_000)}` });
      if (i % 4 === 3) await recorder.flush();
    }
    return success('done');
  });
  core = await openBatonCore({
    databaseFile: path.join(dir, 'baton.db'),
    agent,
    retry: { baseDelayMs: 0, maxDelayMs: 0 },
  });
  const logs: string[] = [];
  const recorder = new EventRecorder(core.dataSource, (message) => logs.push(message));
  core.bus.subscribe(recorder.onEvent);
  const task = await core.orchestrator.createTask({ dir, prompt: 'work', maxIterations: 2 });

  const db = connectionOf(core.dataSource);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);

  const done = await core.orchestrator.runTask(task.id);
  await recorder.flush();
  // A turn of the event loop: each session's loss is recorded once the flush its end started has resolved.
  await new Promise((resolve) => setImmediate(resolve));

  expect(done).toMatchObject({ status: 'max_iterations', iterations: 2 });
  const sessions = await core.store.sessionsOfTask(task.id);
  expect(sessions.map((s) => [s.status, s.resultExcerpt])).toEqual([
    ['completed', 'done'],
    ['completed', 'done'],
  ]);
  expect((await recorder.eventsOf(sessions[0]?.sessionId as string)).events).toEqual([]);

  // Counted: every flush failed, and each session lost all its events, which its row says.
  expect(recorder.failedWrites).toBeGreaterThanOrEqual(6);
  const counts = (await core.dataSource.query(
    `SELECT events_not_stored AS n FROM sessions ORDER BY iteration`,
  )) as Array<{ n: number }>;
  expect(counts.map((row) => row.n)).toEqual([EVENTS, EVENTS]);
  // And the views (the task page, `task --json`) say so.
  const shown = (await core.store.sessionsOfTask(task.id)).map((s) => s.eventsNotStored);
  expect(shown).toEqual([EVENTS, EVENTS]);

  // Logged: when the failures began (once, not at every flush), and per session with its count.
  const failures = logs.filter((line) => line.includes('could not store'));
  expect(failures).toHaveLength(1);
  expect(failures[0]).toMatch(/database or disk is full/);
  for (const session of sessions) {
    expect(logs).toContain(
      `baton: session ${session.sessionId} ended with ${EVENTS} agent events not stored for replay`,
    );
  }

  // Space again: a new session's events are stored, and the log says the writes recovered.
  db.pragma('max_page_count = 1073741823');
  const sessionId = sessions[1]?.sessionId as string;
  recorder.onEvent({ type: 'iteration.started', taskId: task.id, sessionId, iteration: 2, maxIterations: 2 });
  recorder.onEvent({
    type: 'agent.event',
    taskId: task.id,
    sessionId,
    iteration: 2,
    event: { kind: 'text', text: 'stored' },
  });
  await recorder.flush();
  expect(logs.at(-1)).toMatch(/stored for replay again, after \d+ failed writes/);
  expect((await recorder.eventsOf(sessionId)).events).toEqual([{ kind: 'text', text: 'stored' }]);
});
