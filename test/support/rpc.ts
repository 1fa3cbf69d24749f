/**
 * The rpc peer in tests: ports to drive it with, and a contract client that
 * checks every result and event against the contract's schemas, which the
 * transports themselves leave unchecked.
 */
import type { WebSocket } from 'ws';
import { batonContract, callErrorSchema, type CallOutcome, isBatonMethod } from '../../src-main/contract/api';
import { type SequencedEvent, sequencedEventSchema } from '../../src-main/contract/events';
import { type Port, RpcPeer } from '../../src-main/contract/rpc-peer';
import { EVENT_NOTIFICATION } from '../../src-main/contract/transport';

export interface TestPort extends Port {
  /** Every message this end was sent, as it arrived. */
  readonly received: unknown[];
  /** Ends both ends, as a process or a socket ending does. */
  close(reason?: string): void;
}

/** Two ends of an in-memory channel that clones what it carries, as a process channel or MessagePort does. */
export function portPair(): [TestPort, TestPort] {
  const listeners = [new Set<(message: unknown) => void>(), new Set<(message: unknown) => void>()];
  const closers: Array<(reason: string) => void> = [];
  let closed = false;
  const end = (side: 0 | 1): TestPort => {
    const received: unknown[] = [];
    return {
      received,
      postMessage(message) {
        if (closed) throw new Error('the channel is closed');
        const copy = structuredClone(message);
        const other = listeners[1 - side]!;
        (side === 0 ? ends[1] : ends[0]).received.push(copy);
        for (const listener of [...other]) listener(copy);
      },
      onMessage(listener) {
        listeners[side]!.add(listener);
        return () => void listeners[side]!.delete(listener);
      },
      onClose: (listener) => void closers.push(listener),
      close(reason = 'the channel closed') {
        if (closed) return;
        closed = true;
        for (const closer of closers) closer(reason);
      },
    };
  };
  const ends: [TestPort, TestPort] = [end(0), end(1)];
  return ends;
}

/** A `ws` client socket as a Port: JSON text each way. */
export function wsClientPort(ws: WebSocket): Port {
  return {
    postMessage: (message) => ws.send(JSON.stringify(message)),
    onMessage(listener) {
      const onMessage = (data: unknown) => listener(JSON.parse(String(data)));
      ws.on('message', onMessage);
      return () => void ws.off('message', onMessage);
    },
    onClose: (listener) => void ws.once('close', () => listener('the socket closed')),
  };
}

/** The outcome as it came, once its value (or its error) is what the contract says `method` answers. */
export function checkedOutcome(method: string, outcome: CallOutcome): CallOutcome {
  const checked = outcome.ok
    ? isBatonMethod(method)
      ? batonContract[method].output.safeParse(outcome.value)
      : { success: false as const, error: new Error(`${method} is not a contract method, yet it answered`) }
    : callErrorSchema.safeParse(outcome.error);
  if (!checked.success) throw new Error(`${method} answered outside the contract: ${checked.error.message}`);
  return outcome;
}

/** A contract client over `port` whose every answer and event is checked against the contract. */
export function contractClient(port: Port) {
  const events: SequencedEvent[] = [];
  const peer = new RpcPeer(port, {
    notification(method, params) {
      if (method === EVENT_NOTIFICATION) events.push(sequencedEventSchema.parse(params));
    },
  });
  const dispatch = async (method: string, input?: unknown) => checkedOutcome(method, await peer.request(method, input));
  return {
    peer,
    events,
    dispatch,
    /** The value of a call that must succeed. */
    async call<T = unknown>(method: string, input?: unknown): Promise<T> {
      const outcome = await dispatch(method, input);
      if (!outcome.ok) throw new Error(`${method}: ${outcome.error.code}: ${outcome.error.message}`);
      return outcome.value as T;
    },
  };
}
