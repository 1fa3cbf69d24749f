/**
 * Which answers each of Baton's events makes stale. A query stays fresh until an event says otherwise (the
 * client's staleTime is Infinity): a stale query on screen is asked again at once, one off screen when a view
 * next shows it. Polling is left for what no event tells (an import's progress, in UsageView).
 */
import { hashKey, type QueryClient } from '@tanstack/react-query';
import type { BatonEvent } from '../contract';
import type { Transport } from '../transport/transport';
import { READ_METHODS, type StaleKey } from './contract-queries';

/** Everything read: after a reconnect, or when the service itself missed events. */
const EVERYTHING: StaleKey[] = READ_METHODS.map((method) => [method]);

/** What a task's stored figures show in: its page, History's list and charts, and today's spending. */
const taskFigures = (taskId: string): StaleKey[] => [
  ['getTask', { taskId }],
  ['listTasks'],
  ['getHistoryCharts'],
  ['getSpending'],
];

export function staleKeys(event: BatonEvent): StaleKey[] {
  switch (event.type) {
    case 'task.queued':
      // A new row, perhaps of a project not listed yet.
      return [...taskFigures(event.taskId), ['listProjects']];
    case 'task.started':
    case 'task.waiting':
    case 'iteration.started':
      // Its status, and for an iteration a new running row: nothing is spent yet.
      return [['getTask', { taskId: event.taskId }], ['listTasks']];
    case 'iteration.retrying':
      // The running row moves to the new session id.
      return [['getTask', { taskId: event.taskId }]];
    case 'iteration.finished':
      // Its figures are stored: everything that sums them, its stored stream and its changes.
      return [
        ...taskFigures(event.taskId),
        ['getSessionEvents', { sessionId: event.session.sessionId }],
        ['getDiff', { taskId: event.taskId }],
        // All usage counts Baton's sessions that have no transcript; a session may name a model not listed yet.
        ['getUsageOverview'],
        ['listModelPrices'],
      ];
    case 'task.finished':
      return taskFigures(event.taskId);
    case 'task.withdrawn':
      // Nothing of it is kept, so its project may go from the list too.
      return [...taskFigures(event.taskId), ['listProjects']];
    case 'agent.event':
      // The stream itself is the live store's; only a quota report changes a stored answer.
      return event.event.kind === 'rate_limit' ? [['getQuota']] : [];
    case 'usage.imported':
      return [['getUsageOverview'], ['getImportProgress'], ['listModelPrices']];
    case 'settings.changed':
      // The budget, the zone today is counted in, and the prices every estimated cost is made with.
      return [
        ['getSettings'],
        ['getSpending'],
        ['getTask'],
        ['listTasks'],
        ['getHistoryCharts'],
        ['getUsageOverview'],
        ['listModelPrices'],
      ];
    case 'task.worktree_finished':
      // Its page shows the outcome, and its diff is read from the branch that is merged or gone.
      return [
        ['getTask', { taskId: event.taskId }],
        ['getDiff', { taskId: event.taskId }],
      ];
    case 'task.stop_requested':
      // The process that runs the task stops it, and its events say how the task ended.
      return [];
    case 'live.resync':
      return EVERYTHING;
    default:
      return event satisfies never;
  }
}

/**
 * Makes stale what the events say, and everything after a reconnect (events may have been missed). Events
 * delivered together are applied once, on a microtask. Returns the disconnect.
 */
export function connectInvalidation(
  queryClient: QueryClient,
  transport: Pick<Transport, 'subscribe' | 'onResync'>,
  schedule: (flush: () => void) => void = queueMicrotask,
): () => void {
  let pending: Map<string, StaleKey> | null = null;
  const flush = () => {
    const keys = [...(pending?.values() ?? [])];
    pending = null;
    for (const queryKey of keys) void invalidate(queryClient, queryKey);
  };
  const mark = (keys: readonly StaleKey[]) => {
    if (keys.length === 0) return;
    if (!pending) {
      pending = new Map();
      schedule(flush);
    }
    for (const key of keys) pending.set(hashKey(key), key);
  };
  const unsubscribe = transport.subscribe((event) => mark(staleKeys(event)));
  const unresync = transport.onResync(() => mark(EVERYTHING));
  return () => {
    unsubscribe();
    unresync();
  };
}

/**
 * Marks the queries stale, and asks again those on screen. An answer already on its way may have been read
 * before the change: it is dropped first (TanStack would keep a first answer that is still coming), so it can
 * never overwrite the newer one.
 */
async function invalidate(queryClient: QueryClient, queryKey: StaleKey): Promise<void> {
  await queryClient.cancelQueries({ queryKey });
  await queryClient.invalidateQueries({ queryKey });
}
