import { describe, expect, it, vi } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  hardenWindow,
  type HardenableSession,
  type HardenableWindow,
  isAppUrl,
  resolveAppUrl,
  windowOptions,
} from '../../../src-main/electron/security';

const APP_FILE_URL = 'file:///opt/baton/out/renderer/index.html';
const DEV_URL = 'http://localhost:5173/';

type HeadersListener = Parameters<HardenableSession['webRequest']['onHeadersReceived']>[0];
type RequestHandler = Parameters<HardenableSession['setPermissionRequestHandler']>[0];
type CheckHandler = Parameters<HardenableSession['setPermissionCheckHandler']>[0];
type NavigateListener = Parameters<HardenableWindow['webContents']['on']>[1];
type OpenHandler = Parameters<HardenableWindow['webContents']['setWindowOpenHandler']>[0];

/** Fake window and session that record what hardenWindow registers. */
function harden(appUrl: string) {
  const registered: {
    headers?: HeadersListener;
    request?: RequestHandler;
    check?: CheckHandler;
    navigate?: NavigateListener;
    open?: OpenHandler;
  } = {};
  const session: HardenableSession = {
    webRequest: { onHeadersReceived: (listener) => void (registered.headers = listener) },
    setPermissionRequestHandler: (handler) => void (registered.request = handler),
    setPermissionCheckHandler: (handler) => void (registered.check = handler),
  };
  const window: HardenableWindow = {
    webContents: {
      on: (_event, listener) => void (registered.navigate = listener),
      setWindowOpenHandler: (handler) => void (registered.open = handler),
    },
  };
  hardenWindow(window, session, appUrl);
  const navigate = (url: string) => {
    const event = { url, preventDefault: vi.fn() };
    registered.navigate!(event);
    return event.preventDefault.mock.calls.length > 0;
  };
  return { registered, navigate };
}

describe('windowOptions', () => {
  it('isolates the page from Node and keeps web security on', () => {
    const options = windowOptions('/opt/baton/out/preload/index.cjs');
    expect(options.title).toBe('Baton');
    expect(options.webPreferences).toMatchObject({
      preload: '/opt/baton/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });
});

describe('the Content-Security-Policy', () => {
  it('is added to every response, replacing any policy the response had', () => {
    const { registered } = harden(APP_FILE_URL);
    const callback = vi.fn();
    registered.headers!(
      { responseHeaders: { 'content-type': ['text/html'], 'content-security-policy': ['default-src *'] } },
      callback,
    );
    expect(callback).toHaveBeenCalledExactlyOnceWith({
      responseHeaders: { 'content-type': ['text/html'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });

  it('is added when the response had no headers at all', () => {
    const { registered } = harden(APP_FILE_URL);
    const callback = vi.fn();
    registered.headers!({}, callback);
    expect(callback.mock.calls[0]?.[0]).toEqual({
      responseHeaders: { 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });

  it('is the strict policy the issue asks for', () => {
    const directives = CONTENT_SECURITY_POLICY.split('; ');
    expect(directives).toEqual([
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      // Browser mode's WebSocket, to loopback only.
      "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ]);
  });
});

describe('navigation', () => {
  it('is prevented to any other URL and allowed to the app itself (built files)', () => {
    const { navigate } = harden(APP_FILE_URL);
    expect(navigate('https://evil.example/')).toBe(true);
    expect(navigate('file:///etc/passwd')).toBe(true);
    expect(navigate('file:///opt/baton/out/renderer/other.html')).toBe(true);
    expect(navigate('not a url')).toBe(true);
    expect(navigate(APP_FILE_URL)).toBe(false);
    expect(navigate(`${APP_FILE_URL}#/tasks/1`)).toBe(false);
  });

  it('is allowed within the dev server origin only', () => {
    const { navigate } = harden(DEV_URL);
    expect(navigate('http://localhost:5173/tasks')).toBe(false);
    expect(navigate('http://localhost:5174/')).toBe(true);
    expect(navigate('https://localhost:5173/')).toBe(true);
    expect(navigate('http://127.0.0.1:5173/')).toBe(true);
  });
});

describe('new windows and permissions', () => {
  it('denies every window.open', () => {
    const { registered } = harden(APP_FILE_URL);
    const details = { url: 'https://example.com/', frameName: '', features: '', disposition: 'new-window' } as const;
    expect(registered.open!({ ...details, referrer: { url: '', policy: 'default' } })).toEqual({ action: 'deny' });
  });

  it('denies every permission request and check', () => {
    const { registered } = harden(APP_FILE_URL);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      const callback = vi.fn();
      registered.request!({}, permission, callback);
      expect(callback).toHaveBeenCalledExactlyOnceWith(false);
      expect(registered.check!({}, permission)).toBe(false);
    }
  });
});

describe('app URLs', () => {
  it('is the dev server URL when electron-vite serves the renderer, else the built file', () => {
    expect(resolveAppUrl(DEV_URL, '/opt/baton/out/renderer/index.html')).toBe(DEV_URL);
    expect(resolveAppUrl(undefined, '/opt/baton/out/renderer/index.html')).toBe(APP_FILE_URL);
    expect(resolveAppUrl('', '/opt/baton/out/renderer/index.html')).toBe(APP_FILE_URL);
  });

  it('matches the same file whatever its query or hash, and nothing else', () => {
    expect(isAppUrl(`${APP_FILE_URL}?x=1#/a`, APP_FILE_URL)).toBe(true);
    expect(isAppUrl('file:///opt/baton/out/renderer/index.html.evil', APP_FILE_URL)).toBe(false);
    expect(isAppUrl('http://opt/baton/out/renderer/index.html', APP_FILE_URL)).toBe(false);
    expect(isAppUrl('about:blank', APP_FILE_URL)).toBe(false);
    expect(isAppUrl('', APP_FILE_URL)).toBe(false);
  });
});
