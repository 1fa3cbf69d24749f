/**
 * How the contract travels. Every transport carries the rpc peer's messages
 * (rpc-peer.ts): a contract call is a request named after its method with its
 * input as params, answered with the CallOutcome; the service's events are
 * notifications. The only channel names and notification names are here.
 */
import type { SequencedEvent } from './events';
import type { Port } from './rpc-peer';

/** The notifications a service sends on the contract's channel. */
export const EVENT_NOTIFICATION = 'event';
export type EventNotification = SequencedEvent;
/** Sent first on every WebSocket connection, so a reconnecting window knows to resync. */
export const HELLO_NOTIFICATION = 'hello';
export type HelloNotification = { serverStartedAt: number };

/** Electron IPC: the one channel the window's peer messages travel on, both ways, relayed by main unread. */
export const IPC_CHANNEL = 'baton:rpc';

/** What the preload exposes as `window.baton`: the window's end of the contract, a Port. Nothing else of Electron. */
export type BatonBridge = Pick<Port, 'postMessage' | 'onMessage'>;

/**
 * The service worker's process channel carries two channels (rpc-peer's `channel`): the parent's own,
 * to open, stop and close the service and answer its directory requests, and the contract's, which the
 * desktop app's main relays to and from the window as it is.
 */
export const WORKER_CONTROL_CHANNEL = 'control';
export const WORKER_CONTRACT_CHANNEL = 'contract';

/** The parent's requests on the control channel; `pickDirectory` is the worker's, answered with a path or null. */
export const WORKER_CONTROL = {
  open: 'open',
  stopAll: 'stopAll',
  close: 'close',
  pickDirectory: 'pickDirectory',
} as const;

/** How the worker opens the service: the same weighing of --db, BATON_DB and the data directory as the CLI. */
export interface WorkerOpenOptions {
  mode: 'desktop' | 'browser';
  /** Where the database lives unless BATON_DB (in the worker's environment) says otherwise. */
  dataDir?: string;
  /** An explicit database file: wins over BATON_DB and the data directory. */
  databaseFile?: string;
  /** better_sqlite3.node built for the worker's runtime. */
  nativeBinding?: string;
  /** Whether the parent answers pickDirectory requests with a native dialog. */
  canPickDirectory: boolean;
}

/** Browser mode: the WebSocket path, and the query parameter and cookie that carry the token. */
export const WS_PATH = '/ws';
export const TOKEN_PARAM = 'token';
/**
 * One cookie per port: a browser keeps cookies by host, not port, so under one name a second `baton serve`
 * would overwrite the first one's token, and the first one's tabs would be refused.
 */
export const tokenCookie = (port: number) => `baton_token_${port}`;
