import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type CallOutcome, failure } from '../../src-main/contract/api';
import type { BatonEvent } from '../../src-main/contract/events';
import { type RpcMessage, RpcPeer } from '../../src-main/contract/rpc-peer';
import { type BrowserServer, startBrowserServer } from '../../src-main/server/browser-server';
import type { BatonEndpoint } from '../../src-main/service/baton-service';
import { wsClientPort } from '../support/rpc';

/** A host that answers every call with what it was given, and lets the test publish events. */
class EchoHost implements BatonEndpoint {
  readonly calls: Array<{ method: unknown; input: unknown }> = [];
  private readonly listeners = new Set<(event: BatonEvent, seq: number) => void>();
  private seq = 0;
  async dispatch(method: unknown, input: unknown): Promise<CallOutcome> {
    this.calls.push({ method, input });
    if (method === 'explode') throw new Error('the host broke');
    if (method === 'launchTask')
      return failure('invalid_input', 'prompt: the prompt must not be empty', [
        { path: ['prompt'], message: 'the prompt must not be empty' },
      ]);
    return { ok: true, value: { method, input } };
  }
  subscribe(listener: (event: BatonEvent, seq: number) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  publish(event: BatonEvent) {
    const seq = ++this.seq;
    for (const listener of this.listeners) listener(event, seq);
  }
  async stopAll() {}
  async close() {}
}

let dir: string;
let host: EchoHost;
let server: BrowserServer;
let base: string;
const logged: string[] = [];
/** One byte over the 4 MiB that a request body or socket message may be. */
const OVER_LIMIT = 4 * 1024 * 1024 + 1;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'baton-server-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Baton</title>');
  writeFileSync(path.join(dir, 'app.js'), 'console.log(1)');
  // A regular file by stat whose every read fails (EIO).
  symlinkSync('/proc/self/mem', path.join(dir, 'unreadable.js'));
  host = new EchoHost();
  server = await startBrowserServer({ host, staticDir: dir, log: (line) => logged.push(line) });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const auth = () => ({ authorization: `Bearer ${server.token}` });

interface Opened {
  ws: WebSocket;
  messages: RpcMessage[];
  closed: Promise<number>;
}

function openSocket(headers: Record<string, string>): Promise<Opened | { refused: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers });
    const messages: RpcMessage[] = [];
    const closed = new Promise<number>((done) => ws.on('close', (code) => done(code)));
    ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as RpcMessage));
    ws.on('open', () => resolve({ ws, messages, closed }));
    ws.on('unexpected-response', (_req, res) => resolve({ refused: res.statusCode ?? 0 }));
    ws.on('error', () => resolve({ refused: -1 }));
  });
}

async function until<T>(read: () => T | undefined): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('timed out waiting');
}

describe('browser-mode server security', () => {
  it('listens on loopback only and prints a URL with a long random token', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[A-Za-z0-9_-]{32}$`));
  });

  it('refuses pages and API calls without the right token', async () => {
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/?token=wrong`)).status).toBe(401);
    const api = await fetch(`${base}/api/listTasks`, { method: 'POST', body: '{}' });
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({ error: 'refused: missing or wrong token' });
    expect(host.calls).toHaveLength(0);
  });

  it('trades the URL token for an HttpOnly cookie that then opens the app', async () => {
    const first = await fetch(server.url, { redirect: 'manual' });
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('/');
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(new RegExp(`^baton_token_${server.port}=.+; HttpOnly; SameSite=Strict; Path=/$`));
    const page = await fetch(`${base}/`, { headers: { cookie: cookie.split(';')[0] as string } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Baton</title>');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('keeps a cookie per port, so a second server opened in the same browser leaves the first one’s tabs working', async () => {
    const second = await startBrowserServer({ host, staticDir: dir });
    try {
      // A browser keeps cookies by host and name, whatever the port, and sends all of them to every port.
      const jar = new Map<string, string>();
      for (const opened of [server, second]) {
        const answer = await fetch(opened.url, { redirect: 'manual' });
        const [pair] = (answer.headers.get('set-cookie') ?? '').split(';');
        const [name, ...value] = (pair as string).split('=');
        jar.set(name as string, value.join('='));
      }
      const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
      for (const opened of [server, second]) {
        expect((await fetch(`http://127.0.0.1:${opened.port}/`, { headers: { cookie } })).status).toBe(200);
      }
      expect(jar.size).toBe(2);
    } finally {
      await second.close();
    }
  });

  it('shows a page that says what to do when the token is missing or from an earlier start, not JSON', async () => {
    const stale = { cookie: `baton_token_${server.port}=from-an-earlier-start` };
    for (const refused of [
      await fetch(`${base}/`),
      await fetch(`${base}/?token=wrong`),
      await fetch(`${base}/#/history`, { headers: stale }),
      await fetch(`${base}/`, { method: 'HEAD', headers: stale }),
    ]) {
      expect(refused.status).toBe(401);
      expect(refused.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(refused.headers.get('content-security-policy')).toContain("default-src 'self'");
    }
    const page = await (await fetch(`${base}/`, { headers: stale })).text();
    expect(page).toContain('<h1>Open Baton with the address it printed</h1>');
    expect(page).toContain(`Baton is serving on http://127.0.0.1:${server.port}/?token=…`);
    expect(page).not.toContain(server.token);
    // Scripts still get JSON.
    const api = await fetch(`${base}/api/listTasks`, { method: 'POST', body: '{}', headers: stale });
    expect(api.headers.get('content-type')).toBe('application/json');
    expect(host.calls).toHaveLength(0);
  });

  it('refuses a foreign Origin and an unexpected Host even with the token', async () => {
    const foreign = await fetch(`${base}/api/listTasks`, {
      method: 'POST',
      headers: { ...auth(), origin: 'http://evil.example' },
      body: '{}',
    });
    expect(foreign.status).toBe(403);
    // fetch cannot set Host, so this one goes through node:http, as a DNS-rebinding page's request would arrive.
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: server.port,
          path: '/api/listTasks',
          method: 'POST',
          headers: { ...auth(), host: 'evil.example' },
        },
        (res) => resolve(res.statusCode ?? 0),
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(rebound).toBe(403);
    expect(host.calls).toHaveLength(0);
  });

  it('refuses sockets without the token or from another Origin', async () => {
    expect(await openSocket({})).toEqual({ refused: 401 });
    expect(await openSocket({ ...auth(), origin: 'http://evil.example' })).toEqual({ refused: 403 });
  });

  it('does not serve files outside the renderer folder', async () => {
    const response = await fetch(`${base}/..%2f..%2fetc%2fpasswd`, { headers: auth() });
    expect(await response.text()).not.toContain('root:');
  });
});

describe('browser-mode server transport', () => {
  it('serves the contract over HTTP', async () => {
    const ok = await fetch(`${base}/api/getTask`, {
      method: 'POST',
      headers: auth(),
      body: JSON.stringify({ taskId: 't1' }),
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true, value: { method: 'getTask', input: { taskId: 't1' } } });
    const invalid = await fetch(`${base}/api/launchTask`, { method: 'POST', headers: auth(), body: '{}' });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const garbage = await fetch(`${base}/api/listTasks`, { method: 'POST', headers: auth(), body: '{not json' });
    expect(garbage.status).toBe(400);
    expect(await garbage.json()).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringMatching(/not valid JSON/) },
    });
  });

  it('serves calls and events over the WebSocket, and answers malformed messages', async () => {
    const opened = await openSocket(auth());
    if (!('ws' in opened)) throw new Error(`socket refused: ${opened.refused}`);
    const { ws, messages } = opened;
    expect(await until(() => messages.find((m) => m.type === 'notification'))).toEqual({
      type: 'notification',
      method: 'hello',
      params: { serverStartedAt: expect.any(Number) },
    });

    const peer = new RpcPeer(wsClientPort(ws));
    expect(await peer.request('listProjects', {})).toEqual({
      ok: true,
      value: { method: 'listProjects', input: {} },
    });
    expect(messages.find((m) => m.type === 'response')).toEqual({
      type: 'response',
      id: expect.any(String),
      outcome: { ok: true, value: { method: 'listProjects', input: {} } },
    });

    ws.send('{"type":"request","id":"x"}');
    const malformed = await until(() => messages.find((m) => m.type === 'response' && m.id === 'x'));
    expect(malformed).toMatchObject({ outcome: { ok: false, error: { code: 'invalid_input' } } });

    host.publish({ type: 'task.started', taskId: 'task-1' });
    const event = await until(() => messages.find((m) => m.type === 'notification' && m.method === 'event'));
    expect(event).toEqual({
      type: 'notification',
      method: 'event',
      params: { seq: 1, event: { type: 'task.started', taskId: 'task-1' } },
    });
    ws.close();
  });
});

async function opened(): Promise<Opened> {
  const socket = await openSocket(auth());
  if (!('ws' in socket)) throw new Error(`socket refused: ${socket.refused}`);
  return socket;
}

describe('browser-mode server against broken clients and failures', () => {
  it('takes a call carrying a 1 MiB prompt, and refuses a body over the limit with 413', async () => {
    // Newlines double in JSON: 2 MiB on the wire.
    const prompt = '\n'.repeat(1024 * 1024);
    const fits = await fetch(`${base}/api/getTask`, {
      method: 'POST',
      headers: auth(),
      body: JSON.stringify({ prompt }),
    });
    expect(fits.status).toBe(200);
    expect(host.calls.at(-1)).toEqual({ method: 'getTask', input: { prompt } });

    const calls = host.calls.length;
    const over = await fetch(`${base}/api/getTask`, {
      method: 'POST',
      headers: auth(),
      body: 'x'.repeat(OVER_LIMIT),
    });
    expect(over.status).toBe(413);
    expect(await over.json()).toEqual({
      ok: false,
      error: { code: 'invalid_input', message: 'request body is over the 4 MiB limit', issues: [] },
    });
    expect(host.calls).toHaveLength(calls);
  });

  it('closes only the socket that sends too much (1009) or invalid UTF-8 (1007), and says why in the log', async () => {
    const bystander = await opened();
    const greedy = await opened();
    greedy.ws.send('x'.repeat(OVER_LIMIT));
    expect(await greedy.closed).toBe(1009);
    const garbled = await opened();
    garbled.ws.send(Buffer.from([0xc3, 0x28]), { binary: false });
    expect(await garbled.closed).toBe(1007);
    expect(logged).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/closed a connection .*WS_ERR_UNSUPPORTED_MESSAGE_LENGTH/),
        expect.stringMatching(/closed a connection .*WS_ERR_INVALID_UTF8/),
      ]),
    );

    expect(await new RpcPeer(wsClientPort(bystander.ws)).request('listTasks', {})).toMatchObject({ ok: true });
    bystander.ws.close();
  });

  it('answers a call whose host throws with an internal failure', async () => {
    const { ws } = await opened();
    expect(await new RpcPeer(wsClientPort(ws)).request('explode', {})).toEqual({
      ok: false,
      error: { code: 'internal', message: 'the host broke', issues: [] },
    });
    ws.close();
  });

  it('refuses an address it cannot parse with 400, over HTTP and as an upgrade', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: server.port, path: '//', headers: auth() }, (res) =>
        resolve(res.statusCode ?? 0),
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(400);
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      const socket = net.connect(server.port, '127.0.0.1', () =>
        socket.write(
          `GET // HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        ),
      );
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*malformed address$/);
  });

  it('ends a response whose file cannot be read, and goes on serving', async () => {
    const broken = await fetch(`${base}/unreadable.js`, { headers: auth() }).then(
      (response) => response.text(),
      (error: Error) => error.message,
    );
    expect(broken).not.toContain('console.log');
    expect(logged).toEqual(expect.arrayContaining([expect.stringMatching(/could not send \/unreadable\.js: EIO/)]));
    expect(await (await fetch(`${base}/app.js`, { headers: auth() })).text()).toBe('console.log(1)');
  });

  it('drops a client that stops reading once too much is queued for it, and keeps serving the others', async () => {
    const stuck = await openSocket(auth());
    const reader = await openSocket(auth());
    if ('refused' in stuck || 'refused' in reader) throw new Error('not opened');
    // The stuck client's end stops reading, as a frozen tab does.
    (stuck.ws as unknown as { _socket: net.Socket })._socket.pause();
    const big = 'x'.repeat(1024 * 1024);
    const event = (n: number): BatonEvent => ({
      type: 'agent.event',
      taskId: 't',
      sessionId: 's',
      iteration: 1,
      event: { kind: 'text', text: `${n} ${big}` },
    });
    for (let n = 0; n < 80; n++) {
      host.publish(event(n));
      // Let the sockets drain what they can, as a real stream of events would.
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(logged).toEqual(expect.arrayContaining([expect.stringMatching(/dropped a client that stopped reading/)]));
    const textsSeen = () => reader.messages.filter((m) => m.type === 'notification' && m.method === 'event').length;
    await expect.poll(textsSeen, { timeout: 10_000 }).toBe(80);
    reader.ws.close();
    stuck.ws.terminate();
  });
});
