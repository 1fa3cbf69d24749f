/** The changes panel: an iteration's files and diffs, the whole task's, and stepping between them. */
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { SessionView, TaskDetail } from '../../src-main/contract/views';
import { opensWhole } from '../../src-renderer/components/DiffFiles';
import { ShortcutsHelp } from '../../src-renderer/components/ShortcutsHelp';
import { BatonCallError } from '../../src-renderer/errors';
import { diffStepFor } from '../../src-renderer/keyboard';
import { formatBytes, patchFiles, splitPatch } from '../../src-renderer/patch';
import { APP_PATCH, gitChange, NEW_FILE_PATCH, session, worktree } from './fixtures';
import { measureTextInHappyDom, oneIteration, rowOf, show, task } from './task-page-harness';

measureTextInHappyDom();

const diffOf = (patch: string, more: { truncated?: boolean; totalBytes?: number } = {}) => ({
  patch,
  truncated: false,
  totalBytes: patch.length,
  ...more,
});

/** Opens iteration `n`'s changes from its row, and returns the panel. */
async function openChanges(iteration: number): Promise<HTMLElement> {
  fireEvent.click(within(await rowOf(iteration)).getByRole('button', { name: 'Diff' }));
  return screen.getByTestId('diff-panel');
}

/** A file's header: the first button of its section (its name is the path, split in two by the dimmed folder). */
const headerOf = (panel: HTMLElement, path: string) =>
  within(panel.querySelector(`[data-testid="diff-file"][data-path="${path}"]`) as HTMLElement).getAllByRole(
    'button',
  )[0]!;
const expanded = (panel: HTMLElement) =>
  within(panel)
    .getAllByTestId('diff-file')
    .map((f) => within(f).getAllByRole('button')[0]!.getAttribute('aria-expanded'));

describe("an iteration's diff", () => {
  it('lists the files and loads a file diff only when it is opened', async () => {
    const { calls } = show(task(), { getDiff: async () => ({ patch: APP_PATCH, truncated: false, totalBytes: 200 }) });
    fireEvent.click(within(await rowOf(1)).getByRole('button', { name: /Diff of 2 files/ }));
    const panel = screen.getByTestId('diff-panel');
    expect(panel.getAttribute('aria-label')).toBe('Changes of iteration 1');
    expect(
      within(panel)
        .getAllByTestId('diff-file')
        .map((f) => f.getAttribute('data-path')),
    ).toEqual(['src/app.ts', 'README.md']);
    // Nothing is fetched for files nobody opened.
    expect(calls('getDiff')).toEqual([]);

    const file = within(panel).getAllByTestId('diff-file')[0]!;
    const header = headerOf(panel, 'src/app.ts');
    expect(header.getAttribute('aria-expanded')).toBe('false');
    await act(async () => {
      fireEvent.click(header);
    });
    expect(header.getAttribute('aria-expanded')).toBe('true');
    await waitFor(() => expect(calls('getDiff')).toEqual([{ taskId: 'task-9', iteration: 1, path: 'src/app.ts' }]));
    const body = await within(file).findByTestId('diff-body', {}, { timeout: 5000 });
    await waitFor(() => expect(body.textContent).toContain("export const greeting = 'hello';"));
    // Highlighted by the language of the file's name.
    expect(body.querySelector('.hljs-keyword')?.textContent).toBe('const');
    expect(within(file).queryByTestId('diff-truncated')).toBeNull();
    // Closing it and opening again asks no second time.
    fireEvent.click(header);
    expect(header.getAttribute('aria-expanded')).toBe('false');
    expect(document.getElementById(header.getAttribute('aria-controls')!)?.hidden).toBe(true);
    fireEvent.click(header);
    expect(calls('getDiff')).toHaveLength(1);
  });

  it("opens an iteration's only file at once, from the row's Diff button", async () => {
    const { calls } = show(task(), { getDiff: async () => ({ patch: APP_PATCH, truncated: false, totalBytes: 200 }) });
    fireEvent.click(within(await rowOf(2)).getByRole('button', { name: 'Diff' }));
    const panel = screen.getByTestId('diff-panel');
    expect(panel.textContent).toContain('1 file changed, +4 −1');
    await within(panel).findByTestId('diff-body', {}, { timeout: 5000 });
    expect(calls('getDiff')).toEqual([{ taskId: 'task-9', iteration: 2, path: 'src/app.ts' }]);
    fireEvent.click(within(panel).getByRole('button', { name: 'Close changes' }));
    expect(screen.queryByTestId('diff-panel')).toBeNull();
  });

  it('cuts a very large diff short and says how big the whole was', async () => {
    show(task(), { getDiff: async () => ({ patch: APP_PATCH, truncated: true, totalBytes: 3 * 1024 * 1024 }) });
    fireEvent.click(within(await rowOf(2)).getByRole('button', { name: 'Diff' }));
    const notice = await screen.findByTestId('diff-truncated');
    expect(notice.textContent).toBe(
      `This diff is 3 MB, too large to show whole: only its first ${formatBytes(APP_PATCH.length)} are shown. ` +
        "baton diff task-9 --iteration 2 prints the iteration's whole diff.",
    );
    await screen.findByTestId('diff-body', {}, { timeout: 5000 });
  });

  it('shows the error when the diff cannot be had, with a retry', async () => {
    let fail = true;
    show(task(), {
      getDiff: async () => {
        if (fail) throw new BatonCallError('not_found', 'the snapshot after iteration 2 is gone');
        return { patch: APP_PATCH, truncated: false, totalBytes: 200 };
      },
    });
    fireEvent.click(within(await rowOf(2)).getByRole('button', { name: 'Diff' }));
    expect(await screen.findByText('the snapshot after iteration 2 is gone')).toBeTruthy();
    fail = false;
    fireEvent.click(screen.getByRole('button', { name: /Retry/ }));
    await screen.findByTestId('diff-body', {}, { timeout: 5000 });
  });

  it('says a binary file has no lines to show', async () => {
    show(
      oneIteration({
        git: gitChange({
          filesChanged: 1,
          files: [{ path: 'logo.png', insertions: 0, deletions: 0, binary: true }],
        }),
      }),
      {
        getDiff: async () => ({
          patch: 'diff --git a/logo.png b/logo.png\nindex 1..2 100644\nBinary files a/logo.png and b/logo.png differ\n',
          truncated: false,
          totalBytes: 90,
        }),
      },
    );
    fireEvent.click(within(await rowOf(1)).getByRole('button', { name: 'Diff' }));
    expect((await screen.findByTestId('diff-no-lines')).textContent).toBe('A binary file: no lines to show.');
  });

  it('shows the files past those listed from the whole diff, without repeating the listed ones', async () => {
    const other = APP_PATCH.replaceAll('src/app.ts', 'src/other.ts');
    const { calls } = show(
      oneIteration({
        git: gitChange({
          filesChanged: 2,
          files: [{ path: 'src/app.ts', insertions: 2, deletions: 1, binary: false }],
        }),
      }),
      { getDiff: async () => ({ patch: APP_PATCH + other, truncated: false, totalBytes: 400 }) },
    );
    fireEvent.click(within(await rowOf(1)).getByRole('button', { name: 'Diff' }));
    const panel = screen.getByTestId('diff-panel');
    expect(panel.textContent).toContain('And 1 more file.');
    fireEvent.click(within(panel).getByRole('button', { name: 'Show the whole diff' }));
    await waitFor(() => expect(calls('getDiff')).toContainEqual({ taskId: 'task-9', iteration: 1 }));
    await waitFor(() => expect(panel.textContent).toContain('src/other.ts'));
    expect(
      within(panel)
        .getAllByTestId('diff-file')
        .map((f) => f.getAttribute('data-path')),
    ).toEqual(['src/app.ts', 'src/other.ts']);
  });
});

describe("a file's header", () => {
  it('is a button with a chevron, that says whether the file is open and which body it folds', async () => {
    show(task(), { getDiff: async () => diffOf(APP_PATCH) });
    const panel = await openChanges(1);
    const header = headerOf(panel, 'src/app.ts');
    expect(header.tagName).toBe('BUTTON');
    expect(header.getAttribute('type')).toBe('button');
    expect(header.querySelector('.diff-chevron')?.getAttribute('aria-hidden')).toBe('true');
    // The folder is dimmed apart from the file's own name; the counts are in the header too.
    expect(header.querySelector('.diff-dir')?.textContent).toBe('src/');
    expect(header.textContent).toContain('+10 −3');
    const body = document.getElementById(header.getAttribute('aria-controls')!)!;
    expect(body.hidden).toBe(true);
    await act(async () => {
      fireEvent.click(header);
    });
    expect(header.getAttribute('aria-expanded')).toBe('true');
    expect(body.hidden).toBe(false);
    expect(body.closest('[data-testid="diff-file"]')?.getAttribute('data-open')).toBe('true');
  });
});

describe('Expand all and Collapse all', () => {
  it('open every file, asking for each diff, and fold them all again', async () => {
    const { calls } = show(task(), { getDiff: async () => diffOf(APP_PATCH) });
    const panel = await openChanges(1);
    expect(within(panel).getByTestId('diff-open-count').textContent).toBe('0 of 2 files open');
    const collapse = within(panel).getByRole('button', { name: 'Collapse all' }) as HTMLButtonElement;
    const expand = within(panel).getByRole('button', { name: 'Expand all' }) as HTMLButtonElement;
    expect(collapse.disabled).toBe(true);

    await act(async () => {
      fireEvent.click(expand);
    });
    expect(expanded(panel)).toEqual(['true', 'true']);
    expect(within(panel).getByTestId('diff-open-count').textContent).toBe('2 of 2 files open');
    expect(expand.disabled).toBe(true);
    await waitFor(() =>
      expect(calls('getDiff')).toEqual([
        { taskId: 'task-9', iteration: 1, path: 'src/app.ts' },
        { taskId: 'task-9', iteration: 1, path: 'README.md' },
      ]),
    );

    fireEvent.click(collapse);
    expect(expanded(panel)).toEqual(['false', 'false']);
    expect(collapse.disabled).toBe(true);
    expect(expand.disabled).toBe(false);
    // Opened once, a diff stays loaded: expanding again asks nothing more.
    fireEvent.click(expand);
    expect(calls('getDiff')).toHaveLength(2);
  });

  it('opens fifty files a press where each is asked for on its own, and says so', async () => {
    const files = Array.from({ length: 60 }, (_, i) => ({
      path: `src/f${String(i).padStart(2, '0')}.ts`,
      insertions: 1,
      deletions: 0,
      binary: false,
    }));
    const { calls } = show(
      oneIteration({ git: gitChange({ filesChanged: 60, insertions: 60, files }) }),
      // No lines to draw: the test is of what is asked for, not of drawing sixty diffs.
      { getDiff: async () => diffOf('diff --git a/x b/x\nBinary files a/x and b/x differ\n') },
    );
    const panel = await openChanges(1);
    expect(within(panel).getByTestId('diff-expand-limit').textContent).toBe(
      'Expand all opens 50 files at a time: press it again for the next.',
    );
    const expand = within(panel).getByRole('button', { name: 'Expand all' });
    await act(async () => {
      fireEvent.click(expand);
    });
    expect(expanded(panel).filter((e) => e === 'true')).toHaveLength(50);
    expect(expanded(panel)[49]).toBe('true');
    expect(expanded(panel)[50]).toBe('false');
    await waitFor(() => expect(calls('getDiff')).toHaveLength(50));
    await act(async () => {
      fireEvent.click(expand);
    });
    expect(expanded(panel).every((e) => e === 'true')).toBe(true);
    expect((expand as HTMLButtonElement).disabled).toBe(true);
  });

  it('are not offered for a single file, which opens at once', async () => {
    show(task(), { getDiff: async () => diffOf(APP_PATCH) });
    const panel = await openChanges(2);
    expect(within(panel).queryByRole('button', { name: 'Expand all' })).toBeNull();
    expect(expanded(panel)).toEqual(['true']);
  });
});

const threeIterations = (): TaskDetail => {
  const base = task();
  const third: SessionView = session({
    sessionId: 's-3',
    iteration: 3,
    git: gitChange({ filesChanged: 0, insertions: 0, deletions: 0, files: [] }),
  });
  return { ...base, iterations: 3, sessions: [...base.sessions, third] };
};

describe('previous and next iteration', () => {
  it('step through the iterations with the buttons and with [ and ], and stop at either end', async () => {
    show(threeIterations(), { getDiff: async () => diffOf(APP_PATCH) });
    const panel = await openChanges(1);
    const previous = within(panel).getByRole('button', { name: 'Previous iteration' }) as HTMLButtonElement;
    const next = within(panel).getByRole('button', { name: 'Next iteration' }) as HTMLButtonElement;
    expect(previous.disabled).toBe(true);
    expect(previous.getAttribute('aria-keyshortcuts')).toBe('[');

    fireEvent.click(next);
    expect(panel.getAttribute('aria-label')).toBe('Changes of iteration 2');
    expect(within(panel).getByTestId('diff-figures').textContent).toContain('1 file changed, +4 −1');
    expect(previous.disabled).toBe(false);

    fireEvent.keyDown(document.body, { key: ']' });
    expect(panel.getAttribute('aria-label')).toBe('Changes of iteration 3');
    expect(within(panel).getByTestId('diff-empty').textContent).toBe('This iteration changed no file.');
    expect(next.disabled).toBe(true);
    // At the last, "]" goes nowhere.
    fireEvent.keyDown(document.body, { key: ']' });
    expect(panel.getAttribute('aria-label')).toBe('Changes of iteration 3');

    fireEvent.keyDown(document.body, { key: '[' });
    fireEvent.keyDown(document.body, { key: '[' });
    expect(panel.getAttribute('aria-label')).toBe('Changes of iteration 1');
    // A new iteration starts as it opens, not as the last one was left.
    expect(expanded(panel)).toEqual(['false', 'false']);
  });

  it('show the new choice from its top', async () => {
    show(threeIterations(), { getDiff: async () => diffOf(APP_PATCH) });
    const panel = await openChanges(1);
    panel.scrollTop = 400;
    fireEvent.keyDown(document.body, { key: ']' });
    expect(panel.getAttribute('aria-label')).toBe('Changes of iteration 2');
    expect(panel.scrollTop).toBe(0);
  });

  it('follow the row whose Diff was pressed while the panel is open', async () => {
    show(threeIterations(), { getDiff: async () => diffOf(APP_PATCH) });
    const panel = await openChanges(1);
    fireEvent.keyDown(document.body, { key: ']' });
    fireEvent.click(within(await rowOf(1)).getByRole('button', { name: 'Diff' }));
    expect(panel.getAttribute('aria-label')).toBe('Changes of iteration 1');
  });

  it('offer every iteration and the whole task in one choice, each iteration with what it changed', async () => {
    show(threeIterations(), { getDiff: async () => diffOf(APP_PATCH) });
    const panel = await openChanges(2);
    const choice = within(panel).getByRole('combobox', { name: 'Show the changes of' }) as HTMLSelectElement;
    expect(choice.value).toBe('s-2');
    expect([...choice.options].map((o) => o.textContent)).toEqual([
      'Whole task',
      'Iteration 1 · 2 files, +12 −3',
      'Iteration 2 · 1 file, +4 −1',
      'Iteration 3 · no change',
    ]);
    fireEvent.change(choice, { target: { value: 's-1' } });
    expect(panel.getAttribute('aria-label')).toBe('Changes of iteration 1');
  });

  it('leave [ and ] to a field being typed in, and to keys with modifiers', () => {
    const base = { ctrlKey: false, metaKey: false, altKey: false };
    expect(diffStepFor({ ...base, key: '[', target: document.body })).toBe(-1);
    expect(diffStepFor({ ...base, key: ']', target: document.body })).toBe(1);
    expect(diffStepFor({ ...base, key: ']', target: document.createElement('select') })).toBe(1);
    expect(diffStepFor({ ...base, key: ']', target: document.createElement('input') })).toBeNull();
    expect(diffStepFor({ ...base, key: ']', target: document.createElement('textarea') })).toBeNull();
    expect(diffStepFor({ ...base, ctrlKey: true, key: ']', target: document.body })).toBeNull();
    expect(diffStepFor({ ...base, key: 'n', target: document.body })).toBeNull();
  });

  it('are listed in the shortcuts help', () => {
    render(<ShortcutsHelp onClose={() => {}} />);
    const help = screen.getByTestId('shortcuts-help');
    expect(within(help).getByText('[ / ]').closest('div')?.textContent).toContain('Previous or next iteration');
  });
});

describe('a change small enough to open whole', () => {
  const file = (lines: number, known = true) => ({
    path: `f${lines}`,
    binary: false,
    ...(known ? { insertions: lines, deletions: 0 } : {}),
  });
  it('is up to five files and 300 changed lines, each of known size', () => {
    expect(opensWhole([file(10), file(20)])).toBe(true);
    expect(opensWhole([file(150), file(150)])).toBe(true);
    expect(opensWhole([file(150), file(151)])).toBe(false);
    expect(opensWhole(Array.from({ length: 6 }, () => file(1)))).toBe(false);
    expect(opensWhole([file(1), file(1, false)])).toBe(false);
    expect(opensWhole([])).toBe(false);
  });
});

describe("the whole task's diff", () => {
  const whole = APP_PATCH + NEW_FILE_PATCH;

  it("shows what a worktree task's branch changed: its files read from the patch, in the same viewer", async () => {
    const { calls } = show(task({ worktree: worktree() }), { getDiff: async () => diffOf(whole) });
    const panel = await openChanges(2);
    fireEvent.change(within(panel).getByRole('combobox', { name: 'Show the changes of' }), {
      target: { value: 'task' },
    });
    expect(panel.getAttribute('aria-label')).toBe('Changes of the whole task');
    await waitFor(() => expect(calls('getDiff')).toContainEqual({ taskId: 'task-9' }));
    expect(within(panel).getByTestId('diff-scope').textContent).toBe(
      'What branch baton/task-1 changed since it was made from main at abcdef012345 (iterations 1–2).',
    );
    expect((await within(panel).findByTestId('diff-figures')).textContent).toBe('2 files changed, +4 −1');
    const files = within(panel).getAllByTestId('diff-file');
    expect(files.map((f) => f.getAttribute('data-path'))).toEqual(['src/app.ts', 'docs/notes.md']);
    expect(headerOf(panel, 'src/app.ts').textContent).toContain('+2 −1');
    const added = headerOf(panel, 'docs/notes.md');
    expect(added.querySelector('.diff-kind')?.textContent).toBe('new');
    expect(added.textContent).toContain('+2 −0');

    // A change this small opens whole, and the patch is in already: showing its files asks nothing more (past
    // iteration 2's only file, opened first).
    expect(files.map((f) => f.getAttribute('data-open'))).toEqual(['true', 'true']);
    expect(within(panel).getByTestId('diff-open-count').textContent).toBe('2 of 2 files open');
    const body = await within(files[1]!).findByTestId('diff-body', {}, { timeout: 5000 });
    await waitFor(() => expect(body.textContent).toContain('Written by the agent.'));
    expect(calls('getDiff')).toEqual([{ taskId: 'task-9', iteration: 2, path: 'src/app.ts' }, { taskId: 'task-9' }]);

    // From the whole task, Next goes to the first iteration; there is nothing before it.
    expect((within(panel).getByRole('button', { name: 'Previous iteration' }) as HTMLButtonElement).disabled).toBe(
      true,
    );
    fireEvent.keyDown(document.body, { key: ']' });
    expect(panel.getAttribute('aria-label')).toBe('Changes of iteration 1');
  });

  it('says a discarded branch is gone while still showing what it changed', async () => {
    show(task({ worktree: worktree({ state: 'discarded' }) }), { getDiff: async () => diffOf(whole) });
    const panel = await openChanges(2);
    fireEvent.change(within(panel).getByRole('combobox', { name: 'Show the changes of' }), {
      target: { value: 'task' },
    });
    expect((await within(panel).findByTestId('diff-scope')).textContent).toBe(
      'What branch baton/task-1, since discarded, changed since it was made from main at abcdef012345 (iterations 1–2).',
    );
  });

  it('says what the diff spans for a task without a worktree, and that a running iteration is not in yet', async () => {
    const base = task({ status: 'running', finishedAt: null });
    const running = session({
      sessionId: 's-3',
      iteration: 3,
      status: 'running',
      git: gitChange({ commitAfter: null }),
    });
    show({ ...base, sessions: [...base.sessions, running] }, { getDiff: async () => diffOf(APP_PATCH) });
    const panel = await openChanges(1);
    fireEvent.change(within(panel).getByRole('combobox', { name: 'Show the changes of' }), {
      target: { value: 'task' },
    });
    expect(within(panel).getByTestId('diff-scope').textContent).toBe(
      'What iterations 1–2 changed, from before the first to after the last. Iteration 3 is still running: its changes are not in yet.',
    );
    // Its only file opens at once.
    await within(panel).findByTestId('diff-body', {}, { timeout: 5000 });
  });

  it('past a cut, lists the files the iterations named, each asked for alone when opened', async () => {
    const { calls } = show(task(), {
      getDiff: async (input) => {
        if (input.path === undefined) return diffOf(whole, { truncated: true, totalBytes: 3 * 1024 * 1024 });
        // README.md ends as it began; docs/notes.md is a file too large to show whole.
        if (input.path === 'README.md') return diffOf('');
        return diffOf(NEW_FILE_PATCH, { truncated: true, totalBytes: 2 * 1024 * 1024 });
      },
    });
    const panel = await openChanges(1);
    fireEvent.change(within(panel).getByRole('combobox', { name: 'Show the changes of' }), {
      target: { value: 'task' },
    });
    const notice = await within(panel).findByTestId('diff-truncated');
    expect(notice.textContent).toBe(
      `The task's diff is 3 MB, too large to load at once: the files in its first ${formatBytes(whole.length)} ` +
        'show with their counts, the others load one by one as they are opened. baton diff task-9 prints all of it.',
    );
    // The file the cut fell in and the one past it (named by iteration 1) follow the whole one, without counts.
    expect(
      within(panel)
        .getAllByTestId('diff-file')
        .map((f) => f.getAttribute('data-path')),
    ).toEqual(['src/app.ts', 'README.md', 'docs/notes.md']);
    expect(within(panel).getByTestId('diff-figures').textContent).toBe('3 files changed');
    expect(headerOf(panel, 'src/app.ts').textContent).toContain('+2 −1');
    expect(headerOf(panel, 'README.md').querySelector('.change-counts')).toBeNull();

    await act(async () => {
      fireEvent.click(within(panel).getByRole('button', { name: 'Expand all' }));
    });
    await waitFor(() =>
      expect(calls('getDiff').slice(-2)).toEqual([
        { taskId: 'task-9', path: 'README.md' },
        { taskId: 'task-9', path: 'docs/notes.md' },
      ]),
    );
    const readme = panel.querySelector('[data-path="README.md"]') as HTMLElement;
    expect((await within(readme).findByTestId('diff-no-lines')).textContent).toBe(
      'No difference: the file ends as it began.',
    );
    const notes = panel.querySelector('[data-path="docs/notes.md"]') as HTMLElement;
    expect((await within(notes).findByTestId('diff-truncated')).textContent).toBe(
      `This diff is 2 MB, too large to show whole: only its first ${formatBytes(NEW_FILE_PATCH.length)} are shown. ` +
        'baton diff task-9 prints all of it.',
    );
    // The part held whole is drawn from the patch at hand, not asked for again.
    expect(calls('getDiff')).not.toContainEqual({ taskId: 'task-9', path: 'src/app.ts' });
    expect(
      within(panel.querySelector('[data-path="src/app.ts"]') as HTMLElement).queryByTestId('diff-truncated'),
    ).toBeNull();
  });

  it('says when the iterations changed nothing all together', async () => {
    show(task(), { getDiff: async () => diffOf('') });
    const panel = await openChanges(1);
    fireEvent.change(within(panel).getByRole('combobox', { name: 'Show the changes of' }), {
      target: { value: 'task' },
    });
    expect((await within(panel).findByTestId('diff-empty')).textContent).toBe(
      'All together the task changed no file: what one iteration changed, another undid.',
    );
    expect(within(panel).queryByTestId('diff-file')).toBeNull();
  });

  it('says why there is none yet, without asking, while the first iteration runs', async () => {
    const running = session({
      sessionId: 's-1',
      iteration: 1,
      status: 'running',
      git: gitChange({ commitAfter: null }),
    });
    const { calls } = show(task({ status: 'running', finishedAt: null, iterations: 1, sessions: [running] }));
    const panel = await openChanges(1);
    expect(within(panel).getByTestId('diff-empty').textContent).toBe(
      'The iteration is still running: its changes show when it ends.',
    );
    fireEvent.change(within(panel).getByRole('combobox', { name: 'Show the changes of' }), {
      target: { value: 'task' },
    });
    expect(within(panel).getByTestId('diff-empty').textContent).toBe(
      'The first iteration is still running: the task’s changes show when it ends.',
    );
    expect(calls('getDiff')).toEqual([]);
  });

  it('shows the error, with a retry, when the diff cannot be had', async () => {
    let fail = true;
    show(task(), {
      getDiff: async (input) => {
        if (fail && input.iteration === undefined) {
          throw new BatonCallError('invalid_input', 'git could not show the diff: bad object 2222222');
        }
        return diffOf(APP_PATCH);
      },
    });
    const panel = await openChanges(1);
    fireEvent.change(within(panel).getByRole('combobox', { name: 'Show the changes of' }), {
      target: { value: 'task' },
    });
    const error = await within(panel).findByTestId('error-state');
    expect(error.textContent).toContain('Could not load the task’s diff');
    expect(within(error).getByRole('alert').textContent).toBe('git could not show the diff: bad object 2222222');
    fail = false;
    fireEvent.click(within(error).getByRole('button', { name: 'Retry' }));
    await within(panel).findByTestId('diff-body', {}, { timeout: 5000 });
  });
});

describe('splitPatch, patchFiles and formatBytes', () => {
  it('splits a multi-file patch at each file header and names each file', () => {
    const parts = splitPatch(APP_PATCH + APP_PATCH.replaceAll('src/app.ts', 'docs/a b.md'));
    expect(parts.map((p) => p.path)).toEqual(['src/app.ts', 'docs/a b.md']);
    expect(parts[0]!.patch).toBe(APP_PATCH);
    expect(splitPatch('')).toEqual([]);
  });

  it('counts the lines each file gains and loses, past its header, and what happened to it', () => {
    const deleted =
      'diff --git a/old.txt b/old.txt\ndeleted file mode 100644\n--- a/old.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n--- a rule\n';
    const renamed = 'diff --git a/a.md b/b.md\nsimilarity index 100%\nrename from a.md\nrename to b.md\n';
    const binary =
      'diff --git a/logo.png b/logo.png\nindex 1..2 100644\nBinary files a/logo.png and b/logo.png differ\n';
    const files = patchFiles(APP_PATCH + NEW_FILE_PATCH + deleted + renamed + binary);
    expect(
      files.map(({ path, insertions, deletions, binary, kind }) => ({ path, insertions, deletions, binary, kind })),
    ).toEqual([
      { path: 'src/app.ts', insertions: 2, deletions: 1, binary: false, kind: 'modified' },
      { path: 'docs/notes.md', insertions: 2, deletions: 0, binary: false, kind: 'added' },
      // A removed line that reads "-- a rule" is a line, not a header.
      { path: 'old.txt', insertions: 0, deletions: 1, binary: false, kind: 'deleted' },
      { path: 'b.md', insertions: 0, deletions: 0, binary: false, kind: 'renamed' },
      { path: 'logo.png', insertions: 0, deletions: 0, binary: true, kind: 'modified' },
    ]);
  });

  it('prints sizes as people read them', () => {
    expect(formatBytes(900)).toBe('900 B');
    expect(formatBytes(12.5 * 1024)).toBe('12.5 KB');
    expect(formatBytes(512 * 1024)).toBe('512 KB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3 MB');
  });
});
