/**
 * `npm start`, the desktop app's launcher. With an Electron binary it builds and opens the desktop app;
 * the electron package fetches its binary on first use, so a user's first
 * start downloads it. Where that is impossible (no network, or installs made
 * with ELECTRON_SKIP_BINARY_DOWNLOAD=1) it says so in one line and starts
 * browser mode instead.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

function electronBinary(): { path?: string; why?: string } {
  const packageDir = path.dirname(require.resolve('electron/package.json'));
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
  return { why: 'its download failed, perhaps for lack of network' };
}

/**
 * better-sqlite3 in node_modules is built for Node's ABI (the CLI and tests
 * use it). Electron needs its own build, kept beside it in
 * .electron-native/<electron version>/, which the desktop app loads through
 * TypeORM's nativeBinding. It is made once per Electron version, in a copy of
 * the package so the Node build is left alone.
 */
function ensureElectronNativeModule(): void {
  const version = (require('electron/package.json') as { version: string }).version;
  const target = path.join(ROOT, '.electron-native', version, 'better_sqlite3.node');
  if (existsSync(target)) return;
  process.stdout.write(`Building better-sqlite3 for Electron ${version} (first start only)…\n`);
  const source = path.dirname(require.resolve('better-sqlite3/package.json'));
  const work = mkdtempSync(path.join(os.tmpdir(), 'baton-electron-native-'));
  try {
    for (const part of ['package.json', 'binding.gyp', 'src', 'deps'])
      cpSync(path.join(source, part), path.join(work, part), { recursive: true });
    const electronFlags = ['--runtime=electron', `--target=${version}`, '--dist-url=https://electronjs.org/headers'];
    const prebuilt = spawnSync(
      path.join(ROOT, 'node_modules', '.bin', 'prebuild-install'),
      ['-r', 'electron', '-t', version],
      { cwd: work, stdio: 'inherit' },
    );
    if (prebuilt.status !== 0) {
      const built = spawnSync('npx', ['--yes', 'node-gyp', 'rebuild', '--release', ...electronFlags], {
        cwd: work,
        stdio: 'inherit',
      });
      if (built.status !== 0) throw new Error('could not build better-sqlite3 for Electron; see the output above');
    }
    mkdirSync(path.dirname(target), { recursive: true });
    cpSync(path.join(work, 'build', 'Release', 'better_sqlite3.node'), target);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function run(command: string, args: string[]): number {
  return spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' }).status ?? 1;
}

const electron = electronBinary();
if (electron.path) {
  ensureElectronNativeModule();
  const built = run('npx', ['electron-vite', 'build']);
  process.exit(built === 0 ? run(electron.path, ['.']) : built);
} else {
  process.stdout.write(`No Electron binary is installed (${electron.why}); starting browser mode instead.\n`);
  process.exit(run(process.execPath, [path.join(ROOT, 'out', 'cli', 'baton.js'), 'serve', ...process.argv.slice(2)]));
}
