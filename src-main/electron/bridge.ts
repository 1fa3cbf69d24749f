/**
 * What the preload exposes as `window.baton`. A pure factory over an
 * ipcRenderer-like object so it can be tested without Electron.
 */
import type { CallOutcome } from '../contract/api';
import type { SequencedEvent } from '../contract/events';
import type { BatonBridge, IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../contract/transport';

// Copies of the contract's channel names, checked against it by type: the
// sandboxed preload cannot load zod, which the contract module imports at run time.
const CALL_CHANNEL: typeof IPC_CALL_CHANNEL = 'baton:call';
const EVENT_CHANNEL: typeof IPC_EVENT_CHANNEL = 'baton:event';

type IpcListener = (event: unknown, ...args: unknown[]) => void;

/** The part of Electron's ipcRenderer the bridge uses; the real one is assignable to it. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: IpcListener): unknown;
  removeListener(channel: string, listener: IpcListener): unknown;
}

export function createBridge(ipc: IpcRendererLike): BatonBridge {
  return {
    async call(method, input) {
      try {
        return (await ipc.invoke(CALL_CHANNEL, { method, input })) as CallOutcome;
      } catch (error) {
        // Every failure reaches the renderer as a CallOutcome, never as a rejection.
        const message = (error as Error).message ?? String(error);
        return { ok: false, error: { code: 'unavailable', message, issues: [] } };
      }
    },
    subscribe(listener) {
      // The IpcRendererEvent stays here: it carries the sender and ports.
      const onEvent: IpcListener = (_event, payload) => {
        const { seq, event } = payload as SequencedEvent;
        listener(event, seq);
      };
      ipc.on(EVENT_CHANNEL, onEvent);
      return () => {
        ipc.removeListener(EVENT_CHANNEL, onEvent);
      };
    },
  };
}
