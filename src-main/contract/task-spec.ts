/** What a caller gives to launch a task; validated here for every entry point (CLI, IPC, WebSocket). */
import { z } from 'zod';
import { hasNoNul, MAX_PATH_CHARS, nulMessage } from './input-bounds';

export const PERMISSION_MODES = ['default', 'acceptEdits', 'bypassPermissions', 'plan'] as const;
export type PermissionMode = (typeof PERMISSION_MODES)[number];

/** The coding-agent CLIs Baton runs: Claude Code, Codex and Gemini. */
export const AGENT_KINDS = ['claude', 'codex', 'gemini'] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];

/** Each agent's name for people, in the window and in what the service says. */
export const AGENT_LABELS: Record<AgentKind, string> = {
  claude: 'Claude Code',
  codex: 'Codex',
  gemini: 'Gemini',
};

/** Models suggested for each agent (the launch form's picker, Settings' price list); any other name can be given. */
export const MODELS_BY_AGENT: Record<AgentKind, readonly string[]> = {
  claude: ['claude-opus-4-5', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-1', 'claude-sonnet-4'],
  codex: ['gpt-5.5', 'gpt-5.5-codex'],
  gemini: ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite'],
};

/** Spec fields an agent's CLI has no equivalent of: its runner passes them on to nothing. */
export type AgentIgnoredField = 'maxTurns' | 'allowedTools';

/**
 * What each agent can do, declared once for the service (which refuses what an agent cannot) and the
 * window (which does not offer it): continue an earlier session's conversation in a new session (fork
 * context), report what a session cost (otherwise costs come from prices alone), and which spec fields
 * it takes no notice of (the launch form hides them for it).
 */
export const AGENT_CAPABILITIES: Record<
  AgentKind,
  { canFork: boolean; reportsCost: boolean; ignores: readonly AgentIgnoredField[] }
> = {
  claude: { canFork: true, reportsCost: true, ignores: [] },
  // `codex exec fork <thread>`, a new thread from an old one's conversation. Codex exec has no turn limit
  // and no list of tools allowed unasked: its sandbox decides.
  codex: { canFork: true, reportsCost: false, ignores: ['maxTurns', 'allowedTools'] },
  // `--session-file <chat>`, a new session from an old one's chat file. Its approval mode stands for both.
  gemini: { canFork: true, reportsCost: false, ignores: ['maxTurns', 'allowedTools'] },
};

export const CONTEXT_MODES = ['fresh', 'fork'] as const;
export type ContextMode = (typeof CONTEXT_MODES)[number];

export const DEFAULT_MAX_ITERATIONS = 5;
export const DEFAULT_COMPLETION_MARKER = 'BATON_TASK_COMPLETE';
export const DEFAULT_CHECK_TIMEOUT_SECONDS = 600;
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 1800;
export const DEFAULT_MAX_RETRIES = 3;
/** A task ends `stalled` after this many iterations in a row that change no file and leave the check's output alone. */
export const DEFAULT_STALL_AFTER = 3;

/** What a task does when the subscription window it runs on is spent: wait for the reset, or stop. */
export const ON_QUOTA_CHOICES = ['wait', 'stop'] as const;
export type OnQuota = (typeof ON_QUOTA_CHOICES)[number];

const optionalText = (what: string) =>
  z
    .string({ error: `${what} must be text` })
    .trim()
    .min(1, `${what} must not be empty`)
    .optional();

export const taskSpecSchema = z.object({
  dir: z.string({ error: 'a project directory is required' }).trim().min(1, 'a project directory is required'),
  // A NUL byte ends a C string: no agent or shell can be given one, so such a value could only fail at spawn.
  prompt: z
    .string({ error: 'a prompt is required' })
    .trim()
    .min(1, 'the prompt must not be empty')
    .refine((text) => !text.includes('\0'), 'the prompt must not contain a NUL byte (\\0)'),
  title: optionalText('the title'),
  agent: z.enum(AGENT_KINDS, { error: `the agent must be one of ${AGENT_KINDS.join(', ')}` }).default('claude'),
  maxIterations: z
    .number({ error: 'max iterations must be a whole number' })
    .int('max iterations must be a whole number')
    .min(1, 'max iterations must be at least 1')
    .max(1000, 'max iterations must be at most 1000')
    .default(DEFAULT_MAX_ITERATIONS),
  context: z.enum(CONTEXT_MODES, { error: 'context must be "fresh" or "fork"' }).default('fresh'),
  check: optionalText('the completion check').refine(
    (text) => !text?.includes('\0'),
    'the completion check must not contain a NUL byte (\\0)',
  ),
  checkTimeoutSeconds: z
    .number({ error: 'the check timeout must be a whole number of seconds' })
    .int('the check timeout must be a whole number of seconds')
    .min(1, 'the check timeout must be at least 1 second')
    .max(86_400, 'the check timeout must be at most 86400 seconds')
    .default(DEFAULT_CHECK_TIMEOUT_SECONDS),
  completionMarker: z
    .string()
    .trim()
    .min(1, 'the completion marker must not be empty')
    .default(DEFAULT_COMPLETION_MARKER),
  model: optionalText('the model'),
  permissionMode: z
    .enum(PERMISSION_MODES, { error: `permission mode must be one of ${PERMISSION_MODES.join(', ')}` })
    .optional(),
  /** Tools the agent may use without asking, in the CLI's rule syntax (`Bash(npm test:*)`, `Edit`); its --allowedTools. */
  allowedTools: z
    .array(
      z
        .string({ error: 'an allowed tool must be text' })
        .trim()
        .min(1, 'an allowed tool must not be empty')
        .max(500, 'an allowed tool must be at most 500 characters')
        .refine((rule) => !rule.startsWith('-'), 'an allowed tool is a tool name or rule, not an option'),
      { error: 'allowed tools must be a list of tool rules' },
    )
    .max(100, 'at most 100 allowed tools')
    .optional(),
  maxTurns: z
    .number({ error: 'max turns must be a whole number' })
    .int('max turns must be a whole number')
    .min(1, 'max turns must be at least 1')
    .optional(),
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
  /** When the subscription window is spent: wait for it to reopen (making no calls), or end the task. */
  onQuota: z.enum(ON_QUOTA_CHOICES, { error: 'on quota must be "wait" or "stop"' }).default('wait'),
  /** Start no iteration while the last-known use of a subscription window is at or above this share (0..1). */
  pauseAtUtilization: z
    .number({ error: 'the pause threshold must be a number from 0 to 1' })
    .min(0, 'the pause threshold must be from 0 to 1')
    .max(1, 'the pause threshold must be from 0 to 1')
    .optional(),
  /** Run in a new git worktree on a branch of its own, with a checkpoint commit per iteration that changed something. */
  worktree: z.boolean({ error: 'worktree must be true or false' }).default(false),
  /** End the task `stalled` after this many iterations in a row without a file change or a new check output; 0 never. */
  stallAfter: z
    .number({ error: 'stall after must be a whole number' })
    .int('stall after must be a whole number')
    .min(0, 'stall after must be at least 0 (0 turns it off)')
    .max(1000, 'stall after must be at most 1000')
    .default(DEFAULT_STALL_AFTER),
});

/** Each text of a launch: how the messages name it, and the most characters it may have. */
export const SPEC_TEXTS = {
  dir: { label: 'the project directory', max: MAX_PATH_CHARS },
  // Past any model's context window; the agents read it on stdin, which Gemini caps at 8 MiB.
  prompt: { label: 'the prompt', max: 4 * 1024 * 1024 },
  title: { label: 'the title', max: 500 },
  // It runs as one `sh -c` argument, and Linux refuses one over 128 KiB: 16 Ki characters fit in any encoding.
  check: { label: 'the completion check', max: 16 * 1024 },
  completionMarker: { label: 'the completion marker', max: 200 },
  model: { label: 'the model', max: 200 },
} as const satisfies Partial<Record<keyof TaskSpec, { label: string; max: number }>>;

/** The most turns and tokens a launch may ask for: far past any task, low enough to catch a typo. */
export const MAX_TURNS = 10_000;
export const MAX_TASK_TOKENS = 1_000_000_000_000;

/**
 * What a launch may ask for: the spec with every text and count bounded. Kept apart from taskSpecSchema,
 * which also reads the specs already stored, so a task launched before a bound still shows.
 */
export const launchSpecSchema = taskSpecSchema.superRefine((spec, ctx) => {
  const refuse = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  for (const [field, { label, max }] of Object.entries(SPEC_TEXTS)) {
    const value = spec[field as keyof typeof SPEC_TEXTS];
    if (value === undefined) continue;
    if (value.length > max) refuse([field], `${label} must be at most ${max} characters`);
    // The spec itself refuses a NUL in the prompt and the check.
    if (field !== 'prompt' && field !== 'check' && !hasNoNul(value)) refuse([field], nulMessage(label));
  }
  spec.allowedTools?.forEach((rule, index) => {
    if (!hasNoNul(rule)) refuse(['allowedTools', index], nulMessage('an allowed tool'));
  });
  if (spec.maxTurns !== undefined && spec.maxTurns > MAX_TURNS) {
    refuse(['maxTurns'], `max turns must be at most ${MAX_TURNS}`);
  }
  if (spec.maxTokens !== undefined && spec.maxTokens > MAX_TASK_TOKENS) {
    refuse(['maxTokens'], `max tokens must be at most ${MAX_TASK_TOKENS}`);
  }
  // A limit the agent would not heed is refused rather than quietly dropped: the task would run without it.
  for (const field of AGENT_CAPABILITIES[spec.agent].ignores) {
    const value = spec[field];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    refuse([field], `${AGENT_LABELS[spec.agent]} takes no ${IGNORED_FIELD_NAMES[field]}: leave it out for this agent`);
  }
});

const IGNORED_FIELD_NAMES: Record<AgentIgnoredField, string> = {
  maxTurns: 'limit of turns',
  allowedTools: 'list of allowed tools (its own approval settings decide)',
};

/** What callers send (defaults still missing). */
export type TaskSpecInput = z.input<typeof taskSpecSchema>;
/** What the core works with (defaults filled in). */
export type TaskSpec = z.output<typeof taskSpecSchema>;

/** What a field's value is on the command line: how a flag's text becomes the spec's value. */
/** `list` takes one or more values (`--allowed-tools Edit 'Bash(npm test:*)'`); `switch` takes none (`--worktree`). */
export type SpecOptionKind = 'text' | 'whole' | 'amount' | 'list' | 'switch';

export interface SpecOption {
  /** The flag of `baton run`; batch entries use its camelCase form as their key. */
  flag: string;
  /** The placeholder shown in --help. */
  value: string;
  kind: SpecOptionKind;
  description: string;
}

/**
 * The one mapping from the spec to `baton run`'s flags and batch-file keys.
 * `satisfies` makes a spec field without a flag a type error, so the CLI can
 * never lag behind the schema.
 */
export const TASK_SPEC_OPTIONS = {
  dir: { flag: 'dir', value: 'path', kind: 'text', description: 'project directory the agent works in' },
  prompt: { flag: 'prompt', value: 'text', kind: 'text', description: 'what the agent should do' },
  agent: {
    flag: 'agent',
    value: 'name',
    kind: 'text',
    description: `the coding agent: ${AGENT_KINDS.join(', ')} (default claude)`,
  },
  title: {
    flag: 'title',
    value: 'text',
    kind: 'text',
    description: 'a name for the task (default: the prompt’s first line)',
  },
  maxIterations: {
    flag: 'max-iterations',
    value: 'n',
    kind: 'whole',
    description: `most iterations to run (1-1000, default ${DEFAULT_MAX_ITERATIONS})`,
  },
  context: {
    flag: 'context',
    value: 'mode',
    kind: 'text',
    description: `what carries between iterations: ${CONTEXT_MODES.join(' or ')} (default fresh)`,
  },
  check: {
    flag: 'check',
    value: 'command',
    kind: 'text',
    description: 'shell command run after each iteration; exit 0 means done',
  },
  checkTimeoutSeconds: {
    flag: 'check-timeout',
    value: 'seconds',
    kind: 'whole',
    description: `how long the check may run (default ${DEFAULT_CHECK_TIMEOUT_SECONDS})`,
  },
  completionMarker: {
    flag: 'completion-marker',
    value: 'text',
    kind: 'text',
    description: `without --check, the word that ends the task when the agent says it (default ${DEFAULT_COMPLETION_MARKER})`,
  },
  model: { flag: 'model', value: 'name', kind: 'text', description: 'model for the agent' },
  permissionMode: {
    flag: 'permission-mode',
    value: 'mode',
    kind: 'text',
    description: `agent permission mode: ${PERMISSION_MODES.join(', ')}`,
  },
  allowedTools: {
    flag: 'allowed-tools',
    value: 'rules...',
    kind: 'list',
    description: 'tools the agent may use without asking, as the CLI spells them: Edit "Bash(npm test:*)"',
  },
  maxTurns: { flag: 'max-turns', value: 'n', kind: 'whole', description: 'most agent turns per iteration' },
  timeoutSeconds: {
    flag: 'timeout',
    value: 'seconds',
    kind: 'whole',
    description: 'wall-clock limit of one iteration; the agent is killed past it',
  },
  idleTimeoutSeconds: {
    flag: 'idle-timeout',
    value: 'seconds',
    kind: 'whole',
    description: `kill an agent silent this long (default ${DEFAULT_IDLE_TIMEOUT_SECONDS})`,
  },
  budgetUsd: {
    flag: 'budget-usd',
    value: 'usd',
    kind: 'amount',
    description: 'the most this task may cost; no iteration starts past it',
  },
  maxTokens: { flag: 'max-tokens', value: 'n', kind: 'whole', description: 'the most tokens this task may use' },
  maxRetries: {
    flag: 'max-retries',
    value: 'n',
    kind: 'whole',
    description: `retries of an iteration after a transient failure (default ${DEFAULT_MAX_RETRIES})`,
  },
  onQuota: {
    flag: 'on-quota',
    value: 'choice',
    kind: 'text',
    description: 'when the subscription window is spent: wait for its reset, or stop (default wait)',
  },
  pauseAtUtilization: {
    flag: 'pause-at-utilization',
    value: '0..1',
    kind: 'amount',
    description: 'start no iteration while a subscription window is at least this used; wait for its reset',
  },
  worktree: {
    flag: 'worktree',
    value: '',
    kind: 'switch',
    description: 'run in a new git worktree on branch baton/<task>, one checkpoint commit per iteration',
  },
  stallAfter: {
    flag: 'stall-after',
    value: 'k',
    kind: 'whole',
    description: `end the task stalled after k iterations in a row with no file change and the same check output (default ${DEFAULT_STALL_AFTER}; 0 off)`,
  },
} as const satisfies Record<keyof TaskSpec, SpecOption>;

export type TaskSpecField = keyof typeof TASK_SPEC_OPTIONS;

/** A flag's camelCase form, as commander names its option and as a batch entry spells its key: `check-timeout` → `checkTimeout`. */
export function optionKey(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** Turns options keyed by flag (commander's options, a batch entry) into a spec input, through the one mapping. */
export function specFromOptions(options: Record<string, unknown>): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  for (const [field, option] of Object.entries(TASK_SPEC_OPTIONS)) {
    const value = options[optionKey(option.flag)];
    if (value !== undefined) spec[field] = value;
  }
  return spec;
}

/** The option keys a batch entry may hold: exactly the flags of `baton run` that describe a task. */
export const SPEC_OPTION_KEYS: readonly string[] = Object.values(TASK_SPEC_OPTIONS).map((o) => optionKey(o.flag));

/**
 * One entry of a batch file: keyed like `baton run`'s flags, each value
 * checked later by taskSpecSchema. Unknown keys are refused, so a misspelt
 * option is never silently ignored.
 */
export const batchEntrySchema = z.strictObject(
  Object.fromEntries(SPEC_OPTION_KEYS.map((key) => [key, z.unknown().optional()])),
);

/** The first thing wrong with a spec, in words. */
export function describeSpecError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid task';
  return issue.message;
}
