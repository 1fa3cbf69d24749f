/** A session's final UPDATE as the orchestrator writes it: a completed iteration with nothing spent, but `over`. */
import type { SessionFinish } from '../../src-main/core/store/task-store';

export function sessionFinish(over: Partial<SessionFinish> = {}): SessionFinish {
  return {
    status: 'completed',
    model: 'claude-sonnet-4-5',
    inputTokens: 0,
    outputTokens: 0,
    cacheCreationTokens: 0,
    cacheReadTokens: 0,
    turns: 1,
    costUsd: 0,
    costSource: 'agent',
    durationMs: 0,
    apiDurationMs: 0,
    exitCode: 0,
    errorKind: null,
    errorMessage: null,
    resultExcerpt: null,
    permissionDenials: 0,
    retries: [],
    ...over,
  };
}
