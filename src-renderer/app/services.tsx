import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { BatonApi, MethodInput, MethodResult } from '../contract';
import { createClient } from '../client';
import { readQuery, type ReadMethod } from '../queries/contract-queries';
import { connectInvalidation } from '../queries/invalidation';
import { createQueryClient } from '../queries/query-client';
import { createHistoryStore, type HistoryStore } from '../stores/history-store';
import { createLaunchStore, type LaunchStore } from '../stores/launch-store';
import { connectLiveStore, createLiveStore, type LiveStore } from '../stores/live-store';
import { createUsageStore, type UsageStore } from '../stores/usage-store';
import type { ConnectionState, Transport } from '../transport/transport';

/** Everything the views share; tests build one over a fake transport. */
export interface Services {
  client: BatonApi;
  transport: Transport;
  /** The server's answers, kept by query (queries/): Baton's events make them stale. */
  queryClient: QueryClient;
  /** A contract read outside a component, through its query: the cached answer while no event made it stale. */
  read<M extends ReadMethod>(method: M, input: MethodInput<M>): Promise<MethodResult<M>>;
  /** The live state of tasks, from the event log: the truth for what runs. */
  live: LiveStore;
  /** What History and All usage show of their filters and tabs (their data is in queries). */
  history: HistoryStore;
  usage: UsageStore;
  launch: LaunchStore;
  /** Connects the live store to the transport; returns the disconnect. */
  start(): () => void;
}

export function createServices(transport: Transport, storage?: Pick<Storage, 'getItem' | 'setItem'> | null): Services {
  const client = createClient(transport);
  const live = createLiveStore(client);
  const queryClient = createQueryClient();
  // For the window's life: the answers go stale as the events say, whichever view is open.
  connectInvalidation(queryClient, transport);
  const read: Services['read'] = (method, input) => queryClient.fetchQuery(readQuery(client, method, input));
  // The launch form reads settings, projects and spending through the same queries as the views, so it shares
  // their answers and their staleness; a directory's probe is asked each time, as it is typed.
  const launchReads = {
    launchTask: (input: MethodInput<'launchTask'>) => client.launchTask(input),
    pickDirectory: (input: MethodInput<'pickDirectory'>) => client.pickDirectory(input),
    getDirectoryInfo: (input: MethodInput<'getDirectoryInfo'>) => client.getDirectoryInfo(input),
    getSettings: (input: MethodInput<'getSettings'>) => read('getSettings', input),
    listProjects: (input: MethodInput<'listProjects'>) => read('listProjects', input),
    getSpending: (input: MethodInput<'getSpending'>) => read('getSpending', input),
  };
  return {
    client,
    transport,
    queryClient,
    read,
    live,
    history: createHistoryStore(),
    usage: createUsageStore(),
    launch: storage === undefined ? createLaunchStore(launchReads) : createLaunchStore(launchReads, storage),
    start: () => connectLiveStore(live, transport),
  };
}

const ServicesContext = createContext<Services | null>(null);

/** The services, and their query client for the query hooks. */
export function ServicesProvider({ value, children }: { value: Services; children: ReactNode }) {
  return (
    <ServicesContext.Provider value={value}>
      <QueryClientProvider client={value.queryClient}>{children}</QueryClientProvider>
    </ServicesContext.Provider>
  );
}

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside <ServicesProvider>');
  return services;
}

export function useConnectionState(): ConnectionState {
  const { transport } = useServices();
  return useSyncExternalStore(
    (listener) => transport.onStateChange(listener),
    () => transport.getState(),
  );
}
