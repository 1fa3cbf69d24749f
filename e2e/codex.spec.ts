/**
 * A Codex task launched from the folded form in browser mode, with Codex's own defaults from Settings: the
 * real Codex CLI against the scripted OpenAI Responses API, with a CODEX_HOME of this test's own that points
 * Codex at it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import {
  type ResponseUsage,
  type ScriptedOpenAiServer,
  startScriptedOpenAiServer,
  writeCodexHome,
} from '../test/support/scripted-openai-server';
import { type BrowserMode, startBrowserMode } from './support/browser-mode';
import { shoot } from './support/screenshots';

/** The command's request, then the answer after its output: the tokens of each, as the server sends them. */
const COMMAND_USAGE: ResponseUsage = {
  input_tokens: 1500,
  cached_tokens: 500,
  cache_write_tokens: 0,
  output_tokens: 60,
  reasoning_tokens: 20,
};
const ANSWER_USAGE: ResponseUsage = {
  input_tokens: 1700,
  cached_tokens: 1200,
  cache_write_tokens: 0,
  output_tokens: 40,
  reasoning_tokens: 10,
};

let openai: ScriptedOpenAiServer;
let baton: BrowserMode;
let codexRoot: string;

test.beforeAll(async () => {
  openai = await startScriptedOpenAiServer(({ requestInThread }) =>
    requestInThread === 1
      ? { command: 'echo hello from codex > hello.txt', usage: COMMAND_USAGE }
      : { text: 'Wrote hello.txt. BATON_TASK_COMPLETE', usage: ANSWER_USAGE },
  );
  codexRoot = mkdtempSync(path.join(os.tmpdir(), 'baton-e2e-codex-'));
  const codexHome = writeCodexHome(path.join(codexRoot, 'codex-home'), openai.baseUrl);
  // Claude Code's scripted API is not asked: this task runs Codex. Should it be, it refuses.
  const refuse = { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  baton = await startBrowserMode(() => ({ errorStatus: 400, usage: refuse }), {
    CODEX_HOME: codexHome,
    OPENAI_API_KEY: 'sk-scripted',
  });
});
test.afterAll(async () => {
  await baton?.stop();
  await openai?.close();
  rmSync(codexRoot, { recursive: true, force: true });
});

test('launches a Codex task from the folded form, with Codex’s own defaults, and sees its iteration finish with its tokens', async ({
  page,
}, testInfo) => {
  await page.setViewportSize({ width: 1024, height: 800 });
  const origin = new URL(baton.url).origin;

  // Codex's defaults, apart from Claude Code's: its model, no sandbox (its shell tool must write), one iteration.
  await page.goto(baton.url);
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('radiogroup', { name: 'Defaults of' }).getByRole('radio', { name: 'Codex' }).click();
  await page.getByLabel('Default model').fill('gpt-5.5');
  await page.getByLabel('Default permission mode').selectOption('bypassPermissions');
  await page.getByLabel('Default max iterations').fill('1');
  await shoot(page, testInfo, 'settings-codex-defaults');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved.')).toBeVisible();

  await page.getByRole('link', { name: 'Tasks' }).click();
  // The essentials show; the rest is folded away, its choices named in a line.
  await expect(page.getByRole('button', { name: 'More options' })).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByLabel('Permission mode')).toHaveCount(0);
  await page.getByLabel('Agent').selectOption('codex');
  // Codex's own models are suggested, and its defaults fill the fields.
  await expect(page.locator('#launch-known-models option[value="gpt-5.5"]')).toHaveCount(1);
  await expect(page.getByLabel('Model')).toHaveValue('gpt-5.5');
  await expect(page.getByLabel('Max iterations')).toHaveValue('1');
  await expect(page.getByTestId('more-options-summary')).toHaveText('bypassPermissions');
  await page.getByLabel('Project directory').fill(baton.project);
  await page.getByLabel('Prompt').fill('Write hello.txt, then say you are done.');
  await shoot(page, testInfo, 'launch-form-codex-folded');
  // Unfolded, Codex's fields show and Claude Code's alone (max turns, allowed tools) do not.
  await page.getByRole('button', { name: 'More options' }).click();
  await expect(page.getByLabel('Permission mode (Codex sandbox)')).toHaveValue('bypassPermissions');
  await expect(page.getByLabel('Max turns')).toHaveCount(0);
  await expect(page.getByLabel('Allowed tools')).toHaveCount(0);
  await shoot(page, testInfo, 'launch-form-codex-unfolded');
  // Each agent's permission modes are named in full in the closed select, Gemini's longest of all, at 1024 px.
  for (const agent of ['gemini', 'codex'] as const) {
    await page.getByLabel('Agent').selectOption(agent);
    const mode = page.locator('#launch-permissionMode');
    for (const choice of ['default', 'acceptEdits', 'bypassPermissions', 'plan']) {
      await mode.selectOption(choice);
      const room = await mode.evaluate((select: HTMLSelectElement) => {
        const style = getComputedStyle(select);
        const context = document.createElement('canvas').getContext('2d')!;
        context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const text = context.measureText(select.selectedOptions[0]!.textContent ?? '').width;
        // Its padding and the drop-down arrow's room.
        return select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 24 - text;
      });
      expect(room, `${agent} ${choice}`).toBeGreaterThan(0);
    }
  }
  await page.getByLabel('Agent').selectOption('codex');
  await page.getByLabel('Permission mode (Codex sandbox)').selectOption('bypassPermissions');
  await page.getByRole('button', { name: 'More options' }).click();
  await page.getByRole('button', { name: 'Launch' }).click();

  const card = page.getByTestId('live-task').first();
  await expect(card).toBeVisible();
  // The page went to the new task, and nothing is left saying it was queued.
  await expect(card).toBeInViewport();
  await expect(page.getByTestId('launch-status')).toHaveCount(0);
  await expect(card.getByTestId('task-agent')).toHaveText('Codex');
  const iteration = card.getByTestId('iteration').first();
  await expect(iteration).toHaveAttribute('data-status', 'completed', { timeout: 90_000 });

  // Baton's four kinds, as the issue maps Codex's usage: input less the cached part, cache read the cached part.
  const input = COMMAND_USAGE.input_tokens + ANSWER_USAGE.input_tokens;
  const cached = COMMAND_USAGE.cached_tokens + ANSWER_USAGE.cached_tokens;
  const output = COMMAND_USAGE.output_tokens + ANSWER_USAGE.output_tokens;
  const total = input - cached + cached + output;
  await iteration.click();
  await expect(card.getByTestId('iteration-tokens')).toHaveAttribute('data-value', String(total));
  await expect(card.getByTestId('iteration-reasoning-tokens')).toHaveAttribute(
    'data-value',
    String(COMMAND_USAGE.reasoning_tokens + ANSWER_USAGE.reasoning_tokens),
  );
  // The shell command really ran in the project directory.
  expect(existsSync(path.join(baton.project, 'hello.txt'))).toBe(true);
  expect(readFileSync(path.join(baton.project, 'hello.txt'), 'utf8')).toContain('hello from codex');

  // The task page shows the agent beside the model, and the session's own Codex thread id.
  const taskId = await card.getAttribute('data-task-id');
  await shoot(page, testInfo, 'codex-task-launched');
  await page.goto(`${origin}/#/tasks/${taskId}`);
  await expect(page.getByTestId('task-agent')).toHaveText('Codex');
  await expect(page.getByTestId('total-input-tokens')).toHaveAttribute('data-value', String(input - cached));
  await expect(page.getByTestId('total-cache-read-tokens')).toHaveAttribute('data-value', String(cached));
  await expect(page.getByTestId('total-output-tokens')).toHaveAttribute('data-value', String(output));
  const thread = openai.requests.find((r) => r.threadId)?.threadId;
  expect(thread).toBeTruthy();
  await expect(page.getByTestId('agent-session-id')).toHaveText(thread as string);
});
