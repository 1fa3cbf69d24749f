import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BatonEvent } from '../../src-main/contract/events';
import { BatonCallError } from '../../src-renderer/errors';
import type { ConnectionState } from '../../src-renderer/transport/transport';
import { createWsTransport, wsUrlFor, type SocketLike } from '../../src-renderer/transport/ws-transport';

/** A WebSocket the test drives: it records what was sent and opens, answers and closes on command. */
class FakeSocket implements SocketLike {
  static instances: FakeSocket[] = [];
  readonly sent: { type: string; id: string; method: string; params: unknown }[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code?: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  send(data: string) {
    if (this.closed) throw new Error('socket is closed');
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.closed = true;
  }
  open() {
    this.onopen?.();
  }
  receive(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  hello() {
    this.receive({ type: 'notification', method: 'hello', params: { serverStartedAt: 1 } });
  }
  /** Answers the request this socket sent for `method`, with the id it was sent with. */
  answer(method: string, outcome: unknown) {
    const request = this.sent.find((message) => message.method === method);
    if (!request) throw new Error(`no ${method} was sent`);
    this.receive({ type: 'response', id: request.id, outcome });
  }
  event(params: unknown) {
    this.receive({ type: 'notification', method: 'event', params });
  }
  /** Closed by the other side, with the WebSocket close code (1006: abnormal, no close frame). */
  drop(code = 1006) {
    this.closed = true;
    this.onerror?.();
    this.onclose?.({ code });
  }
}

const latest = () => FakeSocket.instances[FakeSocket.instances.length - 1]!;

function connect(
  options: { initialDelayMs?: number; maxDelayMs?: number; tokenAccepted?: () => Promise<boolean> } = {},
) {
  return createWsTransport({ url: 'ws://127.0.0.1:4000/ws', WebSocketImpl: FakeSocket, ...options });
}

/** What a transport tells its listeners: its states in order, and its resyncs. */
function watch(transport: ReturnType<typeof connect>) {
  const states: ConnectionState[] = [];
  transport.onStateChange((s) => states.push(s));
  const resync = vi.fn();
  transport.onResync(resync);
  return { states, resync };
}

beforeEach(() => {
  FakeSocket.instances = [];
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the WebSocket transport', () => {
  it('builds the URL on the page origin', () => {
    expect(wsUrlFor({ protocol: 'http:', host: '127.0.0.1:4123' })).toBe('ws://127.0.0.1:4123/ws');
    expect(wsUrlFor({ protocol: 'https:', host: 'example.test' })).toBe('wss://example.test/ws');
  });

  it('queues calls made while connecting and sends them once open', async () => {
    const transport = connect();
    expect(transport.getState()).toBe('connecting');
    const first = transport.call('listTasks', { limit: 5 });
    const second = transport.call('getAppInfo', {});
    const socket = latest();
    expect(socket.url).toBe('ws://127.0.0.1:4000/ws');
    expect(socket.sent).toEqual([]);

    socket.open();
    expect(transport.getState()).toBe('open');
    expect(socket.sent).toEqual([
      { type: 'request', id: expect.any(String), method: 'listTasks', params: { limit: 5 } },
      { type: 'request', id: expect.any(String), method: 'getAppInfo', params: {} },
    ]);

    // Answers may come in any order; each resolves its own call.
    socket.answer('getAppInfo', { ok: true, value: { mode: 'browser' } });
    socket.answer('listTasks', { ok: true, value: { tasks: [], total: 0 } });
    await expect(second).resolves.toEqual({ ok: true, value: { mode: 'browser' } });
    await expect(first).resolves.toEqual({ ok: true, value: { tasks: [], total: 0 } });
  });

  it('delivers error outcomes as outcomes, with their code', async () => {
    const transport = connect();
    latest().open();
    const call = transport.call('getTask', { taskId: 'nope' });
    latest().answer('getTask', { ok: false, error: { code: 'not_found', message: 'no task with id nope' } });
    await expect(call).resolves.toEqual({
      ok: false,
      error: { code: 'not_found', message: 'no task with id nope', issues: [] },
    });
  });

  it('delivers the issues of an error outcome, checked against the contract', async () => {
    const transport = connect();
    latest().open();
    const issues = [{ path: ['dir'], message: 'no such directory: /nope' }];
    const good = transport.call('launchTask', { dir: '/nope', prompt: 'x' });
    latest().answer('launchTask', {
      ok: false,
      error: { code: 'invalid_input', message: 'dir: no such directory: /nope', issues },
    });
    await expect(good).resolves.toEqual({
      ok: false,
      error: { code: 'invalid_input', message: 'dir: no such directory: /nope', issues },
    });
    latest().sent.length = 0;
    const bad = transport.call('launchTask', { dir: '/nope', prompt: 'x' });
    latest().answer('launchTask', {
      ok: false,
      error: { code: 'invalid_input', message: 'broken', issues: [{ path: 'dir' }] },
    });
    // Issues that are not the contract's are not passed on as field errors; the code and message still are.
    await expect(bad).resolves.toEqual({ ok: false, error: { code: 'invalid_input', message: 'broken', issues: [] } });
    const odd = transport.call('getAppInfo', {});
    latest().answer('getAppInfo', { ok: false, error: { code: 'weird', message: 'odd' } });
    await expect(odd).resolves.toEqual({ ok: false, error: { code: 'internal', message: 'odd', issues: [] } });
  });

  it('passes events with their seq to subscribers and ignores junk', () => {
    const transport = connect();
    const seen: [BatonEvent, number][] = [];
    const unsubscribe = transport.subscribe((e, seq) => seen.push([e, seq]));
    latest().open();
    const event: BatonEvent = { type: 'task.started', taskId: 't1' };
    latest().event({ seq: 7, event });
    // An event without its seq cannot be placed: dropped, and the gap it leaves is caught up.
    latest().event({ event });
    latest().onmessage?.({ data: 'not json' });
    latest().receive({ type: 'response', id: 'nobody', outcome: { ok: true, value: 1 } });
    unsubscribe();
    latest().event({ seq: 8, event: { type: 'task.started', taskId: 't2' } });
    expect(seen).toEqual([[event, 7]]);
  });

  it('rejects in-flight calls when the connection drops, then reconnects with backoff and resyncs', async () => {
    const transport = connect({ initialDelayMs: 100, maxDelayMs: 5000 });
    const { states, resync } = watch(transport);

    latest().open();
    latest().hello();
    expect(resync).not.toHaveBeenCalled(); // The first hello is the initial connection, not a reconnect.

    const inFlight = transport.call('getLiveState', {});
    latest().drop();
    const error = await inFlight.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BatonCallError);
    expect((error as BatonCallError).code).toBe('unavailable');
    expect((error as BatonCallError).message).toMatch(/connection to Baton was lost before getLiveState answered/);
    expect(transport.getState()).toBe('reconnecting');

    // A call made while disconnected waits for the next connection instead of failing.
    const waiting = transport.call('listProjects', {});
    expect(FakeSocket.instances).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(99);
    expect(FakeSocket.instances).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.instances).toHaveLength(2);

    latest().open();
    expect(latest().sent).toEqual([{ type: 'request', id: expect.any(String), method: 'listProjects', params: {} }]);
    latest().hello();
    expect(resync).toHaveBeenCalledTimes(1);
    latest().answer('listProjects', { ok: true, value: [] });
    await expect(waiting).resolves.toEqual({ ok: true, value: [] });
    expect(states).toEqual(['open', 'reconnecting', 'open']);
  });

  it('says the token is refused when Baton answers but refuses it (a restart), and reconnects once it is taken', async () => {
    let accepted = false;
    const asked: number[] = [];
    const transport = connect({
      initialDelayMs: 100,
      maxDelayMs: 100,
      tokenAccepted: async () => {
        asked.push(FakeSocket.instances.length);
        return accepted;
      },
    });
    const { states, resync } = watch(transport);
    latest().open();
    latest().hello();

    // Baton stops: the open connection drops, which says nothing of the token.
    latest().drop();
    expect(asked).toEqual([]);
    // Baton is back with a new token: the upgrade is refused, and a socket never opens.
    await vi.advanceTimersByTimeAsync(100);
    latest().drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(asked).toEqual([2]);
    expect(transport.getState()).toBe('refused');
    // It keeps trying, and stays refused meanwhile.
    await vi.advanceTimersByTimeAsync(100);
    latest().drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(transport.getState()).toBe('refused');

    // The new address is opened in another tab: its cookie is this page's too, and the next attempt opens.
    accepted = true;
    const waiting = transport.call('listProjects', {});
    await vi.advanceTimersByTimeAsync(100);
    latest().open();
    latest().hello();
    expect(transport.getState()).toBe('open');
    expect(resync).toHaveBeenCalledTimes(1);
    expect(latest().sent.map((m) => m.method)).toEqual(['listProjects']);
    latest().answer('listProjects', { ok: true, value: [] });
    await expect(waiting).resolves.toEqual({ ok: true, value: [] });
    expect(states).toEqual(['open', 'reconnecting', 'refused', 'open']);
    transport.close();
  });

  it('says it is reconnecting, not refused, while Baton cannot be reached at all', async () => {
    const transport = connect({
      initialDelayMs: 100,
      tokenAccepted: () => Promise.reject(new TypeError('Failed to fetch')),
    });
    latest().drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(transport.getState()).toBe('reconnecting');
    transport.close();
  });

  it('doubles the delay per failed attempt up to the cap, and resets it after a success', async () => {
    const transport = connect({ initialDelayMs: 100, maxDelayMs: 500 });
    latest().drop();
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = FakeSocket.instances.length;
      let waited = 0;
      while (FakeSocket.instances.length === before) {
        await vi.advanceTimersByTimeAsync(10);
        waited += 10;
      }
      delays.push(waited);
      latest().drop();
    }
    expect(delays).toEqual([100, 200, 400, 500, 500]);

    await vi.advanceTimersByTimeAsync(500);
    latest().open();
    latest().drop();
    const before = FakeSocket.instances.length;
    await vi.advanceTimersByTimeAsync(100);
    expect(FakeSocket.instances.length).toBe(before + 1);
    transport.close();
  });

  it('close() stops reconnecting and rejects pending calls', async () => {
    const transport = connect({ initialDelayMs: 100 });
    const queued = transport.call('getAppInfo', {});
    transport.close();
    await expect(queued).rejects.toThrow(/closed before getAppInfo was sent/);
    await expect(transport.call('getAppInfo', {})).rejects.toMatchObject({ code: 'unavailable' });
    expect(latest().closed).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeSocket.instances).toHaveLength(1);
    expect(transport.getState()).toBe('closed');
  });

  it('ignores a stale socket closing after a new one took over', async () => {
    const transport = connect({ initialDelayMs: 10 });
    const first = latest();
    first.open();
    first.drop();
    await vi.advanceTimersByTimeAsync(10);
    latest().open();
    first.onclose?.({ code: 1006 });
    expect(transport.getState()).toBe('open');
  });

  it('says a message was too big when the server closes with 1009, and reconnects', async () => {
    const transport = connect({ initialDelayMs: 10 });
    latest().open();
    const launch = transport.call('launchTask', { prompt: 'x'.repeat(100) });
    latest().drop(1009);
    await expect(launch).rejects.toThrow(
      'Baton refused a message over its size limit and closed the connection before launchTask answered',
    );
    await vi.advanceTimersByTimeAsync(10);
    expect(FakeSocket.instances).toHaveLength(2);
    transport.close();
  });
});
