/**
 * What the real Claude Code CLI writes into its transcript, line by line, for responses shaped like the
 * real API's: a `request-id` header, several content blocks (thinking, text, tool_use), a small output count
 * in message_start and the final one in message_delta, 1-hour cache writes and fast mode.
 *
 * Seen with the CLI in node_modules (2.1.197), run with -p: it writes one line per content block, all with
 * the response's `message.id` and the header's `requestId`. It holds a response's lines back while their
 * `stop_reason` is null and lets them go once message_delta has set it, together with the final usage, on
 * every line of the response. So a complete response never shows partial lines here (older CLIs and
 * interactive sessions write them; see test/fixtures/transcripts). A stream cut before message_delta does:
 * the CLI keeps the response, and each of its lines carries message_start's usage with `stop_reason: null`.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type RecordedRequest,
  type Script,
  type ScriptedServer,
  type ServedMessage,
  type ServedUsage,
  servedUsage,
} from '../support/scripted-anthropic-server';
import { useScriptedWorkspaces } from '../support/scripted-workspace';

const CLAUDE = path.resolve(__dirname, '..', '..', 'node_modules', '.bin', 'claude');
const setUp = useScriptedWorkspaces();

interface AssistantLine {
  type: 'assistant';
  requestId?: string;
  message: {
    id: string;
    model: string;
    stop_reason: string | null;
    content: Array<{ type: string }>;
    usage: ServedUsage & { [key: string]: unknown };
  };
}

interface ResultLine {
  type: 'result';
  is_error: boolean;
  usage: {
    output_tokens: number;
    cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  };
}

/** Runs `claude -p` in the workspace's project with a fresh session id; resolves with its stdout lines. */
async function runClaude(project: string, env: NodeJS.ProcessEnv, sessionId: string): Promise<unknown[]> {
  const args = ['-p', 'Say hi with Bash.', '--output-format', 'stream-json', '--verbose', '--session-id', sessionId];
  const child = spawn(CLAUDE, [...args, '--model', 'claude-sonnet-4-5', '--permission-mode', 'bypassPermissions'], {
    cwd: project,
    env: { ...process.env, ...env, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  expect(code, `claude exited ${code}: ${stderr}`).toBe(0);
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
}

/** The assistant lines of `$CLAUDE_CONFIG_DIR/projects/<project dir>/<session>.jsonl`, in file order. */
function assistantLines(configDir: string, sessionId: string): AssistantLine[] {
  const projects = path.join(configDir, 'projects');
  const file = readdirSync(projects)
    .map((dir) => path.join(projects, dir, `${sessionId}.jsonl`))
    .find((candidate) => existsSync(candidate));
  expect(file, `a transcript for ${sessionId}`).toBeDefined();
  return readFileSync(file as string, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string })
    .filter((line): line is AssistantLine => line.type === 'assistant');
}

/** The messages the server served, by the request id it sent with each. */
function servedByRequestId(server: ScriptedServer): Map<string, ServedMessage> {
  const served = server.requests.filter((r): r is RecordedRequest & { response: ServedMessage } => !!r.response);
  return new Map(served.map((r) => [r.requestId, r.response]));
}

/** Runs the script in a fresh workspace; the transcript's assistant lines, each with what was served for it. */
async function transcriptOf(script: Script) {
  const { server, project, env } = await setUp(script);
  const sessionId = randomUUID();
  const stdout = await runClaude(project, env, sessionId);
  const served = servedByRequestId(server);
  const lines = assistantLines(env.CLAUDE_CONFIG_DIR as string, sessionId).map((line) => {
    // Every line names the request id the server sent with its response, and that response's message id.
    expect(line.requestId).toMatch(/^req_011/);
    const response = served.get(line.requestId as string);
    expect(response, `a response served with ${line.requestId}`).toBeDefined();
    expect(line.message.id).toBe(response?.id);
    return { line, served: response as ServedMessage };
  });
  const result = stdout.find((line): line is ResultLine => (line as { type?: string }).type === 'result');
  return { server, lines, result };
}

const blockTypes = (lines: Array<{ line: AssistantLine }>) => lines.map(({ line }) => line.message.content[0]?.type);

/** The usage counts a line carries, in the shape the server was given them. */
function countsOf(usage: ServedUsage): ServedUsage {
  return {
    input_tokens: usage.input_tokens,
    output_tokens: usage.output_tokens,
    cache_creation_input_tokens: usage.cache_creation_input_tokens,
    cache_read_input_tokens: usage.cache_read_input_tokens,
    cache_creation: usage.cache_creation,
  };
}

const THINKING_TEXT_TOOL = [
  { type: 'thinking', thinking: 'The user wants a greeting; Bash can print it.' },
  { type: 'text', text: 'I will say hi with Bash.' },
  { type: 'tool_use', name: 'Bash', input: { command: 'echo hi', description: 'Say hi' } },
] as const;

/** Turn 1 (thinking, text, tool_use) writes mostly 1-hour cache entries; turn 2 answers in fast mode. */
const FIRST = servedUsage(12, 345, 200, 5000, 14000);
const SECOND: ServedUsage = { ...servedUsage(8, 67, 0, 300, 19200), speed: 'fast' };

describe('the transcript the real claude CLI writes', () => {
  it('writes one line per content block, each with the request id and message id of its response', async () => {
    const { server, lines, result } = await transcriptOf(({ turnInSession }) =>
      turnInSession === 1
        ? { blocks: [...THINKING_TEXT_TOOL], startOutputTokens: 7, usage: FIRST }
        : { blocks: [{ type: 'text', text: 'It printed hi.' }], startOutputTokens: 3, usage: SECOND },
    );
    const messages = server.requests.filter((r) => r.response);
    expect(messages).toHaveLength(2);
    // Every answer the server gave had its own request id, the ones the CLI never writes down included.
    const ids = server.requests.map((r) => r.requestId);
    expect(new Set(ids).size).toBe(ids.length);

    const [first, second] = messages.map((m) => lines.filter(({ served }) => served === m.response));
    expect(blockTypes(first ?? [])).toEqual(['thinking', 'text', 'tool_use']);
    expect(blockTypes(second ?? [])).toEqual(['text']);
    expect(new Set(first?.map(({ line }) => line.requestId)).size).toBe(1);
    expect(lines).toHaveLength(4);

    // 2.1.197 lets a response's lines go only after message_delta: every line has the final usage.
    for (const { line, served } of lines) {
      expect(countsOf(line.message.usage)).toEqual(countsOf(served.usage));
      expect(line.message.stop_reason).toBe(served === first?.[0]?.served ? 'tool_use' : 'end_turn');
    }
    // The CLI fills in the speed where the API named none.
    expect(first?.map(({ line }) => line.message.usage.speed)).toEqual(['standard', 'standard', 'standard']);
    expect(second?.[0]?.line.message.usage.speed).toBe('fast');

    // The result line sums the responses, with the cache write split by duration.
    expect(result?.is_error).toBe(false);
    expect(result?.usage.output_tokens).toBe(FIRST.output_tokens + SECOND.output_tokens);
    expect(result?.usage.cache_creation).toEqual({ ephemeral_5m_input_tokens: 200, ephemeral_1h_input_tokens: 5300 });
  });

  it('writes partial lines when the stream ends before message_delta brings the final usage', async () => {
    const { server, lines } = await transcriptOf(({ turnInSession }) =>
      turnInSession === 1
        ? { blocks: [...THINKING_TEXT_TOOL], startOutputTokens: 7, cutBeforeFinalUsage: true, usage: FIRST }
        : { blocks: [{ type: 'text', text: 'It printed hi.' }], startOutputTokens: 3, usage: SECOND },
    );
    const [cut, whole] = server.requests.filter((r) => r.response).map((r) => r.response);
    // The server counts what the client got: message_start's output count.
    expect(cut?.usage).toEqual({ ...FIRST, output_tokens: 7 });

    const cutLines = lines.filter(({ served }) => served === cut);
    expect(blockTypes(cutLines)).toEqual(['thinking', 'text', 'tool_use']);
    for (const { line } of cutLines) {
      expect(line.message.stop_reason).toBeNull();
      expect(countsOf(line.message.usage)).toEqual(countsOf(cut?.usage as ServedUsage));
      // message_start's usage as the API sent it: no speed was named, and the CLI adds none.
      expect(line.message.usage).not.toHaveProperty('speed');
    }
    const wholeLines = lines.filter(({ served }) => served === whole);
    expect(wholeLines.map(({ line }) => [line.message.stop_reason, line.message.usage.output_tokens])).toEqual([
      ['end_turn', SECOND.output_tokens],
    ]);
  });
});
