/**
 * Whether another iteration may start, and what it may spend: the task's own budget and token limit, and
 * today's budget. Costs and tokens are read from the store, so sessions of other tasks and processes count too.
 */
import { formatPreciseCost, formatTokens, plural } from '../../../contract/format';
import type { TaskSpec } from '../../../contract/task-spec';
import { budgetDayOf } from '../../budget-day';
import type { TaskStore } from '../../store/task-store';
import { requireSummary } from '../errors';

export type BudgetLeft = { maxBudgetUsd?: number } | { exceeded: string };

export class BudgetPolicy {
  constructor(
    private readonly store: Pick<TaskStore, 'settings' | 'spentSince' | 'taskSummary'>,
    private readonly now: () => number,
  ) {}

  /** The least of what is left of the task's budget and of today's, or what spent one of them. */
  async budgetLeft(taskId: string, spec: TaskSpec): Promise<BudgetLeft> {
    let remaining: number | undefined;
    if (spec.budgetUsd !== undefined || spec.maxTokens !== undefined) {
      const { totals } = await requireSummary(this.store, taskId);
      if (spec.budgetUsd !== undefined) {
        remaining = spec.budgetUsd - totals.costUsd;
        if (remaining <= 0) {
          return {
            exceeded: `spent ${formatPreciseCost(totals.costUsd)} of the task's ${formatPreciseCost(spec.budgetUsd)} budget`,
          };
        }
      }
      if (spec.maxTokens !== undefined && totals.totalTokens >= spec.maxTokens) {
        return {
          exceeded: `used ${formatTokens(totals.totalTokens)} of the task's ${plural(spec.maxTokens, 'token')}`,
        };
      }
    }
    const today = await this.dailyBudgetLeft();
    if ('exceeded' in today) return today;
    if (today.left !== undefined) remaining = Math.min(remaining ?? Infinity, today.left);
    return { maxBudgetUsd: remaining };
  }

  /** What is left of today's budget (nothing said when there is none), or what spent it. */
  async dailyBudgetLeft(): Promise<{ left?: number } | { exceeded: string }> {
    const settings = await this.store.settings();
    const { dailyBudgetUsd } = settings;
    if (dailyBudgetUsd === null) return {};
    const spentToday = await this.store.spentSince(budgetDayOf(settings, this.now()).start);
    const left = dailyBudgetUsd - spentToday;
    if (left > 0) return { left };
    return {
      exceeded: `today's spending, ${formatPreciseCost(spentToday)}, reached the daily budget of ${formatPreciseCost(dailyBudgetUsd)}`,
    };
  }
}
