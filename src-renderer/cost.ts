/**
 * How a session's and a task's cost read: an agent's own figure, one computed from the tokens, or
 * "unknown" where neither could be had (a model the price data does not know), never a made-up $0.00.
 */
import {
  describeUnknownCostTokens,
  formatCost,
  formatCostWithUnknown,
  formatPreciseCost,
  sumTokens,
  UNKNOWN_COST_TEXT,
  type CostSource,
  type SessionView,
  type UsageTokens,
} from './contract';

/** The agent's cost and the computed one are shown side by side past this share of difference. */
export const DRIFT_SHOWN_ABOVE = 0.05;

export const UNKNOWN_COST = UNKNOWN_COST_TEXT;

export interface CostDrift {
  agentUsd: number;
  computedUsd: number;
  /** (agent − computed) / computed. */
  share: number;
}

type CostFields = Pick<SessionView, 'costUsd' | 'costSource' | 'computedCostUsd'>;

/** Where the agent reported a cost and Baton computed one too, and they differ by more than 5%: both. */
export function costDrift(session: CostFields): CostDrift | null {
  const computed = session.computedCostUsd;
  if (session.costSource !== 'agent' || computed === null || computed === undefined) return null;
  if (computed <= 0) return null;
  const share = (session.costUsd - computed) / computed;
  // A billionth of slack: 0.0105 against 0.01 is 5% exactly, which float division makes a hair more.
  return Math.abs(share) > DRIFT_SHOWN_ABOVE + 1e-9
    ? { agentUsd: session.costUsd, computedUsd: computed, share }
    : null;
}

/** "+23%", "−8%": a drift as a signed whole percent. */
export function formatDriftShare(share: number): string {
  const percent = Math.round(share * 100);
  return `${percent >= 0 ? '+' : '−'}${Math.abs(percent)}%`;
}

/** "agent $0.0123 · computed $0.0100 (+23%)". */
export function describeDrift(drift: CostDrift): string {
  return `agent ${formatPreciseCost(drift.agentUsd)} · computed ${formatPreciseCost(drift.computedUsd)} (${formatDriftShare(drift.share)})`;
}

/** A stored session's cost as text: "unknown" where no cost could be had. */
export function sessionCostText(session: CostFields): string {
  return session.costSource === 'unknown' ? UNKNOWN_COST : formatCost(session.costUsd);
}

/** How many of the sessions have no known cost. */
/**
 * The sessions whose cost is unknown: of a model without a price, and that used tokens. One that used none (its
 * agent never reached the API) cost nothing, whatever its model.
 */
export function unknownCostCount(
  sessions: readonly Pick<
    SessionView,
    'costSource' | 'inputTokens' | 'outputTokens' | 'cacheCreationTokens' | 'cacheReadTokens'
  >[],
): number {
  return sessions.filter(
    (s) => s.costSource === 'unknown' && s.inputTokens + s.outputTokens + s.cacheCreationTokens + s.cacheReadTokens > 0,
  ).length;
}

/**
 * A total over sessions some of whose costs are unknown: "$0.42 + unknown" (the known part, and that
 * more was spent), "unknown" when none is known, the sum alone when all are.
 */
export function totalCostText(costUsd: number, unknownSessions: number, knownSessions: number): string {
  return formatCostWithUnknown(costUsd, unknownSessions, knownSessions);
}

/**
 * What was spent in a period where only the tokens of unknown cost are counted, not those of known cost
 * (today, this week): "$0.11 + unknown", or "unknown" where nothing known was spent.
 */
export function spentCostText(costUsd: number, unknownCostTokens: number | undefined): string {
  return formatCostWithUnknown(costUsd, unknownCostTokens ?? 0);
}

/** The hover text of a cost that leaves `unknownCostTokens` out; undefined when none. */
export function unknownTokensTitle(unknownCostTokens: number | undefined): string | undefined {
  const unknown = unknownCostTokens ?? 0;
  return unknown > 0 ? `${describeUnknownCostTokens(unknown)}, left out of this figure` : undefined;
}

/** Figures that carry their unknown part: the known cost, all tokens, and the tokens whose cost is unknown. */
export type CostFigures = Pick<UsageTokens, 'costUsd' | 'totalTokens'> & { unknownCostTokens?: number };

/**
 * Usage summed from transcripts or sessions: "$0.42 + unknown" where some of its tokens have no known cost,
 * "unknown" where none has, never "$0.00" for what was spent at an unknown price.
 */
export function usageCostText(usage: CostFigures): string {
  const unknown = usage.unknownCostTokens ?? 0;
  return totalCostText(usage.costUsd, unknown, usage.totalTokens - unknown);
}

/** The hover text of such a cost: how many tokens it leaves out; undefined when none. */
export function unknownCostTitle(usage: CostFigures): string | undefined {
  return unknownTokensTitle(usage.unknownCostTokens);
}

/**
 * A task's totals with what its live sessions say of them, for a summary that came with an event (the
 * service sums the unknown tokens only where it lists tasks): the tokens of sessions of unknown cost.
 */
export function unknownTokensOf(
  sessions: readonly {
    costSource: CostSource | null;
    usage: Pick<UsageTokens, 'inputTokens' | 'outputTokens' | 'cacheCreationTokens' | 'cacheReadTokens'>;
  }[],
): number {
  return sessions.filter((s) => s.costSource === 'unknown').reduce((sum, s) => sum + sumTokens(s.usage), 0);
}
