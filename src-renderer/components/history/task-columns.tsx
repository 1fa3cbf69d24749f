/**
 * The columns of History's task table, each with its width and its cells. The table shows as many as fit at
 * their widths, leaving out the least needed first (PRIORITY): the agent, the iterations, the duration, what
 * each changed line cost, the project, the tokens, the model. Those left keep room to be read, and the agent
 * and the cost per line, once left out, show under the model and the cost.
 */
import type { ReactNode } from 'react';
import { agentLabel } from '../../agents';
import {
  formatCost,
  formatDate,
  formatDuration,
  formatTokens,
  statusLabel,
  type TaskListTotals,
  type TaskSortKey,
  type TaskStatus,
  type TaskSummary,
} from '../../contract';
import { unknownCostTitle, UNKNOWN_COST, usageCostText } from '../../cost';
import { modelsText, NO_MODEL_YET, NO_MODEL_YET_TITLE, taskModels } from '../../models';
import { hrefs } from '../../router';
import { StatusBadge } from '../Status';

export type TaskColumnKey =
  | 'created'
  | 'task'
  | 'project'
  | 'agent'
  | 'model'
  | 'status'
  | 'iterations'
  | 'tokens'
  | 'cost'
  | 'costPerLine'
  | 'duration';

/** What a row's cells need besides the task. */
export interface RowContext {
  projectName: string;
  /** Columns the table's width leaves out: the agent then shows under the model, the cost per line under the cost. */
  hidden: ReadonlySet<TaskColumnKey>;
}

export interface TaskColumn {
  key: TaskColumnKey;
  label: string;
  /** What a short label stands for: the heading's accessible name and its hover text. */
  fullLabel?: string;
  sort?: TaskSortKey;
  numeric?: boolean;
  /** Its width in px; for a column that grows, the least it is worth showing at. */
  width: number;
  /** A growing column's share of the room the fixed ones leave. */
  grow?: number;
  cell(task: TaskSummary, row: RowContext): ReactNode;
  /** Its cell in the totals row, for a column that sums. */
  total?(totals: TaskListTotals): ReactNode;
  /** The totals row's figure as it reads, which the column widens to fit: a year's tokens outgrow a task's. */
  totalText?(totals: TaskListTotals): string;
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** A label short enough for the table's status column; the badge's hover text gives the reason. */
const SHORT_STATUS: Partial<Record<TaskStatus, string>> = { max_iterations: 'Max iterations' };

/** What each line the task changed cost; null where git recorded no change (no repository, or nothing changed). */
export function costPerChangedLine(task: Pick<TaskSummary, 'totals' | 'linesChanged'>): number | null {
  const lines = task.linesChanged;
  if (lines === null || lines === undefined || lines === 0) return null;
  return task.totals.costUsd / lines;
}

function costPerLineText(task: TaskSummary, perLine: number | null): string {
  if (perLine === null) return '—';
  if ((task.totals.unknownCostTokens ?? 0) > 0) return UNKNOWN_COST;
  return perLine > 0 && perLine < 0.0001 ? '<$0.0001' : formatCost(perLine);
}

function perLineTitle(task: TaskSummary): string {
  return task.linesChanged
    ? `${usageCostText(task.totals)} over ${formatTokens(task.linesChanged)} lines changed`
    : 'No changed lines recorded';
}

/** A figure's cell: right-aligned in tabular digits, its exact value in data-value. */
function FigureCell({
  value,
  testId,
  title,
  className = 'num',
  children,
}: {
  value: number | undefined;
  testId?: string;
  title?: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div role="cell" className={className} data-testid={testId} data-value={value} title={title}>
      {children}
    </div>
  );
}

/** The model(s) the task's sessions ran, by their one name; on a second line the agent, where it has no column. */
function ModelCell({ task, agentInModel }: { task: TaskSummary; agentInModel: boolean }) {
  const models = taskModels(task);
  const title = models.length > 0 ? models.join('\n') : NO_MODEL_YET_TITLE;
  return (
    <div
      role="cell"
      className="history-model"
      data-testid="history-model"
      title={agentInModel ? `${title}\n${agentLabel(task.agent)}` : title}
    >
      <span className={agentInModel ? 'history-model-name ellipsis' : 'history-model-name history-wrap'}>
        {models.length > 0 ? modelsText(models) : <span className="muted">{NO_MODEL_YET}</span>}
      </span>
      {agentInModel ? (
        <span className="history-model-agent muted" data-testid="history-model-agent">
          {agentLabel(task.agent)}
        </span>
      ) : null}
    </div>
  );
}

/** A column of one figure per task, summed in the totals row. */
function figureColumn(
  column: Pick<TaskColumn, 'key' | 'label' | 'sort' | 'width'>,
  ofTask: (task: TaskSummary) => number,
  ofTotals: (totals: TaskListTotals) => number,
  format: (value: number) => string,
): TaskColumn {
  return {
    ...column,
    numeric: true,
    cell: (task) => <FigureCell value={ofTask(task)}>{format(ofTask(task))}</FigureCell>,
    total: (totals) => (
      <FigureCell value={ofTotals(totals)} testId={`history-totals-${column.key}`}>
        {format(ofTotals(totals))}
      </FigureCell>
    ),
    totalText: (totals) => format(ofTotals(totals)),
  };
}

export const COLUMNS: readonly TaskColumn[] = [
  {
    key: 'created',
    label: 'Created',
    sort: 'createdAt',
    width: 130,
    cell: (task) => (
      <div role="cell" className="history-date">
        {formatDate(task.createdAt)}
      </div>
    ),
  },
  {
    key: 'task',
    label: 'Task',
    width: 200,
    grow: 3,
    cell: (task) => (
      <div role="cell" className="history-wrap" title={`${task.title}\n${clip(task.prompt, 400)}`}>
        <a href={hrefs.task(task.id)}>{task.title}</a>
      </div>
    ),
  },
  {
    key: 'project',
    label: 'Project',
    width: 96,
    grow: 1.2,
    cell: (task, row) => (
      <div role="cell" className="history-wrap" title={task.workingDir} data-testid="history-project">
        {row.projectName}
      </div>
    ),
  },
  {
    key: 'agent',
    label: 'Agent',
    width: 100,
    cell: (task) => (
      <div role="cell" className="ellipsis" data-testid="history-agent" title={agentLabel(task.agent)}>
        {agentLabel(task.agent)}
      </div>
    ),
  },
  {
    key: 'model',
    label: 'Model',
    width: 136,
    grow: 1.4,
    cell: (task, row) => <ModelCell task={task} agentInModel={row.hidden.has('agent')} />,
  },
  {
    key: 'status',
    label: 'Status',
    width: 116,
    cell: (task) => (
      <div role="cell" className="history-status">
        <StatusBadge
          status={task.status}
          label={SHORT_STATUS[task.status]}
          title={task.statusReason ?? statusLabel(task.status)}
        />
      </div>
    ),
  },
  figureColumn(
    { key: 'iterations', label: 'Iterations', sort: 'iterations', width: 92 },
    (task) => task.iterations,
    (totals) => totals.iterations,
    formatTokens,
  ),
  figureColumn(
    { key: 'tokens', label: 'Tokens', sort: 'totalTokens', width: 88 },
    (task) => task.totals.totalTokens,
    (totals) => totals.totalTokens,
    formatTokens,
  ),
  {
    key: 'cost',
    label: 'Cost',
    sort: 'costUsd',
    numeric: true,
    width: 96,
    cell: (task, row) => {
      const perLine = row.hidden.has('costPerLine') ? costPerChangedLine(task) : null;
      return (
        <FigureCell
          className="num history-cost"
          value={task.totals.costUsd}
          testId="history-cost"
          title={unknownCostTitle(task.totals)}
        >
          {usageCostText(task.totals)}
          {perLine !== null ? (
            <span className="history-cost-line muted" data-testid="history-cost-line" title={perLineTitle(task)}>
              {costPerLineText(task, perLine)}/line
            </span>
          ) : null}
        </FigureCell>
      );
    },
    total: (totals) => (
      <FigureCell value={totals.costUsd} testId="history-totals-cost" title={unknownCostTitle(totals)}>
        {usageCostText(totals)}
      </FigureCell>
    ),
    totalText: usageCostText,
  },
  {
    key: 'costPerLine',
    label: 'Cost/line',
    fullLabel: 'Cost per changed line',
    numeric: true,
    width: 84,
    cell: (task) => {
      const perLine = costPerChangedLine(task);
      return (
        <FigureCell value={perLine ?? undefined} testId="history-cost-per-line" title={perLineTitle(task)}>
          {costPerLineText(task, perLine)}
        </FigureCell>
      );
    },
  },
  figureColumn(
    { key: 'duration', label: 'Duration', sort: 'durationMs', width: 84 },
    (task) => task.durationMs,
    (totals) => totals.durationMs,
    formatDuration,
  ),
];

/** The columns in the order they are given up as the table narrows: the last first. */
export const PRIORITY: readonly TaskColumnKey[] = [
  'task',
  'cost',
  'created',
  'status',
  'model',
  'tokens',
  'project',
  'costPerLine',
  'duration',
  'iterations',
  'agent',
];

/** The space between two columns, px. */
export const COLUMN_GAP = 12;

/** The width these columns take at their least: their widths and the gaps between them. */
export function leastWidth(columns: readonly TaskColumn[]): number {
  return columns.reduce((sum, column) => sum + column.width, 0) + COLUMN_GAP * Math.max(0, columns.length - 1);
}

/** Room for one character of a totals figure: 14 px, bold, with room to spare. */
const TOTAL_CHAR_PX = 9.2;

/** The columns, each summing one widened to fit its figure in these totals. */
export function fittedToTotals(totals: TaskListTotals | undefined): TaskColumn[] {
  return COLUMNS.map((column) => {
    const text = totals && column.totalText?.(totals);
    const needs = text ? Math.ceil(text.length * TOTAL_CHAR_PX) : 0;
    return needs > column.width ? { ...column, width: needs } : column;
  });
}

/**
 * The columns a row of this inner width (px) shows, in their order: the most needed that fit, each wide enough
 * for its figure in the totals row. The task always, and the column the table is sorted by, whose heading
 * shows the order: sorted by a column left out, the rows would look unordered.
 */
export function visibleColumns(width: number, totals?: TaskListTotals, sortedBy?: TaskSortKey): TaskColumn[] {
  let shown = fittedToTotals(totals);
  for (const key of [...PRIORITY].reverse()) {
    if (leastWidth(shown) <= width || key === 'task') break;
    if (sortedBy !== undefined && shown.some((column) => column.key === key && column.sort === sortedBy)) continue;
    shown = shown.filter((column) => column.key !== key);
  }
  return shown;
}

/** The grid of these columns, for every row of the table alike. */
export function gridTemplate(columns: readonly TaskColumn[]): string {
  return columns
    .map((column) => (column.grow ? `minmax(${column.width}px, ${column.grow}fr)` : `${column.width}px`))
    .join(' ');
}

/** The columns left out beside these. */
export function hiddenColumns(shown: readonly TaskColumn[]): ReadonlySet<TaskColumnKey> {
  const keys = new Set(shown.map((column) => column.key));
  return new Set(COLUMNS.filter((column) => !keys.has(column.key)).map((column) => column.key));
}
