import { describe, expect, it, vi } from 'vitest';
import { type CallOutcome, failure } from '../../src-main/contract/api';
import { channel, PeerClosedError, RpcPeer } from '../../src-main/contract/rpc-peer';
import { portPair } from '../support/rpc';

const ok = (value: unknown): CallOutcome => ({ ok: true, value });

describe('the rpc peer', () => {
  it("answers each request with its handler's outcome, by id, in whatever order they finish", async () => {
    const [a, b] = portPair();
    let finishSlow!: () => void;
    const slow = new Promise<void>((resolve) => (finishSlow = resolve));
    new RpcPeer(b, {
      request: async (method, params) => {
        if (method === 'slow') await slow;
        return ok({ method, params });
      },
    });
    const peer = new RpcPeer(a);
    const first = peer.request('slow', 1);
    const second = peer.request('fast', { n: 2 });
    expect(await second).toEqual(ok({ method: 'fast', params: { n: 2 } }));
    finishSlow();
    expect(await first).toEqual(ok({ method: 'slow', params: 1 }));
    expect(b.received).toEqual([
      { type: 'request', id: expect.any(String), method: 'slow', params: 1 },
      { type: 'request', id: expect.any(String), method: 'fast', params: { n: 2 } },
    ]);
  });

  it('answers unknown_method without a handler, and internal when the handler throws', async () => {
    const [a, b] = portPair();
    new RpcPeer(b);
    const [c, d] = portPair();
    new RpcPeer(d, {
      request: () => {
        throw new Error('the handler broke');
      },
    });
    expect(await new RpcPeer(a).request('anything')).toEqual(failure('unknown_method', 'no such method: anything'));
    expect(await new RpcPeer(c).request('anything')).toEqual(failure('internal', 'the handler broke'));
  });

  it('hands notifications to their handler, and keeps going when it throws', () => {
    const [a, b] = portPair();
    const log = vi.fn();
    const seen: unknown[] = [];
    new RpcPeer(b, {
      notification: (method, params) => {
        if (method === 'bad') throw new Error('listener broke');
        seen.push([method, params]);
      },
      log,
    });
    const peer = new RpcPeer(a);
    peer.notify('bad');
    peer.notify('event', { seq: 1 });
    expect(seen).toEqual([['event', { seq: 1 }]]);
    expect(log).toHaveBeenCalledExactlyOnceWith("a bad notification's handler failed: listener broke");
  });

  it('gives a second peer on the same port none of the first one’s answers, as a reloaded window', async () => {
    const [a, b] = portPair();
    const answers: Array<() => void> = [];
    new RpcPeer(b, { request: (method) => new Promise((resolve) => answers.push(() => resolve(ok(method)))) });
    const oldPage = new RpcPeer(a);
    const stale = oldPage.request('old');
    oldPage.close('the page reloaded');
    const newPage = new RpcPeer(a);
    const fresh = newPage.request('new');
    answers[0]!();
    answers[1]!();
    await expect(stale).rejects.toThrow('the page reloaded before old answered');
    expect(await fresh).toEqual(ok('new'));
  });

  it('logs and ignores what is not its envelope, answers a request it cannot read, and settles a malformed answer', async () => {
    const [a, b] = portPair();
    const log = vi.fn();
    const peer = new RpcPeer(a, { log });
    for (const junk of [null, 'text', 7, {}, { type: 'request' }, { type: 'notification' }, { type: 'response' }])
      b.postMessage(junk);
    expect(log).toHaveBeenCalledTimes(7);
    b.postMessage({ type: 'request', id: 3 });
    expect(b.received.at(-1)).toEqual({
      type: 'response',
      id: 3,
      outcome: failure('invalid_input', 'malformed request: it names no method'),
    });

    const asked = peer.request('getAppInfo');
    const { id } = b.received.at(-1) as { id: string };
    b.postMessage({ type: 'response', id, outcome: { ok: false, error: { code: 'exploded' } } });
    expect(await asked).toEqual(failure('internal', 'a malformed answer to getAppInfo'));
  });

  it('rejects what waits, and what is asked later, once closed, by its port or by its owner', async () => {
    const [a, b] = portPair();
    new RpcPeer(b, { request: () => new Promise(() => {}) });
    const peer = new RpcPeer(a);
    const waiting = peer.request('listTasks');
    a.close('the process exited');
    await expect(waiting).rejects.toThrow(new PeerClosedError('the process exited before listTasks answered'));
    await expect(peer.request('listTasks')).rejects.toThrow('the process exited');
    expect(peer.closed).toBe(true);
  });

  it('rejects a request it cannot send, with why', async () => {
    const peer = new RpcPeer({
      postMessage: () => {
        throw new Error('could not be cloned');
      },
      onMessage: () => () => {},
    });
    await expect(peer.request('launchTask', {})).rejects.toThrow('could not send launchTask: could not be cloned');
  });
});

describe('channel', () => {
  it('carries its messages wrapped in its name, and hears only its own', () => {
    const [a, b] = portPair();
    const control = channel(a, 'control');
    const heard = vi.fn();
    control.onMessage(heard);
    control.postMessage({ x: 1 });
    expect(b.received).toEqual([{ channel: 'control', message: { x: 1 } }]);
    b.postMessage({ channel: 'contract', message: 'not mine' });
    b.postMessage('no channel');
    b.postMessage({ channel: 'control', message: 'mine' });
    expect(heard.mock.calls).toEqual([['mine']]);
  });
});
