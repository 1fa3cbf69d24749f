import { describe, expect, it } from 'vitest';
import type { BatonEvent } from '../../../src-main/contract/events';
import { type TaskSummary, taskSummarySchema } from '../../../src-main/contract/views';
import { type NotificationClass, notifyOnFinish } from '../../../src-main/electron/notifications';

function fakeHost() {
  const listeners = new Set<(event: BatonEvent, seq: number) => void>();
  let seq = 0;
  return {
    subscribe(listener: (event: BatonEvent, seq: number) => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    emit(event: BatonEvent) {
      seq++;
      for (const listener of listeners) listener(event, seq);
    },
    listenerCount: () => listeners.size,
  };
}

const summary: TaskSummary = taskSummarySchema.parse({
  id: 't1',
  projectId: 'p1',
  workingDir: '/work/repo',
  title: 'Fix the tests',
  prompt: 'Make the failing tests pass',
  agent: 'claude-code',
  model: null,
  spec: { dir: '/work/repo', prompt: 'Make the failing tests pass' },
  status: 'completed',
  statusReason: 'the check passed',
  createdAt: 1,
  startedAt: 2,
  finishedAt: 3,
  iterations: 2,
  totals: {
    inputTokens: 1,
    outputTokens: 1,
    cacheCreationTokens: 0,
    cacheReadTokens: 0,
    totalTokens: 2,
    turns: 1,
    costUsd: 0.01,
  },
  averageTokensPerIteration: 1,
  durationMs: 10,
  apiDurationMs: 5,
});

const finished: BatonEvent = {
  type: 'task.finished',
  taskId: 't1',
  status: 'completed',
  reason: 'the check passed',
  task: summary,
};
const started: BatonEvent = { type: 'task.started', taskId: 't1' };

function fakeNotifications(supported = true) {
  const shown: { title?: string; body?: string }[] = [];
  const Notification: NotificationClass = class {
    static isSupported = () => supported;
    constructor(private readonly options: { title?: string; body?: string }) {}
    show() {
      shown.push(this.options);
    }
  };
  return { Notification, shown };
}

describe('notifyOnFinish', () => {
  it('shows a notification for a finished task while the window is not focused', () => {
    const host = fakeHost();
    const { Notification, shown } = fakeNotifications();
    notifyOnFinish({ host, window: { isDestroyed: () => false, isFocused: () => false }, Notification });
    host.emit(finished);
    expect(shown).toEqual([{ title: 'Baton: task completed', body: 'Fix the tests: the check passed' }]);
  });

  it('stays quiet while the window is focused, and for other events', () => {
    const host = fakeHost();
    const { Notification, shown } = fakeNotifications();
    const focus = { focused: true };
    notifyOnFinish({ host, window: { isDestroyed: () => false, isFocused: () => focus.focused }, Notification });
    host.emit(finished);
    expect(shown).toEqual([]);
    focus.focused = false;
    host.emit(started);
    expect(shown).toEqual([]);
    host.emit({ ...finished, status: 'failed', reason: 'three failed iterations in a row' });
    expect(shown).toEqual([{ title: 'Baton: task failed', body: 'Fix the tests: three failed iterations in a row' }]);
  });

  it('notifies when the window is gone, and never where notifications are unsupported', () => {
    const host = fakeHost();
    const supported = fakeNotifications(true);
    const unsupported = fakeNotifications(false);
    const gone = { isDestroyed: () => true, isFocused: () => true };
    notifyOnFinish({ host, window: gone, Notification: supported.Notification });
    notifyOnFinish({ host, window: gone, Notification: unsupported.Notification });
    host.emit(finished);
    expect(supported.shown).toHaveLength(1);
    expect(unsupported.shown).toEqual([]);
  });

  it('returns the unsubscribe', () => {
    const host = fakeHost();
    const { Notification } = fakeNotifications();
    const stop = notifyOnFinish({ host, window: { isDestroyed: () => false, isFocused: () => false }, Notification });
    stop();
    expect(host.listenerCount()).toBe(0);
  });
});
