/**
 * One iteration: a new session id, one INSERT, the agent's attempts, and one UPDATE at its checkpoint,
 * whatever ended them. A transient failure is retried under a new session id (the CLI refuses a used one);
 * the row takes the id of the last attempt and keeps the earlier attempts, with their tokens, in its retry log.
 */
import { v4 as uuidv4 } from 'uuid';
import type { SessionView } from '../../../contract/views';
import type { AgentRunOutcome } from '../../agents/agent-runner';
import { pricingWith } from '../../pricing';
import type { RunContext, TaskRun } from '../context';
import { requireSummary } from '../errors';
import type { CheckRun } from '../steps/check';
import { closeIteration } from '../steps/checkpoint';
import type { TaskEnding } from '../task-ending';
import { snapshotBefore } from '../workspace';
import { IterationAttempts } from './attempts';

export interface IterationPlan {
  iteration: number;
  lastIteration: number;
  prompt: string;
  forkFrom: string | undefined;
  /** What the first attempt may spend; a wait for a window checks the budget again. */
  maxBudgetUsd: number | undefined;
}

export interface IterationRecord {
  session: SessionView;
  outcome: AgentRunOutcome;
  /** The completion check run after it, when it ran one. */
  check?: CheckRun;
  /** Set when the task must end here: stopped at a spent window, or over budget after a wait. */
  ending?: TaskEnding;
}

export async function runIteration(
  ctx: RunContext,
  run: TaskRun,
  plan: IterationPlan,
  signal: AbortSignal | undefined,
): Promise<IterationRecord> {
  const { taskId, spec, workspace } = run;
  const { iteration } = plan;
  const sessionId = uuidv4();
  // Read once per iteration, so prices the user changes apply from the next iteration on.
  const pricing = pricingWith(await ctx.store.modelPrices(), spec.agent);
  // Taken before the row exists and written with its INSERT, so a crash mid-iteration still knows it.
  const gitBefore = await snapshotBefore(workspace, taskId, iteration);
  const startedAt = await ctx.store.startSession({
    sessionId,
    taskId,
    iteration,
    model: spec.model ?? null,
    ownerPid: ctx.pid,
    gitBefore,
  });
  ctx.bus.publish({ type: 'iteration.started', taskId, sessionId, iteration, maxIterations: plan.lastIteration });

  const { prompt, forkFrom, maxBudgetUsd } = plan;
  const attempts = new IterationAttempts(ctx, run, {
    iteration,
    sessionId,
    prompt,
    forkFrom,
    maxBudgetUsd,
    pricing,
    signal,
  });
  let check: CheckRun | undefined;
  try {
    await attempts.runAll();
  } finally {
    attempts.stop();
    check = await closeIteration(ctx, run, { iteration, gitBefore, startedAt, pricing, signal }, attempts.log);
  }
  const { log } = attempts;
  const session = await ctx.store.sessionView(log.sessionId);
  if (!session) throw new Error(`session ${log.sessionId} vanished after it was written`);
  ctx.bus.publish({ type: 'iteration.finished', taskId, session, task: await requireSummary(ctx.store, taskId) });
  return { session, outcome: log.outcome, ending: log.ending, check };
}
