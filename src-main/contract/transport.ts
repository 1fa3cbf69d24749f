/**
 * How the contract travels. The preload exposes a `BatonBridge` as
 * `window.baton`; the WebSocket carries the rpc peer's messages (rpc-peer.ts):
 * a call is a request named after its method with its input as params,
 * answered with the CallOutcome, and the service's events are notifications.
 * The only channel names and notification names are here.
 */
import type { BatonEvent, SequencedEvent } from './events';
import type { CallOutcome } from './api';

/** Electron IPC: one invoke channel for every call, one channel for every event (a SequencedEvent). */
export const IPC_CALL_CHANNEL = 'baton:call';
export const IPC_EVENT_CHANNEL = 'baton:event';

/** What the preload exposes as `window.baton`. Nothing else of Electron reaches the renderer. */
export interface BatonBridge {
  call(method: string, input: unknown): Promise<CallOutcome>;
  /** Each event with the seq its service gave it. */
  subscribe(listener: (event: BatonEvent, seq: number) => void): () => void;
}

/** Browser mode: the WebSocket path, and the query parameter and cookie that carry the token. */
export const WS_PATH = '/ws';
export const TOKEN_PARAM = 'token';
/**
 * One cookie per port: a browser keeps cookies by host, not port, so under one name a second `baton serve`
 * would overwrite the first one's token, and the first one's tabs would be refused.
 */
export const tokenCookie = (port: number) => `baton_token_${port}`;

/** The rpc peer's notifications a service sends on the contract's channel (rpc-peer.ts). */
export const EVENT_NOTIFICATION = 'event';
export type EventNotification = SequencedEvent;
/** Sent first on every WebSocket connection, so a reconnecting window knows to resync. */
export const HELLO_NOTIFICATION = 'hello';
export type HelloNotification = { serverStartedAt: number };
