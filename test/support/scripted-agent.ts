/** An in-process agent for orchestrator logic; the real CLI is exercised in test/integration. */
import { zeroUsage } from '../../src-main/contract/agent-events';
import type { AgentRunner, AgentRunOutcome, AgentRunRequest } from '../../src-main/core/agents/agent-runner';

export class ScriptedAgent implements AgentRunner {
  readonly agentName = 'scripted';
  readonly requests: AgentRunRequest[] = [];
  constructor(
    private readonly reply: (
      request: AgentRunRequest,
      call: number,
    ) => Promise<Partial<AgentRunOutcome>> | Partial<AgentRunOutcome>,
  ) {}
  async run(request: AgentRunRequest): Promise<AgentRunOutcome> {
    this.requests.push(request);
    const outcome = await this.reply(request, this.requests.length);
    return { error: null, exitCode: 0, result: null, usageSeen: zeroUsage(), turnsSeen: 0, ...outcome };
  }
}

export const success = (text: string, tokens = 10) => ({
  result: {
    isError: false,
    subtype: 'success',
    apiErrorStatus: null,
    resultText: text,
    turns: 1,
    costUsd: 0.01,
    durationMs: 5,
    apiDurationMs: 3,
    usage: { inputTokens: tokens, outputTokens: 1, cacheCreationTokens: 2, cacheReadTokens: 3 },
    permissionDenials: 0,
  },
});
