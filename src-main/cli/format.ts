/** Lines for the terminal, with numbers from the one formatter the window uses too. */
import { formatCost, formatDuration, formatTokens } from '../contract/format';
import type { SessionView, TaskDetail, TaskSummary } from '../contract/views';

export function formatSessionLine(session: SessionView, maxIterations: number): string {
  const tokens = `in ${formatTokens(session.inputTokens)} out ${formatTokens(session.outputTokens)} cache w ${formatTokens(session.cacheCreationTokens)} r ${formatTokens(session.cacheReadTokens)}`;
  const line = `[iteration ${session.iteration}/${maxIterations}] ${session.status}  session ${session.sessionId}  ${tokens}  ${formatCost(session.costUsd)}  ${formatDuration(session.durationMs)}`;
  return session.error ? `${line}\n    error: ${session.error}` : line;
}

export function formatTaskLine(task: TaskSummary): string {
  const when = new Date(task.createdAt).toISOString().replace('T', ' ').slice(0, 16);
  return [
    task.id,
    when,
    task.status.padEnd(14),
    `${task.iterations} it`.padStart(6),
    `${formatTokens(task.totals.totalTokens)} tok`.padStart(14),
    formatCost(task.totals.costUsd).padStart(9),
    task.title,
  ].join('  ');
}

export function formatTaskDetail(task: TaskDetail): string {
  const t = task.totals;
  const lines = [
    `task     ${task.id}`,
    `title    ${task.title}`,
    `project  ${task.workingDir}`,
    `status   ${task.status}${task.statusReason ? ` (${task.statusReason})` : ''}`,
    `tokens   in ${formatTokens(t.inputTokens)}  out ${formatTokens(t.outputTokens)}  cache write ${formatTokens(t.cacheCreationTokens)}  cache read ${formatTokens(t.cacheReadTokens)}  total ${formatTokens(t.totalTokens)}`,
    `         ${task.iterations} iterations, ${formatTokens(Math.round(task.averageTokensPerIteration))} tokens per iteration on average`,
    `cost     ${formatCost(t.costUsd)}   turns ${t.turns}   time ${formatDuration(task.durationMs)} (API ${formatDuration(task.apiDurationMs)})`,
    '',
  ];
  for (const session of task.sessions) lines.push(formatSessionLine(session, task.spec.maxIterations));
  return lines.join('\n');
}
