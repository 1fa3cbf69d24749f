/**
 * The service worker: Baton's service in a process of its own, so the desktop
 * app's main process only relays and its window never waits on SQLite or a
 * process scan. The same entry runs under Electron's utilityProcess.fork
 * (`process.parentPort`) and Node's child_process.fork (`process.send`). Its
 * process channel carries two rpc peers' channels: the parent's control, and
 * the contract, which main relays to the window.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type CallOutcome, failure } from '../contract/api';
import { channel, type Port, RpcPeer } from '../contract/rpc-peer';
import {
  EVENT_NOTIFICATION,
  type EventNotification,
  WORKER_CONTRACT_CHANNEL,
  WORKER_CONTROL,
  WORKER_CONTROL_CHANNEL,
  type WorkerOpenOptions,
} from '../contract/transport';
import type { BatonEndpoint, OpenBatonOptions } from '../service/baton-service';
import { openBaton } from '../service/open-baton';

/** The worker's side of the channel to its parent, whichever runtime provides it; it closes when the parent is gone. */
export interface ParentPort extends Port {
  onClose(listener: (reason: string) => void): void;
  /** Ends this process once what was sent has been handed over. */
  exit(code: number): void;
}

/** What the worker needs of the opened service. */
export type OpenedService = BatonEndpoint & { readonly databaseFile: string };
export type OpenService = (options: OpenBatonOptions) => Promise<OpenedService>;

export interface ServeOptions {
  log?: (message: string) => void;
}

export interface ServedWorker {
  /** Stops every task and closes the service, as the parent's `close` does, but neither replies nor exits. */
  shutdown(): Promise<void>;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
const done: CallOutcome = { ok: true, value: null };
// A peer sends its response once the handler's promise has settled, in the same turn: the next turn comes after it.
const afterReply = (action: () => void) => void setImmediate(action);

/**
 * The control channel: `open` opens the service once, `stopAll` stops its tasks, and `close` (or the parent
 * going away) stops every task and closes the service so sessions get a final status. The contract channel's
 * calls go to the service's dispatch, and every service event goes out on both channels.
 */
export function serveOverPort(
  port: ParentPort,
  open: OpenService = openBaton,
  { log = (line) => console.error(line) }: ServeOptions = {},
): ServedWorker {
  let opening: Promise<OpenedService> | undefined;
  let shuttingDown: Promise<void> | undefined;
  let unsubscribe: (() => void) | undefined;
  let stopPicking!: () => void;
  const pickingStopped = new Promise<null>((resolve) => (stopPicking = () => resolve(null)));
  const peerLog = (line: string) => log(`baton service: ${line}`);

  /** The open service, or undefined when it never opened or is closing. */
  const openedService = async (): Promise<OpenedService | undefined> => {
    if (!opening || shuttingDown) return undefined;
    try {
      return await opening;
    } catch {
      return undefined;
    }
  };

  const shutdown = (): Promise<void> => {
    shuttingDown ??= (async () => {
      stopPicking();
      const service = opening ? await opening.catch(() => undefined) : undefined;
      try {
        // The tasks' last events (their task.finished) still reach the parent.
        if (service) await service.close();
      } finally {
        unsubscribe?.();
      }
    })();
    return shuttingDown;
  };

  const outcomeOf = (action: () => Promise<void>): Promise<CallOutcome> =>
    action().then(
      () => done,
      (error: unknown) => failure('internal', errorText(error)),
    );

  const contract = new RpcPeer(channel(port, WORKER_CONTRACT_CHANNEL), {
    log: peerLog,
    request: async (method, input) => {
      const service = await openedService();
      if (service) return service.dispatch(method, input);
      return failure('unavailable', shuttingDown ? 'the Baton service is closing' : 'the Baton service is not open');
    },
  });

  /** A directory picker that asks the parent; null when it cannot, or the service closes or the parent goes first. */
  const pickDirectory = (): Promise<string | null> =>
    Promise.race([
      control.request(WORKER_CONTROL.pickDirectory).then(
        (answer) => (answer.ok && typeof answer.value === 'string' ? answer.value : null),
        () => null,
      ),
      pickingStopped,
    ]);

  const openService = async (options: WorkerOpenOptions): Promise<CallOutcome> => {
    if (opening) return failure('invalid_input', 'the Baton service is already open');
    opening = open({
      mode: options.mode,
      dataDir: options.dataDir,
      databaseFile: options.databaseFile,
      nativeBinding: options.nativeBinding,
      pickDirectory: options.canPickDirectory ? pickDirectory : undefined,
    });
    try {
      const service = await opening;
      if (!shuttingDown)
        unsubscribe = service.subscribe((event, seq) => {
          const params: EventNotification = { seq, event };
          control.notify(EVENT_NOTIFICATION, params);
          contract.notify(EVENT_NOTIFICATION, params);
        });
      return { ok: true, value: { databaseFile: service.databaseFile } };
    } catch (error) {
      afterReply(() => port.exit(1));
      return failure('internal', errorText(error));
    }
  };

  const control: RpcPeer = new RpcPeer(channel(port, WORKER_CONTROL_CHANNEL), {
    log: peerLog,
    request: async (method, params) => {
      switch (method) {
        case WORKER_CONTROL.open:
          return openService(params as WorkerOpenOptions);
        case WORKER_CONTROL.stopAll:
          return outcomeOf(async () => {
            // While closing, the close stops everything: wait for it rather than race it.
            if (shuttingDown) return shuttingDown;
            await (await openedService())?.stopAll();
          });
        case WORKER_CONTROL.close: {
          const outcome = await outcomeOf(shutdown);
          afterReply(() => port.exit(0));
          return outcome;
        }
        default:
          return failure('unknown_method', `no such control request: ${method.slice(0, 100)}`);
      }
    },
  });

  port.onClose(() => {
    // Nobody to answer any more: stop the tasks so their sessions are stored with a final status, then go.
    shutdown()
      .catch((error: unknown) => log(`baton service: closing after the parent went away failed: ${errorText(error)}`))
      .finally(() => port.exit(0));
  });

  return { shutdown };
}

/** The part of Electron's `process.parentPort` the worker uses. */
interface ElectronParentPort {
  on(event: 'message', listener: (messageEvent: { data: unknown }) => void): unknown;
  off(event: 'message', listener: (messageEvent: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

/** How often a utility process checks that its parent is still there (Electron has no event for it). */
const PARENT_CHECK_MS = 2000;

/** Under Electron's utilityProcess. */
function electronPort(parentPort: ElectronParentPort): ParentPort {
  const closeListeners: Array<(reason: string) => void> = [];
  // Chromium ends a utility process whose parent dies; should it live on, it is re-parented.
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    for (const listener of closeListeners) listener('the parent went away');
  }, PARENT_CHECK_MS);
  timer.unref();
  return {
    postMessage: (message) => parentPort.postMessage(message),
    onMessage: (listener) => {
      const onMessage = (messageEvent: { data: unknown }) => listener(messageEvent.data);
      parentPort.on('message', onMessage);
      return () => void parentPort.off('message', onMessage);
    },
    onClose: (listener) => void closeListeners.push(listener),
    // A utility process does not end by itself when its work is done; give the last message a moment to leave.
    exit: (code) => void setTimeout(() => process.exit(code), 50),
  };
}

/** Under Node's child_process.fork. */
function nodePort(): ParentPort {
  let sending = 0;
  let exitCode: number | undefined;
  const exitWhenSent = () => {
    if (exitCode !== undefined && sending === 0) process.exit(exitCode);
  };
  return {
    postMessage: (message) => {
      if (!process.connected || !process.send) return;
      sending++;
      process.send(message as object, undefined, undefined, () => {
        sending--;
        exitWhenSent();
      });
    },
    onMessage: (listener) => {
      process.on('message', listener);
      return () => void process.off('message', listener);
    },
    onClose: (listener) => void process.once('disconnect', () => listener('the parent went away')),
    exit: (code) => {
      exitCode = code;
      exitWhenSent();
    },
  };
}

/** The channel to the parent in this runtime, or undefined when this process was not forked with one. */
export function detectParentPort(): ParentPort | undefined {
  const parentPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (parentPort) return electronPort(parentPort);
  if (typeof process.send === 'function') return nodePort();
  return undefined;
}

/** True when this module is the process's entry (not imported, as by the tests). */
function isEntry(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

// A utility process loads this file only as its entry; under Node, check.
if ((process as unknown as { parentPort?: unknown }).parentPort || isEntry()) {
  const port = detectParentPort();
  if (!port) {
    console.error('baton service: start me with utilityProcess.fork or child_process.fork; there is no parent channel');
    process.exit(2);
  }
  const worker = serveOverPort(port);
  // Ctrl-C in a terminal reaches the whole process group. Stop the tasks at once, so their sessions get a final
  // status, then wait for the parent's close (or its going away) to exit: the parent may still ask for a stopAll.
  process.once('SIGINT', () => {
    worker
      .shutdown()
      .catch((error: unknown) => console.error(`baton service: closing on SIGINT failed: ${errorText(error)}`));
  });
}
