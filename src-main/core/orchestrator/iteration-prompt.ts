/** The prompt each iteration's fresh session receives. */
import type { TaskSpec } from '../../contract/task-spec';

const RESULT_EXCERPT_CHARS = 4000;

export interface PreviousIteration {
  iteration: number;
  /** The agent's final message, or the error that ended the iteration. */
  outcome: string;
}

export interface CheckFeedback {
  exitCode: number | null;
  output: string;
}

export interface IterationPromptInput {
  spec: TaskSpec;
  iteration: number;
  /** In fork mode the session already carries the conversation, so the task is not repeated. */
  forked: boolean;
  previous?: PreviousIteration;
  check?: CheckFeedback;
}

function excerpt(text: string): string {
  return text.length > RESULT_EXCERPT_CHARS ? `…${text.slice(-RESULT_EXCERPT_CHARS)}` : text;
}

export function buildIterationPrompt(input: IterationPromptInput): string {
  const { spec, iteration, forked, previous, check } = input;
  const parts: string[] = [];
  if (forked) {
    parts.push(`Continue working on the task above. This is iteration ${iteration} of at most ${spec.maxIterations}.`);
  } else {
    parts.push(spec.prompt);
    if (iteration > 1) {
      parts.push(
        `(This is iteration ${iteration} of at most ${spec.maxIterations}; earlier iterations worked on the same task.)`,
      );
      if (previous) {
        parts.push(`Result of iteration ${previous.iteration}:\n${excerpt(previous.outcome)}`);
      }
    }
  }
  if (spec.check && check) {
    parts.push(
      `The completion check \`${spec.check}\` has not passed yet (exit code ${check.exitCode ?? 'none'}). Its output:\n${excerpt(check.output)}`,
    );
  }
  if (!spec.check) {
    parts.push(
      `When the whole task is done, end your final message with ${spec.completionMarker} on a line of its own.`,
    );
  }
  return parts.join('\n\n');
}
