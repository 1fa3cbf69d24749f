/**
 * What an agent run reports, independent of which agent CLI produced it.
 * These objects cross process boundaries (IPC, WebSocket), so they stay plain JSON.
 */

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
}

export const zeroUsage = (): TokenUsage => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheCreationTokens: 0,
  cacheReadTokens: 0,
});

/** Final metrics of one agent session, as the agent reported them. */
export interface AgentResult {
  isError: boolean;
  subtype: string;
  apiErrorStatus: number | null;
  resultText: string;
  turns: number;
  costUsd: number;
  durationMs: number;
  apiDurationMs: number;
  usage: TokenUsage;
}

export type AgentEvent =
  | { kind: 'init'; agentSessionId: string; model: string; cwd: string; tools: string[] }
  | { kind: 'text'; text: string }
  | { kind: 'tool_use'; toolUseId: string; name: string; input: unknown }
  | { kind: 'tool_result'; toolUseId: string; content: string; isError: boolean }
  | { kind: 'retry'; attempt: number; maxRetries: number; delayMs: number; errorStatus: number | null; error: string }
  /** Running token totals seen so far in this session (for live counters and estimates). */
  | { kind: 'usage'; usage: TokenUsage }
  | { kind: 'result'; result: AgentResult };

export type AgentEventKind = AgentEvent['kind'];
