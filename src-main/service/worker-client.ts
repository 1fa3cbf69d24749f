/**
 * The parent's side of the service worker, whose service runs in another
 * process. The parent's own requests (open, stopAll, close) and the worker's
 * (a directory picker) travel on the control channel between two rpc peers;
 * the contract's channel is handed out as a Port, for the desktop app's main
 * to relay to its window unread. The child is anything that can be adapted to
 * `WorkerChild`: Electron's UtilityProcess (in the Electron glue) or Node's
 * ChildProcess (`fromChildProcess`, here).
 */
import type { ChildProcess } from 'node:child_process';
import { type CallOutcome, failure } from '../contract/api';
import type { BatonEvent } from '../contract/events';
import { channel, type Port, RpcPeer } from '../contract/rpc-peer';
import {
  EVENT_NOTIFICATION,
  type EventNotification,
  WORKER_CONTRACT_CHANNEL,
  WORKER_CONTROL,
  WORKER_CONTROL_CHANNEL,
  type WorkerOpenOptions,
} from '../contract/transport';
import type { BatonEndpoint } from './baton-service';

/** The worker process as the parent sees it: its channel, its end, and a kill. */
export interface WorkerChild extends Port {
  /** Called once, when the process has ended; null when it ended without a code (a signal). */
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

export interface ConnectOptions {
  /** How the worker opens the service; `canPickDirectory` follows from `pickDirectory`. */
  open: Omit<WorkerOpenOptions, 'canPickDirectory'>;
  /** Answers the worker's pickDirectory requests (the desktop app's native dialog). */
  pickDirectory?: () => Promise<string | null>;
  /** How long close waits for the worker to stop its tasks and exit before it is killed. */
  closeTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface ServiceWorkerEndpoint extends Pick<BatonEndpoint, 'subscribe' | 'stopAll' | 'close'> {
  /** The database the worker opened. */
  readonly databaseFile: string;
  /** Resolves with the exit code once the worker has ended, however it ended. */
  readonly exited: Promise<number | null>;
  /** The contract's channel: a peer's requests in, responses and the service's events out. It closes on exit. */
  readonly contract: Port;
}

export const DEFAULT_CLOSE_TIMEOUT_MS = 30_000;
/** After a kill, how long to wait for the exit before giving up on it. */
const KILL_GRACE_MS = 2_000;

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
const describeExit = (code: number | null) => (code === null ? 'killed by a signal' : `exit code ${code}`);

/**
 * Opens the service in `child` and resolves once it is ready; rejects with
 * the worker's reason when it cannot open, or when it exits first.
 */
export function connectServiceWorker(child: WorkerChild, options: ConnectOptions): Promise<ServiceWorkerEndpoint> {
  const log = options.log ?? ((line: string) => console.error(line));
  const closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
  let exitCode: number | null | undefined;
  let ready = false;
  let closing: Promise<void> | undefined;
  const listeners = new Set<(event: BatonEvent, seq: number) => void>();
  const closeListeners: Array<(reason: string) => void> = [];
  let markExited!: (code: number | null) => void;
  const exited = new Promise<number | null>((resolve) => (markExited = resolve));

  const processPort: Port = {
    postMessage(message) {
      if (exitCode !== undefined) throw new Error(`the Baton service has stopped (${describeExit(exitCode)})`);
      child.postMessage(message);
    },
    onMessage: (listener) => child.onMessage(listener),
    onClose: (listener) => void closeListeners.push(listener),
  };

  const pick = async (): Promise<string | null> => {
    if (!options.pickDirectory) return null;
    try {
      return await options.pickDirectory();
    } catch (error) {
      log(`baton: the directory picker failed: ${errorText(error)}`);
      return null;
    }
  };

  const control = new RpcPeer(channel(processPort, WORKER_CONTROL_CHANNEL), {
    log: (line) => log(`baton: ${line}`),
    request: async (method): Promise<CallOutcome> =>
      method === WORKER_CONTROL.pickDirectory
        ? { ok: true, value: await pick() }
        : failure('unknown_method', `no such request: ${method.slice(0, 100)}`),
    notification(method, params) {
      if (method !== EVENT_NOTIFICATION) return;
      // The worker is this program's own: its events are handed on as they come.
      const { seq, event } = params as EventNotification;
      for (const listener of [...listeners]) {
        try {
          listener(event, seq);
        } catch (error) {
          log(`baton: an event listener failed: ${errorText(error)}`);
        }
      }
    },
  });

  /** A stopAll or close: resolves when the worker has done it, rejects with why it could not. */
  const ask = async (method: 'stopAll' | 'close'): Promise<void> => {
    let outcome: CallOutcome;
    try {
      outcome = await control.request(WORKER_CONTROL[method]);
    } catch (error) {
      throw new Error(`could not ask the Baton service to ${method}: ${errorText(error)}`, { cause: error });
    }
    if (!outcome.ok) throw new Error(outcome.error.message);
  };

  child.onExit((code) => {
    if (exitCode !== undefined) return;
    exitCode = code;
    const gone = `the Baton service has stopped (${describeExit(code)})`;
    if (ready && !closing) log(`baton: ${gone}`);
    for (const listener of closeListeners) listener(gone);
    markExited(code);
  });

  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (exitCode !== undefined) return;
      let failed: unknown;
      const asked = ask('close').catch((error: unknown) => {
        // Gone before it answered counts as closed; a failure it reports is passed on once it has exited.
        if (exitCode === undefined) failed = error;
      });
      let giveUp: ReturnType<typeof setTimeout> | undefined;
      const killed = new Promise<void>((resolve) => {
        giveUp = setTimeout(() => {
          log(`baton: the service did not close within ${closeTimeoutMs} ms; killing it`);
          child.kill();
          giveUp = setTimeout(resolve, KILL_GRACE_MS);
        }, closeTimeoutMs);
      });
      await Promise.race([exited, killed]);
      clearTimeout(giveUp);
      await Promise.race([asked, killed]);
      if (failed !== undefined) throw failed;
    })();
    return closing;
  };

  const endpoint = (databaseFile: string): ServiceWorkerEndpoint => ({
    databaseFile,
    exited,
    contract: channel(processPort, WORKER_CONTRACT_CHANNEL),
    subscribe(listener) {
      // A wrapper per subscription, so the same listener subscribed twice is removed once per unsubscribe.
      const each = (event: BatonEvent, seq: number) => listener(event, seq);
      listeners.add(each);
      return () => void listeners.delete(each);
    },
    stopAll: () => ask('stopAll'),
    close,
  });

  const openOptions: WorkerOpenOptions = { ...options.open, canPickDirectory: !!options.pickDirectory };
  return control.request(WORKER_CONTROL.open, openOptions).then(
    (outcome) => {
      if (!outcome.ok) {
        child.kill();
        throw new Error(outcome.error.message);
      }
      ready = true;
      return endpoint((outcome.value as { databaseFile: string }).databaseFile);
    },
    (error: unknown) => {
      if (exitCode !== undefined)
        throw new Error(`the Baton service exited before it opened (${describeExit(exitCode)})`);
      child.kill();
      throw new Error(`could not start the Baton service: ${errorText(error)}`);
    },
  );
}

/** Node's ChildProcess (forked with an IPC channel) as a WorkerChild. */
export function fromChildProcess(
  child: ChildProcess,
  log: (line: string) => void = (line) => console.error(line),
): WorkerChild {
  // An 'error' with no listener would throw in the parent.
  child.on('error', (error) => log(`baton: the service process: ${error.message}`));
  return {
    postMessage(message) {
      if (!child.connected) throw new Error('the service process has no open IPC channel');
      child.send(message as object, (error) => {
        if (error) log(`baton: could not send a message to the service: ${error.message}`);
      });
    },
    onMessage(listener) {
      child.on('message', listener);
      return () => void child.off('message', listener);
    },
    onExit(listener) {
      let ended = false;
      const end = (code: number | null) => {
        if (ended) return;
        ended = true;
        listener(code);
      };
      child.on('exit', (code) => end(code));
      // A process that never started emits 'error' and no 'exit'.
      child.on('error', () => {
        if (child.pid === undefined) end(null);
      });
      if (child.exitCode !== null || child.signalCode !== null) end(child.exitCode);
    },
    kill: () => void child.kill(),
  };
}
