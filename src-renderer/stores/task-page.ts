/**
 * The task page's one rule for its two sources. The live store (the event log's client) hears of a change
 * first: where it holds the task, its lifecycle wins (status, reason, wake time, runner), and while that
 * status is active so do the figures that move (totals and duration so far, the running iterations' counters
 * and streams). Everything else, and every figure of a task that has ended, is the stored task's, as getTask
 * last answered (a query that the task's events make stale).
 */
import type { TaskDetail, TaskStatus, TaskTotals } from '../contract';
import { isActiveStatus, type LiveSession, type LiveTask } from './live-store';

export interface TaskPage {
  /** The stored task: what it is, its spec, worktree and iterations. */
  stored: TaskDetail;
  /** The live store's copy, where it holds the task. */
  heard: LiveTask | null;
  status: TaskStatus;
  statusReason: string | null;
  wakeAt: number | null;
  runner: TaskDetail['runner'];
  active: boolean;
  /** The finished iterations' sums; the running ones' live figures are added to them (liveTotals). */
  totals: TaskTotals;
  /** Of the finished iterations; the running one's time so far is added as it ticks. */
  durationMs: number;
  /** The live store's iterations while the task is active: their counters and streams. */
  liveSessions: readonly LiveSession[];
}

const NONE: readonly LiveSession[] = [];

export function taskPage(stored: TaskDetail, live: LiveTask | undefined): TaskPage {
  const heard = live ?? null;
  const status = heard?.status ?? stored.status;
  const active = isActiveStatus(status);
  // While it runs the live store's summary is the newer; once it ends the stored task has the final figures.
  const moving = active && heard ? heard : null;
  return {
    stored,
    heard,
    status,
    statusReason: heard?.statusReason ?? stored.statusReason,
    wakeAt: heard ? heard.wakeAt : (stored.wakeAt ?? null),
    runner: heard?.summary.runner ?? stored.runner,
    active,
    totals: moving ? moving.summary.totals : stored.totals,
    durationMs: moving ? moving.summary.durationMs : stored.durationMs,
    liveSessions: moving ? moving.sessions : NONE,
  };
}
