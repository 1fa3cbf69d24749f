/**
 * The import under attack (issue 19): links that loop, a file that breaks its reading, impossible counts,
 * two imports at once, and a large file, which commits as it goes, lets other writers and other work in
 * between its segments, and resumes where a crash left it.
 * Each of these once stopped, hung or miscounted the whole import.
 */
import { appendFileSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BatonCore } from '../../src-main/core/baton-core';
import { connectionOf } from '../../src-main/core/store/write-transaction';
import { importTranscripts, type TranscriptDirectory } from '../../src-main/core/usage/transcript-import';
import { SEGMENT_BYTES } from '../../src-main/core/usage/transcript-files';
import { UsageReports } from '../../src-main/core/usage/usage-reports';
import { type ImportFixture, importFixture } from '../support/import-fixture';

let fixture: ImportFixture;
let root: string;
let core: BatonCore;
let claude: TranscriptDirectory;
let projects: string;

beforeEach(async () => {
  fixture = await importFixture('import-attack');
  ({ root, core, claude } = fixture);
  projects = path.join(claude.path, 'projects');
});
afterEach(() => fixture.close());

let counter = 0;
/** An assistant line as Claude Code writes it; `id: null` gives a line without message id and request id. */
function line(options: { output?: number; input?: number; id?: string | null; usage?: object; pad?: number } = {}) {
  const id = options.id === undefined ? `msg_${++counter}` : options.id;
  return `${JSON.stringify({
    type: 'assistant',
    timestamp: '2026-11-20T10:00:00.000Z',
    sessionId: 'interactive-1',
    cwd: '/work/app',
    ...(id === null ? {} : { requestId: `req_${id}` }),
    message: {
      ...(id === null ? {} : { id }),
      model: 'claude-sonnet-4-5',
      content: [{ type: 'text', text: 'x'.repeat(options.pad ?? 2) }],
      usage: options.usage ?? { input_tokens: options.input ?? 10, output_tokens: options.output ?? 2 },
    },
  })}\n`;
}

const transcript = (name: string) => path.join(projects, '-work-app', name);
const run = (options: Parameters<typeof importTranscripts>[2] = {}) =>
  importTranscripts(connectionOf(core.dataSource), [claude], { readerWorker: false, ...options });
const totals = async () =>
  (await new UsageReports(core.dataSource).periods({ source: 'all', timeZone: 'UTC' }, 'day')).totals;
const touched = (file: string) => utimesSync(file, new Date(Date.now() + 10_000), new Date(Date.now() + 10_000));

describe('the import under attack', () => {
  it('ends through links back to a parent folder, and counts a keyless line once', async () => {
    writeFileSync(transcript('a.jsonl'), line({ id: null, input: 7 }) + line({ input: 5 }));
    symlinkSync(projects, path.join(projects, '-work-app', 'up'));
    symlinkSync(claude.path, path.join(projects, '-work-app', 'up-again'));
    const summary = await run();
    expect(summary).toMatchObject({ files: 1, messages: 2, skippedFiles: 0 });
    expect((await totals()).inputTokens).toBe(12);
  });

  it('passes over a file it cannot read, says which and why, and imports every other', async () => {
    writeFileSync(transcript('good.jsonl'), line({ input: 3 }));
    symlinkSync(transcript('loop.jsonl'), transcript('loop.jsonl'));
    const summary = await run();
    expect(summary.messages).toBe(1);
    expect(summary.skippedFiles).toBe(1);
    expect(summary.skipped).toEqual([{ path: transcript('loop.jsonl'), reason: 'ELOOP' }]);
  });

  it('takes a line that breaks its handling as one malformed line, not a failed import', async () => {
    // A Codex rollout whose running total is nested deeper than a stack: once an overflow that ended the import.
    const codex: TranscriptDirectory = { agent: 'codex', path: path.join(root, 'codex') };
    mkdirSync(path.join(codex.path, 'sessions'), { recursive: true });
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    const rollout = [
      { type: 'session_meta', timestamp: '2026-11-20T10:00:00.000Z', payload: { id: 'thread-1', cwd: '/work/app' } },
      { type: 'turn_context', timestamp: '2026-11-20T10:00:00.000Z', payload: { model: 'gpt-5' } },
    ]
      .map((entry) => JSON.stringify(entry))
      .join('\n');
    const tokenCount = `{"type":"event_msg","timestamp":"2026-11-20T10:00:01.000Z","payload":{"type":"token_count","info":{"total_token_usage":${deep},"last_token_usage":{"input_tokens":4,"output_tokens":1}}}}`;
    writeFileSync(
      path.join(codex.path, 'sessions', 'rollout-2026-11-20T10-00-00-thread-1.jsonl'),
      `${rollout}\n${tokenCount}\n`,
    );
    writeFileSync(transcript('good.jsonl'), line({ input: 3 }));
    const summary = await importTranscripts(connectionOf(core.dataSource), [claude, codex], { readerWorker: false });
    expect(summary).toMatchObject({ messages: 1, malformed: 1, skippedFiles: 0 });
    expect((await totals()).inputTokens).toBe(3);
  });

  it('takes counts that cannot be true as 0 and reports their lines as malformed', async () => {
    writeFileSync(
      transcript('a.jsonl'),
      line({ usage: { input_tokens: -1_000_000, output_tokens: 3 } }) +
        line({ usage: { input_tokens: 1.5, output_tokens: 2, cache_read_input_tokens: -4 } }) +
        // 1e400 is Infinity once parsed.
        line({ id: 'msg_inf' }).replace('"output_tokens":2', '"output_tokens":1e400') +
        line({ input: 6, output: 1 }),
    );
    const summary = await run();
    expect(summary).toMatchObject({ messages: 4, malformed: 3 });
    const sum = await totals();
    expect(sum).toMatchObject({ inputTokens: 16, outputTokens: 6, cacheReadTokens: 0 });
    expect(sum.costUsd).toBeGreaterThan(0);
  });

  it('takes a Codex count that cannot be true as 0 too, and reports its line', async () => {
    const codex: TranscriptDirectory = { agent: 'codex', path: path.join(root, 'codex') };
    mkdirSync(path.join(codex.path, 'sessions'), { recursive: true });
    const tokenCount = (second: number, last: string) =>
      `{"type":"event_msg","timestamp":"2026-11-20T10:00:0${second}.000Z","payload":{"type":"token_count",` +
      `"info":{"total_token_usage":{"input_tokens":${second}},"last_token_usage":${last}}}}`;
    const rollout = [
      '{"type":"session_meta","timestamp":"2026-11-20T10:00:00.000Z","payload":{"id":"thread-1","cwd":"/work/app"}}',
      '{"type":"turn_context","timestamp":"2026-11-20T10:00:00.000Z","payload":{"model":"gpt-5"}}',
      tokenCount(1, '{"input_tokens":-1000000,"output_tokens":2}'),
      tokenCount(2, '{"input_tokens":1.5,"output_tokens":1e400}'),
      tokenCount(3, '{"input_tokens":4,"output_tokens":1}'),
    ];
    writeFileSync(
      path.join(codex.path, 'sessions', 'rollout-2026-11-20T10-00-00-thread-1.jsonl'),
      `${rollout.join('\n')}\n`,
    );
    const summary = await importTranscripts(connectionOf(core.dataSource), [codex], { readerWorker: false });
    expect(summary).toMatchObject({ messages: 3, malformed: 2 });
    expect(await totals()).toMatchObject({ inputTokens: 4, outputTokens: 3 });
  });

  it('counts a keyless line once when two imports read the same new lines at once', async () => {
    const files = Array.from({ length: 20 }, (_, n) => transcript(`s${n}.jsonl`));
    for (const file of files) writeFileSync(file, line());
    await run();
    for (const file of files) {
      appendFileSync(file, line({ id: null, input: 1 }));
      touched(file);
    }
    // Both plan from the same stored positions: the second to write must find them moved, and leave them.
    const [first, second] = await Promise.all([run(), run()]);
    expect(first.linesRead + second.linesRead).toBe(40);
    expect((await totals()).inputTokens).toBe(20 * 10 + 20);
    const positions = connectionOf(core.dataSource)
      .prepare(`SELECT path, read_to AS readTo, size FROM transcript_files`)
      .all() as Array<{ readTo: number; size: number }>;
    expect(positions.every((p) => p.readTo === p.size)).toBe(true);
    expect(await run()).toMatchObject({ linesRead: 0, messages: 0 });
  });

  it('commits a large file segment by segment, and an import after a crash goes on from there', async () => {
    // A response's partial line and a keyless line just before the first segment ends; the same keyless line
    // again and the response's final line after it.
    const big = transcript('big.jsonl');
    const fillerLength = line({ pad: 4000 }).length;
    const before = Math.floor(SEGMENT_BYTES / fillerLength) - 1;
    const fillers = (n: number) => Array.from({ length: n }, () => line({ pad: 4000, input: 1 })).join('');
    const keyless = line({ id: null, input: 2 });
    const text =
      fillers(before) +
      line({ id: 'msg_split', output: 1 }) +
      keyless +
      fillers(10) +
      keyless +
      line({ id: 'msg_split', output: 50 }) +
      fillers(before);
    const count = before * 2 + 10;
    writeFileSync(big, text);
    // Message ids grow a digit or two: the lines are about as long as the one measured.
    expect(fillerLength * before).toBeLessThan(SEGMENT_BYTES);
    expect(fillerLength * (before + 10)).toBeGreaterThan(SEGMENT_BYTES);

    let progressCalls = 0;
    await expect(
      run({
        onProgress: () => {
          // The first call comes before any read; the next, after the first segment was read and written.
          if (++progressCalls === 2) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    const stored = connectionOf(core.dataSource)
      .prepare(`SELECT read_to AS readTo, size FROM transcript_files WHERE path = ?`)
      .get(big) as { readTo: number; size: number };
    expect(stored.readTo).toBeGreaterThan(0);
    expect(stored.readTo).toBeLessThan(Buffer.byteLength(text));

    const resumed = await run();
    expect(resumed.malformed).toBe(0);
    const sum = await totals();
    expect(sum.inputTokens).toBe(count + 10 + 2 + 2);
    expect(sum.outputTokens).toBe(count * 2 + 50 + 2 + 2);
    expect(await run()).toMatchObject({ linesRead: 0, messages: 0 });
  });

  it('lets other writers and other work in between the segments of a large file, each committed as it goes', async () => {
    // Mostly tool results, as a long session's transcript is, with a response every megabyte or so.
    const big = transcript('big.jsonl');
    const toolResult = `${JSON.stringify({
      type: 'user',
      message: { role: 'user', content: [{ type: 'tool_result', content: 'r'.repeat(256 * 1024) }] },
    })}\n`;
    const parts: string[] = [];
    for (let bytes = 0; bytes < 2.5 * SEGMENT_BYTES; bytes += toolResult.length * 4) {
      parts.push(line({ input: 1 }), toolResult, toolResult, toolResult, toolResult);
    }
    writeFileSync(big, parts.join(''));
    const responses = parts.length / 5;

    // Another process's connection, as a `baton run` launched meanwhile has: it must never wait on the import.
    const other = new Database(path.join(root, 'baton.db'), { timeout: 0 });
    // Counts the turns of the event loop: other work queued meanwhile runs once per turn.
    let turns = 0;
    let turning = setImmediate(function turn() {
      turns++;
      turning = setImmediate(turn);
    });
    const seen: Array<{ turns: number; readTo: number }> = [];
    try {
      await run({
        onProgress: () => {
          other.exec('BEGIN IMMEDIATE; COMMIT');
          const stored = other.prepare(`SELECT read_to AS readTo FROM transcript_files WHERE path = ?`).get(big);
          seen.push({ turns, readTo: (stored as { readTo: number } | undefined)?.readTo ?? 0 });
        },
      });
    } finally {
      clearImmediate(turning);
      other.close();
    }
    // Before the reading, after each of the two whole segments, and at the end (the third is its last).
    expect(seen).toHaveLength(4);
    const positions = seen.map((step) => step.readTo);
    expect(positions[0]).toBe(0);
    expect(positions[1]).toBeGreaterThan(0);
    expect(positions[2]).toBeGreaterThan(positions[1]!);
    expect(positions[3]).toBe(Buffer.byteLength(parts.join('')));
    // The event loop turned between the segments: a window's calls are answered while the import runs.
    expect(seen[2]!.turns).toBeGreaterThan(seen[1]!.turns);
    expect((await totals()).inputTokens).toBe(responses);
  });

  it('keeps a line still being written across a segment boundary whole, and counts it once it is done', async () => {
    const big = transcript('big.jsonl');
    // Lines up to a little before the first segment's end.
    const parts: string[] = [];
    let headBytes = 0;
    for (let next = line({ pad: 4000, input: 1 }); headBytes + next.length < SEGMENT_BYTES - 1000;) {
      parts.push(next);
      headBytes += next.length;
      next = line({ pad: 4000, input: 1 });
    }
    const head = parts.join('');
    const before = parts.length;
    const last = line({ pad: 6000, input: 1000 });
    // The last line is cut 50 bytes past the first segment's end, with no newline yet.
    const cut = SEGMENT_BYTES - Buffer.byteLength(head) + 50;
    expect(cut).toBeGreaterThan(50);
    expect(cut).toBeLessThan(last.length - 1);
    writeFileSync(big, head + last.slice(0, cut));
    expect(await run()).toMatchObject({ messages: before, malformed: 0 });
    appendFileSync(big, last.slice(cut));
    touched(big);
    expect(await run()).toMatchObject({ messages: 1, malformed: 0 });
    expect((await totals()).inputTokens).toBe(before + 1000);
  });

  it('counts a keyless line once when a large file is rewritten and read again from its start', async () => {
    const big = transcript('big.jsonl');
    const fillerLength = line({ pad: 4000 }).length;
    const count = Math.ceil(SEGMENT_BYTES / fillerLength) + 10;
    const fillers = Array.from({ length: count }, () => line({ pad: 4000, input: 1 })).join('');
    const keyless = line({ id: null, input: 100 });
    writeFileSync(big, line({ input: 5 }) + fillers + keyless);
    await run();
    // Its first line replaced: the file is read from the start, the keyless line past the first segment too.
    writeFileSync(big, line({ input: 7 }) + fillers + keyless);
    touched(big);
    await run();
    expect((await totals()).inputTokens).toBe(5 + 7 + count + 100);
  });

  it('passes over a line whose time is no real date, and a re-read of it stops nothing', async () => {
    const bad = line({ id: 'msg_bad', input: 5 }).replace('2026-11-20T10:00:00.000Z', '2026-13-01T10:00:00.000Z');
    writeFileSync(transcript('a.jsonl'), bad + line({ input: 3 }));
    expect(await run()).toMatchObject({ messages: 1, duplicates: 0 });
    writeFileSync(transcript('b.jsonl'), bad + line({ input: 4 }));
    expect(await run()).toMatchObject({ messages: 1 });
    expect((await totals()).inputTokens).toBe(7);
  });

  it('reads a file rewritten after the import planned it again from its start, next time', async () => {
    const file = transcript('a.jsonl');
    writeFileSync(file, line({ input: 1 }) + line({ input: 2 }));
    await run();
    appendFileSync(file, line({ input: 4 }));
    touched(file);
    let calls = 0;
    const rewritten = line({ input: 1000 }) + line({ input: 2000 }) + line({ input: 4000 });
    const summary = await run({
      onProgress: () => {
        // Planned as grown; rewritten before it is read.
        if (++calls === 1) writeFileSync(file, rewritten);
      },
    });
    expect(summary.skipped.map((entry) => entry.path)).toEqual([file]);
    touched(file);
    await run();
    expect((await totals()).inputTokens).toBe(1 + 2 + 1000 + 2000 + 4000);
  });

  it('takes a negative stated cost as none, and reports its line', async () => {
    writeFileSync(transcript('a.jsonl'), line({ input: 3 }).replace('"sessionId"', '"costUSD":-1000000,"sessionId"'));
    expect(await run()).toMatchObject({ messages: 1, malformed: 1 });
    expect((await totals()).costUsd).toBeGreaterThan(0);
  });

  it('reads a file once when two of the folders it reads are one (a link between them)', async () => {
    writeFileSync(transcript('a.jsonl'), line({ id: null, input: 7 }) + line({ input: 5 }));
    const alias: TranscriptDirectory = { agent: 'claude', path: path.join(root, 'claude-alias') };
    symlinkSync(claude.path, alias.path);
    const summary = await importTranscripts(connectionOf(core.dataSource), [claude, alias], { readerWorker: false });
    expect(summary).toMatchObject({ files: 1, messages: 2 });
    expect((await totals()).inputTokens).toBe(12);
  });
});
