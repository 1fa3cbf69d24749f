/** The seam between the orchestrator and any coding-agent CLI. */
import type { ServiceSpeed } from '../../contract/models';
import type { AgentEvent, AgentResult, TokenUsage } from '../../contract/agent-events';
import type { PermissionMode } from '../../contract/task-spec';

export interface AgentRunRequest {
  cwd: string;
  prompt: string;
  /**
   * The new, never-used id this session must run under, where the agent takes one (Claude Code, Gemini);
   * an agent that names its sessions itself (Codex) reports its own as `agentSessionId`.
   */
  sessionId: string;
  /** Carry the conversation of this earlier session (the agent's own id for it) into the new one (fork mode). */
  forkFrom?: string;
  model?: string;
  maxTurns?: number;
  permissionMode?: PermissionMode;
  /** Tool rules the agent may use without asking, as the CLI spells them. */
  allowedTools?: string[];
  /** What this session may still spend; the agent stops itself past it. */
  maxBudgetUsd?: number;
  signal?: AbortSignal;
  /** Wall-clock limit for this run. */
  timeoutMs?: number;
  /** Longest silence on stdout before the agent is taken for stuck. */
  idleTimeoutMs?: number;
  onEvent: (event: AgentEvent) => void;
}

export const AGENT_ERROR_KINDS = [
  'spawn_failed',
  'session_in_use',
  'api_error',
  /** The API gave no answer at all (connection refused, reset, timed out): transient, like an overload. */
  'api_unreachable',
  'agent_error',
  'protocol_error',
  'no_result',
  'cancelled',
  'timeout',
  'stalled',
  'internal',
  /** A spent subscription window turned the agent away (decided by the orchestrator, from what the agent said). */
  'quota_exhausted',
] as const;
export type AgentErrorKind = (typeof AGENT_ERROR_KINDS)[number];

export interface AgentError {
  kind: AgentErrorKind;
  message: string;
}

export interface AgentRunOutcome {
  /** null when the run succeeded. */
  error: AgentError | null;
  exitCode: number | null;
  /** The agent's final `result`, when it printed one. */
  result: AgentResult | null;
  /** Token totals seen in the stream, the fallback when no result arrived. */
  usageSeen: TokenUsage;
  /** Turns seen in the stream, the fallback when no result arrived. */
  turnsSeen: number;
  /** The session's id as the agent reported it, where it differs from the one Baton asked for. */
  agentSessionId?: string;
  /** "fast" where the agent says a response was served in fast mode; standard otherwise. */
  speed?: ServiceSpeed;
}

export interface AgentRunner {
  /** Stored on each task: "claude", "codex" or "gemini" (a stand-in's own name in tests). */
  readonly agentName: string;
  /** Whether a new session can start from an earlier one's conversation (fork context); false refuses it at launch. */
  readonly canFork?: boolean;
  /** Whether the agent reports what a session cost (Claude Code does); otherwise costs come from prices alone. */
  readonly reportsCost?: boolean;
  /** Throws, saying how to install the agent, when its binary cannot be found. */
  ensureAvailable?(): void;
  run(request: AgentRunRequest): Promise<AgentRunOutcome>;
}
