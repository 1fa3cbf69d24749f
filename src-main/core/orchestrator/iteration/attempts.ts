/**
 * The attempts of one iteration, as a state machine: run the agent, judge its outcome, wait (for a spent
 * window, the API, or a retry's back-off), retry under a new session id, until one of them is the
 * iteration's outcome. Time comes from the injected clock.
 */
import { v4 as uuidv4 } from 'uuid';
import { type AgentEvent, type RateLimitInfo, type WaitCause, zeroUsage } from '../../../contract/agent-events';
import type { RetryEntry } from '../../../contract/views';
import type { AgentRunOutcome } from '../../agents/agent-runner';
import type { Pricing } from '../../pricing';
import { withEstimatedCost } from '../accounting/cost';
import { UsageSoFarWriter } from '../accounting/usage-so-far';
import type { RunContext, TaskRun } from '../context';
import { AgentRetryWatch, apiWaitAfter } from '../policies/api-wait';
import { type QuotaWait, quotaJitter, spentWindow, stoppedAtQuota, stoppedWhileWaiting } from '../policies/quota';
import { retryDelay } from '../policies/retry';
import type { TaskEnding } from '../task-ending';

/** What the attempts have come to so far: the iteration's final UPDATE is written from it, whatever ended them. */
export interface AttemptLog {
  /** The id the session's row has now: the last attempt's. */
  sessionId: string;
  outcome: AgentRunOutcome;
  /** The model the agent said it runs, else the spec's. */
  reportedModel: string | null;
  /** The attempts retried before the last one. */
  retries: RetryEntry[];
  retriedDenials: number;
  /** Set when the task must end here: stopped at a spent window, or over budget after a wait. */
  ending?: TaskEnding;
  /** Stopped by the user while it waited for a window: the session ends cancelled, turned away. */
  stoppedWhileWaiting: boolean;
}

/** Where the iteration starts: its session id, prompt, and what its first attempt may spend. */
export interface IterationStart {
  iteration: number;
  sessionId: string;
  prompt: string;
  forkFrom: string | undefined;
  maxBudgetUsd: number | undefined;
  pricing: Pricing;
  signal: AbortSignal | undefined;
}

type State =
  | { kind: 'run' }
  | { kind: 'judge'; quota: QuotaWait | undefined }
  | { kind: 'wait'; delayMs: number; quota: QuotaWait | undefined }
  | { kind: 'retry'; maxBudgetUsd: number | undefined }
  | { kind: 'done' };

const DONE: State = { kind: 'done' };

export class IterationAttempts {
  readonly log: AttemptLog;
  private attempt = 1;
  /** Retries of transient failures; waits for a spent window are not counted. */
  private transientRetries = 0;
  private maxBudgetUsd: number | undefined;
  private rateLimit: RateLimitInfo | null = null;
  private readonly usageSoFar: UsageSoFarWriter;
  private readonly agentRetries: AgentRetryWatch;

  constructor(
    private readonly ctx: RunContext,
    private readonly run: TaskRun,
    private readonly start: IterationStart,
  ) {
    this.maxBudgetUsd = start.maxBudgetUsd;
    this.log = {
      sessionId: start.sessionId,
      outcome: {
        error: { kind: 'internal', message: 'the agent run did not finish' },
        exitCode: null,
        result: null,
        usageSeen: zeroUsage(),
        turnsSeen: 0,
      },
      reportedModel: run.spec.model ?? null,
      retries: [],
      retriedDenials: 0,
      stoppedWhileWaiting: false,
    };
    this.usageSoFar = new UsageSoFarWriter(
      (soFar) => ctx.store.recordUsageSoFar(this.log.sessionId, soFar),
      () => this.log.reportedModel,
      start.pricing,
      ctx.clock,
    );
    this.agentRetries = new AgentRetryWatch(
      {
        waiting: (wakeAt, reason, cause) => ctx.holds.markWaiting(run.taskId, wakeAt, reason, cause),
        awake: () => ctx.holds.markAwake(run.taskId),
      },
      () => ctx.clock.now(),
    );
  }

  /** Runs attempts until one is the iteration's outcome; `log` holds where they got even when this throws. */
  async runAll(): Promise<void> {
    let state: State = { kind: 'run' };
    while (state.kind !== 'done') state = await this.step(state);
  }

  /** The final UPDATE follows, and supersedes what was kept on the row meanwhile. */
  stop(): void {
    this.usageSoFar.stop();
  }

  private step(state: State): Promise<State> {
    switch (state.kind) {
      case 'run':
        return this.runAgent();
      case 'judge':
        return Promise.resolve(this.judge(state.quota));
      case 'wait':
        return this.wait(state.delayMs, state.quota);
      case 'retry':
        return this.retry(state.maxBudgetUsd);
      case 'done':
        return Promise.resolve(DONE);
    }
  }

  /** One agent run, under the row's current id; then the rate limit it reported, and whether its window is spent. */
  private async runAgent(): Promise<State> {
    const { spec, workspace, runner } = this.run;
    const attemptId = this.log.sessionId;
    try {
      this.log.outcome = await runner.run({
        cwd: workspace.cwd,
        prompt: this.start.prompt,
        sessionId: attemptId,
        forkFrom: this.start.forkFrom,
        model: spec.model,
        maxTurns: spec.maxTurns,
        permissionMode: spec.permissionMode,
        allowedTools: spec.allowedTools,
        maxBudgetUsd: this.maxBudgetUsd,
        signal: this.start.signal,
        timeoutMs: spec.timeoutSeconds === undefined ? undefined : spec.timeoutSeconds * 1000,
        idleTimeoutMs: spec.idleTimeoutSeconds * 1000,
        onEvent: (event) => this.seen(event, attemptId),
      });
    } catch (error) {
      this.log.outcome = { ...this.log.outcome, error: { kind: 'internal', message: (error as Error).message } };
    }
    await this.agentRetries.settle();
    const seen: RateLimitInfo | null = this.rateLimit;
    this.rateLimit = null;
    const { store, clock } = this.ctx;
    if (seen) await store.recordRateLimit(attemptId, seen, clock.now());
    return { kind: 'judge', quota: spentWindow(this.log.outcome, seen, clock.now()) };
  }

  private seen(event: AgentEvent, attemptId: string): void {
    if (event.kind === 'init' && event.model) this.log.reportedModel = event.model;
    if (event.kind === 'rate_limit') this.rateLimit = event.info;
    this.usageSoFar.seen(event);
    this.agentRetries.seen(event);
    this.ctx.bus.publish({
      type: 'agent.event',
      taskId: this.run.taskId,
      sessionId: attemptId,
      iteration: this.start.iteration,
      event: withEstimatedCost(event, this.log.reportedModel, this.start.pricing),
    });
  }

  /** Whether the attempt is tried again, and after how long: a spent window's wait, or a transient failure's back-off. */
  private judge(quota: QuotaWait | undefined): State {
    const { spec } = this.run;
    const { signal, pricing } = this.start;
    const { clock, random } = this.ctx;
    if (quota) {
      this.log.outcome = { ...this.log.outcome, error: { kind: 'quota_exhausted', message: quota.reason } };
      if (spec.onQuota === 'stop' || signal?.aborted) {
        this.log.stoppedWhileWaiting = spec.onQuota !== 'stop';
        this.log.ending = spec.onQuota === 'stop' ? stoppedAtQuota(quota) : stoppedWhileWaiting(quota);
        return DONE;
      }
    }
    const { outcome } = this.log;
    const delayMs = quota
      ? Math.max(0, quota.resetsAt - clock.now()) + quotaJitter(random)
      : this.transientRetries < spec.maxRetries
        ? retryDelay(outcome, this.transientRetries + 1, this.ctx.retry, random)
        : undefined;
    if (delayMs === undefined || signal?.aborted) return DONE;
    const usage = outcome.result?.usage ?? outcome.usageSeen;
    this.log.retries.push({
      attempt: this.attempt,
      sessionId: this.log.sessionId,
      errorKind: outcome.error?.kind ?? 'unknown',
      error: outcome.error?.message ?? '',
      delayMs,
      ...usage,
      // A failed attempt of a model the prices do not know adds nothing it could put a figure on.
      costUsd: outcome.result?.costUsd ?? pricing.costOf(this.log.reportedModel, usage) ?? 0,
    });
    // Kept through the wait (which can last hours), under the id the row still has.
    this.usageSoFar.retried(this.log.retries);
    return { kind: 'wait', delayMs, quota };
  }

  /** The wait before the next attempt; after a window's wait, what was true before it is checked again. */
  private async wait(delayMs: number, quota: QuotaWait | undefined): Promise<State> {
    const { taskId, spec } = this.run;
    const { signal } = this.start;
    const { clock, holds, bus } = this.ctx;
    const wait = quota && { ...quota, resetsAt: clock.now() + delayMs };
    // A spent window, or an API that gave no answer: a wait, shown as one and kept in the replay.
    const hold = wait ?? apiWaitAfter(this.log.outcome, clock.now() + delayMs);
    const cause: WaitCause = wait ? 'quota' : 'api';
    if (hold) {
      const event = { kind: 'wait', for: cause, reason: hold.reason, until: hold.resetsAt } as const;
      bus.publish({
        type: 'agent.event',
        taskId,
        sessionId: this.log.sessionId,
        iteration: this.start.iteration,
        event,
      });
    }
    const waited = hold ? await holds.holdTask(taskId, hold, cause, signal) : await clock.sleep(delayMs, signal);
    if (!quota) this.transientRetries++;
    // After a window's wait, the other windows and the budget; after a back-off, what the attempt could spend.
    const ready = !waited
      ? undefined
      : wait
        ? await holds.readyToRun(taskId, spec, signal)
        : { maxBudgetUsd: this.maxBudgetUsd };
    if (ready !== undefined && !('ending' in ready)) return { kind: 'retry', maxBudgetUsd: ready.maxBudgetUsd };
    // No retry happened: this attempt is the session's own outcome, not a retried one.
    this.log.retries.pop();
    if (!wait) {
      this.log.outcome = {
        ...this.log.outcome,
        error: { kind: 'cancelled', message: 'stopped by the user while waiting to retry' },
      };
    } else {
      this.log.ending = ready?.ending ?? stoppedWhileWaiting(wait);
      this.log.stoppedWhileWaiting = this.log.ending.status === 'cancelled';
    }
    return DONE;
  }

  /** The next attempt gets a new session id (the CLI refuses a used one); the row takes it. */
  private async retry(maxBudgetUsd: number | undefined): Promise<State> {
    const { taskId } = this.run;
    this.maxBudgetUsd = maxBudgetUsd;
    this.log.retriedDenials += this.log.outcome.result?.permissionDenials ?? 0;
    const previousSessionId = this.log.sessionId;
    this.log.sessionId = uuidv4();
    // Published before the rename, so what was recorded under the old id is written first and moves with the row.
    this.ctx.bus.publish({
      type: 'iteration.retrying',
      taskId,
      iteration: this.start.iteration,
      attempt: this.attempt,
      previousSessionId,
      sessionId: this.log.sessionId,
      error: this.log.outcome.error?.message ?? 'unknown error',
    });
    await this.ctx.store.renameSession(previousSessionId, this.log.sessionId);
    this.attempt++;
    return { kind: 'run' };
  }
}
