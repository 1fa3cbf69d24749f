/**
 * Holding a task: shown as waiting (for a window to reopen, or for the API), with no agent running and so no
 * API call made meanwhile; and the gate before each attempt, where the quota and budget policies decide.
 */
import type { WaitCause } from '../../../contract/agent-events';
import type { TaskSpec } from '../../../contract/task-spec';
import type { EventBus } from '../../events/event-bus';
import type { TaskStore } from '../../store/task-store';
import type { Clock } from '../clock';
import type { TaskEnding } from '../task-ending';
import type { BudgetPolicy } from './budget';
import { type QuotaWait, quotaJitter, stoppedAtQuota, stoppedWhileWaiting, windowToWaitFor } from './quota';

export type Readiness = { maxBudgetUsd?: number } | { ending: TaskEnding };

export class TaskHolds {
  constructor(
    private readonly store: TaskStore,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly random: () => number,
    private readonly budget: BudgetPolicy,
  ) {}

  /**
   * Whether the next attempt may go ahead, and what it may spend. First no call into a window
   * known to be spent (or past the task's threshold) until it reopens, plus jitter; then the
   * budget, checked after any wait, since others may have spent meanwhile.
   */
  async readyToRun(taskId: string, spec: TaskSpec, signal: AbortSignal | undefined): Promise<Readiness> {
    for (;;) {
      const hold = windowToWaitFor(await this.store.quotaWindows(), spec.pauseAtUtilization, this.clock.now());
      if (!hold) break;
      if (spec.onQuota === 'stop') return { ending: stoppedAtQuota(hold) };
      const wait = { ...hold, resetsAt: hold.resetsAt + quotaJitter(this.random) };
      if (!(await this.holdTask(taskId, wait, 'quota', signal))) {
        return { ending: stoppedWhileWaiting(wait) };
      }
      // Another window may have been reported spent meanwhile.
    }
    const budget = await this.budget.budgetLeft(taskId, spec);
    return 'exceeded' in budget ? { ending: { status: 'budget_exceeded', reason: budget.exceeded } } : budget;
  }

  /**
   * Holds the task, shown as waiting, until the window reopens (or the API's wait is over): no agent
   * runs and so no API call is made meanwhile. False when the user stopped it first.
   */
  async holdTask(taskId: string, wait: QuotaWait, cause: WaitCause, signal: AbortSignal | undefined): Promise<boolean> {
    const wakeAt = Math.max(wait.resetsAt, this.clock.now());
    await this.markWaiting(taskId, wakeAt, wait.reason, cause);
    const awake = await this.clock.sleep(wakeAt - this.clock.now(), signal);
    await this.store.markTaskAwake(taskId);
    if (awake) this.bus.publish({ type: 'task.started', taskId });
    return awake;
  }

  /** The task shows as waiting until `wakeAt`, and why; its running iteration, what for. */
  async markWaiting(taskId: string, wakeAt: number, why: string, cause: WaitCause): Promise<void> {
    const reason = `waiting: ${why}`;
    await this.store.markTaskWaiting(taskId, wakeAt, reason, cause);
    this.bus.publish({ type: 'task.waiting', taskId, wakeAt, reason });
  }

  /** A wait the agent's own retries made is over: the task runs again. */
  async markAwake(taskId: string): Promise<void> {
    await this.store.markTaskAwake(taskId);
    this.bus.publish({ type: 'task.started', taskId });
  }
}
