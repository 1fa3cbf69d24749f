import { type ChildProcess, fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MIGRATIONS } from '../../migrations';
import { type CallOutcome, failure } from '../../src-main/contract/api';
import type { BatonEvent } from '../../src-main/contract/events';
import type { ParentMessage, WorkerMessage } from '../../src-main/contract/worker-protocol';
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

async function call<T = unknown>(endpoint: ServiceWorkerEndpoint, method: string, input: unknown): Promise<T> {
  const outcome = await endpoint.dispatch(method, input);
  if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
  return outcome.value as T;
}

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
    const databaseFile = path.join(dir, 'data', 'baton.db');
    expect(service.databaseFile).toBe(databaseFile);
    expect(await call(service, 'getAppInfo', {})).toMatchObject({
      mode: 'desktop',
      databaseFile,
      canPickDirectory: true,
    });

    // The worker's pickDirectory round-trips to the parent's picker.
    expect(await call(service, 'pickDirectory', {})).toEqual({ path: '/home/me/picked' });
    expect(picker).toHaveBeenCalledTimes(1);

    // Invalid input comes back as the contract's outcome, field issues and all.
    expect(await service.dispatch('launchTask', { dir, prompt: '' })).toEqual({
      ok: false,
      error: {
        code: 'invalid_input',
        message: 'prompt: the prompt must not be empty',
        issues: [{ path: ['prompt'], message: 'the prompt must not be empty' }],
      },
    });
    expect(await service.dispatch('dropTables', {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });

    const events: BatonEvent[] = [];
    service.subscribe((event) => events.push(event));
    const project = mkdtempSync(path.join(dir, 'project-'));
    const task = await call<{ id: string }>(service, 'launchTask', { dir: project, prompt: 'do it', maxIterations: 1 });
    await waitFor(events, (event) => event.type === 'task.finished' && event.taskId === task.id);
    const detail = await call<{ status: string; sessions: Array<{ sessionId: string }> }>(service, 'getTask', {
      taskId: task.id,
    });
    expect(detail.status).toBe('max_iterations');
    const sessionId = detail.sessions[0]?.sessionId;
    const replay = await call<{ events: Array<{ kind: string }> }>(service, 'getSessionEvents', { sessionId });
    expect(replay.events.length).toBeGreaterThan(0);
    // The replay keeps every streamed event but the text deltas, which the whole text replaces once the session ends.
    const streamed = events.filter(
      (event) => event.type === 'agent.event' && event.sessionId === sessionId && event.event.kind !== 'text_delta',
    );
    expect(streamed).toHaveLength(replay.events.length);
    expect(events.map((event) => event.type)).toEqual(
      expect.arrayContaining(['task.queued', 'task.started', 'iteration.started', 'iteration.finished']),
    );

    // close ends the process by itself, with code 0.
    expect(child.exitCode).toBeNull();
    await service.close();
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(await service.exited).toBe(0);
    expect(await service.dispatch('getAppInfo', {})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('lets BATON_DB in its environment win over the data directory, and says it cannot pick directories', async () => {
    const fromEnvironment = path.join(dir, 'from-env.db');
    // Over Node's default JSON channel, which drops undefined values (here, the input).
    const service = await (await connect({ env: { BATON_DB: fromEnvironment }, serialization: 'json' })).endpoint;
    expect(service.databaseFile).toBe(fromEnvironment);
    expect(await call(service, 'getAppInfo', undefined)).toMatchObject({
      databaseFile: fromEnvironment,
      canPickDirectory: false,
    });
    expect(await service.dispatch('pickDirectory', {})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
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

  it('answers unavailable, not never, once the worker has been killed', async () => {
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
    const inFlight = service.dispatch('pickDirectory', {});
    await asked;
    child.kill('SIGKILL');
    expect(await inFlight).toMatchObject({ ok: false, error: { code: 'unavailable', issues: [] } });
    await exit;
    expect(await service.dispatch('listTasks', {})).toMatchObject({
      ok: false,
      error: { code: 'unavailable', message: expect.stringMatching(/stopped/) },
    });
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
    const task = await call<{ id: string }>(service, 'launchTask', { dir, prompt: 'long' });
    await waitFor(events, (event) => event.type === 'agent.event' && event.event.kind === 'usage');
    child.disconnect();
    expect(await exit).toEqual({ code: 0, signal: null });

    const again = await (await connect()).endpoint;
    expect(await call(again, 'getTask', { taskId: task.id })).toMatchObject({
      status: 'cancelled',
      sessions: [expect.objectContaining({ status: 'cancelled' })],
    });
    await again.close();
  });
});

/** A parent port that records what the worker sends. */
function fakePort() {
  const emitter = new EventEmitter();
  const sent: WorkerMessage[] = [];
  const exits: number[] = [];
  const port: ParentPort = {
    send: (message) => void sent.push(message),
    onMessage: (listener) => void emitter.on('message', listener),
    onDisconnect: (listener) => void emitter.on('disconnect', listener),
    exit: (code) => void exits.push(code),
  };
  return {
    port,
    sent,
    exits,
    receive: (message: unknown) => emitter.emit('message', message),
    disconnect: () => emitter.emit('disconnect'),
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

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const openMessage: ParentMessage = { type: 'open', options: { mode: 'desktop', canPickDirectory: false } };
const started: BatonEvent = { type: 'task.started', taskId: 't1' };

describe('serveOverPort', () => {
  it('logs and ignores malformed messages, and serves the well-formed ones', async () => {
    const { port, sent, receive } = fakePort();
    const { service } = fakeService();
    const log = vi.fn();
    const open = vi.fn(async () => service);
    serveOverPort(port, open, { log });
    for (const bad of [
      null,
      'open',
      42,
      {},
      { type: 'nope' },
      { type: 'call', method: 'x' },
      { type: 'close', id: -1 },
    ])
      receive(bad);
    receive({ type: 'open', options: { mode: 'cli', canPickDirectory: false } });
    await settle();
    expect(log).toHaveBeenCalledTimes(8);
    expect(log.mock.calls.every(([line]) => /malformed/.test(String(line)))).toBe(true);
    expect(open).not.toHaveBeenCalled();
    expect(sent).toEqual([]);

    receive(openMessage);
    receive({ type: 'call', id: 3, method: 'getAppInfo', input: {} });
    // Node's JSON channel drops undefined values: a call without input is still a call.
    receive({ type: 'call', id: 4, method: 'getLiveState' });
    await settle();
    expect(sent).toEqual([
      { type: 'ready', databaseFile: '/data/baton.db' },
      { type: 'result', id: 3, outcome: { ok: true, value: 'getAppInfo' } },
      { type: 'result', id: 4, outcome: { ok: true, value: 'getLiveState' } },
    ]);
    expect(service.dispatch).toHaveBeenLastCalledWith('getLiveState', undefined);
    expect(open).toHaveBeenCalledExactlyOnceWith(
      expect.objectContaining({ mode: 'desktop', pickDirectory: undefined }),
    );
  });

  it('answers calls before any open as unavailable, and ignores a second open', async () => {
    const { port, sent, receive } = fakePort();
    const { service } = fakeService();
    const open = vi.fn(async () => service);
    const log = vi.fn();
    serveOverPort(port, open, { log });
    receive({ type: 'call', id: 0, method: 'getAppInfo' });
    await settle();
    expect(sent).toEqual([{ type: 'result', id: 0, outcome: failure('unavailable', 'the Baton service is not open') }]);
    receive(openMessage);
    receive(openMessage);
    await settle();
    expect(open).toHaveBeenCalledTimes(1);
    expect(log).toHaveBeenCalledExactlyOnceWith(expect.stringMatching(/second open/));
  });

  it('forwards every service event, and on close stops and closes the service, replies done and exits', async () => {
    const { port, sent, exits, receive } = fakePort();
    const { service, emit, listeners } = fakeService();
    serveOverPort(port, async () => service);
    receive(openMessage);
    await settle();
    emit(started);
    receive({ type: 'stopAll', id: 1 });
    await settle();
    expect(service.stopAll).toHaveBeenCalledTimes(1);
    receive({ type: 'close', id: 2 });
    await settle();
    expect(sent.slice(1)).toEqual([
      { type: 'event', seq: 1, event: started },
      { type: 'done', id: 1 },
      { type: 'done', id: 2 },
    ]);
    expect(service.close).toHaveBeenCalledTimes(1);
    expect(listeners.size).toBe(0);
    expect(exits).toEqual([0]);
    receive({ type: 'call', id: 3, method: 'getAppInfo' });
    await settle();
    expect(sent.at(-1)).toEqual({
      type: 'result',
      id: 3,
      outcome: failure('unavailable', 'the Baton service is closing'),
    });
  });

  it('reports a failed open and exits with 1', async () => {
    const { port, sent, exits, receive } = fakePort();
    serveOverPort(port, async () => {
      throw new Error('cannot open the database at /nope: EACCES');
    });
    receive(openMessage);
    await settle();
    expect(sent).toEqual([{ type: 'openFailed', message: 'cannot open the database at /nope: EACCES' }]);
    expect(exits).toEqual([1]);
  });

  it('asks the parent for directories, and gives null to a pick still open when the parent goes away', async () => {
    const { port, sent, exits, receive, disconnect } = fakePort();
    const { service } = fakeService();
    const open = vi.fn(async (_options: { pickDirectory?: () => Promise<string | null> }) => service);
    const log = vi.fn();
    serveOverPort(port, open, { log });
    receive({ type: 'open', options: { mode: 'desktop', canPickDirectory: true } });
    await settle();
    const pick = open.mock.calls[0]?.[0].pickDirectory;
    expect(pick).toBeTypeOf('function');

    const first = pick!();
    expect(sent.at(-1)).toEqual({ type: 'pickDirectory', id: 0 });
    receive({ type: 'directoryPicked', id: 7, path: '/wrong' });
    receive({ type: 'directoryPicked', id: 0, path: '/home/me/repo' });
    expect(await first).toBe('/home/me/repo');
    expect(log).toHaveBeenCalledExactlyOnceWith(expect.stringMatching(/no directory request/));

    const second = pick!();
    const sentBefore = sent.length;
    disconnect();
    expect(await second).toBeNull();
    await settle();
    expect(service.close).toHaveBeenCalledTimes(1);
    expect(exits).toEqual([0]);
    expect(sent.length).toBe(sentBefore);
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
      port!.onMessage(received);
      parentPort.emit('message', { data: openMessage, ports: [] });
      expect(received).toHaveBeenCalledExactlyOnceWith(openMessage);
      port!.send({ type: 'ready', databaseFile: '/db' });
      expect(parentPort.postMessage).toHaveBeenCalledExactlyOnceWith({ type: 'ready', databaseFile: '/db' });
    } finally {
      delete holder.parentPort;
    }
  });
});

/** A worker process stand-in: records what the parent sends and lets the test answer. */
function fakeChild() {
  const emitter = new EventEmitter();
  const sent: ParentMessage[] = [];
  const child = {
    send: (message: ParentMessage) => void sent.push(message),
    onMessage: (listener: (message: unknown) => void) => void emitter.on('message', listener),
    onExit: (listener: (code: number | null) => void) => void emitter.on('exit', listener),
    kill: vi.fn(() => {}),
  } satisfies WorkerChild;
  return {
    child,
    sent,
    reply: (message: unknown) => emitter.emit('message', message),
    exit: (code: number | null) => emitter.emit('exit', code),
  };
}

describe('connectServiceWorker', () => {
  it('sends open, logs and ignores malformed replies, and resolves on ready', async () => {
    const { child, sent, reply } = fakeChild();
    const log = vi.fn();
    const connecting = connectServiceWorker(child, { open: { mode: 'desktop', dataDir: '/data' }, log });
    expect(sent).toEqual([{ type: 'open', options: { mode: 'desktop', dataDir: '/data', canPickDirectory: false } }]);
    for (const bad of [
      undefined,
      'ready',
      { type: 'ready' },
      { type: 'event', seq: 1, event: { type: 'task.exploded' } },
    ])
      reply(bad);
    reply({ type: 'result', id: 99, outcome: { ok: true, value: 1 } });
    expect(log).toHaveBeenCalledTimes(5);
    reply({ type: 'ready', databaseFile: '/data/baton.db' });
    const service = await connecting;
    expect(service.databaseFile).toBe('/data/baton.db');

    const events: BatonEvent[] = [];
    const unsubscribe = service.subscribe((event) => events.push(event));
    reply({ type: 'event', seq: 1, event: started });
    unsubscribe();
    reply({ type: 'event', seq: 1, event: started });
    expect(events).toEqual([started]);

    const outcome = service.dispatch('getAppInfo', {});
    expect(sent.at(-1)).toEqual({ type: 'call', id: 0, method: 'getAppInfo', input: {} });
    reply({ type: 'result', id: 0, outcome: { ok: false, error: { code: 'not_found', message: 'gone' } } });
    // The contract's defaults are filled in on the way.
    expect(await outcome).toEqual(failure('not_found', 'gone'));

    // A malformed result still settles its call.
    const broken = service.dispatch('getAppInfo', {});
    reply({ type: 'result', id: 1, outcome: { ok: false, error: { code: 'exploded' } } });
    expect(await broken).toEqual(failure('internal', 'the Baton service sent a malformed result'));
  });

  it('rejects with the worker reason on openFailed, and on an exit before ready', async () => {
    const failed = fakeChild();
    const connecting = connectServiceWorker(failed.child, { open: { mode: 'desktop' }, log: vi.fn() });
    failed.reply({ type: 'openFailed', message: 'BATON_DB must not be empty when set' });
    await expect(connecting).rejects.toThrow('BATON_DB must not be empty when set');
    expect(failed.child.kill).toHaveBeenCalled();

    const crashed = fakeChild();
    const early = connectServiceWorker(crashed.child, { open: { mode: 'desktop' }, log: vi.fn() });
    crashed.exit(3);
    await expect(early).rejects.toThrow('the Baton service exited before it opened (exit code 3)');
  });

  it('answers pickDirectory with the injected picker, null when there is none or it fails', async () => {
    const { child, sent, reply } = fakeChild();
    const picker = vi.fn().mockResolvedValueOnce('/home/me/repo').mockRejectedValueOnce(new Error('no display'));
    const connecting = connectServiceWorker(child, { open: { mode: 'desktop' }, pickDirectory: picker, log: vi.fn() });
    expect(sent[0]).toMatchObject({ options: { canPickDirectory: true } });
    reply({ type: 'ready', databaseFile: '/db' });
    await connecting;
    reply({ type: 'pickDirectory', id: 4 });
    reply({ type: 'pickDirectory', id: 5 });
    await settle();
    expect(sent.slice(1)).toEqual([
      { type: 'directoryPicked', id: 4, path: '/home/me/repo' },
      { type: 'directoryPicked', id: 5, path: null },
    ]);
  });

  it('round-trips stopAll and close by id, and close waits for the exit', async () => {
    const { child, sent, reply, exit } = fakeChild();
    const connecting = connectServiceWorker(child, { open: { mode: 'desktop' }, log: vi.fn() });
    reply({ type: 'ready', databaseFile: '/db' });
    const service = await connecting;
    const stopping = service.stopAll();
    expect(sent.at(-1)).toEqual({ type: 'stopAll', id: 0 });
    reply({ type: 'done', id: 0 });
    await expect(stopping).resolves.toBeUndefined();
    const failing = service.stopAll();
    reply({ type: 'done', id: 1, error: 'kill failed' });
    await expect(failing).rejects.toThrow('kill failed');

    let closed = false;
    const closing = service.close().then(() => (closed = true));
    expect(service.close()).toBe(service.close());
    expect(sent.at(-1)).toEqual({ type: 'close', id: 2 });
    reply({ type: 'done', id: 2 });
    await settle();
    expect(closed).toBe(false);
    exit(0);
    await closing;
    expect(child.kill).not.toHaveBeenCalled();
  });

  it('kills a worker that does not close in time', async () => {
    vi.useFakeTimers();
    try {
      const { child, reply, exit } = fakeChild();
      const log = vi.fn();
      const connecting = connectServiceWorker(child, { open: { mode: 'desktop' }, closeTimeoutMs: 1000, log });
      reply({ type: 'ready', databaseFile: '/db' });
      const service = await connecting;
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

  it('answers calls in flight, and later ones, as unavailable once the worker has died', async () => {
    const { child, reply, exit } = fakeChild();
    const log = vi.fn();
    const connecting = connectServiceWorker(child, { open: { mode: 'desktop' }, log });
    reply({ type: 'ready', databaseFile: '/db' });
    const service = await connecting;
    const inFlight = service.dispatch('listTasks', {});
    exit(null);
    const gone = failure('unavailable', 'the Baton service has stopped (killed by a signal)');
    expect(await inFlight).toEqual(gone);
    expect(await service.dispatch('listTasks', {})).toEqual(gone);
    expect(log).toHaveBeenCalledExactlyOnceWith('baton: the Baton service has stopped (killed by a signal)');
    expect(await service.exited).toBeNull();
  });

  it('answers unavailable when a call cannot be sent', async () => {
    const { child, reply } = fakeChild();
    const connecting = connectServiceWorker(child, { open: { mode: 'desktop' }, log: vi.fn() });
    reply({ type: 'ready', databaseFile: '/db' });
    const service = await connecting;
    child.send = () => {
      throw new Error('the service process has no open IPC channel');
    };
    expect(await service.dispatch('listTasks', {})).toEqual(
      failure('unavailable', 'could not reach the Baton service: the service process has no open IPC channel'),
    );
  });
});
