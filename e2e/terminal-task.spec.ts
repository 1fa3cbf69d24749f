/**
 * A task run from a terminal (`baton run`, another process) as the browser-mode window shows it: live,
 * with no Stop it could not honour, but where it runs and where to stop it. Stopped there, with Ctrl-C,
 * it ends in the window too.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { iterationScript } from '../test/support/scripts';
import { BATON, type BrowserMode, startBrowserMode } from './support/browser-mode';
import { shoot } from './support/screenshots';

let baton: BrowserMode;
let terminal: ChildProcess | undefined;

test.beforeAll(async () => {
  // Each answer takes a while, so the task is seen running.
  baton = await startBrowserMode(iterationScript(0, 'BATON_TASK_COMPLETE', 2000));
});
test.afterAll(async () => {
  if (terminal && terminal.exitCode === null) {
    const exited = new Promise((resolve) => terminal?.once('exit', resolve));
    terminal.kill('SIGKILL');
    await exited;
  }
  await baton?.stop();
});

test.use({ viewport: { width: 1024, height: 768 } });

test('a task run from a terminal says where to stop it, and stops there', async ({ page }, testInfo) => {
  await page.goto(baton.url);
  await expect(page.getByRole('button', { name: 'Launch' })).toBeVisible();

  terminal = spawn(
    BATON,
    [
      'run',
      ...['--db', baton.db, '--dir', baton.project, '--prompt', 'Work on it from the terminal'],
      ...['--max-iterations', '20', '--model', 'claude-sonnet-4-5'],
    ],
    { cwd: path.dirname(baton.project), env: baton.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const pid = terminal.pid as number;
  const exited = new Promise<number | null>((resolve) => terminal?.once('exit', resolve));

  const card = page.getByTestId('live-task').first();
  await expect(card).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  const where = `Running in a terminal (pid ${pid} on this machine) — stop it there (Ctrl-C)`;
  await expect(card.getByTestId('runs-elsewhere')).toHaveText(where);
  await expect(card.getByRole('button', { name: 'Stop' })).toHaveCount(0);
  // Nor does the shortcut ask.
  await card.focus();
  await page.keyboard.press('s');
  await expect(page.getByTestId('stop-confirm')).toHaveCount(0);
  await shoot(page, testInfo, 'terminal-task-card');

  await card.getByRole('link').first().click();
  await expect(page.getByTestId('runs-elsewhere')).toHaveText(where);
  await expect(page.getByRole('button', { name: 'Stop' })).toHaveCount(0);
  await shoot(page, testInfo, 'terminal-task-detail');

  // Stopped where it runs, as the window says: Ctrl-C in the terminal.
  terminal.kill('SIGINT');
  expect(await exited).toBe(130);
  await expect(page.getByTestId('task-status')).toHaveAttribute('data-status', 'cancelled', { timeout: 30_000 });
  await expect(page.getByTestId('runs-elsewhere')).toHaveCount(0);
});
