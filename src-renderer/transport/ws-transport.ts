import { WS_PATH, type CallOutcome, type Port, type SequencedEvent } from '../contract';
import { BatonCallError } from '../errors';
import { connectContract, type ContractPeer } from './contract-peer';
import type { ConnectionState, Transport } from './transport';
import { Listeners } from './transport';

/** The part of the browser's WebSocket this transport uses, so tests can pass a fake class. */
export interface SocketLike {
  send(data: string): void;
  close(): void;
  onopen: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code?: number }) => void) | null;
  onerror: (() => void) | null;
}

export type SocketConstructor = new (url: string) => SocketLike;

export interface WsTransportOptions {
  url: string;
  WebSocketImpl?: SocketConstructor;
  /** First reconnect delay; it doubles per failed attempt up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /**
   * Asked after an attempt that never opened (a browser hides why a socket was refused): false when
   * Baton answers but refuses this page's token, true when it does not (or is not) refusing it, and a
   * rejection when Baton cannot be reached at all.
   */
  tokenAccepted?: () => Promise<boolean>;
}

/** Asks the page's own origin whether it still takes the page's token: a refused one answers 401. */
export async function pageTokenAccepted(): Promise<boolean> {
  const answer = await fetch('/', { method: 'HEAD', cache: 'no-store', credentials: 'same-origin' });
  return answer.status !== 401;
}

/** The WebSocket URL on the page's own origin; the server's auth cookie rides along. */
export function wsUrlFor(location: Pick<Location, 'protocol' | 'host'>): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  // The contract's WS_PATH; repeated as a literal because the renderer may import only types.
  return `${scheme}://${location.host}${WS_PATH}`;
}

interface Queued {
  method: string;
  input: unknown;
  resolve: (outcome: CallOutcome) => void;
  reject: (error: Error) => void;
}

/** A socket as an rpc Port: JSON text each way; a message that is not JSON is not ours, and is dropped. */
function socketPort(ws: SocketLike): Port {
  return {
    postMessage: (message) => ws.send(JSON.stringify(message)),
    onMessage(listener) {
      ws.onmessage = (event) => {
        let message: unknown;
        try {
          message = JSON.parse(String(event.data));
        } catch {
          return;
        }
        listener(message);
      };
      return () => void (ws.onmessage = null);
    },
  };
}

/**
 * Browser mode. Calls made while (re)connecting wait in a queue; a lost
 * connection rejects the calls that were sent and not answered (their outcome
 * is unknown), then reconnects with exponential backoff. A 'hello' on any
 * connection after the first means events may have been missed: resync.
 */
export function createWsTransport(options: WsTransportOptions): Transport {
  const Impl = options.WebSocketImpl ?? (globalThis.WebSocket as unknown as SocketConstructor);
  const initialDelay = options.initialDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 5000;

  const events = new Listeners<SequencedEvent>();
  const resyncs = new Listeners<void>();
  const states = new Listeners<ConnectionState>();

  let state: ConnectionState = 'connecting';
  let socket: SocketLike | null = null;
  /** The open connection's peer; null while (re)connecting. */
  let peer: ContractPeer | null = null;
  let attempt = 0;
  let greetedBefore = false;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let askingAboutToken = false;
  const queued: Queued[] = [];

  const setState = (next: ConnectionState) => {
    if (state === next) return;
    state = next;
    states.emit(next);
  };

  const send = (open: ContractPeer, { method, input, resolve, reject }: Queued) =>
    void open.call(method, input).then(resolve, reject);

  const onHello = () => {
    if (greetedBefore) resyncs.emit();
    greetedBefore = true;
  };

  const scheduleReconnect = () => {
    const delay = Math.min(initialDelay * 2 ** attempt, maxDelay);
    attempt++;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      connect();
    }, delay);
  };

  /** After an attempt that never opened: refused for the token, or just not reachable yet. */
  const askAboutToken = () => {
    if (!options.tokenAccepted || askingAboutToken) return;
    askingAboutToken = true;
    const settle = (refused: boolean) => {
      askingAboutToken = false;
      // A socket that opened meanwhile, or a close, says more than the answer.
      if (state !== 'closed' && !peer) setState(refused ? 'refused' : 'reconnecting');
    };
    options.tokenAccepted().then(
      (accepted) => settle(!accepted),
      () => settle(false),
    );
  };

  const onClose = (closed: SocketLike, code: number | undefined) => {
    if (socket !== closed) return;
    const opened = peer !== null;
    socket = null;
    // 1009: the server refused a message as too big (a huge pasted prompt); say so rather than "lost".
    peer?.close(
      code === 1009
        ? 'Baton refused a message over its size limit and closed the connection'
        : 'the connection to Baton was lost',
    );
    peer = null;
    if (state === 'closed') return;
    // Refused stays refused through the attempts that follow, until one opens or the answer changes.
    if (state !== 'refused') setState('reconnecting');
    if (!opened) askAboutToken();
    scheduleReconnect();
  };

  function connect() {
    let ws: SocketLike;
    try {
      ws = new Impl(options.url);
    } catch {
      if (state !== 'closed') {
        setState('reconnecting');
        scheduleReconnect();
      }
      return;
    }
    socket = ws;
    ws.onopen = () => {
      if (socket !== ws) return;
      const opened = connectContract(socketPort(ws), {
        event: (event, seq) => events.emit({ event, seq }),
        hello: onHello,
      });
      peer = opened;
      attempt = 0;
      setState('open');
      for (const waiting of queued.splice(0)) send(opened, waiting);
    };
    ws.onclose = (event) => onClose(ws, event?.code);
    // An error is always followed by close, which does the work.
    ws.onerror = () => {};
  }

  connect();

  return {
    call(method, input) {
      if (state === 'closed') {
        return Promise.reject(new BatonCallError('unavailable', 'the connection to Baton is closed'));
      }
      return new Promise<CallOutcome>((resolve, reject) => {
        const waiting: Queued = { method, input, resolve, reject };
        if (peer) send(peer, waiting);
        else queued.push(waiting);
      });
    },
    subscribe: (listener) => events.add(({ event, seq }) => listener(event, seq)),
    onResync: (listener) => resyncs.add(listener),
    onStateChange: (listener) => states.add(listener),
    getState: () => state,
    close() {
      if (state === 'closed') return;
      setState('closed');
      if (reconnectTimer) clearTimeout(reconnectTimer);
      reconnectTimer = null;
      const ws = socket;
      socket = null;
      ws?.close();
      peer?.close('the connection to Baton was closed');
      peer = null;
      for (const waiting of queued.splice(0)) {
        waiting.reject(
          new BatonCallError('unavailable', `the connection to Baton was closed before ${waiting.method} was sent`),
        );
      }
      events.clear();
      resyncs.clear();
      states.clear();
    },
  };
}
