/**
 * What a host process (the Electron main process, or the browser-mode
 * server) needs from Baton: one dispatch function for every contract call,
 * the event stream, and a way to stop everything on quit.
 */
import type { CallOutcome } from '../contract/api';
import type { BatonEvent } from '../contract/events';

export interface BatonHost {
  dispatch(method: unknown, input: unknown): Promise<CallOutcome>;
  subscribe(listener: (event: BatonEvent) => void): () => void;
  /** Stops every running task; resolves once their sessions are stored with a final status. */
  stopAll(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenHostOptions {
  databaseFile: string;
  mode: 'desktop' | 'browser';
  /** A native directory picker; the desktop app passes Electron's dialog. */
  pickDirectory?: () => Promise<string | null>;
  /** better_sqlite3.node built for the running runtime (Electron's ABI differs from Node's). */
  nativeBinding?: string;
  /** The claude binary; found on the usual search path when absent. */
  claudeBinary?: string;
}
