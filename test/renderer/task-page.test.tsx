import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TaskDetail } from '../../src-main/contract/views';
import { App } from '../../src-renderer/app/App';
import { createServices, ServicesProvider } from '../../src-renderer/app/services';
import { taskFromDetail } from '../../src-renderer/stores/live-store';
import { taskPage } from '../../src-renderer/stores/task-page';
import { detail, FakeTransport, session, summary, taskTotals as totals } from './fixtures';

const done = session({ sessionId: 's1', iteration: 1 });
const runningRow = session({ sessionId: 's2', iteration: 2, status: 'running', costUsd: 0 });

/** The task as getTask last answered: running its second iteration, after one that cost $0.10. */
const stored = detail({
  id: 't1',
  status: 'running',
  statusReason: null,
  iterations: 2,
  totals: totals(100, 0.1),
  durationMs: 4000,
  runner: { pid: 1, host: 'browser' },
  sessions: [done, runningRow],
});

/** The live store's copy: it has heard of more since. */
function heard(overrides: Partial<TaskDetail>, sessions = stored.sessions) {
  return taskFromDetail(summary({ ...stored, ...overrides }), sessions);
}

describe('the task page’s rule for its two sources', () => {
  it('is the stored task alone where the live store does not hold it', () => {
    const page = taskPage(stored, undefined);
    expect(page).toMatchObject({
      heard: null,
      status: 'running',
      active: true,
      totals: stored.totals,
      durationMs: 4000,
      runner: { pid: 1, host: 'browser' },
      liveSessions: [],
    });
  });

  it('takes the lifecycle and the moving figures of a running task from the live store', () => {
    const live = heard({
      status: 'waiting',
      statusReason: 'the 5-hour window is spent',
      wakeAt: 9_000,
      totals: totals(300, 0.3),
      durationMs: 9000,
      runner: { pid: 2, host: 'cli' },
    });
    const page = taskPage(stored, live);
    expect(page).toMatchObject({
      status: 'waiting',
      statusReason: 'the 5-hour window is spent',
      wakeAt: 9_000,
      active: true,
      totals: totals(300, 0.3),
      durationMs: 9000,
      runner: { pid: 2, host: 'cli' },
    });
    expect(page.liveSessions).toBe(live.sessions);
    // What does not move is the stored task's.
    expect(page.stored).toBe(stored);
  });

  it('says a task ended as soon as the live store hears it, and shows the stored figures of an ended task', () => {
    // The query has not answered again yet: its copy still runs.
    const live = heard({ status: 'completed', statusReason: 'check passed', totals: totals(999, 9.99) });
    const page = taskPage(stored, live);
    expect(page).toMatchObject({ status: 'completed', statusReason: 'check passed', active: false });
    expect(page.totals).toBe(stored.totals);
    expect(page.durationMs).toBe(4000);
    expect(page.liveSessions).toEqual([]);
  });

  it('keeps the stored reason where the live store has none', () => {
    const withReason = { ...stored, status: 'failed' as const, statusReason: 'the agent exited with 1' };
    const page = taskPage(withReason, heard({ status: 'failed', statusReason: null }));
    expect(page.statusReason).toBe('the agent exited with 1');
  });
});

describe('the task page', () => {
  afterEach(() => {
    cleanup();
    window.location.hash = '';
    vi.unstubAllGlobals();
  });
  beforeEach(() => {
    vi.stubGlobal('requestAnimationFrame', (fn: FrameRequestCallback) => setTimeout(() => fn(0), 0));
  });

  it('shows the end the live store heard of before getTask answers again, then the stored figures', async () => {
    window.location.hash = '#/tasks/t1';
    let answer: TaskDetail = stored;
    let release: () => void = () => {};
    const transport = new FakeTransport(async (method) => {
      switch (method) {
        case 'getAppInfo':
          return { mode: 'browser', version: '0.1.0', databaseFile: '/tmp/baton.db', canPickDirectory: false };
        case 'getLiveState':
          return { tasks: [stored], currentEvents: {} };
        case 'listTasks':
          return { tasks: [], total: 0 };
        case 'getSettings':
          return { taskDefaults: {}, dailyBudgetUsd: null, maxConcurrentTasks: 2 };
        case 'getTask': {
          const now = answer;
          // The second answer waits for the test.
          if (now !== stored) await new Promise<void>((r) => (release = r));
          return now;
        }
        default:
          throw new Error(`unexpected ${method}`);
      }
    });
    const services = createServices(transport, null);
    const stop = services.start();
    render(
      <ServicesProvider value={services}>
        <App />
      </ServicesProvider>,
    );
    await waitFor(() => expect(screen.getByTestId('task-status').textContent).toBe('running'));

    const ended = detail({
      ...stored,
      status: 'completed',
      statusReason: 'check passed',
      totals: totals(500, 0.5),
      sessions: [done, { ...runningRow, status: 'completed', costUsd: 0.4 }],
    });
    answer = ended;
    await act(async () => {
      transport.emit({ type: 'task.finished', taskId: 't1', status: 'completed', reason: 'check passed', task: ended });
      await new Promise((r) => setTimeout(r, 5));
    });
    // The live store has it; the page's stored copy is on its way.
    expect(screen.getByTestId('task-status').textContent).toBe('completed');
    expect(screen.getByTestId('total-cost').dataset.value).toBe('0.1');
    await act(async () => {
      release();
      await new Promise((r) => setTimeout(r, 5));
    });
    await waitFor(() => expect(screen.getByTestId('total-cost').dataset.value).toBe('0.5'));
    stop();
  });
});
