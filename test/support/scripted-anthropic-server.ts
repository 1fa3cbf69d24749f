/**
 * A scripted Anthropic-compatible Messages API for tests. It speaks just enough
 * of the protocol for the real Claude Code CLI: POST /v1/messages, streamed as
 * SSE (or one JSON body when `stream` is false), with usage that includes cache
 * tokens. Every request is recorded with the `x-claude-code-session-id` header
 * the CLI sends, so tests can compare what Baton stored with what was served.
 */
import type http from 'node:http';
import { addCounts, serveLocally } from './scripted-http';

export interface TurnUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export interface ScriptedTurn {
  /** Assistant text for this turn; a list is streamed as one text delta per piece. */
  text?: string | string[];
  /** A tool call; the CLI runs the tool and comes back with its result. */
  toolUse?: { name: string; input: Record<string, unknown> };
  usage: TurnUsage;
  /** Answer with this HTTP error status instead of a message (529 = overloaded). */
  errorStatus?: number;
  /** The error the body names with errorStatus, where it is not the status's usual one. */
  error?: { type: string; message: string };
  /** Wait this long before answering, so a test can watch an iteration while it runs. */
  delayMs?: number;
  /** Wait this long between the pieces of a streamed text, so a test can watch it grow. */
  pieceDelayMs?: number;
  /** Extra response headers, e.g. the subscription quota's `anthropic-ratelimit-unified-*`. */
  headers?: Record<string, string>;
}

/** The subscription quota headers the API sends under subscription auth, for one five-hour window. */
export function quotaHeaders(window: {
  status: 'allowed' | 'allowed_warning' | 'rejected';
  utilization: number;
  /** Epoch seconds. */
  resetsAt: number;
}): Record<string, string> {
  return {
    'anthropic-ratelimit-unified-status': window.status,
    'anthropic-ratelimit-unified-reset': String(window.resetsAt),
    'anthropic-ratelimit-unified-representative-claim': 'five_hour',
    'anthropic-ratelimit-unified-5h-status': window.status,
    'anthropic-ratelimit-unified-5h-utilization': String(window.utilization),
    'anthropic-ratelimit-unified-5h-reset': String(window.resetsAt),
    'anthropic-ratelimit-unified-7d-status': 'allowed',
    'anthropic-ratelimit-unified-7d-utilization': '0.2',
    'anthropic-ratelimit-unified-7d-reset': String(window.resetsAt + 6 * 86_400),
    // Some CLI versions report a warning (with the utilization) only once a threshold is passed.
    ...(window.status === 'allowed_warning' ? { 'anthropic-ratelimit-unified-5h-surpassed-threshold': '0.9' } : {}),
  };
}

export interface TurnContext {
  sessionId: string | undefined;
  /** 1 for the first session the server saw, 2 for the next, … */
  sessionOrdinal: number;
  /** 1 for the first request of this session, 2 for the next, … */
  turnInSession: number;
  body: MessagesRequestBody;
}

export interface MessagesRequestBody {
  model?: string;
  stream?: boolean;
  messages?: Array<{ role: string; content: unknown }>;
  [key: string]: unknown;
}

export interface RecordedRequest {
  /** When it arrived (epoch ms). */
  at: number;
  method: string;
  path: string;
  sessionId: string | undefined;
  body: MessagesRequestBody | undefined;
}

/** GET this path for the per-session token totals served so far, as JSON. */
export const USAGE_PATH = '/__scripted/usage';

export type Script = (ctx: TurnContext) => ScriptedTurn;

export interface ScriptedServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Token totals the server sent, per session id, in the order sessions first appeared. */
  usageBySession(): Map<string, TurnUsage>;
  close(): Promise<void>;
}

function emptyUsage(): TurnUsage {
  return { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
}

function sse(res: http.ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

async function streamTurn(
  res: http.ServerResponse,
  messageId: string,
  model: string,
  turn: ScriptedTurn,
): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...turn.headers });
  const { output_tokens, ...startUsage } = turn.usage;
  sse(res, 'message_start', {
    type: 'message_start',
    message: {
      id: messageId,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...startUsage, output_tokens: 1 },
    },
  });
  let index = 0;
  if (turn.text !== undefined) {
    sse(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
    for (const [i, piece] of [turn.text].flat().entries()) {
      if (i > 0 && turn.pieceDelayMs) await new Promise((resolve) => setTimeout(resolve, turn.pieceDelayMs));
      sse(res, 'content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'text_delta', text: piece },
      });
    }
    sse(res, 'content_block_stop', { type: 'content_block_stop', index });
    index++;
  }
  if (turn.toolUse) {
    const id = `toolu_${messageId}`;
    sse(res, 'content_block_start', {
      type: 'content_block_start',
      index,
      content_block: { type: 'tool_use', id, name: turn.toolUse.name, input: {} },
    });
    sse(res, 'content_block_delta', {
      type: 'content_block_delta',
      index,
      delta: { type: 'input_json_delta', partial_json: JSON.stringify(turn.toolUse.input) },
    });
    sse(res, 'content_block_stop', { type: 'content_block_stop', index });
  }
  sse(res, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason: turn.toolUse ? 'tool_use' : 'end_turn', stop_sequence: null },
    usage: { output_tokens },
  });
  sse(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

function jsonTurn(res: http.ServerResponse, messageId: string, model: string, turn: ScriptedTurn): void {
  const content: unknown[] = [];
  if (turn.text !== undefined) content.push({ type: 'text', text: [turn.text].flat().join('') });
  if (turn.toolUse) content.push({ type: 'tool_use', id: `toolu_${messageId}`, ...turn.toolUse });
  res.writeHead(200, { 'content-type': 'application/json', ...turn.headers });
  res.end(
    JSON.stringify({
      id: messageId,
      type: 'message',
      role: 'assistant',
      model,
      content,
      stop_reason: turn.toolUse ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: turn.usage,
    }),
  );
}

export async function startScriptedServer(script: Script): Promise<ScriptedServer> {
  const requests: RecordedRequest[] = [];
  const usage = new Map<string, TurnUsage>();
  const turnsBySession = new Map<string, number>();
  let anonymousTurns = 0;
  let messageCounter = 0;

  const server = await serveLocally(async ({ req, path, raw }, res) => {
    const header = req.headers['x-claude-code-session-id'];
    const sessionId = typeof header === 'string' ? header : undefined;
    let body: MessagesRequestBody | undefined;
    try {
      body = raw ? (JSON.parse(raw) as MessagesRequestBody) : undefined;
    } catch {
      body = undefined;
    }
    requests.push({ at: Date.now(), method: req.method ?? 'GET', path, sessionId, body });

    if (req.method === 'GET' && path === USAGE_PATH) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(Object.fromEntries(usage)));
      return;
    }
    if (req.method !== 'POST' || path !== '/v1/messages' || !body) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: `no route ${path}` } }));
      return;
    }

    let turnInSession: number;
    if (sessionId) {
      turnInSession = (turnsBySession.get(sessionId) ?? 0) + 1;
      turnsBySession.set(sessionId, turnInSession);
    } else {
      turnInSession = ++anonymousTurns;
    }
    const sessionOrdinal = sessionId ? [...turnsBySession.keys()].indexOf(sessionId) + 1 : 0;
    const turn = script({ sessionId, sessionOrdinal, turnInSession, body });
    if (turn.delayMs) await new Promise((resolve) => setTimeout(resolve, turn.delayMs));

    if (turn.errorStatus) {
      res.writeHead(turn.errorStatus, { 'content-type': 'application/json', ...turn.headers });
      const error =
        turn.error ??
        (turn.errorStatus === 429
          ? { type: 'rate_limit_error', message: 'Rate limited' }
          : { type: 'overloaded_error', message: 'Overloaded' });
      res.end(JSON.stringify({ type: 'error', error }));
      return;
    }
    const key = sessionId ?? '(none)';
    const totals = usage.get(key) ?? emptyUsage();
    addCounts(totals, turn.usage);
    usage.set(key, totals);

    const messageId = `msg_scripted_${++messageCounter}`;
    const model = body.model ?? 'claude-sonnet-4-5';
    if (body.stream) await streamTurn(res, messageId, model, turn);
    else jsonTurn(res, messageId, model, turn);
  });

  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    usageBySession: () => new Map(usage),
    close: server.close,
  };
}
