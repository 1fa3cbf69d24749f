/**
 * Everything the orchestrator and the views read and write. Totals are always
 * computed by SQL over the session rows; nothing here sums rows in JavaScript.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Statement } from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import { type QuotaWindow, type RateLimitInfo, type TokenUsage, type WaitCause } from '../../contract/agent-events';
import type { TaskSpec } from '../../contract/task-spec';
import { v4 as uuidv4 } from 'uuid';
import {
  ACTIVE_STATUSES,
  type ChangeTracking,
  type CheckOutcome,
  type QuotaWindowView,
  type RetryEntry,
  type RunnerHost,
  type SessionStatus,
  type SessionView,
  type ModelPrices,
  type Settings,
  type TaskDetail,
  type TaskStatus,
  type TaskSummary,
  type WorktreeState,
} from '../../contract/views';
import { modelName, type ServiceSpeed } from '../../contract/models';
import type { ChangeStats } from '../git/snapshot';
import type { SessionRow, TaskRow } from './entities';
import { connectionOf, writeTransaction } from './write-transaction';
import { recoverInterrupted } from './recovery';
import { readSettings, spentInPeriods, storedModelPrices, writeSettings } from './stored-settings';
import { type SummaryRecord, TASK_PAGE_SQL, TASK_SUMMARY_SQL, toSessionView, toSummary } from './task-rows';

export interface NewTask {
  /** Given when something was made for the task before its row (its worktree); a new uuid otherwise. */
  id?: string;
  /** Validated, its directory resolved: the store keeps it as it is. */
  spec: TaskSpec;
  /** The worktree made for it, recorded in the same transaction. */
  worktree?: NewWorktree;
  title: string;
  agent: string;
  /** The process that queues it, so a crash before its turn can be told from a wait. */
  ownerPid: number;
  /** What kind of process that is, so a window that cannot stop it can say where it runs. */
  ownerHost?: RunnerHost | null;
}

export interface NewWorktree {
  repositoryRoot: string;
  path: string;
  branch: string;
  baseCommit: string;
  baseBranch: string | null;
}

/** A task's worktree as stored. */
export interface WorktreeRow extends NewWorktree {
  state: WorktreeState;
  /** When it was merged or discarded; null while active, and for those finished before Baton kept the time. */
  stateChangedAt: number | null;
}

export interface SessionStart {
  sessionId: string;
  taskId: string;
  iteration: number;
  model: string | null;
  ownerPid: number;
  /** The snapshot (or worktree commit) taken before the agent ran, where git records changes. */
  gitBefore?: string | null;
}

/** What an iteration changed: the commit after it, and the diff's counts. */
export interface RecordedChange extends ChangeStats {
  after: string;
}

/** What an iteration's UPDATE writes once the agent is done. */
export type SessionFinish = Omit<
  SessionRow,
  | 'id'
  | 'sessionId'
  | 'taskId'
  | 'iteration'
  | 'status'
  | 'startedAt'
  | 'endedAt'
  | 'ownerPid'
  | 'retryLog'
  | 'rateLimitJson'
  | 'gitBefore'
  | 'gitAfter'
  | 'filesChanged'
  | 'insertions'
  | 'deletions'
  | 'changedFiles'
  | 'checkExitCode'
  | 'checkDurationMs'
  | 'checkOutput'
  | 'checkTimedOut'
  | 'agentSessionId'
  | 'reasoningTokens'
  | 'computedCostUsd'
  | 'waitCause'
> & {
  /** The 1-hour part of `cacheCreationTokens`, priced at its own rate. */
  cacheWrite1hTokens?: number;
  /** "fast" where a response was served in fast mode, priced at the fast rate. */
  speed?: ServiceSpeed;
  /** The agent's own id for the session, where it is not Baton's. */
  agentSessionId?: string | null;
  reasoningTokens?: number;
  /** The cost at list prices, stored beside an agent's own; null where the prices are unknown. */
  computedCostUsd?: number | null;
  /** Neither the agent nor the price data gave a cost: `costUsd` is 0, stored with the source 'unknown'. */
  costUnknown?: boolean;
  status: Exclude<SessionStatus, 'running'>;
  retries: RetryEntry[];
  /** When the agent was done; the check that may follow is not part of the session's time. Default: now. */
  endedAt?: number;
  change?: RecordedChange | null;
  check?: CheckOutcome | null;
};

/**
 * What a running iteration has spent so far, as its final UPDATE would write it: the attempts retried so far
 * (listed in `retries`, when there are any) plus the current one. Kept apart on the row until then (see migration 10).
 */
export interface UsageSoFar extends TokenUsage {
  turns: number;
  costUsd: number;
  costSource: 'agent' | 'estimated';
  /** As in SessionFinish; absent in what an older version wrote. */
  computedCostUsd?: number | null;
  costUnknown?: boolean;
  retries?: RetryEntry[];
}

const CHECK_OUTPUT_CHARS = 4000;

/** A change record as the session's columns hold it: commit after, counts, and the listed files as JSON. */
function changeColumns(change: RecordedChange): [string, number, number, number, string] {
  return [change.after, change.filesChanged, change.insertions, change.deletions, JSON.stringify(change.files)];
}

export class TaskStore {
  constructor(
    readonly dataSource: DataSource,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates the task (and its project, the first time a directory is used) in one transaction. */
  async createTask(input: NewTask): Promise<TaskRow> {
    const workingDir = path.resolve(input.spec.dir);
    const createdAt = this.now();
    return writeTransaction(this.dataSource, (db) => {
      db.prepare(
        `INSERT INTO projects (id, name, working_dir, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (working_dir) DO NOTHING`,
      ).run(uuidv4(), path.basename(workingDir) || workingDir, workingDir, createdAt);
      const project = db.prepare(`SELECT id FROM projects WHERE working_dir = ?`).get(workingDir) as { id: string };
      const task: TaskRow = {
        id: input.id ?? uuidv4(),
        projectId: project.id,
        title: input.title,
        prompt: input.spec.prompt,
        agent: input.agent,
        model: input.spec.model ?? null,
        spec: JSON.stringify({ ...input.spec, dir: workingDir }),
        status: 'queued',
        statusReason: null,
        createdAt,
        startedAt: null,
        finishedAt: null,
      };
      db.prepare(
        `INSERT INTO tasks (id, project_id, title, prompt, agent, model, spec, status, created_at, owner_pid, owner_host)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
      ).run(
        task.id,
        task.projectId,
        task.title,
        task.prompt,
        task.agent,
        task.model,
        task.spec,
        createdAt,
        input.ownerPid,
        input.ownerHost ?? null,
      );
      const worktree = input.worktree;
      if (worktree) {
        db.prepare(
          `INSERT INTO task_worktrees (task_id, repository_root, path, branch, base_commit, base_branch, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          task.id,
          worktree.repositoryRoot,
          worktree.path,
          worktree.branch,
          worktree.baseCommit,
          worktree.baseBranch,
          createdAt,
        );
      }
      return task;
    });
  }

  async worktreeOf(taskId: string): Promise<WorktreeRow | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT repository_root AS repositoryRoot, path, branch, base_commit AS baseCommit, base_branch AS baseBranch, state,
         state_changed_at AS stateChangedAt
       FROM task_worktrees WHERE task_id = ?`,
      [taskId],
    )) as WorktreeRow[];
    return row;
  }

  /** Active worktrees of tasks that no live process runs or has queued: only these may crash recovery touch. */
  async idleActiveWorktrees(): Promise<Array<WorktreeRow & { taskId: string }>> {
    return (await this.dataSource.query(
      `SELECT w.task_id AS taskId, w.repository_root AS repositoryRoot, w.path, w.branch, w.base_commit AS baseCommit,
         w.base_branch AS baseBranch, w.state, w.state_changed_at AS stateChangedAt
       FROM task_worktrees w JOIN tasks t ON t.id = w.task_id
       WHERE w.state = 'active' AND t.status NOT IN (${ACTIVE_STATUSES.map((status) => `'${status}'`).join(', ')})`,
    )) as Array<WorktreeRow & { taskId: string }>;
  }

  async setWorktreeState(taskId: string, state: WorktreeState): Promise<void> {
    await this.dataSource.query(`UPDATE task_worktrees SET state = ?, state_changed_at = ? WHERE task_id = ?`, [
      state,
      state === 'active' ? null : this.now(),
      taskId,
    ]);
  }

  /** Whether (or why not) the task's iterations get a change record; settled when it first runs. */
  async setChangeTracking(taskId: string, tracking: ChangeTracking): Promise<void> {
    await this.dataSource.query(`UPDATE tasks SET change_tracking = ? WHERE id = ?`, [tracking, taskId]);
  }

  /**
   * Iterations that got a snapshot before the agent ran but none after: Baton stopped in between.
   * The next start takes the snapshot after for them (see recordChange).
   */
  async unfinishedChanges(taskId: string): Promise<Array<{ sessionId: string; iteration: number; before: string }>> {
    return (await this.dataSource.query(
      `SELECT session_id AS sessionId, iteration, git_before AS before FROM sessions
       WHERE task_id = ? AND git_before IS NOT NULL AND git_after IS NULL AND status <> 'running'
       ORDER BY iteration`,
      [taskId],
    )) as Array<{ sessionId: string; iteration: number; before: string }>;
  }

  /** The change record of an iteration whose snapshot after was taken later than its final UPDATE. */
  async recordChange(sessionId: string, change: RecordedChange): Promise<void> {
    await this.dataSource.query(
      `UPDATE sessions SET git_after = ?, files_changed = ?, insertions = ?, deletions = ?, changed_files = ?
       WHERE session_id = ?`,
      [...changeColumns(change), sessionId],
    );
  }

  /**
   * Claims the task for this process. Fails (returns false) when another live
   * process already runs it, so a task is never run twice at once.
   */
  async markTaskRunning(taskId: string, ownerPid: number, ownerHost: RunnerHost | null = null): Promise<boolean> {
    const claimed = await this.execute(
      `UPDATE tasks SET status = 'running', status_reason = NULL, started_at = COALESCE(started_at, ?), finished_at = NULL,
         owner_pid = ?, owner_host = ?, wake_at = NULL
       WHERE id = ? AND status NOT IN ('running', 'waiting')`,
      [this.now(), ownerPid, ownerHost, taskId],
    );
    return claimed === 1;
  }

  /** Runs a write and returns how many rows it changed. */
  private async execute(sql: string, params: unknown[]): Promise<number> {
    const runner = this.dataSource.createQueryRunner();
    try {
      const result = (await runner.query(sql, params, true)) as { affected?: number };
      return result.affected ?? 0;
    } finally {
      await runner.release();
    }
  }

  /** `wakeAt`: when a task that stopped for a spent subscription window could go on. */
  async finishTask(taskId: string, status: TaskStatus, reason: string, wakeAt: number | null = null): Promise<void> {
    await this.dataSource.query(
      `UPDATE tasks SET status = ?, status_reason = ?, finished_at = ?, owner_pid = NULL, wake_at = ?
       WHERE id = ?`,
      [status, reason, this.now(), wakeAt, taskId],
    );
  }

  /**
   * A running task holds off until `wakeAt`, for the reason given: it is 'waiting' (or waits on, until a new
   * time). Its running iteration keeps what it waits for (a spent window, or an API that does not answer),
   * and why: that is how a view tells the two apart, and how a crash during a window's wait leaves it known
   * as an iteration that never got its turn.
   */
  async markTaskWaiting(taskId: string, wakeAt: number, reason: string, cause: WaitCause = 'quota'): Promise<void> {
    writeTransaction(this.dataSource, (db) => {
      db.prepare(
        `UPDATE tasks SET status = 'waiting', wake_at = ?, status_reason = ? WHERE id = ? AND status IN ('running', 'waiting')`,
      ).run(wakeAt, reason, taskId);
      db.prepare(`UPDATE sessions SET wait_cause = ?, error_message = ? WHERE task_id = ? AND status = 'running'`).run(
        cause,
        reason,
        taskId,
      );
    });
  }

  /** The wait is over: the task is plainly running again, and so is its iteration. */
  async markTaskAwake(taskId: string): Promise<void> {
    writeTransaction(this.dataSource, (db) => {
      db.prepare(
        `UPDATE tasks SET status = 'running', wake_at = NULL, status_reason = NULL WHERE id = ? AND status = 'waiting'`,
      ).run(taskId);
      db.prepare(
        `UPDATE sessions SET wait_cause = NULL, error_message = NULL
         WHERE task_id = ? AND status = 'running' AND wait_cause IS NOT NULL`,
      ).run(taskId);
    });
  }

  /**
   * Keeps what the agent last said of the subscription quota: on the session, and per window
   * for the dashboard and for the pause threshold of every task on this database.
   */
  async recordRateLimit(sessionId: string, info: RateLimitInfo, seenAt: number): Promise<void> {
    const windows: Record<string, QuotaWindow> = { ...info.windows };
    if (info.rateLimitType !== null) {
      const named = windows[info.rateLimitType];
      windows[info.rateLimitType] = {
        status: info.status,
        utilization: info.utilization ?? named?.utilization ?? null,
        resetsAt: info.resetsAt ?? named?.resetsAt ?? null,
      };
    }
    writeTransaction(this.dataSource, (db) => {
      db.prepare(`UPDATE sessions SET rate_limit = ? WHERE session_id = ?`).run(JSON.stringify(info), sessionId);
      const upsert = db.prepare(
        `INSERT INTO quota_windows (name, status, utilization, resets_at, seen_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET status = excluded.status, utilization = excluded.utilization,
           resets_at = excluded.resets_at, seen_at = excluded.seen_at
         WHERE excluded.seen_at >= quota_windows.seen_at`,
      );
      for (const [name, window] of Object.entries(windows)) {
        upsert.run(name, window.status, window.utilization, window.resetsAt, seenAt);
      }
    });
  }

  /** Every subscription window as last reported, by name. */
  async quotaWindows(): Promise<QuotaWindowView[]> {
    const rows = (await this.dataSource.query(
      `SELECT name, status, utilization, resets_at AS resetsAt, seen_at AS seenAt FROM quota_windows ORDER BY name`,
    )) as QuotaWindowView[];
    return rows;
  }

  async startSession(start: SessionStart): Promise<number> {
    const startedAt = this.now();
    await this.dataSource.query(
      `INSERT INTO sessions (session_id, task_id, iteration, status, started_at, model, owner_pid, git_before)
       VALUES (?, ?, ?, 'running', ?, ?, ?, ?)`,
      [
        start.sessionId,
        start.taskId,
        start.iteration,
        startedAt,
        modelName(start.model),
        start.ownerPid,
        start.gitBefore ?? null,
      ],
    );
    return startedAt;
  }

  async finishSession(sessionId: string, finish: SessionFinish): Promise<void> {
    await this.dataSource.query(
      `UPDATE sessions SET
         status = ?, ended_at = ?, model = COALESCE(?, model),
         input_tokens = ?, output_tokens = ?, cache_creation_tokens = ?, cache_read_tokens = ?,
         cache_write_1h_tokens = ?, speed = ?,
         turns = ?, cost_usd = ?, cost_source = ?, duration_ms = ?, api_duration_ms = ?,
         exit_code = ?, error_kind = ?, error_message = ?, result_excerpt = ?, owner_pid = NULL, wait_cause = NULL,
         retries = ?, retry_log = ?, permission_denials = ?, usage_so_far = NULL,
         git_after = ?, files_changed = ?, insertions = ?, deletions = ?, changed_files = ?,
         check_exit_code = ?, check_duration_ms = ?, check_output = ?, check_timed_out = ?,
         agent_session_id = ?, reasoning_tokens = ?, computed_cost_usd = ?
       WHERE session_id = ?`,
      [
        finish.status,
        finish.endedAt ?? this.now(),
        modelName(finish.model),
        finish.inputTokens,
        finish.outputTokens,
        finish.cacheCreationTokens,
        finish.cacheReadTokens,
        Math.min(finish.cacheWrite1hTokens ?? 0, finish.cacheCreationTokens),
        finish.speed ?? 'standard',
        finish.turns,
        finish.costUsd,
        finish.costUnknown ? 'unknown' : finish.costSource,
        finish.durationMs,
        finish.apiDurationMs,
        finish.exitCode,
        finish.errorKind,
        finish.errorMessage,
        finish.resultExcerpt,
        finish.retries.length,
        finish.retries.length > 0 ? JSON.stringify(finish.retries) : null,
        finish.permissionDenials,
        ...(finish.change ? changeColumns(finish.change) : [null, null, null, null, null]),
        ...(finish.check
          ? [
              finish.check.exitCode,
              finish.check.durationMs,
              finish.check.output.slice(-CHECK_OUTPUT_CHARS),
              finish.check.timedOut ? 1 : 0,
            ]
          : [null, null, null, null]),
        finish.agentSessionId ?? null,
        finish.reasoningTokens ?? 0,
        finish.computedCostUsd ?? null,
        sessionId,
      ],
    );
  }

  private usageSoFarStatement: Statement<[string, string]> | undefined;

  /**
   * Keeps what a running session has spent so far, for recovery to find if this process dies before its
   * final UPDATE. One prepared UPDATE of one column: it runs while the agent streams. A finished row is
   * left alone, so a late write cannot touch what finishSession wrote.
   */
  recordUsageSoFar(sessionId: string, soFar: UsageSoFar): void {
    this.usageSoFarStatement ??= connectionOf(this.dataSource).prepare<[string, string]>(
      `UPDATE sessions SET usage_so_far = ? WHERE session_id = ? AND status = 'running'`,
    );
    this.usageSoFarStatement.run(JSON.stringify(soFar), sessionId);
  }

  async settings(): Promise<Settings> {
    return readSettings(this.dataSource);
  }

  /** The user's model prices alone, for what prices tokens (a task run, the history's cache savings). */
  async modelPrices(): Promise<ModelPrices> {
    return storedModelPrices(this.dataSource);
  }

  async updateSettings(patch: Partial<Settings>): Promise<Settings> {
    writeSettings(this.dataSource, patch);
    return this.settings();
  }

  /**
   * Takes a task back as if it had never been launched: its sessions, their events and its rollups go,
   * and so does its project when no other task has it. For a launch its agent turned away at once.
   */
  async withdrawTask(taskId: string): Promise<void> {
    writeTransaction(this.dataSource, (db) => {
      const task = db.prepare(`SELECT project_id FROM tasks WHERE id = ?`).get(taskId) as
        { project_id: string } | undefined;
      if (!task) return;
      db.prepare(`DELETE FROM sessions WHERE task_id = ?`).run(taskId);
      db.prepare(`DELETE FROM tasks WHERE id = ?`).run(taskId);
      db.prepare(`DELETE FROM projects WHERE id = ? AND NOT EXISTS (SELECT 1 FROM tasks WHERE project_id = ?)`).run(
        task.project_id,
        task.project_id,
      );
    });
  }

  /** A queued task stopped before its turn came: it ends cancelled without running. */
  async cancelQueued(taskId: string): Promise<boolean> {
    const changed = await this.execute(
      `UPDATE tasks SET status = 'cancelled', status_reason = 'stopped before it started', finished_at = ?
       WHERE id = ? AND status = 'queued'`,
      [this.now(), taskId],
    );
    return changed === 1;
  }

  /** What all sessions started since `since` (epoch ms) cost. */
  async spentSince(since: number): Promise<number> {
    return (await spentInPeriods(this.dataSource, { today: since, week: since, month: since })).today;
  }

  /** A retry runs under a new session id; the iteration's row (and its stored events) take it. */
  async renameSession(from: string, to: string): Promise<void> {
    await this.dataSource.query(`UPDATE sessions SET session_id = ? WHERE session_id = ?`, [to, from]);
  }

  async taskSummary(taskId: string): Promise<TaskSummary | undefined> {
    const [row] = (await this.dataSource.query(TASK_SUMMARY_SQL, [taskId])) as SummaryRecord[];
    return row ? toSummary(row) : undefined;
  }

  /** Newest first. */
  async listTaskSummaries(page: { limit: number; offset: number }): Promise<TaskSummary[]> {
    const rows = (await this.dataSource.query(TASK_PAGE_SQL, [page.limit, page.offset])) as SummaryRecord[];
    return rows.map(toSummary);
  }

  async sessionsOfTask(taskId: string): Promise<SessionView[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${this.sessionColumns()} FROM sessions WHERE task_id = ? ORDER BY iteration`,
      [taskId],
    )) as SessionRow[];
    return rows.map(toSessionView);
  }

  /** On every iteration's path: plain SQL, since building a TypeORM find costs several times the query. */
  async sessionView(sessionId: string): Promise<SessionView | undefined> {
    const [row] = (await this.dataSource.query(`SELECT ${this.sessionColumns()} FROM sessions WHERE session_id = ?`, [
      sessionId,
    ])) as SessionRow[];
    return row ? toSessionView(row) : undefined;
  }

  private sessionColumnList: string | undefined;

  /** Every column of a session row, named as SessionRow names it, taken once from the entity's metadata. */
  private sessionColumns(): string {
    this.sessionColumnList ??= this.dataSource
      .getMetadata('Session')
      .columns.map((column) => `${column.databaseName} AS "${column.propertyName}"`)
      .join(', ');
    return this.sessionColumnList;
  }

  async taskDetail(taskId: string): Promise<TaskDetail | undefined> {
    const summary = await this.taskSummary(taskId);
    if (!summary) return undefined;
    const worktree = await this.worktreeOf(taskId);
    return {
      ...summary,
      sessions: await this.sessionsOfTask(taskId),
      worktree: worktree
        ? {
            path: worktree.path,
            branch: worktree.branch,
            baseCommit: worktree.baseCommit,
            baseBranch: worktree.baseBranch,
            state: worktree.state,
            stateChangedAt: worktree.stateChangedAt,
            present: existsSync(worktree.path),
          }
        : null,
    };
  }

  /** After a crash: what dead processes left running is closed (see recovery.ts). */
  recoverInterrupted(isAlive: (pid: number) => boolean): Promise<{ taskIds: string[]; sessionIds: string[] }> {
    return recoverInterrupted(this.dataSource, isAlive, this.now());
  }

  /** Finds a task by its full id or a unique prefix of it (as printed by `baton tasks`). */
  async resolveTaskId(idOrPrefix: string): Promise<string[]> {
    const rows = (await this.dataSource.query(`SELECT id FROM tasks WHERE id LIKE ? ESCAPE '\\' LIMIT 2`, [
      `${idOrPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
    ])) as Array<{ id: string }>;
    return rows.map((row) => row.id);
  }
}
