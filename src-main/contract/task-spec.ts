/** What a caller gives to launch a task; validated here for every entry point (CLI, IPC, WebSocket). */
import { z } from 'zod';

export const PERMISSION_MODES = ['default', 'acceptEdits', 'bypassPermissions', 'plan'] as const;
export type PermissionMode = (typeof PERMISSION_MODES)[number];

export const CONTEXT_MODES = ['fresh', 'fork'] as const;
export type ContextMode = (typeof CONTEXT_MODES)[number];

export const DEFAULT_MAX_ITERATIONS = 5;
export const DEFAULT_COMPLETION_MARKER = 'BATON_TASK_COMPLETE';
export const DEFAULT_CHECK_TIMEOUT_SECONDS = 600;
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 1800;
export const DEFAULT_MAX_RETRIES = 3;

const optionalText = (what: string) => z.string().trim().min(1, `${what} must not be empty`).optional();

export const taskSpecSchema = z.object({
  dir: z.string().trim().min(1, 'a project directory is required'),
  prompt: z.string().trim().min(1, 'the prompt must not be empty'),
  title: optionalText('the title'),
  maxIterations: z
    .number({ error: 'max iterations must be a whole number' })
    .int('max iterations must be a whole number')
    .min(1, 'max iterations must be at least 1')
    .max(1000, 'max iterations must be at most 1000')
    .default(DEFAULT_MAX_ITERATIONS),
  context: z.enum(CONTEXT_MODES, { error: 'context must be "fresh" or "fork"' }).default('fresh'),
  check: optionalText('the completion check'),
  checkTimeoutSeconds: z
    .number()
    .int()
    .min(1, 'the check timeout must be at least 1 second')
    .max(86_400, 'the check timeout must be at most 86400 seconds')
    .default(DEFAULT_CHECK_TIMEOUT_SECONDS),
  completionMarker: z.string().trim().min(1).default(DEFAULT_COMPLETION_MARKER),
  model: optionalText('the model'),
  permissionMode: z
    .enum(PERMISSION_MODES, { error: `permission mode must be one of ${PERMISSION_MODES.join(', ')}` })
    .optional(),
  maxTurns: z.number().int().min(1, 'max turns must be at least 1').optional(),
  /** Wall-clock limit of one iteration; past it the agent's tree is killed. */
  timeoutSeconds: z
    .number({ error: 'the timeout must be a whole number of seconds' })
    .int('the timeout must be a whole number of seconds')
    .min(1, 'the timeout must be at least 1 second')
    .max(86_400, 'the timeout must be at most 86400 seconds')
    .optional(),
  /** An agent silent this long is taken for stuck and killed. */
  idleTimeoutSeconds: z
    .number({ error: 'the idle timeout must be a whole number of seconds' })
    .int('the idle timeout must be a whole number of seconds')
    .min(1, 'the idle timeout must be at least 1 second')
    .max(86_400, 'the idle timeout must be at most 86400 seconds')
    .default(DEFAULT_IDLE_TIMEOUT_SECONDS),
  /** The most this task may cost, in USD; the remainder is the agent's --max-budget-usd. */
  budgetUsd: z
    .number({ error: 'the budget must be a number of USD' })
    .positive('the budget must be more than 0 USD')
    .max(100_000, 'the budget must be at most 100000 USD')
    .optional(),
  /** The most tokens (of every kind) this task may use. */
  maxTokens: z
    .number({ error: 'max tokens must be a whole number' })
    .int('max tokens must be a whole number')
    .min(1, 'max tokens must be at least 1')
    .optional(),
  /** Retries of an iteration after a transient failure (overload, rate limit, network, no result). */
  maxRetries: z
    .number({ error: 'max retries must be a whole number' })
    .int('max retries must be a whole number')
    .min(0, 'max retries must be at least 0')
    .max(10, 'max retries must be at most 10')
    .default(DEFAULT_MAX_RETRIES),
});

/** What callers send (defaults still missing). */
export type TaskSpecInput = z.input<typeof taskSpecSchema>;
/** What the core works with (defaults filled in). */
export type TaskSpec = z.output<typeof taskSpecSchema>;

/** One line naming the first thing wrong with a spec. */
export function describeSpecError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid task';
  return issue.message;
}
