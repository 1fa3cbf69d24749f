/**
 * A task's run as a loop of iterations: before each, the quota and budget policies; after each, whether the
 * task ends there (done, stalled, failed, stopped) or goes on with what the iteration left it.
 */
import { plural, sumTokens } from '../../../contract/format';
import type { TaskSpec } from '../../../contract/task-spec';
import type { SessionView } from '../../../contract/views';
import type { RunContext, TaskRun } from '../context';
import { buildIterationPrompt, type CheckFeedback, type PreviousIteration } from '../iteration-prompt';
import type { CheckRun } from '../steps/check';
import { STOPPED_BY_USER, type TaskEnding } from '../task-ending';
import { type IterationRecord, runIteration } from './run-iteration';

/** A task fails after this many failed iterations in a row. */
export const MAX_CONSECUTIVE_FAILURES = 3;

/**
 * Iterations a spent window turned away and that never got their turn: stopped at the window
 * (on-quota stop, or by the user while waiting) or cut by a crash while waiting. They do not
 * count toward max iterations, so a resumed task still gets all of its own.
 */
export function turnedAway(sessions: readonly SessionView[]): number {
  return sessions.filter((s) => s.errorKind === 'quota_exhausted').length;
}

/** The session's id as its agent knows it, which a fork continues from. */
const agentIdOf = (session: SessionView | undefined) => session && (session.agentSessionId ?? session.sessionId);

export interface CarriedOver {
  previous?: PreviousIteration;
  lastGoodSessionId?: string;
}

/** What a resumed task carries over from its earlier iterations: the last result, and the session to fork from. */
export function carriedOver(sessions: readonly SessionView[]): CarriedOver {
  const last = sessions.at(-1);
  if (!last) return {};
  return {
    previous: { iteration: last.iteration, outcome: last.resultExcerpt ?? last.error ?? '(no output)' },
    lastGoodSessionId: agentIdOf(sessions.filter((s) => s.status === 'completed').at(-1)),
  };
}

/** An error that says the API does not know (or will not serve) the model the spec named. */
function modelRejected(spec: TaskSpec, error: string | null): boolean {
  if (!spec.model || !error?.includes(spec.model)) return false;
  // Each agent words it its own way: Claude Code "may not exist or you may not have access to it", the
  // OpenAI API "does not exist or you do not have access to it", Gemini's "is not found for API version".
  return /not[ _]found|(?:does|may) not exist|not supported|not available|unknown model|invalid model|no access|not have access/i.test(
    error,
  );
}

/** Iterations in a row that changed no file, and the check output they all left. */
interface IdleRun {
  count: number;
  output: string | null;
}

/**
 * The idle run after an iteration: one longer when it changed no file and left the check's output as the
 * run's first one left it; started over otherwise. An iteration git recorded nothing of breaks the run.
 */
function idleAfter(idle: IdleRun, session: SessionView, check: CheckRun | undefined): IdleRun {
  if (!session.git || session.git.commitAfter === null || session.git.filesChanged > 0)
    return { count: 0, output: null };
  const output = check ? `${check.exitCode}\n${check.output}` : null;
  return idle.count > 0 && idle.output === output ? { count: idle.count + 1, output } : { count: 1, output };
}

/** What the loop carries from one iteration to the next. */
interface LoopState extends CarriedOver {
  checkFeedback?: CheckFeedback;
  failuresInARow: number;
  idle: IdleRun;
}

export async function iterate(
  ctx: RunContext,
  run: TaskRun,
  firstIteration: number,
  lastIteration: number,
  carried: CarriedOver,
  signal: AbortSignal | undefined,
): Promise<TaskEnding> {
  const { taskId, spec } = run;
  const state: LoopState = { ...carried, failuresInARow: 0, idle: { count: 0, output: null } };

  for (let iteration = firstIteration; iteration <= lastIteration; iteration++) {
    if (signal?.aborted) return STOPPED_BY_USER;

    const budget = await ctx.holds.readyToRun(taskId, spec, signal);
    if ('ending' in budget) {
      // A task the daily budget turns away before its first iteration (its turn came after the budget was
      // spent) is a launch refused, taken back whole like one refused at once.
      const refused = iteration === 1 && budget.ending.status === 'budget_exceeded';
      return refused ? { ...budget.ending, withdraw: true } : budget.ending;
    }

    const forkFrom = spec.context === 'fork' ? state.lastGoodSessionId : undefined;
    const prompt = buildIterationPrompt({
      spec,
      iteration,
      forked: forkFrom !== undefined,
      previous: state.previous,
      check: state.checkFeedback,
    });
    const record = await runIteration(
      ctx,
      run,
      { iteration, lastIteration, prompt, forkFrom, maxBudgetUsd: budget.maxBudgetUsd },
      signal,
    );
    const ending = endingAfter(state, record, spec, iteration);
    if (ending) return ending;
  }
  if (signal?.aborted) return STOPPED_BY_USER;
  return { status: 'max_iterations', reason: `reached its limit of ${plural(spec.maxIterations, 'iteration')}` };
}

/** Whether the task ends after this iteration; when it goes on, `state` holds what the next one needs. */
function endingAfter(
  state: LoopState,
  { session, outcome, ending, check }: IterationRecord,
  spec: TaskSpec,
  iteration: number,
): TaskEnding | undefined {
  if (ending) return ending;
  if (outcome.result?.subtype === 'error_max_budget_usd') {
    return { status: 'budget_exceeded', reason: `the agent stopped at its budget in iteration ${iteration}` };
  }

  if (session.status === 'cancelled') return STOPPED_BY_USER;
  if (session.status === 'failed' && modelRejected(spec, session.error)) {
    // Every later iteration would be turned away the same way: the task ends on the agent's own words.
    // A new task turned away before any work is rather taken back, as a launch the agent refused.
    const nothingDone = iteration === 1 && session.retries.length === 0 && sumTokens(session) === 0;
    return {
      status: 'failed',
      reason: `the ${spec.agent} agent rejected the model ${spec.model}: ${session.error}`,
      withdraw: nothingDone && !session.costUsd,
    };
  }
  state.previous = { iteration, outcome: outcome.result?.resultText || outcome.error?.message || '(no output)' };
  if (session.status === 'completed') {
    state.failuresInARow = 0;
    state.lastGoodSessionId = agentIdOf(session);
  } else {
    state.failuresInARow++;
  }

  if (check) {
    if (check.cancelled) return STOPPED_BY_USER;
    if (check.timedOut) {
      return {
        status: 'failed',
        reason: `completion check \`${spec.check}\` timed out after ${spec.checkTimeoutSeconds}s`,
      };
    }
    if (check.exitCode === 0)
      return { status: 'completed', reason: `completion check passed after iteration ${iteration}` };
    state.checkFeedback = { exitCode: check.exitCode, output: check.output };
  } else if (session.status === 'completed' && outcome.result?.resultText.includes(spec.completionMarker)) {
    return { status: 'completed', reason: `agent reported the task complete in iteration ${iteration}` };
  }

  state.idle = idleAfter(state.idle, session, check);
  if (spec.stallAfter > 0 && state.idle.count >= spec.stallAfter) {
    const unchanged = spec.check ? ' and left the check’s output as it was' : '';
    return {
      status: 'stalled',
      reason: `${plural(state.idle.count, 'iteration')} in a row changed no file${unchanged} (stall after ${spec.stallAfter})`,
    };
  }

  if (state.failuresInARow >= MAX_CONSECUTIVE_FAILURES) {
    return {
      status: 'failed',
      reason: `${plural(state.failuresInARow, 'iteration')} in a row failed; last: ${session.error ?? 'unknown error'}`,
    };
  }
  return undefined;
}
