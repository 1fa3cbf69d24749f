/**
 * The parent's side of the service worker: a BatonEndpoint whose service runs
 * in another process. Calls, stops and the close travel as worker-protocol
 * messages; events come back the same way. The child is anything that can be
 * adapted to `WorkerChild`: Electron's UtilityProcess (in the Electron glue)
 * or Node's ChildProcess (`fromChildProcess`, here).
 */
import type { ChildProcess } from 'node:child_process';
import { type CallOutcome, failure } from '../contract/api';
import type { BatonEvent } from '../contract/events';
import {
  describeMalformed,
  headerOf,
  type ParentMessage,
  type WorkerMessage,
  workerMessageSchema,
  type WorkerOpenOptions,
} from '../contract/worker-protocol';
import type { BatonEndpoint } from './baton-service';

/** The worker process as the parent sees it. */
export interface WorkerChild {
  /** Throws when the message cannot be sent (no channel, or a value that cannot be serialized). */
  send(message: ParentMessage): void;
  onMessage(listener: (message: unknown) => void): void;
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

export interface ServiceWorkerEndpoint extends BatonEndpoint {
  /** The database the worker opened. */
  readonly databaseFile: string;
  /** Resolves with the exit code once the worker has ended, however it ended. */
  readonly exited: Promise<number | null>;
}

export const DEFAULT_CLOSE_TIMEOUT_MS = 30_000;
/** After a kill, how long to wait for the exit before giving up on it. */
const KILL_GRACE_MS = 2_000;

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
const describeExit = (code: number | null) => (code === null ? 'killed by a signal' : `exit code ${code}`);

interface Pending {
  resolve(): void;
  reject(error: Error): void;
}

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
  let nextId = 0;
  const calls = new Map<number, (outcome: CallOutcome) => void>();
  const waits = new Map<number, Pending>();
  const listeners = new Set<(event: BatonEvent, seq: number) => void>();
  let settleOpen: { resolve(databaseFile: string): void; reject(error: Error): void } | undefined;
  let markExited!: (code: number | null) => void;
  const exited = new Promise<number | null>((resolve) => (markExited = resolve));

  /** Undefined when sent, else why not. */
  const send = (message: ParentMessage): string | undefined => {
    if (exitCode !== undefined) return `the Baton service has stopped (${describeExit(exitCode)})`;
    try {
      child.send(message);
      return undefined;
    } catch (error) {
      return errorText(error);
    }
  };

  /** A stopAll or close: sent with an id, settled by its `done`. */
  const request = (type: 'stopAll' | 'close'): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const id = nextId++;
      waits.set(id, { resolve, reject });
      const notSent = send({ type, id });
      if (notSent !== undefined) {
        waits.delete(id);
        reject(new Error(`could not ask the Baton service to ${type}: ${notSent}`));
      }
    });

  const answerPick = (id: number) => {
    const picker = options.pickDirectory;
    const answer = (path: string | null) => {
      const notSent = send({ type: 'directoryPicked', id, path });
      if (notSent !== undefined) log(`baton: could not answer the service's directory request: ${notSent}`);
    };
    if (!picker) return answer(null);
    picker().then(answer, (error: unknown) => {
      log(`baton: the directory picker failed: ${errorText(error)}`);
      answer(null);
    });
  };

  const handle = (message: WorkerMessage) => {
    switch (message.type) {
      case 'ready':
        ready = true;
        return settleOpen?.resolve(message.databaseFile);
      case 'openFailed':
        settleOpen?.reject(new Error(message.message));
        return child.kill();
      case 'result': {
        const resolve = calls.get(message.id);
        if (!resolve) return log(`baton: ignoring a result for no call (${message.id})`);
        calls.delete(message.id);
        return resolve(message.outcome);
      }
      case 'done': {
        const pending = waits.get(message.id);
        if (!pending) return log(`baton: ignoring a done for no request (${message.id})`);
        waits.delete(message.id);
        return message.error === undefined ? pending.resolve() : pending.reject(new Error(message.error));
      }
      case 'event':
        for (const listener of [...listeners]) {
          try {
            listener(message.event, message.seq);
          } catch (error) {
            log(`baton: an event listener failed: ${errorText(error)}`);
          }
        }
        return;
      case 'pickDirectory':
        return answerPick(message.id);
    }
  };

  /** A reply that failed validation still settles what it answers, so no caller waits for ever. */
  const settleMalformed = (raw: unknown) => {
    const { type, id } = headerOf(raw);
    if (id === undefined) return;
    const resolve = type === 'result' ? calls.get(id) : undefined;
    if (resolve) {
      calls.delete(id);
      resolve(failure('internal', 'the Baton service sent a malformed result'));
    }
    const pending = type === 'done' ? waits.get(id) : undefined;
    if (pending) {
      waits.delete(id);
      pending.reject(new Error('the Baton service sent a malformed reply'));
    }
  };

  child.onMessage((raw) => {
    const parsed = workerMessageSchema.safeParse(raw);
    if (parsed.success) return handle(parsed.data);
    log(`baton: ignoring a malformed message from the service (${describeMalformed(raw, parsed.error)})`);
    settleMalformed(raw);
  });

  child.onExit((code) => {
    if (exitCode !== undefined) return;
    exitCode = code;
    const gone = `the Baton service has stopped (${describeExit(code)})`;
    if (ready && !closing) log(`baton: ${gone}`);
    for (const resolve of calls.values()) resolve(failure('unavailable', gone));
    calls.clear();
    for (const pending of waits.values()) pending.reject(new Error(gone));
    waits.clear();
    settleOpen?.reject(new Error(`the Baton service exited before it opened (${describeExit(code)})`));
    markExited(code);
  });

  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (exitCode !== undefined) return;
      let failed: unknown;
      const asked = request('close').catch((error: unknown) => {
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
    async dispatch(method, input) {
      if (exitCode !== undefined)
        return failure('unavailable', `the Baton service has stopped (${describeExit(exitCode)})`);
      const id = nextId++;
      const outcome = new Promise<CallOutcome>((resolve) => calls.set(id, resolve));
      const notSent = send({ type: 'call', id, method, input });
      if (notSent !== undefined) {
        calls.delete(id);
        return failure('unavailable', `could not reach the Baton service: ${notSent}`);
      }
      return outcome;
    },
    subscribe(listener) {
      // A wrapper per subscription, so the same listener subscribed twice is removed once per unsubscribe.
      const each = (event: BatonEvent, seq: number) => listener(event, seq);
      listeners.add(each);
      return () => void listeners.delete(each);
    },
    stopAll: () => request('stopAll'),
    close,
  });

  return new Promise<ServiceWorkerEndpoint>((resolve, reject) => {
    settleOpen = {
      resolve: (databaseFile) => {
        settleOpen = undefined;
        resolve(endpoint(databaseFile));
      },
      reject: (error) => {
        settleOpen = undefined;
        reject(error);
      },
    };
    const notSent = send({ type: 'open', options: { ...options.open, canPickDirectory: !!options.pickDirectory } });
    if (notSent !== undefined) {
      settleOpen.reject(new Error(`could not start the Baton service: ${notSent}`));
      child.kill();
    }
  });
}

/** Node's ChildProcess (forked with an IPC channel) as a WorkerChild. */
export function fromChildProcess(
  child: ChildProcess,
  log: (line: string) => void = (line) => console.error(line),
): WorkerChild {
  // An 'error' with no listener would throw in the parent.
  child.on('error', (error) => log(`baton: the service process: ${error.message}`));
  return {
    send(message) {
      if (!child.connected) throw new Error('the service process has no open IPC channel');
      child.send(message, (error) => {
        if (error) log(`baton: could not send ${message.type} to the service: ${error.message}`);
      });
    },
    onMessage: (listener) => void child.on('message', listener),
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
