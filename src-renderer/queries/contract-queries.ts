/**
 * The contract's read methods as queries, declared once: a query's key is `[method, input]`, its fetcher the
 * typed client's method of that name. Views ask through `readQuery` (or the `useRead` hook); the events that
 * make answers stale name keys by method, or by method and part of an input (a task id), which TanStack Query
 * matches as a prefix (see invalidation.ts).
 */
import { queryOptions } from '@tanstack/react-query';
import type { BatonApi, MethodInput, MethodResult } from '../contract';

/**
 * What the views read through queries. The live store reads the event log itself (getLiveState,
 * getEventsSince); the rest of the contract changes things.
 */
export const READ_METHODS = [
  'getAppInfo',
  'getTask',
  'listTasks',
  'getHistoryCharts',
  'listProjects',
  'getQuota',
  'getSessionEvents',
  'getDiff',
  'getSettings',
  'getSpending',
  'listModelPrices',
  'getUsageOverview',
  'getImportProgress',
] as const satisfies readonly (keyof BatonApi)[];
export type ReadMethod = (typeof READ_METHODS)[number];

export type ReadKey<M extends ReadMethod> = readonly [M, MethodInput<M>];

/** A key an event makes stale: every query of a method, or those whose input holds these fields. */
export type StaleKey = {
  [M in ReadMethod]: readonly [M] | readonly [M, Partial<NonNullable<MethodInput<M>>>];
}[ReadMethod];

export function readKey<M extends ReadMethod>(method: M, input: MethodInput<M>): ReadKey<M> {
  return [method, input];
}

/** The query of one contract read: its key and the call that answers it. */
export function readQuery<M extends ReadMethod>(client: BatonApi, method: M, input: MethodInput<M>) {
  const call = client[method] as (input: MethodInput<M>) => Promise<MethodResult<M>>;
  return queryOptions({ queryKey: readKey(method, input), queryFn: () => call(input) });
}
