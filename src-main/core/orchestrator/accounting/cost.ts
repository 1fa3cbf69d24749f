/**
 * What an iteration cost, from what its agent reported and what its tokens come to at the model's prices:
 * the figures of its final UPDATE, its failed attempts included.
 */
import {
  type AgentEvent,
  type AgentResult,
  type TokenUsage,
  maxUsage,
  zeroUsage,
} from '../../../contract/agent-events';
import type { RetryEntry } from '../../../contract/views';
import type { AgentRunOutcome } from '../../agents/agent-runner';
import type { Pricing } from '../../pricing';
import type { SessionFinish } from '../../store/task-store';

const RESULT_EXCERPT_CHARS = 2000;

/**
 * What an attempt cost, and by whose account: the agent's own cost where it reported one (Claude Code), with the
 * computed one kept beside it; else the one computed from the tokens; else none (a model the prices do not know).
 */
export interface CostOf {
  costUsd: number;
  costSource: 'agent' | 'estimated';
  computedCostUsd: number | null;
  costUnknown: boolean;
}

export function costOf(agentCostUsd: number | null | undefined, computedCostUsd: number | null): CostOf {
  if (typeof agentCostUsd === 'number')
    return { costUsd: agentCostUsd, costSource: 'agent', computedCostUsd, costUnknown: false };
  return {
    costUsd: computedCostUsd ?? 0,
    costSource: 'estimated',
    computedCostUsd,
    costUnknown: computedCostUsd === null,
  };
}

export function sessionFinishFrom(
  outcome: AgentRunOutcome,
  wallMs: number,
  model: string | null,
  pricing: Pricing,
): SessionFinish {
  const result: AgentResult | null = outcome.result;
  // The result's usage is the authority, but some results (a stop at the budget) report none:
  // what the stream showed is then the best record of what was spent.
  const usage = maxUsage(result?.usage ?? zeroUsage(), outcome.usageSeen ?? zeroUsage());
  const status = outcome.error === null ? 'completed' : outcome.error.kind === 'cancelled' ? 'cancelled' : 'failed';
  return {
    status,
    model,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cacheCreationTokens: usage.cacheCreationTokens,
    cacheReadTokens: usage.cacheReadTokens,
    cacheWrite1hTokens: usage.cacheWrite1hTokens ?? 0,
    speed: outcome.speed ?? 'standard',
    turns: result?.turns ?? outcome.turnsSeen,
    // Cut off before its result line, or reporting a cost that cannot be true: the tokens seen are priced.
    ...costOf(result?.costUsd, pricing.costOf(model, usage, { speed: outcome.speed })),
    durationMs: result?.durationMs ?? wallMs,
    apiDurationMs: result?.apiDurationMs ?? 0,
    exitCode: outcome.exitCode,
    retries: [],
    errorKind: outcome.error?.kind ?? null,
    errorMessage: outcome.error?.message ?? null,
    resultExcerpt: result?.resultText ? result.resultText.slice(0, RESULT_EXCERPT_CHARS) : null,
    permissionDenials: result?.permissionDenials ?? 0,
    agentSessionId: outcome.agentSessionId ?? null,
    reasoningTokens: result?.reasoningTokens ?? 0,
  };
}

/** An attempt's tokens and cost with those of the attempts retried before it added. */
export function plusRetries<T extends TokenUsage & { costUsd: number }>(spent: T, retries: RetryEntry[]): T {
  const sum = (pick: (r: RetryEntry) => number) => retries.reduce((total, r) => total + pick(r), 0);
  return {
    ...spent,
    inputTokens: spent.inputTokens + sum((r) => r.inputTokens),
    outputTokens: spent.outputTokens + sum((r) => r.outputTokens),
    cacheCreationTokens: spent.cacheCreationTokens + sum((r) => r.cacheCreationTokens),
    cacheReadTokens: spent.cacheReadTokens + sum((r) => r.cacheReadTokens),
    costUsd: spent.costUsd + sum((r) => r.costUsd),
  };
}

/**
 * Failed attempts are part of what the iteration cost: their tokens, cost and denials are added to the row, and
 * the computed cost is that of all its tokens.
 */
export function withRetries(
  finish: SessionFinish,
  retries: RetryEntry[],
  retriedDenials: number,
  pricing: Pricing,
): SessionFinish {
  const all = plusRetries(finish, retries);
  return {
    ...all,
    computedCostUsd:
      retries.length > 0 ? pricing.costOf(finish.model, all, { speed: finish.speed }) : finish.computedCostUsd,
    permissionDenials: finish.permissionDenials + retriedDenials,
    retries,
  };
}

/** A usage event as the bus carries it: priced at list prices when the model's are known, unpriced otherwise. */
export function withEstimatedCost(event: AgentEvent, model: string | null, pricing: Pricing): AgentEvent {
  if (event.kind !== 'usage') return event;
  const estimatedCostUsd = pricing.costOf(model, event.usage, { speed: event.speed });
  return estimatedCostUsd === null ? event : { ...event, estimatedCostUsd };
}
