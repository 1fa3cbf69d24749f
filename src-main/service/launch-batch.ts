/**
 * A batch is launched whole or not at all. Every task is checked before the first is made, so a refusal
 * of the third (a budget without prices, the daily budget, a folder that is no repository) leaves the
 * first two unmade; and none starts before the last is made, so should one still fail to be made (git,
 * the disk, a budget another process spent meanwhile), those made before it are taken back unrun.
 */
import type { TaskSpecInput } from '../contract/task-spec';
import type { TaskSummary } from '../contract/views';
import { InvalidTaskError, type Orchestrator } from '../core/orchestrator/orchestrator';

/** One entry of a batch could not be launched, and so none was: `entry` counts from 0. */
export class BatchEntryError extends Error {
  override readonly name = 'BatchEntryError';
  constructor(
    readonly entry: number,
    message: string,
    /** Bad input the caller can fix, as against a failure of Baton or the machine. */
    readonly invalidInput: boolean,
  ) {
    super(message);
  }
}

export interface BatchParts {
  orchestrator: Pick<Orchestrator, 'checkNewTask' | 'createTask' | 'takeBackUnstarted'>;
  /** Throws when the agent a spec asks for cannot run here (its binary is missing). */
  ensureAgent(spec: TaskSpecInput): void;
  /** Queues a made task to run (the run registry's start). */
  start(taskId: string): void;
  log?: (message: string) => void;
}

async function forEntry<T>(entry: number, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw new BatchEntryError(entry, (error as Error).message, error instanceof InvalidTaskError);
  }
}

export async function launchBatch(parts: BatchParts, specs: readonly TaskSpecInput[]): Promise<TaskSummary[]> {
  const { orchestrator } = parts;
  for (const [entry, spec] of specs.entries()) {
    await forEntry(entry, async () => {
      parts.ensureAgent(spec);
      await orchestrator.checkNewTask(spec);
    });
  }
  const made: TaskSummary[] = [];
  try {
    for (const [entry, spec] of specs.entries()) made.push(await forEntry(entry, () => orchestrator.createTask(spec)));
  } catch (error) {
    const reason = `task ${(error as BatchEntryError).entry + 1} of its batch could not be launched, so none was`;
    for (const task of made.reverse()) {
      await orchestrator.takeBackUnstarted(task.id, reason).catch((cleanup: unknown) => {
        const log = parts.log ?? ((message: string) => console.error(message));
        log(`baton: could not take back task ${task.id} of a batch: ${(cleanup as Error).message}`);
      });
    }
    throw error;
  }
  for (const task of made) parts.start(task.id);
  return made;
}
