import { describe, expect, it, vi } from 'vitest';
import {
  claimSingleInstance,
  directoryPicker,
  type FocusableWindow,
  installQuitHandler,
  quitWhenServiceStops,
  type QuittingApp,
  type SingleInstanceApp,
} from '../../../src-main/electron/lifecycle';

function fakeSingleInstanceApp(lock: boolean) {
  let secondInstance: (() => void) | undefined;
  const app = {
    requestSingleInstanceLock: vi.fn(() => lock),
    quit: vi.fn(),
    on: vi.fn((_event: 'second-instance', listener: () => void) => void (secondInstance = listener)),
  } satisfies SingleInstanceApp;
  return { app, launchSecond: () => secondInstance?.() };
}

function fakeWindow(minimized: boolean): FocusableWindow & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    isDestroyed: () => false,
    isMinimized: () => minimized,
    restore: () => void calls.push('restore'),
    show: () => void calls.push('show'),
    focus: () => void calls.push('focus'),
  };
}

describe('claimSingleInstance', () => {
  it('quits when another instance holds the lock', () => {
    const { app } = fakeSingleInstanceApp(false);
    expect(claimSingleInstance(app, () => null)).toBe(false);
    expect(app.quit).toHaveBeenCalledTimes(1);
    expect(app.on).not.toHaveBeenCalled();
  });

  it('keeps running with the lock, and a second launch restores and focuses the window', () => {
    const { app, launchSecond } = fakeSingleInstanceApp(true);
    const window = fakeWindow(true);
    expect(claimSingleInstance(app, () => window)).toBe(true);
    expect(app.quit).not.toHaveBeenCalled();
    launchSecond();
    expect(window.calls).toEqual(['restore', 'show', 'focus']);
  });

  it('only focuses a window that is not minimized, and ignores a second launch before any window', () => {
    const { app, launchSecond } = fakeSingleInstanceApp(true);
    let window: ReturnType<typeof fakeWindow> | null = null;
    claimSingleInstance(app, () => window);
    expect(() => launchSecond()).not.toThrow();
    window = fakeWindow(false);
    launchSecond();
    expect(window.calls).toEqual(['show', 'focus']);
  });
});

type BeforeQuit = Parameters<QuittingApp['on']>[1];

function fakeQuittingApp() {
  const order: string[] = [];
  let beforeQuit: BeforeQuit | undefined;
  const app = {
    on: (_event: 'before-quit', listener: BeforeQuit) => void (beforeQuit = listener),
    quit: vi.fn(() => {
      order.push('quit');
    }),
  } satisfies QuittingApp;
  /** Emits before-quit as Electron does; true when the handler prevented it. */
  const requestQuit = () => {
    const event = { preventDefault: vi.fn() };
    beforeQuit!(event);
    return event.preventDefault.mock.calls.length > 0;
  };
  return { app, order, requestQuit };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('installQuitHandler', () => {
  it('holds the quit until stopAll and then close have finished, then quits', async () => {
    const { app, order, requestQuit } = fakeQuittingApp();
    const stopping = deferred();
    const closing = deferred();
    const host = {
      stopAll: vi.fn(async () => {
        order.push('stopAll');
        await stopping.promise;
        order.push('stopAll done');
      }),
      close: vi.fn(async () => {
        order.push('close');
        await closing.promise;
        order.push('close done');
      }),
    };
    installQuitHandler(app, Promise.resolve(host));

    expect(requestQuit()).toBe(true);
    await settle();
    expect(order).toEqual(['stopAll']);

    // A second quit while stopping is held too, and starts nothing new.
    expect(requestQuit()).toBe(true);
    stopping.resolve();
    await settle();
    expect(order).toEqual(['stopAll', 'stopAll done', 'close']);
    expect(app.quit).not.toHaveBeenCalled();

    closing.resolve();
    await settle();
    expect(order).toEqual(['stopAll', 'stopAll done', 'close', 'close done', 'quit']);
    expect(host.stopAll).toHaveBeenCalledTimes(1);
    expect(host.close).toHaveBeenCalledTimes(1);

    // The quit it issues itself goes through.
    expect(requestQuit()).toBe(false);
  });

  it('still closes and quits when stopAll fails', async () => {
    const { app, order, requestQuit } = fakeQuittingApp();
    const log = vi.fn();
    const host = {
      stopAll: vi.fn(async () => {
        throw new Error('kill failed');
      }),
      close: vi.fn(async () => void order.push('close')),
    };
    installQuitHandler(app, Promise.resolve(host), log);
    requestQuit();
    await settle();
    expect(order).toEqual(['close', 'quit']);
    expect(log).toHaveBeenCalledExactlyOnceWith(expect.stringContaining('kill failed'));
  });

  it('waits for a host that is still opening, and just quits when it never opened', async () => {
    const { app, requestQuit } = fakeQuittingApp();
    let open!: (host: null) => void;
    installQuitHandler(app, new Promise((resolve) => (open = resolve)));
    expect(requestQuit()).toBe(true);
    await settle();
    expect(app.quit).not.toHaveBeenCalled();
    open(null);
    await settle();
    expect(app.quit).toHaveBeenCalledTimes(1);
  });
});

describe('directoryPicker', () => {
  it('opens a directory dialog on the window and returns the first path, or null when cancelled', async () => {
    const window = { id: 'main window' };
    const showOpenDialog = vi.fn(async (_window: typeof window, _options: object) => ({
      canceled: false,
      filePaths: ['/home/me/repo', '/ignored'],
    }));
    const pick = directoryPicker({ showOpenDialog }, window);
    expect(await pick()).toBe('/home/me/repo');
    expect(showOpenDialog).toHaveBeenCalledExactlyOnceWith(window, {
      properties: ['openDirectory', 'createDirectory'],
    });

    showOpenDialog.mockResolvedValueOnce({ canceled: true, filePaths: [] });
    expect(await pick()).toBeNull();
    showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [] });
    expect(await pick()).toBeNull();
  });
});

describe('quitWhenServiceStops', () => {
  const setUp = (quitting: boolean) => {
    let end: (code: number | null) => void = () => undefined;
    const deps = {
      exited: new Promise<number | null>((resolve) => (end = resolve)),
      isQuitting: () => quitting,
      showErrorBox: vi.fn(),
      quit: vi.fn(),
    };
    quitWhenServiceStops(deps);
    return { deps, end: (code: number | null) => end(code) };
  };

  it('tells the user and quits when the service dies while the app runs', async () => {
    const { deps, end } = setUp(false);
    expect(deps.quit).not.toHaveBeenCalled();
    end(139);
    // Awaited here after the lifecycle's own callback on the same promise, so it has run.
    await deps.exited;
    expect(deps.quit).toHaveBeenCalledOnce();
    expect(deps.showErrorBox).toHaveBeenCalledWith('Baton’s service stopped', expect.stringContaining('exit code 139'));
  });

  it('stays quiet when the service ends because the app is quitting', async () => {
    const { deps, end } = setUp(true);
    end(0);
    await deps.exited;
    expect(deps.showErrorBox).not.toHaveBeenCalled();
    expect(deps.quit).not.toHaveBeenCalled();
  });
});
