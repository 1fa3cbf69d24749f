/** `baton serve`: browser mode, the renderer and the contract on 127.0.0.1 with a per-launch token. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBrowserServer } from '../server/browser-server';
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

export async function serveCommand(options: { port: number; db?: string }): Promise<number> {
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new Error('--port must be a whole number from 0 to 65535');
  }
  // A renderer built elsewhere (or a test's stub) is served as it is; this checkout's is built when missing.
  const rendererDir = process.env.BATON_RENDERER_DIR ? path.resolve(process.env.BATON_RENDERER_DIR) : RENDERER_DIR;
  if (rendererDir === RENDERER_DIR) ensureRendererBuilt();
  const host = await openBaton({ mode: 'browser', databaseFile: options.db });
  const databaseFile = host.databaseFile;
  let server;
  try {
    server = await startBrowserServer({
      host,
      staticDir: rendererDir,
      port: options.port,
      log: (line) => process.stderr.write(`${line}\n`),
    });
  } catch (error) {
    await host.close();
    throw new Error(`cannot listen on 127.0.0.1:${options.port}: ${(error as Error).message}`, { cause: error });
  }
  process.stdout.write(`Baton is serving on ${server.url}\n`);
  process.stdout.write(
    `database: ${databaseFile}\nopen the address above in a browser; Ctrl-C stops Baton and its tasks\n`,
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
