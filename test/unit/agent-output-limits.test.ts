/**
 * What an agent may print and be given, in bytes: a line without end must
 * not grow Baton's memory, and a prompt longer than the OS lets one argument
 * be must still reach the agent.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src-main/contract/agent-events';
import { ClaudeCodeRunner } from '../../src-main/core/agents/claude-code-runner';
import { LineSplitter, MAX_LINE_BYTES } from '../../src-main/core/agents/line-splitter';

const MiB = 1024 * 1024;
const transcript = path.join(__dirname, '..', 'fixtures', 'claude-stream-json-tool-use.jsonl');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'baton-limits-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function agentScript(name: string, script: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${script}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** What this process holds in JS heap and Buffers: where a buffered line would sit. */
const held = () => {
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
};

describe('a line the agent never ends', () => {
  it('costs at most the line cap in memory, and fails the iteration with a clear error', async () => {
    // 256 MiB without a newline (512 MiB crashed the CLI), then an ordinary transcript.
    const binary = agentScript('endless-line', `head -c ${256 * MiB} /dev/zero | tr '\\0' a; echo; cat ${transcript}`);
    const events: AgentEvent[] = [];
    const before = held();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, held())), 5);
    const outcome = await new ClaudeCodeRunner({ binary }).run({
      cwd: dir,
      prompt: 'p',
      sessionId: '33333333-3333-4333-8333-333333333333',
      onEvent: (e) => events.push(e),
    });
    clearInterval(sampler);
    peak = Math.max(peak, held());

    expect(outcome.error).toEqual({
      kind: 'protocol_error',
      message: `agent printed a line over ${MAX_LINE_BYTES} bytes (${256 * MiB}); it was cut, not read`,
    });
    // The lines after it are still read.
    expect(outcome.result?.usage.inputTokens).toBe(2000);
    expect(events.some((e) => e.kind === 'tool_use')).toBe(true);
    // Buffering the line whole would hold 256 MiB or more; with the cap it is about 16 MiB and the garbage not
    // yet collected, which differs by Node version (up to about 70 MiB on Node 24).
    expect(peak - before).toBeLessThan(128 * MiB);
  });

  it('splits lines at \\n and \\r\\n across chunks, keeps multi-byte characters whole, and skips only the long line', () => {
    const lines: string[] = [];
    const overlong: number[] = [];
    const splitter = new LineSplitter({ line: (l) => lines.push(l), overlong: (n) => overlong.push(n) }, 8);
    const input = Buffer.from('ab\r\nwhé\n0123456789abc\nlast');
    // One byte at a time: every boundary falls inside a chunk's edge somewhere, é's two bytes included.
    let most = 0;
    for (const byte of input) {
      splitter.push(Buffer.from([byte]));
      most = Math.max(most, splitter.bufferedBytes);
    }
    splitter.end();
    expect(lines).toEqual(['ab', 'whé', 'last']);
    expect(overlong).toEqual([13]);
    expect(most).toBeLessThanOrEqual(8);
  });
});

describe('a prompt longer than one argument may be', () => {
  it('reaches the agent whole, on stdin', async () => {
    const promptFile = path.join(dir, 'long-prompt.txt');
    const binary = agentScript('reads-prompt', `cat > '${promptFile}'; cat ${transcript}`);
    // Over Linux's 128 KiB per argument, which made spawn fail with E2BIG; multi-byte, so bytes exceed characters.
    const prompt = `- ${'é ok '.repeat(40_000)}END`;
    const outcome = await new ClaudeCodeRunner({ binary }).run({
      cwd: dir,
      prompt,
      sessionId: '44444444-4444-4444-8444-444444444444',
      onEvent: () => undefined,
    });
    expect(outcome.error).toBeNull();
    expect(readFileSync(promptFile, 'utf8')).toBe(prompt);
  });
});
