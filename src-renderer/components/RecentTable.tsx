/**
 * Recent: finished tasks in History's columns. A task that finished while the window watched it keeps its live
 * card (its iterations and stream), folded into its row: the newest one unfolded, the others folded, so finished
 * tasks do not pile up above the table.
 */
import { Fragment, useState, type ReactNode } from 'react';
import { formatDate, formatDuration, formatTokens, type TaskSummary } from '../contract';
import { unknownCostTitle, usageCostText } from '../cost';
import { modelsText, NO_MODEL_YET, NO_MODEL_YET_TITLE, taskModels } from '../models';
import { hrefs } from '../router';
import { type ColumnHeading, ColumnHeadings } from './ColumnHeadings';
import { ReopenHint, reopensAt } from './QuotaNotices';
import { StatusBadge } from './Status';

/** The last segment of a path, for a project the server did not name. */
function baseName(dir: string): string {
  const parts = dir.split(/[\\/]+/).filter(Boolean);
  return parts[parts.length - 1] ?? dir;
}

/**
 * Finished tasks in the same columns as History's table, but for the first: when each finished, the order they
 * are listed in. A narrow table (1024 px) gives iterations and duration's room to the task.
 */
const RECENT_COLUMNS: readonly (ColumnHeading & { wideOnly?: boolean })[] = [
  { label: 'Finished' },
  { label: 'Task' },
  { label: 'Project' },
  { label: 'Model' },
  { label: 'Status' },
  { label: 'Iterations', numeric: true, wideOnly: true },
  { label: 'Tokens', numeric: true },
  { label: 'Cost', numeric: true },
  { label: 'Duration', numeric: true, wideOnly: true },
];

/** The model(s) a finished task's sessions ran, by their one name. */
function RecentModelCell({ task }: { task: TaskSummary }) {
  const models = taskModels(task);
  return (
    <td
      className="recent-model"
      data-testid="recent-model"
      title={models.length > 0 ? models.join('\n') : NO_MODEL_YET_TITLE}
    >
      {models.length > 0 ? modelsText(models) : <span className="muted">{NO_MODEL_YET}</span>}
    </td>
  );
}

/** The tasks that finished while the window watched, newest first, and how to draw one's card in its row. */
export interface Unfoldable {
  ids: readonly string[];
  render: (id: string) => ReactNode;
}

const NONE: Unfoldable = { ids: [], render: () => null };

export function RecentTable({
  tasks,
  projectNames,
  unfoldable = NONE,
}: {
  tasks: readonly TaskSummary[];
  /** Project names by id, as the server names them. */
  projectNames: ReadonlyMap<string, string>;
  unfoldable?: Unfoldable;
}) {
  // What the user chose per row; unchosen, only the newest task that finished here is unfolded.
  const [chosen, setChosen] = useState<Readonly<Record<string, boolean>>>({});
  const isOpen = (id: string) => unfoldable.ids.includes(id) && (chosen[id] ?? id === unfoldable.ids[0]);
  return (
    <div className="table-wrap recent-wrap">
      <table className="recent-table" data-testid="recent-list">
        {/* A narrow table collapses the wide-only columns (CSS); a card's row still spans them. */}
        <colgroup>
          {RECENT_COLUMNS.map((column) => (
            <col key={column.label} className={column.wideOnly ? 'col-wide-only' : undefined} />
          ))}
        </colgroup>
        <thead>
          <tr>
            <ColumnHeadings columns={RECENT_COLUMNS} />
          </tr>
        </thead>
        <tbody>
          {tasks.map((task) => {
            const reopens = reopensAt(task);
            const unfolds = unfoldable.ids.includes(task.id);
            const open = isOpen(task.id);
            const cardId = `recent-card-${task.id}`;
            return (
              <Fragment key={task.id}>
                <tr
                  data-testid="recent-task"
                  data-task-id={task.id}
                  className={unfolds ? 'recent-finished-here' : undefined}
                >
                  <td title={`Created ${formatDate(task.createdAt)}`}>
                    {formatDate(task.finishedAt ?? task.createdAt)}
                  </td>
                  <td className="ellipsis" title={`${task.title}\n${task.workingDir}`}>
                    {unfolds ? (
                      <button
                        type="button"
                        className="link-button fold-button"
                        aria-expanded={open}
                        aria-controls={cardId}
                        aria-label={`${open ? 'Fold' : 'Unfold'} the iterations of ${task.title}`}
                        onClick={() => setChosen({ ...chosen, [task.id]: !open })}
                      />
                    ) : null}
                    <a href={hrefs.task(task.id)}>{task.title}</a>
                  </td>
                  <td className="ellipsis" title={task.workingDir}>
                    {projectNames.get(task.projectId) ?? baseName(task.workingDir)}
                  </td>
                  <RecentModelCell task={task} />
                  <td>
                    <StatusBadge status={task.status} title={task.statusReason ?? undefined} />
                    {reopens !== null ? <ReopenHint wakeAt={reopens} /> : null}
                  </td>
                  <td className="num">{task.iterations}</td>
                  <td className="num" data-value={task.totals.totalTokens}>
                    {formatTokens(task.totals.totalTokens)}
                  </td>
                  <td
                    className="num"
                    data-testid="recent-cost"
                    data-value={task.totals.costUsd}
                    title={unknownCostTitle(task.totals)}
                  >
                    {usageCostText(task.totals)}
                  </td>
                  <td className="num">{formatDuration(task.durationMs)}</td>
                </tr>
                {open ? (
                  <tr className="recent-card-row" id={cardId}>
                    <td colSpan={RECENT_COLUMNS.length}>{unfoldable.render(task.id)}</td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
