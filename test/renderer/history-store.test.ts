import { describe, expect, it } from 'vitest';
import { HISTORY_PAGE_SIZE, pageInput, pagesCovering, totalsInput } from '../../src-renderer/hooks/use-history';
import { parseDay } from '../../src-main/contract/format';
import { cleanFilter, createHistoryStore, filterError, rangeDays } from '../../src-renderer/stores/history-store';

describe('the history store', () => {
  it('keeps the filter as chosen, dropping what is cleared', () => {
    const store = createHistoryStore();
    store.getState().setFilter({ agent: 'gemini', status: 'failed', search: '  login bug ' });
    expect(store.getState().filter).toEqual({ agent: 'gemini', status: 'failed', search: '  login bug ' });
    store.getState().setFilter({ agent: undefined, search: '' });
    expect(store.getState().filter).toEqual({ status: 'failed' });
  });

  it('flips the direction when the same column is sorted twice, and starts a new column biggest first', () => {
    const store = createHistoryStore();
    store.getState().setSort('costUsd');
    expect(store.getState().sort).toEqual({ by: 'costUsd', direction: 'desc' });
    store.getState().setSort('costUsd');
    expect(store.getState().sort).toEqual({ by: 'costUsd', direction: 'asc' });
    store.getState().setSort('durationMs');
    expect(store.getState().sort).toEqual({ by: 'durationMs', direction: 'desc' });
  });

  it('switches the cost breakdown', () => {
    const store = createHistoryStore();
    expect(store.getState()).toMatchObject({ breakdown: 'model' });
    store.getState().setBreakdown('project');
    expect(store.getState()).toMatchObject({ breakdown: 'project' });
  });

  it('sends the search trimmed, and no empty key', () => {
    expect(cleanFilter({ search: '  login bug ', agent: undefined, projectId: '' })).toEqual({ search: 'login bug' });
    expect(cleanFilter({ search: '   ', from: 0 })).toEqual({ from: 0 });
  });

  it('names the first and the last day a range includes, its end being the next midnight', () => {
    const from = parseDay('2026-11-20')!;
    const to = parseDay('2026-11-25')!;
    expect(rangeDays({ from, to })).toEqual({ first: '2026-11-20', last: '2026-11-24' });
    expect(rangeDays({ to })).toEqual({ last: '2026-11-24' });
    expect(rangeDays({})).toEqual({});
  });

  it('refuses a reversed date range', () => {
    expect(filterError({ from: 2000, to: 1000 })).toBe('The date range ends before it starts');
    expect(filterError({ from: 1000, to: 1000 })).toBeNull();
  });
});

describe('the history queries’ inputs', () => {
  it('ask for pages of 200 without totals, and the totals once per filter whatever the sort', () => {
    const sort = { by: 'costUsd', direction: 'asc' } as const;
    expect(pageInput({ status: 'failed' }, sort, 2)).toEqual({
      filter: { status: 'failed' },
      sort,
      limit: HISTORY_PAGE_SIZE,
      offset: 400,
    });
    expect(totalsInput({ status: 'failed', search: ' x ' })).toEqual({
      filter: { status: 'failed', search: 'x' },
      limit: 1,
      offset: 0,
      withTotals: true,
    });
  });

  it('cover the visible rows with the fewest pages, none past the last row', () => {
    expect(pagesCovering(0, 30, 450)).toEqual([0]);
    expect(pagesCovering(190, 260, 450)).toEqual([0, 1]);
    expect(pagesCovering(420, 500, 450)).toEqual([2]);
    expect(pagesCovering(0, 0, 0)).toEqual([]);
  });
});
