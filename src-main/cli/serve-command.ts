/**
 * `baton serve`: browser mode, the renderer and the contract on 127.0.0.1 with a per-launch token, on the
 * port this database was served on last unless `--port` says otherwise.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserServer, startBrowserServer } from '../server/browser-server';
import type { BatonService } from '../service/baton-service';
import { openBaton } from '../service/open-baton';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RENDERER_DIR = path.join(ROOT, 'out', 'renderer');

/** Builds the renderer when this checkout has never been built. */
export function ensureRendererBuilt(): void {
  if (existsSync(path.join(RENDERER_DIR, 'index.html'))) return;
  process.stdout.write('Building the renderer (first run only)…\n');
  const build = spawnSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error('building the renderer failed; run `npm run build` to see why');
}

/** Whether listening failed only because the port is held by something else. */
const portTaken = (error: unknown) => ['EADDRINUSE', 'EACCES'].includes((error as NodeJS.ErrnoException).code ?? '');

/**
 * Listens where the user said (`--port`, exactly), else on the port this database was served on last, else
 * on a free one. Only a port chosen freely, or given, is remembered: a stand-in for a remembered port that
 * is taken (another Baton serving the same database, say) is for this start alone.
 */
async function listen(host: BatonService, rendererDir: string, given: number | undefined): Promise<BrowserServer> {
  const start = (port: number) =>
    startBrowserServer({ host, staticDir: rendererDir, port, log: (line) => process.stderr.write(`${line}\n`) });
  const remembered = given === undefined ? await host.browserPort.remembered() : null;
  const wanted = given ?? remembered ?? 0;
  let server: BrowserServer;
  try {
    server = await start(wanted);
  } catch (error) {
    if (given !== undefined || remembered === null || !portTaken(error)) {
      throw new Error(`cannot listen on 127.0.0.1:${wanted}: ${(error as Error).message}`, { cause: error });
    }
    server = await start(0);
    process.stdout.write(
      `port ${remembered}, where this database was served last, is in use (another Baton serving it?); ` +
        `serving on ${server.port} for now, and tabs open on ${remembered} will not find this one\n`,
    );
    return server;
  }
  await host.browserPort.remember(server.port);
  return server;
}

export async function serveCommand(options: { port?: number; db?: string }): Promise<number> {
  const given = options.port;
  if (given !== undefined && (!Number.isInteger(given) || given < 0 || given > 65535)) {
    throw new Error('--port must be a whole number from 0 to 65535');
  }
  // A renderer built elsewhere (or a test's stub) is served as it is; this checkout's is built when missing.
  const rendererDir = process.env.BATON_RENDERER_DIR ? path.resolve(process.env.BATON_RENDERER_DIR) : RENDERER_DIR;
  if (rendererDir === RENDERER_DIR) ensureRendererBuilt();
  const host = await openBaton({ mode: 'browser', databaseFile: options.db });
  const databaseFile = host.databaseFile;
  let server: BrowserServer;
  try {
    server = await listen(host, rendererDir, given);
  } catch (error) {
    await host.close();
    throw error;
  }
  process.stdout.write(`Baton is serving on ${server.url}\n`);
  process.stdout.write(
    `database: ${databaseFile}\nopen the address above in a browser; Ctrl-C stops Baton and its tasks\n` +
      `(the next \`baton serve\` of this database listens on port ${server.port} again, with a new token)\n`,
  );

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stdout.write('stopping running tasks…\n');
  await server.close();
  await host.close();
  return 0;
}
