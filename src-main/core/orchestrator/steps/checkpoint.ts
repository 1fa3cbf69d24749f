/**
 * The checkpoint step that closes every iteration, however its attempts ended: its final figures, what it
 * changed in git, the completion check when the task goes on, and the session's one final UPDATE.
 */
import { sumTokens } from '../../../contract/format';
import type { Pricing } from '../../pricing';
import { sessionFinishFrom, withRetries } from '../accounting/cost';
import type { RunContext, TaskRun } from '../context';
import type { AttemptLog } from '../iteration/attempts';
import { recordChange } from '../workspace';
import { type CheckRun, runCheck } from './check';

export interface IterationOpened {
  iteration: number;
  /** The work tree's snapshot taken before the iteration, written with its INSERT. */
  gitBefore: string | null;
  startedAt: number;
  pricing: Pricing;
  signal: AbortSignal | undefined;
}

/** Writes the iteration's row as its attempts left it; the check's run when one ran. */
export async function closeIteration(
  ctx: RunContext,
  run: TaskRun,
  opened: IterationOpened,
  log: AttemptLog,
): Promise<CheckRun | undefined> {
  const { spec, workspace } = run;
  const { pricing, signal } = opened;
  const agentEndedAt = ctx.clock.now();
  const spent = sessionFinishFrom(log.outcome, agentEndedAt - opened.startedAt, log.reportedModel, pricing);
  const finish = withRetries(
    log.stoppedWhileWaiting ? { ...spent, status: 'cancelled' } : spent,
    log.retries,
    log.retriedDenials,
    pricing,
  );
  const change = await recordChange(workspace, opened.gitBefore, {
    iteration: opened.iteration,
    sessionId: log.sessionId,
    taskId: run.taskId,
    taskTitle: run.title,
    tokens: sumTokens(finish),
    costUsd: finish.costUsd,
  });
  // No check after an iteration that ends the task anyway: stopped, at a window, or at its budget.
  const endsTheTask =
    log.ending !== undefined ||
    signal?.aborted === true ||
    finish.status === 'cancelled' ||
    log.outcome.result?.subtype === 'error_max_budget_usd';
  const check =
    spec.check !== undefined && !endsTheTask
      ? await runCheck(spec.check, spec, workspace.cwd, signal, () => ctx.clock.now())
      : undefined;
  await ctx.store.finishSession(log.sessionId, { ...finish, endedAt: agentEndedAt, change, check: check ?? null });
  return check;
}
