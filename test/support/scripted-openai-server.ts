/**
 * A scripted OpenAI Responses API for tests, enough of it for the real Codex CLI:
 * POST /v1/responses with `stream: true`, answered as Server-Sent Events that end
 * in `response.completed` with the response's usage. A turn can answer with
 * assistant text, an `exec_command` function call (which Codex really runs), or
 * an HTTP error. Every request is recorded with the thread and session ids Codex
 * sends in its `x-codex-turn-metadata` header, so a test can compare what the
 * agent reported with what was served, thread by thread.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { addCounts, parseJsonObject, serveLocally } from './scripted-http';

/** The token counts of one response, as the Responses API splits them. */
export interface ResponseUsage {
  /** All prompt tokens, the cached ones included (OpenAI counts them inside). */
  input_tokens: number;
  /** The part of `input_tokens` read from the prompt cache. */
  cached_tokens: number;
  /** Tokens written to the prompt cache, sent as `input_tokens_details.cache_write_tokens`. */
  cache_write_tokens: number;
  /** All generated tokens, the reasoning ones included. */
  output_tokens: number;
  /** The part of `output_tokens` spent on reasoning. */
  reasoning_tokens: number;
}

export interface ScriptedResponse {
  /** Assistant text; a list is streamed as one `response.output_text.delta` per piece. */
  text?: string | string[];
  /** A shell command asked for through Codex's `exec_command` tool; Codex runs it and sends its output back. */
  command?: string;
  usage: ResponseUsage;
  /** Answer with this HTTP status and an error body instead of a response. */
  errorStatus?: number;
  /** The error body's message (default: "scripted failure (HTTP <status>)"), as an API words a refusal. */
  errorMessage?: string;
  /** Wait this long before answering. */
  delayMs?: number;
}

export interface ResponseContext {
  /** From `x-codex-turn-metadata`; undefined when the header is missing or unreadable. */
  threadId: string | undefined;
  sessionId: string | undefined;
  /** 1 for the first thread the server saw, 2 for the next, … (0 when the thread is unknown). */
  threadOrdinal: number;
  /** 1 for the first request of this thread, 2 for the next, … (retries of a failed request count too). */
  requestInThread: number;
  body: ResponsesRequestBody;
}

export interface ResponsesRequestBody {
  model?: string;
  stream?: boolean;
  input?: Array<{ type?: string; role?: string; [key: string]: unknown }>;
  [key: string]: unknown;
}

export interface RecordedRequest {
  /** When it arrived (epoch ms). */
  at: number;
  method: string;
  path: string;
  threadId: string | undefined;
  sessionId: string | undefined;
  body: ResponsesRequestBody | undefined;
  /** The HTTP status the server answered with. */
  status: number;
}

export type Script = (ctx: ResponseContext) => ScriptedResponse;

export interface ScriptedOpenAiServer {
  /** The API's base, as Codex's `base_url` wants it (ending in /v1). */
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  /** Token totals of the responses actually completed, per thread id, in the order threads first appeared. */
  usageByThread(): Map<string, ResponseUsage>;
  close(): Promise<void>;
}

const emptyUsage = (): ResponseUsage => ({
  input_tokens: 0,
  cached_tokens: 0,
  cache_write_tokens: 0,
  output_tokens: 0,
  reasoning_tokens: 0,
});

/** The ids Codex puts in `x-codex-turn-metadata` (a JSON object); both undefined when it is absent or not JSON. */
function turnMetadata(header: string | string[] | undefined): { threadId?: string; sessionId?: string } {
  if (typeof header !== 'string') return {};
  try {
    const value: unknown = JSON.parse(header);
    if (!value || typeof value !== 'object') return {};
    const { thread_id, session_id } = value as Record<string, unknown>;
    return {
      threadId: typeof thread_id === 'string' ? thread_id : undefined,
      sessionId: typeof session_id === 'string' ? session_id : undefined,
    };
  } catch {
    return {};
  }
}

function send(res: http.ServerResponse, data: { type: string; [key: string]: unknown }): void {
  res.write(`event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`);
}

function streamResponse(res: http.ServerResponse, responseId: string, model: string, turn: ScriptedResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let sequence = 0;
  const event = (type: string, fields: Record<string, unknown>) =>
    send(res, { type, sequence_number: sequence++, ...fields });
  const shell = { id: responseId, object: 'response', created_at: Math.floor(Date.now() / 1000), model };
  event('response.created', { response: { ...shell, status: 'in_progress', output: [] } });

  const output: unknown[] = [];
  if (turn.text !== undefined) {
    const pieces = [turn.text].flat();
    const itemId = `msg_${responseId}`;
    const outputIndex = output.length;
    const pending = { type: 'message', id: itemId, role: 'assistant', status: 'in_progress', content: [] };
    event('response.output_item.added', { output_index: outputIndex, item: pending });
    for (const delta of pieces) {
      event('response.output_text.delta', { item_id: itemId, output_index: outputIndex, content_index: 0, delta });
    }
    const item = {
      ...pending,
      status: 'completed',
      content: [{ type: 'output_text', text: pieces.join(''), annotations: [] }],
    };
    event('response.output_item.done', { output_index: outputIndex, item });
    output.push(item);
  }
  if (turn.command !== undefined) {
    const outputIndex = output.length;
    const item = {
      type: 'function_call',
      id: `fc_${responseId}`,
      call_id: `call_${responseId}`,
      name: 'exec_command',
      arguments: JSON.stringify({ cmd: turn.command }),
      status: 'completed',
    };
    event('response.output_item.added', { output_index: outputIndex, item: { ...item, status: 'in_progress' } });
    event('response.output_item.done', { output_index: outputIndex, item });
    output.push(item);
  }

  const { input_tokens, cached_tokens, cache_write_tokens, output_tokens, reasoning_tokens } = turn.usage;
  event('response.completed', {
    response: {
      ...shell,
      status: 'completed',
      output,
      usage: {
        input_tokens,
        input_tokens_details: { cached_tokens, cache_write_tokens },
        output_tokens,
        output_tokens_details: { reasoning_tokens },
        total_tokens: input_tokens + output_tokens,
      },
    },
  });
  res.end();
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

export async function startScriptedOpenAiServer(script: Script): Promise<ScriptedOpenAiServer> {
  const requests: RecordedRequest[] = [];
  const usage = new Map<string, ResponseUsage>();
  const requestsByThread = new Map<string, number>();
  let responseCounter = 0;

  const server = await serveLocally(async ({ req, path: urlPath, raw }, res) => {
    const { threadId, sessionId } = turnMetadata(req.headers['x-codex-turn-metadata']);
    const body = parseJsonObject<ResponsesRequestBody>(raw);
    const record: RecordedRequest = {
      at: Date.now(),
      method: req.method ?? 'GET',
      path: urlPath,
      threadId,
      sessionId,
      body,
      status: 0,
    };
    requests.push(record);
    const answer = (status: number, value: unknown) => {
      record.status = status;
      sendJson(res, status, value);
    };

    if (req.method !== 'POST' || urlPath !== '/v1/responses' || !body) {
      answer(404, { error: { type: 'invalid_request_error', message: `no route ${req.method} ${urlPath}` } });
      return;
    }

    let requestInThread = 0;
    let threadOrdinal = 0;
    if (threadId) {
      requestInThread = (requestsByThread.get(threadId) ?? 0) + 1;
      requestsByThread.set(threadId, requestInThread);
      threadOrdinal = [...requestsByThread.keys()].indexOf(threadId) + 1;
    }
    const turn = script({ threadId, sessionId, threadOrdinal, requestInThread, body });
    if (turn.delayMs) await new Promise((resolve) => setTimeout(resolve, turn.delayMs));

    if (turn.errorStatus) {
      answer(turn.errorStatus, {
        error: {
          type: turn.errorStatus < 500 ? 'invalid_request_error' : 'server_error',
          code: null,
          message: turn.errorMessage ?? `scripted failure (HTTP ${turn.errorStatus})`,
        },
      });
      return;
    }
    const key = threadId ?? '(none)';
    const totals = usage.get(key) ?? emptyUsage();
    addCounts(totals, turn.usage);
    usage.set(key, totals);
    record.status = 200;
    streamResponse(res, `resp_scripted_${++responseCounter}`, body.model ?? 'scripted-model', turn);
  });

  return {
    baseUrl: `http://127.0.0.1:${server.port}/v1`,
    requests,
    usageByThread: () => new Map([...usage].map(([thread, totals]) => [thread, { ...totals }])),
    close: server.close,
  };
}

export interface CodexHomeOptions {
  /** How often Codex retries a failed request before it gives up on the turn (its default is higher and slower). */
  requestMaxRetries?: number;
  /** How often Codex reconnects a broken stream. */
  streamMaxRetries?: number;
}

/**
 * Writes `<dir>/config.toml` so that Codex, run with `CODEX_HOME=<dir>`, sends its
 * requests to `baseUrl` through a provider named "scripted" that takes its key from
 * OPENAI_API_KEY. Returns the directory.
 */
export function writeCodexHome(dir: string, baseUrl: string, options: CodexHomeOptions = {}): string {
  mkdirSync(dir, { recursive: true });
  const provider = [
    '[model_providers.scripted]',
    'name = "scripted"',
    `base_url = ${JSON.stringify(baseUrl)}`,
    'wire_api = "responses"',
    'env_key = "OPENAI_API_KEY"',
    ...(options.requestMaxRetries === undefined ? [] : [`request_max_retries = ${options.requestMaxRetries}`]),
    ...(options.streamMaxRetries === undefined ? [] : [`stream_max_retries = ${options.streamMaxRetries}`]),
  ];
  writeFileSync(path.join(dir, 'config.toml'), ['model_provider = "scripted"', '', ...provider, ''].join('\n'));
  return dir;
}
