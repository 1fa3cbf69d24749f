/** The whole window over a fake transport: the App with its services started, and events delivered as the service would. */
import { act, cleanup, render } from '@testing-library/react';
import { afterEach, beforeEach, vi } from 'vitest';
import type { BatonEvent } from '../../src-main/contract/events';
import { App } from '../../src-renderer/app/App';
import { createServices, ServicesProvider, type Services } from '../../src-renderer/app/services';
import { emptyTasksViewAnswer, FakeTransport } from './fixtures';

export type Handlers = Record<string, (input: unknown) => unknown>;

/** What a service with no tasks answers; `handlers` answer before it. */
function answer(method: string, mode: 'browser' | 'desktop'): unknown {
  if (method === 'getAppInfo')
    return { mode, version: '0.1.0', databaseFile: '/tmp/baton.db', canPickDirectory: false };
  return emptyTasksViewAnswer(method);
}

/** Renders the App; `stop` ends its services (call it after each test). */
export function startApp(handlers: Handlers = {}, mode: 'browser' | 'desktop' = 'browser') {
  const transport = new FakeTransport(async (method, input) => {
    const handler = handlers[method];
    return handler ? handler(input) : answer(method, mode);
  });
  const services: Services = createServices(transport, null);
  const stop = services.start();
  render(
    <ServicesProvider value={services}>
      <App />
    </ServicesProvider>,
  );
  return { transport, services, stop };
}

/** Delivers the events in order, and lets the window draw what they changed. */
export async function emit(transport: FakeTransport, events: BatonEvent[]) {
  await act(async () => {
    for (const e of events) transport.emit(e);
    await new Promise((r) => setTimeout(r, 5));
  });
}

/**
 * For a test file of the window: each test renders the App with `start` (which returns its transport), and
 * afterwards its services stop, the page is emptied and the hash cleared. Frames flush on a timer, so batched
 * events draw without a real frame.
 */
export function appPerTest() {
  let stop: (() => void) | null = null;
  beforeEach(() => {
    vi.stubGlobal('requestAnimationFrame', (fn: FrameRequestCallback) => setTimeout(() => fn(0), 0));
  });
  afterEach(() => {
    vi.useRealTimers();
    stop?.();
    stop = null;
    cleanup();
    window.location.hash = '';
    vi.unstubAllGlobals();
  });
  return (handlers: Handlers = {}, mode: 'browser' | 'desktop' = 'browser') => {
    const app = startApp(handlers, mode);
    stop = app.stop;
    return app.transport;
  };
}
