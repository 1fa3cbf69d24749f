/** Wires the store, the agent runner, the bus and the orchestrator together for any host (CLI, server, Electron). */
import type { DataSource } from 'typeorm';
import type { AgentRunner } from './agents/agent-runner';
import { EventBus } from './events/event-bus';
import { Orchestrator } from './orchestrator/orchestrator';
import { openDataSource } from './store/data-source';
import { TaskStore } from './store/task-store';

export interface BatonCoreOptions {
  databaseFile: string;
  agent: AgentRunner;
  nativeBinding?: string;
}

export interface BatonCore {
  dataSource: DataSource;
  store: TaskStore;
  bus: EventBus;
  orchestrator: Orchestrator;
  close(): Promise<void>;
}

export async function openBatonCore(options: BatonCoreOptions): Promise<BatonCore> {
  const dataSource = await openDataSource({ file: options.databaseFile, nativeBinding: options.nativeBinding });
  const store = new TaskStore(dataSource);
  const bus = new EventBus((error) => console.error('baton: an event listener failed:', error));
  const orchestrator = new Orchestrator({ store, agent: options.agent, bus });
  return {
    dataSource,
    store,
    bus,
    orchestrator,
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}
