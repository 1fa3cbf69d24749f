/**
 * A scripted Gemini API for tests, enough of it for the real Gemini CLI (with
 * `GOOGLE_GEMINI_BASE_URL` pointing here): `POST /v1beta/models/<model>:streamGenerateContent?alt=sse`,
 * answered as Server-Sent Events whose last chunk has the finish reason and the
 * usage, and `:generateContent`, answered as one JSON body. A turn can answer with
 * text, a `functionCall` (which the CLI really runs), or an HTTP error in Google's
 * error shape.
 *
 * The CLI sends no session id with its requests (under API-key auth neither a
 * header nor the body names the session), so requests are attributed to
 * conversations by what every request of one session repeats: its first user
 * message, the prompt. Sessions with distinct prompts (Baton's iterations: the
 * prompt names the iteration) are told apart; attempts of one prompt (a retry) are
 * one conversation. The turn within a conversation comes from the history the
 * request carries, so a retried request is the same turn again.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { addCounts, parseJsonObject, serveLocally } from './scripted-http';

/** The token counts of one response, as the Gemini API's `usageMetadata` names them. */
export interface GeminiUsage {
  /** All prompt tokens, the cached ones included. */
  promptTokenCount: number;
  /** The part of `promptTokenCount` read from the context cache. */
  cachedContentTokenCount: number;
  /** Generated tokens of the answer, without the thinking. */
  candidatesTokenCount: number;
  /** Tokens spent on thinking, counted apart from `candidatesTokenCount`. */
  thoughtsTokenCount: number;
}

export interface ScriptedGeminiTurn {
  /** Model text; a list is streamed as one SSE chunk per piece. */
  text?: string | string[];
  /** A function call the CLI runs (`run_shell_command`, `write_file`, …) before it asks again with the result. */
  functionCall?: { name: string; args: Record<string, unknown> };
  usage: GeminiUsage;
  /** Answer with this HTTP status and a Google error body instead. */
  errorStatus?: number;
  /** The error body's message; a default names the status. */
  errorMessage?: string;
  /** Wait this long before answering. */
  delayMs?: number;
}

export type GeminiMethod = 'streamGenerateContent' | 'generateContent';

export interface GeminiContent {
  role?: string;
  parts?: Array<{ text?: string; functionCall?: unknown; functionResponse?: unknown; [key: string]: unknown }>;
}

export interface GenerateContentBody {
  contents?: GeminiContent[];
  [key: string]: unknown;
}

export interface GeminiTurnContext {
  /** The model named in the path. */
  model: string;
  method: GeminiMethod;
  /** The conversation's prompt: the last text of its first user message. */
  prompt: string;
  /** 1 for the first conversation the server saw, 2 for the next, … */
  conversationOrdinal: number;
  /** 1 for the first model turn of the conversation, 2 after one answer, …; a retry repeats its turn. */
  turnInConversation: number;
  /** 1 for the first request the server got, 2 for the next, … (errors and retries included). */
  requestNumber: number;
  body: GenerateContentBody;
}

export interface RecordedGeminiRequest {
  at: number;
  method: string;
  path: string;
  model: string | undefined;
  apiMethod: GeminiMethod | undefined;
  /** The conversation's prompt; '' for a request without contents. */
  prompt: string;
  body: GenerateContentBody | undefined;
  /** The HTTP status the server answered with. */
  status: number;
}

export type GeminiScript = (ctx: GeminiTurnContext) => ScriptedGeminiTurn;

export interface ScriptedGeminiServer {
  /** For GOOGLE_GEMINI_BASE_URL: the CLI adds `/v1beta/models/…` itself. */
  readonly url: string;
  readonly requests: RecordedGeminiRequest[];
  /** Token totals of the answers actually sent, per conversation prompt, in the order conversations first appeared. */
  usageByConversation(): Map<string, GeminiUsage>;
  close(): Promise<void>;
}

const ROUTE = /^\/v1beta\/models\/([^/:]+):(streamGenerateContent|generateContent)$/;

/** Google's status names, as its error bodies carry them. */
const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

const emptyUsage = (): GeminiUsage => ({
  promptTokenCount: 0,
  cachedContentTokenCount: 0,
  candidatesTokenCount: 0,
  thoughtsTokenCount: 0,
});

function usageMetadata(usage: GeminiUsage) {
  return {
    ...usage,
    totalTokenCount: usage.promptTokenCount + usage.candidatesTokenCount + usage.thoughtsTokenCount,
  };
}

/** The prompt a conversation started with: the last text part of its first user message (the first is the CLI's context). */
function promptOf(body: GenerateContentBody | undefined): string {
  const first = body?.contents?.find((content) => content.role === 'user');
  const texts = (first?.parts ?? []).map((part) => part.text).filter((text): text is string => text !== undefined);
  return texts.at(-1) ?? '';
}

function modelTurns(body: GenerateContentBody): number {
  return (body.contents ?? []).filter((content) => content.role === 'model').length;
}

function parts(turn: ScriptedGeminiTurn): Array<Record<string, unknown>> {
  const pieces = turn.text === undefined ? [] : [turn.text].flat().map((text) => ({ text }));
  return turn.functionCall ? [...pieces, { functionCall: turn.functionCall }] : pieces;
}

function candidate(content: Array<Record<string, unknown>>, finished: boolean) {
  return {
    content: { role: 'model', parts: content },
    ...(finished ? { finishReason: 'STOP' } : {}),
    index: 0,
  };
}

/** One SSE chunk per part; the last carries the finish reason and the usage, as the API sends them. */
function streamTurn(res: http.ServerResponse, model: string, turn: ScriptedGeminiTurn): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const all = parts(turn);
  const chunks = all.length > 0 ? all : [{ text: '' }];
  chunks.forEach((part, i) => {
    const last = i === chunks.length - 1;
    const chunk = {
      candidates: [candidate([part], last)],
      ...(last ? { usageMetadata: usageMetadata(turn.usage) } : {}),
      modelVersion: model,
    };
    res.write(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
  });
  res.end();
}

function jsonTurn(res: http.ServerResponse, model: string, turn: ScriptedGeminiTurn): void {
  const joined = parts(turn).map((part) =>
    typeof part.text === 'string' ? { text: part.text } : { functionCall: part.functionCall },
  );
  const text = joined.filter((part) => 'text' in part).map((part) => part.text as string);
  const merged = [
    ...(text.length > 0 ? [{ text: text.join('') }] : []),
    ...joined.filter((part) => 'functionCall' in part),
  ];
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      candidates: [candidate(merged, true)],
      usageMetadata: usageMetadata(turn.usage),
      modelVersion: model,
    }),
  );
}

export async function startScriptedGeminiServer(script: GeminiScript): Promise<ScriptedGeminiServer> {
  const requests: RecordedGeminiRequest[] = [];
  const usage = new Map<string, GeminiUsage>();
  const conversations: string[] = [];

  const server = await serveLocally(async ({ req, path: urlPath, raw }, res) => {
    const route = ROUTE.exec(urlPath);
    const body = parseJsonObject<GenerateContentBody>(raw);
    const prompt = promptOf(body);
    const record: RecordedGeminiRequest = {
      at: Date.now(),
      method: req.method ?? 'GET',
      path: urlPath,
      model: route?.[1],
      apiMethod: route?.[2] as GeminiMethod | undefined,
      prompt,
      body,
      status: 0,
    };
    requests.push(record);
    const fail = (status: number, message: string) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: status, message, status: STATUS_NAMES[status] ?? 'UNKNOWN' } }));
    };

    if (req.method !== 'POST' || !route || !body) {
      fail(404, `no route ${req.method} ${urlPath}`);
      return;
    }
    const [, model = '', method] = route;
    if (!conversations.includes(prompt)) conversations.push(prompt);
    const turn = script({
      model,
      method: method as GeminiMethod,
      prompt,
      conversationOrdinal: conversations.indexOf(prompt) + 1,
      turnInConversation: modelTurns(body) + 1,
      requestNumber: requests.length,
      body,
    });
    if (turn.delayMs) await new Promise((resolve) => setTimeout(resolve, turn.delayMs));

    if (turn.errorStatus) {
      fail(turn.errorStatus, turn.errorMessage ?? `scripted failure (HTTP ${turn.errorStatus})`);
      return;
    }
    const totals = usage.get(prompt) ?? emptyUsage();
    addCounts(totals, turn.usage);
    usage.set(prompt, totals);
    record.status = 200;
    if (method === 'streamGenerateContent') streamTurn(res, model, turn);
    else jsonTurn(res, model, turn);
  });

  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    usageByConversation: () => new Map([...usage].map(([prompt, totals]) => [prompt, { ...totals }])),
    close: server.close,
  };
}

/** The auth type the CLI needs in its settings to take GEMINI_API_KEY; without it, it exits "Invalid auth method selected". */
export const GEMINI_API_KEY_SETTINGS = { security: { auth: { selectedType: 'gemini-api-key' } } };

/**
 * Makes `<root>/home` a HOME for the Gemini CLI (`.gemini/settings.json` choosing API-key auth) and returns it
 * with the environment that sends the CLI to `baseUrl`: GEMINI_API_KEY, GOOGLE_GEMINI_BASE_URL, HOME, and
 * GEMINI_CLI_TRUST_WORKSPACE (without it, it refuses an untrusted folder headless).
 */
export function makeGeminiHome(
  root: string,
  baseUrl: string,
  /** More settings beside the auth type, e.g. `{ general: { maxAttempts: 2 } }` for fewer retries of a failed request. */
  settings: Record<string, unknown> = {},
): { home: string; env: NodeJS.ProcessEnv } {
  const home = path.join(root, 'home');
  mkdirSync(path.join(home, '.gemini'), { recursive: true });
  const all = { ...settings, ...GEMINI_API_KEY_SETTINGS };
  writeFileSync(path.join(home, '.gemini', 'settings.json'), `${JSON.stringify(all, null, 2)}\n`);
  return {
    home,
    env: {
      HOME: home,
      GEMINI_API_KEY: 'scripted-gemini-key',
      GOOGLE_GEMINI_BASE_URL: baseUrl,
      GEMINI_CLI_TRUST_WORKSPACE: 'true',
    },
  };
}
