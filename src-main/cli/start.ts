/**
 * `npm start`. With an Electron binary it builds and opens the desktop
 * shell; the electron package fetches its binary on first use, so a user's
 * first start downloads it. Where that is impossible (no network, or installs
 * made with ELECTRON_SKIP_BINARY_DOWNLOAD=1) it says so in one line and shows
 * the headless CLI instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

function electronBinary(): { path?: string; why?: string } {
  const packageDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const installed = () => {
    const pathFile = path.join(packageDir, 'path.txt');
    if (!existsSync(pathFile)) return undefined;
    const binary = path.join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(binary) ? binary : undefined;
  };
  const found = installed();
  if (found) return { path: found };
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return { why: 'ELECTRON_SKIP_BINARY_DOWNLOAD is set' };
  process.stdout.write('Downloading the Electron binary (first start only)…\n');
  const download = spawnSync(process.execPath, [path.join(packageDir, 'install.js')], { encoding: 'utf8' });
  const after = installed();
  if (download.status === 0 && after) return { path: after };
  return { why: 'its download failed; is this machine offline?' };
}

const electron = electronBinary();
if (electron.path) {
  const build = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
  const app = spawnSync(electron.path, ['.'], { stdio: 'inherit' });
  process.exit(app.status ?? 0);
} else {
  process.stdout.write(
    `No Electron binary is installed: ${electron.why}. No desktop window here; Baton runs headless:\n\n`,
  );
  const help = spawnSync('npx', ['tsx', 'src-main/cli/main.ts', '--help'], { stdio: 'inherit' });
  process.exit(help.status ?? 0);
}
