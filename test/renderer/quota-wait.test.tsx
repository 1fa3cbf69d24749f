import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatDate, WAIT_LABELS } from '../../src-main/contract/format';
import type { TaskSummary } from '../../src-main/contract/views';
import { createServices, ServicesProvider, type Services } from '../../src-renderer/app/services';
import { LiveTaskCard } from '../../src-renderer/components/LiveView';
import { RecentTable } from '../../src-renderer/components/RecentTable';
import { StatusBadge } from '../../src-renderer/components/Status';
import { createLiveStore, isActiveStatus, type LiveTask } from '../../src-renderer/stores/live-store';
import { fakeClient, FakeTransport, summary } from './fixtures';

const SID = 'aaaaaaaa-0000-4000-8000-000000000001';
const REASON = 'waiting: the 5-hour window is spent; it reopens at 2026-12-02 04:14';
let services: Services | null = null;

afterEach(() => {
  cleanup();
  services = null;
  vi.useRealTimers();
});

/**
 * The stylesheet's text. Vitest hands CSS modules to tests empty (even with ?raw), and this project's
 * renderer tests type-check without node's modules, so node's fs is taken at run time.
 */
const node = (
  globalThis as unknown as {
    process: { cwd(): string; getBuiltinModule(id: 'node:fs'): { readFileSync(p: string, e: 'utf8'): string } };
  }
).process;
// Vitest runs from the repository's root.
const styles = node.getBuiltinModule('node:fs').readFileSync(`${node.cwd()}/src-renderer/styles.css`, 'utf8');

/** A CSS custom property's light-scheme value, from the stylesheet's first :root block. */
function cssVar(name: string): string {
  const match = new RegExp(`${name}:\\s*([^;]+);`).exec(styles);
  if (!match) throw new Error(`no ${name} in styles.css`);
  return match[1]!.trim();
}

describe('the waiting status', () => {
  it('reads "Waiting for quota" in its own amber, not failed’s red nor running’s blue', () => {
    // Without knowing what for (a row of History), only that it waits.
    render(<StatusBadge status="waiting" testId="plain" />);
    expect(screen.getByTestId('plain').textContent).toBe('waiting');
    render(<StatusBadge status="waiting" label={WAIT_LABELS.quota} testId="badge" />);
    const badge = screen.getByTestId('badge');
    expect(badge.textContent).toBe('waiting for quota');
    expect(badge.className).toContain('status-waiting');
    expect(styles).toMatch(/\.badge\.status-waiting\s*\{[^}]*color:\s*var\(--waiting\)/);
    expect(styles).toMatch(/\.card\.status-waiting\s*\{[^}]*border-left-color:\s*var\(--waiting\)/);
    expect(cssVar('--waiting')).not.toBe(cssVar('--danger'));
    expect(cssVar('--waiting')).not.toBe(cssVar('--running'));
  });

  it('is live, not finished', () => {
    expect(isActiveStatus('waiting')).toBe(true);
    expect(isActiveStatus('interrupted')).toBe(false);
  });
});

/** A live store that has synced with a service running nothing. */
async function emptyLiveStore() {
  const store = createLiveStore(
    fakeClient({
      getLiveState: async () => ({ tasks: [], currentEvents: {}, feed: 'feed', seq: 0, tasksSeq: 0 }),
      listTasks: async () => ({ tasks: [], total: 0 }),
    }),
  );
  await store.getState().resync();
  return store;
}

describe('task.waiting in the live store', () => {
  it('shows the wait at once, keeps the task active, and task.started clears it', async () => {
    const store = await emptyLiveStore();
    store.getState().applyEvents([
      { type: 'task.queued', taskId: 't1', task: summary({ id: 't1' }) },
      { type: 'task.started', taskId: 't1' },
      { type: 'iteration.started', taskId: 't1', sessionId: SID, iteration: 1, maxIterations: 3 },
      { type: 'task.waiting', taskId: 't1', wakeAt: 1_800_000_000_000, reason: REASON },
    ]);
    let task = store.getState().tasks['t1']!;
    expect(task.status).toBe('waiting');
    expect(task.statusReason).toBe(REASON);
    expect(task.wakeAt).toBe(1_800_000_000_000);
    expect(task.summary).toMatchObject({ status: 'waiting', wakeAt: 1_800_000_000_000, statusReason: REASON });
    expect(store.getState().activeIds).toEqual(['t1']);
    expect(store.getState().recent).toEqual([]);

    store.getState().applyEvents([{ type: 'task.started', taskId: 't1' }]);
    task = store.getState().tasks['t1']!;
    expect(task.status).toBe('running');
    expect(task.statusReason).toBeNull();
    expect(task.wakeAt).toBeNull();
    expect(task.summary.wakeAt).toBeNull();
    expect(store.getState().activeIds).toEqual(['t1']);
  });

  it('keeps the reopening time of a task stopped at its window', async () => {
    const store = await emptyLiveStore();
    const reason = 'stopped (on quota: stop): the 5-hour window is spent';
    store.getState().applyEvents([
      { type: 'task.queued', taskId: 't1', task: summary({ id: 't1' }) },
      {
        type: 'task.finished',
        taskId: 't1',
        status: 'cancelled',
        reason,
        task: summary({ id: 't1', status: 'cancelled', statusReason: reason, wakeAt: 1_800_000_000_000 }),
      },
    ]);
    expect(store.getState().tasks['t1']).toMatchObject({ status: 'cancelled', wakeAt: 1_800_000_000_000 });
    expect(store.getState().activeIds).toEqual([]);
  });
});

function waitingCard(wakeAt: number): LiveTask {
  return {
    id: 'w1',
    summary: summary({ id: 'w1', status: 'waiting', statusReason: REASON, wakeAt }),
    status: 'waiting',
    statusReason: REASON,
    wakeAt,
    maxIterations: 3,
    sessions: [],
  };
}

describe('a waiting task’s card', () => {
  it('shows the reason and a countdown that ticks every second; Stop asks first', () => {
    vi.useFakeTimers({ now: new Date(2026, 11, 2, 4, 10, 0) });
    const wakeAt = Date.now() + 185_000;
    services = createServices(new FakeTransport(async () => null), null);
    render(
      <ServicesProvider value={services}>
        <LiveTaskCard task={waitingCard(wakeAt)} />
      </ServicesProvider>,
    );
    const notice = screen.getByTestId('wait-notice');
    expect(notice.textContent).toBe(
      `Waiting: the 5-hour window is spent; it reopens at 2026-12-02 04:14. Goes on in 3m05s, at ${formatDate(wakeAt)}.`,
    );
    act(() => void vi.advanceTimersByTime(1000));
    expect(screen.getByTestId('wait-countdown').textContent).toBe('3m04s');
    act(() => void vi.advanceTimersByTime(60_000));
    expect(screen.getByTestId('wait-countdown').textContent).toBe('2m04s');
    act(() => void vi.advanceTimersByTime(124_000));
    expect(notice.textContent).toMatch(/Going on now/);

    // A waiting task runs: Stop is offered, and asks for confirmation as for a running one.
    expect(screen.getByTestId('live-task-status').textContent).toBe('waiting for quota');
    fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
    expect(screen.getByTestId('stop-confirm').textContent).toContain('Stop this task?');
  });
});

describe('a task stopped at a spent window', () => {
  it('has its Recent row say when the window reopens, or that it has', () => {
    const row = (id: string, overrides: Partial<TaskSummary>) => summary({ id, status: 'interrupted', ...overrides });
    const later = Date.now() + 3_600_000;
    render(
      <RecentTable
        tasks={[
          row('later', { wakeAt: later }),
          row('past', { wakeAt: Date.now() - 1000 }),
          row('none', { status: 'failed', wakeAt: Date.now() - 1000 }),
        ]}
        projectNames={new Map()}
      />,
    );
    const hint = (id: string) =>
      document.querySelector(`[data-task-id="${id}"] [data-testid="reopen-hint"]`)?.textContent ?? null;
    expect(hint('later')).toBe(` · window reopens ${formatDate(later)}`);
    expect(hint('past')).toBe(' · window reopened');
    expect(hint('none')).toBeNull();
  });
});
