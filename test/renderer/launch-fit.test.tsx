/** A launch form that fits its agent: essentials first, defaults and fields by agent, and what follows a launch. */
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TaskDefaults } from '../../src-main/contract/views';
import { createServices, ServicesProvider } from '../../src-renderer/app/services';
import { LiveView } from '../../src-renderer/components/LiveView';
import { MORE_OPTIONS_KEY } from '../../src-renderer/stores/launch-store';
import { FakeTransport, memoryStorage, spec, summary } from './fixtures';
import { clickLaunch, renderLaunchForm, typeInto, unfold } from './launch-form-harness';

let stop: (() => void) | null = null;
afterEach(() => {
  stop?.();
  stop = null;
  cleanup();
  vi.restoreAllMocks();
});

const plainDir = { exists: true, gitRepository: false, hasCommits: false, branch: null, gitProblem: null };
/** A service whose settings hold `taskDefaults` and which queues every launch as `launched`. */
const service =
  (taskDefaults: unknown = {}, launched = summary({ id: 'new-1', title: 'Fix it' })) =>
  async (method: string) => {
    if (method === 'getSettings') return { taskDefaults, dailyBudgetUsd: null, maxConcurrentTasks: 2 };
    if (method === 'getDirectoryInfo') return plainDir;
    if (method === 'launchTask') return launched;
    return method === 'listProjects' ? [] : null;
  };
const value = (label: string) => (screen.getByLabelText(label) as HTMLInputElement).value;
const moreOptions = () => screen.getByRole('button', { name: 'More options' });

describe('the folded launch form', () => {
  it('shows the essentials first and folds the rest away, saying in a line what they hold', () => {
    renderLaunchForm(service());
    for (const label of ['Project directory', 'Prompt', 'Agent', 'Model', 'Completion check', 'Max iterations']) {
      expect(screen.getByLabelText(label)).toBeTruthy();
    }
    expect(moreOptions().getAttribute('aria-expanded')).toBe('false');
    for (const label of ['Permission mode', 'Context', 'Budget (USD)', 'Title', 'Stall after', 'Max turns']) {
      expect(screen.queryByLabelText(label)).toBeNull();
    }
    expect(screen.getByTestId('more-options-summary').textContent).toBe('acceptEdits');
  });

  it('remembers whether it is unfolded, for the next window', () => {
    const storage = memoryStorage();
    renderLaunchForm(service(), false, storage);
    unfold();
    expect(moreOptions().getAttribute('aria-expanded')).toBe('true');
    expect(screen.getByLabelText('Permission mode')).toBeTruthy();
    expect(screen.queryByTestId('more-options-summary')).toBeNull();
    expect(storage.data.get(MORE_OPTIONS_KEY)).toBe('true');
    cleanup();

    renderLaunchForm(service(), false, storage);
    expect(moreOptions().getAttribute('aria-expanded')).toBe('true');
    fireEvent.click(moreOptions());
    expect(storage.data.get(MORE_OPTIONS_KEY)).toBe('false');
    cleanup();
    renderLaunchForm(service(), false, storage);
    expect(moreOptions().getAttribute('aria-expanded')).toBe('false');
  });

  it('keeps what was typed in a folded field, and names it in the summary', async () => {
    const { launches } = renderLaunchForm(service());
    unfold();
    typeInto('Budget (USD)', '2');
    typeInto('Title', 'Green');
    fireEvent.click(moreOptions());
    expect(screen.getByTestId('more-options-summary').textContent).toBe('acceptEdits · budget $2 · titled “Green”');
    typeInto('Project directory', '/work/demo');
    typeInto('Prompt', 'Fix it');
    await clickLaunch();
    expect(launches()[0]!.input).toMatchObject({ budgetUsd: 2, title: 'Green' });
  });
});

describe('defaults by agent', () => {
  const defaults: TaskDefaults = {
    claude: { model: 'claude-opus-4-5', maxIterations: 8 },
    codex: { model: 'gpt-5.5', permissionMode: 'bypassPermissions', maxIterations: 2, budgetUsd: 1.5 },
  };

  it('start the form with the chosen agent’s defaults, and switch with the agent', async () => {
    renderLaunchForm(service(defaults));
    await waitFor(() => expect(value('Model')).toBe('claude-opus-4-5'));
    expect(value('Max iterations')).toBe('8');
    fireEvent.change(screen.getByLabelText('Agent'), { target: { value: 'codex' } });
    expect(value('Model')).toBe('gpt-5.5');
    expect(value('Max iterations')).toBe('2');
    // Folded, the line says what the agent's defaults chose there.
    expect(screen.getByTestId('more-options-summary').textContent).toBe('bypassPermissions · budget $1.5');
    unfold();
    expect(value('Permission mode (Codex sandbox)')).toBe('bypassPermissions');
    expect(value('Budget (USD)')).toBe('1.5');
    // Gemini has none of its own: the plain defaults.
    fireEvent.change(screen.getByLabelText('Agent'), { target: { value: 'gemini' } });
    expect(value('Model')).toBe('');
    expect(value('Max iterations')).toBe('5');
    expect(value('Permission mode (Gemini approval mode)')).toBe('acceptEdits');
    expect(value('Budget (USD)')).toBe('');
  });

  it('leave what the user set alone when the agent changes', async () => {
    renderLaunchForm(service(defaults));
    await waitFor(() => expect(value('Model')).toBe('claude-opus-4-5'));
    typeInto('Max iterations', '12');
    fireEvent.change(screen.getByLabelText('Agent'), { target: { value: 'codex' } });
    expect(value('Max iterations')).toBe('12');
    expect(value('Model')).toBe('gpt-5.5');
  });

  it('read an older service’s single set of defaults as Claude Code’s', async () => {
    renderLaunchForm(service({ model: 'claude-haiku-4-5', maxIterations: 9 }));
    await waitFor(() => expect(value('Model')).toBe('claude-haiku-4-5'));
    expect(value('Max iterations')).toBe('9');
    fireEvent.change(screen.getByLabelText('Agent'), { target: { value: 'codex' } });
    expect(value('Max iterations')).toBe('5');
  });
});

describe('fields by agent', () => {
  it('hide what Codex and Gemini take no notice of; what was typed there neither blocks nor is sent', async () => {
    const { launches } = renderLaunchForm(service());
    unfold();
    expect(screen.getByLabelText('Max turns')).toBeTruthy();
    expect(screen.getByLabelText('Allowed tools')).toBeTruthy();
    typeInto('Max turns', 'many');
    typeInto('Allowed tools', 'Edit');
    for (const agent of ['codex', 'gemini']) {
      fireEvent.change(screen.getByLabelText('Agent'), { target: { value: agent } });
      expect(screen.queryByLabelText('Max turns')).toBeNull();
      expect(screen.queryByLabelText('Allowed tools')).toBeNull();
    }
    typeInto('Project directory', '/work/demo');
    typeInto('Prompt', 'Fix it');
    await clickLaunch();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(launches()).toHaveLength(1);
    expect(launches()[0]!.input).not.toHaveProperty('maxTurns');
    expect(launches()[0]!.input).not.toHaveProperty('allowedTools');
    // Back to Claude Code, they show again, as typed.
    fireEvent.change(screen.getByLabelText('Agent'), { target: { value: 'claude' } });
    expect(value('Max turns')).toBe('many');
  });
});

describe('after a launch', () => {
  it('says what was queued until the form is edited, and says nothing of it after a launch refused', async () => {
    let refuse = false;
    const { services } = renderLaunchForm(async (method) => {
      if (method === 'launchTask' && refuse) throw new Error('the database is locked');
      return service()(method);
    });
    typeInto('Project directory', '/work/demo');
    typeInto('Prompt', 'Fix it');
    await clickLaunch();
    expect(screen.getByTestId('launch-status').textContent).toBe('Queued “Fix it”');
    typeInto('Prompt', 'Next');
    expect(screen.queryByTestId('launch-status')).toBeNull();

    await clickLaunch();
    expect(screen.getByTestId('launch-status').textContent).toBe('Queued “Fix it”');
    refuse = true;
    // Set without an edit event, so the line still stands when the refused launch starts.
    services.launch.getState().form.setValue('prompt', 'Again');
    await act(async () => {
      fireEvent.keyDown(screen.getByLabelText('Prompt'), { key: 'Enter', ctrlKey: true });
    });
    expect(screen.queryByTestId('launch-status')).toBeNull();
    expect(screen.getByRole('alert').textContent).toBe('the database is locked');
  });

  it('scrolls the page to the new task’s card once it shows, and the status line goes', async () => {
    const scrolled: Element[] = [];
    vi.spyOn(Element.prototype, 'scrollIntoView').mockImplementation(function (this: Element) {
      scrolled.push(this);
    });
    const launched = summary({ id: 'new-1', title: 'Fix it', spec: spec({ prompt: 'Fix it' }) });
    const transport = new FakeTransport(async (method) => {
      if (method === 'getLiveState') return { tasks: [], currentEvents: {} };
      if (method === 'listTasks') return { tasks: [], total: 0 };
      return service({}, launched)(method);
    });
    const services = createServices(transport, memoryStorage());
    stop = services.start();
    render(
      <ServicesProvider value={services}>
        <LiveView canPickDirectory={false} notify={false} />
      </ServicesProvider>,
    );
    await screen.findByText(/No running tasks/);
    typeInto('Project directory', '/work/demo');
    typeInto('Prompt', 'Fix it');
    await clickLaunch();
    expect(scrolled).toEqual([]);
    await act(async () => {
      transport.emit({ type: 'task.queued', taskId: 'new-1', task: launched });
      await new Promise((r) => setTimeout(r, 5));
    });
    const card = document.querySelector('[data-testid="live-task"][data-task-id="new-1"]');
    expect(card).toBeTruthy();
    expect(scrolled).toEqual([card]);
    expect(services.launch.getState().lastLaunched).toBeNull();
    // With a task running the form folded away; opened again, it says nothing of the last launch.
    fireEvent.click(screen.getByRole('button', { name: 'New task' }));
    expect(screen.getByLabelText('Prompt')).toBeTruthy();
    expect(screen.queryByTestId('launch-status')).toBeNull();
  });
});
