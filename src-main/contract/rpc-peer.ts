/**
 * The one request/response peer. The service worker's process channel, the
 * browser-mode WebSocket and the desktop window's IPC all carry the same three
 * messages between two of these: a request, its response (the contract's
 * CallOutcome, as HTTP answers it too) and a one-way notification (the
 * service's events). A peer checks the envelope only: what a request carries
 * is for its handler (the service's dispatch validates the contract's inputs,
 * once), and results are checked against the contract in tests.
 */
import { type CallOutcome, failure } from './api';

/** Anything that carries messages both ways: a MessagePort, a process channel, a WebSocket, Electron IPC. */
export interface Port {
  /** Throws when the message cannot be sent. */
  postMessage(message: unknown): void;
  /** Returns the listener's removal. */
  onMessage(listener: (message: unknown) => void): () => void;
  /** Called once the other end is gone, with why: a peer then settles what waits on it. */
  onClose?(listener: (reason: string) => void): void;
}

export type RequestId = string | number;

export type RpcMessage =
  | { type: 'request'; id: RequestId; method: string; params?: unknown }
  | { type: 'response'; id: RequestId; outcome: CallOutcome }
  | { type: 'notification'; method: string; params?: unknown };

export interface PeerHandlers {
  /** Answers the other side's requests; without it every request is answered unknown_method. */
  request?(method: string, params: unknown): Promise<CallOutcome> | CallOutcome;
  notification?(method: string, params: unknown): void;
  /** Where a malformed message, or one that could not be sent, is reported. */
  log?(line: string): void;
}

/** A request that got no answer: the peer closed, or the message could not be sent. */
export class PeerClosedError extends Error {}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const isRequestId = (value: unknown): value is RequestId => typeof value === 'string' || Number.isFinite(value);
const short = (value: unknown) => String(value).slice(0, 100);

/** The outcome's frame: its value is the handler's, unchecked; an error has at least a code and a message. */
function isOutcome(value: unknown): value is CallOutcome {
  if (!isRecord(value)) return false;
  if (value.ok === true) return true;
  return (
    value.ok === false &&
    isRecord(value.error) &&
    typeof value.error.code === 'string' &&
    typeof value.error.message === 'string'
  );
}

/**
 * Several ports over one: a channel's messages travel as `{ channel, message }`, so one process channel
 * carries the parent's own connection and the window's, and whoever relays one reads no more than its name.
 */
export function channel(port: Port, name: string): Port {
  return {
    postMessage: (message) => port.postMessage({ channel: name, message }),
    onMessage: (listener) =>
      port.onMessage((wrapped) => {
        if (isRecord(wrapped) && wrapped.channel === name) listener(wrapped.message);
      }),
    onClose: port.onClose && ((listener) => port.onClose?.(listener)),
  };
}

export class RpcPeer {
  private readonly pending = new Map<RequestId, { method: string; settle(outcome: CallOutcome | Error): void }>();
  // A window that reloads talks on to the same service peer: its new page must not take the old page's answers.
  private readonly idPrefix = `${Math.random().toString(36).slice(2, 10)}:`;
  private nextId = 0;
  private closedBecause: string | undefined;
  private readonly stopListening: () => void;

  constructor(
    private readonly port: Port,
    private readonly handlers: PeerHandlers = {},
  ) {
    this.stopListening = port.onMessage((message) => this.receive(message));
    port.onClose?.((reason) => this.close(reason));
  }

  /** The other side's outcome; rejects with a PeerClosedError when none can come. */
  request(method: string, params?: unknown): Promise<CallOutcome> {
    if (this.closedBecause !== undefined) return Promise.reject(new PeerClosedError(this.closedBecause));
    const id = `${this.idPrefix}${this.nextId++}`;
    return new Promise<CallOutcome>((resolve, reject) => {
      const settle = (outcome: CallOutcome | Error) => (outcome instanceof Error ? reject(outcome) : resolve(outcome));
      this.pending.set(id, { method, settle });
      try {
        this.port.postMessage({ type: 'request', id, method, params } satisfies RpcMessage);
      } catch (error) {
        this.pending.delete(id);
        reject(new PeerClosedError(`could not send ${method}: ${errorText(error)}`));
      }
    });
  }

  notify(method: string, params?: unknown): void {
    if (this.closedBecause === undefined) this.send({ type: 'notification', method, params });
  }

  /** Stops listening, and rejects every request still waiting with the reason. Later calls do nothing. */
  close(reason: string): void {
    if (this.closedBecause !== undefined) return;
    this.closedBecause = reason;
    this.stopListening();
    for (const { method, settle } of this.pending.values())
      settle(new PeerClosedError(`${reason} before ${method} answered`));
    this.pending.clear();
  }

  get closed(): boolean {
    return this.closedBecause !== undefined;
  }

  private send(message: RpcMessage): void {
    try {
      this.port.postMessage(message);
    } catch (error) {
      this.handlers.log?.(
        `could not send a ${message.type} (${message.type === 'response' ? message.id : message.method}): ${errorText(error)}`,
      );
    }
  }

  private receive(message: unknown): void {
    if (!isRecord(message)) return this.handlers.log?.(`ignoring a malformed message (not an object)`);
    switch (message.type) {
      case 'request':
        if (!isRequestId(message.id)) return this.handlers.log?.('ignoring a request without an id');
        return void this.answer(message.id, message.method, message.params);
      case 'response':
        return this.settle(message.id, message.outcome);
      case 'notification':
        if (typeof message.method !== 'string') return this.handlers.log?.('ignoring a notification without a method');
        try {
          this.handlers.notification?.(message.method, message.params);
        } catch (error) {
          this.handlers.log?.(`a ${short(message.method)} notification's handler failed: ${errorText(error)}`);
        }
        return;
      default:
        return this.handlers.log?.(`ignoring a malformed message (type ${short(message.type).slice(0, 40)})`);
    }
  }

  private async answer(id: RequestId, method: unknown, params: unknown): Promise<void> {
    let outcome: CallOutcome;
    if (typeof method !== 'string') outcome = failure('invalid_input', 'malformed request: it names no method');
    else if (!this.handlers.request) outcome = failure('unknown_method', `no such method: ${short(method)}`);
    else {
      try {
        outcome = await this.handlers.request(method, params);
      } catch (error) {
        outcome = failure('internal', errorText(error));
      }
    }
    if (this.closedBecause === undefined) this.send({ type: 'response', id, outcome });
  }

  private settle(id: unknown, outcome: unknown): void {
    const waiting = isRequestId(id) ? this.pending.get(id) : undefined;
    if (!waiting) return this.handlers.log?.(`ignoring a response to no request (${short(id).slice(0, 40)})`);
    this.pending.delete(id as RequestId);
    // A malformed answer still settles its request, so no caller waits for ever.
    waiting.settle(isOutcome(outcome) ? outcome : failure('internal', `a malformed answer to ${waiting.method}`));
  }
}
