/** The task page as the outcome tests render it: a finished task of two iterations, and a fake transport. */
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, vi } from 'vitest';
import type { SessionView, TaskDetail } from '../../src-main/contract/views';
import { createServices, ServicesProvider } from '../../src-renderer/app/services';
import { TaskDetailView } from '../../src-renderer/components/TaskDetailView';
import { checkOutcome, detail, FakeTransport, gitChange, session, spec } from './fixtures';

/** Registers the hooks a test file of the diff needs: happy-dom draws no canvas, and the diff measures with one. */
export function measureTextInHappyDom(): void {
  beforeEach(() => {
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(
      () =>
        ({
          font: '',
          measureText: (text: string) => ({ width: text.length * 7 }),
        }) as unknown as CanvasRenderingContext2D,
    );
  });
  afterEach(() => {
    cleanup();
    vi.restoreAllMocks();
  });
}

/** A completed task whose iteration 1 changed two files and iteration 2 one. */
export const task = (overrides: Partial<TaskDetail> = {}) =>
  detail({
    id: 'task-9',
    title: 'Outcomes',
    status: 'completed',
    statusReason: 'completion check passed after iteration 2',
    iterations: 2,
    finishedAt: 1_700_000_100_000,
    spec: spec({ check: 'npm test' }),
    changeTracking: 'git',
    sessions: [
      session({ sessionId: 's-1', iteration: 1, git: gitChange(), check: checkOutcome() }),
      session({
        sessionId: 's-2',
        iteration: 2,
        git: gitChange({
          filesChanged: 1,
          insertions: 4,
          deletions: 1,
          files: [{ path: 'src/app.ts', insertions: 4, deletions: 1, binary: false }],
        }),
        check: checkOutcome({ exitCode: 0, durationMs: 900, output: '' }),
      }),
    ],
    ...overrides,
  });

/** The same task with one iteration, `s-1`, as `overrides` make it. */
export const oneIteration = (overrides: Partial<SessionView>) =>
  task({ sessions: [session({ sessionId: 's-1', iteration: 1, ...overrides })] });

type Handler = (input: Record<string, unknown>) => unknown;

/** Renders the task page of `loaded`; `handlers` answer the calls other than getTask. */
export function show(loaded: TaskDetail, handlers: Record<string, Handler> = {}) {
  const transport = new FakeTransport(async (method, input) => {
    const handler = handlers[method];
    if (handler) return handler(input as Record<string, unknown>);
    if (method === 'getTask') return loaded;
    throw new Error(`unexpected ${method}`);
  });
  const services = createServices(transport, null);
  render(
    <ServicesProvider value={services}>
      <TaskDetailView taskId={loaded.id} />
    </ServicesProvider>,
  );
  const calls = (method: string) => transport.calls.filter((c) => c.method === method).map((c) => c.input);
  return { transport, calls };
}

/** The sessions table's row of an iteration, once the page has loaded. */
export const rowOf = async (iteration: number) => {
  const rows = await screen.findAllByTestId('session-row');
  const row = rows.find((r) => r.querySelector('td')?.textContent === String(iteration));
  if (!row) throw new Error(`no row for iteration ${iteration}`);
  return row;
};
