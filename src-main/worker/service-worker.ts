/**
 * The service worker: Baton's service in a process of its own, so the desktop
 * app's main process only relays and its window never waits on SQLite or a
 * process scan. The same entry runs under Electron's utilityProcess.fork
 * (`process.parentPort`) and Node's child_process.fork (`process.send`);
 * the messages are the contract's worker protocol.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { failure } from '../contract/api';
import {
  describeMalformed,
  type ParentMessage,
  parentMessageSchema,
  type WorkerMessage,
  type WorkerOpenOptions,
} from '../contract/worker-protocol';
import type { BatonEndpoint, OpenBatonOptions } from '../service/baton-service';
import { openBaton } from '../service/open-baton';

/** The worker's side of the channel to its parent, whichever runtime provides it. */
export interface ParentPort {
  send(message: WorkerMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the parent is gone (it died or closed the channel). */
  onDisconnect(listener: () => void): void;
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

/**
 * The protocol: `open` opens the service once, `call`s are dispatched, every
 * service event goes to the parent, and `close` (or the parent going away)
 * stops every task and closes the service so sessions get a final status.
 */
export function serveOverPort(
  port: ParentPort,
  open: OpenService = openBaton,
  { log = (line) => console.error(line) }: ServeOptions = {},
): ServedWorker {
  let opening: Promise<OpenedService> | undefined;
  let shuttingDown: Promise<void> | undefined;
  let unsubscribe: (() => void) | undefined;
  let parentGone = false;
  let nextPickId = 0;
  const picks = new Map<number, (path: string | null) => void>();

  const send = (reply: WorkerMessage) => {
    if (parentGone) return;
    try {
      port.send(reply);
    } catch (error) {
      log(`baton service: could not send ${reply.type} to the parent: ${errorText(error)}`);
    }
  };

  /** A directory picker that asks the parent; null when the parent goes away first. */
  const pickDirectory = () =>
    new Promise<string | null>((resolve) => {
      if (parentGone) return resolve(null);
      const id = nextPickId++;
      picks.set(id, resolve);
      send({ type: 'pickDirectory', id });
    });

  const openService = (options: WorkerOpenOptions) => {
    opening = open({
      mode: options.mode,
      dataDir: options.dataDir,
      databaseFile: options.databaseFile,
      nativeBinding: options.nativeBinding,
      pickDirectory: options.canPickDirectory ? pickDirectory : undefined,
    });
    opening.then(
      (service) => {
        if (shuttingDown) return;
        unsubscribe = service.subscribe((event, seq) => send({ type: 'event', seq, event }));
        send({ type: 'ready', databaseFile: service.databaseFile });
      },
      (error: unknown) => {
        send({ type: 'openFailed', message: errorText(error) });
        port.exit(1);
      },
    );
  };

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
      for (const resolve of picks.values()) resolve(null);
      picks.clear();
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

  const finish = async (id: number, action: () => Promise<void>) => {
    try {
      await action();
      send({ type: 'done', id });
    } catch (error) {
      send({ type: 'done', id, error: errorText(error) });
    }
  };

  const handle = async (request: ParentMessage) => {
    switch (request.type) {
      case 'open':
        if (opening) return log('baton service: ignoring a second open');
        return openService(request.options);
      case 'call': {
        const service = await openedService();
        if (!service) {
          const why = shuttingDown ? 'the Baton service is closing' : 'the Baton service is not open';
          return send({ type: 'result', id: request.id, outcome: failure('unavailable', why) });
        }
        let outcome;
        try {
          outcome = await service.dispatch(request.method, request.input);
        } catch (error) {
          outcome = failure('internal', errorText(error));
        }
        return send({ type: 'result', id: request.id, outcome });
      }
      case 'stopAll':
        return finish(request.id, async () => {
          // While closing, the close stops everything: wait for it rather than race it.
          if (shuttingDown) return shuttingDown;
          const service = await openedService();
          if (service) await service.stopAll();
        });
      case 'close':
        await finish(request.id, shutdown);
        return port.exit(0);
      case 'directoryPicked': {
        const resolve = picks.get(request.id);
        if (!resolve) return log(`baton service: ignoring an answer to no directory request (${request.id})`);
        picks.delete(request.id);
        return resolve(request.path);
      }
    }
  };

  port.onMessage((raw) => {
    const parsed = parentMessageSchema.safeParse(raw);
    if (!parsed.success)
      return log(`baton service: ignoring a malformed message (${describeMalformed(raw, parsed.error)})`);
    handle(parsed.data).catch((error: unknown) =>
      log(`baton service: ${parsed.data.type} failed: ${errorText(error)}`),
    );
  });

  port.onDisconnect(() => {
    if (parentGone) return;
    parentGone = true;
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
  postMessage(message: unknown): void;
}

/** How often a utility process checks that its parent is still there (Electron has no event for it). */
const PARENT_CHECK_MS = 2000;

/** Under Electron's utilityProcess. */
function electronPort(parentPort: ElectronParentPort): ParentPort {
  return {
    send: (reply) => parentPort.postMessage(reply),
    onMessage: (listener) => void parentPort.on('message', (messageEvent) => listener(messageEvent.data)),
    onDisconnect: (listener) => {
      // Chromium ends a utility process whose parent dies; should it live on, it is re-parented.
      const parent = process.ppid;
      const timer = setInterval(() => {
        if (process.ppid === parent) return;
        clearInterval(timer);
        listener();
      }, PARENT_CHECK_MS);
      timer.unref();
    },
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
    send: (reply) => {
      if (!process.connected || !process.send) return;
      sending++;
      process.send(reply, undefined, undefined, () => {
        sending--;
        exitWhenSent();
      });
    },
    onMessage: (listener) => void process.on('message', listener),
    onDisconnect: (listener) => void process.once('disconnect', listener),
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
