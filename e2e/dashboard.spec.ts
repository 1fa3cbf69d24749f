/**
 * The main journey in browser mode, with the real claude CLI against the
 * scripted API: launch from the form, watch iterations live, check the task
 * detail against `baton task --json`, and export History as CSV.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { iterationScript } from '../test/support/scripts';
import { batonCli, type BrowserMode, startBrowserMode } from './support/browser-mode';
import { unfoldMoreOptions } from './support/launch-form';

let baton: BrowserMode;

test.beforeAll(async () => {
  // Each answer waits a little, so iterations can be seen while they run.
  baton = await startBrowserMode(iterationScript(4, 'BATON_TASK_COMPLETE', 600));
});
test.afterAll(async () => {
  await baton?.stop();
});

interface TaskJson {
  id: string;
  status: string;
  iterations: number;
  totals: Record<string, number>;
  sessions: Array<{ sessionId: string; status: string }>;
}

test('launch, watch live, check the detail and export history', async ({ page }, testInfo) => {
  const shot = async (name: string) => page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true });

  // Iterations come and go fast; record what the page showed at each change, so nothing is missed between polls.
  await page.addInitScript(() => {
    const seen = { streamTexts: new Set<string>(), maxLiveIterations: 0 };
    (window as unknown as { __seen: typeof seen }).__seen = seen;
    new MutationObserver(() => {
      for (const stream of document.querySelectorAll('[data-testid="agent-stream"]'))
        seen.streamTexts.add(stream.textContent ?? '');
      for (const card of document.querySelectorAll('[data-testid="live-task"]')) {
        const iterations = card.querySelectorAll('[data-testid="iteration"]');
        const running = card.querySelector('[data-testid="iteration"][data-status="running"]');
        if (running) seen.maxLiveIterations = Math.max(seen.maxLiveIterations, iterations.length);
      }
    }).observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
  });
  const seen = () =>
    page.evaluate(() => {
      const s = (window as unknown as { __seen: { streamTexts: Set<string>; maxLiveIterations: number } }).__seen;
      return { streamTexts: [...s.streamTexts], maxLiveIterations: s.maxLiveIterations };
    });

  await page.goto(baton.url);
  await expect(page.getByRole('button', { name: 'Launch' })).toBeVisible();

  // Bad values are shown inline and never reach the core.
  await page.getByLabel('Project directory').fill(baton.project);
  await page.getByLabel('Max iterations').fill('0');
  await page.getByRole('button', { name: 'Launch' }).click();
  await expect(page.getByRole('alert').first()).toBeVisible();
  expect(baton.api.requests.filter((r) => r.path === '/v1/messages')).toHaveLength(0);

  await page.getByLabel('Prompt').fill('Write hello.txt then say you are done.');
  await page.getByLabel('Model').fill('claude-sonnet-4-5');
  await page.getByLabel('Max iterations').fill('5');
  await unfoldMoreOptions(page);
  await page.getByLabel('Context').selectOption('fresh');
  await shot('01-launch-form');
  await page.getByRole('button', { name: 'Launch' }).click();

  const card = page.getByTestId('live-task').first();
  await expect(card).toBeVisible();
  const taskId = await card.getAttribute('data-task-id');
  expect(taskId).toBeTruthy();
  // The agent's text streamed into the page while its iteration ran, and at least 3 iterations were seen running.
  await expect
    .poll(async () => (await seen()).streamTexts.some((text) => /Made progress in session 1/.test(text)), {
      timeout: 60_000,
    })
    .toBe(true);
  await expect.poll(async () => (await seen()).maxLiveIterations, { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
  await shot('02-live');
  await expect(card.getByTestId('iteration')).toHaveCount(4, { timeout: 60_000 });

  // Wait for the task to finish, then compare the detail page with the CLI's view of the store.
  // The task's own status: a session's "completed" would come before the task has stored its last iteration.
  const taskStatus = async () => {
    const { stdout } = await batonCli(['task', taskId as string, '--json', '--db', baton.db], baton.env);
    return (JSON.parse(stdout.trim()) as { status: string }).status;
  };
  await expect.poll(taskStatus, { timeout: 60_000 }).toBe('completed');
  const cli = JSON.parse(
    (await batonCli(['task', taskId as string, '--json', '--db', baton.db], baton.env)).stdout.trim(),
  ) as TaskJson;
  expect(cli.iterations).toBe(4);
  expect(new Set(cli.sessions.map((s) => s.sessionId)).size).toBe(4);

  await page.goto(`${new URL(baton.url).origin}/#/tasks/${taskId}`);
  await expect(page.getByTestId('task-status')).toContainText('completed');
  const totals: Array<[string, number]> = [
    ['total-input-tokens', cli.totals.inputTokens as number],
    ['total-output-tokens', cli.totals.outputTokens as number],
    ['total-cache-creation-tokens', cli.totals.cacheCreationTokens as number],
    ['total-cache-read-tokens', cli.totals.cacheReadTokens as number],
    ['total-tokens', cli.totals.totalTokens as number],
    ['total-turns', cli.totals.turns as number],
  ];
  for (const [testId, expected] of totals) {
    await expect(page.getByTestId(testId)).toHaveAttribute('data-value', String(expected));
  }
  const cost = Number(await page.getByTestId('total-cost').getAttribute('data-value'));
  expect(cost).toBeCloseTo(cli.totals.costUsd as number, 10);
  for (const session of cli.sessions) {
    await expect(page.locator(`[data-testid="session-row"][data-session-id="${session.sessionId}"]`)).toContainText(
      session.sessionId,
    );
  }
  await shot('03-task-detail');

  // History: the task is listed, and the CSV export matches the store.
  await page.goto(`${new URL(baton.url).origin}/#/history`);
  await expect(page.locator(`[data-testid="history-row"][data-task-id="${taskId}"]`)).toBeVisible();
  await expect(page.getByTestId('chart-cost-over-time')).toBeVisible();
  await shot('04-history');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  const csv = readFileSync((await download.path()) as string, 'utf8')
    .trim()
    .split(/\r?\n/);
  const header = (csv[0] as string).split(',');
  const rows = csv.slice(1).map((line) => Object.fromEntries(line.split(',').map((v, i) => [header[i], v])));
  const listed = JSON.parse((await batonCli(['tasks', '--json', '--db', baton.db], baton.env)).stdout) as Array<{
    id: string;
    totals: Record<string, number>;
  }>;
  expect(rows.map((r) => r.id)).toEqual(listed.map((t) => t.id));
  for (const task of listed) {
    const row = rows.find((r) => r.id === task.id);
    expect(Number(row?.totalTokens)).toBe(task.totals.totalTokens);
    expect(Number(row?.costUsd)).toBeCloseTo(task.totals.costUsd as number, 10);
  }
});
