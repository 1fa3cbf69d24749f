import { describe, expect, it, vi } from 'vitest';
import type { CallOutcome } from '../../src-main/contract/api';
import type { BatonEvent } from '../../src-main/contract/events';
import { RpcPeer } from '../../src-main/contract/rpc-peer';
import type { BatonBridge } from '../../src-main/contract/transport';
import { BatonCallError } from '../../src-renderer/errors';
import { createIpcTransport } from '../../src-renderer/transport/ipc-transport';
import { selectTransport } from '../../src-renderer/transport/select-transport';
import { portPair } from '../support/rpc';

/** A preload bridge whose other end is a service peer that echoes calls, and can publish events. */
function fakeBridge() {
  const [window, service] = portPair();
  const servicePeer = new RpcPeer(service, {
    request: async (method, input): Promise<CallOutcome> => {
      if (method === 'getTask') return { ok: false, error: { code: 'not_found', message: 'no such task', issues: [] } };
      return { ok: true, value: { method, input } };
    },
  });
  const listeners = new Set<unknown>();
  const bridge = {
    postMessage: vi.fn((message: unknown) => window.postMessage(message)),
    onMessage: vi.fn((listener: (message: unknown) => void) => {
      listeners.add(listener);
      const remove = window.onMessage(listener);
      return () => {
        listeners.delete(listener);
        remove();
      };
    }),
    emit: (event: BatonEvent, seq: number) => servicePeer.notify('event', { seq, event }),
    listeners,
  } satisfies BatonBridge & Record<string, unknown>;
  return bridge;
}

describe('the IPC transport', () => {
  it('makes calls through a peer over window.baton and returns their outcomes unchanged', async () => {
    const bridge = fakeBridge();
    const transport = createIpcTransport(bridge);
    await expect(transport.call('listTasks', { limit: 3 })).resolves.toEqual({
      ok: true,
      value: { method: 'listTasks', input: { limit: 3 } },
    });
    await expect(transport.call('getTask', { taskId: 'x' })).resolves.toEqual({
      ok: false,
      error: { code: 'not_found', message: 'no such task', issues: [] },
    });
    expect(bridge.postMessage).toHaveBeenCalledWith({
      type: 'request',
      id: expect.any(String),
      method: 'listTasks',
      params: { limit: 3 },
    });
    expect(transport.getState()).toBe('open');
  });

  it('turns a bridge failure into a coded error', async () => {
    const bridge = fakeBridge();
    bridge.postMessage.mockImplementationOnce(() => {
      throw new Error('IPC channel closed');
    });
    const transport = createIpcTransport(bridge);
    const error = await transport.call('getAppInfo', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatonCallError);
    expect(error).toMatchObject({ code: 'unavailable', message: expect.stringContaining('IPC channel closed') });
  });

  it('relays events with their seq and unsubscribes, also on close', () => {
    const bridge = fakeBridge();
    const transport = createIpcTransport(bridge);
    const a: [BatonEvent, number][] = [];
    const b: [BatonEvent, number][] = [];
    const stopA = transport.subscribe((e, seq) => a.push([e, seq]));
    transport.subscribe((e, seq) => b.push([e, seq]));
    const started = (taskId: string): BatonEvent => ({ type: 'task.started', taskId });
    bridge.emit(started('1'), 1);
    stopA();
    bridge.emit(started('2'), 2);
    transport.close();
    bridge.emit(started('3'), 3);
    expect(a).toEqual([[started('1'), 1]]);
    expect(b).toEqual([
      [started('1'), 1],
      [started('2'), 2],
    ]);
    expect(bridge.listeners.size).toBe(0);
    expect(transport.getState()).toBe('closed');
  });
});

describe('selectTransport', () => {
  it('uses window.baton when the preload exposed it', async () => {
    const bridge = fakeBridge();
    const transport = selectTransport(Object.assign(Object.create(window) as Window, { baton: bridge as BatonBridge }));
    await transport.call('getAppInfo', {});
    expect(bridge.postMessage).toHaveBeenCalledWith(expect.objectContaining({ method: 'getAppInfo' }));
  });

  it('falls back to a WebSocket on the page origin', () => {
    const opened: string[] = [];
    class Recorder {
      onopen = null;
      onmessage = null;
      onclose = null;
      onerror = null;
      constructor(url: string) {
        opened.push(url);
      }
      send() {}
      close() {}
    }
    const original = globalThis.WebSocket;
    globalThis.WebSocket = Recorder as unknown as typeof WebSocket;
    try {
      const fakeWindow = { location: { protocol: 'http:', host: '127.0.0.1:5555' } } as unknown as Window;
      const transport = selectTransport(fakeWindow);
      expect(opened).toEqual(['ws://127.0.0.1:5555/ws']);
      transport.close();
    } finally {
      globalThis.WebSocket = original;
    }
  });
});
