/**
 * Runs a task as a series of iterations, each in a fresh agent session with a
 * new uuid, recording every session and publishing every step on the bus.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { v4 as uuidv4 } from 'uuid';
import {
  type AgentEvent,
  type AgentResult,
  type RateLimitInfo,
  type TokenUsage,
  type WaitCause,
  maxUsage,
  zeroUsage,
} from '../../contract/agent-events';
import type { ServiceSpeed } from '../../contract/models';
import { type InputIssue, inputIssuesOf } from '../../contract/api';
import {
  type AgentKind,
  describeSpecError,
  type TaskSpec,
  type TaskSpecInput,
  taskSpecSchema,
} from '../../contract/task-spec';
import {
  RESUMABLE_STATUSES,
  type CheckOutcome,
  type RetryEntry,
  type RunnerHost,
  type SessionView,
  type TaskStatus,
  type TaskSummary,
} from '../../contract/views';
import type { AgentRunner, AgentRunOutcome } from '../agents/agent-runner';
import type { EventBus } from '../events/event-bus';
import { formatPreciseCost, formatTokens, plural, sumTokens } from '../../contract/format';
import { budgetDay } from '../budget-day';
import { type Pricing, pricingWith } from '../pricing';
import type { NewWorktree, SessionFinish, TaskStore, UsageSoFar } from '../store/task-store';
import { findRepository } from '../git/repository';
import { createWorktree, discardWorktree, WorktreeError, worktreePlan } from '../git/worktree';
import { removeJournal, writeJournal } from './worktree-journal';
import { runCompletionCheck } from './completion-check';
import {
  finishInterruptedChanges,
  openWorkspace,
  recordChange,
  snapshotBefore,
  type TaskWorkspace,
  WorkspaceUnavailableError,
  worktreeProblem,
} from './workspace';
import { type QuotaWait, spentWindow, windowToWaitFor } from './quota';
import { AgentRetryWatch, apiWaitAfter } from './api-wait';
import { buildIterationPrompt, type CheckFeedback, type PreviousIteration } from './iteration-prompt';

/** A task fails after this many failed iterations in a row. */
export const MAX_CONSECUTIVE_FAILURES = 3;
const RESULT_EXCERPT_CHARS = 2000;

/** A spec or a request the caller must fix; `issues` name the fields at fault, when there are any. */
export class InvalidTaskError extends Error {
  override readonly name = 'InvalidTaskError';
  constructor(
    message: string,
    readonly issues: InputIssue[] = [],
  ) {
    super(message);
  }
}

export class TaskAlreadyRunningError extends Error {
  override readonly name = 'TaskAlreadyRunningError';
}

export class TaskNotFoundError extends Error {
  override readonly name = 'TaskNotFoundError';
}

/** The agent turned a new task away at its first iteration, so the launch was taken back: nothing of it is kept. */
export class LaunchWithdrawnError extends Error {
  override readonly name = 'LaunchWithdrawnError';
}

export interface RetryTiming {
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_TIMING: RetryTiming = { baseDelayMs: 2000, maxDelayMs: 60_000 };

export interface OrchestratorOptions {
  retry?: RetryTiming;
  /** For the jitter; tests pin it. */
  random?: () => number;
  store: TaskStore;
  /** Claude Code's runner, and every agent's unless `agents` names another. */
  agent: AgentRunner;
  /** The runner of each agent a task may ask for; one not here runs `agent` only when it is Claude Code. */
  agents?: Partial<Record<AgentKind, AgentRunner>>;
  bus: EventBus;
  /** Recorded on running sessions, so another process can tell whether they are still alive. */
  pid?: number;
  /** What kind of process this is, recorded with the pid on its tasks: a window that cannot stop one says where it runs. */
  host?: RunnerHost;
  now?: () => number;
  /** Where `--worktree` tasks get their worktrees: Baton's data directory. */
  dataDir: string;
  /** New task ids; tests pin them to know a task's branch name before it exists. */
  newTaskId?: () => string;
}

/** Validates a spec, including that its directory exists, and normalises it. */
export function validateTaskSpec(input: TaskSpecInput): TaskSpec {
  const parsed = taskSpecSchema.safeParse(input);
  if (!parsed.success) throw new InvalidTaskError(describeSpecError(parsed.error), inputIssuesOf(parsed.error));
  const spec = parsed.data;
  // Every text of a spec ends up in an argument, a shell command or the agent's prompt, none of which can hold
  // a NUL byte: refused here, it would only fail each iteration at spawn. (The prompt and check say so in the schema.)
  for (const [field, value] of Object.entries(spec)) {
    if (!(Array.isArray(value) ? value : [value]).some((text) => typeof text === 'string' && text.includes('\0'))) {
      continue;
    }
    const message = `the ${field.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)} must not contain a NUL byte (\\0)`;
    throw new InvalidTaskError(message, [{ path: [field], message }]);
  }
  const dirError = (message: string) => new InvalidTaskError(message, [{ path: ['dir'], message }]);
  // Resolved here, a relative path would mean the folder Baton happens to run in: each front end resolves its own.
  if (!path.isAbsolute(spec.dir)) {
    throw dirError(`the project directory must be an absolute path, not ${spec.dir} (~ is not expanded)`);
  }
  const dir = path.resolve(spec.dir);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    throw dirError(`project directory ${dir} does not exist`);
  }
  if (!isDirectory) throw dirError(`project directory ${dir} is not a directory`);
  return { ...spec, dir };
}

const worktreeRefusal = (message: string) => new InvalidTaskError(message, [{ path: ['worktree'], message }]);

/** The repository and commit a `--worktree` task would branch from, or a refusal naming what is missing. */
async function worktreeBase(dir: string): Promise<{ root: string; head: string; branch: string | null }> {
  const lookup = await findRepository(dir);
  if (lookup.kind === 'git_unavailable') throw worktreeRefusal(`--worktree needs git: ${lookup.reason}`);
  if (lookup.kind === 'not_a_repository') {
    throw worktreeRefusal(`--worktree needs a git repository, and ${dir} is not in one`);
  }
  const { root, head, branch } = lookup.repository;
  if (!head) throw worktreeRefusal(`--worktree needs a commit to branch from, and the repository ${root} has none yet`);
  return { root, head, branch };
}

/**
 * Checks what of a spec needs no database, the repository of a `--worktree` task included, writing nothing:
 * a command refuses such input before it opens one. What needs the store (the agent, a budget's prices,
 * today's budget) is the orchestrator's checkNewTask.
 */
export async function checkLaunch(input: TaskSpecInput): Promise<TaskSpec> {
  const spec = validateTaskSpec(input);
  if (spec.worktree) await worktreeBase(spec.dir);
  return spec;
}

function titleOf(spec: TaskSpec): string {
  if (spec.title) return spec.title;
  const firstLine = spec.prompt.split('\n')[0] ?? spec.prompt;
  return firstLine.length > 80 ? `${firstLine.slice(0, 79)}…` : firstLine;
}

/**
 * What an attempt cost, and by whose account: the agent's own cost where it reported one (Claude Code), with the
 * computed one kept beside it; else the one computed from the tokens; else none (a model the prices do not know).
 */
interface CostOf {
  costUsd: number;
  costSource: 'agent' | 'estimated';
  computedCostUsd: number | null;
  costUnknown: boolean;
}

function costOf(agentCostUsd: number | null | undefined, computedCostUsd: number | null): CostOf {
  if (typeof agentCostUsd === 'number')
    return { costUsd: agentCostUsd, costSource: 'agent', computedCostUsd, costUnknown: false };
  return {
    costUsd: computedCostUsd ?? 0,
    costSource: 'estimated',
    computedCostUsd,
    costUnknown: computedCostUsd === null,
  };
}

function sessionFinishFrom(
  outcome: AgentRunOutcome,
  wallMs: number,
  model: string | null,
  pricing: Pricing,
): SessionFinish {
  const result: AgentResult | null = outcome.result;
  // The result's usage is the authority, but some results (a stop at the budget) report none:
  // what the stream showed is then the best record of what was spent.
  const usage = maxUsage(result?.usage ?? zeroUsage(), outcome.usageSeen ?? zeroUsage());
  const status = outcome.error === null ? 'completed' : outcome.error.kind === 'cancelled' ? 'cancelled' : 'failed';
  return {
    status,
    model,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cacheCreationTokens: usage.cacheCreationTokens,
    cacheReadTokens: usage.cacheReadTokens,
    cacheWrite1hTokens: usage.cacheWrite1hTokens ?? 0,
    speed: outcome.speed ?? 'standard',
    turns: result?.turns ?? outcome.turnsSeen,
    // Cut off before its result line, or reporting a cost that cannot be true: the tokens seen are priced.
    ...costOf(result?.costUsd, pricing.costOf(model, usage, { speed: outcome.speed })),
    durationMs: result?.durationMs ?? wallMs,
    apiDurationMs: result?.apiDurationMs ?? 0,
    exitCode: outcome.exitCode,
    retries: [],
    errorKind: outcome.error?.kind ?? null,
    errorMessage: outcome.error?.message ?? null,
    resultExcerpt: result?.resultText ? result.resultText.slice(0, RESULT_EXCERPT_CHARS) : null,
    permissionDenials: result?.permissionDenials ?? 0,
    agentSessionId: outcome.agentSessionId ?? null,
    reasoningTokens: result?.reasoningTokens ?? 0,
  };
}

/** An attempt's tokens and cost with those of the attempts retried before it added. */
function plusRetries<T extends TokenUsage & { costUsd: number }>(spent: T, retries: RetryEntry[]): T {
  const sum = (pick: (r: RetryEntry) => number) => retries.reduce((total, r) => total + pick(r), 0);
  return {
    ...spent,
    inputTokens: spent.inputTokens + sum((r) => r.inputTokens),
    outputTokens: spent.outputTokens + sum((r) => r.outputTokens),
    cacheCreationTokens: spent.cacheCreationTokens + sum((r) => r.cacheCreationTokens),
    cacheReadTokens: spent.cacheReadTokens + sum((r) => r.cacheReadTokens),
    costUsd: spent.costUsd + sum((r) => r.costUsd),
  };
}

/**
 * Failed attempts are part of what the iteration cost: their tokens, cost and denials are added to the row, and
 * the computed cost is that of all its tokens.
 */
function withRetries(
  finish: SessionFinish,
  retries: RetryEntry[],
  retriedDenials: number,
  pricing: Pricing,
): SessionFinish {
  const all = plusRetries(finish, retries);
  return {
    ...all,
    computedCostUsd:
      retries.length > 0 ? pricing.costOf(finish.model, all, { speed: finish.speed }) : finish.computedCostUsd,
    permissionDenials: finish.permissionDenials + retriedDenials,
    retries,
  };
}

/** How long usage seen on the stream may wait to be written to its running row: the most a crash loses of it. */
const USAGE_WRITE_DELAY_MS = 250;

const inputSide = (usage: TokenUsage) => usage.inputTokens + usage.cacheCreationTokens + usage.cacheReadTokens;

/**
 * Keeps what a running iteration has spent on its row, so a Baton killed before the final UPDATE leaves it for
 * recovery: while usage streams in, at most one write per USAGE_WRITE_DELAY_MS; at once for the result (with the
 * agent's cost) and when an attempt is retried. It writes what the final UPDATE would (the attempts retried so
 * far plus the current one), and recovery sets the row to it, never adds: a retried attempt counts once.
 */
class UsageSoFarWriter {
  private retries: RetryEntry[] = [];
  private usage = zeroUsage();
  private turns = 0;
  private agentCostUsd: number | null = null;
  private speed: ServiceSpeed | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly write: (soFar: UsageSoFar) => void,
    private readonly model: () => string | null,
    private readonly pricing: Pricing,
  ) {}

  seen(event: AgentEvent): void {
    if (event.kind === 'usage') {
      // A call's message_delta changes only its output: more input means a new API call, the next turn.
      if (inputSide(event.usage) > inputSide(this.usage)) this.turns++;
      this.usage = event.usage;
      this.speed = event.speed ?? this.speed;
      this.timer ??= setTimeout(() => this.flush(), USAGE_WRITE_DELAY_MS);
    } else if (event.kind === 'result') {
      const { result } = event;
      this.usage = maxUsage(result.usage, this.usage);
      this.turns = result.turns;
      this.agentCostUsd = result.costUsd;
      this.flush();
    }
  }

  /** The attempt is retried: it is in `retries` now, and the next one starts from nothing. */
  retried(retries: RetryEntry[]): void {
    this.retries = [...retries];
    this.usage = zeroUsage();
    this.turns = 0;
    this.agentCostUsd = null;
    this.flush();
  }

  /** The final UPDATE follows, and supersedes anything written here. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped) return;
    const served = { speed: this.speed };
    const cost = costOf(this.agentCostUsd, this.pricing.costOf(this.model(), this.usage, served));
    try {
      const soFar = plusRetries({ ...this.usage, costUsd: cost.costUsd }, this.retries);
      this.write({
        ...soFar,
        turns: this.turns,
        costSource: cost.costSource,
        computedCostUsd:
          this.retries.length > 0 ? this.pricing.costOf(this.model(), soFar, served) : cost.computedCostUsd,
        costUnknown: cost.costUnknown,
        ...(this.retries.length > 0 ? { retries: this.retries } : {}),
      });
    } catch (error) {
      // Only what a crash would lose: the run goes on, and its final UPDATE writes the figures anyway.
      console.error(`baton: could not keep the usage of a running session: ${(error as Error).message}`);
    }
  }
}

/** A usage event as the bus carries it: priced at list prices when the model's are known, unpriced otherwise. */
function withEstimatedCost(event: AgentEvent, model: string | null, pricing: Pricing): AgentEvent {
  if (event.kind !== 'usage') return event;
  const estimatedCostUsd = pricing.costOf(model, event.usage, { speed: event.speed });
  return estimatedCostUsd === null ? event : { ...event, estimatedCostUsd };
}

/** setTimeout fires at once past this (about 24.8 days); a 7-day window's wait is cut into pieces below it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Resolves true after `ms`, or false as soon as the signal aborts. */
async function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  let left = ms;
  while (left > MAX_TIMER_MS) {
    if (!(await sleepBelowTimerLimit(MAX_TIMER_MS, signal))) return false;
    left -= MAX_TIMER_MS;
  }
  return sleepBelowTimerLimit(left, signal);
}

function sleepBelowTimerLimit(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    // A time already past (a window that reopened while the iteration ran) is no wait; Node 24 warns on
    // a negative delay, on the command's stderr.
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      },
      Math.max(0, ms),
    );
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const NETWORK_ERROR =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|socket hang up|fetch failed|network|connection error/i;

interface IterationRecord {
  session: SessionView;
  outcome: AgentRunOutcome;
  /** The completion check run after it, when it ran one. */
  check?: CheckRun;
  /** Set when the task must end here: stopped at a spent window, or over budget after a wait. */
  ending?: TaskEnding;
}

interface TaskEnding {
  status: TaskStatus;
  reason: string;
  /** When a task stopped for a spent window could go on. */
  wakeAt?: number | null;
  /** The launch is taken back rather than ended: see LaunchWithdrawnError. */
  withdraw?: boolean;
}

/**
 * Iterations a spent window turned away and that never got their turn: stopped at the window
 * (on-quota stop, or by the user while waiting) or cut by a crash while waiting. They do not
 * count toward max iterations, so a resumed task still gets all of its own.
 */
function turnedAway(sessions: readonly SessionView[]): number {
  return sessions.filter((s) => s.errorKind === 'quota_exhausted').length;
}

/** The session's id as its agent knows it, which a fork continues from. */
const agentIdOf = (session: SessionView | undefined) => session && (session.agentSessionId ?? session.sessionId);

/** What a resumed task carries over from its earlier iterations: the last result, and the session to fork from. */
function carriedOver(sessions: readonly SessionView[]): { previous?: PreviousIteration; lastGoodSessionId?: string } {
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

/** What one run of a task works with: the task, its spec as it runs, and where it runs. */
interface TaskRun {
  taskId: string;
  title: string;
  spec: TaskSpec;
  workspace: TaskWorkspace;
  runner: AgentRunner;
}

/** A check's outcome as stored, and whether the user's stop cut it short. */
interface CheckRun extends CheckOutcome {
  cancelled: boolean;
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

export class Orchestrator {
  private readonly dataDir: string;
  private readonly newTaskId: () => string;
  private readonly store: TaskStore;
  private readonly runners: Partial<Record<AgentKind, AgentRunner>>;
  private readonly bus: EventBus;
  private readonly pid: number;
  private readonly host: RunnerHost | null;
  private readonly now: () => number;
  private readonly retry: RetryTiming;
  private readonly random: () => number;

  constructor(options: OrchestratorOptions) {
    this.retry = options.retry ?? DEFAULT_RETRY_TIMING;
    this.random = options.random ?? Math.random;
    this.store = options.store;
    this.runners = { claude: options.agent, ...options.agents };
    this.bus = options.bus;
    this.pid = options.pid ?? process.pid;
    this.host = options.host ?? null;
    this.now = options.now ?? Date.now;
    this.dataDir = options.dataDir;
    this.newTaskId = options.newTaskId ?? uuidv4;
  }

  /** Validates the spec and records the task as queued. Nothing is written when the launch is refused. */
  async createTask(input: TaskSpecInput): Promise<TaskSummary> {
    const spec = await this.checkNewTask(input);
    const id = this.newTaskId();
    const worktree = spec.worktree ? await this.makeWorktree(id, spec.dir) : undefined;
    try {
      await this.store.createTask({
        id,
        spec,
        title: titleOf(spec),
        agent: spec.agent,
        ownerPid: this.pid,
        ownerHost: this.host,
        worktree,
      });
    } catch (error) {
      // No task row, so no worktree either: a launch that fails leaves nothing behind (or, where git could not
      // remove it, its note, by which `baton doctor` finds it).
      if (worktree) {
        await discardWorktree(worktree).then(
          () => removeJournal(worktree.path, 'launching'),
          () => undefined,
        );
      }
      throw error;
    }
    if (worktree) removeJournal(worktree.path, 'launching');
    const task = await this.requireSummary(id);
    this.bus.publish({ type: 'task.queued', taskId: task.id, task });
    return task;
  }

  /**
   * Everything createTask refuses, checked before it makes anything (a worktree, a branch, a row): the
   * spec, its agent, a budget's prices, today's budget, the repository. A batch checks every task with it
   * before it makes the first.
   */
  async checkNewTask(input: TaskSpecInput): Promise<TaskSpec> {
    const spec = validateTaskSpec(input);
    await this.refuseUnpricedBudget(spec, this.runnerFor(spec));
    const today = await this.dailyBudgetLeft();
    if ('exceeded' in today) {
      const message = `${today.exceeded}: the task was not launched; raise the daily budget in Settings (or baton settings --daily-budget-usd), or launch it tomorrow`;
      throw new InvalidTaskError(message, [{ path: [], message }]);
    }
    if (spec.worktree) await worktreeBase(spec.dir);
    return spec;
  }

  /** A new worktree on branch baton/<short id> from the directory's HEAD, or a refusal naming what is wrong. */
  private async makeWorktree(taskId: string, dir: string): Promise<NewWorktree> {
    const { root, head, branch } = await worktreeBase(dir);
    const plan = worktreePlan(this.dataDir, taskId);
    // Until the task's row is written, a crash would leave the branch and folder to no task: the note says whose.
    const note = () => writeJournal({ kind: 'launching', taskId, repositoryRoot: root, ...plan });
    try {
      await createWorktree(root, { ...plan, base: head }, note);
    } catch (error) {
      if (error instanceof WorktreeError) throw worktreeRefusal(error.message);
      // git makes the branch before the folder, and keeps it when the folder cannot be made: it goes too.
      await discardWorktree({ repositoryRoot: root, ...plan, baseBranch: branch }).catch(() => undefined);
      throw worktreeRefusal(`could not make the worktree: ${(error as Error).message}`);
    }
    return { repositoryRoot: root, path: plan.path, branch: plan.branch, baseCommit: head, baseBranch: branch };
  }

  /** The runner of the spec's agent, or a refusal when there is none or it cannot do what the spec asks. */
  runnerFor(spec: TaskSpec): AgentRunner {
    const runner = this.runners[spec.agent];
    if (!runner) {
      const message = `the ${spec.agent} agent is not available here`;
      throw new InvalidTaskError(message, [{ path: ['agent'], message }]);
    }
    if (spec.context === 'fork' && runner.canFork === false) {
      const message = `the ${spec.agent} agent cannot start a session from an earlier one's conversation, so context "fork" is not possible with it; use "fresh"`;
      throw new InvalidTaskError(message, [{ path: ['context'], message }]);
    }
    return runner;
  }

  /**
   * A budget is kept by what sessions cost: an agent that reports no cost of its own (Codex, Gemini) on a
   * model without prices would spend it unseen, so such a launch is refused, saying how to give the prices.
   */
  private async refuseUnpricedBudget(spec: TaskSpec, runner: AgentRunner): Promise<void> {
    if (spec.budgetUsd === undefined || runner.reportsCost !== false) return;
    if (spec.model && pricingWith(await this.store.modelPrices(), spec.agent).priceFor(spec.model)) return;
    const message = spec.model
      ? `a budget needs the model's prices, and Baton has none for ${spec.model}: add them in Settings (or baton settings --model-price)`
      : `a budget needs the model's prices: name the model the ${spec.agent} agent should use, so its prices are known`;
    throw new InvalidTaskError(message, [{ path: ['budgetUsd'], message }]);
  }

  /** Statuses a task can be resumed from: it stopped before it was done. */
  static readonly RESUMABLE: readonly TaskStatus[] = RESUMABLE_STATUSES;

  /**
   * Checks that a task can continue: it exists and stopped before it was done.
   * Running it again (runTask) goes on from its next iteration, in a fresh session.
   */
  async prepareResume(taskId: string): Promise<TaskSummary> {
    const task = await this.requireSummary(taskId);
    if (!Orchestrator.RESUMABLE.includes(task.status)) {
      throw new InvalidTaskError(
        `task ${taskId} is ${task.status}; only an interrupted, cancelled or failed task can be resumed`,
      );
    }
    const worktree = await this.store.worktreeOf(taskId);
    const problem = worktree && worktreeProblem(worktree);
    if (problem) throw new InvalidTaskError(`task ${taskId} cannot be resumed: ${problem}`);
    const max = task.spec.maxIterations;
    if (task.iterations >= max + turnedAway(await this.store.sessionsOfTask(taskId))) {
      const all = max === 1 ? 'its one iteration' : `all ${plural(max, 'iteration')}`;
      throw new InvalidTaskError(`task ${taskId} has already run ${all}`);
    }
    return task;
  }

  /**
   * Takes back a task made but never started (one of a batch that could not be made whole): its worktree and
   * branch, then its rows. Refuses a task that has started: what it ran is kept.
   */
  async takeBackUnstarted(taskId: string, reason: string): Promise<void> {
    const task = await this.requireSummary(taskId);
    if (task.status !== 'queued' || task.startedAt !== null) {
      throw new TaskAlreadyRunningError(`task ${taskId} has started; it cannot be taken back`);
    }
    const worktree = await this.store.worktreeOf(taskId);
    if (worktree) await discardWorktree(worktree);
    await this.store.withdrawTask(taskId);
    this.bus.publish({ type: 'task.withdrawn', taskId, reason, task });
  }

  /** Stops a task that is still waiting for its turn; false when it has already started (or ended). */
  async skipQueuedIfWaiting(taskId: string): Promise<boolean> {
    if (!(await this.store.cancelQueued(taskId))) return false;
    const task = await this.requireSummary(taskId);
    this.bus.publish({ type: 'task.finished', taskId, status: task.status, reason: task.statusReason ?? '', task });
    return true;
  }

  /** Ends a queued task that was stopped before its turn, without running it. */
  async skipQueued(taskId: string): Promise<TaskSummary> {
    await this.skipQueuedIfWaiting(taskId);
    return this.requireSummary(taskId);
  }

  /** Runs a queued task to its end. Agent failures end up in the task's status, never as a throw. */
  async runTask(taskId: string, signal?: AbortSignal): Promise<TaskSummary> {
    const task = await this.requireSummary(taskId);
    // Checked again: the directory may be gone since the task was queued.
    const spec = validateTaskSpec(task.spec);
    const sessions = await this.store.sessionsOfTask(taskId);
    if (!(await this.store.markTaskRunning(taskId, this.pid, this.host))) {
      throw new TaskAlreadyRunningError(`task ${taskId} is already running`);
    }
    this.bus.publish({ type: 'task.started', taskId });

    let ending: TaskEnding;
    let workspace: TaskWorkspace | undefined;
    try {
      workspace = await openWorkspace(spec.dir, await this.store.worktreeOf(taskId));
      await this.store.setChangeTracking(taskId, workspace.tracking);
      await finishInterruptedChanges(this.store, { id: taskId, title: task.title }, workspace);
      const lastIteration = spec.maxIterations + turnedAway(sessions);
      const run = { taskId, title: task.title, spec, workspace, runner: this.runnerFor(spec) };
      ending = await this.iterate(run, task.iterations + 1, lastIteration, carriedOver(sessions), signal);
    } catch (error) {
      ending =
        error instanceof WorkspaceUnavailableError
          ? { status: 'failed', reason: error.message }
          : { status: 'failed', reason: `internal error: ${(error as Error).message}` };
    }
    if (ending.withdraw && workspace && (await this.withdraw(taskId, workspace, ending.reason))) {
      throw new LaunchWithdrawnError(`${ending.reason.replace(/\.$/, '')}; the task was not kept`);
    }
    await this.store.finishTask(taskId, ending.status, ending.reason, ending.wakeAt ?? null);
    const finished = await this.requireSummary(taskId);
    this.bus.publish({ type: 'task.finished', taskId, status: ending.status, reason: ending.reason, task: finished });
    return finished;
  }

  /**
   * Takes a launch back: what it left in git (a failure there is only logged), then its rows in one
   * transaction. False when the rows could not go: the task then ends as failed like any other.
   */
  private async withdraw(taskId: string, workspace: TaskWorkspace, reason: string): Promise<boolean> {
    try {
      const task = await this.requireSummary(taskId);
      await workspace.forget(taskId).catch((error: unknown) => {
        console.error(`baton: could not remove what task ${taskId} left in git: ${(error as Error).message}`);
      });
      await this.store.withdrawTask(taskId);
      this.bus.publish({ type: 'task.withdrawn', taskId, reason, task });
      return true;
    } catch (error) {
      console.error(`baton: could not take back task ${taskId}: ${(error as Error).message}`);
      return false;
    }
  }

  private async iterate(
    run: TaskRun,
    firstIteration: number,
    lastIteration: number,
    carried: { previous?: PreviousIteration; lastGoodSessionId?: string },
    signal: AbortSignal | undefined,
  ): Promise<TaskEnding> {
    const { taskId, spec } = run;
    let previous = carried.previous;
    let checkFeedback: CheckFeedback | undefined;
    let lastGoodSessionId = carried.lastGoodSessionId;
    let failuresInARow = 0;
    let idle: IdleRun = { count: 0, output: null };

    for (let iteration = firstIteration; iteration <= lastIteration; iteration++) {
      if (signal?.aborted) return { status: 'cancelled', reason: 'stopped by the user' };

      const budget = await this.readyToRun(taskId, spec, signal);
      if ('ending' in budget) {
        // A task the daily budget turns away before its first iteration (its turn came after the budget was
        // spent) is a launch refused, taken back whole like one refused at once.
        const refused = iteration === 1 && budget.ending.status === 'budget_exceeded';
        return refused ? { ...budget.ending, withdraw: true } : budget.ending;
      }

      const forkFrom = spec.context === 'fork' ? lastGoodSessionId : undefined;
      const prompt = buildIterationPrompt({
        spec,
        iteration,
        forked: forkFrom !== undefined,
        previous,
        check: checkFeedback,
      });
      const { session, outcome, ending, check } = await this.runIteration(
        run,
        iteration,
        lastIteration,
        prompt,
        forkFrom,
        budget.maxBudgetUsd,
        signal,
      );
      if (ending) return ending;
      if (outcome.result?.subtype === 'error_max_budget_usd') {
        return { status: 'budget_exceeded', reason: `the agent stopped at its budget in iteration ${iteration}` };
      }

      if (session.status === 'cancelled') return { status: 'cancelled', reason: 'stopped by the user' };
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
      previous = { iteration, outcome: outcome.result?.resultText || outcome.error?.message || '(no output)' };
      if (session.status === 'completed') {
        failuresInARow = 0;
        lastGoodSessionId = agentIdOf(session);
      } else {
        failuresInARow++;
      }

      if (check) {
        if (check.cancelled) return { status: 'cancelled', reason: 'stopped by the user' };
        if (check.timedOut) {
          return {
            status: 'failed',
            reason: `completion check \`${spec.check}\` timed out after ${spec.checkTimeoutSeconds}s`,
          };
        }
        if (check.exitCode === 0)
          return { status: 'completed', reason: `completion check passed after iteration ${iteration}` };
        checkFeedback = { exitCode: check.exitCode, output: check.output };
      } else if (session.status === 'completed' && outcome.result?.resultText.includes(spec.completionMarker)) {
        return { status: 'completed', reason: `agent reported the task complete in iteration ${iteration}` };
      }

      idle = idleAfter(idle, session, check);
      if (spec.stallAfter > 0 && idle.count >= spec.stallAfter) {
        const unchanged = spec.check ? ' and left the check’s output as it was' : '';
        return {
          status: 'stalled',
          reason: `${plural(idle.count, 'iteration')} in a row changed no file${unchanged} (stall after ${spec.stallAfter})`,
        };
      }

      if (failuresInARow >= MAX_CONSECUTIVE_FAILURES) {
        return {
          status: 'failed',
          reason: `${plural(failuresInARow, 'iteration')} in a row failed; last: ${session.error ?? 'unknown error'}`,
        };
      }
    }
    if (signal?.aborted) return { status: 'cancelled', reason: 'stopped by the user' };
    return { status: 'max_iterations', reason: `reached its limit of ${plural(spec.maxIterations, 'iteration')}` };
  }

  /**
   * One iteration: a new session id, one INSERT, the agent run, and one
   * UPDATE in `finally`. A transient failure is retried under a new session
   * id (the CLI refuses a used one); the row takes the id of the last attempt
   * and keeps the earlier attempts, with their tokens, in its retry log.
   */
  private async runIteration(
    run: TaskRun,
    iteration: number,
    lastIteration: number,
    prompt: string,
    forkFrom: string | undefined,
    initialBudgetUsd: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<IterationRecord> {
    const { taskId, spec, workspace } = run;
    let sessionId = uuidv4();
    let maxBudgetUsd = initialBudgetUsd;
    const model = spec.model ?? null;
    // Read once per iteration, so prices the user changes apply from the next iteration on.
    const pricing = pricingWith(await this.store.modelPrices(), spec.agent);
    // Taken before the row exists and written with its INSERT, so a crash mid-iteration still knows it.
    const gitBefore = await snapshotBefore(workspace, taskId, iteration);
    const startedAt = await this.store.startSession({
      sessionId,
      taskId,
      iteration,
      model,
      ownerPid: this.pid,
      gitBefore,
    });
    this.bus.publish({ type: 'iteration.started', taskId, sessionId, iteration, maxIterations: lastIteration });

    let reportedModel = model;
    let rateLimit: RateLimitInfo | null = null;
    let quota: QuotaWait | undefined;
    let ending: TaskEnding | undefined;
    /** Stopped by the user while it waited for a window: the session ends cancelled, turned away. */
    let stoppedWhileWaiting = false;
    /** Retries of transient failures; waits for a spent window are not counted. */
    let transientRetries = 0;
    const retries: RetryEntry[] = [];
    let retriedDenials = 0;
    const usageSoFar = new UsageSoFarWriter(
      (soFar) => this.store.recordUsageSoFar(sessionId, soFar),
      () => reportedModel,
      pricing,
    );
    let check: CheckRun | undefined;
    const agentRetries = new AgentRetryWatch(
      {
        waiting: (wakeAt, reason, cause) => this.markWaiting(taskId, wakeAt, reason, cause),
        awake: () => this.markAwake(taskId),
      },
      this.now,
    );
    let outcome: AgentRunOutcome = {
      error: { kind: 'internal', message: 'the agent run did not finish' },
      exitCode: null,
      result: null,
      usageSeen: zeroUsage(),
      turnsSeen: 0,
    };
    try {
      for (let attempt = 1; ; attempt++) {
        const attemptId = sessionId;
        try {
          outcome = await run.runner.run({
            cwd: workspace.cwd,
            prompt,
            sessionId: attemptId,
            forkFrom,
            model: spec.model,
            maxTurns: spec.maxTurns,
            permissionMode: spec.permissionMode,
            allowedTools: spec.allowedTools,
            maxBudgetUsd,
            signal,
            timeoutMs: spec.timeoutSeconds === undefined ? undefined : spec.timeoutSeconds * 1000,
            idleTimeoutMs: spec.idleTimeoutSeconds * 1000,
            onEvent: (event) => {
              if (event.kind === 'init' && event.model) reportedModel = event.model;
              if (event.kind === 'rate_limit') rateLimit = event.info;
              usageSoFar.seen(event);
              agentRetries.seen(event);
              this.bus.publish({
                type: 'agent.event',
                taskId,
                sessionId: attemptId,
                iteration,
                event: withEstimatedCost(event, reportedModel, pricing),
              });
            },
          });
        } catch (error) {
          outcome = { ...outcome, error: { kind: 'internal', message: (error as Error).message } };
        }
        await agentRetries.settle();
        const seen: RateLimitInfo | null = rateLimit;
        rateLimit = null;
        if (seen) await this.store.recordRateLimit(attemptId, seen, this.now());
        quota = spentWindow(outcome, seen, this.now());
        if (quota) {
          outcome = { ...outcome, error: { kind: 'quota_exhausted', message: quota.reason } };
          if (spec.onQuota === 'stop' || signal?.aborted) {
            stoppedWhileWaiting = spec.onQuota !== 'stop';
            ending = spec.onQuota === 'stop' ? this.stoppedAtQuota(quota) : this.stoppedWhileWaiting(quota);
            break;
          }
        }
        const delayMs = quota
          ? Math.max(0, quota.resetsAt - this.now()) + this.quotaJitter()
          : transientRetries < spec.maxRetries
            ? this.retryDelay(outcome, transientRetries + 1)
            : undefined;
        if (delayMs === undefined || signal?.aborted) break;
        const usage = outcome.result?.usage ?? outcome.usageSeen;
        retries.push({
          attempt,
          sessionId: attemptId,
          errorKind: outcome.error?.kind ?? 'unknown',
          error: outcome.error?.message ?? '',
          delayMs,
          ...usage,
          // A failed attempt of a model the prices do not know adds nothing it could put a figure on.
          costUsd: outcome.result?.costUsd ?? pricing.costOf(reportedModel, usage) ?? 0,
        });
        // Kept through the wait (which can last hours), under the id the row still has.
        usageSoFar.retried(retries);
        const wait = quota && { ...quota, resetsAt: this.now() + delayMs };
        // A spent window, or an API that gave no answer: a wait, shown as one and kept in the replay.
        const hold = wait ?? apiWaitAfter(outcome, this.now() + delayMs);
        const cause: WaitCause = wait ? 'quota' : 'api';
        if (hold) {
          const event = { kind: 'wait', for: cause, reason: hold.reason, until: hold.resetsAt } as const;
          this.bus.publish({ type: 'agent.event', taskId, sessionId: attemptId, iteration, event });
        }
        const waited = hold ? await this.holdTask(taskId, hold, cause, signal) : await sleep(delayMs, signal);
        if (!quota) transientRetries++;
        // After a window's wait, what was true before it is checked again: other windows, the budget.
        const ready = !waited ? undefined : wait ? await this.readyToRun(taskId, spec, signal) : { maxBudgetUsd };
        if (ready === undefined || 'ending' in ready) {
          // No retry happened: this attempt is the session's own outcome, not a retried one.
          retries.pop();
          if (!wait) {
            outcome = {
              ...outcome,
              error: { kind: 'cancelled', message: 'stopped by the user while waiting to retry' },
            };
          } else {
            ending = ready?.ending ?? this.stoppedWhileWaiting(wait);
            stoppedWhileWaiting = ending.status === 'cancelled';
          }
          break;
        }
        maxBudgetUsd = ready.maxBudgetUsd;
        retriedDenials += outcome.result?.permissionDenials ?? 0;
        sessionId = uuidv4();
        // Published before the rename, so what was recorded under the old id is written first and moves with the row.
        this.bus.publish({
          type: 'iteration.retrying',
          taskId,
          iteration,
          attempt,
          previousSessionId: attemptId,
          sessionId,
          error: outcome.error?.message ?? 'unknown error',
        });
        await this.store.renameSession(attemptId, sessionId);
      }
    } finally {
      usageSoFar.stop();
      const agentEndedAt = this.now();
      const spent = sessionFinishFrom(outcome, agentEndedAt - startedAt, reportedModel, pricing);
      const finish = withRetries(
        stoppedWhileWaiting ? { ...spent, status: 'cancelled' } : spent,
        retries,
        retriedDenials,
        pricing,
      );
      const change = await recordChange(workspace, gitBefore, {
        iteration,
        sessionId,
        taskId,
        taskTitle: run.title,
        tokens: sumTokens(finish),
        costUsd: finish.costUsd,
      });
      // No check after an iteration that ends the task anyway: stopped, at a window, or at its budget.
      const endsTheTask =
        ending !== undefined ||
        signal?.aborted === true ||
        finish.status === 'cancelled' ||
        outcome.result?.subtype === 'error_max_budget_usd';
      check =
        spec.check !== undefined && !endsTheTask
          ? await this.runCheck(spec.check, spec, workspace.cwd, signal)
          : undefined;
      await this.store.finishSession(sessionId, { ...finish, endedAt: agentEndedAt, change, check: check ?? null });
    }
    const session = await this.store.sessionView(sessionId);
    if (!session) throw new Error(`session ${sessionId} vanished after it was written`);
    this.bus.publish({ type: 'iteration.finished', taskId, session, task: await this.requireSummary(taskId) });
    return { session, outcome, ending, check };
  }

  /** The user's completion check, in the directory the agent worked in, timed. */
  private async runCheck(
    command: string,
    spec: TaskSpec,
    cwd: string,
    signal: AbortSignal | undefined,
  ): Promise<CheckRun> {
    const started = this.now();
    const result = await runCompletionCheck(command, cwd, spec.checkTimeoutSeconds * 1000, signal);
    return {
      exitCode: result.exitCode,
      durationMs: Math.max(0, this.now() - started),
      output: result.output,
      timedOut: result.timedOut,
      cancelled: result.cancelled,
    };
  }

  /**
   * Whether the next attempt may go ahead, and what it may spend. First no call into a window
   * known to be spent (or past the task's threshold) until it reopens, plus jitter; then the
   * budget, checked after any wait, since others may have spent meanwhile.
   */
  private async readyToRun(
    taskId: string,
    spec: TaskSpec,
    signal: AbortSignal | undefined,
  ): Promise<{ maxBudgetUsd?: number } | { ending: TaskEnding }> {
    for (;;) {
      const hold = windowToWaitFor(await this.store.quotaWindows(), spec.pauseAtUtilization, this.now());
      if (!hold) break;
      if (spec.onQuota === 'stop') return { ending: this.stoppedAtQuota(hold) };
      const wait = { ...hold, resetsAt: hold.resetsAt + this.quotaJitter() };
      if (!(await this.holdTask(taskId, wait, 'quota', signal))) {
        return { ending: this.stoppedWhileWaiting(wait) };
      }
      // Another window may have been reported spent meanwhile.
    }
    const budget = await this.budgetLeft(taskId, spec);
    return 'exceeded' in budget ? { ending: { status: 'budget_exceeded', reason: budget.exceeded } } : budget;
  }

  /**
   * Holds the task, shown as waiting, until the window reopens (or the API's wait is over): no agent
   * runs and so no API call is made meanwhile. False when the user stopped it first.
   */
  private async holdTask(
    taskId: string,
    wait: QuotaWait,
    cause: WaitCause,
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    const wakeAt = Math.max(wait.resetsAt, this.now());
    await this.markWaiting(taskId, wakeAt, wait.reason, cause);
    const awake = await sleep(wakeAt - this.now(), signal);
    await this.store.markTaskAwake(taskId);
    if (awake) this.bus.publish({ type: 'task.started', taskId });
    return awake;
  }

  /** The task shows as waiting until `wakeAt`, and why; its running iteration, what for. */
  private async markWaiting(taskId: string, wakeAt: number, why: string, cause: WaitCause): Promise<void> {
    const reason = `waiting: ${why}`;
    await this.store.markTaskWaiting(taskId, wakeAt, reason, cause);
    this.bus.publish({ type: 'task.waiting', taskId, wakeAt, reason });
  }

  /** A wait the agent's own retries made is over: the task runs again. */
  private async markAwake(taskId: string): Promise<void> {
    await this.store.markTaskAwake(taskId);
    this.bus.publish({ type: 'task.started', taskId });
  }

  /** The user stopped the task while it waited: it ends, resumable, and still says when its window reopens. */
  private stoppedWhileWaiting(wait: QuotaWait): TaskEnding {
    return { status: 'cancelled', reason: `stopped by the user while waiting: ${wait.reason}`, wakeAt: wait.resetsAt };
  }

  /** `--on-quota stop`: the task ends, resumable, with the time its window reopens. */
  private stoppedAtQuota(wait: QuotaWait | undefined): TaskEnding {
    const reason = wait ? wait.reason : 'a subscription window is spent';
    return { status: 'cancelled', reason: `stopped (on quota: stop): ${reason}`, wakeAt: wait?.resetsAt ?? null };
  }

  /** A few seconds past the reset, so tasks waiting on one window do not all call at the same instant. */
  private quotaJitter(): number {
    return 1000 + Math.round(this.random() * 4000);
  }

  /**
   * Whether another iteration may start, and what it may spend: the least of
   * what is left of the task's budget and of today's. Costs and tokens are
   * read from the store, so sessions of other tasks and processes count too.
   */
  private async budgetLeft(taskId: string, spec: TaskSpec): Promise<{ maxBudgetUsd?: number } | { exceeded: string }> {
    let remaining: number | undefined;
    if (spec.budgetUsd !== undefined || spec.maxTokens !== undefined) {
      const { totals } = await this.requireSummary(taskId);
      if (spec.budgetUsd !== undefined) {
        remaining = spec.budgetUsd - totals.costUsd;
        if (remaining <= 0) {
          return {
            exceeded: `spent ${formatPreciseCost(totals.costUsd)} of the task's ${formatPreciseCost(spec.budgetUsd)} budget`,
          };
        }
      }
      if (spec.maxTokens !== undefined && totals.totalTokens >= spec.maxTokens) {
        return {
          exceeded: `used ${formatTokens(totals.totalTokens)} of the task's ${plural(spec.maxTokens, 'token')}`,
        };
      }
    }
    const today = await this.dailyBudgetLeft();
    if ('exceeded' in today) return today;
    if (today.left !== undefined) remaining = Math.min(remaining ?? Infinity, today.left);
    return { maxBudgetUsd: remaining };
  }

  /** What is left of today's budget (nothing said when there is none), or what spent it. */
  private async dailyBudgetLeft(): Promise<{ left?: number } | { exceeded: string }> {
    const { dailyBudgetUsd } = await this.store.settings();
    if (dailyBudgetUsd === null) return {};
    const spentToday = await this.store.spentSince((await budgetDay(this.store, this.now())).start);
    const left = dailyBudgetUsd - spentToday;
    if (left > 0) return { left };
    return {
      exceeded: `today's spending, ${formatPreciseCost(spentToday)}, reached the daily budget of ${formatPreciseCost(dailyBudgetUsd)}`,
    };
  }

  /**
   * How long to wait before retrying, or undefined when the failure is not
   * transient. A reused session id is answered at once with a new one; API
   * overload, rate limits, server and network errors and a missing result
   * back off exponentially with full jitter.
   */
  private retryDelay(outcome: AgentRunOutcome, attempt: number): number | undefined {
    const error = outcome.error;
    if (!error) return undefined;
    if (error.kind === 'session_in_use') return 0;
    const status = outcome.result?.apiErrorStatus ?? null;
    const transient =
      (error.kind === 'api_error' && status !== null && (status === 429 || status === 529 || status >= 500)) ||
      error.kind === 'no_result' ||
      error.kind === 'api_unreachable' ||
      (error.kind === 'agent_error' && NETWORK_ERROR.test(error.message));
    if (!transient) return undefined;
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(this.random() * ceiling);
  }

  private async requireSummary(taskId: string): Promise<TaskSummary> {
    const task = await this.store.taskSummary(taskId);
    if (!task) throw new TaskNotFoundError(`no task with id ${taskId}`);
    return task;
  }
}
