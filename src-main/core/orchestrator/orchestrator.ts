/**
 * Runs a task as a series of iterations, each in a fresh agent session with a
 * new uuid, recording every session and publishing every step on the bus.
 * This is the orchestrator's face to the service: launches, resumes and runs.
 * The run itself is in iteration/, the policies in policies/, the checks of a
 * launch in launch/, the figures in accounting/, an iteration's closing steps in steps/.
 */
import { v4 as uuidv4 } from 'uuid';
import { plural } from '../../contract/format';
import { type AgentKind, type TaskSpec, type TaskSpecInput } from '../../contract/task-spec';
import { RESUMABLE_STATUSES, type RunnerHost, type TaskStatus, type TaskSummary } from '../../contract/views';
import type { AgentRunner } from '../agents/agent-runner';
import type { EventBus } from '../events/event-bus';
import { createWorktree, discardWorktree, WorktreeError, worktreePlan } from '../git/worktree';
import { pricingWith } from '../pricing';
import type { NewWorktree, TaskStore } from '../store/task-store';
import { type Clock, systemClock } from './clock';
import type { RunContext } from './context';
import {
  InvalidTaskError,
  LaunchWithdrawnError,
  requireSummary,
  TaskAlreadyRunningError,
  TaskNotFoundError,
} from './errors';
import { carriedOver, iterate, MAX_CONSECUTIVE_FAILURES, turnedAway } from './iteration/task-loop';
import { checkLaunch, titleOf, validateTaskSpec, worktreeBase, worktreeRefusal } from './launch/validation';
import { BudgetPolicy } from './policies/budget';
import { TaskHolds } from './policies/holds';
import { DEFAULT_RETRY_TIMING, type RetryTiming } from './policies/retry';
import type { TaskEnding } from './task-ending';
import {
  finishInterruptedChanges,
  openWorkspace,
  type TaskWorkspace,
  WorkspaceUnavailableError,
  worktreeProblem,
} from './workspace';
import { removeJournal, writeJournal } from './worktree-journal';

export {
  checkLaunch,
  DEFAULT_RETRY_TIMING,
  InvalidTaskError,
  LaunchWithdrawnError,
  MAX_CONSECUTIVE_FAILURES,
  type RetryTiming,
  TaskAlreadyRunningError,
  TaskNotFoundError,
  validateTaskSpec,
};

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
  /** The time, when no `clock` is given (then the machine's timers do the waiting). */
  now?: () => number;
  /** The time and the waits (for a window, the API, a retry); tests give one they move themselves. */
  clock?: Clock;
  /** Where `--worktree` tasks get their worktrees: Baton's data directory. */
  dataDir: string;
  /** New task ids; tests pin them to know a task's branch name before it exists. */
  newTaskId?: () => string;
}

export class Orchestrator {
  private readonly dataDir: string;
  private readonly newTaskId: () => string;
  private readonly store: TaskStore;
  private readonly runners: Partial<Record<AgentKind, AgentRunner>>;
  private readonly bus: EventBus;
  private readonly pid: number;
  private readonly host: RunnerHost | null;
  private readonly budget: BudgetPolicy;
  private readonly context: RunContext;

  constructor(options: OrchestratorOptions) {
    this.store = options.store;
    this.runners = { claude: options.agent, ...options.agents };
    this.bus = options.bus;
    this.pid = options.pid ?? process.pid;
    this.host = options.host ?? null;
    this.dataDir = options.dataDir;
    this.newTaskId = options.newTaskId ?? uuidv4;
    const clock = options.clock ?? systemClock(options.now);
    const random = options.random ?? Math.random;
    this.budget = new BudgetPolicy(this.store, () => clock.now());
    this.context = {
      store: this.store,
      bus: this.bus,
      clock,
      random,
      retry: options.retry ?? DEFAULT_RETRY_TIMING,
      pid: this.pid,
      holds: new TaskHolds(this.store, this.bus, clock, random, this.budget),
    };
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
    const today = await this.budget.dailyBudgetLeft();
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
      ending = await iterate(this.context, run, task.iterations + 1, lastIteration, carriedOver(sessions), signal);
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

  private requireSummary(taskId: string): Promise<TaskSummary> {
    return requireSummary(this.store, taskId);
  }
}
