/**
 * The service's own process: main forks the worker with Electron's
 * utilityProcess and only relays the contract's channel between it and the
 * window. Electron objects are parameters, so this is tested with fakes.
 */
import type { ForkOptions } from 'electron';
import {
  type ConnectOptions,
  connectServiceWorker,
  type ServiceWorkerEndpoint,
  type WorkerChild,
} from '../service/worker-client';

/** The name shows in app.getAppMetrics() and child-process-gone; its output goes to main's stdout and stderr. */
export const SERVICE_PROCESS_OPTIONS = { serviceName: 'Baton service', stdio: 'inherit' } satisfies ForkOptions;

/** The part of Electron's UtilityProcess the relay uses; the real one is assignable to it. */
export interface UtilityProcessLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
  kill(): boolean;
}

export function fromUtilityProcess(child: UtilityProcessLike): WorkerChild {
  let exited = false;
  // Registered before any other listener: nothing is posted to a process that has gone.
  child.on('exit', () => void (exited = true));
  return {
    postMessage(message) {
      if (exited) throw new Error('the service process has exited');
      child.postMessage(message);
    },
    onMessage(listener) {
      child.on('message', listener);
      return () => void child.off('message', listener);
    },
    onExit: (listener) => void child.on('exit', (code) => listener(code)),
    kill: () => void child.kill(),
  };
}

export interface UtilityProcessForker {
  fork(modulePath: string, args: string[], options: typeof SERVICE_PROCESS_OPTIONS): UtilityProcessLike;
}

export interface StartServiceOptions extends ConnectOptions {
  utilityProcess: UtilityProcessForker;
  /** The built worker entry, out/main/worker.js. */
  workerFile: string;
}

/** Forks the worker and opens the service in it; rejects, with the worker killed, when it cannot open. */
export function startServiceProcess({
  utilityProcess,
  workerFile,
  ...connect
}: StartServiceOptions): Promise<ServiceWorkerEndpoint> {
  const child = utilityProcess.fork(workerFile, [], SERVICE_PROCESS_OPTIONS);
  return connectServiceWorker(fromUtilityProcess(child), connect);
}
