import { describe, expect, it, vi } from 'vitest';
import type { BatonEvent } from '../../../src-main/contract/events';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../../../src-main/contract/transport';
import { createBridge, type IpcRendererLike } from '../../../src-main/electron/bridge';

type Listener = Parameters<IpcRendererLike['on']>[1];

/** An ipcRenderer stand-in that keeps its listeners and can emit like main's webContents.send. */
function fakeIpcRenderer() {
  const listeners = new Map<string, Set<Listener>>();
  const ipc = {
    invoke: vi.fn(async (_channel: string, ..._args: unknown[]): Promise<unknown> => ({ ok: true, value: 1 })),
    on: vi.fn((channel: string, listener: Listener) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(listener);
      return ipc;
    }),
    removeListener: vi.fn((channel: string, listener: Listener) => {
      listeners.get(channel)?.delete(listener);
      return ipc;
    }),
    /** What Electron passes first: an IpcRendererEvent with the sender and ports. */
    rawEvent: { sender: 'the raw ipcRenderer', ports: [] as unknown[], senderId: 0 },
    emit(channel: string, payload: unknown) {
      for (const listener of listeners.get(channel) ?? []) listener(ipc.rawEvent, payload);
    },
    count: (channel: string) => listeners.get(channel)?.size ?? 0,
  };
  return ipc satisfies IpcRendererLike;
}

const started: BatonEvent = { type: 'task.started', taskId: 't1' };

describe('the preload bridge', () => {
  it('exposes exactly call and subscribe, and nothing of ipcRenderer', () => {
    const ipc = fakeIpcRenderer();
    const bridge = createBridge(ipc);
    expect(Object.keys(bridge).sort()).toEqual(['call', 'subscribe']);
    expect(typeof bridge.call).toBe('function');
    expect(typeof bridge.subscribe).toBe('function');
    const exposed = Object.values(bridge) as unknown[];
    for (const leak of [ipc, ipc.invoke, ipc.on, ipc.removeListener]) expect(exposed).not.toContain(leak);
  });

  it('uses the contract channel names', () => {
    // bridge.ts copies them so the preload never loads the contract module at run time.
    const ipc = fakeIpcRenderer();
    const bridge = createBridge(ipc);
    void bridge.call('getAppInfo', {});
    const unsubscribe = bridge.subscribe(() => {});
    expect(ipc.invoke.mock.calls[0]?.[0]).toBe(IPC_CALL_CHANNEL);
    expect(ipc.on.mock.calls[0]?.[0]).toBe(IPC_EVENT_CHANNEL);
    unsubscribe();
  });

  it('call invokes the call channel with { method, input } and resolves with the outcome', async () => {
    const ipc = fakeIpcRenderer();
    ipc.invoke.mockResolvedValueOnce({ ok: true, value: { stopped: true } });
    const result = await createBridge(ipc).call('stopTask', { taskId: 't1' });
    expect(ipc.invoke).toHaveBeenCalledExactlyOnceWith(IPC_CALL_CHANNEL, {
      method: 'stopTask',
      input: { taskId: 't1' },
    });
    expect(result).toEqual({ ok: true, value: { stopped: true } });
  });

  it('call resolves a failed invoke as an unavailable outcome instead of rejecting', async () => {
    const ipc = fakeIpcRenderer();
    ipc.invoke.mockRejectedValueOnce(new Error("No handler registered for 'baton:call'"));
    expect(await createBridge(ipc).call('getAppInfo', {})).toEqual({
      ok: false,
      error: { code: 'unavailable', message: "No handler registered for 'baton:call'", issues: [] },
    });
  });

  it('subscribe hands the listener only the Baton event and its seq, never the IpcRendererEvent', () => {
    const ipc = fakeIpcRenderer();
    const listener = vi.fn();
    createBridge(ipc).subscribe(listener);
    ipc.emit(IPC_EVENT_CHANNEL, { seq: 1, event: started });
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener.mock.calls[0]).toEqual([started, 1]);
    expect(listener.mock.calls[0]).not.toContain(ipc.rawEvent);
  });

  it("subscribe's unsubscribe removes exactly that listener", () => {
    const ipc = fakeIpcRenderer();
    const bridge = createBridge(ipc);
    const first = vi.fn();
    const second = vi.fn();
    const unsubscribeFirst = bridge.subscribe(first);
    bridge.subscribe(second);
    expect(ipc.count(IPC_EVENT_CHANNEL)).toBe(2);

    unsubscribeFirst();
    expect(ipc.count(IPC_EVENT_CHANNEL)).toBe(1);
    ipc.emit(IPC_EVENT_CHANNEL, { seq: 1, event: started });
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledExactlyOnceWith(started, 1);

    // Calling it again is harmless and removes nothing else.
    unsubscribeFirst();
    expect(ipc.count(IPC_EVENT_CHANNEL)).toBe(1);
  });

  it('the same listener subscribed twice is removed once per unsubscribe', () => {
    const ipc = fakeIpcRenderer();
    const bridge = createBridge(ipc);
    const listener = vi.fn();
    const unsubscribeA = bridge.subscribe(listener);
    bridge.subscribe(listener);
    unsubscribeA();
    ipc.emit(IPC_EVENT_CHANNEL, { seq: 1, event: started });
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('ignores other channels', () => {
    const ipc = fakeIpcRenderer();
    const listener = vi.fn();
    createBridge(ipc).subscribe(listener);
    ipc.emit('some:other', started);
    expect(listener).not.toHaveBeenCalled();
  });
});
