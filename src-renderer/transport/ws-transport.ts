import {
  callErrorSchema,
  WS_PATH,
  type BatonEvent,
  type SequencedEvent,
  type CallError,
  type CallOutcome,
  type ClientMessage,
} from '../contract';
import { BatonCallError } from '../errors';
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

interface Waiting {
  method: string;
  resolve: (outcome: CallOutcome) => void;
  reject: (error: Error) => void;
}

/** Accepts only outcomes of the contract's shape, so a malformed answer becomes an error rather than a crash later. */
function asOutcome(value: unknown): CallOutcome | null {
  if (typeof value !== 'object' || value === null) return null;
  const outcome = value as { ok?: unknown; value?: unknown; error?: Partial<CallError> };
  if (outcome.ok === true) return { ok: true, value: outcome.value };
  if (outcome.ok === false && outcome.error && typeof outcome.error.message === 'string') {
    // Checked with the contract's own schema: an unknown code is 'internal', and missing or
    // malformed issues become none (the message still says what went wrong).
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
  return null;
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
  let socketOpen = false;
  let nextId = 1;
  let attempt = 0;
  let greetedBefore = false;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let askingAboutToken = false;
  const queued: { message: ClientMessage; waiting: Waiting }[] = [];
  const inFlight = new Map<number, Waiting>();

  const setState = (next: ConnectionState) => {
    if (state === next) return;
    state = next;
    states.emit(next);
  };

  const send = (message: ClientMessage, waiting: Waiting): boolean => {
    if (!socket || !socketOpen) return false;
    try {
      socket.send(JSON.stringify(message));
    } catch {
      return false;
    }
    inFlight.set(message.id, waiting);
    return true;
  };

  const flushQueue = () => {
    while (queued.length > 0) {
      const next = queued[0]!;
      if (!send(next.message, next.waiting)) return;
      queued.shift();
    }
  };

  const rejectInFlight = (why: string) => {
    const waiting = [...inFlight.values()];
    inFlight.clear();
    for (const w of waiting) w.reject(new BatonCallError('unavailable', `${why} before ${w.method} answered`));
  };

  const onMessage = (data: unknown) => {
    let message: { type?: unknown; id?: unknown; outcome?: unknown; event?: unknown; seq?: unknown };
    try {
      message = JSON.parse(String(data)) as typeof message;
    } catch {
      return; // Not ours; the server sends only JSON.
    }
    if (message.type === 'result' && typeof message.id === 'number') {
      const waiting = inFlight.get(message.id);
      if (!waiting) return;
      inFlight.delete(message.id);
      const outcome = asOutcome(message.outcome);
      if (outcome) waiting.resolve(outcome);
      else waiting.reject(new BatonCallError('internal', `malformed answer to ${waiting.method}`));
    } else if (
      message.type === 'event' &&
      typeof message.event === 'object' &&
      message.event !== null &&
      Number.isSafeInteger(message.seq)
    ) {
      events.emit({ seq: message.seq as number, event: message.event as BatonEvent });
    } else if (message.type === 'hello') {
      if (greetedBefore) resyncs.emit();
      greetedBefore = true;
    }
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
      if (state !== 'closed' && !socketOpen) setState(refused ? 'refused' : 'reconnecting');
    };
    options.tokenAccepted().then(
      (accepted) => settle(!accepted),
      () => settle(false),
    );
  };

  const onClose = (closed: SocketLike, code: number | undefined) => {
    if (socket !== closed) return;
    const opened = socketOpen;
    socket = null;
    socketOpen = false;
    // 1009: the server refused a message as too big (a huge pasted prompt); say so rather than "lost".
    rejectInFlight(
      code === 1009
        ? 'Baton refused a message over its size limit and closed the connection'
        : 'the connection to Baton was lost',
    );
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
    socketOpen = false;
    ws.onopen = () => {
      if (socket !== ws) return;
      socketOpen = true;
      attempt = 0;
      setState('open');
      flushQueue();
    };
    ws.onmessage = (event) => {
      if (socket === ws) onMessage(event.data);
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
        const message: ClientMessage = { type: 'call', id: nextId++, method, input };
        const waiting: Waiting = { method, resolve, reject };
        if (queued.length > 0 || !send(message, waiting)) queued.push({ message, waiting });
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
      socketOpen = false;
      ws?.close();
      rejectInFlight('the connection to Baton was closed');
      for (const q of queued.splice(0)) {
        q.waiting.reject(
          new BatonCallError('unavailable', `the connection to Baton was closed before ${q.waiting.method} was sent`),
        );
      }
      events.clear();
      resyncs.clear();
      states.clear();
    },
  };
}
