/**
 * The event recorder stores a bounded number of bytes, not only of events:
 * 150 events of 1 MiB once stored 157 MB for one session. What it cuts, the
 * replay says it cut.
 */
import type { DataSource } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AgentEvent, NESTING_CUT } from '../../src-main/contract/agent-events';
import type { BatonEvent } from '../../src-main/contract/events';
import { EventRecorder, MAX_EVENT_BYTES, MAX_EVENT_BYTES_PER_SESSION } from '../../src-main/core/store/event-recorder';
import { resultEvent } from '../support/agent-result';
import { deeplyNestedJson } from '../support/deep-json';
import { openRecordedSession, type RecordedSession } from '../support/recorded-session';

const MiB = 1024 * 1024;
const SID = '55555555-5555-4555-8555-555555555555';
let opened: RecordedSession;
let dataSource: DataSource;
let recorder: EventRecorder;
let taskId: string;

beforeEach(async () => {
  opened = await openRecordedSession(SID);
  ({ dataSource, taskId } = opened);
  recorder = new EventRecorder(dataSource);
  recorder.onEvent({ type: 'iteration.started', taskId, sessionId: SID, iteration: 1, maxIterations: 1 });
});

afterEach(() => opened.close());

const agentEvent = (event: AgentEvent) =>
  recorder.onEvent({ type: 'agent.event', taskId, sessionId: SID, iteration: 1, event });

const result = resultEvent(150, 1);

async function finishSession(): Promise<void> {
  // The recorder reads only the finished session's id.
  recorder.onEvent({ type: 'iteration.finished', taskId, session: { sessionId: SID } } as unknown as BatonEvent);
  await recorder.flush();
}

async function storedBytes(): Promise<number> {
  const [row] = (await dataSource.query(
    `SELECT COALESCE(SUM(LENGTH(CAST(payload AS BLOB))), 0) AS bytes FROM session_events WHERE session_id = ?`,
    [SID],
  )) as [{ bytes: number }];
  return row.bytes;
}

type Cut = Extract<AgentEvent, { kind: 'cut' }>;
const cutsOf = (events: AgentEvent[]) => events.filter((e): e is Cut => e.kind === 'cut');

describe('the bytes a session stores', () => {
  it('150 texts of 1 MiB: each cut to 256 KiB, the session to 32 MiB, and the replay says what is missing', async () => {
    const texts = Array.from({ length: 150 }, (_, i) => `${String(i).padStart(3, '0')} ${'x'.repeat(MiB - 4)}`);
    for (const text of texts) agentEvent({ kind: 'text', text });
    agentEvent(result);
    // What a window joining now would get is bounded as well.
    const live = recorder.liveEvents(SID) ?? [];
    expect(JSON.stringify(live).length).toBeLessThan(MAX_EVENT_BYTES_PER_SESSION + MiB);
    await finishSession();

    expect(await storedBytes()).toBeLessThanOrEqual(MAX_EVENT_BYTES_PER_SESSION + MAX_EVENT_BYTES);
    const { events, truncated } = await recorder.eventsOf(SID);
    expect(truncated).toBe(true);
    const kept = events.filter((e): e is Extract<AgentEvent, { kind: 'text' }> => e.kind === 'text');
    expect(kept.length).toBeGreaterThan(100);
    expect(kept.every((e) => Buffer.byteLength(e.text) < MAX_EVENT_BYTES)).toBe(true);
    // Each kept text is the start of the one sent, and is followed by the marker of what it lost.
    kept.forEach((e, i) => expect(texts[i]!.startsWith(e.text)).toBe(true));
    const cuts = cutsOf(events);
    const perEvent = cuts.filter((c) => c.scope === 'event');
    expect(perEvent).toHaveLength(kept.length);
    const [session, ...more] = cuts.filter((c) => c.scope === 'session');
    expect(more).toEqual([]);
    // The marker's counts are those at the end, not those when the cap was reached.
    expect(session?.eventsNotStored).toBe(150 - kept.length);
    // Every byte sent is either stored or counted as not stored.
    const sent = texts.reduce((sum, t) => sum + Buffer.byteLength(JSON.stringify({ kind: 'text', text: t })), 0);
    const keptBytes = kept.reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e)), 0);
    const lost = cuts.reduce((sum, c) => sum + c.bytesNotStored, 0);
    expect(keptBytes + lost).toBe(sent);
    // The session still ends with its result, after the marker.
    expect(events.at(-1)).toEqual(result);
    expect(events.indexOf(session!)).toBeLessThan(events.length - 1);
  });

  it('cuts a tool call’s long input but keeps its other fields, so the call is still described', async () => {
    const content = 'é'.repeat(MiB);
    agentEvent({ kind: 'tool_use', toolUseId: 'tu1', name: 'Write', input: { file_path: '/p/big.txt', content } });
    agentEvent({ kind: 'tool_result', toolUseId: 'tu1', content: '\u0001'.repeat(MiB), isError: false });
    await finishSession();
    const { events } = await recorder.eventsOf(SID);
    expect(events.map((e) => e.kind)).toEqual(['tool_use', 'cut', 'tool_result', 'cut']);
    const [call, , output] = events as [
      Extract<AgentEvent, { kind: 'tool_use' }>,
      Cut,
      Extract<AgentEvent, { kind: 'tool_result' }>,
    ];
    expect(call.input).toMatchObject({ file_path: '/p/big.txt', content: expect.stringMatching(/^é+$/) });
    // JSON writes each \u0001 as six bytes: the stored event still fits.
    expect(Buffer.byteLength(JSON.stringify(output))).toBeLessThanOrEqual(MAX_EVENT_BYTES);
    expect(output.content.length).toBeGreaterThan(0);
    expect(await storedBytes()).toBeLessThanOrEqual(2 * MAX_EVENT_BYTES + 1024);
  });

  it('stores small events as they are, with no marker', async () => {
    agentEvent({ kind: 'text_delta', text: 'hel' });
    agentEvent({ kind: 'text', text: 'hello' });
    agentEvent(result);
    await finishSession();
    const { events, truncated } = await recorder.eventsOf(SID);
    expect(events).toEqual([{ kind: 'text', text: 'hello' }, result]);
    expect(truncated).toBe(false);
  });
});

describe('events that cannot be stored as they came', () => {
  it('stores a tool call nested 20,000 levels deep with the deep part cut, and counts one JSON cannot hold', async () => {
    const deep = JSON.parse(deeplyNestedJson(20_000)) as unknown;
    // Each would throw out of JSON.stringify; the recorder is a bus listener, and must not.
    agentEvent({ kind: 'tool_use', toolUseId: 'tu1', name: 'Write', input: { file_path: '/p/x.json', deep } });
    agentEvent({ kind: 'tool_use', toolUseId: 'tu2', name: 'Count', input: { n: 10n } });
    agentEvent(result);
    await finishSession();
    const { events } = await recorder.eventsOf(SID);
    expect(events.map((e) => e.kind)).toEqual(['tool_use', 'cut', 'result']);
    expect(events[0]).toMatchObject({ toolUseId: 'tu1', input: { file_path: '/p/x.json' } });
    expect(JSON.stringify(events[0])).toContain(NESTING_CUT);
    expect(events[1]).toEqual({ kind: 'cut', scope: 'event', bytesNotStored: 0, eventsNotStored: 1 });
  });
});
