import { describe, expect, it, vi } from 'vitest';
import { IPC_CHANNEL } from '../../../src-main/contract/transport';
import {
  type IpcEventLike,
  type IpcMainLike,
  isTrustedSender,
  relayContract,
  type RelayWindow,
} from '../../../src-main/electron/ipc';
import { portPair } from '../../support/rpc';

const APP_URL = 'file:///opt/baton/out/renderer/index.html';
const OUR_CONTENTS_ID = 7;

function setUp() {
  const listeners = new Map<string, Parameters<IpcMainLike['on']>[1]>();
  const ipcMain: IpcMainLike = {
    on: (channel, listener) => {
      if (listeners.has(channel)) throw new Error(`second listener for ${channel}`);
      listeners.set(channel, listener);
    },
    removeListener: (channel, listener) => {
      if (listeners.get(channel) === listener) listeners.delete(channel);
    },
  };
  const [service, worker] = portPair();
  const windowState = { destroyed: false };
  const send = vi.fn();
  const window: RelayWindow = {
    isDestroyed: () => windowState.destroyed,
    webContents: { id: OUR_CONTENTS_ID, send },
  };
  const log = vi.fn();
  const unbind = relayContract({ ipcMain, window, appUrl: APP_URL, service, log });
  const fromWindow = (event: IpcEventLike, message: unknown) => {
    const listener = listeners.get(IPC_CHANNEL);
    if (!listener) throw new Error('no listener registered');
    listener(event, message);
  };
  return { listeners, worker, windowState, send, log, unbind, fromWindow };
}

const fromOurPage = (over: Partial<IpcEventLike> = {}): IpcEventLike => ({
  sender: { id: OUR_CONTENTS_ID },
  senderFrame: { url: `${APP_URL}#/tasks`, parent: null },
  ...over,
});

const request = { type: 'request', id: 'a:0', method: 'getAppInfo', params: {} };

describe('the IPC relay', () => {
  it("relays what our window's main frame sends to the service, as it is, whatever it is", () => {
    const { worker, fromWindow, log } = setUp();
    for (const message of [request, { method: 'x' }, 'getAppInfo', 42, null, ['getAppInfo', {}]])
      fromWindow(fromOurPage(), message);
    expect(worker.received).toEqual([request, { method: 'x' }, 'getAppInfo', 42, null, ['getAppInfo', {}]]);
    expect(log).not.toHaveBeenCalled();
  });

  it('relays what the service sends to the window, while it is alive', () => {
    const { worker, send, windowState } = setUp();
    const response = { type: 'response', id: 'a:0', outcome: { ok: true, value: { mode: 'desktop' } } };
    worker.postMessage(response);
    expect(send).toHaveBeenCalledExactlyOnceWith(IPC_CHANNEL, response);
    windowState.destroyed = true;
    worker.postMessage(response);
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('refuses a subframe of our window, and our main frame once it shows a foreign page', () => {
    const { worker, fromWindow, log } = setUp();
    fromWindow(fromOurPage({ senderFrame: { url: APP_URL, parent: { url: APP_URL } } }), request);
    fromWindow(fromOurPage({ senderFrame: { url: 'https://evil.example/', parent: null } }), request);
    expect(worker.received).toEqual([]);
    expect(log).toHaveBeenCalledTimes(2);
    expect(log).toHaveBeenCalledWith('baton: refused a message from an unknown sender');
  });

  it('refuses another webContents showing the same URL, a missing frame, and a destroyed window', () => {
    const { worker, fromWindow, windowState } = setUp();
    fromWindow(fromOurPage({ sender: { id: OUR_CONTENTS_ID + 1 } }), request);
    fromWindow(fromOurPage({ senderFrame: null }), request);
    windowState.destroyed = true;
    fromWindow(fromOurPage(), request);
    expect(worker.received).toEqual([]);
  });

  it('logs a message it cannot relay to a service that has gone, rather than throw into Electron', () => {
    const { worker, fromWindow, log } = setUp();
    worker.close();
    expect(() => fromWindow(fromOurPage(), request)).not.toThrow();
    expect(log).toHaveBeenCalledExactlyOnceWith(
      'baton: could not relay a message to the service: the channel is closed',
    );
  });

  it('listens on the contract channel only, and its removal stops both directions', () => {
    const { listeners, unbind, worker, send } = setUp();
    expect([...listeners.keys()]).toEqual([IPC_CHANNEL]);
    unbind();
    expect(listeners.size).toBe(0);
    worker.postMessage(request);
    expect(send).not.toHaveBeenCalled();
  });

  it('trusts only our own top frame', () => {
    const window = { isDestroyed: () => false, webContents: { id: OUR_CONTENTS_ID } };
    expect(isTrustedSender(fromOurPage(), window, APP_URL)).toBe(true);
    expect(isTrustedSender(fromOurPage({ senderFrame: null }), window, APP_URL)).toBe(false);
  });
});
