/** A stored iteration for the replay's tests: each event with the second it came. */
import type { AgentEvent } from '../../src-main/contract/agent-events';
import { resultEvent } from '../support/agent-result';

export const T0 = 1_800_000_000_000;
export const usage = (tokens: number, estimatedCostUsd?: number): AgentEvent => ({
  kind: 'usage',
  usage: { inputTokens: tokens, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0 },
  ...(estimatedCostUsd === undefined ? {} : { estimatedCostUsd }),
});
export const toolUse = (name: string, id: string): AgentEvent => ({ kind: 'tool_use', toolUseId: id, name, input: {} });
export const toolResult = (id: string, isError = false): AgentEvent => ({
  kind: 'tool_result',
  toolUseId: id,
  content: 'out',
  isError,
});
export const result = (turns: number, tokens: number, costUsd: number) => resultEvent(turns, costUsd, tokens, 0);
export const init: AgentEvent = { kind: 'init', agentSessionId: 'a', model: 'm', cwd: '/w', tools: [] };

export const SESSION: Array<[number, AgentEvent]> = [
  [0, init],
  [1, usage(100, 0.01)],
  [2, toolUse('Read', 'r1')],
  [3, toolResult('r1')],
  [4, usage(300, 0.03)],
  [10, { kind: 'text', text: 'Now I edit the file.' }],
  [11, toolUse('Edit', 'e1')],
  [12, toolResult('e1', true)],
  [20, toolUse('Bash', 'b1')],
  [30, toolResult('b1')],
  [31, result(3, 500, 0.05)],
];
export const SESSION_EVENTS = SESSION.map(([, event]) => event);
export const SESSION_TIMES = SESSION.map(([second]) => T0 + second * 1000);
