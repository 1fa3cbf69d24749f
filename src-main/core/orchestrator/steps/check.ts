/** The completion check step: the user's command, run after an iteration in the directory the agent worked in. */
import type { TaskSpec } from '../../../contract/task-spec';
import type { CheckOutcome } from '../../../contract/views';
import { runCompletionCheck } from './completion-check';

/** A check's outcome as stored, and whether the user's stop cut it short. */
export interface CheckRun extends CheckOutcome {
  cancelled: boolean;
}

/** The user's completion check, timed by `now`. */
export async function runCheck(
  command: string,
  spec: TaskSpec,
  cwd: string,
  signal: AbortSignal | undefined,
  now: () => number,
): Promise<CheckRun> {
  const started = now();
  const result = await runCompletionCheck(command, cwd, spec.checkTimeoutSeconds * 1000, signal);
  return {
    exitCode: result.exitCode,
    durationMs: Math.max(0, now() - started),
    output: result.output,
    timedOut: result.timedOut,
    cancelled: result.cancelled,
  };
}
