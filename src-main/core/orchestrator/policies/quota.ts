/**
 * When a task must hold off for a subscription window: after the agent was turned away by a
 * spent one, or before an iteration while a window is known to be spent or past the task's
 * pause threshold, and how a task ends at one. Pure functions of what the agent and the store reported.
 */
import type { RateLimitInfo } from '../../../contract/agent-events';
import { describeQuotaWindow, formatDate } from '../../../contract/format';
import type { QuotaWindowView } from '../../../contract/views';
import type { AgentRunOutcome } from '../../agents/agent-runner';
import type { TaskEnding } from '../task-ending';

/** Without a reset time from the agent, try again after this long. */
export const UNKNOWN_RESET_WAIT_MS = 5 * 60_000;

export interface QuotaWait {
  /** When the window reopens (epoch ms), before any jitter. */
  resetsAt: number;
  reason: string;
}

/** The CLI's own words for a spent window, in its result (e.g. "You've hit your session limit · resets 1:11am"). */
const SPENT_WINDOW_TEXT = /\bhit your .*\blimit\b/i;

/** Whether the agent was turned away because a subscription window is spent, and until when. */
export function spentWindow(
  outcome: AgentRunOutcome,
  lastSeen: RateLimitInfo | null,
  now: number,
): QuotaWait | undefined {
  if (outcome.error === null || outcome.error.kind === 'cancelled') return undefined;
  const rejected = lastSeen?.status === 'rejected';
  const saidSo = outcome.result?.apiErrorStatus === 429 && SPENT_WINDOW_TEXT.test(outcome.result.resultText ?? '');
  if (!rejected && !saidSo) return undefined;
  const window = describeQuotaWindow(lastSeen?.rateLimitType ?? null);
  const resetsAt = lastSeen?.resetsAt;
  if (typeof resetsAt === 'number' && resetsAt > now) {
    return { resetsAt, reason: `the ${window} window is spent; it reopens at ${formatDate(resetsAt)}` };
  }
  return {
    resetsAt: now + UNKNOWN_RESET_WAIT_MS,
    reason: `the ${window} window is spent, and the agent did not say when it reopens; trying again at ${formatDate(now + UNKNOWN_RESET_WAIT_MS)}`,
  };
}

/**
 * Whether an iteration should wait before it starts: a window known to be spent, or (with a
 * threshold) used at least that much, that has not reset yet. Windows past their reset time
 * are stale and ignored. The one that reopens last decides.
 */
export function windowToWaitFor(
  windows: QuotaWindowView[],
  pauseAtUtilization: number | undefined,
  now: number,
): QuotaWait | undefined {
  let wait: QuotaWait | undefined;
  for (const window of windows) {
    if (window.resetsAt === null || window.resetsAt <= now) continue;
    const name = describeQuotaWindow(window.name);
    const reopens = formatDate(window.resetsAt);
    let reason: string | undefined;
    if (window.status === 'rejected') reason = `the ${name} window is spent; it reopens at ${reopens}`;
    else if (
      pauseAtUtilization !== undefined &&
      window.utilization !== null &&
      window.utilization >= pauseAtUtilization
    ) {
      const percent = (share: number) => `${Math.round(share * 100)}%`;
      reason = `the ${name} window is ${percent(window.utilization)} used (pause at ${percent(pauseAtUtilization)}); waiting for its reset at ${reopens}`;
    }
    if (reason && (wait === undefined || window.resetsAt > wait.resetsAt)) wait = { resetsAt: window.resetsAt, reason };
  }
  return wait;
}

/** A few seconds past the reset, so tasks waiting on one window do not all call at the same instant. */
export function quotaJitter(random: () => number): number {
  return 1000 + Math.round(random() * 4000);
}

/** The user stopped the task while it waited: it ends, resumable, and still says when its window reopens. */
export function stoppedWhileWaiting(wait: QuotaWait): TaskEnding {
  return { status: 'cancelled', reason: `stopped by the user while waiting: ${wait.reason}`, wakeAt: wait.resetsAt };
}

/** `--on-quota stop`: the task ends, resumable, with the time its window reopens. */
export function stoppedAtQuota(wait: QuotaWait | undefined): TaskEnding {
  const reason = wait ? wait.reason : 'a subscription window is spent';
  return { status: 'cancelled', reason: `stopped (on quota: stop): ${reason}`, wakeAt: wait?.resetsAt ?? null };
}
