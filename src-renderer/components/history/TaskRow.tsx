/** A row of History's task table: its columns, and the cells of one task. */
import { agentLabel } from '../../agents';
import {
  formatCost,
  formatDate,
  formatDuration,
  formatTokens,
  type TaskSortKey,
  type TaskSummary,
} from '../../contract';
import { unknownCostTitle, UNKNOWN_COST, usageCostText } from '../../cost';
import { modelsText, NO_MODEL_YET, NO_MODEL_YET_TITLE, taskModels } from '../../models';
import { hrefs } from '../../router';
import { StatusBadge } from '../Status';

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** The columns a narrow table (a 1024 px window) leaves out, so the model and the task keep room to be read. */
export const NARROW_HIDDEN = 'col-wide-only';

export const COLUMNS: { label: string; sort?: TaskSortKey; className?: string }[] = [
  { label: 'Created', sort: 'createdAt' },
  { label: 'Task' },
  { label: 'Project' },
  // The agent shows beside the model at any width; its own column only where there is room.
  { label: 'Agent', className: NARROW_HIDDEN },
  { label: 'Model' },
  { label: 'Status' },
  { label: 'Iterations', sort: 'iterations', className: `num ${NARROW_HIDDEN}` },
  { label: 'Tokens', sort: 'totalTokens', className: 'num' },
  { label: 'Cost', sort: 'costUsd', className: 'num' },
  { label: 'Cost per changed line', className: 'num' },
  { label: 'Duration', sort: 'durationMs', className: `num ${NARROW_HIDDEN}` },
];

/** What each line the task changed cost; null where git recorded no change (no repository, or nothing changed). */
export function costPerChangedLine(task: Pick<TaskSummary, 'totals' | 'linesChanged'>): number | null {
  const lines = task.linesChanged;
  if (lines === null || lines === undefined || lines === 0) return null;
  return task.totals.costUsd / lines;
}

/** The model(s) the task's sessions ran, by their one name. */
function ModelCell({ task }: { task: TaskSummary }) {
  const models = taskModels(task);
  return (
    <div
      role="cell"
      className="history-wrap"
      data-testid="history-model"
      title={models.length > 0 ? models.join('\n') : NO_MODEL_YET_TITLE}
    >
      {models.length > 0 ? modelsText(models) : <span className="muted">{NO_MODEL_YET}</span>}
      <span className="history-model-agent muted"> · {agentLabel(task.agent)}</span>
    </div>
  );
}

export function TaskRow({ task, projectName }: { task: TaskSummary; projectName: string }) {
  const perLine = costPerChangedLine(task);
  return (
    <>
      <div role="cell">{formatDate(task.createdAt)}</div>
      <div role="cell" className="history-wrap" title={`${task.title}\n${clip(task.prompt, 400)}`}>
        <a href={hrefs.task(task.id)}>{task.title}</a>
      </div>
      <div role="cell" className="history-wrap" title={task.workingDir} data-testid="history-project">
        {projectName}
      </div>
      <div role="cell" className={`ellipsis ${NARROW_HIDDEN}`} data-testid="history-agent">
        {agentLabel(task.agent)}
      </div>
      <ModelCell task={task} />
      <div role="cell" className="ellipsis">
        <StatusBadge status={task.status} title={task.statusReason ?? undefined} />
      </div>
      <div role="cell" className={`num ${NARROW_HIDDEN}`}>
        {task.iterations}
      </div>
      <div role="cell" className="num" data-value={task.totals.totalTokens}>
        {formatTokens(task.totals.totalTokens)}
      </div>
      <div
        role="cell"
        className="num"
        data-testid="history-cost"
        data-value={task.totals.costUsd}
        title={unknownCostTitle(task.totals)}
      >
        {usageCostText(task.totals)}
      </div>
      <div
        role="cell"
        className="num"
        data-testid="history-cost-per-line"
        data-value={perLine ?? undefined}
        title={
          task.linesChanged
            ? `${usageCostText(task.totals)} over ${formatTokens(task.linesChanged)} lines changed`
            : 'No changed lines recorded'
        }
      >
        {perLine === null
          ? '—'
          : (task.totals.unknownCostTokens ?? 0) > 0
            ? UNKNOWN_COST
            : perLine > 0 && perLine < 0.0001
              ? '<$0.0001'
              : formatCost(perLine)}
      </div>
      <div role="cell" className={`num ${NARROW_HIDDEN}`}>
        {formatDuration(task.durationMs)}
      </div>
    </>
  );
}
