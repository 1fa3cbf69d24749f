/** Which failed attempts are tried again, and after how long. */
import type { AgentRunOutcome } from '../../agents/agent-runner';

export interface RetryTiming {
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_TIMING: RetryTiming = { baseDelayMs: 2000, maxDelayMs: 60_000 };

const NETWORK_ERROR =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|socket hang up|fetch failed|network|connection error/i;

/**
 * How long to wait before retrying, or undefined when the failure is not
 * transient. A reused session id is answered at once with a new one; API
 * overload, rate limits, server and network errors and a missing result
 * back off exponentially with full jitter.
 */
export function retryDelay(
  outcome: AgentRunOutcome,
  attempt: number,
  timing: RetryTiming,
  random: () => number,
): number | undefined {
  const error = outcome.error;
  if (!error) return undefined;
  if (error.kind === 'session_in_use') return 0;
  const status = outcome.result?.apiErrorStatus ?? null;
  const transient =
    (error.kind === 'api_error' && status !== null && (status === 429 || status === 529 || status >= 500)) ||
    error.kind === 'no_result' ||
    error.kind === 'api_unreachable' ||
    (error.kind === 'agent_error' && NETWORK_ERROR.test(error.message));
  if (!transient) return undefined;
  const ceiling = Math.min(timing.maxDelayMs, timing.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}
