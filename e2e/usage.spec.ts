/**
 * All usage in browser mode: a task the real claude CLI runs and an interactive session's transcript
 * are imported by the running server and shown together in History, with the same totals as
 * `baton usage daily --json` and the current 5-hour block. Before any task, History says all the spending
 * was the user's own and opens it in All usage; with a table full of tasks, History reads at 1024 px
 * without overlapping text, in light and dark mode.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import type { Script } from '../test/support/scripted-anthropic-server';
import { iterationScript, usageFor, writeCall } from '../test/support/scripts';
import { batonCli, type BrowserMode, startBrowserMode } from './support/browser-mode';
import { shoot } from './support/screenshots';

let baton: BrowserMode;

/** A task whose prompt holds this writes a file in its first turn, so git counts the lines it changed. */
const WRITES = 'WRITE-NOTES';
const script: Script = (turn) =>
  turn.body.messages !== undefined && JSON.stringify(turn.body.messages).includes(WRITES) && turn.turnInSession === 1
    ? { usage: usageFor(turn.sessionOrdinal, 1), toolUse: writeCall('NOTES.md', 'one\ntwo\nthree\n') }
    : iterationScript(2)(turn);

test.beforeAll(async () => {
  baton = await startBrowserMode(script);
});
test.afterAll(async () => {
  await baton?.stop();
});

/** A line as Claude Code writes it for an interactive session, three minutes ago; written once per server. */
function interactiveTranscript(): void {
  const dir = path.join(baton.configDir, 'projects', '-work-chat');
  if (existsSync(path.join(dir, 'chat-1.jsonl'))) return;
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

test('before any task, History says all the spending was interactive and opens it in All usage', async ({
  page,
}, testInfo) => {
  interactiveTranscript();
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.goto(baton.url);
  await page.getByRole('link', { name: 'History' }).first().click();
  await page.getByTestId('history-tab-usage').click();
  await page.getByTestId('usage-view').getByTestId('usage-import-now').click();
  await expect(page.getByTestId('usage-total-tokens')).toHaveAttribute('data-value', String(1200 + 300 + 5000));

  await page.getByTestId('history-tab-tasks').click();
  await expect(page.getByTestId('history-first-run')).toContainText('No tasks yet');
  const notice = page.getByTestId('history-interactive-only');
  await expect(notice).toContainText('All the spending was in your own interactive sessions');
  await expect(notice).toContainText('over 6,500 tokens');
  const cost = await notice.getByTestId('history-interactive-cost').getAttribute('data-value');
  await shoot(page, testInfo, 'history-interactive-only-1024');

  // The link opens All usage on those sessions, at its own address, with the cost the notice gave.
  await notice.getByRole('link', { name: 'See them in All usage' }).click();
  await expect(page).toHaveURL(/#\/history\/usage$/);
  await expect(page.getByTestId('usage-source').getByRole('radio', { name: 'Interactive' })).toHaveAttribute(
    'aria-checked',
    'true',
  );
  await expect(page.getByTestId('usage-total-cost')).toHaveAttribute('data-value', cost ?? '');
  await page.goBack();
  await expect(page.getByTestId('history-tab-tasks')).toHaveAttribute('aria-selected', 'true');
});

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

/**
 * What overlaps on History's page, from the element boxes: page-header items over each other, headings over
 * each other or over the first row, and text past its cell. Text cut on purpose (an ellipsis, a line clamp)
 * must be cut inside its cell and carry its whole in a hover text.
 */
function historyOverlaps(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const box = (el: Element) => el.getBoundingClientRect();
    const name = (el: Element) => `"${(el.textContent ?? '').trim().slice(0, 40)}"`;
    const overlap = (a: DOMRect, b: DOMRect) =>
      a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
    const inside = (inner: DOMRect, outer: DOMRect) =>
      inner.left >= outer.left - 0.5 &&
      inner.right <= outer.right + 0.5 &&
      inner.top >= outer.top - 0.5 &&
      inner.bottom <= outer.bottom + 0.5;
    const pairwise = (els: Element[], what: string) => {
      els.forEach((a, i) =>
        els.slice(i + 1).forEach((b) => {
          if (overlap(box(a), box(b))) problems.push(`${what} ${name(a)} overlaps ${name(b)}`);
        }),
      );
    };
    /** Each text's box inside its cell, or cut by an element inside the cell that says it whole. */
    const textInside = (cell: Element) => {
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent?.trim()) continue;
        let clip: Element | null = null;
        for (let el = node.parentElement; el && el !== cell.parentElement; el = el.parentElement) {
          if (getComputedStyle(el).overflowX !== 'visible') clip = el;
          if (el === cell) break;
        }
        const range = document.createRange();
        range.selectNodeContents(node);
        if (!clip) {
          if (!inside(range.getBoundingClientRect(), box(cell)))
            problems.push(`text ${name(node.parentElement!)} runs out of its cell`);
        } else if (!inside(box(clip), box(cell))) {
          problems.push(`${name(clip)} is cut outside its cell`);
        } else if (!inside(range.getBoundingClientRect(), box(clip)) && !clip.closest('[title]')) {
          problems.push(`${name(clip)} is cut with no hover text to read it whole`);
        }
      }
    };

    pairwise([...document.querySelectorAll('.history-view > header > *')], 'page header item');
    const head = document.querySelector('.history-head');
    const headings = [...document.querySelectorAll('[role="columnheader"]')];
    const rows = [...document.querySelectorAll('[data-testid="history-row"]')];
    if (!head || headings.length === 0 || rows.length === 0) return ['no table to measure'];
    pairwise(headings, 'heading');
    headings.forEach(textInside);
    const firstRow = rows.reduce((a, b) => (box(a).top <= box(b).top ? a : b));
    if (box(head).bottom > box(firstRow).top + 0.5) problems.push('the headings overlap the first row');
    for (const heading of headings) {
      if (overlap(box(heading), box(firstRow))) problems.push(`heading ${name(heading)} overlaps the first row`);
    }
    const scroller = box(document.querySelector('[data-testid="history-scroller"]')!);
    for (const row of [...rows, document.querySelector('[data-testid="history-totals"]')!]) {
      // A row scrolled out of sight is not read.
      if (
        row.matches('[data-testid="history-row"]') &&
        (box(row).top < scroller.top || box(row).bottom > scroller.bottom)
      )
        continue;
      const cells = [...row.children];
      pairwise(cells, 'cell');
      for (const cell of cells) {
        if (!inside(box(cell), box(row))) problems.push(`cell ${name(cell)} is outside its row`);
        textInside(cell);
      }
    }
    if (document.documentElement.scrollWidth > document.documentElement.clientWidth)
      problems.push('the page scrolls sideways');
    return problems;
  });
}

/** Whether History's three small charts share one row, across the whole width the cost per day takes. */
function chartsShareTheRow(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const box = (id: string) => document.querySelector(`[data-testid="${id}"]`)!.getBoundingClientRect();
    const wide = box('chart-cost-over-time');
    const [first, second, third] = ['chart-tokens-by-model', 'chart-cost-by-project', 'chart-cost-by-agent'].map(box);
    return (
      first!.top === second!.top &&
      second!.top === third!.top &&
      Math.abs(first!.left - wide.left) < 1 &&
      Math.abs(third!.right - wide.right) < 1
    );
  });
}

test('History at 1024 px: a table full of tasks with no overlapping text, in light and dark mode', async ({
  page,
}, testInfo) => {
  // Three projects in git (so the lines each task changed are counted), three models, long and short titles.
  const dirs = ['web-client', 'payments-service-with-a-rather-long-name', 'docs'].map((name) => {
    const dir = path.join(baton.project, name);
    mkdirSync(dir, { recursive: true });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir });
    git('init', '-q');
    git('-c', 'user.email=e2e@baton.test', '-c', 'user.name=e2e', 'commit', '-q', '--allow-empty', '-m', 'start');
    return dir;
  });
  const prompts = [
    `Fix the flaky login test ${WRITES}`,
    `Refactor the invoice exporter so that it streams rows instead of building the whole file in memory ${WRITES}`,
    'Bump the dependencies',
    'Write the migration guide for version 3 of the public API, covering every breaking change',
  ];
  const models = ['claude-sonnet-4-5', 'claude-opus-4-1', 'claude-haiku-4-5'];
  const tasks = Array.from({ length: 16 }, (_, i) => ({
    dir: dirs[i % dirs.length],
    prompt: `${prompts[i % prompts.length]} (${i + 1})`,
    model: models[i % models.length],
    maxIterations: 2,
    permissionMode: 'bypassPermissions',
  }));
  const batch = path.join(baton.project, 'batch.json');
  writeFileSync(batch, JSON.stringify(tasks));
  const run = await batonCli(['run', '--batch', batch, '--concurrency', '4', '--db', baton.db], baton.env);
  expect(run.code).toBe(0);

  await page.setViewportSize({ width: 1024, height: 768 });
  await page.goto(baton.url);
  await page.getByRole('link', { name: 'History' }).first().click();
  await expect(page.getByTestId('history-total')).toHaveAttribute('data-value', /^(1[6-9]|[2-9]\d)$/);
  // More rows than the table shows at once: it scrolls.
  const scroller = page.getByTestId('history-scroller');
  expect(await scroller.evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);
  // At 1024 px the least needed columns are left out; what each changed line cost shows under the cost.
  await expect(page.getByRole('columnheader')).toHaveText([
    'Created ↓',
    'Task',
    'Project',
    'Model',
    'Status',
    'Tokens',
    'Cost',
  ]);
  await expect(page.getByTestId('history-cost-line').first()).toHaveText(/^\$[\d.]+\/line$/);
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    expect(await historyOverlaps(page), `${colorScheme} at 1024 px`).toEqual([]);
    // The charts' labels in the theme's muted colour, not recharts' own grey (2.85:1 on the dark theme).
    const tick = page.locator('[data-testid="chart-cost-over-time"] .recharts-cartesian-axis-tick-value').first();
    expect(
      await tick.evaluate((text) => {
        const probe = document.createElement('span');
        probe.style.color = 'var(--muted)';
        document.body.append(probe);
        const muted = getComputedStyle(probe).color;
        probe.remove();
        return getComputedStyle(text).fill === muted;
      }),
      `${colorScheme} tick colour`,
    ).toBe(true);
    // Each status badge's 12 px text reads at 4.5:1 or more on its own background.
    const contrasts = await page.locator('.badge').evaluateAll((badges) => {
      const luminance = (css: string) => {
        const [r, g, b] = (css.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => Number(v) / 255);
        const linear = (c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
        return 0.2126 * linear(r!) + 0.7152 * linear(g!) + 0.0722 * linear(b!);
      };
      return badges.map((badge) => {
        const style = getComputedStyle(badge);
        const [light, dark] = [luminance(style.color), luminance(style.backgroundColor)].sort((a, b) => b - a);
        return { text: badge.textContent, ratio: Math.round(((light! + 0.05) / (dark! + 0.05)) * 100) / 100 };
      });
    });
    expect(contrasts.length).toBeGreaterThan(0);
    expect(
      contrasts.filter((c) => c.ratio < 4.5),
      `${colorScheme} badges`,
    ).toEqual([]);
  }
  // A focused heading's ring is drawn inside the heading, which cuts what overflows it.
  await page.getByLabel('Search').focus();
  await page.keyboard.press('Shift+Tab');
  const sortByTokens = page.getByRole('button', { name: 'Tokens' });
  await sortByTokens.focus();
  expect(
    await sortByTokens.evaluate((button) => {
      const style = getComputedStyle(button);
      const grow = parseFloat(style.outlineOffset) + parseFloat(style.outlineWidth);
      const ring = button.getBoundingClientRect();
      const heading = button.closest('[role="columnheader"]')!.getBoundingClientRect();
      return (
        style.outlineStyle !== 'none' &&
        ring.left - grow >= heading.left &&
        ring.right + grow <= heading.right &&
        ring.top - grow >= heading.top &&
        ring.bottom + grow <= heading.bottom
      );
    }),
  ).toBe(true);
  await sortByTokens.blur();
  // The charts drawn before the page is saved as it looks.
  for (const chart of ['chart-cost-over-time', 'chart-tokens-by-model', 'chart-cost-by-project', 'chart-cost-by-agent'])
    await expect(page.getByTestId(chart).locator('svg.recharts-surface').first()).toBeVisible();
  expect(await chartsShareTheRow(page)).toBe(true);
  await shoot(page, testInfo, 'history-1024');

  // At 1440 px every column but the agent's (named under the model) has room.
  await page.setViewportSize({ width: 1440, height: 900 });
  await expect(page.getByRole('columnheader', { name: 'Cost per changed line' })).toHaveText('Cost/line');
  await expect(page.getByRole('columnheader')).toHaveCount(10);
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    expect(await historyOverlaps(page), `${colorScheme} at 1440 px`).toEqual([]);
  }
  expect(await chartsShareTheRow(page)).toBe(true);
  await shoot(page, testInfo, 'history-1440');
});
