/**
 * How the contract travels. The preload exposes a `BatonBridge` as
 * `window.baton`; the WebSocket bridge carries the same calls and events as
 * JSON messages. The only channel names and message shapes are here.
 */
import { z } from 'zod';
import type { BatonEvent, SequencedEvent } from './events';
import { sequencedEventSchema } from './events';
import { callErrorSchema, type CallOutcome } from './api';

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

export const clientMessageSchema = z.object({
  type: z.literal('call'),
  id: z.number().int().nonnegative(),
  method: z.string().max(100),
  input: z.unknown(),
});
export type ClientMessage = z.infer<typeof clientMessageSchema>;

export const serverMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('result'),
    id: z.number().int(),
    outcome: z.union([
      z.object({ ok: z.literal(true), value: z.unknown() }),
      z.object({ ok: z.literal(false), error: callErrorSchema }),
    ]),
  }),
  sequencedEventSchema.extend({ type: z.literal('event') }),
  /** Sent first on every connection, so a reconnecting window knows to resync. */
  z.object({ type: z.literal('hello'), serverStartedAt: z.number() }),
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;

/** The rpc peer's notifications a service sends on the contract's channel (rpc-peer.ts). */
export const EVENT_NOTIFICATION = 'event';
export type EventNotification = SequencedEvent;
/** Sent first on every WebSocket connection, so a reconnecting window knows to resync. */
export const HELLO_NOTIFICATION = 'hello';
export type HelloNotification = { serverStartedAt: number };
