/** Baton's own environment variables, validated once, so a bad value is a clear error and not a surprise later. */
import { z } from 'zod';
import type { AgentKind } from '../contract/task-spec';
import { DEFAULT_RETRY_TIMING, type RetryTiming } from './orchestrator/orchestrator';
import { type Isolation, ISOLATIONS } from './process-containment';
import { userDataDir } from './paths';

const milliseconds = (name: string) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number of milliseconds`)
    .transform(Number)
    .pipe(z.number().max(3_600_000, `${name} must be at most 3600000 (one hour)`))
    .optional();

const environmentSchema = z.object({
  BATON_DB: z.string().trim().min(1, 'BATON_DB must not be empty when set').optional(),
  BATON_CLAUDE_BIN: z.string().optional(),
  BATON_CODEX_BIN: z.string().optional(),
  BATON_GEMINI_BIN: z.string().optional(),
  BATON_RETRY_BASE_MS: milliseconds('BATON_RETRY_BASE_MS'),
  BATON_RETRY_MAX_MS: milliseconds('BATON_RETRY_MAX_MS'),
  BATON_ISOLATION: z.enum(ISOLATIONS, { error: `BATON_ISOLATION must be one of ${ISOLATIONS.join(', ')}` }).optional(),
  BATON_TEST_CLOCK: z.enum(['skip-waits'], { error: 'BATON_TEST_CLOCK must be skip-waits when set' }).optional(),
});

export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';
}

/** Baton's environment, validated; the only place that reads these variables. */
export interface BatonEnvironment {
  /** BATON_DB: the database file, unless --db says otherwise. */
  databaseFile?: string;
  /** BATON_CLAUDE_BIN, BATON_CODEX_BIN, BATON_GEMINI_BIN: each agent's binary, where set. */
  agentBinaries: Partial<Record<AgentKind, string>>;
  /** PATH, where the agent's binary is looked for next. */
  searchPath?: string;
  /** Where Baton keeps its data unless told otherwise: the desktop app's userData, from HOME, XDG_CONFIG_HOME or APPDATA. */
  defaultDataDir: string;
  retry: RetryTiming;
  /** BATON_ISOLATION: how the processes of an agent's run are kept findable (default auto). */
  isolation: Isolation;
  /** BATON_TEST_CLOCK=skip-waits, for tests only: the orchestrator's waits end at once (see skippingClock). */
  skipWaits: boolean;
}

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): BatonEnvironment {
  const parsed = environmentSchema.safeParse({
    BATON_DB: env.BATON_DB,
    BATON_CLAUDE_BIN: env.BATON_CLAUDE_BIN,
    BATON_CODEX_BIN: env.BATON_CODEX_BIN,
    BATON_GEMINI_BIN: env.BATON_GEMINI_BIN,
    BATON_RETRY_BASE_MS: env.BATON_RETRY_BASE_MS,
    BATON_RETRY_MAX_MS: env.BATON_RETRY_MAX_MS,
    BATON_ISOLATION: env.BATON_ISOLATION,
    BATON_TEST_CLOCK: env.BATON_TEST_CLOCK,
  });
  if (!parsed.success) throw new EnvironmentError(parsed.error.issues[0]?.message ?? 'invalid environment');
  return {
    databaseFile: parsed.data.BATON_DB,
    agentBinaries: {
      claude: parsed.data.BATON_CLAUDE_BIN || undefined,
      codex: parsed.data.BATON_CODEX_BIN || undefined,
      gemini: parsed.data.BATON_GEMINI_BIN || undefined,
    },
    searchPath: env.PATH,
    defaultDataDir: userDataDir(env),
    retry: {
      baseDelayMs: parsed.data.BATON_RETRY_BASE_MS ?? DEFAULT_RETRY_TIMING.baseDelayMs,
      maxDelayMs: parsed.data.BATON_RETRY_MAX_MS ?? DEFAULT_RETRY_TIMING.maxDelayMs,
    },
    isolation: parsed.data.BATON_ISOLATION ?? 'auto',
    skipWaits: parsed.data.BATON_TEST_CLOCK === 'skip-waits',
  };
}
