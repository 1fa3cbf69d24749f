/**
 * The built desktop app, launched through Playwright. Needs `npm run build`
 * first, and an installed Electron binary; without one the test is skipped
 * with the reason. Never `require('electron')` here: electron 45 downloads its
 * binary on require.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { _electron, type ElectronApplication } from 'playwright';
import type { BatonBridge } from '../src-main/contract/transport';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = path.join(ROOT, 'out', 'main', 'index.js');

/** Finds the binary as the electron package does, minus its download fallback. */
function electronBinary(): { path: string } | { why: string } {
  const packageDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathFile = path.join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) {
    return { why: `${pathFile} is absent: the electron package was installed without its binary` };
  }
  const binary = path.join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(binary)) return { why: `${binary}, named by path.txt, does not exist` };
  return { path: binary };
}

/** The environment for the app: its own profile, and the built renderer rather than a dev server. */
function appEnv(userData: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && name !== 'ELECTRON_RENDERER_URL') env[name] = value;
  }
  env.BATON_USER_DATA_DIR = userData;
  return env;
}

type BatonWindow = { baton: BatonBridge };

let app: ElectronApplication | undefined;
let userData: string | undefined;

test.afterEach(async () => {
  await app?.close();
  app = undefined;
  if (userData) rmSync(userData, { recursive: true, force: true });
  userData = undefined;
});

test('the desktop window exposes only window.baton to a page without Node', async () => {
  const binary = electronBinary();
  if ('why' in binary) {
    const reason = `No Electron binary is installed (${binary.why})`;
    // The list reporter does not print skip reasons; say it in the run's output too.
    console.log(`skipped: ${reason}`);
    test.skip(true, reason);
    return;
  }
  expect(existsSync(MAIN), `${MAIN} is missing: run \`npm run build\` first`).toBe(true);

  const profile = mkdtempSync(path.join(os.tmpdir(), 'baton-e2e-'));
  userData = profile;
  app = await _electron.launch({
    executablePath: binary.path,
    // Chromium refuses to start as root with its OS sandbox; the window's own sandbox setting still applies.
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), MAIN],
    cwd: ROOT,
    env: appEnv(profile),
  });
  const page = await app.firstWindow();
  await page.waitForLoadState('domcontentloaded');

  await expect(page).toHaveTitle('Baton');
  expect(await page.evaluate(() => Object.keys((window as unknown as BatonWindow).baton).sort())).toEqual([
    'onMessage',
    'postMessage',
  ]);
  expect(await page.evaluate(() => [typeof require, typeof process])).toEqual(['undefined', 'undefined']);

  // A request on the bridge reaches the service through main's relay, and the service uses this run's profile.
  const info = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const { baton } = window as unknown as BatonWindow;
        const stop = baton.onMessage((message) => {
          const response = message as { type?: string; id?: string; outcome?: unknown };
          if (response.type !== 'response' || response.id !== 'e2e:0') return;
          stop();
          resolve(response.outcome);
        });
        baton.postMessage({ type: 'request', id: 'e2e:0', method: 'getAppInfo', params: {} });
      }),
  );
  expect(info).toMatchObject({
    ok: true,
    value: { mode: 'desktop', canPickDirectory: true, databaseFile: path.join(profile, 'baton.db') },
  });

  // window.open is denied: no second window appears.
  expect(await page.evaluate(() => window.open('https://example.com/') === null)).toBe(true);
  expect(app.windows()).toHaveLength(1);
});
