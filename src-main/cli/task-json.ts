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
      iteration: s.iteration,
      status: s.status,
      inputTokens: s.inputTokens,
      outputTokens: s.outputTokens,
      cacheCreationTokens: s.cacheCreationTokens,
      cacheReadTokens: s.cacheReadTokens,
      turns: s.turns,
      costUsd: s.costUsd,
      durationMs: s.durationMs,
      error: s.error,
      permissionDenials: s.permissionDenials,
      eventsNotStored: s.eventsNotStored ?? 0,
      retries: s.retries.length,
    })),
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
