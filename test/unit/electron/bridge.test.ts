import { describe, expect, it, vi } from 'vitest';
import { IPC_CHANNEL } from '../../../src-main/contract/transport';
import { createBridge, type IpcRendererLike } from '../../../src-main/electron/bridge';

type Listener = Parameters<IpcRendererLike['on']>[1];

/** An ipcRenderer stand-in that keeps its listeners and can emit like main's webContents.send. */
function fakeIpcRenderer() {
  const listeners = new Map<string, Set<Listener>>();
  const ipc = {
    send: vi.fn((_channel: string, ..._args: unknown[]) => {}),
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

const request = { type: 'request', id: 'a:0', method: 'stopTask', params: { taskId: 't1' } };
const response = { type: 'response', id: 'a:0', outcome: { ok: true, value: { stopped: true } } };

describe('the preload bridge', () => {
  it('exposes exactly postMessage and onMessage, and nothing of ipcRenderer', () => {
    const ipc = fakeIpcRenderer();
    const bridge = createBridge(ipc);
    expect(Object.keys(bridge).sort()).toEqual(['onMessage', 'postMessage']);
    const exposed = Object.values(bridge) as unknown[];
    for (const leak of [ipc, ipc.send, ipc.on, ipc.removeListener]) expect(exposed).not.toContain(leak);
  });

  it('posts each message as it is on the contract channel', () => {
    // bridge.ts copies the channel name so the preload never loads the contract module at run time.
    const ipc = fakeIpcRenderer();
    createBridge(ipc).postMessage(request);
    expect(ipc.send).toHaveBeenCalledExactlyOnceWith(IPC_CHANNEL, request);
  });

  it('lets a failed send throw, for the peer to reject its request with', () => {
    const ipc = fakeIpcRenderer();
    ipc.send.mockImplementationOnce(() => {
      throw new Error('An object could not be cloned.');
    });
    expect(() => createBridge(ipc).postMessage(request)).toThrow('An object could not be cloned.');
  });

  it('hands the listener only the message, never the IpcRendererEvent', () => {
    const ipc = fakeIpcRenderer();
    const listener = vi.fn();
    createBridge(ipc).onMessage(listener);
    ipc.emit(IPC_CHANNEL, response);
    expect(listener.mock.calls).toEqual([[response]]);
  });

  it("onMessage's removal removes exactly that listener, once", () => {
    const ipc = fakeIpcRenderer();
    const bridge = createBridge(ipc);
    const first = vi.fn();
    const second = vi.fn();
    const removeFirst = bridge.onMessage(first);
    bridge.onMessage(second);
    expect(ipc.count(IPC_CHANNEL)).toBe(2);

    removeFirst();
    expect(ipc.count(IPC_CHANNEL)).toBe(1);
    ipc.emit(IPC_CHANNEL, response);
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledExactlyOnceWith(response);

    // Calling it again is harmless and removes nothing else.
    removeFirst();
    expect(ipc.count(IPC_CHANNEL)).toBe(1);
  });

  it('the same listener added twice is removed once per removal', () => {
    const ipc = fakeIpcRenderer();
    const bridge = createBridge(ipc);
    const listener = vi.fn();
    const removeA = bridge.onMessage(listener);
    bridge.onMessage(listener);
    removeA();
    ipc.emit(IPC_CHANNEL, response);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('ignores other channels', () => {
    const ipc = fakeIpcRenderer();
    const listener = vi.fn();
    createBridge(ipc).onMessage(listener);
    ipc.emit('some:other', response);
    expect(listener).not.toHaveBeenCalled();
  });
});
