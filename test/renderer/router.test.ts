import { describe, expect, it } from 'vitest';
import { hrefs, parseHash } from '../../src-renderer/router';

describe('hash routes', () => {
  it('maps hashes to views', () => {
    expect(parseHash('')).toEqual({ name: 'live' });
    expect(parseHash('#/')).toEqual({ name: 'live' });
    expect(parseHash('#/history')).toEqual({ name: 'history', tab: 'tasks' });
    expect(parseHash('#/history/')).toEqual({ name: 'history', tab: 'tasks' });
    expect(parseHash(hrefs.usage)).toEqual({ name: 'history', tab: 'usage' });
    expect(parseHash('#/history/usage/')).toEqual({ name: 'history', tab: 'usage' });
    expect(parseHash('#/tasks/abc-123')).toEqual({ name: 'task', taskId: 'abc-123' });
    expect(parseHash('#/nowhere')).toEqual({ name: 'not-found', hash: '#/nowhere' });
    expect(parseHash('#/tasks/%E0%A4%A')).toEqual({ name: 'not-found', hash: '#/tasks/%E0%A4%A' });
  });

  it('round-trips task ids through their links', () => {
    const id = 'odd id/with?chars';
    expect(parseHash(hrefs.task(id))).toEqual({ name: 'task', taskId: id });
  });
});
