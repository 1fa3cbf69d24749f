/**
 * What an iteration changed, as a person sees it in browser mode at 1024 px, with the real claude CLI against
 * the scripted API and real git: a task launched in a git repository (in a worktree of its own, the form's
 * default there) has its agent change a file in one iteration and add one in the next; the chips say what each
 * changed and how the check went, and the finished task folds into Recent. On the task page the person opens
 * the first iteration's diff, steps to the next iteration and back, opens the whole task's diff, and merges the
 * branch; the page then says it was merged. Session ids stay on one line throughout.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, type Locator, test } from '@playwright/test';
import type { Script } from '../test/support/scripted-anthropic-server';
import { usageFor } from '../test/support/scripts';
import { batonCli, type BrowserMode, startBrowserMode } from './support/browser-mode';
import { unfoldMoreOptions } from './support/launch-form';
import { shoot } from './support/screenshots';

let baton: BrowserMode;

const ORIGINAL = 'const greeting = "hello";\nconsole.log(greeting);\n';
const CHANGED = 'const greeting = "hello from the agent";\nconsole.log(greeting);\n';
const FAREWELL = 'export const farewell = "goodbye";\n';

/** The directory the agent runs in, as the CLI tells the model in its system prompt. */
function workingDirectory(body: unknown): string | null {
  const text = JSON.stringify(body);
  const match = /(?:Primary working directory|Working directory): ([^\s"\\]+)/.exec(text);
  return match?.[1] ?? null;
}

/**
 * Iteration 1 reads greeting.js in the agent's own directory (the worktree), then rewrites it (the CLI refuses
 * to overwrite a file it has not read), and says there is more to do; iteration 2 adds farewell.js and reports
 * done.
 */
const script: Script = ({ sessionOrdinal, turnInSession, body }) => {
  const usage = usageFor(sessionOrdinal, turnInSession);
  const cwd = workingDirectory(body);
  if (turnInSession <= 2 && !cwd) return { usage, text: 'No working directory in the system prompt.' };
  if (sessionOrdinal >= 2) {
    if (turnInSession === 1) {
      const file = path.join(cwd ?? '', 'farewell.js');
      return { usage, toolUse: { name: 'Write', input: { file_path: file, content: FAREWELL } } };
    }
    return { usage, text: 'Added the farewell.\nBATON_TASK_COMPLETE' };
  }
  const file = path.join(cwd ?? '', 'greeting.js');
  if (turnInSession === 1) return { usage, toolUse: { name: 'Read', input: { file_path: file } } };
  if (turnInSession === 2) return { usage, toolUse: { name: 'Write', input: { file_path: file, content: CHANGED } } };
  return { usage, text: 'Changed the greeting; the farewell is next.' };
};

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

test.beforeAll(async () => {
  baton = await startBrowserMode(script);
  // The project is a git repository with one commit.
  git(baton.project, 'init', '-q', '-b', 'main');
  git(baton.project, 'config', 'user.name', 'Baton E2E');
  git(baton.project, 'config', 'user.email', 'e2e@baton.invalid');
  writeFileSync(path.join(baton.project, 'greeting.js'), ORIGINAL);
  git(baton.project, 'add', 'greeting.js');
  git(baton.project, 'commit', '-q', '-m', 'The greeting');
});
test.afterAll(async () => {
  await baton?.stop();
});

interface TaskJson {
  status: string;
  statusReason: string | null;
  worktree: { path: string; branch: string; state: string } | null;
  sessions: Array<{ git: { filesChanged: number; insertions: number; deletions: number } | null }>;
}

/** Every element the locator finds is one line high (an id cut with an ellipsis, never wrapped), and holds its text whole in its title. */
async function expectOneLine(ids: Locator): Promise<void> {
  const boxes = await ids.evaluateAll((elements) =>
    elements.map((el) => {
      const style = getComputedStyle(el);
      return {
        text: el.textContent,
        title: el.getAttribute('title'),
        height: el.getBoundingClientRect().height,
        // 'normal' line height: about 1.2 times the font size.
        line: Number.parseFloat(style.lineHeight) || Number.parseFloat(style.fontSize) * 1.2,
      };
    }),
  );
  expect(boxes.length).toBeGreaterThan(0);
  for (const box of boxes) {
    expect(box.height, `${box.text} is one line`).toBeLessThan(box.line * 1.5);
    expect(box.title).toBe(box.text);
  }
}

async function taskJson(id: string): Promise<TaskJson> {
  const { stdout } = await batonCli(['task', id, '--json', '--db', baton.db], baton.env);
  return JSON.parse(stdout.trim()) as TaskJson;
}

test("launch in a git repository, open an iteration's diff, step to the next, open the whole task's, merge", async ({
  page,
}, testInfo) => {
  await page.setViewportSize({ width: 1024, height: 900 });
  await page.goto(baton.url);
  const toggle = page.getByRole('button', { name: 'New task' });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();

  // The form finds the repository and offers a worktree, on by default.
  await page.getByLabel('Project directory').fill(baton.project);
  await unfoldMoreOptions(page);
  const worktree = page.getByLabel('Run in a git worktree');
  await expect(worktree).toBeEnabled({ timeout: 15_000 });
  await expect(worktree).toBeChecked();
  await expect(page.getByTestId('worktree-hint')).toContainText('branch main');
  await page.getByLabel('Prompt').fill('JOURNEY-DIFF: change the greeting');
  await page.getByLabel('Model').fill('claude-sonnet-4-5');
  await page.getByLabel('Max iterations').fill('2');
  // Done only once both iterations' changes are there: the first iteration's check fails, the second's passes.
  await page.getByLabel('Completion check').fill('grep -q "from the agent" greeting.js && test -f farewell.js');
  await page.getByRole('button', { name: 'Launch' }).click();
  const card = page.locator('[data-testid="live-task"]', { hasText: 'JOURNEY-DIFF' }).first();
  await expect(card).toBeVisible();
  const taskId = (await card.getAttribute('data-task-id')) as string;

  await expect.poll(async () => (await taskJson(taskId)).status, { timeout: 90_000 }).toBe('completed');
  // Finished, it folds into Recent: its row first, its card unfolded under it, whose chip says what the
  // iteration changed and that the check passed.
  const row = page.locator(`[data-testid="recent-task"][data-task-id="${taskId}"]`);
  await expect(row.getByRole('button', { name: /Fold the iterations of/ })).toHaveAttribute('aria-expanded', 'true');
  const finishedCard = page.locator(`.recent-card-row [data-testid="live-task"][data-task-id="${taskId}"]`);
  const chips = finishedCard.getByTestId('iteration');
  await expect(chips).toHaveCount(2);
  await expect(chips.first().getByTestId('iteration-changes')).toHaveText('1 file +1 −1');
  await expect(chips.first().getByTestId('iteration-check')).toHaveText('check failed (exit 1)');
  await expect(chips.last().getByTestId('iteration-check')).toHaveText('check passed');
  await expect(page.getByRole('heading', { name: 'Just finished' })).toHaveCount(0);
  await expectOneLine(finishedCard.locator('.session-id'));
  await shoot(page, testInfo, 'tasks-finished');
  const done = await taskJson(taskId);
  expect(done.worktree?.state).toBe('active');
  expect(done.sessions[0]?.git).toMatchObject({ filesChanged: 1, insertions: 1, deletions: 1 });
  expect(done.sessions[1]?.git).toMatchObject({ filesChanged: 1, insertions: 1, deletions: 0 });
  // The agent worked in the worktree: the person's checkout is as it was.
  expect(readFileSync(path.join(baton.project, 'greeting.js'), 'utf8')).toBe(ORIGINAL);

  // The task page shows the model that ran, the change beside the iteration's cost, and its diff on a click.
  await page.goto(`${new URL(baton.url).origin}/#/tasks/${taskId}`);
  const sessionRow = page.getByTestId('session-row').first();
  await expect(sessionRow.getByTestId('changes-cell')).toContainText('greeting.js');
  await expect(page.getByTestId('task-models')).toHaveText('claude-sonnet-4-5');
  // At 1024 px every id on the page stays on one line: the task's, and the sessions table's.
  await expectOneLine(page.locator('.task-facts .session-id'));
  await expectOneLine(sessionRow.locator('.session-id'));
  await expect(page.getByTestId('chart-iteration-changes')).toBeVisible();
  await expect(page.locator('.chart-loading')).toHaveCount(0);
  await shoot(page, testInfo, 'task-detail-finished');
  await sessionRow.getByRole('button', { name: /Diff of 1 file/ }).click();
  const panel = page.getByTestId('diff-panel');
  await expect(panel).toBeVisible();
  const file = panel.locator('[data-testid="diff-file"][data-path="greeting.js"]');
  await expect(file.getByTestId('diff-body')).toContainText('hello from the agent', { timeout: 15_000 });
  await expect(file.getByTestId('diff-body')).toContainText('const greeting = "hello";');
  // Highlighted as JavaScript.
  await expect(file.locator('.hljs-keyword').first()).toHaveText('const');
  await expect(panel.getByRole('button', { name: 'Previous iteration' })).toBeDisabled();
  await shoot(page, testInfo, 'iteration-diff');

  // Next shows iteration 2: the file it added; "[" goes back to iteration 1.
  await panel.getByRole('button', { name: 'Next iteration' }).click();
  await expect(panel).toHaveAttribute('aria-label', 'Changes of iteration 2');
  const added = panel.locator('[data-testid="diff-file"][data-path="farewell.js"]');
  await expect(added.getByTestId('diff-body')).toContainText('export const farewell', { timeout: 15_000 });
  await expect(panel.getByRole('button', { name: 'Next iteration' })).toBeDisabled();
  await page.keyboard.press('[');
  await expect(panel).toHaveAttribute('aria-label', 'Changes of iteration 1');
  await page.keyboard.press(']');
  await expect(panel).toHaveAttribute('aria-label', 'Changes of iteration 2');

  // The whole task: what the branch changed, both files, each header a button that folds its file.
  await panel.getByLabel('Show the changes of').selectOption({ label: 'Whole task' });
  await expect(panel).toHaveAttribute('aria-label', 'Changes of the whole task');
  await expect(panel.getByTestId('diff-scope')).toContainText(`What branch ${done.worktree?.branch} changed`);
  await expect(panel.getByTestId('diff-figures')).toHaveText('2 files changed, +2 −1', { timeout: 15_000 });
  await expect(panel.getByTestId('diff-file')).toHaveCount(2);
  // A change this small opens whole: nothing is left for Expand all.
  await expect(panel.getByRole('button', { name: 'Expand all' })).toBeDisabled();
  for (const [name, text] of [
    ['greeting.js', 'hello from the agent'],
    ['farewell.js', 'export const farewell'],
  ] as const) {
    const whole = panel.locator(`[data-testid="diff-file"][data-path="${name}"]`);
    await expect(whole.getByRole('button').first()).toHaveAttribute('aria-expanded', 'true');
    await expect(whole.getByTestId('diff-body')).toContainText(text, { timeout: 15_000 });
  }
  await expect(panel.locator('[data-path="farewell.js"] .diff-kind')).toHaveText('new');
  await panel.locator('[data-path="greeting.js"]').getByRole('button').first().hover();
  await shoot(page, testInfo, 'task-diff');
  await panel.getByRole('button', { name: 'Collapse all' }).click();
  await expect(panel.locator('[data-testid="diff-file"][data-open="true"]')).toHaveCount(0);
  // A header is a button from the keyboard too.
  const greetingHeader = panel.locator('[data-path="greeting.js"]').getByRole('button').first();
  await greetingHeader.focus();
  await page.keyboard.press('Enter');
  await expect(greetingHeader).toHaveAttribute('aria-expanded', 'true');
  await page.keyboard.press('Space');
  await expect(greetingHeader).toHaveAttribute('aria-expanded', 'false');
  await panel.getByRole('button', { name: 'Close changes' }).click();
  // So does the replay's header.
  await sessionRow.getByRole('button', { name: 'Replay' }).click();
  await expectOneLine(page.getByTestId('replay-panel').locator('.session-id'));
  await page.getByRole('button', { name: 'Close replay' }).click();

  // Merging from the page brings the change into the person's branch.
  const worktreePanel = page.getByTestId('worktree-panel');
  await expect(worktreePanel.getByTestId('worktree-state')).toHaveAttribute('data-value', 'active');
  await worktreePanel.getByRole('button', { name: 'Merge' }).click();
  await expect(worktreePanel.getByTestId('worktree-outcome')).toBeVisible({ timeout: 30_000 });
  await expect(worktreePanel.getByTestId('worktree-state')).toHaveAttribute('data-value', 'merged', {
    timeout: 10_000,
  });
  await expect(worktreePanel.getByTestId('worktree-state')).toContainText('Merged into main on ');
  await expect(worktreePanel.getByRole('button')).toHaveCount(0);
  expect(readFileSync(path.join(baton.project, 'greeting.js'), 'utf8')).toBe(CHANGED);
  expect(readFileSync(path.join(baton.project, 'farewell.js'), 'utf8')).toBe(FAREWELL);
  expect(git(baton.project, 'status', '--porcelain')).toBe('');
  await shoot(page, testInfo, 'task-detail-merged');
});
