import type { BatonBridge } from '../contract';
import { createIpcTransport } from './ipc-transport';
import type { Transport } from './transport';
import { createWsTransport, pageTokenAccepted, wsUrlFor } from './ws-transport';

function isBridge(value: unknown): value is BatonBridge {
  const bridge = value as Partial<BatonBridge> | null | undefined;
  return typeof bridge?.postMessage === 'function' && typeof bridge.onMessage === 'function';
}

/** The desktop preload's bridge when it exists, otherwise browser mode over the page's own origin. */
export function selectTransport(win: Window & { baton?: unknown }): Transport {
  if (isBridge(win.baton)) return createIpcTransport(win.baton);
  return createWsTransport({ url: wsUrlFor(win.location), tokenAccepted: pageTokenAccepted });
}
