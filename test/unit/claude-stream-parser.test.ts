import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AgentEvent, NESTING_CUT } from '../../src-main/contract/agent-events';
import { ClaudeStreamParser, MAX_LINE_LENGTH } from '../../src-main/core/agents/claude-stream-parser';
import { deeplyNestedJson } from '../support/deep-json';

const fixture = (name: string) => readFileSync(path.join(__dirname, '..', 'fixtures', name), 'utf8');

function parseAll(text: string): { parser: ClaudeStreamParser; events: AgentEvent[]; errors: string[] } {
  const parser = new ClaudeStreamParser();
  const events: AgentEvent[] = [];
  const errors: string[] = [];
  for (const line of text.split('\n')) {
    const parsed = parser.parseLine(line);
    if (parsed.ok) events.push(...parsed.events);
    else errors.push(parsed.error);
  }
  return { parser, events, errors };
}

describe('ClaudeStreamParser on real CLI output', () => {
  it('turns a tool-use transcript into init, tool, text and result events', () => {
    const { events, errors } = parseAll(fixture('claude-stream-json-tool-use.jsonl'));
    expect(errors).toEqual([]);
    const kinds = events.filter((e) => e.kind !== 'usage').map((e) => e.kind);
    // The tool's input_json_delta gives no event; the text's delta comes before the whole text.
    expect(kinds).toEqual(['init', 'tool_use', 'tool_result', 'text_delta', 'text', 'result']);
    expect(events.find((e) => e.kind === 'text_delta')).toEqual({ kind: 'text_delta', text: 'Done. TASK_COMPLETE' });
    expect(events[0]).toMatchObject({ kind: 'init', agentSessionId: '0a6c1f8e-3b2d-4c5e-9f10-112233445566' });
    expect(events.find((e) => e.kind === 'tool_use')).toMatchObject({
      name: 'Write',
      input: { file_path: '/home/user/project/hello.txt', content: 'hi from agent\n' },
    });
    expect(events.find((e) => e.kind === 'tool_result')).toMatchObject({ toolUseId: 'toolu_6', isError: true });
    const result = events.at(-1);
    expect(result).toEqual({
      kind: 'result',
      result: {
        isError: false,
        subtype: 'success',
        apiErrorStatus: null,
        resultText: 'Done. TASK_COMPLETE',
        turns: 2,
        costUsd: 0.00993,
        durationMs: 278,
        apiDurationMs: 81,
        usage: { inputTokens: 2000, outputTokens: 42, cacheCreationTokens: 400, cacheReadTokens: 6000 },
        permissionDenials: 0,
      },
    });
  });

  it('reads the subscription quota of a spent window and of a warning, with newer and older line shapes', () => {
    const rejected = parseAll(fixture('claude-stream-json-5h-limit-rejected.jsonl'));
    expect(rejected.errors).toEqual([]);
    expect(rejected.events.find((e) => e.kind === 'rate_limit')).toEqual({
      kind: 'rate_limit',
      info: {
        status: 'rejected',
        rateLimitType: 'five_hour',
        resetsAt: 1796156042000,
        utilization: 1,
        isUsingOverage: false,
        windows: { five_hour: { status: 'rejected', utilization: 1, resetsAt: 1796156042000 } },
      },
    });
    expect(rejected.events.find((e) => e.kind === 'result')).toMatchObject({
      result: { isError: true, apiErrorStatus: 429, resultText: expect.stringMatching(/hit your .*limit/) },
    });
    const warning = parseAll(fixture('claude-stream-json-rate-limit-warning.jsonl'));
    expect(warning.events.find((e) => e.kind === 'rate_limit')).toMatchObject({
      info: { status: 'allowed', utilization: 0.91, windows: { five_hour: { status: 'allowed_warning' } } },
    });
    // An older CLI puts the utilization on the line itself and names no windows.
    const older = new ClaudeStreamParser().parseLine(
      JSON.stringify({
        type: 'rate_limit_event',
        rate_limit_info: {
          status: 'allowed_warning',
          resetsAt: 1796173960,
          rateLimitType: 'five_hour',
          utilization: 0.91,
        },
      }),
    );
    expect(older).toEqual({
      ok: true,
      events: [
        {
          kind: 'rate_limit',
          info: {
            status: 'allowed_warning',
            rateLimitType: 'five_hour',
            resetsAt: 1796173960000,
            utilization: 0.91,
            isUsingOverage: false,
            windows: {},
          },
        },
      ],
    });
    // A status this version does not know is skipped, not an error that would fail the iteration.
    expect(
      new ClaudeStreamParser().parseLine('{"type":"rate_limit_event","rate_limit_info":{"status":"new"}}'),
    ).toEqual({
      ok: true,
      events: [],
    });
  });

  it('emits each text delta of a partial message, and only text deltas', () => {
    const delta = (type: string, fields: Record<string, unknown>) =>
      JSON.stringify({
        type: 'stream_event',
        event: { type: 'content_block_delta', index: 0, delta: { type, ...fields } },
      });
    const { events, errors } = parseAll(
      [
        delta('text_delta', { text: 'Hel' }),
        delta('text_delta', { text: 'lo' }),
        delta('input_json_delta', { partial_json: '{"command":' }),
        delta('thinking_delta', { thinking: 'hmm' }),
        delta('text_delta', { text: '' }),
      ].join('\n'),
    );
    expect(errors).toEqual([]);
    expect(events).toEqual([
      { kind: 'text_delta', text: 'Hel' },
      { kind: 'text_delta', text: 'lo' },
    ]);
  });

  it('counts the permission denials of a result, and takes none when the line has none', () => {
    const lines = fixture('claude-stream-json-tool-use.jsonl').trim().split('\n');
    const result = JSON.parse(lines.at(-1) as string) as Record<string, unknown>;
    const denial = (id: string) => ({ tool_name: 'Write', tool_use_id: id, tool_input: { file_path: '/x' } });
    const denialsOf = (line: Record<string, unknown>) => {
      const event = parseAll(JSON.stringify(line)).events.find((e) => e.kind === 'result');
      return event?.kind === 'result' ? event.result.permissionDenials : undefined;
    };
    expect(denialsOf({ ...result, permission_denials: [denial('a'), denial('b')] })).toBe(2);
    const { permission_denials: _, ...withoutDenials } = result;
    expect(denialsOf(withoutDenials)).toBe(0);
  });

  it('keeps the 1-hour part of the cache writes, per message and in the result', () => {
    const usage = (output: number) => ({
      input_tokens: 3,
      output_tokens: output,
      cache_creation_input_tokens: 1000,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 400, ephemeral_1h_input_tokens: 600 },
    });
    const lines = [
      { type: 'assistant', message: { id: 'msg_1', content: [{ type: 'thinking', thinking: '' }], usage: usage(2) } },
      { type: 'assistant', message: { id: 'msg_1', content: [{ type: 'text', text: 'ok' }], usage: usage(40) } },
      {
        type: 'result',
        subtype: 'success',
        is_error: false,
        num_turns: 1,
        duration_ms: 5,
        result: 'ok',
        usage: usage(40),
      },
    ];
    const { parser, events, errors } = parseAll(lines.map((line) => JSON.stringify(line)).join('\n'));
    expect(errors).toEqual([]);
    expect(parser.usageSoFar()).toMatchObject({ cacheCreationTokens: 1000, cacheWrite1hTokens: 600, outputTokens: 40 });
    expect(events.at(-1)).toMatchObject({ result: { usage: { cacheCreationTokens: 1000, cacheWrite1hTokens: 600 } } });
    expect(parser.servedFast).toBe(false);
    const fast = { type: 'assistant', message: { id: 'msg_2', content: [], usage: { ...usage(3), speed: 'fast' } } };
    const served = parseAll(JSON.stringify(fast));
    expect(served.parser.servedFast).toBe(true);
    expect(served.events).toContainEqual(expect.objectContaining({ kind: 'usage', speed: 'fast' }));
  });

  it('keeps running token totals per message that end equal to the result usage', () => {
    const { parser, events } = parseAll(fixture('claude-stream-json-tool-use.jsonl'));
    expect(parser.usageSoFar()).toEqual({
      inputTokens: 2000,
      outputTokens: 42,
      cacheCreationTokens: 400,
      cacheReadTokens: 6000,
    });
    expect(parser.messagesSeen).toBe(2);
    const usageEvents = events.filter((e) => e.kind === 'usage');
    expect(usageEvents.length).toBeGreaterThan(1);
  });

  it('reports API retries and an is_error result whose subtype still says success', () => {
    const { events, errors } = parseAll(fixture('claude-stream-json-overloaded.jsonl'));
    expect(errors).toEqual([]);
    const retries = events.filter((e) => e.kind === 'retry');
    expect(retries).toHaveLength(2);
    expect(retries[0]).toMatchObject({ attempt: 1, maxRetries: 2, errorStatus: 529, error: 'overloaded' });
    const result = events.find((e) => e.kind === 'result');
    expect(result).toMatchObject({ result: { isError: true, subtype: 'success', apiErrorStatus: 529 } });
  });
});

describe('ClaudeStreamParser on impossible numbers', () => {
  it('keeps no agent cost that cannot be true, so the session is priced from its tokens instead', () => {
    const result = (cost: string) =>
      `{"type":"result","subtype":"success","is_error":false,"num_turns":1,"duration_ms":10,"total_cost_usd":${cost}}`;
    const costOf = (cost: string) => {
      const parsed = new ClaudeStreamParser().parseLine(result(cost));
      const event = parsed.ok ? parsed.events.find((e) => e.kind === 'result') : undefined;
      return event?.kind === 'result' ? event.result.costUsd : 'not parsed';
    };
    expect(costOf('0.0123')).toBe(0.0123);
    expect(costOf('0')).toBe(0);
    for (const impossible of ['1e308', '1e999', '"NaN"', '-1', 'null', '"0.5"']) {
      expect(costOf(impossible), impossible).toBeNull();
    }
  });

  it('refuses token counts that cannot be true, and then keeps no agent cost either', () => {
    const resultWith = (input: string) =>
      new ClaudeStreamParser().parseLine(
        `{"type":"result","subtype":"success","is_error":false,"num_turns":1,"duration_ms":10,"total_cost_usd":0.02,` +
          `"usage":{"input_tokens":${input},"output_tokens":7}}`,
      );
    const resultOf = (input: string) => {
      const parsed = resultWith(input);
      const event = parsed.ok ? parsed.events.find((e) => e.kind === 'result') : undefined;
      return event?.kind === 'result' ? event.result : undefined;
    };
    expect(resultOf('12')).toMatchObject({ costUsd: 0.02, usage: { inputTokens: 12, outputTokens: 7 } });
    for (const impossible of ['1e308', '-5', '1.5', '"12"', '1e11']) {
      expect(resultOf(impossible), impossible).toMatchObject({
        costUsd: null,
        usage: { inputTokens: 0, outputTokens: 7 },
      });
    }
    // An assistant message's usage is refused the same way, so the running totals stay finite.
    const parser = new ClaudeStreamParser();
    parser.parseLine(
      '{"type":"assistant","message":{"id":"m1","content":[],"usage":{"input_tokens":1e308,"output_tokens":3}}}',
    );
    expect(parser.usageSoFar()).toMatchObject({ inputTokens: 0, outputTokens: 3 });
  });
});

describe('ClaudeStreamParser on values nested too deep to pass on', () => {
  it('keeps a tool call whose input nests 20,000 levels, cut at 64 levels, and its other fields whole', () => {
    const line =
      '{"type":"assistant","message":{"content":[{"type":"tool_use","id":"tu1","name":"Write",' +
      `"input":{"file_path":"/p/x.json","content":${deeplyNestedJson(20_000)}}}]}}`;
    const parsed = new ClaudeStreamParser().parseLine(line);
    if (!parsed.ok) throw new Error(parsed.error);
    const [call] = parsed.events;
    expect(call).toMatchObject({ kind: 'tool_use', toolUseId: 'tu1', input: { file_path: '/p/x.json' } });
    // Serialisable again, with the place of the cut saying so.
    const text = JSON.stringify(call);
    expect(text).toContain(`${'['.repeat(63)}"${NESTING_CUT}"${']'.repeat(63)}`);
    expect(text).not.toContain('bottom');
  });

  it('keeps a tool result whose content nests 20,000 levels, as text cut the same way', () => {
    const line =
      '{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"tu1",' +
      `"content":{"rows":${deeplyNestedJson(20_000)}}}]}}`;
    const parsed = new ClaudeStreamParser().parseLine(line);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.events).toEqual([
      {
        kind: 'tool_result',
        toolUseId: 'tu1',
        content: expect.stringContaining(NESTING_CUT) as unknown,
        isError: false,
      },
    ]);
  });
});

describe('ClaudeStreamParser on bad input', () => {
  it('rejects a line that is not JSON, naming it', () => {
    const parsed = new ClaudeStreamParser().parseLine('Segmentation fault (core dumped)');
    expect(parsed).toEqual({
      ok: false,
      error: 'agent printed a line that is not JSON: Segmentation fault (core dumped)',
    });
  });

  it('rejects a truncated line', () => {
    const line = fixture('claude-json-result.json').trim();
    const parsed = new ClaudeStreamParser().parseLine(line.slice(0, line.length / 2));
    expect(parsed.ok).toBe(false);
  });

  it('rejects JSON that is not an event object', () => {
    for (const line of ['[1,2]', '42', '"text"', 'null', '{"no":"type"}']) {
      expect(new ClaudeStreamParser().parseLine(line).ok, line).toBe(false);
    }
  });

  it('rejects a known line type with the wrong shape', () => {
    const parsed = new ClaudeStreamParser().parseLine('{"type":"result","subtype":"success","is_error":"no"}');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(/^malformed result line: is_error/);
  });

  it('rejects a line over the length limit without parsing it', () => {
    const parsed = new ClaudeStreamParser().parseLine(`{"type":"x","pad":"${'a'.repeat(MAX_LINE_LENGTH)}"}`);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(/over the .* limit/);
  });

  it('skips blank lines and line types it does not know', () => {
    const parser = new ClaudeStreamParser();
    expect(parser.parseLine('')).toEqual({ ok: true, events: [] });
    expect(parser.parseLine('{"type":"rate_limit_event","x":1}')).toEqual({ ok: true, events: [] });
    expect(parser.parseLine('{"type":"system","subtype":"status","status":"requesting"}')).toEqual({
      ok: true,
      events: [],
    });
  });
});
