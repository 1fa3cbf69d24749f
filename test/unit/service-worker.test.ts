import { type ChildProcess, fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MIGRATIONS } from '../../migrations';
import { type CallOutcome, failure } from '../../src-main/contract/api';
import type { BatonEvent } from '../../src-main/contract/events';
import { channel, RpcPeer } from '../../src-main/contract/rpc-peer';
import type { WorkerOpenOptions } from '../../src-main/contract/transport';
import {
  connectServiceWorker,
  type ConnectOptions,
  fromChildProcess,
  type ServiceWorkerEndpoint,
  type WorkerChild,
} from '../../src-main/service/worker-client';
import {
  detectParentPort,
  type OpenedService,
  type ParentPort,
  serveOverPort,
} from '../../src-main/worker/service-worker';
import { newerDatabase, snapshotOf } from '../support/newer-database';
import { contractClient, portPair, type TestPort } from '../support/rpc';

// The real worker entry under Node, through the same messages Electron's utility process carries.
// The agent is a stand-in that replays a real CLI transcript; the real CLI runs in test/integration and e2e.
const ROOT = path.resolve(__dirname, '..', '..');
const WORKER = path.join(ROOT, 'src-main', 'worker', 'service-worker.ts');
const transcript = path.join(__dirname, '..', 'fixtures', 'claude-stream-json-tool-use.jsonl');

let dir: string;
let children: ChildProcess[];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'baton-worker-'));
  children = [];
});
afterEach(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function standInClaude(script = `cat ${transcript}`, name = 'claude'): string {
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${script}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** The worker's environment: ours without any Baton settings, plus `env`. */
function workerEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('BATON_')) base[key] = value;
  return { ...base, BATON_CLAUDE_BIN: env.BATON_CLAUDE_BIN ?? standInClaude(), ...env };
}

function forkWorker(env: Record<string, string> = {}, serialization: 'advanced' | 'json' = 'advanced') {
  const child = fork(WORKER, [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    env: workerEnv(env),
    // Structured clone by default, as Electron's parentPort uses; Node's default is JSON.
    serialization,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.push(child);
  let stderr = '';
  child.stdout?.resume();
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exit, stderr: () => stderr };
}

async function connect(
  options: Partial<ConnectOptions> & { env?: Record<string, string>; serialization?: 'advanced' | 'json' } = {},
) {
  const { env, serialization, ...connectOptions } = options;
  const worker = forkWorker(env, serialization);
  const log = vi.fn();
  const endpoint = connectServiceWorker(fromChildProcess(worker.child, log), {
    open: { mode: 'desktop', dataDir: path.join(dir, 'data') },
    log,
    ...connectOptions,
  });
  return { ...worker, endpoint, log };
}

/** A client of the worker's contract channel, as the window is through main's relay; it checks every answer. */
const clientOf = (endpoint: ServiceWorkerEndpoint) => contractClient(endpoint.contract);

async function waitFor(events: BatonEvent[], matches: (event: BatonEvent) => boolean): Promise<BatonEvent> {
  for (let i = 0; i < 1000 && !events.some(matches); i++) await new Promise((r) => setTimeout(r, 10));
  const found = events.find(matches);
  if (!found) throw new Error(`no matching event among ${events.length}`);
  return found;
}

describe('the service worker under Node', { timeout: 30_000 }, () => {
  it('opens the service on the data directory and relays calls, events and the directory picker', async () => {
    const picker = vi.fn(async () => '/home/me/picked');
    const { child, endpoint, exit } = await connect({ pickDirectory: picker });
    const service = await endpoint;
    const client = clientOf(service);
    const databaseFile = path.join(dir, 'data', 'baton.db');
    expect(service.databaseFile).toBe(databaseFile);
    expect(await client.call('getAppInfo', {})).toMatchObject({
      mode: 'desktop',
      databaseFile,
      canPickDirectory: true,
    });

    // The worker's pickDirectory round-trips to the parent's picker.
    expect(await client.call('pickDirectory', {})).toEqual({ path: '/home/me/picked' });
    expect(picker).toHaveBeenCalledTimes(1);

    // Invalid input comes back as the contract's outcome, field issues and all.
    expect(await client.dispatch('launchTask', { dir, prompt: '' })).toEqual({
      ok: false,
      error: {
        code: 'invalid_input',
        message: 'prompt: the prompt must not be empty',
        issues: [{ path: ['prompt'], message: 'the prompt must not be empty' }],
      },
    });
    expect(await client.dispatch('dropTables', {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });

    const events: BatonEvent[] = [];
    service.subscribe((event) => events.push(event));
    const project = mkdtempSync(path.join(dir, 'project-'));
    const task = await client.call<{ id: string }>('launchTask', { dir: project, prompt: 'do it', maxIterations: 1 });
    await waitFor(events, (event) => event.type === 'task.finished' && event.taskId === task.id);
    const detail = await client.call<{ status: string; sessions: Array<{ sessionId: string }> }>('getTask', {
      taskId: task.id,
    });
    expect(detail.status).toBe('max_iterations');
    const sessionId = detail.sessions[0]?.sessionId;
    const replay = await client.call<{ events: Array<{ kind: string }> }>('getSessionEvents', { sessionId });
    expect(replay.events.length).toBeGreaterThan(0);
    // The replay keeps every streamed event but the text deltas, which the whole text replaces once the session ends.
    const streamed = events.filter(
      (event) => event.type === 'agent.event' && event.sessionId === sessionId && event.event.kind !== 'text_delta',
    );
    expect(streamed).toHaveLength(replay.events.length);
    expect(events.map((event) => event.type)).toEqual(
      expect.arrayContaining(['task.queued', 'task.started', 'iteration.started', 'iteration.finished']),
    );
    // The contract's channel carries the same events, with their seqs, for the window.
    await expect.poll(() => client.events.length).toBe(events.length);
    expect(client.events.map(({ event }) => event)).toEqual(events);

    // close ends the process by itself, with code 0.
    expect(child.exitCode).toBeNull();
    await service.close();
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(await service.exited).toBe(0);
    await expect(client.dispatch('getAppInfo', {})).rejects.toThrow('the Baton service has stopped (exit code 0)');
  });

  it('lets BATON_DB in its environment win over the data directory, and says it cannot pick directories', async () => {
    const fromEnvironment = path.join(dir, 'from-env.db');
    // Over Node's default JSON channel, which drops undefined values (here, the input).
    const service = await (await connect({ env: { BATON_DB: fromEnvironment }, serialization: 'json' })).endpoint;
    const client = clientOf(service);
    expect(service.databaseFile).toBe(fromEnvironment);
    expect(await client.call('getAppInfo', undefined)).toMatchObject({
      databaseFile: fromEnvironment,
      canPickDirectory: false,
    });
    expect(await client.dispatch('pickDirectory', {})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    await service.close();
  });

  it('rejects the connect with the reason when the database cannot be opened, and the worker exits', async () => {
    const notAFolder = path.join(dir, 'file');
    writeFileSync(notAFolder, 'not a folder');
    const { endpoint, exit } = await connect({
      open: { mode: 'desktop', databaseFile: path.join(notAFolder, 'baton.db') },
    });
    await expect(endpoint).rejects.toThrow(/database/);
    await expect(endpoint).rejects.toThrow(notAFolder);
    expect((await exit).code === 1 || (await exit).signal !== null).toBe(true);
  });

  it('rejects the connect with the reason when a newer Baton wrote the database, and leaves it unchanged', async () => {
    const databaseFile = await newerDatabase(dir, { userVersion: MIGRATIONS.length + 1 });
    const before = snapshotOf(databaseFile);
    const { endpoint, exit } = await connect({ open: { mode: 'desktop', databaseFile } });
    // The window shows this message in its "Baton could not start" box.
    await expect(endpoint).rejects.toThrow(/a newer version of Baton wrote it.*left unchanged/);
    expect((await exit).code === 1 || (await exit).signal !== null).toBe(true);
    expect(snapshotOf(databaseFile)).toEqual(before);
  });

  it('settles a call in flight, not never, once the worker has been killed, and refuses later ones', async () => {
    let pickerCalled!: () => void;
    const asked = new Promise<void>((resolve) => (pickerCalled = resolve));
    // A picker that never answers keeps a call in flight inside the worker.
    const { child, endpoint, exit } = await connect({
      pickDirectory: () => {
        pickerCalled();
        return new Promise<string | null>(() => {});
      },
    });
    const service = await endpoint;
    const client = clientOf(service);
    const inFlight = client.dispatch('pickDirectory', {});
    await asked;
    child.kill('SIGKILL');
    await expect(inFlight).rejects.toThrow(
      'the Baton service has stopped (killed by a signal) before pickDirectory answered',
    );
    await exit;
    await expect(client.dispatch('listTasks', {})).rejects.toThrow(/stopped/);
    await expect(service.stopAll()).rejects.toThrow(/stopped/);
    await expect(service.close()).resolves.toBeUndefined();
  });

  it('stops its tasks and closes when the parent goes away, so sessions get a final status', async () => {
    const { child, endpoint, exit } = await connect({
      env: { BATON_CLAUDE_BIN: standInClaude(`head -n 3 ${transcript}\nsleep 30`, 'slow-claude') },
    });
    const service = await endpoint;
    const events: BatonEvent[] = [];
    service.subscribe((event) => events.push(event));
    const task = await clientOf(service).call<{ id: string }>('launchTask', { dir, prompt: 'long' });
    await waitFor(events, (event) => event.type === 'agent.event' && event.event.kind === 'usage');
    child.disconnect();
    expect(await exit).toEqual({ code: 0, signal: null });

    const again = await (await connect()).endpoint;
    expect(await clientOf(again).call('getTask', { taskId: task.id })).toMatchObject({
      status: 'cancelled',
      sessions: [expect.objectContaining({ status: 'cancelled' })],
    });
    await again.close();
  });
});

/** A parent for serveOverPort: the worker's end of a channel, whose other end the test holds as main would. */
function fakeParent() {
  const [workerEnd, mainEnd] = portPair();
  const exits: number[] = [];
  const port: ParentPort = {
    ...workerEnd,
    onClose: (listener) => workerEnd.onClose!(listener),
    exit: (code) => void exits.push(code),
  };
  const notifications: Array<{ channel: string; method: string; params: unknown }> = [];
  const peerOn = (name: string, request?: (method: string) => Promise<CallOutcome>) =>
    new RpcPeer(channel(mainEnd, name), {
      request: request && ((method) => request(method)),
      notification: (method, params) => void notifications.push({ channel: name, method, params }),
    });
  return {
    port,
    mainEnd,
    exits,
    notifications,
    peerOn,
    /** Posts `message` on a channel as it is, malformed or not. */
    raw: (name: string, message: unknown) => mainEnd.postMessage({ channel: name, message }),
    disconnect: () => mainEnd.close('the parent went away'),
  };
}

function fakeService() {
  const listeners = new Set<(event: BatonEvent, seq: number) => void>();
  const service = {
    databaseFile: '/data/baton.db',
    dispatch: vi.fn(async (method: unknown, _input: unknown): Promise<CallOutcome> => ({ ok: true, value: method })),
    subscribe: (listener: (event: BatonEvent, seq: number) => void) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    stopAll: vi.fn(async () => {}),
    close: vi.fn(async () => {}),
  } satisfies OpenedService;
  return {
    service,
    emit: (event: BatonEvent, seq = 1) => listeners.forEach((listener) => listener(event, seq)),
    listeners,
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const openOptions: WorkerOpenOptions = { mode: 'desktop', canPickDirectory: false };
const started: BatonEvent = { type: 'task.started', taskId: 't1' };
const ok = (value: unknown = null): CallOutcome => ({ ok: true, value });

describe('serveOverPort', () => {
  it('logs and ignores malformed messages, answers a request it cannot read, and serves the well-formed ones', async () => {
    const { port, mainEnd, raw, peerOn } = fakeParent();
    const { service } = fakeService();
    const log = vi.fn();
    const open = vi.fn(async () => service);
    serveOverPort(port, open, { log });
    for (const bad of [null, 'open', 42, {}, { type: 'nope' }, { type: 'request', method: 'open' }])
      raw('control', bad);
    raw('control', { type: 'request', id: 9, params: openOptions });
    await settle();
    expect(log).toHaveBeenCalledTimes(6);
    expect(log.mock.calls.every(([line]) => /^baton service: ignoring a/.test(String(line)))).toBe(true);
    expect(mainEnd.received.at(-1)).toEqual({
      channel: 'control',
      message: { type: 'response', id: 9, outcome: failure('invalid_input', 'malformed request: it names no method') },
    });
    expect(open).not.toHaveBeenCalled();

    expect(await peerOn('control').request('open', openOptions)).toEqual(ok({ databaseFile: '/data/baton.db' }));
    const contract = peerOn('contract');
    expect(await contract.request('getAppInfo', {})).toEqual(ok('getAppInfo'));
    // A call without input is still a call.
    expect(await contract.request('getLiveState')).toEqual(ok('getLiveState'));
    expect(service.dispatch).toHaveBeenLastCalledWith('getLiveState', undefined);
    expect(open).toHaveBeenCalledExactlyOnceWith(
      expect.objectContaining({ mode: 'desktop', pickDirectory: undefined }),
    );
  });

  it('answers calls before any open as unavailable, and refuses a second open', async () => {
    const { port, peerOn } = fakeParent();
    const { service } = fakeService();
    const open = vi.fn(async () => service);
    serveOverPort(port, open);
    expect(await peerOn('contract').request('getAppInfo')).toEqual(
      failure('unavailable', 'the Baton service is not open'),
    );
    const control = peerOn('control');
    await control.request('open', openOptions);
    expect(await control.request('open', openOptions)).toEqual(
      failure('invalid_input', 'the Baton service is already open'),
    );
    expect(open).toHaveBeenCalledTimes(1);
  });

  it('sends every service event on both channels, and on close stops and closes the service, answers and exits', async () => {
    const { port, exits, peerOn, notifications } = fakeParent();
    const { service, emit, listeners } = fakeService();
    serveOverPort(port, async () => service);
    const control = peerOn('control');
    const contract = peerOn('contract');
    await control.request('open', openOptions);
    emit(started);
    expect(notifications).toEqual([
      { channel: 'control', method: 'event', params: { seq: 1, event: started } },
      { channel: 'contract', method: 'event', params: { seq: 1, event: started } },
    ]);
    expect(await control.request('stopAll')).toEqual(ok());
    expect(service.stopAll).toHaveBeenCalledTimes(1);
    expect(await control.request('close')).toEqual(ok());
    expect(service.close).toHaveBeenCalledTimes(1);
    expect(listeners.size).toBe(0);
    await settle();
    expect(exits).toEqual([0]);
    expect(await contract.request('getAppInfo')).toEqual(failure('unavailable', 'the Baton service is closing'));
  });

  it('reports a failed open and exits with 1', async () => {
    const { port, exits, peerOn } = fakeParent();
    serveOverPort(port, async () => {
      throw new Error('cannot open the database at /nope: EACCES');
    });
    expect(await peerOn('control').request('open', openOptions)).toEqual(
      failure('internal', 'cannot open the database at /nope: EACCES'),
    );
    await settle();
    expect(exits).toEqual([1]);
  });

  it('asks the parent for directories, and gives null to a pick still open when the parent goes away', async () => {
    const { port, exits, peerOn, raw, disconnect, mainEnd } = fakeParent();
    const { service } = fakeService();
    const open = vi.fn(async (_options: { pickDirectory?: () => Promise<string | null> }) => service);
    const log = vi.fn();
    serveOverPort(port, open, { log });
    const answers: Array<(outcome: CallOutcome) => void> = [];
    const control = peerOn('control', () => new Promise((resolve) => answers.push(resolve)));
    await control.request('open', { ...openOptions, canPickDirectory: true });
    const pick = open.mock.calls[0]?.[0].pickDirectory;
    expect(pick).toBeTypeOf('function');

    const first = pick!();
    expect(mainEnd.received.at(-1)).toMatchObject({ message: { type: 'request', method: 'pickDirectory' } });
    raw('control', { type: 'response', id: 'not-asked', outcome: ok('/wrong') });
    answers[0]!(ok('/home/me/repo'));
    expect(await first).toBe('/home/me/repo');
    expect(log).toHaveBeenCalledExactlyOnceWith(expect.stringMatching(/response to no request \(not-asked\)/));

    const second = pick!();
    const sentBefore = mainEnd.received.length;
    disconnect();
    expect(await second).toBeNull();
    await settle();
    expect(service.close).toHaveBeenCalledTimes(1);
    expect(exits).toEqual([0]);
    expect(mainEnd.received.length).toBe(sentBefore);
  });
});

describe('detectParentPort', () => {
  it("uses Electron's process.parentPort when there is one: messages arrive as { data }", () => {
    const parentPort = Object.assign(new EventEmitter(), { postMessage: vi.fn() });
    const holder = process as unknown as { parentPort?: unknown };
    holder.parentPort = parentPort;
    try {
      const port = detectParentPort();
      const received = vi.fn();
      const stop = port!.onMessage(received);
      parentPort.emit('message', { data: { channel: 'control' }, ports: [] });
      expect(received).toHaveBeenCalledExactlyOnceWith({ channel: 'control' });
      stop();
      parentPort.emit('message', { data: { channel: 'control' }, ports: [] });
      expect(received).toHaveBeenCalledTimes(1);
      port!.postMessage({ channel: 'control', message: 1 });
      expect(parentPort.postMessage).toHaveBeenCalledExactlyOnceWith({ channel: 'control', message: 1 });
    } finally {
      delete holder.parentPort;
    }
  });
});

/** A worker process stand-in: the parent's end of a channel, whose other end the test answers on as the worker. */
function fakeChild() {
  const [mainEnd, workerEnd] = portPair();
  const exits = new EventEmitter();
  const child = {
    postMessage: (message: unknown) => mainEnd.postMessage(message),
    onMessage: (listener: (message: unknown) => void) => mainEnd.onMessage(listener),
    onExit: (listener: (code: number | null) => void) => void exits.on('exit', listener),
    kill: vi.fn(() => {}),
  } satisfies WorkerChild;
  const requests: string[] = [];
  let answer = (method: string, _params: unknown): Promise<CallOutcome> | CallOutcome =>
    method === 'open' ? ok({ databaseFile: '/db' }) : ok();
  const control = new RpcPeer(channel(workerEnd, 'control'), {
    request: (method, params) => {
      requests.push(method);
      return answer(method, params);
    },
  });
  return {
    child,
    workerEnd: workerEnd as TestPort,
    control,
    requests,
    answerWith: (next: typeof answer) => void (answer = next),
    exit: (code: number | null) => exits.emit('exit', code),
  };
}

const quiet = { open: { mode: 'desktop' as const }, log: vi.fn() };

describe('connectServiceWorker', () => {
  it('opens the service, logs and ignores malformed messages, hands on events unread, and relays the contract channel', async () => {
    const { child, workerEnd, requests } = fakeChild();
    const log = vi.fn();
    const connecting = connectServiceWorker(child, { open: { mode: 'desktop', dataDir: '/data' }, log });
    expect(workerEnd.received).toEqual([
      {
        channel: 'control',
        message: {
          type: 'request',
          id: expect.any(String),
          method: 'open',
          params: { mode: 'desktop', dataDir: '/data', canPickDirectory: false },
        },
      },
    ]);
    const service = await connecting;
    expect(requests).toEqual(['open']);
    expect(service.databaseFile).toBe('/db');
    for (const bad of [undefined, 'ready', { type: 'ready' }, { type: 'response', id: 99, outcome: ok(1) }])
      workerEnd.postMessage({ channel: 'control', message: bad });
    expect(log).toHaveBeenCalledTimes(4);

    // Main does not read the worker's events: it hands them on as they come.
    const events: unknown[] = [];
    const unsubscribe = service.subscribe((event) => events.push(event));
    const exploded = { type: 'task.exploded' } as unknown as BatonEvent;
    workerEnd.postMessage({
      channel: 'control',
      message: { type: 'notification', method: 'event', params: { seq: 1, event: exploded } },
    });
    unsubscribe();
    workerEnd.postMessage({
      channel: 'control',
      message: { type: 'notification', method: 'event', params: { seq: 2, event: started } },
    });
    expect(events).toEqual([exploded]);

    // The contract's channel carries whatever is posted on it, both ways, unread.
    const fromWorker = vi.fn();
    service.contract.onMessage(fromWorker);
    service.contract.postMessage({ anything: 'at all' });
    expect(workerEnd.received.at(-1)).toEqual({ channel: 'contract', message: { anything: 'at all' } });
    workerEnd.postMessage({ channel: 'contract', message: [1, 2] });
    expect(fromWorker).toHaveBeenCalledExactlyOnceWith([1, 2]);
  });

  it('rejects with the worker reason on a failed open, and on an exit before it opened', async () => {
    const failed = fakeChild();
    failed.answerWith(() => failure('internal', 'BATON_DB must not be empty when set'));
    await expect(connectServiceWorker(failed.child, quiet)).rejects.toThrow('BATON_DB must not be empty when set');
    expect(failed.child.kill).toHaveBeenCalled();

    const crashed = fakeChild();
    crashed.answerWith(() => new Promise(() => {}));
    const early = connectServiceWorker(crashed.child, quiet);
    crashed.exit(3);
    await expect(early).rejects.toThrow('the Baton service exited before it opened (exit code 3)');
  });

  it('answers pickDirectory with the injected picker, null when there is none or it fails', async () => {
    const { child, control } = fakeChild();
    const picker = vi.fn().mockResolvedValueOnce('/home/me/repo').mockRejectedValueOnce(new Error('no display'));
    await connectServiceWorker(child, { ...quiet, pickDirectory: picker });
    expect(await control.request('pickDirectory')).toEqual(ok('/home/me/repo'));
    expect(await control.request('pickDirectory')).toEqual(ok(null));

    const without = fakeChild();
    await connectServiceWorker(without.child, quiet);
    expect(await without.control.request('pickDirectory')).toEqual(ok(null));
  });

  it('round-trips stopAll and close, and close waits for the exit', async () => {
    const { child, requests, answerWith, exit } = fakeChild();
    const service = await connectServiceWorker(child, quiet);
    await expect(service.stopAll()).resolves.toBeUndefined();
    answerWith(() => failure('internal', 'kill failed'));
    await expect(service.stopAll()).rejects.toThrow('kill failed');
    // A malformed answer still settles its request.
    answerWith(() => ({ ok: false }) as unknown as CallOutcome);
    await expect(service.stopAll()).rejects.toThrow('a malformed answer to stopAll');

    answerWith(() => ok());
    let closed = false;
    const closing = service.close().then(() => (closed = true));
    expect(service.close()).toBe(service.close());
    await settle();
    expect(requests.at(-1)).toBe('close');
    expect(closed).toBe(false);
    exit(0);
    await closing;
    expect(child.kill).not.toHaveBeenCalled();
  });

  it('kills a worker that does not close in time', async () => {
    const { child, answerWith, exit } = fakeChild();
    const log = vi.fn();
    const service = await connectServiceWorker(child, { ...quiet, closeTimeoutMs: 1000, log });
    answerWith(() => new Promise(() => {}));
    vi.useFakeTimers();
    try {
      const closing = service.close();
      await vi.advanceTimersByTimeAsync(999);
      expect(child.kill).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(1);
      expect(child.kill).toHaveBeenCalledTimes(1);
      expect(log).toHaveBeenCalledExactlyOnceWith(expect.stringMatching(/did not close within 1000 ms/));
      exit(null);
      await expect(closing).resolves.toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it('settles requests in flight, and refuses later ones and the contract channel, once the worker has died', async () => {
    const { child, answerWith, exit } = fakeChild();
    const log = vi.fn();
    const service = await connectServiceWorker(child, { ...quiet, log });
    answerWith(() => new Promise(() => {}));
    const inFlight = service.stopAll();
    exit(null);
    const gone = 'the Baton service has stopped (killed by a signal)';
    await expect(inFlight).rejects.toThrow(`${gone} before stopAll answered`);
    await expect(service.stopAll()).rejects.toThrow(gone);
    expect(() => service.contract.postMessage({})).toThrow(gone);
    expect(log).toHaveBeenCalledExactlyOnceWith(`baton: ${gone}`);
    expect(await service.exited).toBeNull();
  });

  it('rejects a request that cannot be sent, with why', async () => {
    const { child } = fakeChild();
    const service = await connectServiceWorker(child, quiet);
    child.postMessage = () => {
      throw new Error('the service process has no open IPC channel');
    };
    await expect(service.stopAll()).rejects.toThrow(
      'could not ask the Baton service to stopAll: could not send stopAll: the service process has no open IPC channel',
    );
  });
});
