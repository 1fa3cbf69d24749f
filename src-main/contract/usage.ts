/**
 * Account-wide usage: what the agents' own transcripts say was spent (interactive sessions as well as
 * Baton's), imported into the store and kept after the agents delete their files. Reports are the same
 * for `baton usage`, the window's "All usage" view and browser mode.
 */
import { z } from 'zod';
import { boundedText, isCalendarDay, MAX_PATH_CHARS } from './input-bounds';
import { AGENT_KINDS } from './task-spec';
import { timeZoneSchema } from './time-zone';
import { costSourceSchema } from './views';

export const USAGE_SOURCES = ['baton', 'interactive'] as const;
export type UsageSource = (typeof USAGE_SOURCES)[number];

export const USAGE_REPORT_KINDS = ['daily', 'monthly', 'session', 'blocks'] as const;
export type UsageReportKind = (typeof USAGE_REPORT_KINDS)[number];

const day = z.string().refine(isCalendarDay, 'a date is YYYY-MM-DD, a day of the calendar from 1970 to 9999');

export const usageFilterSchema = z
  .object({
    /** Local dates (in `timeZone`), both ends included. */
    since: day.optional(),
    until: day.optional(),
    /** A project's directory (the cwd the agent ran in), as stored. */
    project: boundedText('the project', MAX_PATH_CHARS).min(1, 'the project must not be empty').optional(),
    agent: z.enum(AGENT_KINDS).optional(),
    source: z.enum([...USAGE_SOURCES, 'all']).default('all'),
    /** Where dates are counted; the system's own zone when absent. */
    timeZone: timeZoneSchema.optional(),
  })
  .refine((f) => !f.since || !f.until || f.since <= f.until, {
    message: 'since must not be after until',
    path: ['since'],
  });
export type UsageFilter = z.infer<typeof usageFilterSchema>;
export type UsageFilterInput = z.input<typeof usageFilterSchema>;

const tokens = z.number().int().nonnegative();

export const usageTokensSchema = z.object({
  inputTokens: tokens,
  outputTokens: tokens,
  /** Cache writes of both durations; `cacheWrite1hTokens` is the 1-hour part (priced at its own rate). */
  cacheCreationTokens: tokens,
  cacheWrite1hTokens: tokens.default(0),
  cacheReadTokens: tokens,
  totalTokens: tokens,
  /** Known costs only; `unknownCostTokens` says how much has none. */
  costUsd: z.number().nonnegative(),
  /** Tokens of models without prices, so a cost shown is known to be short. */
  unknownCostTokens: tokens,
  /** Where the costs came from: the agent's own figure, the price data, or none. Every report has it. */
  costSources: z.array(costSourceSchema).default([]),
});
export type UsageTokens = z.infer<typeof usageTokensSchema>;

/** One row per period and model; the period is a date (daily) or YYYY-MM (monthly). */
export const usagePeriodRowSchema = usageTokensSchema.extend({
  period: z.string(),
  model: z.string(),
  /** The same tokens split by where they were spent. */
  bySource: z.object({ baton: usageTokensSchema, interactive: usageTokensSchema }),
});
export type UsagePeriodRow = z.infer<typeof usagePeriodRowSchema>;

export const usageSessionRowSchema = usageTokensSchema.extend({
  sessionId: z.string(),
  source: z.enum(USAGE_SOURCES),
  agent: z.enum(AGENT_KINDS),
  project: z.string().nullable(),
  models: z.array(z.string()),
  firstActivity: z.number().int(),
  lastActivity: z.number().int(),
});
export type UsageSessionRow = z.infer<typeof usageSessionRowSchema>;

/** A 5-hour window as ccusage draws them: from the hour of its first message, or a gap between two. */
export const usageBlockSchema = usageTokensSchema.extend({
  id: z.string(),
  start: z.number().int(),
  end: z.number().int(),
  /** Its last message; null for a gap. */
  lastActivity: z.number().int().nullable(),
  isGap: z.boolean(),
  isActive: z.boolean(),
  models: z.array(z.string()),
  messages: z.number().int().nonnegative(),
  /** Only for a block with messages spread over some time. */
  burnRate: z.object({ tokensPerMinute: z.number(), costPerHour: z.number() }).nullable(),
  /** Only for the active block: where it ends at its burn rate. */
  projection: z.object({ totalTokens: z.number(), costUsd: z.number(), remainingMinutes: z.number() }).nullable(),
});
export type UsageBlock = z.infer<typeof usageBlockSchema>;

export const usageProjectRowSchema = usageTokensSchema.extend({ project: z.string() });
export type UsageProjectRow = z.infer<typeof usageProjectRowSchema>;

/** Where the figures came from, so a person can tell what is counted. */
export const usageOriginSchema = z.object({
  /** Transcript folders read, with the agent each belongs to. */
  directories: z.array(z.object({ agent: z.enum(AGENT_KINDS), path: z.string(), exists: z.boolean() })),
  files: z.number().int().nonnegative(),
  messages: z.number().int().nonnegative(),
  /** Baton sessions whose figures come from the session record, having no transcript imported. */
  batonSessionsWithoutTranscript: z.number().int().nonnegative(),
  /**
   * Responses counted by an earlier Baton under the old rule (a response's first line, not its final one)
   * whose files are gone, so they could not be counted again: their output tokens are likely short.
   */
  legacyMessages: z.number().int().nonnegative().default(0),
  lastImportAt: z.number().int().nullable(),
});
export type UsageOrigin = z.infer<typeof usageOriginSchema>;

export const usageReportInputSchema = z.object({
  kind: z.enum(USAGE_REPORT_KINDS),
  filter: usageFilterSchema.default({ source: 'all' }),
});

export const usageReportSchema = z.object({
  kind: z.enum(USAGE_REPORT_KINDS),
  timeZone: z.string(),
  periods: z.array(usagePeriodRowSchema),
  sessions: z.array(usageSessionRowSchema),
  blocks: z.array(usageBlockSchema),
  totals: usageTokensSchema,
});
export type UsageReport = z.infer<typeof usageReportSchema>;

/** The "All usage" view in one answer: days by source and model, the blocks, projects by cost, the origin. */
export const usageOverviewSchema = z.object({
  timeZone: z.string(),
  daily: z.array(usagePeriodRowSchema),
  /** The range's 5-hour blocks, newest first, gaps left out; at most a page of them. */
  blocks: z.array(usageBlockSchema),
  /** Blocks of the range older than those listed. */
  olderBlocks: z.number().int().nonnegative().default(0),
  projects: z.array(usageProjectRowSchema),
  totals: usageTokensSchema,
  origin: usageOriginSchema,
});
export type UsageOverview = z.infer<typeof usageOverviewSchema>;

/** What one import did; `baton import --json` prints it as its last line. */
export const importSummarySchema = z.object({
  files: z.number().int().nonnegative(),
  newFiles: z.number().int().nonnegative(),
  linesRead: z.number().int().nonnegative(),
  messages: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  /** Responses counted before at a partial line whose final line has now been read: corrected, not added. */
  corrected: z.number().int().nonnegative().default(0),
  malformed: z.number().int().nonnegative(),
  sessions: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
  /** Files and folders that could not be read, and why (the first few); every other file was imported. */
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })).default([]),
  /** How many were skipped in all. */
  skippedFiles: z.number().int().nonnegative().default(0),
});
export type ImportSummary = z.infer<typeof importSummarySchema>;

/** An import under way (or the last one), for a progress bar over files and bytes. */
export const importProgressSchema = z.object({
  state: z.enum(['idle', 'importing', 'done', 'failed']),
  filesDone: z.number().int().nonnegative(),
  filesTotal: z.number().int().nonnegative(),
  bytesDone: z.number().int().nonnegative(),
  bytesTotal: z.number().int().nonnegative(),
  error: z.string().nullable(),
  /** The last finished import's summary. */
  last: importSummarySchema.nullable(),
});
export type ImportProgress = z.infer<typeof importProgressSchema>;
