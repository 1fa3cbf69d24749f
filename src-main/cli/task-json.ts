/** The task as one JSON object: the shape `run --json` and `task --json` print. */
import type { TaskDetail } from '../contract/views';

export function taskJson(task: TaskDetail) {
  return {
    id: task.id,
    status: task.status,
    statusReason: task.statusReason,
    /** While waiting for a subscription window (or stopped at one): when it reopens. */
    wakeAt: task.wakeAt ?? null,
    iterations: task.iterations,
    totals: task.totals,
    sessions: task.sessions.map((s) => ({
      sessionId: s.sessionId,
      /** The agent's own id for the session, where it is not Baton's (a Codex thread id). */
      agentSessionId: s.agentSessionId ?? s.sessionId,
      iteration: s.iteration,
      status: s.status,
      inputTokens: s.inputTokens,
      outputTokens: s.outputTokens,
      cacheCreationTokens: s.cacheCreationTokens,
      cacheReadTokens: s.cacheReadTokens,
      turns: s.turns,
      costUsd: s.costUsd,
      /** "agent" (the agent's own figure), "estimated" (tokens at list prices) or "unknown" (costUsd is 0). */
      costSource: s.costSource,
      /** The cost at list prices beside an agent's own; null where the model's prices are unknown. */
      computedCostUsd: s.computedCostUsd ?? null,
      /** (agent − computed) / computed where the two are more than 5% apart; null otherwise. */
      costDrift: s.costDrift ?? null,
      reasoningTokens: s.reasoningTokens ?? 0,
      durationMs: s.durationMs,
      error: s.error,
      permissionDenials: s.permissionDenials,
      eventsNotStored: s.eventsNotStored ?? 0,
      retries: s.retries.length,
      git: s.git
        ? {
            commitBefore: s.git.commitBefore,
            commitAfter: s.git.commitAfter,
            filesChanged: s.git.filesChanged,
            insertions: s.git.insertions,
            deletions: s.git.deletions,
            files: s.git.files.map((f) => ({ path: f.path, insertions: f.insertions, deletions: f.deletions })),
          }
        : null,
      check: s.check ? { exitCode: s.check.exitCode, durationMs: s.check.durationMs, output: s.check.output } : null,
    })),
    worktree: task.worktree
      ? {
          path: task.worktree.path,
          branch: task.worktree.branch,
          baseCommit: task.worktree.baseCommit,
          state: task.worktree.state,
          baseBranch: task.worktree.baseBranch,
          present: task.worktree.present,
        }
      : null,
    /** Whether each iteration's changes are recorded: "git", or why not. */
    changeTracking: task.changeTracking ?? null,
    linesChanged: task.linesChanged ?? null,
    agent: task.agent,
    title: task.title,
    workingDir: task.workingDir,
    model: task.model,
    spec: task.spec,
    createdAt: task.createdAt,
    startedAt: task.startedAt,
    finishedAt: task.finishedAt,
    averageTokensPerIteration: task.averageTokensPerIteration,
    durationMs: task.durationMs,
    apiDurationMs: task.apiDurationMs,
  };
}
