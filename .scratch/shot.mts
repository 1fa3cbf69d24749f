import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright';
import { ensureRendererBuilt, RENDERER_DIR } from '/work/wt-import/src-main/cli/serve-command';
import { startBrowserServer } from '/work/wt-import/src-main/server/browser-server';
import { openBaton } from '/work/wt-import/src-main/service/open-baton';
import { openDataSource } from '/work/wt-import/src-main/core/store/data-source';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '/work/wt-import/e2e/support/chromium';
import { fillStore } from '/work/wt-import/bench/fill-store';
const dir = mkdtempSync(path.join(os.tmpdir(), 'shot-'));
const databaseFile = path.join(dir, 'h.db');
const ds = await openDataSource({ file: databaseFile });
fillStore(ds, { tasks: 300, sessionsPerTask: 5, projects: 6, models: ['claude-sonnet-4-5', 'claude-opus-4-5'], days: 60 });
await ds.destroy();
ensureRendererBuilt();
const host = await openBaton({ databaseFile, mode: 'browser', env: {} });
const server = await startBrowserServer({ host, staticDir: RENDERER_DIR });
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
for (const scheme of ['light', 'dark'] as const) {
  const page = await browser.newPage({ viewport: { width: 1024, height: 900 }, colorScheme: scheme });
  await page.goto(server.url);
  await page.goto(`${new URL(server.url).origin}/#/history`);
  await page.waitForSelector('[data-testid="chart-cost-over-time"] svg', { timeout: 30000 });
  await page.waitForTimeout(500);
  await page.screenshot({ path: `/tmp/history-${scheme}.png`, fullPage: true });
}
await browser.close(); await server.close(); await host.close();
process.exit(0);
