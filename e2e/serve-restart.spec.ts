/**
 * Browser mode as a person lives with it: `baton serve` restarted while a tab is open, two of them side
 * by side in one browser, and an address opened without its token.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { type Serving, startServe } from './support/browser-mode';
import { shoot } from './support/screenshots';

let root: string;
const serving: Serving[] = [];

test.beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'baton-e2e-serve-'));
});
test.afterEach(async () => {
  for (const serve of serving.splice(0)) await serve.stop();
  rmSync(root, { recursive: true, force: true });
});

/** `baton serve` of the database `name` under this test's folder, never reading this machine's transcripts. */
async function serve(name: string): Promise<Serving> {
  const env = {
    ...process.env,
    CLAUDE_CONFIG_DIR: path.join(root, 'claude-config'),
    CODEX_HOME: path.join(root, 'codex-home'),
  };
  const started = await startServe(path.join(root, `${name}.db`), env);
  serving.push(started);
  return started;
}

async function stop(serve: Serving): Promise<void> {
  serving.splice(serving.indexOf(serve), 1);
  await serve.stop();
}

test.use({ viewport: { width: 1024, height: 768 } });

test('a tab left open through a restart finds Baton again and says how to get back in', async ({ page }, testInfo) => {
  const first = await serve('baton');
  await page.goto(first.url);
  await expect(page.getByRole('button', { name: 'Launch' })).toBeVisible();
  const banner = page.getByTestId('connection-banner');

  await stop(first);
  await expect(banner).toContainText('Reconnecting…');

  const second = await serve('baton');
  // The same database is served on the same port, so the tab reaches it, and is told its key is old.
  expect(second.port).toBe(first.port);
  await expect(banner).toContainText('Baton no longer accepts this tab’s key', { timeout: 30_000 });
  await shoot(page, testInfo, 'restart-refused-tab');

  // The new address opened in another tab gives this browser the new key: the old tab reconnects by itself.
  const other = await page.context().newPage();
  await other.goto(second.url);
  await expect(other.getByRole('button', { name: 'Launch' })).toBeVisible();
  await expect(banner).toBeHidden({ timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'Launch' })).toBeEnabled();
});

test('an address without the token shows what to do, not JSON', async ({ browser }, testInfo) => {
  const baton = await serve('baton');
  const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
  const answer = await page.goto(`http://127.0.0.1:${baton.port}/`);
  expect(answer?.status()).toBe(401);
  await expect(page.getByRole('heading', { name: 'Open Baton with the address it printed' })).toBeVisible();
  await expect(page.getByText(`Baton is serving on http://127.0.0.1:${baton.port}/?token=…`)).toBeVisible();
  await shoot(page, testInfo, 'token-missing-page');
  await page.close();
});

test('a second `baton serve` opened in the same browser leaves the first one’s tab working', async ({ page }) => {
  const first = await serve('first');
  const second = await serve('second');
  expect(second.port).not.toBe(first.port);
  await page.goto(first.url);
  await expect(page.getByRole('button', { name: 'Launch' })).toBeVisible();
  const other = await page.context().newPage();
  await other.goto(second.url);
  await expect(other.getByRole('button', { name: 'Launch' })).toBeVisible();

  // Reloaded, the first tab is still let in: its cookie was not overwritten by the second one's.
  const reloaded = await page.reload();
  expect(reloaded?.status()).toBe(200);
  await expect(page.getByRole('button', { name: 'Launch' })).toBeVisible();
  await expect(page.getByTestId('connection-banner')).toBeHidden();
});
