import { z } from 'zod';
import { vi } from 'vitest';
import type { BatonApi, BatonMethod, CallOutcome, HistoryCharts } from '../../src-main/contract/api';
import type { BatonEvent, SequencedEvent } from '../../src-main/contract/events';
import { taskSpecSchema, type TaskSpec, type TaskSpecInput } from '../../src-main/contract/task-spec';
import {
  importProgressSchema,
  usageOverviewSchema,
  type ImportProgress,
  type UsageOverview,
  type UsageTokens,
} from '../../src-main/contract/usage';
import type {
  CheckOutcome,
  DirectoryInfo,
  GitChange,
  SessionView,
  TaskDetail,
  TaskSummary,
  WorktreeView,
} from '../../src-main/contract/views';
import { BatonCallError } from '../../src-renderer/errors';
import type { ConnectionState, Transport } from '../../src-renderer/transport/transport';

/** A full task spec, defaults filled in by the contract's schema, as main reports it. */
export function spec(overrides: Partial<TaskSpecInput> = {}): TaskSpec {
  return taskSpecSchema.parse({
    dir: '/work/demo',
    prompt: 'Make the tests pass',
    model: 'claude-sonnet-4-5',
    maxIterations: 3,
    ...overrides,
  });
}

export function summary(overrides: Partial<TaskSummary> = {}): TaskSummary {
  return {
    id: 'task-1',
    projectId: 'project-1',
    workingDir: '/work/demo',
    title: 'Make the tests pass',
    prompt: 'Make the tests pass',
    agent: 'claude',
    model: 'claude-sonnet-4-5',
    spec: spec(),
    status: 'queued',
    statusReason: null,
    createdAt: 1_700_000_000_000,
    startedAt: null,
    finishedAt: null,
    iterations: 0,
    totals: {
      inputTokens: 0,
      outputTokens: 0,
      cacheCreationTokens: 0,
      cacheReadTokens: 0,
      totalTokens: 0,
      turns: 0,
      costUsd: 0,
    },
    averageTokensPerIteration: 0,
    durationMs: 0,
    apiDurationMs: 0,
    ...overrides,
  };
}

/** A task's totals: `tokens` input tokens over one turn, costing `costUsd`. */
export function taskTotals(tokens: number, costUsd: number): TaskSummary['totals'] {
  return {
    inputTokens: tokens,
    outputTokens: 0,
    cacheCreationTokens: 0,
    cacheReadTokens: 0,
    totalTokens: tokens,
    turns: 1,
    costUsd,
  };
}

export function session(overrides: Partial<SessionView> = {}): SessionView {
  return {
    sessionId: 'aaaaaaaa-0000-4000-8000-000000000001',
    iteration: 1,
    status: 'completed',
    startedAt: 1_700_000_001_000,
    endedAt: 1_700_000_005_000,
    model: 'claude-sonnet-4-5',
    inputTokens: 100,
    outputTokens: 50,
    cacheCreationTokens: 1000,
    cacheReadTokens: 2000,
    turns: 2,
    costUsd: 0.0123,
    costSource: 'agent',
    durationMs: 4000,
    apiDurationMs: 3500,
    exitCode: 0,
    errorKind: null,
    error: null,
    resultExcerpt: 'done',
    permissionDenials: 0,
    retries: [],
    ...overrides,
  };
}

/** What an iteration changed: two files, as `git diff --numstat` would count them. */
export function gitChange(overrides: Partial<GitChange> = {}): GitChange {
  return {
    commitBefore: '1111111111111111111111111111111111111111',
    commitAfter: '2222222222222222222222222222222222222222',
    filesChanged: 2,
    insertions: 12,
    deletions: 3,
    files: [
      { path: 'src/app.ts', insertions: 10, deletions: 3, binary: false },
      { path: 'README.md', insertions: 2, deletions: 0, binary: false },
    ],
    ...overrides,
  };
}

export function checkOutcome(overrides: Partial<CheckOutcome> = {}): CheckOutcome {
  return { exitCode: 1, durationMs: 2300, output: 'FAIL test/app.test.ts\n1 failed', timedOut: false, ...overrides };
}

export function worktree(overrides: Partial<WorktreeView> = {}): WorktreeView {
  return {
    path: '/data/baton/worktrees/task-1',
    branch: 'baton/task-1',
    baseCommit: 'abcdef0123456789abcdef0123456789abcdef01',
    baseBranch: 'main',
    state: 'active',
    present: true,
    ...overrides,
  };
}

export function directoryInfo(overrides: Partial<DirectoryInfo> = {}): DirectoryInfo {
  return { exists: true, gitRepository: true, hasCommits: true, branch: 'main', gitProblem: null, ...overrides };
}

/** One file's diff as `git diff` prints it. */
export const APP_PATCH = `diff --git a/src/app.ts b/src/app.ts
index 1111111..2222222 100644
--- a/src/app.ts
+++ b/src/app.ts
@@ -1,3 +1,4 @@
 const a = 1;
-const b = 2;
+const b = 3;
+export const greeting = 'hello';
 console.log(a, b);
`;

/** A file added, as `git diff` prints it. */
export const NEW_FILE_PATCH = `diff --git a/docs/notes.md b/docs/notes.md
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/docs/notes.md
@@ -0,0 +1,2 @@
+# Notes
+Written by the agent.
`;

export function detail(overrides: Partial<TaskDetail> = {}): TaskDetail {
  return { ...summary(), sessions: [], ...overrides };
}

/** Token counts and a cost, every kind zero unless given; totalTokens is their sum. */
export function usageTokens(overrides: Partial<UsageTokens> = {}): UsageTokens {
  const counts = { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, ...overrides };
  return {
    cacheWrite1hTokens: 0,
    ...counts,
    totalTokens: counts.inputTokens + counts.outputTokens + counts.cacheCreationTokens + counts.cacheReadTokens,
    costUsd: 0,
    unknownCostTokens: 0,
    costSources: [],
    ...overrides,
  };
}

/** History's charts and usage strip over nothing spent: no rows, every figure zero unless given. */
export function historyCharts(summary: Partial<HistoryCharts['summary']> = {}): HistoryCharts {
  return {
    bucket: 'day',
    costOverTime: [],
    tokensByModel: [],
    costByAgent: [],
    costByProject: [],
    summary: {
      spentTodayUsd: 0,
      spentThisWeekUsd: 0,
      spentThisMonthUsd: 0,
      unknownCostTokensToday: 0,
      unknownCostTokensThisWeek: 0,
      unknownCostTokensThisMonth: 0,
      tasks: 0,
      sessions: 0,
      costUsd: 0,
      unknownCostTokens: 0,
      totalTokens: 0,
      cacheSavingsUsd: 0,
      averageCostPerTaskUsd: null,
      ...summary,
    },
  };
}

/** An overview with nothing imported, checked against the contract's schema as main would send it. */
export function usageOverview(
  overrides: Partial<UsageOverview> & { olderBlocks?: number } = {},
): UsageOverview & { olderBlocks: number } {
  return usageOverviewSchema.extend({ olderBlocks: z.number().int().nonnegative().default(0) }).parse({
    timeZone: 'UTC',
    daily: [],
    blocks: [],
    projects: [],
    totals: usageTokens(),
    origin: {
      directories: [{ agent: 'claude', path: '/home/me/.claude/projects', exists: true }],
      files: 0,
      messages: 0,
      batonSessionsWithoutTranscript: 0,
      lastImportAt: null,
    },
    ...overrides,
  });
}

export function importProgress(overrides: Partial<ImportProgress> = {}): ImportProgress {
  return importProgressSchema.parse({
    state: 'idle',
    filesDone: 0,
    filesTotal: 0,
    bytesDone: 0,
    bytesTotal: 0,
    error: null,
    last: null,
    ...overrides,
  });
}

/** localStorage in memory, with its entries open to the test. */
export function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), data };
}

type Handlers = Partial<{ [M in BatonMethod]: BatonApi[M] }>;

/** A typed fake client: every method is a vi.fn; missing ones reject as a real server would. */
export function fakeClient(handlers: Handlers = {}) {
  const client = {} as { [M in BatonMethod]: ReturnType<typeof vi.fn> & BatonApi[M] };
  const methods: BatonMethod[] = [
    'getAppInfo',
    'launchTask',
    'stopTask',
    'listTasks',
    'getTask',
    'getSessionEvents',
    'getLiveState',
    'getEventsSince',
    'getHistoryCharts',
    'exportTasks',
    'listProjects',
    'pickDirectory',
    'resumeTask',
    'getSettings',
    'updateSettings',
    'getSpending',
    'listModelPrices',
    'getQuota',
    'getDirectoryInfo',
    'getDiff',
    'mergeTask',
    'discardTask',
    'doctor',
    'getUsageReport',
    'getUsageOverview',
    'importTranscripts',
    'getImportProgress',
  ];
  for (const m of methods) {
    const handler = handlers[m] as ((input: unknown) => Promise<unknown>) | undefined;
    (client as Record<string, unknown>)[m] = vi.fn(handler ?? (() => Promise.reject(new Error(`${m} not faked`))));
  }
  return client;
}

/** What a service with nothing in it answers the Tasks view's loads (the live state, the launch form's). */
export function emptyTasksViewAnswer(method: string): unknown {
  switch (method) {
    case 'getLiveState':
      return { tasks: [], currentEvents: {} };
    case 'listTasks':
      return { tasks: [], total: 0 };
    case 'listProjects':
      return [];
    case 'getSettings':
      return { taskDefaults: {}, dailyBudgetUsd: null, maxConcurrentTasks: 2 };
    case 'getSpending':
      return { spentTodayUsd: 0, dailyBudgetUsd: null };
    case 'listModelPrices':
      return { models: [] };
    default:
      throw new Error(`unexpected ${method}`);
  }
}

/** A transport whose calls go to a handler, and whose events, state and resyncs the test drives. */
export class FakeTransport implements Transport {
  state: ConnectionState = 'open';
  readonly calls: { method: string; input: unknown }[] = [];
  private readonly eventListeners = new Set<(e: BatonEvent, seq: number) => void>();
  /** The seq of the last event emitted, as the service numbers them, and the events emitted. */
  seq = 0;
  readonly sent: SequencedEvent[] = [];
  private readonly resyncListeners = new Set<() => void>();
  private readonly stateListeners = new Set<(s: ConnectionState) => void>();

  constructor(private readonly handle: (method: string, input: unknown) => Promise<unknown>) {}

  async call(method: string, input: unknown): Promise<CallOutcome> {
    this.calls.push({ method, input });
    try {
      // As a service would: its live state is valid at the last seq sent, and what came since is at hand.
      if (method === 'getEventsSince') {
        const { seq } = input as { seq: number };
        return { ok: true, value: { events: this.sent.filter((e) => e.seq > seq) } };
      }
      const value = await this.handle(method, input);
      if (method === 'getLiveState') {
        return { ok: true, value: { feed: 'fake-feed', seq: this.seq, tasksSeq: this.seq, ...(value as object) } };
      }
      return { ok: true, value };
    } catch (error) {
      // A thrown BatonCallError stands for a coded failure with its issues; anything else is a plain invalid input.
      if (error instanceof BatonCallError) {
        return { ok: false, error: { code: error.code, message: error.message, issues: [...error.issues] } };
      }
      return { ok: false, error: { code: 'invalid_input', message: (error as Error).message, issues: [] } };
    }
  }
  subscribe(listener: (e: BatonEvent, seq: number) => void) {
    this.eventListeners.add(listener);
    return () => void this.eventListeners.delete(listener);
  }
  onResync(listener: () => void) {
    this.resyncListeners.add(listener);
    return () => void this.resyncListeners.delete(listener);
  }
  onStateChange(listener: (s: ConnectionState) => void) {
    this.stateListeners.add(listener);
    return () => void this.stateListeners.delete(listener);
  }
  getState() {
    return this.state;
  }
  close() {
    this.setState('closed');
  }
  /** Delivers the event with the next seq (or the one given, to stand for a gap or a repeat). */
  emit(event: BatonEvent, seq = this.seq + 1) {
    this.seq = Math.max(this.seq, seq);
    this.sent.push({ seq, event });
    for (const l of this.eventListeners) l(event, seq);
  }
  resync() {
    for (const l of this.resyncListeners) l();
  }
  setState(state: ConnectionState) {
    this.state = state;
    for (const l of this.stateListeners) l(state);
  }
}
