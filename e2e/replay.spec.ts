/**
 * A person replays an iteration the real claude CLI ran against the scripted API: it opens at its end with
 * each event's time in the page's zone, plays from the start at 1× in the events' own time, writes its text
 * out, skims to the file change and the error, and its header's totals follow the scrubber. The page's clock
 * is Playwright's, moved by the test. Screenshots at 1024 px, light and dark.
 */
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { Script } from '../test/support/scripted-anthropic-server';
import { usageFor } from '../test/support/scripts';
import { batonCli, type BrowserMode, startBrowserMode } from './support/browser-mode';
import { shoot } from './support/screenshots';

/** Not the machine's zone, nor one a whole hour from UTC: the times shown must be the page's. */
const PAGE_ZONE = 'Asia/Kathmandu';
test.use({ timezoneId: PAGE_ZONE });

let baton: BrowserMode;

/** Writes a file, runs a command the permission mode refuses (an error), then writes its answer slowly. */
const script: Script = ({ sessionOrdinal, turnInSession }) => {
  const usage = usageFor(sessionOrdinal, turnInSession);
  if (turnInSession === 1) {
    return {
      usage,
      toolUse: { name: 'Write', input: { file_path: path.join(baton.project, 'notes.txt'), content: 'x\n' } },
    };
  }
  if (turnInSession === 2) return { usage, toolUse: { name: 'Bash', input: { command: 'rm -rf build' } } };
  return {
    usage,
    pieceDelayMs: 700,
    text: ['Wrote notes.txt; ', 'the clean-up was refused, ', 'so the build stays. BATON_TASK_COMPLETE'],
  };
};

test.beforeAll(async () => {
  baton = await startBrowserMode(script);
});
test.afterAll(async () => {
  await baton?.stop();
});

/** "14:03:07" in the page's zone, as the window writes it. */
const inPageZone = (iso: string) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: PAGE_ZONE,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));

test('replay an iteration at 1×, skim it and scrub it', async ({ page }, testInfo) => {
  const run = await batonCli(
    ['run', '--dir', baton.project, '--prompt', 'REPLAY: write notes', '--max-iterations', '1', '--db', baton.db],
    baton.env,
  );
  expect(run.code).toBe(0);
  const [task] = JSON.parse((await batonCli(['tasks', '--json', '--db', baton.db], baton.env)).stdout) as Array<{
    id: string;
  }>;

  await page.setViewportSize({ width: 1024, height: 800 });
  await page.clock.install();
  await page.goto(baton.url);
  await page.goto(`${new URL(baton.url).origin}/#/tasks/${task!.id}`);
  const row = page.getByTestId('session-row').first();
  await row.getByRole('button', { name: 'Replay' }).click();
  const panel = page.getByTestId('replay-panel');

  // 1. It opens at the end, the whole iteration there to read, each event beside its time in the page's zone.
  const position = panel.getByTestId('replay-position');
  await expect(position).toHaveText(/^(\d+) of \1 events$/);
  const total = Number((await position.textContent())!.split(' ')[0]);
  await expect(panel.getByRole('button', { name: 'Play', exact: true })).toBeVisible();
  await expect(panel.getByTestId('replay-tokens')).toHaveAttribute(
    'data-value',
    (await row.locator('td.num').first().getAttribute('data-value'))!,
  );
  const times = panel.locator('[data-testid="stream-timed"] > time');
  expect(await times.count()).toBeGreaterThan(4);
  for (const time of await times.all()) {
    expect(await time.textContent()).toBe(inPageZone((await time.getAttribute('datetime'))!));
  }
  await expect(panel.getByTestId('assistant-text')).toContainText('so the build stays');

  // 2. Space plays it from the start at 1×: a second of the page's clock is a second of the iteration.
  await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 1000);
  await page.keyboard.press(' ');
  await expect(panel.getByRole('button', { name: 'Pause', exact: true })).toBeVisible();
  await expect(panel.getByTestId('replay-time')).toHaveText(/^0:00 of /);
  await page.clock.runFor(1000);
  await expect(panel.getByTestId('replay-time')).toHaveText(/^0:01 of /);
  await page.keyboard.press(' ');
  await expect(panel.getByRole('button', { name: 'Play', exact: true })).toBeVisible();
  // Space on the focused Play button plays once, not once for the key and once for the button.
  await panel.getByRole('button', { name: 'Play', exact: true }).click();
  await expect(panel.getByRole('button', { name: 'Pause', exact: true })).toBeFocused();
  await page.keyboard.press(' ');
  await expect(panel.getByRole('button', { name: 'Play', exact: true })).toBeVisible();
  await page.keyboard.press(' ');
  await expect(panel.getByRole('button', { name: 'Pause', exact: true })).toBeVisible();
  await page.keyboard.press(' ');

  // 3. Skims: to the file change, then to the error the refused command gave.
  await page.keyboard.press('Home');
  await page.keyboard.press('f');
  await expect(panel.getByTestId('tool-call').last()).toHaveAttribute('data-tool-name', 'Write');
  await panel.getByRole('button', { name: 'Next error' }).click();
  await expect(panel.getByTestId('tool-result').last()).toHaveClass(/is-error/);
  const tokensAtError = Number(await panel.getByTestId('replay-tokens').getAttribute('data-value'));

  // 4. Played on into the answer, its text is written out as it streamed, not in one piece: its pieces came
  // 700 ms apart, so a tenth of a second at a time the page's clock finds it half written.
  await page.keyboard.press(' ');
  const text = panel.getByTestId('assistant-text');
  const halfWritten = panel.locator('[data-testid="assistant-text"][data-partial="true"]');
  for (let tick = 0; tick < 100 && (await halfWritten.count()) === 0; tick++) {
    await page.clock.runFor(100);
  }
  await expect(text).toHaveAttribute('data-partial', 'true');
  const written = (await text.textContent())!;
  expect(written.length).toBeGreaterThan(0);
  expect('Wrote notes.txt; the clean-up was refused, so the build stays.').toContain(written);
  expect(written).not.toContain('so the build stays');
  await page.keyboard.press(' ');
  await shoot(page, testInfo, 'replay-writing');

  // 5. The scrubber: the header's totals are those of where it is.
  const scrubber = panel.getByLabel('Position');
  await scrubber.fill('0');
  await expect(position).toHaveText(new RegExp(`^\\d of ${total} events$`));
  await expect(panel.getByTestId('replay-tokens')).toHaveAttribute('data-value', '0');
  expect(tokensAtError).toBeGreaterThan(0);
  await page.keyboard.press('End');
  await expect(position).toHaveText(`${total} of ${total} events`);
  await shoot(page, testInfo, 'replay-end');
});
