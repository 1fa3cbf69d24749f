/**
 * Browser mode: the renderer and the contract over HTTP and WebSocket, on
 * 127.0.0.1 only. Every request and socket needs the per-launch token (from
 * the URL once, then an HttpOnly cookie) and, when a browser sends one, our
 * own Origin; the Host header is checked too, against DNS rebinding.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { type CallOutcome, failure } from '../contract/api';
import { contentSecurityPolicy } from '../contract/content-security-policy';
import { type Port, RpcPeer } from '../contract/rpc-peer';
import {
  EVENT_NOTIFICATION,
  type EventNotification,
  HELLO_NOTIFICATION,
  type HelloNotification,
  TOKEN_PARAM,
  tokenCookie,
  WS_PATH,
} from '../contract/transport';
import type { BatonEndpoint } from '../service/baton-service';
import { refusalPage } from './refusal-page';

/**
 * The largest request body or WebSocket message: room for a 1 MiB prompt even
 * when JSON doubles it (every newline becomes `\n`). Above it, a request gets
 * 413 and a socket is closed with 1009 ("message too big").
 */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/**
 * Events queued for one client beyond this mean it stopped reading (a frozen tab, a stuck
 * script): it is dropped, rather than let Baton's memory grow without end. A live window
 * reconnects and resyncs.
 */
export const MAX_QUEUED_EVENT_BYTES = 32 * 1024 * 1024;
const MAX_MESSAGE_TEXT = '4 MiB';
const API_PREFIX = '/api/';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const SECURITY_HEADERS = {
  'content-security-policy': contentSecurityPolicy(),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export interface BrowserServerOptions {
  host: BatonEndpoint;
  /** Folder of the built renderer (index.html and assets). */
  staticDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Defaults to a random token per launch. */
  token?: string;
  /** Where a client that broke the protocol, or a file that failed to send, is reported. */
  log?: (line: string) => void;
}

export interface BrowserServer {
  readonly port: number;
  readonly token: string;
  /** The address to open, with the token. */
  readonly url: string;
  close(): Promise<void>;
}

function statusFor(outcome: CallOutcome): number {
  if (outcome.ok) return 200;
  switch (outcome.error.code) {
    case 'invalid_input':
    case 'unknown_method':
      return 400;
    case 'not_found':
      return 404;
    case 'unavailable':
      return 503;
    default:
      return 500;
  }
}

/** A server-side WebSocket as an rpc Port: JSON text each way; text that is not JSON reaches the peer as itself. */
function socketPort(ws: WebSocket): Port {
  return {
    postMessage(message) {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
    },
    onMessage(listener) {
      const onMessage = (data: RawData) => {
        const text = data.toString();
        let message: unknown = text;
        try {
          message = JSON.parse(text);
        } catch {
          // Left as text, which the peer ignores.
        }
        listener(message);
      };
      ws.on('message', onMessage);
      return () => void ws.off('message', onMessage);
    },
    onClose: (listener) => void ws.once('close', () => listener('the connection closed')),
  };
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

class BodyTooLarge extends Error {}

/** The body as text, or BodyTooLarge once it has all arrived. */
function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Over the limit the rest is read and dropped: closing now would reset the
      // connection before the client reads the 413.
      if (size <= MAX_MESSAGE_BYTES) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on('end', () => {
      if (size > MAX_MESSAGE_BYTES) reject(new BodyTooLarge(`request body is over the ${MAX_MESSAGE_TEXT} limit`));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/** The request's address, or undefined when it cannot be parsed (`//`, `/\\`). */
function requestUrl(req: http.IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://127.0.0.1');
  } catch {
    return undefined;
  }
}

export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const expected = Buffer.from(token);
  const staticRoot = path.resolve(options.staticDir);
  const log = options.log ?? (() => {});
  let port = 0;

  const tokenMatches = (candidate: string | undefined): boolean => {
    if (!candidate) return false;
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  /** Why a request or upgrade must be refused, or undefined when it may proceed. */
  const refusal = (req: http.IncomingMessage, url: URL): { status: number; message: string } | undefined => {
    const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
    if (!allowedHosts.includes(req.headers.host ?? ''))
      return { status: 403, message: 'refused: unexpected Host header' };
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedHosts.map((h) => `http://${h}`).includes(origin)) {
      return { status: 403, message: 'refused: foreign Origin' };
    }
    const bearer = req.headers.authorization?.match(/^Bearer (.+)$/)?.[1];
    const candidate = url.searchParams.get(TOKEN_PARAM) ?? bearer ?? cookieValue(req.headers.cookie, tokenCookie(port));
    if (!tokenMatches(candidate)) return { status: 401, message: 'refused: missing or wrong token' };
    return undefined;
  };

  const send = (res: http.ServerResponse, status: number, body: string, type = 'application/json') => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };

  const serveStatic = (res: http.ServerResponse, pathname: string) => {
    const relative = decodeURIComponent(pathname).replace(/^\/+/, '');
    let file = path.resolve(staticRoot, relative || 'index.html');
    if (!file.startsWith(staticRoot + path.sep) && file !== staticRoot)
      return send(res, 403, 'refused: outside the app');
    if (!existsSync(file) || !statSync(file).isFile()) file = path.join(staticRoot, 'index.html');
    if (!existsSync(file)) return send(res, 503, 'the renderer is not built: run `npm run build`', 'text/plain');
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': file.endsWith('index.html') ? 'no-store' : 'max-age=3600',
    });
    // pipeline, not pipe: a failed read must end this response, not the process.
    pipeline(createReadStream(file), res, (error) => {
      if (error) log(`browser mode: could not send ${pathname}: ${error.message}`);
    });
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = requestUrl(req);
      if (!url) return send(res, 400, JSON.stringify({ error: 'refused: malformed address' }));
      const refused = refusal(req, url);
      if (refused) {
        // A page a person opened gets words and what to do; a script, the API and anything else get JSON.
        const isPage = !url.pathname.startsWith(API_PREFIX) && (req.method === 'GET' || req.method === 'HEAD');
        if (isPage) return send(res, refused.status, refusalPage(refused, port), 'text/html; charset=utf-8');
        return send(res, refused.status, JSON.stringify({ error: refused.message }));
      }

      if (url.pathname.startsWith(API_PREFIX)) {
        if (req.method !== 'POST') return send(res, 405, JSON.stringify({ error: 'use POST' }));
        let input: unknown;
        try {
          const body = await readBody(req);
          input = body ? JSON.parse(body) : {};
        } catch (error) {
          if (error instanceof BodyTooLarge)
            return send(res, 413, JSON.stringify(failure('invalid_input', error.message)));
          const outcome = failure('invalid_input', `request body is not valid JSON: ${(error as Error).message}`);
          return send(res, 400, JSON.stringify(outcome));
        }
        const outcome = await options.host.dispatch(url.pathname.slice(API_PREFIX.length), input);
        return send(res, statusFor(outcome), JSON.stringify(outcome));
      }

      if (req.method !== 'GET' && req.method !== 'HEAD')
        return send(res, 405, JSON.stringify({ error: 'method not allowed' }));
      if (url.searchParams.has(TOKEN_PARAM)) {
        // Trade the token in the URL for a cookie, and drop it from the address bar.
        res.writeHead(302, {
          ...SECURITY_HEADERS,
          'set-cookie': `${tokenCookie(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`,
          location: `${url.pathname}${url.hash}`,
        });
        return res.end();
      }
      serveStatic(res, url.pathname);
    })().catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, JSON.stringify({ error: (error as Error).message }));
      else res.destroy();
    });
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const serverStartedAt = Date.now();
  const peers = new Map<WebSocket, RpcPeer>();

  server.on('upgrade', (req, socket, head) => {
    // Node hands over an upgrading socket with no error listener: a client's reset would end the process.
    socket.on('error', () => socket.destroy());
    const url = requestUrl(req);
    const refused = !url
      ? { status: 400, message: 'refused: malformed address' }
      : url.pathname === WS_PATH
        ? refusal(req, url)
        : { status: 404, message: 'no such socket' };
    if (refused) {
      socket.end(
        `HTTP/1.1 ${refused.status} ${http.STATUS_CODES[refused.status]}\r\nConnection: close\r\n\r\n${refused.message}`,
      );
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => sockets.emit('connection', ws, req));
  });

  sockets.on('connection', (ws: WebSocket) => {
    // A message over the limit (1009) or of invalid UTF-8 (1007) closes this socket, and only it.
    ws.on('error', (error: Error & { code?: string }) =>
      log(`browser mode: closed a connection that broke the protocol: ${error.message} (${error.code ?? 'no code'})`),
    );
    // The service's dispatch validates every call; the peer answers one it cannot read as invalid_input.
    const peer = new RpcPeer(socketPort(ws), { request: (method, input) => options.host.dispatch(method, input) });
    peers.set(ws, peer);
    ws.once('close', () => peers.delete(ws));
    peer.notify(HELLO_NOTIFICATION, { serverStartedAt } satisfies HelloNotification);
  });

  const unsubscribe = options.host.subscribe((event, seq) => {
    const params: EventNotification = { seq, event };
    for (const [client, peer] of peers) {
      if (client.readyState !== WebSocket.OPEN) continue;
      if (client.bufferedAmount > MAX_QUEUED_EVENT_BYTES) {
        log(`browser mode: dropped a client that stopped reading (${client.bufferedAmount} bytes queued for it)`);
        client.terminate();
        continue;
      }
      peer.notify(EVENT_NOTIFICATION, params);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/?${TOKEN_PARAM}=${token}`,
    close: async () => {
      unsubscribe();
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
