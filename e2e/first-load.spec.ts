/**
 * The window's first load: what Tasks needs, and nothing of the charts or the diff viewer, which load when
 * first needed. No script of the first load is over 500 kB.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { type Serving, startServe } from './support/browser-mode';

let root: string;
let serving: Serving | undefined;

test.beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'baton-e2e-first-load-'));
});
test.afterEach(async () => {
  await serving?.stop();
  serving = undefined;
  rmSync(root, { recursive: true, force: true });
});

const LAZY = /\/assets\/(chart-kit|history-charts|usage-charts|task-charts|DiffViewer)-[^/]*\.js$/;

test('the first load sends no script over 500 kB, and the charts load when History is wanted', async ({ page }) => {
  const env = {
    ...process.env,
    CLAUDE_CONFIG_DIR: path.join(root, 'claude-config'),
    CODEX_HOME: path.join(root, 'codex-home'),
  };
  serving = await startServe(path.join(root, 'baton.db'), env);
  const scripts: Array<{ url: string; bytes: number }> = [];
  page.on('response', async (response) => {
    if (response.request().resourceType() !== 'script') return;
    scripts.push({ url: response.url(), bytes: (await response.body()).length });
  });
  await page.goto(serving.url);
  await expect(page.getByRole('button', { name: 'Launch' })).toBeVisible();
  await expect.poll(() => scripts.length).toBeGreaterThan(0);
  for (const script of scripts) expect(script.bytes, script.url).toBeLessThanOrEqual(500_000);
  expect(scripts.filter((script) => LAZY.test(script.url))).toEqual([]);

  const charts = page.waitForRequest((request) => /\/assets\/chart-kit-[^/]*\.js$/.test(request.url()));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'History' }).click();
  await charts;
  await expect(page).toHaveURL(/#\/history$/);
});
