/** Lines for the terminal, with numbers from the one formatter the window uses too. */
import { waitCauseOf } from '../contract/agent-events';
import {
  formatCost,
  formatCostWithUnknown,
  formatDuration,
  formatPreciseCost,
  formatTokens,
  plural,
  sumTokens,
  WAIT_LABELS,
  WAITED_FOR,
} from '../contract/format';
import type { SessionView, TaskDetail, TaskSummary } from '../contract/views';

/**
 * A session's cost and whose figure it is: "$0.0123 (agent; computed $0.0100, 23% apart)" where the agent's and the
 * computed one drift apart, "cost unknown" where neither the agent nor the prices gave one.
 */
export function formatSessionCost(session: SessionView): string {
  if (session.costSource === 'unknown') return 'cost unknown';
  const drift = session.costDrift;
  if (session.costSource === 'agent' && typeof drift === 'number' && typeof session.computedCostUsd === 'number') {
    // Both to the same four places, so two figures a rounding would show alike are told apart.
    return `${formatPreciseCost(session.costUsd)} (agent; computed ${formatPreciseCost(session.computedCostUsd)}, ${Math.round(Math.abs(drift) * 100)}% apart)`;
  }
  return `${formatCost(session.costUsd)} (${session.costSource})`;
}

export function formatSessionLine(session: SessionView, maxIterations: number): string {
  const tokens = `in ${formatTokens(session.inputTokens)} out ${formatTokens(session.outputTokens)} cache w ${formatTokens(session.cacheCreationTokens)} r ${formatTokens(session.cacheReadTokens)}`;
  const lines = [
    `[iteration ${session.iteration}/${maxIterations}] ${session.status}  session ${session.sessionId}  ${tokens}  ${formatSessionCost(session)}  ${formatDuration(session.durationMs)}`,
  ];
  // A running iteration's "error" while its task waits is what it waits on: a wait, said as one.
  const wait = session.status === 'running' ? (session.waitingFor ?? null) : null;
  if (wait) lines.push(`    ${WAIT_LABELS[wait].toLowerCase()}: ${session.error?.replace(/^waiting: /, '') ?? ''}`);
  else if (session.error) lines.push(`    error: ${session.error}`);
  for (const retry of session.retries) {
    const cause = waitCauseOf(retry.errorKind);
    lines.push(
      cause
        ? `    attempt ${retry.attempt}: waited ${formatDuration(retry.delayMs)} ${WAITED_FOR[cause]} (${retry.error})`
        : `    attempt ${retry.attempt} failed: ${retry.error}; tried again after ${formatDuration(retry.delayMs)}`,
    );
  }
  const agentId = session.agentSessionId;
  const reasoning = session.reasoningTokens ?? 0;
  if ((agentId && agentId !== session.sessionId) || reasoning > 0) {
    const parts = [
      agentId && agentId !== session.sessionId ? `agent's id ${agentId}` : '',
      reasoning > 0 ? `reasoning ${formatTokens(reasoning)} (in out)` : '',
    ];
    lines.push(`    ${parts.filter(Boolean).join(', ')}`);
  }
  const { git, check } = session;
  if (git) lines.push(`    changed: ${plural(git.filesChanged, 'file')}, +${git.insertions} −${git.deletions}`);
  if (check) {
    const ended = check.timedOut ? 'timed out' : `exit ${check.exitCode ?? 'none'}`;
    lines.push(`    check: ${ended} in ${formatDuration(check.durationMs)}`);
  }
  return lines.join('\n');
}

/** Where the task's changes are recorded, or why they are not. */
function changesLine(task: TaskDetail): string | undefined {
  const worktree = task.worktree;
  if (worktree) {
    const gone = worktree.state === 'active' && !worktree.present ? ', its folder was deleted' : '';
    return `worktree ${worktree.path} on ${worktree.branch} (from ${worktree.baseBranch ?? worktree.baseCommit.slice(0, 12)}), ${worktree.state}${gone}`;
  }
  if (task.changeTracking === 'not_a_repository')
    return 'changes  not recorded: the directory is not in a git repository';
  if (task.changeTracking === 'git_unavailable') return 'changes  not recorded: git is not available';
  return undefined;
}

/** A task's cost as the window says it: "$0.42", "$0.42 + unknown", or "unknown" where no session's cost is known. */
export function taskCostText(task: Pick<TaskSummary, 'totals'>): string {
  const { costUsd, totalTokens, unknownCostTokens = 0 } = task.totals;
  return formatCostWithUnknown(costUsd, unknownCostTokens, totalTokens - unknownCostTokens);
}

export function formatTaskLine(task: TaskSummary): string {
  const when = new Date(task.createdAt).toISOString().replace('T', ' ').slice(0, 16);
  return [
    task.id,
    when,
    task.status.padEnd(14),
    `${task.iterations} it`.padStart(6),
    `${formatTokens(task.totals.totalTokens)} tok`.padStart(14),
    taskCostText(task).padStart(9),
    task.title,
  ].join('  ');
}

export function formatTaskDetail(task: TaskDetail): string {
  const t = task.totals;
  const unknownSessions = task.sessions.filter((s) => s.costSource === 'unknown');
  const unknown = unknownSessions.length;
  const costNote = unknown > 0 ? ` (${plural(unknown, 'iteration')} of unknown cost)` : '';
  const unknownTokens = unknownSessions.reduce((sum, s) => sum + sumTokens(s), 0);
  const cost = formatCostWithUnknown(t.costUsd, unknownTokens, t.totalTokens - unknownTokens);
  const lines = [
    `task     ${task.id}`,
    `title    ${task.title}`,
    `project  ${task.workingDir}`,
    `agent    ${task.agent}${task.model ? `, model ${task.model}` : ''}`,
    `status   ${task.status}${task.statusReason ? ` (${task.statusReason})` : ''}`,
    `tokens   in ${formatTokens(t.inputTokens)}  out ${formatTokens(t.outputTokens)}  cache write ${formatTokens(t.cacheCreationTokens)}  cache read ${formatTokens(t.cacheReadTokens)}  total ${formatTokens(t.totalTokens)}`,
    `         ${plural(task.iterations, 'iteration')}, ${formatTokens(Math.round(task.averageTokensPerIteration))} tokens per iteration on average`,
    `cost     ${cost}${costNote}   turns ${t.turns}   time ${formatDuration(task.durationMs)} (API ${formatDuration(task.apiDurationMs)})`,
  ];
  const changes = changesLine(task);
  if (changes) lines.push(changes);
  lines.push('');
  for (const session of task.sessions) lines.push(formatSessionLine(session, task.spec.maxIterations));
  return lines.join('\n');
}
