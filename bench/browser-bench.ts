/**
 * Benchmarks measured in Debian's Chromium against browser mode:
 * - History's first chart paint with 1,000,000 sessions in the store;
 * - the latency from an agent event to the screen at 1,000 events/s, through
 *   the whole pipeline (agent stdout, parser, bus, WebSocket, renderer).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright';
import { ensureRendererBuilt, RENDERER_DIR } from '../src-main/cli/serve-command';
import { startBrowserServer } from '../src-main/server/browser-server';
import { openBaton } from '../src-main/service/open-baton';
import { openDataSource } from '../src-main/core/store/data-source';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/support/chromium';
import { fillStore } from './fill-store';

const SYNTHETIC_AGENT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'synthetic-claude.mjs');

async function withBrowserMode<T>(
  databaseFile: string,
  claudeBinary: string | undefined,
  body: (origin: string, page: Page, dispatch: (m: string, i: unknown) => Promise<unknown>) => Promise<T>,
  /** The page's IANA zone; the machine's when not given. */
  timezoneId?: string,
): Promise<T> {
  ensureRendererBuilt();
  const host = await openBaton({ databaseFile, mode: 'browser', claudeBinary });
  const server = await startBrowserServer({ host, staticDir: RENDERER_DIR });
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage(timezoneId ? { timezoneId } : {});
    await page.goto(server.url); // trades the token for the cookie
    const origin = new URL(server.url).origin;
    return await body(origin, page, (method, input) => host.dispatch(method, input));
  } finally {
    await browser.close();
    await server.close();
    await host.close();
  }
}

/** History's bench store: a year of 100,000 tasks of 10 sessions each, over 12 projects and 3 models. */
export const HISTORY_SESSIONS = 1_000_000;

/**
 * Milliseconds from navigation start to the first painted series of the cost chart, per load, for each of
 * the page zones asked (the machine's where the zone is ''): the store keeps UTC days, so a zone away from
 * UTC has a part of each day to move.
 */
export async function historyFirstChartPaint(loads: number, timeZones: string[]): Promise<Map<string, number[]>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-bench-history-'));
  const databaseFile = path.join(dir, 'history.db');
  try {
    const dataSource = await openDataSource({ file: databaseFile });
    await fillStore(dataSource, {
      tasks: HISTORY_SESSIONS / 10,
      sessionsPerTask: 10,
      projects: 12,
      models: ['claude-sonnet-4-5', 'claude-opus-4-5', 'claude-haiku-4-5'],
      days: 365,
    });
    await dataSource.destroy();
    const samples = new Map<string, number[]>();
    for (const zone of timeZones) {
      samples.set(
        zone,
        await withBrowserMode(databaseFile, undefined, (origin, page) => paints(origin, page, loads), zone),
      );
    }
    return samples;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The pause between two loads of History, after the table is drawn. */
const SETTLE_MS = 500;

async function paints(origin: string, page: Page, loads: number): Promise<number[]> {
  await page.addInitScript(() => {
    const state = window as unknown as { __chartPaint?: number };
    const observer = new MutationObserver(() => {
      if (state.__chartPaint !== undefined) return;
      const series = document.querySelector(
        '[data-testid="chart-cost-over-time"] svg .recharts-curve, [data-testid="chart-cost-over-time"] svg .recharts-rectangle',
      );
      if (series) {
        observer.disconnect();
        // The frame after the series is in the DOM is when it is on screen.
        requestAnimationFrame(() => (state.__chartPaint = performance.now()));
      }
    });
    observer.observe(document, { childList: true, subtree: true });
  });
  const samples: number[] = [];
  for (let i = 0; i < loads; i++) {
    await page.goto(`${origin}/?load=${i}#/history`);
    await page.waitForFunction(
      () => (window as unknown as { __chartPaint?: number }).__chartPaint !== undefined,
      null,
      {
        timeout: 30_000,
      },
    );
    samples.push(await page.evaluate(() => (window as unknown as { __chartPaint: number }).__chartPaint));
    // Each load is measured alone, as a person opens History: the next starts once this one has drawn its
    // table and the rest of its answers are in, not while the server still sends them and the page draws them.
    await page.getByTestId('history-row').first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(SETTLE_MS);
  }
  return samples;
}

/**
 * Event-to-screen latencies (ms) of a synthetic agent streaming text at `rate` events per second: from the
 * stamp the agent wrote into each text to the frame that lays that text out on screen.
 *
 * That frame is found with a ResizeObserver, whose callbacks run in a frame's rendering steps after its
 * layout and before its paint. An animation frame requested once the text is in the DOM would not do: the
 * window writes its batch of events inside an animation frame's callback, and that frame paints it, while a
 * frame requested from there is the one after (a whole frame more, about 17 ms at 60 Hz).
 *
 * Beside each latency, the frames each event waited from its arrival in the page (its WebSocket message) to
 * that frame, counted by the animation frames begun meanwhile: 1 where it was on screen in the first frame
 * after it arrived. At 60 Hz the wait for that frame alone is anything up to 16.7 ms.
 */
export interface LiveLatency {
  /** Milliseconds from the agent's stamp to the frame that lays the text out. */
  latencies: number[];
  /** Frames from the event's arrival in the page to that frame. */
  framesWaited: number[];
}

export async function liveEventLatency(rate: number, seconds: number): Promise<LiveLatency> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-bench-live-'));
  process.env.SYNTHETIC_EVENTS_PER_SECOND = String(rate);
  process.env.SYNTHETIC_SECONDS = String(seconds);
  try {
    return await withBrowserMode(path.join(dir, 'live.db'), SYNTHETIC_AGENT, async (origin, page, dispatch) => {
      await page.addInitScript(() => {
        const state = window as unknown as { __latencies: number[]; __frames: number[] };
        state.__latencies = [];
        state.__frames = [];
        const seen = new Set<string>();
        /** Stamps of texts in the DOM that no frame has laid out yet, with the frame count at their arrival. */
        const pending: { stamp: number; arrivedAt: number }[] = [];
        let frames = 0;
        // Not a named function: tsx would wrap it in a helper the page does not have.
        const loop: { next?: () => void } = {};
        loop.next = () => {
          frames++;
          requestAnimationFrame(loop.next!);
        };
        requestAnimationFrame(loop.next);
        /** The frame count when each event's message arrived, by its number. */
        const arrived = new Map<string, number>();
        const onMessage = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage')!;
        Object.defineProperty(WebSocket.prototype, 'onmessage', {
          get: onMessage.get,
          set(listener: ((event: MessageEvent) => void) | null) {
            onMessage.set!.call(
              this,
              listener &&
                ((event: MessageEvent) => {
                  for (const match of String(event.data).matchAll(/tick \d+ #(\d+)/g))
                    if (!arrived.has(match[1] as string)) arrived.set(match[1] as string, frames);
                  listener(event);
                }),
            );
          },
        });
        const marker = document.createElement('div');
        marker.style.cssText = 'position:fixed;left:0;top:0;height:1px;width:1px;visibility:hidden';
        let width = 1;
        const laidOut = new ResizeObserver(() => {
          const now = Date.now();
          for (const { stamp, arrivedAt } of pending.splice(0)) {
            state.__latencies.push(now - stamp);
            state.__frames.push(frames - arrivedAt);
          }
        });
        const observer = new MutationObserver((records) => {
          const before = pending.length;
          for (const record of records) {
            for (const node of record.addedNodes) {
              for (const match of (node.textContent ?? '').matchAll(/tick (\d+) #(\d+)/g)) {
                if (seen.has(match[2] as string)) continue;
                seen.add(match[2] as string);
                pending.push({ stamp: Number(match[1]), arrivedAt: arrived.get(match[2] as string) ?? frames });
              }
            }
          }
          if (pending.length === before) return;
          if (!marker.isConnected) {
            document.body.append(marker);
            laidOut.observe(marker);
          }
          // A width it has not had this frame, so the next layout reports it whatever else changed.
          width = (width % 100) + 1;
          marker.style.width = `${width}px`;
        });
        observer.observe(document, { childList: true, subtree: true, characterData: true });
      });
      await page.goto(`${origin}/?live=1#/`);
      await page.getByRole('button', { name: 'Launch' }).waitFor();
      const outcome = (await dispatch('launchTask', { dir, prompt: 'live latency benchmark', maxIterations: 1 })) as {
        ok: boolean;
      };
      if (!outcome.ok) throw new Error(`could not launch the benchmark task: ${JSON.stringify(outcome)}`);
      // Until every event is on screen, or none more came for 2 s: a burst longer than the stream view shows
      // (a loaded machine falls behind, then catches up at once) scrolls some past unseen.
      const count = () => page.evaluate(() => (window as unknown as { __latencies: number[] }).__latencies.length);
      await page.waitForTimeout(seconds * 1000);
      for (let last = -1, seen = await count(); seen < rate * seconds && seen !== last; seen = await count()) {
        last = seen;
        await page.waitForTimeout(2000);
      }
      return page.evaluate(() => {
        const state = window as unknown as { __latencies: number[]; __frames: number[] };
        return { latencies: state.__latencies, framesWaited: state.__frames };
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The scripts the window's first load (Tasks, an empty store) fetches, in kB: the largest and their sum. The
 * charts and the diff viewer load when first needed, so neither is among them.
 */
export async function firstLoadScripts(): Promise<{ largestKb: number; totalKb: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-bench-first-load-'));
  try {
    return await withBrowserMode(path.join(dir, 'empty.db'), undefined, async (origin, page) => {
      const sizes: number[] = [];
      page.on('response', async (response) => {
        if (response.request().resourceType() === 'script') sizes.push((await response.body()).length / 1000);
      });
      await page.goto(`${origin}/?first-load#/`);
      await page.getByRole('button', { name: 'Launch' }).waitFor();
      return { largestKb: Math.max(0, ...sizes), totalKb: sizes.reduce((sum, kb) => sum + kb, 0) };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
