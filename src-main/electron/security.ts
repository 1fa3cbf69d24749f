/**
 * The window's lock-down: web preferences, the Content-Security-Policy, and
 * refusals of navigation, new windows and permissions. Electron objects are
 * parameters so this runs under test with fakes.
 */
import { pathToFileURL } from 'node:url';
import { contentSecurityPolicy } from '../contract/content-security-policy';
import type {
  BrowserWindowConstructorOptions,
  HandlerDetails,
  HeadersReceivedResponse,
  OnHeadersReceivedListenerDetails,
  WebContentsWillNavigateEventParams,
  WindowOpenHandlerResponse,
  Event as ElectronEvent,
} from 'electron';

export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

export function windowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    width: 1200,
    height: 800,
    title: 'Baton',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    },
  };
}

/** The dev server's URL when electron-vite serves the renderer, else the built index.html. */
export function resolveAppUrl(rendererUrl: string | undefined, rendererHtml: string): string {
  return rendererUrl ? rendererUrl : pathToFileURL(rendererHtml).href;
}

/** Same origin as the dev server, or the very same file (query and hash aside). */
export function isAppUrl(candidate: string, appUrl: string): boolean {
  let url: URL;
  let app: URL;
  try {
    url = new URL(candidate);
    app = new URL(appUrl);
  } catch {
    return false;
  }
  if (app.protocol === 'file:')
    return url.protocol === 'file:' && url.host === app.host && url.pathname === app.pathname;
  return url.origin === app.origin;
}

export interface HardenableWindow {
  webContents: {
    on(
      event: 'will-navigate',
      listener: (event: Pick<ElectronEvent<WebContentsWillNavigateEventParams>, 'preventDefault' | 'url'>) => void,
    ): unknown;
    setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void;
  };
}

export interface HardenableSession {
  webRequest: {
    onHeadersReceived(
      listener: (
        details: Pick<OnHeadersReceivedListenerDetails, 'responseHeaders'>,
        callback: (response: HeadersReceivedResponse) => void,
      ) => void,
    ): void;
  };
  setPermissionRequestHandler(
    handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
}

/** Replaces any policy the response carried (whatever its header's case) with ours. */
export function withContentSecurityPolicy(headers: Record<string, string[]> | undefined): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') result[name] = value;
  }
  result['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return result;
}

export function hardenWindow(window: HardenableWindow, session: HardenableSession, appUrl: string): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) });
  });
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);

  window.webContents.on('will-navigate', (event) => {
    if (!isAppUrl(event.url, appUrl)) event.preventDefault();
  });
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
}
