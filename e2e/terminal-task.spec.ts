/**
 * A task run from a terminal (`baton run`, another process) as the browser-mode window shows it: live, with
 * where it runs, and a Stop that the terminal's process carries out (asked through the event log): the
 * terminal says so and exits, and the task ends in the window.
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

test('a task run from a terminal says where it runs, and stops from the window', async ({ page }, testInfo) => {
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
  let stderr = '';
  terminal.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => terminal?.once('exit', resolve));

  const card = page.getByTestId('live-task').first();
  await expect(card).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  await expect(card.getByTestId('runs-elsewhere')).toHaveText(`Running in a terminal (pid ${pid} on this machine)`);
  await shoot(page, testInfo, 'terminal-task-card');

  await card.getByRole('link').first().click();
  await expect(page.getByTestId('runs-elsewhere')).toHaveText(`Running in a terminal (pid ${pid} on this machine)`);
  await shoot(page, testInfo, 'terminal-task-detail');

  await page.getByRole('button', { name: 'Stop' }).click();
  await page.getByTestId('stop-confirm').getByRole('button', { name: 'Stop' }).click();
  // The terminal's process stops it, says why, and exits as for a task that did not complete.
  expect(await exited).toBe(1);
  expect(stderr).toContain(', as Baton process ');
  await expect(page.getByTestId('task-status')).toHaveAttribute('data-status', 'cancelled', { timeout: 30_000 });
  await expect(page.getByTestId('runs-elsewhere')).toHaveCount(0);
  await expect(page.getByRole('alert')).toHaveCount(0);
  // Its iteration too, once the page has read the task again.
  await expect(page.locator('table.sessions tbody tr').first()).not.toContainText('Running', { timeout: 10_000 });
  await shoot(page, testInfo, 'terminal-task-stopped');
});
