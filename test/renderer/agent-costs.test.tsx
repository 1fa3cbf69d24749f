import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionView, TaskDetail } from '../../src-main/contract/views';
import { createServices, ServicesProvider } from '../../src-renderer/app/services';
import { LiveTaskCard } from '../../src-renderer/components/LiveView';
import { TaskDetailView } from '../../src-renderer/components/TaskDetailView';
import { costDrift, describeDrift, formatDriftShare, totalCostText } from '../../src-renderer/cost';
import { newSession } from '../../src-renderer/stores/live-model';
import type { LiveTask } from '../../src-renderer/stores/live-store';
import { detail, FakeTransport, session, spec } from './fixtures';

afterEach(cleanup);

const THREAD = '019a0c3e-7d6f-7c10-9e4b-5a2f3d1c0b9e';

/** A finished Codex task: a first session priced from its tokens, with reasoning, and a second no price is known for. */
function codexTask(): TaskDetail {
  const sessions: SessionView[] = [
    session({
      sessionId: 'baton-session-1',
      agentSessionId: THREAD,
      model: 'gpt-5.5',
      iteration: 1,
      outputTokens: 400,
      reasoningTokens: 120,
      costUsd: 0.02,
      costSource: 'estimated',
      computedCostUsd: 0.02,
    }),
    session({
      sessionId: 'baton-session-2',
      agentSessionId: 'baton-session-2',
      model: 'gpt-5.5',
      iteration: 2,
      reasoningTokens: 0,
      costUsd: 0,
      costSource: 'unknown',
      computedCostUsd: null,
    }),
  ];
  return detail({
    agent: 'codex',
    model: 'gpt-5.5',
    spec: spec({ agent: 'codex', model: 'gpt-5.5' }),
    status: 'completed',
    iterations: 2,
    totals: { ...detail().totals, costUsd: 0.02 },
    sessions,
  });
}

function renderDetail(task: TaskDetail) {
  const transport = new FakeTransport(async (method) => {
    if (method === 'getTask') return task;
    throw new Error(`unexpected ${method}`);
  });
  render(
    <ServicesProvider value={createServices(transport, null)}>
      <TaskDetailView taskId={task.id} />
    </ServicesProvider>,
  );
}

const row = (sessionId: string) =>
  document.querySelector<HTMLElement>(`[data-testid="session-row"][data-session-id="${sessionId}"]`)!;

describe('cost drift and unknown costs', () => {
  it('shows the drift only past 5%, signed', () => {
    const agent = { costSource: 'agent' as const, costUsd: 0.0123, computedCostUsd: 0.01 };
    expect(describeDrift(costDrift(agent)!)).toBe('agent $0.0123 · computed $0.0100 (+23%)');
    expect(costDrift({ ...agent, costUsd: 0.0105 })).toBeNull();
    expect(formatDriftShare(costDrift({ ...agent, costUsd: 0.009 })!.share)).toBe('−10%');
    // Only an agent's own cost can drift from the computed one; an estimate is the computed one.
    expect(costDrift({ ...agent, costSource: 'estimated' })).toBeNull();
    expect(costDrift({ ...agent, computedCostUsd: null })).toBeNull();
  });

  it('says "+ unknown" for a total that misses some costs, and "unknown" when it has none', () => {
    expect(totalCostText(0.42, 0, 3)).toBe('$0.42');
    expect(totalCostText(0.42, 1, 2)).toBe('$0.42 + unknown');
    expect(totalCostText(0, 2, 0)).toBe('unknown');
  });
});

describe('a Codex task’s page', () => {
  it('shows the agent beside the model, the thread id, reasoning tokens and an unknown cost as unknown', async () => {
    renderDetail(codexTask());
    expect((await screen.findByTestId('task-agent')).textContent).toBe('Codex');
    expect(screen.getByTestId('task-models').textContent).toContain('gpt-5.5');

    const first = row('baton-session-1');
    expect(within(first).getByTestId('agent-session-id').textContent).toBe(THREAD);
    expect(within(first).getByTestId('reasoning-tokens').textContent).toBe('120 reasoning');
    // The mark stays on the figure's line, and the table says under it what the mark means.
    expect(within(first).getByTestId('session-cost').textContent).toBe('$0.02\u00a0*');
    expect(screen.getByTestId('estimated-cost-note').textContent).toMatch(/^\* Estimated from the token counts/);

    const second = row('baton-session-2');
    // The agent's id is Baton's own here: not shown twice.
    expect(within(second).queryByTestId('agent-session-id')).toBeNull();
    expect(within(second).queryByTestId('reasoning-tokens')).toBeNull();
    expect(within(second).getByTestId('session-cost').textContent).toBe('unknown');
    expect(within(second).getByTestId('session-cost').dataset.value).toBeUndefined();

    expect(screen.getByTestId('total-cost').textContent).toBe('$0.02 + unknown');
    expect(screen.getByTestId('unknown-cost-note').textContent).toContain('The cost of 1 iteration is unknown');
  });

  it('counts a session that never reached the API as costing nothing, not as unknown', async () => {
    const never = session({
      sessionId: 'never-ran',
      model: 'gpt-5.5',
      status: 'failed',
      inputTokens: 0,
      outputTokens: 0,
      cacheCreationTokens: 0,
      cacheReadTokens: 0,
      reasoningTokens: 0,
      costUsd: 0,
      costSource: 'unknown',
      computedCostUsd: null,
    });
    renderDetail(
      detail({
        agent: 'codex',
        status: 'failed',
        iterations: 1,
        totals: { ...detail().totals, costUsd: 0, totalTokens: 0 },
        sessions: [never],
      }),
    );
    expect((await screen.findByTestId('total-cost')).textContent).toBe('$0.00');
    expect(screen.queryByTestId('unknown-cost-note')).toBeNull();
  });

  it('shows an agent’s cost beside a computed one that differs by more than 5%', async () => {
    renderDetail(
      detail({
        status: 'completed',
        iterations: 1,
        sessions: [session({ costUsd: 0.0123, costSource: 'agent', computedCostUsd: 0.01 })],
      }),
    );
    expect((await screen.findByTestId('cost-drift')).textContent).toBe('agent $0.0123 · computed $0.0100 (+23%)');
    expect(screen.getByTestId('task-agent').textContent).toBe('Claude Code');
    expect(screen.getByTestId('total-cost').textContent).not.toContain('unknown');
  });
});

describe('a live Codex card', () => {
  it('shows the agent, an unknown cost, reasoning tokens and the thread id of the iteration', () => {
    const summary = { ...codexTask(), sessions: undefined };
    const live: LiveTask = {
      id: 'task-1',
      summary,
      status: 'completed',
      statusReason: null,
      wakeAt: null,
      maxIterations: 3,
      sessions: [
        {
          ...newSession('baton-session-1', 1, 1),
          status: 'completed',
          usage: { inputTokens: 10, outputTokens: 400, cacheCreationTokens: 0, cacheReadTokens: 0 },
          costUsd: 0,
          costSource: 'unknown',
          agentSessionId: THREAD,
          reasoningTokens: 120,
          durationMs: 1000,
          model: 'gpt-5.5',
        },
      ],
    };
    const transport = new FakeTransport(async () => ({}));
    render(
      <ServicesProvider value={createServices(transport, null)}>
        <LiveTaskCard task={live} />
      </ServicesProvider>,
    );
    expect(screen.getByTestId('task-agent').textContent).toBe('Codex');
    expect(screen.getByTestId('iteration-cost').textContent).toBe('unknown');
    expect(screen.getByTestId('task-cost').textContent).toBe('unknown');
    expect(screen.getByTestId('iteration-reasoning-tokens').textContent).toBe('120');
    expect(screen.getByTestId('iteration-agent-session-id').textContent).toBe(THREAD);
    expect(screen.getByTestId('iteration').textContent).toContain('cost unknown');
  });
});
