import { describe, expect, it, vi } from 'vitest';
import type { CallOutcome } from '../../src-main/contract/api';
import type { BatonEvent } from '../../src-main/contract/events';
import type { BatonBridge } from '../../src-main/contract/transport';
import { BatonCallError } from '../../src-renderer/errors';
import { createIpcTransport } from '../../src-renderer/transport/ipc-transport';
import { selectTransport } from '../../src-renderer/transport/select-transport';

function fakeBridge() {
  const listeners = new Set<(e: BatonEvent) => void>();
  const bridge = {
    call: vi.fn(async (method: string, input: unknown): Promise<CallOutcome> => {
      if (method === 'getTask') return { ok: false, error: { code: 'not_found', message: 'no such task', issues: [] } };
      return { ok: true, value: { method, input } };
    }),
    subscribe: vi.fn((listener: (e: BatonEvent) => void) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    }),
    emit(event: BatonEvent) {
      for (const l of listeners) l(event);
    },
    listeners,
  };
  return bridge;
}

describe('the IPC transport', () => {
  it('forwards calls to window.baton and returns their outcomes unchanged', async () => {
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
    expect(bridge.call).toHaveBeenCalledWith('listTasks', { limit: 3 });
    expect(transport.getState()).toBe('open');
  });

  it('turns a bridge failure into a coded error', async () => {
    const bridge = fakeBridge();
    bridge.call.mockRejectedValueOnce(new Error('IPC channel closed'));
    const transport = createIpcTransport(bridge);
    const error = await transport.call('getAppInfo', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatonCallError);
    expect(error).toMatchObject({ code: 'unavailable', message: expect.stringContaining('IPC channel closed') });
  });

  it('relays events and unsubscribes, also on close', () => {
    const bridge = fakeBridge();
    const transport = createIpcTransport(bridge);
    const a: BatonEvent[] = [];
    const b: BatonEvent[] = [];
    const stopA = transport.subscribe((e) => a.push(e));
    transport.subscribe((e) => b.push(e));
    bridge.emit({ type: 'task.started', taskId: '1' });
    stopA();
    bridge.emit({ type: 'task.started', taskId: '2' });
    transport.close();
    bridge.emit({ type: 'task.started', taskId: '3' });
    expect(a.map((e) => e.type === 'task.started' && e.taskId)).toEqual(['1']);
    expect(b.map((e) => e.type === 'task.started' && e.taskId)).toEqual(['1', '2']);
    expect(bridge.listeners.size).toBe(0);
    expect(transport.getState()).toBe('closed');
  });
});

describe('selectTransport', () => {
  it('uses window.baton when the preload exposed it', async () => {
    const bridge = fakeBridge();
    const transport = selectTransport(Object.assign(Object.create(window) as Window, { baton: bridge as BatonBridge }));
    await transport.call('getAppInfo', {});
    expect(bridge.call).toHaveBeenCalledWith('getAppInfo', {});
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
