import { describe, expect, it, vi } from 'vitest';
import type { CallOutcome } from '../../../src-main/contract/api';
import { IPC_CALL_CHANNEL } from '../../../src-main/contract/transport';
import {
  bindIpc,
  type CallerWindow,
  type InvokeEventLike,
  type IpcMainLike,
  UNKNOWN_SENDER,
} from '../../../src-main/electron/ipc';

const APP_URL = 'file:///opt/baton/out/renderer/index.html';
const OUR_CONTENTS_ID = 7;

function setUp() {
  const handlers = new Map<string, Parameters<IpcMainLike['handle']>[1]>();
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler: (channel) => void handlers.delete(channel),
  };
  const outcome: CallOutcome = { ok: true, value: { mode: 'desktop' } };
  const host = { dispatch: vi.fn(async (_method: unknown, _input: unknown): Promise<CallOutcome> => outcome) };
  const windowState = { destroyed: false };
  const window: CallerWindow = { isDestroyed: () => windowState.destroyed, webContents: { id: OUR_CONTENTS_ID } };
  const unbind = bindIpc({ ipcMain, host, window, appUrl: APP_URL });
  const invoke = (event: InvokeEventLike, payload: unknown) => {
    const handler = handlers.get(IPC_CALL_CHANNEL);
    if (!handler) throw new Error('no handler registered');
    return handler(event, payload);
  };
  return { handlers, host, windowState, outcome, unbind, invoke };
}

const fromOurPage = (over: Partial<InvokeEventLike> = {}): InvokeEventLike => ({
  sender: { id: OUR_CONTENTS_ID },
  senderFrame: { url: `${APP_URL}#/tasks`, parent: null },
  ...over,
});

describe('the IPC call handler', () => {
  it('dispatches a call from our window main frame and returns the service outcome', async () => {
    const { host, invoke, outcome } = setUp();
    const result = await invoke(fromOurPage(), { method: 'getAppInfo', input: {} });
    expect(result).toBe(outcome);
    expect(host.dispatch).toHaveBeenCalledExactlyOnceWith('getAppInfo', {});
  });

  it('refuses a subframe of our window without dispatching', async () => {
    const { host, invoke } = setUp();
    const event = fromOurPage({ senderFrame: { url: APP_URL, parent: { url: APP_URL } } });
    expect(await invoke(event, { method: 'getAppInfo', input: {} })).toEqual(UNKNOWN_SENDER);
    expect(host.dispatch).not.toHaveBeenCalled();
  });

  it('refuses our main frame once it shows a foreign page, without dispatching', async () => {
    const { host, invoke } = setUp();
    const event = fromOurPage({ senderFrame: { url: 'https://evil.example/', parent: null } });
    expect(await invoke(event, { method: 'stopTask', input: { taskId: 'a' } })).toEqual(UNKNOWN_SENDER);
    expect(host.dispatch).not.toHaveBeenCalled();
  });

  it('refuses another webContents showing the same URL, a missing frame, and a destroyed window', async () => {
    const { host, invoke, windowState } = setUp();
    const payload = { method: 'getAppInfo', input: {} };
    expect(await invoke(fromOurPage({ sender: { id: OUR_CONTENTS_ID + 1 } }), payload)).toEqual(UNKNOWN_SENDER);
    expect(await invoke(fromOurPage({ senderFrame: null }), payload)).toEqual(UNKNOWN_SENDER);
    windowState.destroyed = true;
    expect(await invoke(fromOurPage(), payload)).toEqual(UNKNOWN_SENDER);
    expect(host.dispatch).not.toHaveBeenCalled();
  });

  it('the refusal is the documented outcome', () => {
    expect(UNKNOWN_SENDER).toEqual({
      ok: false,
      error: { code: 'unavailable', message: 'refused: unknown sender', issues: [] },
    });
  });

  it('rejects a payload that is not an object as invalid_input, without dispatching', async () => {
    const { host, invoke } = setUp();
    for (const payload of [undefined, null, 'getAppInfo', 42, ['getAppInfo', {}]]) {
      const result = await invoke(fromOurPage(), payload);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.error.code).toBe('invalid_input');
    }
    expect(host.dispatch).not.toHaveBeenCalled();
  });

  it('leaves method and input checks to the service, passing exactly what was sent', async () => {
    const { host, invoke } = setUp();
    const unknown: CallOutcome = {
      ok: false,
      error: { code: 'unknown_method', message: 'no such method: x', issues: [] },
    };
    host.dispatch.mockResolvedValueOnce(unknown);
    const result = await invoke(fromOurPage(), { method: 'x' });
    expect(result).toEqual(unknown);
    expect(host.dispatch).toHaveBeenCalledExactlyOnceWith('x', undefined);
  });

  it('turns an endpoint that throws into an internal outcome rather than a rejected invoke', async () => {
    const { host, invoke } = setUp();
    host.dispatch.mockRejectedValueOnce(new Error('database is closed'));
    expect(await invoke(fromOurPage(), { method: 'getAppInfo', input: {} })).toEqual({
      ok: false,
      error: { code: 'internal', message: 'database is closed', issues: [] },
    });
  });

  it('registers on the contract channel only, and its removal unregisters it', () => {
    const { handlers, unbind } = setUp();
    expect([...handlers.keys()]).toEqual([IPC_CALL_CHANNEL]);
    unbind();
    expect(handlers.size).toBe(0);
  });
});
