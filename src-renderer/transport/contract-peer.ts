import {
  type BatonEvent,
  callErrorSchema,
  type CallOutcome,
  EVENT_NOTIFICATION,
  HELLO_NOTIFICATION,
  type Port,
  RpcPeer,
} from '../contract';
import { BatonCallError, errorMessage } from '../errors';

/** The window's end of the contract over one connection, whichever transport carries it. */
export interface ContractPeer {
  /** The service's outcome; rejects with an unavailable BatonCallError when none can come. */
  call(method: string, input: unknown): Promise<CallOutcome>;
  /** Rejects the calls still waiting: "`reason` before `method` answered". */
  close(reason: string): void;
}

export interface ContractListeners {
  event(event: BatonEvent, seq: number): void;
  /** The server's greeting, first on every connection. */
  hello?(): void;
}

/**
 * An error outcome checked with the contract's own schema: an unknown code is 'internal', and missing or
 * malformed issues become none (the message still says what went wrong), so no form shows a broken field error.
 */
function tidy(outcome: CallOutcome): CallOutcome {
  if (outcome.ok) return outcome;
  const code = callErrorSchema.shape.code.safeParse(outcome.error.code);
  const issues = callErrorSchema.shape.issues.safeParse(outcome.error.issues);
  return {
    ok: false,
    error: {
      code: code.success ? code.data : 'internal',
      message: outcome.error.message,
      issues: issues.success ? issues.data : [],
    },
  };
}

export function connectContract(port: Port, on: ContractListeners): ContractPeer {
  const peer = new RpcPeer(port, {
    notification(method, params) {
      if (method === HELLO_NOTIFICATION) return on.hello?.();
      if (method !== EVENT_NOTIFICATION) return;
      const { seq, event } = (params ?? {}) as { seq?: unknown; event?: unknown };
      // An event without its seq cannot be placed: dropped, and the gap it leaves is caught up.
      if (Number.isSafeInteger(seq) && typeof event === 'object' && event !== null) {
        on.event(event as BatonEvent, seq as number);
      }
    },
  });
  return {
    async call(method, input) {
      try {
        return tidy(await peer.request(method, input));
      } catch (error) {
        throw new BatonCallError('unavailable', errorMessage(error));
      }
    },
    close: (reason) => peer.close(reason),
  };
}
