import type { AgentEvent } from '../../src-main/contract/agent-events';

/** An agent's successful result with these figures, as the tests of what is stored and replayed need one. */
export const resultEvent = (turns: number, costUsd: number, inputTokens = 1, outputTokens = 1): AgentEvent => ({
  kind: 'result',
  result: {
    isError: false,
    subtype: 'success',
    apiErrorStatus: null,
    resultText: 'done',
    turns,
    costUsd,
    durationMs: 1,
    apiDurationMs: 1,
    usage: { inputTokens, outputTokens, cacheCreationTokens: 0, cacheReadTokens: 0 },
    permissionDenials: 0,
  },
});
