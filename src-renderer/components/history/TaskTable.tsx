/** History's task table: the headings, a virtualised window of rows read page by page, and the totals row. */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef } from 'react';
import { useStore } from 'zustand';
import { formatDuration, formatTokens } from '../../contract';
import { unknownCostTitle, usageCostText } from '../../cost';
import {
  pagesCovering,
  useFirstPage,
  useHistoryCharts,
  useProjects,
  useTaskRows,
  useTaskTotals,
} from '../../hooks/use-history';
import type { HistoryStore } from '../../stores/history-store';
import { baseName } from '../../text';
import { projectNameMap } from './HistoryChartsSection';
import { COLUMNS, NARROW_HIDDEN, TaskRow } from './TaskRow';

const ROW_HEIGHT = 40;

function TotalsRow({ store }: { store: HistoryStore }) {
  const { data } = useTaskTotals(store);
  const totals = data?.totals;
  if (!data || !totals) return null;
  const { total } = data;
  return (
    <div className="history-row history-totals" role="row" data-testid="history-totals">
      <div role="rowheader" className="history-totals-label">
        Total, {formatTokens(total)} {total === 1 ? 'task' : 'tasks'}
      </div>
      <div
        role="cell"
        className={`num ${NARROW_HIDDEN}`}
        data-testid="history-totals-iterations"
        data-value={totals.iterations}
      >
        {formatTokens(totals.iterations)}
      </div>
      <div role="cell" className="num" data-testid="history-totals-tokens" data-value={totals.totalTokens}>
        {formatTokens(totals.totalTokens)}
      </div>
      <div
        role="cell"
        className="num"
        data-testid="history-totals-cost"
        data-value={totals.costUsd}
        title={unknownCostTitle(totals)}
      >
        {usageCostText(totals)}
      </div>
      <div role="cell" />
      <div
        role="cell"
        className={`num ${NARROW_HIDDEN}`}
        data-testid="history-totals-duration"
        data-value={totals.durationMs}
      >
        {formatDuration(totals.durationMs)}
      </div>
    </div>
  );
}

export function TaskTable({ store }: { store: HistoryStore }) {
  const total = useFirstPage(store).data?.total ?? null;
  const sort = useStore(store, (s) => s.sort);
  const setSort = useStore(store, (s) => s.setSort);
  const projects = useProjects();
  const costByProject = useHistoryCharts(store).data?.costByProject;
  const names = useMemo(() => projectNameMap(projects, costByProject), [projects, costByProject]);
  const scroller = useRef<HTMLDivElement>(null);

  const virtualizer = useVirtualizer({
    count: total ?? 0,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
    // Rows show before the first measurement (and where layout reports no size).
    initialRect: { width: 1000, height: 600 },
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;

  // The pages the visible window needs, asked for as the user scrolls.
  const rows = useTaskRows(store, pagesCovering(first, last, total ?? 0));

  return (
    <div className="history-table" role="table" aria-label="Tasks" aria-rowcount={(total ?? 0) + 2}>
      <div role="rowgroup">
        <div className="history-row history-head" role="row">
          {COLUMNS.map((c) => (
            <div
              key={c.label}
              role="columnheader"
              className={c.className}
              aria-sort={
                c.sort && sort.by === c.sort ? (sort.direction === 'desc' ? 'descending' : 'ascending') : undefined
              }
            >
              {c.sort ? (
                <button type="button" className="link-button" onClick={() => setSort(c.sort!)}>
                  {c.label}
                  {sort.by === c.sort ? (sort.direction === 'desc' ? ' ↓' : ' ↑') : ''}
                </button>
              ) : (
                c.label
              )}
            </div>
          ))}
        </div>
      </div>
      {/* As tall as its rows, up to a screenful: a few tasks leave no empty space before the totals. */}
      <div
        className="history-scroller"
        ref={scroller}
        data-testid="history-scroller"
        style={{ height: (total ?? 0) * ROW_HEIGHT }}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }} role="rowgroup">
          {items.map((item) => {
            const task = rows[item.index];
            const style = {
              position: 'absolute' as const,
              top: 0,
              left: 0,
              right: 0,
              height: item.size,
              transform: `translateY(${item.start}px)`,
            };
            if (!task) {
              return (
                <div key={item.key} className="history-row placeholder" role="row" style={style}>
                  <div role="cell">Loading…</div>
                </div>
              );
            }
            return (
              <div
                key={item.key}
                className="history-row"
                role="row"
                aria-rowindex={item.index + 2}
                data-testid="history-row"
                data-task-id={task.id}
                style={style}
              >
                <TaskRow task={task} projectName={names.get(task.projectId) ?? baseName(task.workingDir)} />
              </div>
            );
          })}
        </div>
      </div>
      <div role="rowgroup">
        <TotalsRow store={store} />
      </div>
    </div>
  );
}
