/**
 * What the preload exposes as `window.baton`: the window's end of the
 * contract's channel, a Port over IPC. A pure factory over an
 * ipcRenderer-like object so it can be tested without Electron.
 */
import type { BatonBridge, IPC_CHANNEL } from '../contract/transport';

// A copy of the contract's channel name, checked against it by type: the
// sandboxed preload cannot load zod, which the contract's modules import at run time.
const CHANNEL: typeof IPC_CHANNEL = 'baton:rpc';

type IpcListener = (event: unknown, ...args: unknown[]) => void;

/** The part of Electron's ipcRenderer the bridge uses; the real one is assignable to it. */
export interface IpcRendererLike {
  send(channel: string, ...args: unknown[]): void;
  on(channel: string, listener: IpcListener): unknown;
  removeListener(channel: string, listener: IpcListener): unknown;
}

export function createBridge(ipc: IpcRendererLike): BatonBridge {
  return {
    postMessage(message) {
      ipc.send(CHANNEL, message);
    },
    onMessage(listener) {
      // The IpcRendererEvent stays here: it carries the sender and ports.
      const onMessage: IpcListener = (_event, message) => listener(message);
      ipc.on(CHANNEL, onMessage);
      return () => {
        ipc.removeListener(CHANNEL, onMessage);
      };
    },
  };
}
