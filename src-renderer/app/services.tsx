import { createContext, useContext, useSyncExternalStore } from 'react';
import type { BatonApi } from '../contract';
import { createClient } from '../client';
import { createHistoryStore, type HistoryStore } from '../stores/history-store';
import { createLaunchStore, type LaunchStore } from '../stores/launch-store';
import { connectLiveStore, createLiveStore, type LiveStore } from '../stores/live-store';
import { createUsageStore, type UsageStore } from '../stores/usage-store';
import type { ConnectionState, Transport } from '../transport/transport';

/** Everything the views share; tests build one over a fake transport. */
export interface Services {
  client: BatonApi;
  transport: Transport;
  live: LiveStore;
  history: HistoryStore;
  launch: LaunchStore;
  usage: UsageStore;
  /** Counts resyncs, so views can reload when it changes. */
  resyncCount: { subscribe(listener: () => void): () => void; get(): number };
  /** Connects the live store to the transport; returns the disconnect. */
  start(): () => void;
}

export function createServices(transport: Transport, storage?: Pick<Storage, 'getItem' | 'setItem'> | null): Services {
  const client = createClient(transport);
  const live = createLiveStore(client);
  let count = 0;
  // Registered before any view's listener, so views see the new count when told.
  transport.onResync(() => {
    count++;
  });
  return {
    client,
    transport,
    live,
    history: createHistoryStore(client),
    launch: storage === undefined ? createLaunchStore(client) : createLaunchStore(client, storage),
    usage: createUsageStore(client, { events: transport }),
    resyncCount: {
      subscribe: (listener) => transport.onResync(listener),
      get: () => count,
    },
    start: () => connectLiveStore(live, transport),
  };
}

const ServicesContext = createContext<Services | null>(null);
export const ServicesProvider = ServicesContext.Provider;

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

/** Changes after every reconnect; put it in a loader's dependencies to reload then. */
export function useResyncCount(): number {
  const { resyncCount } = useServices();
  return useSyncExternalStore(resyncCount.subscribe, resyncCount.get);
}
