import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { QueryKey } from '@tanstack/react-query';
import { afterEach, describe, expect, it } from 'vitest';
import type { BatonEvent } from '../../src-main/contract/events';
import type { UsageOverview } from '../../src-main/contract/usage';
import type { TaskDetail } from '../../src-main/contract/views';
import { createServices, ServicesProvider } from '../../src-renderer/app/services';
import { UsageView } from '../../src-renderer/components/UsageView';
import { BatonCallError } from '../../src-renderer/errors';
import { useRead } from '../../src-renderer/hooks/use-read';
import { connectInvalidation } from '../../src-renderer/queries/invalidation';
import { createQueryClient, shouldRetry } from '../../src-renderer/queries/query-client';
import { detail, FakeTransport, importProgress, session, summary, usageOverview, usageTokens } from './fixtures';

afterEach(() => {
  cleanup();
});

function deferred<T>() {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((res) => (resolve = res));
  return { promise, resolve };
}

/** Lets the invalidation's microtask and the cancelled answers settle. */
const settle = () => act(() => new Promise((r) => setTimeout(r, 0)));

/** One answered query per read method, two of those that are per task or session, each with a label. */
const SEEDED: [string, QueryKey][] = [
  ['getAppInfo', ['getAppInfo', {}]],
  ['getTask t1', ['getTask', { taskId: 't1' }]],
  ['getTask t2', ['getTask', { taskId: 't2' }]],
  ['listTasks', ['listTasks', { filter: {}, limit: 200, offset: 0 }]],
  ['getHistoryCharts', ['getHistoryCharts', { filter: {} }]],
  ['listProjects', ['listProjects', {}]],
  ['getQuota', ['getQuota', {}]],
  ['getSessionEvents s1', ['getSessionEvents', { sessionId: 's1' }]],
  ['getSessionEvents s2', ['getSessionEvents', { sessionId: 's2' }]],
  ['getDiff t1', ['getDiff', { taskId: 't1', iteration: 1 }]],
  ['getDiff t2', ['getDiff', { taskId: 't2', iteration: 1 }]],
  ['getSettings', ['getSettings', {}]],
  ['getSpending', ['getSpending', {}]],
  ['listModelPrices', ['listModelPrices', {}]],
  ['getUsageOverview', ['getUsageOverview', { filter: { source: 'all' } }]],
  ['getImportProgress', ['getImportProgress', {}]],
];

/** The labels of the seeded queries an event leaves stale. */
async function staleAfter(events: BatonEvent[], resync = false): Promise<string[]> {
  const queryClient = createQueryClient();
  for (const [, key] of SEEDED) queryClient.setQueryData(key, { answered: true });
  const transport = new FakeTransport(async () => ({}));
  connectInvalidation(queryClient, transport);
  for (const event of events) transport.emit(event);
  if (resync) transport.resync();
  await settle();
  return SEEDED.filter(([, key]) => queryClient.getQueryState(key)?.isInvalidated).map(([label]) => label);
}

const finished = session({ sessionId: 's1', iteration: 1 });
const TASK_FIGURES = ['getTask t1', 'listTasks', 'getHistoryCharts', 'getSpending'];

describe('the queries Baton’s events make stale', () => {
  const cases: [string, BatonEvent, string[]][] = [
    [
      'a queued task: its page, the lists and sums, and the projects',
      { type: 'task.queued', taskId: 't1', task: summary({ id: 't1' }) },
      [...TASK_FIGURES, 'listProjects'],
    ],
    ['a started task: its page and status', { type: 'task.started', taskId: 't1' }, ['getTask t1', 'listTasks']],
    [
      'a task waiting for a window',
      { type: 'task.waiting', taskId: 't1', wakeAt: 1, reason: 'spent' },
      ['getTask t1', 'listTasks'],
    ],
    [
      'an iteration starting: a new running row',
      { type: 'iteration.started', taskId: 't1', sessionId: 's1', iteration: 1, maxIterations: 3 },
      ['getTask t1', 'listTasks'],
    ],
    [
      'an iteration retried under a new session id',
      {
        type: 'iteration.retrying',
        taskId: 't1',
        iteration: 1,
        attempt: 1,
        previousSessionId: 's0',
        sessionId: 's1',
        error: 'overloaded',
      },
      ['getTask t1'],
    ],
    [
      'a finished iteration: everything summing it, its stream and its changes, all usage',
      { type: 'iteration.finished', taskId: 't1', session: finished, task: summary({ id: 't1' }) },
      [...TASK_FIGURES, 'getSessionEvents s1', 'getDiff t1', 'getUsageOverview', 'listModelPrices'],
    ],
    [
      'a finished task: its page, the lists and sums, the spending',
      { type: 'task.finished', taskId: 't1', status: 'completed', reason: 'done', task: summary({ id: 't1' }) },
      TASK_FIGURES,
    ],
    [
      'a withdrawn launch: the projects too',
      { type: 'task.withdrawn', taskId: 't1', reason: 'no such model', task: summary({ id: 't1' }) },
      [...TASK_FIGURES, 'listProjects'],
    ],
    [
      'a worktree merged or discarded, here or in another process: its page and its diff',
      { type: 'task.worktree_finished', taskId: 't1', state: 'merged' },
      ['getTask t1', 'getDiff t1'],
    ],
    [
      'an agent’s quota report',
      {
        type: 'agent.event',
        taskId: 't1',
        sessionId: 's1',
        iteration: 1,
        event: {
          kind: 'rate_limit',
          info: {
            status: 'allowed',
            rateLimitType: 'five_hour',
            resetsAt: null,
            utilization: 0.5,
            isUsingOverage: false,
            windows: {},
          },
        },
      },
      ['getQuota'],
    ],
    [
      'any other agent event: nothing (the live store streams it)',
      { type: 'agent.event', taskId: 't1', sessionId: 's1', iteration: 1, event: { kind: 'text', text: 'hi' } },
      [],
    ],
    [
      'an import that stored something: all usage and the import’s summary',
      { type: 'usage.imported', messages: 3, corrected: 0 },
      ['getUsageOverview', 'getImportProgress', 'listModelPrices'],
    ],
    [
      'new settings: themselves, and every figure priced or counted by day with them',
      { type: 'settings.changed' },
      [
        'getTask t1',
        'getTask t2',
        'listTasks',
        'getHistoryCharts',
        'getSettings',
        'getSpending',
        'getUsageOverview',
        'listModelPrices',
      ],
    ],
    ['a stop asked of another process: nothing yet', { type: 'task.stop_requested', taskId: 't1' }, []],
    ['the service missing events: everything', { type: 'live.resync' }, SEEDED.map(([label]) => label)],
  ];

  it.each(cases)('%s', async (_, event, stale) => {
    expect((await staleAfter([event])).sort()).toEqual([...stale].sort());
  });

  it('everything, after a reconnect', async () => {
    expect(await staleAfter([], true)).toEqual(SEEDED.map(([label]) => label));
  });
});

/** Shows the task's title as the data layer has it. */
function TaskTitle({ taskId }: { taskId: string }) {
  const task = useRead('getTask', { taskId });
  return <p data-testid="title">{task.data?.title ?? 'nothing yet'}</p>;
}

/** A service whose getTask answers are released by the test, in any order. */
function renderTitle() {
  const answers: ReturnType<typeof deferred<TaskDetail>>[] = [];
  const transport = new FakeTransport(async (method) => {
    if (method !== 'getTask') throw new Error(`unexpected ${method}`);
    const answer = deferred<TaskDetail>();
    answers.push(answer);
    return answer.promise;
  });
  render(
    <ServicesProvider value={createServices(transport, null)}>
      <TaskTitle taskId="t1" />
    </ServicesProvider>,
  );
  const titled = (title: string) => detail({ id: 't1', title });
  return { transport, answers, titled };
}

const started: BatonEvent = { type: 'task.started', taskId: 't1' };
const title = () => screen.getByTestId('title').textContent;

describe('an answer that comes late', () => {
  it('never overwrites the newer one an event asked for', async () => {
    const { transport, answers, titled } = renderTitle();
    await settle();
    await act(async () => answers[0]!.resolve(titled('first')));
    await settle();
    expect(title()).toBe('first');

    act(() => transport.emit(started));
    await settle();
    act(() => transport.emit({ type: 'task.waiting', taskId: 't1', wakeAt: 1, reason: 'spent' }));
    await settle();
    expect(answers).toHaveLength(3);
    await act(async () => answers[2]!.resolve(titled('newest')));
    await act(async () => answers[1]!.resolve(titled('older')));
    await settle();
    expect(title()).toBe('newest');
  });

  it('is dropped even when it is the first, if an event came while it was on its way', async () => {
    const { transport, answers, titled } = renderTitle();
    await settle();
    expect(answers).toHaveLength(1);
    // Read before the task started: TanStack alone would keep it as the answer.
    act(() => transport.emit(started));
    await settle();
    expect(answers).toHaveLength(2);
    await act(async () => answers[1]!.resolve(titled('after the start')));
    await act(async () => answers[0]!.resolve(titled('before the start')));
    await settle();
    expect(title()).toBe('after the start');
  });

  it('of an older filter does not replace the newer filter’s', async () => {
    const answers: ReturnType<typeof deferred<UsageOverview>>[] = [];
    const transport = new FakeTransport(async (method) => {
      if (method === 'getImportProgress') return importProgress({ state: 'done' });
      if (method !== 'getUsageOverview') throw new Error(`unexpected ${method}`);
      const answer = deferred<UsageOverview>();
      answers.push(answer);
      return answer.promise;
    });
    render(
      <ServicesProvider value={createServices(transport, null)}>
        <UsageView />
      </ServicesProvider>,
    );
    await settle();
    fireEvent.click(within(screen.getByTestId('usage-source')).getByRole('radio', { name: 'Baton' }));
    await settle();
    expect(answers).toHaveLength(2);
    const figures = (costUsd: number) =>
      usageOverview({ daily: [], totals: usageTokens({ outputTokens: 10, costUsd }) });
    await act(async () => answers[1]!.resolve(figures(2)));
    await act(async () => answers[0]!.resolve(figures(1)));
    await settle();
    expect(screen.getByTestId('usage-total-cost').dataset.value).toBe('2');
  });
});

describe('events that come together', () => {
  it('ask again once', async () => {
    const { transport, answers } = renderTitle();
    await settle();
    act(() => {
      transport.emit(started);
      transport.emit({ type: 'iteration.started', taskId: 't1', sessionId: 's1', iteration: 1, maxIterations: 3 });
      transport.emit({
        type: 'agent.event',
        taskId: 't1',
        sessionId: 's1',
        iteration: 1,
        event: { kind: 'text', text: 'x' },
      });
    });
    await settle();
    expect(answers).toHaveLength(2);
  });
});

describe('a failed read', () => {
  it('is asked again only when the failure may pass, twice at most', () => {
    for (const code of ['invalid_input', 'unknown_method', 'not_found'] as const) {
      expect(shouldRetry(0, new BatonCallError(code, 'refused'))).toBe(false);
    }
    expect(shouldRetry(0, new BatonCallError('unavailable', 'closing'))).toBe(true);
    expect(shouldRetry(1, new BatonCallError('internal', 'database is locked'))).toBe(true);
    expect(shouldRetry(2, new BatonCallError('internal', 'database is locked'))).toBe(false);
    expect(shouldRetry(0, new Error('the connection dropped'))).toBe(true);
  });

  it('that a refused input explains shows at once, asked once', async () => {
    const transport = new FakeTransport(async () => {
      throw new BatonCallError('not_found', 'no task with id t1');
    });
    function Failure() {
      const task = useRead('getTask', { taskId: 't1' });
      return <p data-testid="failure">{task.error?.message ?? ''}</p>;
    }
    render(
      <ServicesProvider value={createServices(transport, null)}>
        <Failure />
      </ServicesProvider>,
    );
    await waitFor(() => expect(screen.getByTestId('failure').textContent).toBe('no task with id t1'));
    expect(transport.calls).toHaveLength(1);
  });
});
