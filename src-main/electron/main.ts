/**
 * The Electron main process: wiring only. Each piece lives in a module that
 * takes the Electron objects it uses, and is unit-tested with fakes. Baton's
 * service runs in a utility process of its own (out/main/worker.js); main
 * relays the contract's messages between it and the window unread, so the
 * window never waits on SQLite.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Notification, session, utilityProcess } from 'electron';
import type { ServiceWorkerEndpoint } from '../service/worker-client';
import { relayContract } from './ipc';
import { claimSingleInstance, directoryPicker, installQuitHandler, quitWhenServiceStops } from './lifecycle';
import { resolveNativeBinding } from './native-binding';
import { notifyOnFinish } from './notifications';
import { startServiceProcess } from './service-process';
import { hardenWindow, resolveAppUrl, windowOptions } from './security';

// out/main/ → the app root, however Electron was launched (`electron .` or the script itself).
const APP_ROOT = path.resolve(__dirname, '..', '..');

// A separate profile (tests, side-by-side runs); must be set before the single-instance lock, which is per profile.
if (process.env.BATON_USER_DATA_DIR) app.setPath('userData', path.resolve(process.env.BATON_USER_DATA_DIR));

let mainWindow: BrowserWindow | null = null;
let quitting = false;
app.on('before-quit', () => (quitting = true));

async function start(): Promise<void> {
  const appUrl = resolveAppUrl(process.env.ELECTRON_RENDERER_URL, path.join(__dirname, '../renderer/index.html'));
  const window = new BrowserWindow(windowOptions(path.join(__dirname, '../preload/index.cjs')));
  mainWindow = window;
  hardenWindow(window, session.defaultSession, appUrl);

  // The data directory, not a file: BATON_DB in the environment (which the worker inherits) wins, as in the CLI.
  const opening: Promise<ServiceWorkerEndpoint | null> = startServiceProcess({
    utilityProcess,
    workerFile: path.join(__dirname, 'worker.js'),
    open: {
      mode: 'desktop',
      dataDir: app.getPath('userData'),
      // The worker runs on this Electron, so it needs the same ABI's build.
      nativeBinding: resolveNativeBinding({ versions: process.versions, appRoot: APP_ROOT, fileExists: existsSync }),
    },
    pickDirectory: directoryPicker(dialog, window),
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
  quitWhenServiceStops({
    exited: host.exited,
    isQuitting: () => quitting,
    showErrorBox: (title, content) => dialog.showErrorBox(title, content),
    quit: () => app.quit(),
  });

  // The relay exists before the page loads, so the renderer's first calls find it.
  const stopRelaying = relayContract({ ipcMain, window, appUrl, service: host.contract });
  const stopNotifying = notifyOnFinish({ host, window, Notification });
  window.once('closed', () => {
    stopRelaying();
    stopNotifying();
    mainWindow = null;
  });
  await window.loadURL(appUrl);
}

if (claimSingleInstance(app, () => mainWindow)) {
  // Tasks run in the service process and are shown in this one window: closing it quits, which stops them cleanly.
  app.on('window-all-closed', () => app.quit());
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      console.error('Baton failed to start:', error);
      app.quit();
    });
}
