/**
 * The contract over Electron IPC: one invoke channel into the service, one
 * event channel out to the window. Main only relays: the service runs in its
 * own process, behind a BatonEndpoint.
 */
import type { BrowserWindow, WebContents, WebFrameMain } from 'electron';
import { type CallOutcome, failure } from '../contract/api';
import type { SequencedEvent } from '../contract/events';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../contract/transport';
import type { BatonEndpoint } from '../service/baton-service';
import { isAppUrl } from './security';

/** The part of an IpcMainInvokeEvent the sender check reads; the real event is assignable to it. */
export interface InvokeEventLike {
  sender: Pick<WebContents, 'id'>;
  senderFrame: (Pick<WebFrameMain, 'url'> & { readonly parent: unknown }) | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<CallOutcome>): void;
  removeHandler(channel: string): void;
}

export type CallerWindow = Pick<BrowserWindow, 'isDestroyed'> & { webContents: Pick<WebContents, 'id'> };

export const UNKNOWN_SENDER: CallOutcome = failure('unavailable', 'refused: unknown sender');

/** Only the top frame of our window, showing our own page, may call. */
export function isTrustedSender(event: InvokeEventLike, window: CallerWindow, appUrl: string): boolean {
  const frame = event.senderFrame;
  if (window.isDestroyed() || frame === null) return false;
  return event.sender.id === window.webContents.id && frame.parent === null && isAppUrl(frame.url, appUrl);
}

export interface CallHandlerOptions {
  host: Pick<BatonEndpoint, 'dispatch'>;
  window: CallerWindow;
  appUrl: string;
}

export function createCallHandler({ host, window, appUrl }: CallHandlerOptions) {
  return async (event: InvokeEventLike, payload: unknown): Promise<CallOutcome> => {
    if (!isTrustedSender(event, window, appUrl)) return UNKNOWN_SENDER;
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      return failure('invalid_input', 'a call must be an object { method, input }');
    }
    const { method, input } = payload as { method?: unknown; input?: unknown };
    try {
      return await host.dispatch(method, input);
    } catch (error) {
      // dispatch reports failures as outcomes; this only guards against a broken endpoint.
      return failure('internal', (error as Error).message ?? String(error));
    }
  };
}

/** Registers the call handler; returns its removal. */
export function bindIpc({ ipcMain, ...options }: CallHandlerOptions & { ipcMain: IpcMainLike }): () => void {
  const handler = createCallHandler(options);
  ipcMain.handle(IPC_CALL_CHANNEL, (event, payload) => handler(event, payload));
  return () => ipcMain.removeHandler(IPC_CALL_CHANNEL);
}

export type EventWindow = Pick<BrowserWindow, 'isDestroyed'> & { webContents: Pick<WebContents, 'send'> };

/** Sends every service event to the window while it is alive; returns the unsubscribe. */
export function forwardEvents(host: Pick<BatonEndpoint, 'subscribe'>, window: EventWindow): () => void {
  return host.subscribe((event, seq) => {
    if (!window.isDestroyed()) window.webContents.send(IPC_EVENT_CHANNEL, { seq, event } satisfies SequencedEvent);
  });
}
