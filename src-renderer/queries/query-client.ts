import { QueryClient } from '@tanstack/react-query';
import { BatonCallError, type CallErrorCode } from '../errors';

/** Failures that answer the same however often asked: a refused input, a method the service lacks, a missing record. */
const FINAL_FAILURES: ReadonlySet<CallErrorCode> = new Set(['invalid_input', 'unknown_method', 'not_found']);

/** How many times a failed read is asked again before its error shows. */
export const READ_RETRIES = 2;

/**
 * Whether a read that failed is asked again, `failureCount` retries in: only for a failure that may pass (a busy
 * or closing service, a lost connection).
 */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= READ_RETRIES) return false;
  return !(error instanceof BatonCallError && FINAL_FAILURES.has(error.code));
}

/** The renderer's one query client (app/services.tsx makes it with the other services). */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Baton's events say when an answer is stale (invalidation.ts): until one does, it is not.
        staleTime: Infinity,
        // Focus and the browser's network state say nothing of Baton's data: the events and the transport's
        // resync do. Baton is on this machine, so an offline browser must not hold calls back either.
        refetchOnWindowFocus: false,
        refetchOnReconnect: false,
        networkMode: 'always',
        retry: shouldRetry,
      },
      // A change is asked once: the form shows its refusal, and the user decides whether to try again.
      mutations: { retry: false, networkMode: 'always' },
    },
  });
}
