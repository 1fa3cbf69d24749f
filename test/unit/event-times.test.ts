/** The recorder stores when each agent event came, from its injected clock, and the replay reads it back. */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { EventRecorder } from '../../src-main/core/store/event-recorder';
import { openRecordedSession, type RecordedSession } from '../support/recorded-session';

const SID = '66666666-6666-4666-8666-666666666666';
let opened: RecordedSession;

beforeEach(async () => {
  opened = await openRecordedSession(SID);
});
afterEach(() => opened.close());

it('stores each event with the time it came, and gives the times back with the events', async () => {
  const { dataSource, taskId } = opened;
  let now = 1_800_000_000_000;
  const recorder = new EventRecorder(dataSource, undefined, undefined, () => now);
  recorder.onEvent({ type: 'iteration.started', taskId, sessionId: SID, iteration: 1, maxIterations: 1 });
  const publish = (text: string) =>
    recorder.onEvent({ type: 'agent.event', taskId, sessionId: SID, iteration: 1, event: { kind: 'text', text } });
  publish('first');
  now += 1500;
  publish('second');
  now += 20;
  publish('third');

  const replay = await recorder.eventsOf(SID);
  expect(replay.events.map((e) => (e.kind === 'text' ? e.text : e.kind))).toEqual(['first', 'second', 'third']);
  expect(replay.times).toEqual([1_800_000_000_000, 1_800_000_001_500, 1_800_000_001_520]);
});

it('gives null for an event stored before times were kept', async () => {
  await opened.dataSource.query(
    `INSERT INTO session_events (session_id, seq, kind, payload) VALUES (?, 0, 'text', ?)`,
    [SID, JSON.stringify({ kind: 'text', text: 'old' })],
  );
  const replay = await new EventRecorder(opened.dataSource).eventsOf(SID);
  expect(replay.events).toEqual([{ kind: 'text', text: 'old' }]);
  expect(replay.times).toEqual([null]);
});
