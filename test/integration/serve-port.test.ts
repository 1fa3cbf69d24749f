/**
 * `baton serve` restarted: it listens on the port it served the database on before, so a tab left open
 * finds it again (and is asked for the new token); `--port` is taken exactly as given.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningBaton, startBaton } from '../support/baton-cli';

let root: string;
let db: string;
let env: NodeJS.ProcessEnv;
const running: RunningBaton[] = [];

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'baton-serve-port-'));
  db = path.join(root, 'baton.db');
  // The renderer is not under test; a stub page spares building it.
  const renderer = path.join(root, 'renderer');
  mkdirSync(renderer);
  writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>Baton</title>');
  env = {
    BATON_RENDERER_DIR: renderer,
    // Browser mode imports the agents' transcripts: never this machine's own.
    CLAUDE_CONFIG_DIR: path.join(root, 'claude'),
    CODEX_HOME: path.join(root, 'codex'),
  };
});
afterEach(async () => {
  for (const baton of running.splice(0)) await stop(baton);
  rmSync(root, { recursive: true, force: true });
});

const SERVING = /serving on http:\/\/127\.0\.0\.1:(\d+)\/\?token=(\S+)/;

async function serve(...args: string[]): Promise<{ baton: RunningBaton; port: number; token: string }> {
  const baton = startBaton(['serve', '--db', db, ...args], env);
  running.push(baton);
  const [, port, token] = (await baton.waitFor(SERVING)).match(SERVING) as RegExpMatchArray;
  return { baton, port: Number(port), token: token as string };
}

async function stop(baton: RunningBaton): Promise<void> {
  const at = running.indexOf(baton);
  if (at >= 0) running.splice(at, 1);
  try {
    process.kill(-baton.pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
  await baton.exited;
}

/** A port something else listens on, until `release`. */
async function holdAPort(port = 0): Promise<{ port: number; release(): Promise<void> }> {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
  return {
    port: (holder.address() as net.AddressInfo).port,
    release: () => new Promise((resolve) => holder.close(() => resolve())),
  };
}

describe('baton serve across restarts', () => {
  it('serves a database on the port it used before, with a new token; the old one gets the page that says what to do', async () => {
    const first = await serve();
    await stop(first.baton);
    const second = await serve();

    expect(second.port).toBe(first.port);
    expect(second.token).not.toBe(first.token);
    const stale = await fetch(`http://127.0.0.1:${second.port}/`, {
      headers: { cookie: `baton_token_${first.port}=${first.token}` },
    });
    expect(stale.status).toBe(401);
    expect(await stale.text()).toContain('Open Baton with the address it printed');
    const fresh = await fetch(`http://127.0.0.1:${second.port}/`, {
      headers: { authorization: `Bearer ${second.token}` },
    });
    expect(fresh.status).toBe(200);
  });

  it('takes --port as given, and remembers it for the next start without one', async () => {
    const free = await holdAPort();
    await free.release();
    const given = await serve('--port', String(free.port));
    expect(given.port).toBe(free.port);
    await stop(given.baton);
    expect((await serve()).port).toBe(free.port);
  });

  it('refuses a --port that is taken, rather than serving elsewhere', async () => {
    const taken = await holdAPort();
    try {
      const baton = startBaton(['serve', '--db', db, '--port', String(taken.port)], env);
      running.push(baton);
      const run = await baton.exited;
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${taken.port}: .*EADDRINUSE`));
    } finally {
      await taken.release();
    }
  });

  it('serves elsewhere for now when the remembered port is taken, and keeps the remembered one', async () => {
    const first = await serve();
    await stop(first.baton);
    const taken = await holdAPort(first.port);
    const meanwhile = await serve();
    expect(meanwhile.port).not.toBe(first.port);
    expect(meanwhile.baton.stdout()).toContain(
      `port ${first.port}, where this database was served last, is in use (another Baton serving it?); ` +
        `serving on ${meanwhile.port} for now`,
    );
    await stop(meanwhile.baton);
    await taken.release();
    expect((await serve()).port).toBe(first.port);
  });
});
