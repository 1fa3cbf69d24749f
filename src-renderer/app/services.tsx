import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { BatonApi } from '../contract';
import { createClient } from '../client';
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
  return {
    client,
    transport,
    queryClient,
    live,
    history: createHistoryStore(),
    usage: createUsageStore(),
    launch: storage === undefined ? createLaunchStore(client) : createLaunchStore(client, storage),
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
