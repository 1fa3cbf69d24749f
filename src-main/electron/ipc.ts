/**
 * The contract over Electron IPC. The window's rpc peer and the service
 * worker's talk through main, which relays their messages on one channel
 * both ways as they are: it reads none of them, and checks only that a
 * message comes from our window's own frame.
 */
import type { BrowserWindow, WebContents, WebFrameMain } from 'electron';
import type { Port } from '../contract/rpc-peer';
import { IPC_CHANNEL } from '../contract/transport';
import { isAppUrl } from './security';

/** The part of an IpcMainEvent the sender check reads; the real event is assignable to it. */
export interface IpcEventLike {
  sender: Pick<WebContents, 'id'>;
  senderFrame: (Pick<WebFrameMain, 'url'> & { readonly parent: unknown }) | null;
}

type IpcListener = (event: IpcEventLike, message: unknown) => void;

/** The part of Electron's ipcMain the relay uses; the real one is assignable to it. */
export interface IpcMainLike {
  on(channel: string, listener: IpcListener): unknown;
  removeListener(channel: string, listener: IpcListener): unknown;
}

export type CallerWindow = Pick<BrowserWindow, 'isDestroyed'> & { webContents: Pick<WebContents, 'id'> };
export type RelayWindow = CallerWindow & { webContents: Pick<WebContents, 'send'> };

/** Only the top frame of our window, showing our own page, may talk to the service. */
export function isTrustedSender(event: IpcEventLike, window: CallerWindow, appUrl: string): boolean {
  const frame = event.senderFrame;
  if (window.isDestroyed() || frame === null) return false;
  return event.sender.id === window.webContents.id && frame.parent === null && isAppUrl(frame.url, appUrl);
}

export interface RelayOptions {
  ipcMain: IpcMainLike;
  window: RelayWindow;
  appUrl: string;
  /** The service's end of the contract's channel. */
  service: Port;
  log?: (line: string) => void;
}

/** Relays the window's messages to the service and the service's to the window; returns the relay's removal. */
export function relayContract({ ipcMain, window, appUrl, service, log = console.error }: RelayOptions): () => void {
  const fromWindow: IpcListener = (event, message) => {
    if (!isTrustedSender(event, window, appUrl)) return log('baton: refused a message from an unknown sender');
    try {
      service.postMessage(message);
    } catch (error) {
      log(`baton: could not relay a message to the service: ${(error as Error).message ?? String(error)}`);
    }
  };
  ipcMain.on(IPC_CHANNEL, fromWindow);
  const stopRelaying = service.onMessage((message) => {
    if (!window.isDestroyed()) window.webContents.send(IPC_CHANNEL, message);
  });
  return () => {
    ipcMain.removeListener(IPC_CHANNEL, fromWindow);
    stopRelaying();
  };
}
