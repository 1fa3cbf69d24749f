/**
 * Browser mode against hostile or broken local clients: the real `baton serve`
 * must outlive every one of them, keep answering, and keep running its tasks.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { CallOutcome } from '../../src-main/contract/api';
import { type RpcMessage, RpcPeer } from '../../src-main/contract/rpc-peer';
import type { TaskDetail } from '../../src-main/contract/views';
import { type RunningBaton, startBaton } from '../support/baton-cli';
import type { Script } from '../support/scripted-anthropic-server';
import { useScriptedWorkspaces } from '../support/scripted-workspace';
import { checkedOutcome, wsClientPort } from '../support/rpc';
import { gate, iterationScript } from '../support/scripts';

const setUp = useScriptedWorkspaces();
const MiB = 1024 * 1024;

interface Serve {
  baton: RunningBaton;
  port: number;
  token: string;
  project: string;
  exited(): boolean;
}

const running: Serve[] = [];
afterEach(async () => {
  for (const serve of running.splice(0)) {
    if (serve.exited()) continue;
    process.kill(-serve.baton.pid, 'SIGTERM');
    await serve.baton.exited;
  }
});

async function startServe(script: Script = iterationScript(1)): Promise<Serve> {
  const { root, project, db, env } = await setUp(script);
  // The renderer is not under test; a stub page spares building it.
  const renderer = path.join(root, 'renderer');
  mkdirSync(renderer);
  writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>Baton</title>');
  const baton = startBaton(['serve', '--port', '0', '--db', db], { ...env, BATON_RENDERER_DIR: renderer });
  let gone = false;
  void baton.exited.then(() => (gone = true));
  const serving = /serving on http:\/\/127\.0\.0\.1:(\d+)\/\?token=(\S+)/;
  const [, port, token] = (await baton.waitFor(serving)).match(serving) as RegExpMatchArray;
  const serve = { baton, port: Number(port), token: token as string, project, exited: () => gone };
  running.push(serve);
  return serve;
}

async function call(serve: Serve, method: string, input: unknown): Promise<CallOutcome> {
  const response = await fetch(`http://127.0.0.1:${serve.port}/api/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${serve.token}` },
    body: JSON.stringify(input),
  });
  return checkedOutcome(method, (await response.json()) as CallOutcome);
}

/**
 * Still running, and still serving the contract. The abuse's connections have ended on this side, so the
 * server had what they sent, and their resets, before this call: it handles those before it can answer.
 */
async function expectAlive(serve: Serve): Promise<void> {
  const answer = await call(serve, 'listProjects', {}).catch((error: unknown) => error);
  if (serve.exited()) throw new Error(`baton serve exited:\n${(await serve.baton.exited).stderr}`);
  expect(answer).toMatchObject({ ok: true });
}

const handshake = (serve: Serve, target = '/ws') =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${serve.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;

/** Sends `text`, waits `afterMs` (or for the first byte back when -1), then resets the connection. */
function resetAfter(serve: Serve, text: string, afterMs: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(serve.port, '127.0.0.1', () => {
      socket.write(text);
      const reset = () => {
        socket.resetAndDestroy();
        resolve();
      };
      if (afterMs < 0) socket.once('data', reset);
      else setTimeout(reset, afterMs);
    });
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
  });
}

interface OpenSocket {
  ws: WebSocket;
  messages: RpcMessage[];
  /** Resolves with the close code. */
  closed: Promise<number>;
}

function openSocket(serve: Serve): Promise<OpenSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${serve.port}/ws`, {
      headers: { authorization: `Bearer ${serve.token}` },
    });
    const messages: RpcMessage[] = [];
    const closed = new Promise<number>((done) => ws.on('close', (code) => done(code)));
    ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as RpcMessage));
    ws.on('error', reject);
    ws.on('open', () => resolve({ ws, messages, closed }));
  });
}

async function until<T>(read: () => T | undefined | false | Promise<T | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('browser mode outlives its clients', () => {
  it('survives WebSocket upgrades without a token that are reset mid-handshake', async () => {
    const serve = await startServe();
    const full = handshake(serve);
    for (let i = 0; i < 20; i++) {
      await Promise.all([
        resetAfter(serve, full.slice(0, 40), 0),
        resetAfter(serve, full, 0),
        resetAfter(serve, full, -1),
        resetAfter(serve, full, i % 5),
      ]);
    }
    await expectAlive(serve);
  });

  it('refuses, and survives, an upgrade whose address cannot be parsed', async () => {
    const serve = await startServe();
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      const socket = net.connect(serve.port, '127.0.0.1', () => socket.write(handshake(serve, '//')));
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('error', () => resolve(text));
      socket.on('close', () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    await expectAlive(serve);
  });

  it('closes a socket that sends a frame over the limit with 1009, and survives', async () => {
    const serve = await startServe();
    const { ws, closed } = await openSocket(serve);
    ws.send('x'.repeat(5 * MiB));
    expect(await closed).toBe(1009);
    await expectAlive(serve);
  });

  it('closes a socket that sends a text frame of invalid UTF-8 with 1007, and survives', async () => {
    const serve = await startServe();
    const { ws, closed } = await openSocket(serve);
    ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect(await closed).toBe(1007);
    await expectAlive(serve);
  });

  it('answers a launch carrying a 1 MiB prompt, on a socket that stays open', async () => {
    const serve = await startServe();
    const { ws } = await openSocket(serve);
    // Text that is no message of the peer's is dropped; the socket and the calls after it go on.
    for (const junk of ['null', 'not json', '{"type":"response","id":1}']) ws.send(junk);
    const peer = new RpcPeer(wsClientPort(ws));
    const prompt = 'fix the failing tests\n'.repeat(Math.ceil(MiB / 22));
    expect(prompt.length).toBeGreaterThanOrEqual(MiB);
    // Launched, or refused with a reason: either way an answer, not a dropped connection.
    const outcome = checkedOutcome('launchTask', await peer.request('launchTask', { dir: serve.project, prompt }));
    if (!outcome.ok) expect(outcome.error.message).not.toBe('');
    expect(checkedOutcome('listProjects', await peer.request('listProjects', {}))).toMatchObject({ ok: true });
    ws.close();
    await expectAlive(serve);
  });

  it('refuses an HTTP body over the limit with 413, with or without a length, and survives', async () => {
    const serve = await startServe();
    const big = await fetch(`http://127.0.0.1:${serve.port}/api/listProjects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serve.token}` },
      body: 'x'.repeat(5 * MiB),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringMatching(/over the 4 MiB limit/) },
    });

    // Chunked, so the size shows only while reading.
    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: serve.port,
          path: '/api/listProjects',
          method: 'POST',
          headers: { authorization: `Bearer ${serve.token}` },
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      const chunk = 'x'.repeat(MiB);
      const writeMore = (left: number) => {
        if (left === 0 || req.destroyed) return req.end();
        if (req.write(chunk)) writeMore(left - 1);
        else req.once('drain', () => writeMore(left - 1));
      };
      writeMore(5);
    });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    await expectAlive(serve);
  });

  it('a task keeps running through all of it and finishes', async () => {
    // Three iterations, done at the third, whose answers wait until the abuse is over: it lands while the task runs.
    const abused = gate();
    const serve = await startServe((ctx) => ({ ...iterationScript(3)(ctx), heldUntil: abused.opened }));
    const launched = await call(serve, 'launchTask', { dir: serve.project, prompt: 'do the work', maxIterations: 5 });
    expect(launched).toMatchObject({ ok: true });
    const taskId = (launched as { value: { id: string } }).value.id;
    const status = async () => ((await call(serve, 'getTask', { taskId })) as { value: TaskDetail }).value.status;
    expect(await status()).toMatch(/^(queued|running)$/);

    const full = handshake(serve);
    for (let i = 0; i < 10; i++) await Promise.all([resetAfter(serve, full, 0), resetAfter(serve, full, -1)]);
    const big = await openSocket(serve);
    big.ws.send('x'.repeat(5 * MiB));
    await big.closed;
    const garbled = await openSocket(serve);
    garbled.ws.send(Buffer.from([0xc3, 0x28]), { binary: false });
    await garbled.closed;
    await expectAlive(serve);
    expect(await status()).toMatch(/^(queued|running)$/);
    abused.open();

    const settled = await until(async () => {
      const now = await status();
      return now !== 'queued' && now !== 'running' && now;
    }, 60_000);
    expect(settled).toBe('completed');
    await expectAlive(serve);
  });
});
