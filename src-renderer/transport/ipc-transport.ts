import type { BatonBridge, SequencedEvent } from '../contract';
import { BatonCallError } from '../errors';
import { connectContract } from './contract-peer';
import type { ConnectionState, Transport } from './transport';
import { Listeners } from './transport';

/** The desktop transport: a peer over the preload's `window.baton`. IPC does not drop, so it never reconnects. */
export function createIpcTransport(bridge: BatonBridge): Transport {
  const events = new Listeners<SequencedEvent>();
  const stateListeners = new Listeners<ConnectionState>();
  const resyncListeners = new Listeners<void>();
  const peer = connectContract(bridge, { event: (event, seq) => events.emit({ event, seq }) });
  let state: ConnectionState = 'open';

  return {
    async call(method, input) {
      if (state === 'closed') throw new BatonCallError('unavailable', 'the connection to Baton is closed');
      return peer.call(method, input);
    },
    subscribe: (listener) => events.add(({ event, seq }) => listener(event, seq)),
    onResync: (listener) => resyncListeners.add(listener),
    onStateChange: (listener) => stateListeners.add(listener),
    getState: () => state,
    close() {
      peer.close('the connection to Baton was closed');
      events.clear();
      state = 'closed';
      stateListeners.emit(state);
    },
  };
}
