/** History's task table: the headings, a virtualised window of rows read page by page, and the totals row. */
import { useVirtualizer } from '@tanstack/react-virtual';
import { Fragment, useMemo, useRef, type CSSProperties } from 'react';
import { useStore } from 'zustand';
import { formatTokens } from '../../contract';
import {
  pagesCovering,
  useFirstPage,
  useHistoryCharts,
  useProjects,
  useTaskRows,
  useTaskTotals,
} from '../../hooks/use-history';
import { useElementWidth } from '../../hooks/use-element-width';
import type { HistoryStore } from '../../stores/history-store';
import { baseName } from '../../text';
import { projectNameMap } from './HistoryChartsSection';
import { COLUMN_GAP, gridTemplate, hiddenColumns, visibleColumns, type TaskColumn } from './task-columns';

const ROW_HEIGHT = 40;

/** The sums of the whole selection under the columns that sum; a label across the columns before them. */
function TotalsRow({ store, columns, grid }: { store: HistoryStore; columns: TaskColumn[]; grid: CSSProperties }) {
  const { data } = useTaskTotals(store);
  const totals = data?.totals;
  if (!data || !totals) return null;
  const { total } = data;
  const labelSpan = Math.max(
    1,
    columns.findIndex((column) => column.total),
  );
  return (
    <div className="history-row history-totals" role="row" data-testid="history-totals" style={grid}>
      <div role="rowheader" className="history-totals-label" style={{ gridColumn: `span ${labelSpan}` }}>
        Total, {formatTokens(total)} {total === 1 ? 'task' : 'tasks'}
      </div>
      {columns.slice(labelSpan).map((column) => (
        <Fragment key={column.key}>{column.total ? column.total(totals) : <div role="cell" />}</Fragment>
      ))}
    </div>
  );
}

function Heading({ column, store }: { column: TaskColumn; store: HistoryStore }) {
  const sort = useStore(store, (s) => s.sort);
  const setSort = useStore(store, (s) => s.setSort);
  const sorted = column.sort !== undefined && sort.by === column.sort;
  return (
    <div
      role="columnheader"
      className={column.numeric ? 'num' : undefined}
      aria-label={column.fullLabel}
      title={column.fullLabel ?? column.label}
      aria-sort={sorted ? (sort.direction === 'desc' ? 'descending' : 'ascending') : undefined}
    >
      {column.sort ? (
        <button type="button" className="link-button" onClick={() => setSort(column.sort!)}>
          {column.label}
          {sorted ? (sort.direction === 'desc' ? ' ↓' : ' ↑') : ''}
        </button>
      ) : (
        column.label
      )}
    </div>
  );
}

export function TaskTable({ store }: { store: HistoryStore }) {
  const total = useFirstPage(store).data?.total ?? null;
  const projects = useProjects();
  const costByProject = useHistoryCharts(store).data?.costByProject;
  const names = useMemo(() => projectNameMap(projects, costByProject), [projects, costByProject]);
  const scroller = useRef<HTMLDivElement>(null);
  const head = useRef<HTMLDivElement>(null);
  // The room a row's cells have (inside its padding and the scrollbar's gutter); a likely one until measured.
  const width = useElementWidth(head, { initial: 1000, inner: true });
  const totals = useTaskTotals(store).data?.totals;
  const sort = useStore(store, (s) => s.sort);
  const columns = useMemo(() => visibleColumns(width, totals, sort.by), [width, totals, sort.by]);
  const grid = { gridTemplateColumns: gridTemplate(columns), columnGap: COLUMN_GAP };
  const hidden = useMemo(() => hiddenColumns(columns), [columns]);

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
        <div className="history-row history-head" role="row" ref={head} style={grid}>
          {columns.map((column) => (
            <Heading key={column.key} column={column} store={store} />
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
              ...grid,
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
                {columns.map((column) => (
                  <Fragment key={column.key}>
                    {column.cell(task, {
                      hidden,
                      projectName: names.get(task.projectId) ?? baseName(task.workingDir),
                    })}
                  </Fragment>
                ))}
              </div>
            );
          })}
        </div>
      </div>
      <div role="rowgroup">
        <TotalsRow store={store} columns={columns} grid={grid} />
      </div>
    </div>
  );
}
