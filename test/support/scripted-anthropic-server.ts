/**
 * A scripted Anthropic-compatible Messages API for tests. It speaks just enough
 * of the protocol for the real Claude Code CLI: POST /v1/messages, streamed as
 * SSE (or one JSON body when `stream` is false), with usage that includes cache
 * tokens. Every request is recorded with the `x-claude-code-session-id` header
 * the CLI sends, so tests can compare what Baton stored with what was served.
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { addCounts, serveLocally } from './scripted-http';

export interface TurnUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/** The cache write split by how long the entries live, as the API reports it. */
export interface CacheCreation {
  ephemeral_5m_input_tokens: number;
  ephemeral_1h_input_tokens: number;
}

/** A turn's usage as the API serves it: the counts, and optionally how the cache write splits and the speed. */
export interface ServedUsage extends TurnUsage {
  /** Should add up to cache_creation_input_tokens; without it, the whole write is a 5-minute one. */
  cache_creation?: CacheCreation;
  /** `fast` marks a response served in fast mode. */
  speed?: 'standard' | 'fast';
}

/** Usage with the cache write split into its 5-minute and 1-hour parts, as the API reports it. */
export function servedUsage(
  input: number,
  output: number,
  write5m: number,
  write1h: number,
  read: number,
): ServedUsage {
  return {
    input_tokens: input,
    output_tokens: output,
    cache_creation_input_tokens: write5m + write1h,
    cache_read_input_tokens: read,
    cache_creation: { ephemeral_5m_input_tokens: write5m, ephemeral_1h_input_tokens: write1h },
  };
}

/** One content block of a response, streamed as the API streams that type. */
export type ScriptedBlock =
  | { type: 'thinking'; thinking: string; signature?: string }
  | { type: 'text'; text: string | string[] }
  | { type: 'tool_use'; name: string; input: Record<string, unknown>; id?: string };

export interface ScriptedTurn {
  /** Assistant text for this turn; a list is streamed as one text delta per piece. */
  text?: string | string[];
  /** A tool call; the CLI runs the tool and comes back with its result. */
  toolUse?: { name: string; input: Record<string, unknown> };
  /**
   * Content blocks in order, as a real response has them (thinking, text, tool_use, …); they come after
   * `text` and `toolUse` where those are given too.
   */
  blocks?: ScriptedBlock[];
  usage: ServedUsage;
  /**
   * The output count message_start carries (1 by default, the real API's are 1 to 10). The CLI copies
   * message_start's usage into each block's transcript line and replaces it when message_delta brings the
   * final count, so this is what a line written before then shows.
   */
  startOutputTokens?: number;
  /**
   * Wait this long after each content block, before the next one or message_delta (default BLOCK_DELAY_MS
   * with `blocks`, 0 without). A CLI that writes each block's line as it comes writes it with the partial
   * usage only if the final one comes later than its transcript writer's flush.
   */
  blockDelayMs?: number;
  /**
   * End the stream after the content blocks, with no message_delta or message_stop, as a dropped connection
   * does. The CLI still takes the response, and its lines keep message_start's usage and `stop_reason: null`;
   * the usage the server counts then has output_tokens = startOutputTokens.
   */
  cutBeforeFinalUsage?: boolean;
  /** Answer with this HTTP error status instead of a message (529 = overloaded). */
  errorStatus?: number;
  /** The error the body names with errorStatus, where it is not the status's usual one. */
  error?: { type: string; message: string };
  /** Wait this long before answering, so a test can watch an iteration while it runs. */
  delayMs?: number;
  /** Answer only once this settles: a gate the test opens when it has seen what it watches for. */
  heldUntil?: Promise<unknown>;
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
  /** The `request-id` header of the answer; the CLI writes it into its transcript as `requestId`. */
  requestId: string;
  /** The message the answer carried, when it was one. */
  response?: ServedMessage;
}

export interface ServedMessage {
  /** `message.id`. */
  id: string;
  model: string;
  /** The usage the client got: message_delta's final count, or message_start's where the stream was cut. */
  usage: ServedUsage;
}

/** GET this path for the per-session token totals served so far, as JSON. */
export const USAGE_PATH = '/__scripted/usage';

/**
 * How long a response with `blocks` waits after each block unless told otherwise: longer than the 100 ms
 * after which Claude Code's transcript writer (2.1.197) drains its queue.
 */
export const BLOCK_DELAY_MS = 150;

export type Script = (ctx: TurnContext) => ScriptedTurn;

export interface ScriptedServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Token totals the server sent, per session id, in the order sessions first appeared. */
  usageBySession(): Map<string, TurnUsage>;
  close(): Promise<void>;
}

/** The signature a thinking block carries when the script names none. */
const THINKING_SIGNATURE = 'scripted-signature';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A fresh id shaped like the API's `request-id` header (`req_011…`). */
function newRequestId(): string {
  return `req_011${[...randomBytes(21)].map((byte) => BASE62[byte % BASE62.length]).join('')}`;
}

function emptyUsage(): TurnUsage {
  return { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
}

/** Usage as the API writes it, with the cache write split by duration and the given output count. */
function apiUsage(usage: ServedUsage, outputTokens: number): Record<string, unknown> {
  return {
    input_tokens: usage.input_tokens,
    cache_creation_input_tokens: usage.cache_creation_input_tokens,
    cache_read_input_tokens: usage.cache_read_input_tokens,
    cache_creation: usage.cache_creation ?? {
      ephemeral_5m_input_tokens: usage.cache_creation_input_tokens,
      ephemeral_1h_input_tokens: 0,
    },
    output_tokens: outputTokens,
    service_tier: 'standard',
    ...(usage.speed ? { speed: usage.speed } : {}),
  };
}

/** The turn's content blocks in order: `text`, then `toolUse`, then `blocks`. */
function blocksOf(turn: ScriptedTurn): ScriptedBlock[] {
  const blocks: ScriptedBlock[] = [];
  if (turn.text !== undefined) blocks.push({ type: 'text', text: turn.text });
  if (turn.toolUse) blocks.push({ type: 'tool_use', ...turn.toolUse });
  return [...blocks, ...(turn.blocks ?? [])];
}

/** A block as the finished message holds it; `toolId` names a tool call that has no id of its own. */
function finishedBlock(block: ScriptedBlock, toolId: string): Record<string, unknown> {
  switch (block.type) {
    case 'thinking':
      return { type: 'thinking', thinking: block.thinking, signature: block.signature ?? THINKING_SIGNATURE };
    case 'text':
      return { type: 'text', text: [block.text].flat().join('') };
    case 'tool_use':
      return { type: 'tool_use', id: block.id ?? toolId, name: block.name, input: block.input };
  }
}

/** How a block streams: what content_block_start opens it with, then its deltas. */
function streamedBlock(block: ScriptedBlock, toolId: string): { start: unknown; deltas: unknown[] } {
  switch (block.type) {
    case 'thinking':
      return {
        start: { type: 'thinking', thinking: '', signature: '' },
        deltas: [
          { type: 'thinking_delta', thinking: block.thinking },
          { type: 'signature_delta', signature: block.signature ?? THINKING_SIGNATURE },
        ],
      };
    case 'text':
      return {
        start: { type: 'text', text: '' },
        deltas: [block.text].flat().map((text) => ({ type: 'text_delta', text })),
      };
    case 'tool_use':
      return {
        start: { type: 'tool_use', id: block.id ?? toolId, name: block.name, input: {} },
        deltas: [{ type: 'input_json_delta', partial_json: JSON.stringify(block.input) }],
      };
  }
}

const startOutputTokens = (turn: ScriptedTurn) => turn.startOutputTokens ?? 1;

/** The usage the client got: a cut stream never brought the final output count. */
const deliveredUsage = (turn: ScriptedTurn): ServedUsage =>
  turn.cutBeforeFinalUsage ? { ...turn.usage, output_tokens: startOutputTokens(turn) } : turn.usage;

const stopReason = (blocks: ScriptedBlock[]) => (blocks.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');

function sse(res: http.ServerResponse, event: string, data: Record<string, unknown>): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
}

async function streamTurn(
  res: http.ServerResponse,
  messageId: string,
  model: string,
  turn: ScriptedTurn,
): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...turn.headers });
  const blocks = blocksOf(turn);
  const blockDelayMs = turn.blockDelayMs ?? (turn.blocks ? BLOCK_DELAY_MS : 0);
  sse(res, 'message_start', {
    message: {
      id: messageId,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: apiUsage(turn.usage, startOutputTokens(turn)),
    },
  });
  for (const [index, block] of blocks.entries()) {
    const { start, deltas } = streamedBlock(block, `toolu_${messageId}_${index}`);
    sse(res, 'content_block_start', { index, content_block: start });
    for (const [i, delta] of deltas.entries()) {
      if (i > 0 && turn.pieceDelayMs) await sleep(turn.pieceDelayMs);
      sse(res, 'content_block_delta', { index, delta });
    }
    sse(res, 'content_block_stop', { index });
    if (blockDelayMs) await sleep(blockDelayMs);
  }
  if (turn.cutBeforeFinalUsage) {
    res.end();
    return;
  }
  sse(res, 'message_delta', {
    delta: { stop_reason: stopReason(blocks), stop_sequence: null },
    usage: { output_tokens: turn.usage.output_tokens },
  });
  sse(res, 'message_stop', {});
  res.end();
}

function jsonTurn(res: http.ServerResponse, messageId: string, model: string, turn: ScriptedTurn): void {
  const blocks = blocksOf(turn);
  res.writeHead(200, { 'content-type': 'application/json', ...turn.headers });
  res.end(
    JSON.stringify({
      id: messageId,
      type: 'message',
      role: 'assistant',
      model,
      content: blocks.map((block, index) => finishedBlock(block, `toolu_${messageId}_${index}`)),
      stop_reason: stopReason(blocks),
      stop_sequence: null,
      usage: apiUsage(turn.usage, turn.usage.output_tokens),
    }),
  );
}

/** An error answer in the API's shape: `{type: "error", error: {type, message}, request_id}`. */
function sendError(
  res: http.ServerResponse,
  status: number,
  error: { type: string; message: string },
  headers?: Record<string, string>,
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ type: 'error', error, request_id: res.getHeader('request-id') }));
}

/** `port`: where to listen (a free port without it), for a test that starts the API only after its client tried it. */
export async function startScriptedServer(script: Script, port?: number): Promise<ScriptedServer> {
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
    // Like the real API, every answer carries a request id, whatever it is.
    const requestId = newRequestId();
    res.setHeader('request-id', requestId);
    const recorded: RecordedRequest = { at: Date.now(), method: req.method ?? 'GET', path, sessionId, body, requestId };
    requests.push(recorded);

    if (req.method === 'GET' && path === USAGE_PATH) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(Object.fromEntries(usage)));
      return;
    }
    if (req.method !== 'POST' || path !== '/v1/messages' || !body) {
      sendError(res, 404, { type: 'not_found_error', message: `no route ${path}` });
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
    if (turn.delayMs) await sleep(turn.delayMs);
    await turn.heldUntil;

    if (turn.errorStatus) {
      const error =
        turn.error ??
        (turn.errorStatus === 429
          ? { type: 'rate_limit_error', message: 'Rate limited' }
          : { type: 'overloaded_error', message: 'Overloaded' });
      sendError(res, turn.errorStatus, error, turn.headers);
      return;
    }
    const delivered = body.stream ? deliveredUsage(turn) : turn.usage;
    const key = sessionId ?? '(none)';
    const totals = usage.get(key) ?? emptyUsage();
    addCounts(totals, delivered);
    usage.set(key, totals);

    const messageId = `msg_scripted_${++messageCounter}`;
    const model = body.model ?? 'claude-sonnet-4-5';
    recorded.response = { id: messageId, model, usage: delivered };
    if (body.stream) await streamTurn(res, messageId, model, turn);
    else jsonTurn(res, messageId, model, turn);
  }, port);

  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    usageBySession: () => new Map(usage),
    close: server.close,
  };
}
