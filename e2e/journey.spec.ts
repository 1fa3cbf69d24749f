/**
 * The journey a person takes in browser mode, with the real claude CLI
 * against the scripted API: launch with the default permission mode and see
 * the agent write a file, watch its text stream in, see a task started from
 * the terminal appear in the window, stop one with the confirmation, read the
 * History figures and export them. Every view is saved as a screenshot in
 * light and dark mode at 1024 px.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import type { Script } from '../test/support/scripted-anthropic-server';
import { usageFor } from '../test/support/scripts';
import { BATON, batonCli, type BrowserMode, startBrowserMode } from './support/browser-mode';
import { unfoldMoreOptions } from './support/launch-form';
import { shoot } from './support/screenshots';

/** The page's zone, not the server's: the window's days are the ones counted, and the budget's too. */
const PAGE_ZONE = 'Pacific/Kiritimati';
test.use({ timezoneId: PAGE_ZONE });

let baton: BrowserMode;
let project = '';

/** Answers by what the task asks: the prompt's tag picks the agent's behaviour. */
const script: Script = ({ sessionOrdinal, turnInSession, body }) => {
  const asked = JSON.stringify(body.messages ?? []);
  const usage = usageFor(sessionOrdinal, turnInSession);
  if (asked.includes('JOURNEY-WRITE')) {
    if (turnInSession === 1) {
      return {
        usage,
        toolUse: { name: 'Write', input: { file_path: path.join(project, 'hello.txt'), content: 'hi\n' } },
      };
    }
    return {
      usage,
      pieceDelayMs: 400,
      text: ['Wrote hello.txt', ' and checked it.', ' All done.\nBATON_TASK_COMPLETE'],
    };
  }
  // The terminal's task and the one to stop answer slowly, so they can be seen while they run.
  if (asked.includes('JOURNEY-STOP')) return { usage, delayMs: 30_000, text: 'still thinking' };
  return { usage, delayMs: 1500, text: `Step ${sessionOrdinal} from the terminal; more to do.` };
};

test.beforeAll(async () => {
  baton = await startBrowserMode(script);
  project = baton.project;
});
test.afterAll(async () => {
  await baton?.stop();
});

interface TaskJson {
  id: string;
  status: string;
  totals: { costUsd: number; totalTokens: number };
  sessions: Array<{ permissionDenials: number }>;
}

async function taskJson(id: string): Promise<TaskJson> {
  const { stdout } = await batonCli(['task', id, '--json', '--db', baton.db], baton.env);
  return JSON.parse(stdout.trim()) as TaskJson;
}

async function openNewTask(page: Page): Promise<void> {
  const toggle = page.getByRole('button', { name: 'New task' });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
}

async function launch(page: Page, prompt: string): Promise<string> {
  await openNewTask(page);
  await page.getByLabel('Project directory').fill(project);
  await page.getByLabel('Prompt').fill(prompt);
  await page.getByLabel('Model').fill('claude-sonnet-4-5');
  await page.getByLabel('Max iterations').fill('3');
  await page.getByRole('button', { name: 'Launch' }).click();
  const card = page.locator('[data-testid="live-task"]', { hasText: prompt.split(':')[0] as string }).first();
  await expect(card).toBeVisible();
  return (await card.getAttribute('data-task-id')) as string;
}

test('launch, stream, follow the terminal, stop, read History and export', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 1024, height: 800 });
  // Record every text the stream showed, so a text seen only half-written is not missed between polls.
  await page.addInitScript(() => {
    const seen = new Set<string>();
    (window as unknown as { __streamTexts: Set<string> }).__streamTexts = seen;
    new MutationObserver(() => {
      for (const stream of document.querySelectorAll('[data-testid="agent-stream"]'))
        seen.add(stream.textContent ?? '');
    }).observe(document, { childList: true, subtree: true, characterData: true });
  });
  const streamTexts = () =>
    page.evaluate(() => [...(window as unknown as { __streamTexts: Set<string> }).__streamTexts]);

  await page.goto(baton.url);

  // 1. The default permission mode lets the agent write.
  await openNewTask(page);
  await unfoldMoreOptions(page);
  await expect(page.getByLabel('Permission mode')).toHaveValue('acceptEdits');
  const writeTask = await launch(page, 'JOURNEY-WRITE: write hello.txt in the project');

  // 2. Its text grows on screen as it is generated.
  await expect
    .poll(async () => (await streamTexts()).some((t) => t.includes('Wrote hello.txt') && !t.includes('All done')), {
      timeout: 60_000,
    })
    .toBe(true);
  await expect.poll(async () => (await taskJson(writeTask)).status, { timeout: 60_000 }).toBe('completed');
  expect(readFileSync(path.join(project, 'hello.txt'), 'utf8')).toBe('hi\n');
  expect((await taskJson(writeTask)).sessions.map((s) => s.permissionDenials)).toEqual([0]);

  // 3. A task started from the terminal shows in the window while it runs.
  const terminal: ChildProcess = spawn(
    BATON,
    ['run', '--dir', project, '--prompt', 'JOURNEY-CLI: from the terminal', '--max-iterations', '3', '--db', baton.db],
    { env: baton.env, stdio: 'ignore' },
  );
  const terminalDone = new Promise((resolve) => terminal.once('exit', resolve));
  // By its label: once it ends, its card unfolds under its row of Recent, which holds its title.
  const terminalCard = page.locator('[data-testid="live-task"][aria-label^="Task JOURNEY-CLI"]');
  await expect(terminalCard).toBeVisible({ timeout: 30_000 });
  await expect(terminalCard.getByTestId('agent-stream')).toContainText('from the terminal', { timeout: 30_000 });
  await shoot(page, testInfo, 'tasks-running');

  // 4. Stopping asks first; a confirmed stop ends the task.
  const stopTask = await launch(page, 'JOURNEY-STOP: a slow one');
  const stopCard = page.locator(`[data-testid="live-task"][data-task-id="${stopTask}"]`);
  await expect(stopCard.locator('[data-testid="iteration"][data-status="running"]')).toBeVisible({ timeout: 30_000 });
  // Its page while it runs, then back to the Tasks view to stop it there.
  await page.goto(`${new URL(baton.url).origin}/#/tasks/${stopTask}`);
  await expect(page.getByRole('heading', { name: 'Now running' })).toBeVisible();
  await expect(page.locator('.chart-loading')).toHaveCount(0);
  await shoot(page, testInfo, 'task-detail-running');
  await page.goto(`${new URL(baton.url).origin}/#/`);
  await stopCard.getByRole('button', { name: 'Stop' }).click();
  const confirm = stopCard.getByTestId('stop-confirm');
  await expect(confirm).toContainText('Stop this task?');
  await confirm.getByRole('button', { name: 'Stop' }).click();
  await expect.poll(async () => (await taskJson(stopTask)).status, { timeout: 30_000 }).toBe('cancelled');
  await terminalDone;

  // 5. History's figures are the store's: today's spending is every task's cost.
  const listed = JSON.parse((await batonCli(['tasks', '--json', '--db', baton.db], baton.env)).stdout) as TaskJson[];
  expect(listed).toHaveLength(3);
  await page.goto(`${new URL(baton.url).origin}/#/history`);
  const today = listed.reduce((sum, task) => sum + task.totals.costUsd, 0);
  await expect
    .poll(async () => Number(await page.getByTestId('usage-today').getAttribute('data-value')))
    .toBeCloseTo(today, 9);
  await expect(page.getByTestId('usage-tokens')).toHaveAttribute(
    'data-value',
    String(listed.reduce((sum, task) => sum + task.totals.totalTokens, 0)),
  );
  await expect(page.getByTestId('history-totals-tokens')).toHaveAttribute(
    'data-value',
    String(listed.reduce((sum, task) => sum + task.totals.totalTokens, 0)),
  );

  // 6. The export holds every task, with its model, and no cell a spreadsheet would run.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  const lines = readFileSync((await download.path()) as string, 'utf8')
    .trim()
    .split(/\r?\n/);
  expect(lines[0]).toContain('model');
  expect(lines).toHaveLength(listed.length + 1);
  expect(lines.slice(1).every((line) => !/(^|,)[=+\-@]/.test(line))).toBe(true);

  // Every view, light and dark, at 1024 px.
  await page.goto(`${new URL(baton.url).origin}/#/tasks/${writeTask}`);
  await expect(page.getByTestId('task-status')).toBeVisible();
  await page.getByRole('button', { name: 'Replay' }).first().click();
  await expect(page.getByTestId('replay-panel')).toBeVisible();
  await shoot(page, testInfo, 'task-detail-replay');
  await page.goto(`${new URL(baton.url).origin}/#/history`);
  await expect(page.getByTestId('usage-today')).toBeVisible();
  await shoot(page, testInfo, 'history');
  await page.goto(`${new URL(baton.url).origin}/#/settings`);
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  // The window stored its zone as the daily budget's, which the CLI's launches are held to as well.
  await expect(page.getByTestId('budget-zone')).toHaveText(` Today is the calendar day in ${PAGE_ZONE}.`);
  const settings = await batonCli(['settings', '--db', baton.db], baton.env);
  expect(settings.stdout).toContain(`days of the daily budget: ${PAGE_ZONE}\n`);
  await shoot(page, testInfo, 'settings');
  await page.goto(`${new URL(baton.url).origin}/#/`);
  await openNewTask(page);
  await shoot(page, testInfo, 'tasks-form');
  // Shortcuts are not typed into fields: leave the form first.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('?');
  await expect(page.getByRole('dialog')).toBeVisible();
  await shoot(page, testInfo, 'shortcuts');
  await page.goto(`${new URL(baton.url).origin}/#/tasks/no-such-task`);
  await expect(page.getByText('No such task')).toBeVisible();
  await shoot(page, testInfo, 'unknown-task');
  expect(existsSync(testInfo.outputPath('history-dark.png'))).toBe(true);
});
