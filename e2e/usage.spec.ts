/**
 * All usage in browser mode: a task the real claude CLI runs and an interactive session's transcript
 * are imported by the running server and shown together in History, with the same totals as
 * `baton usage daily --json` and the current 5-hour block.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { iterationScript } from '../test/support/scripts';
import { batonCli, type BrowserMode, startBrowserMode } from './support/browser-mode';

let baton: BrowserMode;

test.beforeAll(async () => {
  baton = await startBrowserMode(iterationScript(2));
});
test.afterAll(async () => {
  await baton?.stop();
});

/** A line as Claude Code writes it for an interactive session, a minute ago. */
function interactiveTranscript(): void {
  const dir = path.join(baton.configDir, 'projects', '-work-chat');
  mkdirSync(dir, { recursive: true });
  // Three minutes before the run ends: a burn rate is drawn only from a minute of activity or more.
  const at = new Date(Date.now() - 180_000).toISOString().replace(/\.\d{3}Z$/, '.000Z');
  const line = {
    type: 'assistant',
    timestamp: at,
    sessionId: 'chat-1',
    cwd: '/work/chat',
    version: '2.1.0',
    requestId: 'req-chat-1',
    message: {
      id: 'msg-chat-1',
      model: 'claude-sonnet-4-5',
      usage: { input_tokens: 1200, output_tokens: 300, cache_read_input_tokens: 5000 },
    },
  };
  writeFileSync(path.join(dir, 'chat-1.jsonl'), `${JSON.stringify(line)}\n`);
}

test('Baton’s runs and an interactive session, imported and shown together with the active block', async ({
  page,
}, testInfo) => {
  const db = ['--db', baton.db];
  const run = await batonCli(
    ['run', '--dir', baton.project, '--prompt', 'x', '--model', 'claude-sonnet-4-5', '--max-iterations', '3', ...db],
    baton.env,
  );
  expect(run.code).toBe(0);
  interactiveTranscript();

  await page.goto(baton.url);
  await page.getByRole('link', { name: 'History' }).first().click();
  await page.getByTestId('history-tab-usage').click();
  const view = page.getByTestId('usage-view');
  await view.getByTestId('usage-import-now').click();

  // What the page shows is what the CLI reports over the same database.
  const report = async () =>
    JSON.parse((await batonCli(['usage', 'daily', '--json', ...db], baton.env)).stdout) as {
      totals: { totalTokens: number };
      daily: Array<{ bySource: { baton: { totalTokens: number }; interactive: { totalTokens: number } } }>;
    };
  await expect(view.getByTestId('usage-total-tokens')).toHaveAttribute('data-value', /^[1-9]/);
  const { totals, daily } = await report();
  await expect(view.getByTestId('usage-total-tokens')).toHaveAttribute('data-value', String(totals.totalTokens));
  const sum = (key: 'baton' | 'interactive') => daily.reduce((n, row) => n + row.bySource[key].totalTokens, 0);
  expect(sum('interactive')).toBe(1200 + 300 + 5000);
  expect(sum('baton')).toBeGreaterThan(0);
  expect(totals.totalTokens).toBe(sum('baton') + sum('interactive'));

  // The run and the chat were minutes apart: one block, the active one, burning at a rate.
  const active = view.locator('[data-testid="usage-block"][data-active="true"]');
  await expect(active).toHaveCount(1);
  await expect(active.getByTestId('usage-burn-rate')).toContainText(/Burning [\d,]+ tokens\/min/);
  await expect(view.getByTestId('usage-projects')).toContainText('/work/chat');
  await expect(view.getByTestId('usage-origin')).toContainText(baton.configDir);
  await page.screenshot({ path: testInfo.outputPath('all-usage.png'), fullPage: true });
});
