import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { failure } from '../../../src-main/contract/api';
import type { ParentMessage } from '../../../src-main/contract/worker-protocol';
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
}

describe('fromUtilityProcess', () => {
  it('posts messages, hands on what the worker posts, reports the exit and kills', () => {
    const child = new FakeUtilityProcess();
    const worker = fromUtilityProcess(child);
    const received = vi.fn();
    const exited = vi.fn();
    worker.onMessage(received);
    worker.onExit(exited);

    const call: ParentMessage = { type: 'call', id: 1, method: 'getAppInfo', input: {} };
    worker.send(call);
    expect(child.posted).toEqual([call]);
    child.fromWorker({ type: 'ready', databaseFile: '/db' });
    expect(received).toHaveBeenCalledExactlyOnceWith({ type: 'ready', databaseFile: '/db' });

    worker.kill();
    expect(child.kill).toHaveBeenCalledTimes(1);
    child.exitWith(15);
    expect(exited).toHaveBeenCalledExactlyOnceWith(15);
  });

  it('never posts to a process that has exited', () => {
    const child = new FakeUtilityProcess();
    const worker = fromUtilityProcess(child);
    // Even from inside an exit listener, where Electron's postMessage once crashed main.
    worker.onExit(() => expect(() => worker.send({ type: 'stopAll', id: 0 })).toThrow(/exited/));
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
        type: 'open',
        options: {
          mode: 'desktop',
          dataDir: '/home/me/.config/Baton',
          nativeBinding: '/opt/baton/better_sqlite3.node',
          canPickDirectory: true,
        },
      },
    ]);

    child.fromWorker({ type: 'ready', databaseFile: '/home/me/.config/Baton/baton.db' });
    const service = await starting;
    expect(service.databaseFile).toBe('/home/me/.config/Baton/baton.db');

    const outcome = service.dispatch('listTasks', {});
    expect(child.posted.at(-1)).toEqual({ type: 'call', id: 0, method: 'listTasks', input: {} });
    child.fromWorker({ type: 'result', id: 0, outcome: { ok: true, value: { tasks: [], total: 0 } } });
    expect(await outcome).toEqual({ ok: true, value: { tasks: [], total: 0 } });

    const closing = service.close();
    expect(child.posted.at(-1)).toEqual({ type: 'close', id: 1 });
    child.fromWorker({ type: 'done', id: 1 });
    child.exitWith(0);
    await closing;
    expect(await service.dispatch('listTasks', {})).toEqual(
      failure('unavailable', 'the Baton service has stopped (exit code 0)'),
    );
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
    child.fromWorker({ type: 'openFailed', message: 'cannot open the database at /x/baton.db: EACCES' });
    await expect(starting).rejects.toThrow('cannot open the database at /x/baton.db: EACCES');
    expect(child.kill).toHaveBeenCalledTimes(1);
  });
});
