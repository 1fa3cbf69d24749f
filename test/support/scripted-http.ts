/**
 * The HTTP plumbing the scripted API servers (Anthropic, OpenAI, Gemini) share: a
 * server on a free local port whose handler gets each request with its path and
 * body already read, and a close that does not wait for the agent's kept-alive
 * connections. What a server answers is its own.
 */
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ScriptedRequest {
  req: http.IncomingMessage;
  /** The URL's path, without its query. */
  path: string;
  /** The body as text ('' when there is none). */
  raw: string;
}

export interface LocalServer {
  port: number;
  close(): Promise<void>;
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  req.setEncoding('utf8');
  let text = '';
  for await (const chunk of req) text += chunk as string;
  return text;
}

/** A JSON object's value, or undefined for an empty body, one that is not JSON, or JSON that is no object. */
export function parseJsonObject<T extends object>(raw: string): T | undefined {
  try {
    const value: unknown = raw ? JSON.parse(raw) : undefined;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

/** Adds each count of `add` to the same count of `into`. */
export function addCounts<T extends { [K in keyof T]: number }>(into: T, add: T): void {
  for (const key of Object.keys(into) as Array<keyof T>) into[key] = (into[key] + add[key]) as T[keyof T];
}

/**
 * A local port nothing listens on, for now: a connection to it is refused until a server takes it (see
 * serveLocally's `port`), as when an API is down.
 */
export async function closedPort(): Promise<number> {
  const probe = net.createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, 'close');
  return port;
}

/**
 * Listens on 127.0.0.1 at `port`, or a free port without one; a handler that throws answers 500 with
 * the error.
 */
export async function serveLocally(
  handle: (request: ScriptedRequest, res: http.ServerResponse) => Promise<void>,
  port = 0,
): Promise<LocalServer> {
  const server = http.createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      await handle({ req, path, raw }, res);
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      // The agents keep their connections alive between requests; they must not hold the close up.
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
