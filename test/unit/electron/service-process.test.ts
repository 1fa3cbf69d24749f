import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { failure } from '../../../src-main/contract/api';
import {
  fromUtilityProcess,
  SERVICE_PROCESS_OPTIONS,
  startServiceProcess,
  type UtilityProcessLike,
} from '../../../src-main/electron/service-process';

/** A UtilityProcess stand-in: an emitter with postMessage and kill, as Electron's is. */
class FakeUtilityProcess extends EventEmitter implements UtilityProcessLike {
  readonly posted: unknown[] = [];
  readonly kill = vi.fn(() => true);
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  /** What the worker's parentPort.postMessage delivers to main: the message itself. */
  fromWorker(message: unknown) {
    this.emit('message', message);
  }
  exitWith(code: number) {
    this.emit('exit', code);
  }
  /** The worker's answer to the control request it was posted at `index` (negative: from the end). */
  answer(index: number, outcome: unknown) {
    const { message } = this.posted.at(index) as { message: { id: string } };
    this.fromWorker({ channel: 'control', message: { type: 'response', id: message.id, outcome } });
  }
}

describe('fromUtilityProcess', () => {
  it('posts messages, hands on what the worker posts, reports the exit and kills', () => {
    const child = new FakeUtilityProcess();
    const worker = fromUtilityProcess(child);
    const received = vi.fn();
    const exited = vi.fn();
    worker.onExit(exited);

    const message = { channel: 'control', message: { type: 'request', id: 'a:1', method: 'stopAll' } };
    worker.postMessage(message);
    expect(child.posted).toEqual([message]);
    const stop = worker.onMessage(received);
    child.fromWorker({ channel: 'contract', message: 1 });
    stop();
    child.fromWorker({ channel: 'contract', message: 2 });
    expect(received).toHaveBeenCalledExactlyOnceWith({ channel: 'contract', message: 1 });

    worker.kill();
    expect(child.kill).toHaveBeenCalledTimes(1);
    child.exitWith(15);
    expect(exited).toHaveBeenCalledExactlyOnceWith(15);
  });

  it('never posts to a process that has exited', () => {
    const child = new FakeUtilityProcess();
    const worker = fromUtilityProcess(child);
    // Even from inside an exit listener, where Electron's postMessage once crashed main.
    worker.onExit(() => expect(() => worker.postMessage({ channel: 'control' })).toThrow(/exited/));
    child.exitWith(0);
    expect(child.posted).toEqual([]);
  });
});

function fakeForker() {
  const child = new FakeUtilityProcess();
  const utilityProcess = { fork: vi.fn((_modulePath: string, _args: string[], _options: object) => child) };
  return { child, utilityProcess };
}

describe('startServiceProcess', () => {
  it('forks the worker file as the named Baton service process, with its output in ours', async () => {
    const { child, utilityProcess } = fakeForker();
    const starting = startServiceProcess({
      utilityProcess,
      workerFile: '/opt/baton/out/main/worker.js',
      open: { mode: 'desktop', dataDir: '/home/me/.config/Baton', nativeBinding: '/opt/baton/better_sqlite3.node' },
      pickDirectory: async () => null,
      log: vi.fn(),
    });
    expect(utilityProcess.fork).toHaveBeenCalledExactlyOnceWith('/opt/baton/out/main/worker.js', [], {
      serviceName: 'Baton service',
      stdio: 'inherit',
    });
    expect(SERVICE_PROCESS_OPTIONS).toEqual({ serviceName: 'Baton service', stdio: 'inherit' });
    expect(child.posted).toEqual([
      {
        channel: 'control',
        message: {
          type: 'request',
          id: expect.any(String),
          method: 'open',
          params: {
            mode: 'desktop',
            dataDir: '/home/me/.config/Baton',
            nativeBinding: '/opt/baton/better_sqlite3.node',
            canPickDirectory: true,
          },
        },
      },
    ]);

    child.answer(0, { ok: true, value: { databaseFile: '/home/me/.config/Baton/baton.db' } });
    const service = await starting;
    expect(service.databaseFile).toBe('/home/me/.config/Baton/baton.db');

    // The window's messages go to the worker's contract channel, and its answers come back, as they are.
    const fromWorker = vi.fn();
    service.contract.onMessage(fromWorker);
    const request = { type: 'request', id: 'w:0', method: 'listTasks', params: {} };
    service.contract.postMessage(request);
    expect(child.posted.at(-1)).toEqual({ channel: 'contract', message: request });
    const response = { type: 'response', id: 'w:0', outcome: { ok: true, value: { tasks: [], total: 0 } } };
    child.fromWorker({ channel: 'contract', message: response });
    expect(fromWorker).toHaveBeenCalledExactlyOnceWith(response);

    const closing = service.close();
    expect(child.posted.at(-1)).toMatchObject({ channel: 'control', message: { method: 'close' } });
    child.answer(-1, { ok: true, value: null });
    child.exitWith(0);
    await closing;
    expect(() => service.contract.postMessage(request)).toThrow('the Baton service has stopped (exit code 0)');
    expect(child.kill).not.toHaveBeenCalled();
  });

  it('rejects with the reason, and kills the worker, when the service cannot open', async () => {
    const { child, utilityProcess } = fakeForker();
    const starting = startServiceProcess({
      utilityProcess,
      workerFile: '/opt/baton/out/main/worker.js',
      open: { mode: 'desktop' },
      log: vi.fn(),
    });
    child.answer(0, failure('internal', 'cannot open the database at /x/baton.db: EACCES'));
    await expect(starting).rejects.toThrow('cannot open the database at /x/baton.db: EACCES');
    expect(child.kill).toHaveBeenCalledTimes(1);
  });
});
