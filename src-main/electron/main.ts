/**
 * The Electron main process: wiring only. Each piece lives in a module that
 * takes the Electron objects it uses, and is unit-tested with fakes.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Notification, session } from 'electron';
import { openBatonHost } from '../service/open-host';
import type { BatonHost } from '../service/baton-host';
import { bindIpc, forwardEvents } from './ipc';
import { claimSingleInstance, directoryPicker, installQuitHandler } from './lifecycle';
import { resolveNativeBinding } from './native-binding';
import { notifyOnFinish } from './notifications';
import { hardenWindow, resolveAppUrl, windowOptions } from './security';

// out/main/ → the app root, however Electron was launched (`electron .` or the script itself).
const APP_ROOT = path.resolve(__dirname, '..', '..');

// A separate profile (tests, side-by-side runs); must be set before the single-instance lock, which is per profile.
if (process.env.BATON_USER_DATA_DIR) app.setPath('userData', path.resolve(process.env.BATON_USER_DATA_DIR));

let mainWindow: BrowserWindow | null = null;

async function start(): Promise<void> {
  const appUrl = resolveAppUrl(process.env.ELECTRON_RENDERER_URL, path.join(__dirname, '../renderer/index.html'));
  const window = new BrowserWindow(windowOptions(path.join(__dirname, '../preload/index.cjs')));
  mainWindow = window;
  hardenWindow(window, session.defaultSession, appUrl);

  const opening: Promise<BatonHost | null> = openBatonHost({
    databaseFile: path.join(app.getPath('userData'), 'baton.db'),
    mode: 'desktop',
    pickDirectory: directoryPicker(dialog, window),
    nativeBinding: resolveNativeBinding({ versions: process.versions, appRoot: APP_ROOT, fileExists: existsSync }),
  }).catch((error: unknown) => {
    dialog.showErrorBox('Baton could not start', (error as Error).message ?? String(error));
    return null;
  });
  installQuitHandler(app, opening);
  const host = await opening;
  if (!host) {
    app.quit();
    return;
  }

  // The handler exists before the page loads, so the renderer's first calls find it.
  bindIpc({ ipcMain, host, window, appUrl });
  const stopForwarding = forwardEvents(host, window);
  const stopNotifying = notifyOnFinish({ host, window, Notification });
  window.once('closed', () => {
    stopForwarding();
    stopNotifying();
    mainWindow = null;
  });
  await window.loadURL(appUrl);
}

if (claimSingleInstance(app, () => mainWindow)) {
  // Tasks run in this process and are shown in its one window: closing it quits, which stops them cleanly.
  app.on('window-all-closed', () => app.quit());
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      console.error('Baton failed to start:', error);
      app.quit();
    });
}
