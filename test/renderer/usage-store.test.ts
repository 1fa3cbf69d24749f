import { describe, expect, it } from 'vitest';
import { createUsageStore, isUnfiltered, usageFilterOf, usageRangeError } from '../../src-renderer/stores/usage-store';

describe('the usage store', () => {
  it('keeps the filter as chosen, a cleared date dropped rather than sent empty', () => {
    const store = createUsageStore();
    store.getState().setFilter({ source: 'baton', since: '2026-11-20', until: '2026-11-25' });
    store.getState().setFilter({ until: '' });
    expect(store.getState().filter).toEqual({ source: 'baton', since: '2026-11-20' });
    expect(isUnfiltered(store.getState().filter)).toBe(false);
    expect(isUnfiltered({ source: 'all' })).toBe(true);
  });

  it('switches the measure the charts draw', () => {
    const store = createUsageStore();
    expect(store.getState().metric).toBe('cost');
    store.getState().setMetric('tokens');
    expect(store.getState().metric).toBe('tokens');
  });

  it('refuses a reversed range, and sends the filter with the page’s zone', () => {
    expect(usageRangeError({ source: 'all', since: '2026-11-25', until: '2026-11-20' })).toBe(
      'The date range ends before it starts',
    );
    expect(usageRangeError({ source: 'all', since: '2026-11-25', until: '2026-11-25' })).toBeNull();
    expect(usageFilterOf({ source: 'interactive', since: '2026-11-20' }, 'Europe/Berlin')).toEqual({
      source: 'interactive',
      since: '2026-11-20',
      timeZone: 'Europe/Berlin',
    });
    expect(usageFilterOf({ source: 'all' }, undefined)).toEqual({ source: 'all' });
  });
});
