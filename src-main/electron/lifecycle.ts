/** One instance, a directory picker, and a quit that first stops running tasks. */
import type { BrowserWindow, OpenDialogOptions, OpenDialogReturnValue } from 'electron';
import type { BatonHost } from '../service/baton-host';

export type FocusableWindow = Pick<BrowserWindow, 'isDestroyed' | 'isMinimized' | 'restore' | 'show' | 'focus'>;

export interface SingleInstanceApp {
  requestSingleInstanceLock(): boolean;
  quit(): void;
  on(event: 'second-instance', listener: () => void): unknown;
}

/** False when another instance holds the lock; this one then quits. */
export function claimSingleInstance(app: SingleInstanceApp, getWindow: () => FocusableWindow | null): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => {
    const window = getWindow();
    if (!window || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  });
  return true;
}

export interface QuittingApp {
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  quit(): void;
}

/**
 * Holds the quit until the host has stopped every task and closed, so running
 * sessions are stored with a final status. `host` resolves to null when it
 * never opened.
 */
export function installQuitHandler(
  app: QuittingApp,
  host: Promise<Pick<BatonHost, 'stopAll' | 'close'> | null>,
  log: (message: string) => void = (message) => console.error(message),
): void {
  let state: 'running' | 'stopping' | 'stopped' = 'running';
  app.on('before-quit', (event) => {
    if (state === 'stopped') return;
    event.preventDefault();
    if (state === 'stopping') return;
    state = 'stopping';
    void (async () => {
      try {
        const opened = await host;
        if (opened) {
          try {
            await opened.stopAll();
          } finally {
            await opened.close();
          }
        }
      } catch (error) {
        log(`Baton: stopping tasks on quit failed: ${(error as Error).message ?? String(error)}`);
      } finally {
        state = 'stopped';
        app.quit();
      }
    })();
  });
}

export interface DirectoryDialog<W> {
  showOpenDialog(window: W, options: OpenDialogOptions): Promise<OpenDialogReturnValue>;
}

/** The host's pickDirectory: the chosen directory, or null when cancelled. */
export function directoryPicker<W>(dialog: DirectoryDialog<W>, window: W): () => Promise<string | null> {
  return async () => {
    const result = await dialog.showOpenDialog(window, { properties: ['openDirectory', 'createDirectory'] });
    if (result.canceled) return null;
    return result.filePaths[0] ?? null;
  };
}
