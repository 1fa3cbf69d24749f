/** One instance, a directory picker, and a quit that first stops running tasks. */
import type { BrowserWindow, OpenDialogOptions, OpenDialogReturnValue } from 'electron';
import type { BatonEndpoint } from '../service/baton-service';

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
 * Holds the quit until the service has stopped every task and closed, so
 * running sessions are stored with a final status. `host` resolves to null
 * when the service never opened.
 */
export function installQuitHandler(
  app: QuittingApp,
  host: Promise<Pick<BatonEndpoint, 'stopAll' | 'close'> | null>,
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

/** Answers the service's pickDirectory: the chosen directory, or null when cancelled. */
export function directoryPicker<W>(dialog: DirectoryDialog<W>, window: W): () => Promise<string | null> {
  return async () => {
    const result = await dialog.showOpenDialog(window, { properties: ['openDirectory', 'createDirectory'] });
    if (result.canceled) return null;
    return result.filePaths[0] ?? null;
  };
}

export interface ServiceLossDeps {
  /** Resolves with the exit code when the service process ends. */
  exited: Promise<number | null>;
  /** Whether the app itself asked the service to close (a quit in progress). */
  isQuitting: () => boolean;
  showErrorBox(title: string, content: string): void;
  quit(): void;
}

/**
 * A service process that dies while the app runs is not hidden behind calls
 * that answer "unavailable": the user is told, and the app quits. The next
 * start recovers what was running as interrupted, to be resumed.
 */
export function quitWhenServiceStops({ exited, isQuitting, showErrorBox, quit }: ServiceLossDeps): void {
  void exited.then((code) => {
    if (isQuitting()) return;
    showErrorBox(
      'Baton’s service stopped',
      `The process that runs Baton’s tasks ended unexpectedly (exit code ${code ?? 'unknown'}). ` +
        'Tasks that were running will show as interrupted when you start Baton again, and can be resumed.',
    );
    quit();
  });
}
