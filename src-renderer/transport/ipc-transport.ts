import type { BatonBridge } from '../contract';
import { BatonCallError, errorMessage } from '../errors';
import type { ConnectionState, Transport } from './transport';
import { Listeners } from './transport';

/** The desktop transport: the preload's `window.baton`. IPC does not drop, so it never reconnects. */
export function createIpcTransport(bridge: BatonBridge): Transport {
  const stateListeners = new Listeners<ConnectionState>();
  const resyncListeners = new Listeners<void>();
  const unsubscribers = new Set<() => void>();
  let state: ConnectionState = 'open';

  return {
    async call(method, input) {
      if (state === 'closed') throw new BatonCallError('unavailable', 'the connection to Baton is closed');
      try {
        return await bridge.call(method, input);
      } catch (error) {
        // The bridge rejects only when IPC itself failed; callers still get a coded error.
        throw new BatonCallError('unavailable', `the call to ${method} failed: ${errorMessage(error)}`);
      }
    },
    subscribe(listener) {
      const unsubscribe = bridge.subscribe(listener);
      unsubscribers.add(unsubscribe);
      return () => {
        unsubscribers.delete(unsubscribe);
        unsubscribe();
      };
    },
    onResync: (listener) => resyncListeners.add(listener),
    onStateChange: (listener) => stateListeners.add(listener),
    getState: () => state,
    close() {
      for (const unsubscribe of unsubscribers) unsubscribe();
      unsubscribers.clear();
      state = 'closed';
      stateListeners.emit(state);
    },
  };
}
