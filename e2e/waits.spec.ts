/**
 * Waits as a person sees them in browser mode, for tasks run from the terminal with the real claude CLI:
 * one whose subscription window is spent (the scripted API turns it away with the quota headers), and
 * one whose API refuses connections (nothing listens on its port). Each reads as a wait, for quota or for
 * the API, on the task, its iteration and its stream; each is saved in light and dark mode at 1024 px.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { expect, type Page, test } from '@playwright/test';
import { quotaHeaders, type ScriptedServer, startScriptedServer } from '../test/support/scripted-anthropic-server';
import { closedPort } from '../test/support/scripted-http';
import { usageFor } from '../test/support/scripts';
import { BATON, type BrowserMode, startBrowserMode } from './support/browser-mode';
import { shoot } from './support/screenshots';

/**
 * Each test has a window of its own over a database of its own: a spent window is known to every task on a
 * database, and would hold the other test's task before it started.
 */
let baton: BrowserMode;
let spentApi: ScriptedServer | undefined;
const terminals: ChildProcess[] = [];

test.beforeEach(async ({ page }) => {
  baton = await startBrowserMode(() => ({ text: 'unused', usage: usageFor(1, 1) }));
  await page.setViewportSize({ width: 1024, height: 800 });
  await page.goto(baton.url);
});
test.afterEach(async () => {
  for (const terminal of terminals.splice(0)) {
    if (!terminal.pid || terminal.exitCode !== null) continue;
    // Stopped as a user stops it, so it ends its agent (which runs in a process group of its own); killed
    // outright, it would leave the agent behind until the next Baton opened the database.
    const exited = new Promise((resolve) => terminal.once('exit', resolve));
    process.kill(-terminal.pid, 'SIGTERM');
    const stopped = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(r, 15_000, false))]);
    if (!stopped && terminal.exitCode === null) process.kill(-terminal.pid, 'SIGKILL');
  }
  await spentApi?.close();
  spentApi = undefined;
  await baton?.stop();
});

/** `baton run` from the terminal on the window's database, with the environment given over browser mode's. */
function runFromTerminal(prompt: string, env: NodeJS.ProcessEnv): void {
  const terminal = spawn(
    BATON,
    ['run', '--dir', baton.project, '--prompt', prompt, '--model', 'claude-sonnet-4-5', '--db', baton.db],
    { env: { ...baton.env, ...env }, stdio: 'ignore', detached: true },
  );
  terminals.push(terminal);
}

async function cardOf(page: Page, tag: string) {
  const card = page.locator('[data-testid="live-task"]', { hasText: tag });
  await expect(card).toBeVisible({ timeout: 60_000 });
  return card;
}

test('a spent window reads as a wait for quota', async ({ page }, testInfo) => {
  // A subscription login (a token, no API key) whose 5-hour window is spent for the next hour.
  const resetsAt = Math.ceil(Date.now() / 1000) + 3600;
  spentApi = await startScriptedServer(() => ({
    errorStatus: 429,
    usage: usageFor(0, 0),
    headers: quotaHeaders({ status: 'rejected', utilization: 1, resetsAt }),
  }));
  runFromTerminal('WAIT-QUOTA: work while the window is spent', {
    ANTHROPIC_BASE_URL: spentApi.url,
    ANTHROPIC_API_KEY: '',
    CLAUDE_CODE_OAUTH_TOKEN: 'test-subscription-token',
  });
  const quota = await cardOf(page, 'WAIT-QUOTA');
  await expect(quota.getByTestId('live-task-status')).toHaveText('waiting for quota', { timeout: 60_000 });
  await expect(quota.getByTestId('iteration')).toHaveAttribute('data-status', 'waiting');
  await expect(quota.getByTestId('iteration-status')).toHaveText('waiting for quota');
  await expect(quota.getByTestId('stream-wait')).toContainText('Waiting for quota: the 5-hour window is spent');
  await expect(quota.getByTestId('stream-result')).toContainText('The API turned the agent away');
  await expect(quota.locator('.is-error')).toHaveCount(0);
  await shoot(page, testInfo, 'wait-quota');
});

test('a refused connection reads as a wait for the API', async ({ page }, testInfo) => {
  // An API that refuses connections: the CLI gives up at once, and Baton waits (long, here) to try again.
  const refused = `http://127.0.0.1:${await closedPort()}`;
  runFromTerminal('WAIT-API: work while the API is down', {
    ANTHROPIC_BASE_URL: refused,
    CLAUDE_CODE_MAX_RETRIES: '0',
    BATON_RETRY_BASE_MS: '600000',
    BATON_RETRY_MAX_MS: '600000',
  });
  const api = await cardOf(page, 'WAIT-API');
  const waitLine = `Waiting for the API: could not reach the API at ${refused}`;
  await expect(api.getByTestId('stream-wait')).toContainText(waitLine, { timeout: 60_000 });
  await expect(api.getByTestId('live-task-status')).toHaveText('waiting for the API');
  await expect(api.getByTestId('iteration-status')).toHaveText('waiting for the API');
  await expect(api.getByTestId('stream-result')).toContainText('The agent gave up on an API that did not answer');
  await shoot(page, testInfo, 'wait-api');

  // The task's page says the same.
  await api.getByRole('link', { name: /WAIT-API/ }).click();
  await expect(page.getByTestId('task-status')).toHaveText('waiting for the API');
  await shoot(page, testInfo, 'wait-api-task');
});

test('an API the agent itself keeps retrying reads as a wait for the API', async ({ page }, testInfo) => {
  // The CLI retries for minutes before it gives up: all that while, the task waits for the API.
  const refused = `http://127.0.0.1:${await closedPort()}`;
  runFromTerminal('WAIT-RETRY: work while the API is down', {
    ANTHROPIC_BASE_URL: refused,
    CLAUDE_CODE_MAX_RETRIES: '10',
  });
  const card = await cardOf(page, 'WAIT-RETRY');
  await expect(card.getByTestId('live-task-status')).toHaveText('waiting for the API', { timeout: 60_000 });
  await expect(card.getByTestId('iteration-status')).toHaveText('waiting for the API');
  await expect(card.getByTestId('wait-reason')).toContainText(`Waiting: can't reach ${refused}; the agent tries again`);
  await expect(card.getByTestId('stream-retry').first()).toContainText(`Can't reach ${refused}; retry 1 of 10`);
  await shoot(page, testInfo, 'wait-api-agent-retrying');
});
