/** The queue of a process's tasks against the stored concurrency limit, with a stand-in orchestrator. */
import { describe, expect, it } from 'vitest';
import type { TaskSummary } from '../../src-main/contract/views';
import type { Orchestrator } from '../../src-main/core/orchestrator/orchestrator';
import { TaskQueue } from '../../src-main/core/orchestrator/task-queue';

/** Runs that end when the test ends them; the limit as stored, which the test changes. */
function queueOf(stored: { limit: number }) {
  const running = new Map<string, () => void>();
  const orchestrator = {
    runTask: (taskId: string) =>
      new Promise<TaskSummary>((resolve) => running.set(taskId, () => resolve({ id: taskId } as TaskSummary))),
    skipQueued: async (taskId: string) => ({ id: taskId }) as TaskSummary,
  } as unknown as Orchestrator;
  // A poll too slow to matter here: what starts a task is the word that the limit changed.
  const queue = new TaskQueue(orchestrator, 1, { readLimit: async () => stored.limit, pollMs: 3_600_000 });
  return { queue, running };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the task queue', () => {
  it('starts a waiting task as soon as it hears the stored limit may have changed', async () => {
    const stored = { limit: 1 };
    const { queue, running } = queueOf(stored);
    void queue.run('a');
    void queue.run('b');
    await settle();
    expect([...running.keys()]).toEqual(['a']);
    stored.limit = 2;
    await settle();
    expect([...running.keys()]).toEqual(['a']);
    queue.limitMayHaveChanged();
    await settle();
    expect([...running.keys()]).toEqual(['a', 'b']);
    for (const end of running.values()) end();
  });
});
