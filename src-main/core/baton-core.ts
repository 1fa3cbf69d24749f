/**
 * Wires the store, the agent runner, the bus and the orchestrator together for any host (CLI, server, Electron),
 * after putting right what a crash left: runs (openTaskStore) and task worktrees (recoverWorktrees).
 */
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { AgentKind } from '../contract/task-spec';
import type { RunnerHost } from '../contract/views';
import type { AgentRunner } from './agents/agent-runner';
import { EventBus } from './events/event-bus';
import { isProcessAlive, stopOrphanedAgent } from './process-tree';
import type { Clock } from './orchestrator/clock';
import { Orchestrator, type RetryTiming } from './orchestrator/orchestrator';
import { recoverWorktrees } from './orchestrator/worktree-recovery';
import { openDataSource } from './store/data-source';
import { TaskStore } from './store/task-store';

export interface BatonCoreOptions {
  retry: RetryTiming;
  databaseFile: string;
  /** Claude Code's runner (in tests, a stand-in for every agent). */
  agent: AgentRunner;
  /** Every agent's runner, where the host has more than Claude Code's. */
  agents?: Partial<Record<AgentKind, AgentRunner>>;
  nativeBinding?: string;
  /** For the jitter of retries and of waits for a quota window; tests pin it. */
  random?: () => number;
  /** Where task worktrees go; default: beside the database file. */
  dataDir?: string;
  /** New task ids; tests pin them. */
  newTaskId?: () => string;
  /** What kind of Baton process opens the core, recorded on the tasks it runs. */
  host?: RunnerHost;
  /** The orchestrator's time and waits; the machine's by default, one the test moves in tests. */
  clock?: Clock;
}

export interface BatonCore {
  dataSource: DataSource;
  store: TaskStore;
  bus: EventBus;
  orchestrator: Orchestrator;
  /** Where task worktrees (and the notes of launches and merges under way) are kept. */
  dataDir: string;
  /** What this start found that crashes had left in task worktrees, and what it did; one line each. */
  recovered: string[];
  /** The tasks a dead process left active, which this start closed: their ends are this process's to publish. */
  recoveredTaskIds: string[];
  close(): Promise<void>;
}

/**
 * Opens the store the way every Baton process must: migrations first, then
 * closing what a crashed Baton left 'running' (a live process's runs are left
 * alone), and stopping the agents such a crash left behind.
 */
export async function openTaskStore(
  databaseFile: string,
  nativeBinding?: string,
): Promise<{ dataSource: DataSource; store: TaskStore; recoveredTaskIds: string[] }> {
  const dataSource = await openDataSource({ file: databaseFile, nativeBinding });
  const store = new TaskStore(dataSource);
  // Nothing can run under this process's pid before it has opened the store: a row that says so was left by an
  // earlier process that had the same pid (as a container's first process always does), and is recovered.
  const recoveredTaskIds = await recoverCrashedRuns(store, (pid) => pid !== process.pid && isProcessAlive(pid));
  return { dataSource, store, recoveredTaskIds };
}

/**
 * What a Baton process that is gone left 'running' becomes 'interrupted', and
 * the agents it left behind are stopped; a live process's runs are left alone.
 * Run on every open, and by the log tail when the owner of an active task
 * dies. Answers the tasks it closed.
 */
export async function recoverCrashedRuns(
  store: TaskStore,
  isAlive: (pid: number) => boolean = isProcessAlive,
): Promise<string[]> {
  const recovered = await store.recoverInterrupted(isAlive);
  for (const sessionId of recovered.sessionIds) stopOrphanedAgent(sessionId);
  return recovered.taskIds;
}

/** Baton's data directory for a database: the folder it is in (an in-memory one has the system's temp folder). */
function dataDirOf(databaseFile: string): string {
  return databaseFile === ':memory:' ? path.join(os.tmpdir(), 'baton') : path.dirname(path.resolve(databaseFile));
}

export async function openBatonCore(options: BatonCoreOptions): Promise<BatonCore> {
  const { dataSource, store, recoveredTaskIds } = await openTaskStore(options.databaseFile, options.nativeBinding);
  const dataDir = options.dataDir ?? dataDirOf(options.databaseFile);
  // As with the runs above, nothing under way can be this process's own before it has opened the store.
  const recovered = await recoverWorktrees(store, dataDir, (pid) => pid !== process.pid && isProcessAlive(pid));
  for (const line of recovered) console.error(`baton: ${line}`);
  const bus = new EventBus((error) => console.error('baton: an event listener failed:', error));
  const orchestrator = new Orchestrator({
    store,
    agent: options.agent,
    agents: options.agents,
    bus,
    retry: options.retry,
    random: options.random,
    dataDir,
    newTaskId: options.newTaskId,
    host: options.host,
    clock: options.clock,
  });
  return {
    dataSource,
    store,
    bus,
    orchestrator,
    dataDir,
    recovered,
    recoveredTaskIds,
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}
