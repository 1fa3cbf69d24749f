/**
 * The Codex parser over `codex exec --json` output captured from the real codex
 * CLI (0.171.0) run against test/support/scripted-openai-server.ts. The numbers
 * in the comments are what the server sent for each request.
 */
import { describe, expect, it } from 'vitest';
import {
  CODEX_COMMAND_TOOL,
  CODEX_PATCH_TOOL,
  CodexStreamParser,
  unwrapShellCommand,
} from '../../src-main/core/agents/codex-stream-parser';
import { toTokenUsage } from '../../src-main/core/agents/codex-usage';
import { fixture, kindsOf, ofKind, parseLines } from '../support/stream-fixtures';

const parseAll = (text: string, parser = new CodexStreamParser({ model: 'gpt-5.5', cwd: '/work/project' })) =>
  parseLines(text, parser);

describe('CodexStreamParser on real codex exec --json output', () => {
  it('maps a thread with two shell commands, one failing, into init, text, tool and result events', () => {
    const { parser, events, errors } = parseAll(fixture('codex-exec-command.jsonl'));
    expect(errors).toEqual([]);
    expect(kindsOf(events)).toEqual([
      'init',
      'text',
      'tool_use',
      'tool_result',
      'tool_use',
      'tool_result',
      'text',
      'usage',
      'result',
    ]);
    // The thread id is the session id Codex reports; model and cwd come from what the run was started with.
    expect(events[0]).toEqual({
      kind: 'init',
      agentSessionId: '01a2354d-38af-71c1-9e45-f0d55d69ada8',
      model: 'gpt-5.5',
      cwd: '/work/project',
      tools: [],
    });
    expect(parser.threadId).toBe('01a2354d-38af-71c1-9e45-f0d55d69ada8');

    const [made, missing] = ofKind(events, 'tool_use');
    expect(made).toEqual({
      kind: 'tool_use',
      toolUseId: 'item_2',
      name: CODEX_COMMAND_TOOL,
      input: {
        command: 'echo made > made.txt && echo made it',
        codexCommand: "/bin/bash -lc 'echo made > made.txt && echo made it'",
      },
    });
    expect(missing).toMatchObject({ toolUseId: 'item_3', input: { command: 'ls missing-file' } });
    const [madeResult, missingResult] = ofKind(events, 'tool_result');
    expect(madeResult).toEqual({ kind: 'tool_result', toolUseId: 'item_2', content: 'made it\n', isError: false });
    expect(missingResult).toEqual({
      kind: 'tool_result',
      toolUseId: 'item_3',
      content: "Exit code 2\nls: cannot access 'missing-file': No such file or directory\n",
      isError: true,
    });
    expect(ofKind(events, 'text').map((e) => e.text)).toEqual(['I will create the file.', 'Created made.txt.']);

    // The "Model metadata … not found" item is a warning: no event, no failure.
    expect(parser.warnings).toEqual([expect.stringMatching(/^Model metadata for `gpt-5\.1-codex` not found/)]);
  });

  it('maps the turn usage into the four kinds: input without the cached part, cache read, cache write, output', () => {
    // Three requests served 1234/1500 + 2434/1000 + 3634/1500 … in sum: input 7302 (cached 3000 of them),
    // cache write 384, output 126 (reasoning 48 of them).
    const { parser, events } = parseAll(fixture('codex-exec-command.jsonl'));
    const usage = { inputTokens: 4302, cacheReadTokens: 3000, cacheCreationTokens: 384, outputTokens: 126 };
    expect(ofKind(events, 'usage')).toEqual([{ kind: 'usage', usage }]);
    const result = ofKind(events, 'result')[0]?.result;
    expect(result).toEqual({
      isError: false,
      subtype: 'success',
      apiErrorStatus: null,
      resultText: 'Created made.txt.',
      turns: 1,
      // Codex reports no cost: it is priced from the tokens.
      costUsd: null,
      durationMs: 0,
      apiDurationMs: 0,
      usage,
      permissionDenials: 0,
    });
    // Reasoning tokens are a part of the output tokens, kept beside them.
    expect(parser.outcome).toEqual({ status: 'completed', result, reasoningOutputTokens: 48, error: null });
    expect(parser.reasoningOutputTokens).toBe(48);
    expect(parser.usageSoFar()).toEqual(usage);
  });

  it('maps a patch Codex applied into a file change tool call and its result', () => {
    const { events, errors } = parseAll(fixture('codex-file-change.jsonl'));
    expect(errors).toEqual([]);
    expect(kindsOf(events)).toEqual(['init', 'tool_use', 'tool_result', 'text', 'usage', 'result']);
    const file = '/tmp/codex-capture-0nEC1a/project/notes.txt';
    expect(ofKind(events, 'tool_use')[0]).toEqual({
      kind: 'tool_use',
      toolUseId: 'item_0',
      name: CODEX_PATCH_TOOL,
      input: { path: file, changes: [{ path: file, kind: 'add' }] },
    });
    expect(ofKind(events, 'tool_result')[0]).toEqual({
      kind: 'tool_result',
      toolUseId: 'item_0',
      content: `add ${file}`,
      isError: false,
    });
  });

  it('gives a tool call once, also when the item had no started line', () => {
    const lines = fixture('codex-exec-command.jsonl').split('\n');
    const withStarts = parseAll(lines.join('\n')).events;
    const withoutStarts = parseAll(lines.filter((line) => !line.includes('"item.started"')).join('\n')).events;
    expect(withoutStarts).toEqual(withStarts);
    expect(ofKind(withStarts, 'tool_use')).toHaveLength(2);
  });

  it('turns the retries of an HTTP 500 into retry events, then a failed result', () => {
    const { parser, events, errors } = parseAll(fixture('codex-http-500.jsonl'));
    expect(errors).toEqual([]);
    expect(kindsOf(events)).toEqual(['init', 'retry', 'retry', 'result']);
    const demand = 'We’re currently experiencing high demand, which may cause temporary errors.';
    expect(ofKind(events, 'retry')).toEqual([
      { kind: 'retry', attempt: 1, maxRetries: 2, delayMs: 0, errorStatus: null, error: demand },
      { kind: 'retry', attempt: 2, maxRetries: 2, delayMs: 0, errorStatus: null, error: demand },
    ]);
    const result = ofKind(events, 'result')[0]?.result;
    expect(result).toMatchObject({
      isError: true,
      subtype: 'turn_failed',
      apiErrorStatus: null,
      resultText: demand,
      costUsd: null,
      usage: { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0 },
    });
    expect(parser.outcome).toMatchObject({ status: 'failed', error: demand, reasoningOutputTokens: 0 });
    expect(parser.retriesSeen).toBe(2);
  });

  it('fails at once on an HTTP 400, with the server body Codex reports as the reason', () => {
    const { parser, events } = parseAll(fixture('codex-http-400.jsonl'));
    expect(kindsOf(events)).toEqual(['init', 'result']);
    expect(parser.retriesSeen).toBe(0);
    expect(parser.outcome?.status).toBe('failed');
    expect(JSON.parse(parser.outcome?.error ?? '')).toMatchObject({
      error: { message: 'scripted failure (HTTP 400)' },
    });
    expect(parser.lastErrorMessage).toBe(parser.outcome?.error);
  });

  it('reports no tokens for a turn that failed after a request that succeeded, since Codex prints none', () => {
    // The server sent 1234 input tokens for the first request; `turn.failed` carries no usage.
    const { parser, events } = parseAll(fixture('codex-http-500-after-command.jsonl'));
    expect(kindsOf(events)).toEqual(['init', 'tool_use', 'tool_result', 'retry', 'retry', 'result']);
    expect(ofKind(events, 'tool_result')[0]).toMatchObject({ content: 'one\n', isError: false });
    expect(parser.outcome).toMatchObject({ status: 'failed', result: { usage: { inputTokens: 0 } } });
  });

  it('shows a command Codex put in double quotes as it was asked for', () => {
    const { events } = parseAll(fixture('codex-quoted-command.jsonl'));
    expect(ofKind(events, 'tool_use')[0]?.input).toMatchObject({ command: `echo "it's" && printf 'a\\nb'` });
    expect(ofKind(events, 'tool_result')[0]).toMatchObject({ content: "it's\na\nb", isError: false });
  });
});

describe('CodexStreamParser on lines it must refuse or skip', () => {
  const one = (line: string) => new CodexStreamParser().parseLine(line);

  it('refuses a line that is not a JSON object with a type, and a known line of the wrong shape', () => {
    expect(one('Reading additional input from stdin...')).toEqual({
      ok: false,
      error: 'codex printed a line that is not JSON: Reading additional input from stdin...',
    });
    expect(one('[1,2]')).toMatchObject({ ok: false, error: expect.stringMatching(/not an exec event/) });
    expect(one('{"thread_id":"t"}')).toMatchObject({ ok: false });
    expect(one('{"type":"thread.started"}')).toEqual({
      ok: false,
      error: 'malformed codex thread.started line: thread_id: Invalid input: expected string, received undefined',
    });
    expect(one('{"type":"item.completed","item":{"id":"i","type":"command_execution"}}')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^malformed codex command_execution line: command/),
    });
  });

  it('skips blank lines and the line and item types it does not know', () => {
    expect(one('')).toEqual({ ok: true, events: [] });
    expect(one('{"type":"turn.someday","x":1}')).toEqual({ ok: true, events: [] });
    expect(one('{"type":"item.completed","item":{"id":"r","type":"reasoning","text":"thinking"}}')).toEqual({
      ok: true,
      events: [],
    });
    // An error line without a count is the reason a turn is about to fail, not a retry.
    const parser = new CodexStreamParser();
    expect(parser.parseLine('{"type":"error","message":"stream disconnected"}')).toEqual({ ok: true, events: [] });
    expect(parser.lastErrorMessage).toBe('stream disconnected');
  });

  it('falls back to the last error line when a failed turn gives no reason', () => {
    const { parser } = parseAll(
      ['{"type":"error","message":"stream disconnected"}', '{"type":"turn.failed","error":{}}'].join('\n'),
    );
    expect(parser.outcome).toMatchObject({ status: 'failed', error: 'stream disconnected' });
  });
});

describe('the usage mapping', () => {
  it('takes an absent cache write as 0, and counts that cannot be true as 0', () => {
    expect(toTokenUsage({ input_tokens: 900, cached_input_tokens: 400, output_tokens: 30 })).toEqual({
      inputTokens: 500,
      cacheReadTokens: 400,
      cacheCreationTokens: 0,
      outputTokens: 30,
    });
    const { parser } = parseAll(
      '{"type":"turn.completed","usage":{"input_tokens":-5,"cached_input_tokens":1.5,"output_tokens":7}}',
    );
    expect(parser.usageSoFar()).toEqual({
      inputTokens: 0,
      cacheReadTokens: 0,
      cacheCreationTokens: 0,
      outputTokens: 7,
    });
  });

  it('sums the usage of several turns in one run', () => {
    const turn =
      '{"type":"turn.completed","usage":{"input_tokens":100,"cached_input_tokens":60,"output_tokens":9,"reasoning_output_tokens":4}}';
    const { parser, events } = parseAll([turn, turn].join('\n'));
    expect(ofKind(events, 'usage').map((e) => e.usage.inputTokens)).toEqual([40, 80]);
    expect(parser.outcome?.result.usage).toEqual({
      inputTokens: 80,
      cacheReadTokens: 120,
      cacheCreationTokens: 0,
      outputTokens: 18,
    });
    expect(parser.reasoningOutputTokens).toBe(8);
  });
});

describe('unwrapShellCommand', () => {
  it('takes the command out of the shell Codex ran it in, and leaves anything else alone', () => {
    expect(unwrapShellCommand("/bin/bash -lc 'npm test'")).toBe('npm test');
    expect(unwrapShellCommand(`bash -lc 'echo '\\''hi'\\'''`)).toBe("echo 'hi'");
    expect(unwrapShellCommand('/bin/zsh -c "echo \\"$HOME\\" \\\\ \\$x"')).toBe('echo "$HOME" \\ $x');
    expect(unwrapShellCommand('npm test')).toBe('npm test');
    expect(unwrapShellCommand("/bin/bash -lc 'a' 'b'")).toBe("/bin/bash -lc 'a' 'b'");
  });
});
