/**
 * The Tasks view and a task's page as a person reads them: ids on one line, the model that ran, what each
 * iteration's check and changes came to, finished tasks folded into Recent.
 */
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { BatonEvent } from '../../src-main/contract/events';
import { appPerTest, emit } from './app-harness';
import { detail, session, spec, summary, taskTotals as totals } from './fixtures';

const SID = '0b7f8a5e-1111-4222-8333-944455556666';
const NEXT = '9c0d1e2f-3333-4444-8555-666677778888';
const start = appPerTest();

/** Every id on screen, as its element shows it: its text, and the title that holds it whole. */
const idsShown = (root: ParentNode = document) =>
  [...root.querySelectorAll<HTMLElement>('.session-id')].map((el) => ({ text: el.textContent, title: el.title }));

const runningTask = summary({
  id: 'run-1',
  title: 'Running task',
  status: 'running',
  iterations: 1,
  spec: spec({ maxIterations: 4 }),
});

describe('session ids', () => {
  it('are whole in a title wherever they show: header, table, running iteration, retry note and replay', async () => {
    window.location.hash = '#/tasks/run-1';
    const running = detail({
      ...runningTask,
      totals: totals(500, 0.05),
      sessions: [
        session({ sessionId: 's-done', iteration: 1, agentSessionId: 'thread-0199aa' }),
        session({ sessionId: SID, iteration: 2, status: 'running', costUsd: 0, startedAt: Date.now() }),
      ],
    });
    const transport = start({
      getTask: () => running,
      getLiveState: () => ({ tasks: [running], currentEvents: { [SID]: [{ kind: 'text', text: 'working' }] } }),
      getSessionEvents: () => ({ events: [{ kind: 'text', text: 'replayed' }], times: [], truncated: false }),
    });
    await screen.findByText('working');
    const retried: BatonEvent = {
      type: 'iteration.retrying',
      taskId: 'run-1',
      iteration: 2,
      attempt: 1,
      previousSessionId: SID,
      sessionId: NEXT,
      error: 'API error 529',
    };
    await emit(transport, [retried]);
    await screen.findByTestId('attempt-failed');

    const header = document.querySelector('.task-detail > p.muted')!;
    expect(idsShown(header)).toEqual([{ text: 'run-1', title: 'run-1' }]);
    const rows = screen.getAllByTestId('session-row');
    expect(idsShown(rows[0])).toEqual([
      { text: 's-done', title: 's-done' },
      { text: 'thread-0199aa', title: 'thread-0199aa' },
    ]);
    const runningPanel = screen.getByRole('region', { name: 'Iteration 2' });
    expect(idsShown(runningPanel)).toContainEqual({ text: NEXT, title: NEXT });
    expect(idsShown(screen.getByTestId('attempt-failed'))).toEqual([{ text: NEXT, title: NEXT }]);

    fireEvent.click(within(rows[0]!).getByRole('button', { name: 'Replay' }));
    const replay = await screen.findByTestId('replay-panel');
    await waitFor(() => expect(idsShown(replay)).toContainEqual({ text: 's-done', title: 's-done' }));
    // Every id, wherever it shows, is one element that holds it whole.
    expect(idsShown().every((id) => id.text === id.title)).toBe(true);
  });
});
