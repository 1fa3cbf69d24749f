import { describe, expect, it } from 'vitest';
import {
  COLUMN_GAP,
  COLUMNS,
  gridTemplate,
  hiddenColumns,
  leastWidth,
  PRIORITY,
  visibleColumns,
} from '../../src-renderer/components/history/task-columns';

const keys = (width: number) => visibleColumns(width).map((column) => column.key);

/**
 * The room a row's cells have in a window this wide (styles.css): the page at most 1400 px with 20 px margins,
 * the table's border, the row's 12 px padding and a 15 px scrollbar.
 */
const rowRoom = (windowWidth: number) => Math.min(windowWidth, 1400) - 2 * 20 - 2 - 2 * 12 - 15;

describe('History’s task columns', () => {
  it('gives each column a place in the order they are left out', () => {
    expect([...PRIORITY].sort()).toEqual(COLUMNS.map((column) => column.key).sort());
  });

  it('leave out the least needed first as the table narrows', () => {
    expect(keys(2000)).toEqual(COLUMNS.map((column) => column.key));
    // A 1440 px window: everything but the agent, which the model cell names.
    expect(keys(rowRoom(1440))).toEqual([
      'created',
      'task',
      'project',
      'model',
      'status',
      'iterations',
      'tokens',
      'cost',
      'costPerLine',
      'duration',
    ]);
    expect(keys(rowRoom(1280))).toEqual([
      'created',
      'task',
      'project',
      'model',
      'status',
      'tokens',
      'cost',
      'costPerLine',
      'duration',
    ]);
    // A 1024 px window: the cost per line goes under the cost.
    expect(keys(rowRoom(1024))).toEqual(['created', 'task', 'project', 'model', 'status', 'tokens', 'cost']);
    expect(keys(rowRoom(800))).toEqual(['created', 'task', 'status', 'cost']);
    expect(keys(300)).toEqual(['task']);
  });

  it('never ask for more room than the row has, at any width', () => {
    for (let width = 200; width <= 1800; width += 1) {
      const shown = visibleColumns(width);
      if (shown.length > 1) expect(leastWidth(shown), `at ${width}px`).toBeLessThanOrEqual(width);
      // Each column shown is more needed than every one left out.
      const rank = (key: string) => PRIORITY.indexOf(key as (typeof PRIORITY)[number]);
      const worstShown = Math.max(...shown.map((column) => rank(column.key)));
      for (const key of hiddenColumns(shown)) expect(rank(key)).toBeGreaterThan(worstShown);
    }
  });

  it('lay out every row on the same tracks: fixed widths, and the growing columns from their least', () => {
    const shown = visibleColumns(rowRoom(1024));
    expect(gridTemplate(shown)).toBe(
      '130px minmax(200px, 3fr) minmax(96px, 1.2fr) minmax(136px, 1.4fr) 116px 88px 96px',
    );
    expect(leastWidth(shown)).toBe(130 + 200 + 96 + 136 + 116 + 88 + 96 + 6 * COLUMN_GAP);
  });

  it('widen a column to fit its figure in the totals row, and still fit the row', () => {
    // A year of a million sessions: a ten-figure token count, in the 88 px column a task's needs.
    const totals = {
      iterations: 1_000_000,
      inputTokens: 0,
      outputTokens: 0,
      cacheCreationTokens: 0,
      cacheReadTokens: 0,
      totalTokens: 1_131_500_000,
      costUsd: 10_000,
      unknownCostTokens: 0,
      durationMs: 0,
    };
    const shown = visibleColumns(rowRoom(1024), totals);
    const tokens = shown.find((column) => column.key === 'tokens');
    // "1,131,500,000": 13 characters of 9.2 px.
    expect(tokens?.width).toBe(120);
    expect(leastWidth(shown)).toBeLessThanOrEqual(rowRoom(1024));
    // The cost's "$10,000.00" fits its own width; a column without totals keeps its own.
    expect(shown.find((column) => column.key === 'cost')?.width).toBe(96);
    expect(shown.find((column) => column.key === 'created')?.width).toBe(130);
    // What is left out is told by key, whatever width the columns shown were given.
    expect(hiddenColumns(shown)).toEqual(
      new Set(COLUMNS.map((c) => c.key).filter((k) => !shown.some((c) => c.key === k))),
    );
    expect(hiddenColumns(shown).has('tokens')).toBe(false);
  });

  it('keep the column the table is sorted by, leaving out the next least needed instead', () => {
    // At 1024 px the duration is left out, unless the rows are ordered by it.
    expect(keys(rowRoom(1024))).not.toContain('duration');
    const sorted = visibleColumns(rowRoom(1024), undefined, 'durationMs').map((column) => column.key);
    expect(sorted).toContain('duration');
    expect(leastWidth(visibleColumns(rowRoom(1024), undefined, 'durationMs'))).toBeLessThanOrEqual(rowRoom(1024));
    expect(sorted.length).toBeLessThanOrEqual(keys(rowRoom(1024)).length);
    // Sorted by a column shown anyway, nothing changes.
    expect(visibleColumns(rowRoom(1024), undefined, 'costUsd').map((column) => column.key)).toEqual(
      keys(rowRoom(1024)),
    );
  });
});
