/**
 * The Gemini parser over `gemini --output-format stream-json` output (and its
 * stderr) captured from the real Gemini CLI (0.61.0) run against
 * test/support/scripted-gemini-server.ts. Request n of a session was served
 * promptTokenCount 1000n+7, cachedContentTokenCount 100n, candidatesTokenCount
 * 30n+1 and thoughtsTokenCount 5n.
 */
import { describe, expect, it } from 'vitest';
import {
  GeminiStderrReader,
  GeminiStreamParser,
  toGeminiUsage,
  unwrapApiError,
} from '../../src-main/core/agents/gemini-stream-parser';
import { NESTING_CUT } from '../../src-main/contract/agent-events';
import { deeplyNestedJson } from '../support/deep-json';
import { fixture, kindsOf, ofKind, parseLines } from '../support/stream-fixtures';

const parseAll = (text: string, parser = new GeminiStreamParser({ cwd: '/work/project' })) => parseLines(text, parser);

/** What the server sent for requests 1..n of one session, as Baton's kinds. */
function served(requests: number) {
  const sum = (f: (n: number) => number) =>
    Array.from({ length: requests }, (_, i) => f(i + 1)).reduce((a, b) => a + b);
  const prompt = sum((n) => 1000 * n + 7);
  const cached = sum((n) => 100 * n);
  const thoughts = sum((n) => 5 * n);
  return {
    usage: {
      inputTokens: prompt - cached,
      cacheReadTokens: cached,
      cacheCreationTokens: 0,
      outputTokens: sum((n) => 30 * n + 1) + thoughts,
    },
    reasoningTokens: thoughts,
  };
}

describe('GeminiStreamParser on real gemini stream-json output', () => {
  it('maps a text answer into init, deltas, the whole text, usage and a result', () => {
    const { parser, events, errors } = parseAll(fixture('gemini-text.jsonl'));
    expect(errors).toEqual([]);
    expect(kindsOf(events)).toEqual(['init', 'text_delta', 'text_delta', 'text', 'usage', 'result']);
    expect(events[0]).toEqual({
      kind: 'init',
      agentSessionId: 'edd30dfc-3b36-4c63-84ce-f3ed0f61d8ff',
      model: 'gemini-2.5-flash',
      cwd: '/work/project',
      tools: [],
    });
    expect(ofKind(events, 'text_delta').map((e) => e.text)).toEqual(['Hello ', 'there.']);
    expect(ofKind(events, 'text')).toEqual([{ kind: 'text', text: 'Hello there.' }]);
    const { usage, reasoningTokens } = served(1);
    expect(ofKind(events, 'usage')).toEqual([{ kind: 'usage', usage }]);
    expect(parser.result).toEqual({
      isError: false,
      subtype: 'success',
      apiErrorStatus: null,
      resultText: 'Hello there.',
      turns: 1,
      costUsd: null,
      durationMs: 68,
      apiDurationMs: 0,
      usage,
      permissionDenials: 0,
      reasoningTokens,
    });
    expect(parser.sessionId).toBe('edd30dfc-3b36-4c63-84ce-f3ed0f61d8ff');
  });

  it('shows a shell call as Bash with its result, counts two turns and sums both requests', () => {
    const { parser, events, errors } = parseAll(fixture('gemini-shell-command.jsonl'));
    expect(errors).toEqual([]);
    expect(kindsOf(events)).toEqual([
      'init',
      'text_delta',
      'text',
      'tool_use',
      'tool_result',
      'text_delta',
      'text',
      'usage',
      'result',
    ]);
    const toolUse = ofKind(events, 'tool_use')[0];
    expect(toolUse).toEqual({
      kind: 'tool_use',
      toolUseId: 'run_shell_command__run_shell_command_1796192388660_0',
      name: 'Bash',
      input: { command: 'echo hi > proof.txt && pwd', description: 'proof' },
    });
    expect(ofKind(events, 'tool_result')).toEqual([
      { kind: 'tool_result', toolUseId: toolUse?.toolUseId, content: '/tmp/gem/run-TGRLNh/project', isError: false },
    ]);
    // The final answer is the text after the last tool call, not the text before it.
    expect(parser.result).toMatchObject({ resultText: 'Done.', turns: 2, ...served(2) });
  });

  it('shows write_file as Write, and a tool the approval mode left out as a failed call', () => {
    const written = parseAll(fixture('gemini-write-file.jsonl'));
    expect(written.errors).toEqual([]);
    expect(ofKind(written.events, 'tool_use')[0]).toMatchObject({
      name: 'Write',
      input: { file_path: 'w.txt', content: 'written\n' },
    });
    expect(ofKind(written.events, 'tool_result')[0]).toMatchObject({ content: '', isError: false });

    const refused = parseAll(fixture('gemini-tool-not-registered.jsonl'));
    expect(refused.errors).toEqual([]);
    expect(ofKind(refused.events, 'tool_result')[0]).toMatchObject({
      isError: true,
      content: expect.stringMatching(/^Tool "write_file" not found/),
    });
    expect(refused.parser.result).toMatchObject({ isError: false, resultText: 'Wrote it.', ...served(2) });
  });

  it('reports a rejected request with the API’s own message and, where the body has it, its status', () => {
    const invalid = parseAll(fixture('gemini-http-400.jsonl'));
    expect(invalid.errors).toEqual([]);
    expect(invalid.parser.result).toMatchObject({
      isError: true,
      subtype: 'unknown',
      apiErrorStatus: 400,
      resultText: 'Model name is invalid.',
      turns: 0,
      usage: { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0 },
      reasoningTokens: 0,
    });

    // A 404 is reported by its message only; the status is on stderr (see GeminiStderrReader).
    const missing = parseAll(fixture('gemini-model-not-found.jsonl'));
    expect(missing.parser.result).toMatchObject({
      isError: true,
      apiErrorStatus: null,
      resultText: 'models/nope is not found for API version v1beta, or is not supported for generateContent.',
    });
  });

  it('refuses lines that are not stream-json, and known lines of the wrong shape', () => {
    const parser = new GeminiStreamParser();
    expect(parser.parseLine('Loaded cached credentials.')).toEqual({
      ok: false,
      error: 'gemini printed a line that is not JSON: Loaded cached credentials.',
    });
    expect(parser.parseLine('[1,2]')).toMatchObject({ ok: false });
    expect(parser.parseLine('{"type":"init","model":"m"}')).toEqual({
      ok: false,
      error: 'malformed gemini init line: session_id: Invalid input: expected string, received undefined',
    });
    expect(parser.parseLine('{"type":"something_new","x":1}')).toEqual({ ok: true, events: [] });
    expect(parser.parseLine('')).toEqual({ ok: true, events: [] });
  });
});

describe('GeminiStreamParser on a tool call nested too deep to pass on', () => {
  it('keeps the call with its parameters cut at 64 levels, and its other parameters whole', () => {
    const line =
      '{"type":"tool_use","tool_name":"write_file","tool_id":"t1",' +
      `"parameters":{"file_path":"/p/x.json","content":${deeplyNestedJson(20_000)}}}`;
    const { events, errors } = parseAll(line);
    expect(errors).toEqual([]);
    const call = events.find((e) => e.kind === 'tool_use');
    expect(call).toMatchObject({ toolUseId: 't1', name: 'Write', input: { file_path: '/p/x.json' } });
    expect(JSON.stringify(call)).toContain(NESTING_CUT);
  });
});

describe('Gemini usage in Baton’s four kinds', () => {
  it('takes the uncached input, the cached part as cache reads, no cache writes, and thinking inside output', () => {
    expect(
      toGeminiUsage({ total_tokens: 1260, input_tokens: 1200, output_tokens: 40, cached: 100, input: 1100 }),
    ).toEqual({
      usage: { inputTokens: 1100, cacheReadTokens: 100, cacheCreationTokens: 0, outputTokens: 60 },
      reasoningTokens: 20,
    });
    // Without `input`, the uncached part is worked out; a total below the parts gives no thinking, never less than 0.
    expect(toGeminiUsage({ total_tokens: 5, input_tokens: 1200, output_tokens: 40, cached: 100 })).toEqual({
      usage: { inputTokens: 1100, cacheReadTokens: 100, cacheCreationTokens: 0, outputTokens: 40 },
      reasoningTokens: 0,
    });
    expect(toGeminiUsage(undefined).usage).toEqual({
      inputTokens: 0,
      cacheReadTokens: 0,
      cacheCreationTokens: 0,
      outputTokens: 0,
    });
  });

  it('unwraps the API’s error body from Gemini’s message', () => {
    expect(unwrapApiError('[API Error: {"error":{"code":503,"message":"Overloaded","status":"UNAVAILABLE"}}]')).toEqual(
      {
        message: 'Overloaded',
        status: 503,
      },
    );
    expect(unwrapApiError('[API Error: quota]')).toEqual({ message: 'quota', status: null });
    expect(unwrapApiError('Operation cancelled.')).toEqual({ message: 'Operation cancelled.', status: null });
  });
});

describe('GeminiStderrReader on real gemini stderr', () => {
  const read = (name: string, reader = new GeminiStderrReader({ maxAttempts: 2 })) => ({
    reader,
    events: fixture(name)
      .split('\n')
      .flatMap((line) => reader.line(line)),
  });

  it('turns each retry of a failed request into a retry event with its status and the API’s message', () => {
    const { reader, events } = read('gemini-http-500-retried.stderr.txt');
    expect(events).toEqual([
      {
        kind: 'retry',
        attempt: 1,
        maxRetries: 1,
        delayMs: 0,
        errorStatus: 500,
        error: 'scripted failure (HTTP 500)',
      },
    ]);
    expect(reader.retriesSeen).toBe(1);
  });

  it('keeps the status of the request that failed the run', () => {
    const failed = read('gemini-http-500.stderr.txt');
    expect(failed.events).toHaveLength(1);
    expect(failed.reader.lastStatus).toBe(500);
    const missing = read('gemini-model-not-found.stderr.txt');
    expect(missing.events).toEqual([]);
    expect(missing.reader.lastStatus).toBe(404);
  });

  it('says nothing of lines that are not about requests', () => {
    const reader = new GeminiStderrReader();
    expect(reader.line('Ripgrep is not available. Falling back to GrepTool.')).toEqual([]);
    expect(reader.lastStatus).toBeNull();
  });
});
