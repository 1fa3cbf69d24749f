/**
 * The files that once stopped a whole import (issue 19): a transcript over 512 MiB, a file that grew and then
 * could no longer be read, and files gone between the listing and the reading. Each is passed over or read in
 * bounded pieces, said with its reason, and every other file is imported.
 *
 * `node:fs` is wrapped so the test can see how many bytes the import read, and refuse to open a file as a
 * file without read permission would: these tests run as root in CI, which a chmod does not stop.
 */
import type * as fs from 'node:fs';
import { appendFileSync, mkdirSync, statSync, truncateSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connectionOf } from '../../src-main/core/store/write-transaction';
import { importTranscripts } from '../../src-main/core/usage/transcript-import';
import { UsageReports } from '../../src-main/core/usage/usage-reports';
import { type ImportFixture, importFixture } from '../support/import-fixture';

const fsWatch = vi.hoisted(() => ({ denied: new Set<string>(), bytesRead: 0 }));

vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof fs>();
  const openSync = ((file: string, ...rest: unknown[]) => {
    if (fsWatch.denied.has(String(file))) {
      throw Object.assign(new Error(`EACCES: permission denied, open '${String(file)}'`), {
        code: 'EACCES',
        syscall: 'open',
        path: String(file),
      });
    }
    return (actual.openSync as (...args: unknown[]) => number)(file, ...rest);
  }) as typeof actual.openSync;
  const readSync = ((...args: unknown[]) => {
    const n = (actual.readSync as (...args: unknown[]) => number)(...args);
    fsWatch.bytesRead += n;
    return n;
  }) as typeof actual.readSync;
  return { ...actual, default: { ...actual, openSync, readSync }, openSync, readSync };
});

const MiB = 1024 * 1024;

let fixture: ImportFixture;
beforeEach(async () => {
  fixture = await importFixture('import-bad-files');
  fsWatch.denied.clear();
  fsWatch.bytesRead = 0;
});
afterEach(() => fixture.close());

let counter = 0;
/** An assistant line as Claude Code writes it, with its own message and request ids. */
function line(input: number): string {
  const id = `msg_${++counter}`;
  return `${JSON.stringify({
    type: 'assistant',
    timestamp: '2026-11-20T10:00:00.000Z',
    sessionId: 'interactive-1',
    requestId: `req_${id}`,
    message: { id, model: 'claude-sonnet-4-5', usage: { input_tokens: input, output_tokens: 1 } },
  })}\n`;
}

const transcript = (name: string) => path.join(fixture.project, name);
const run = (options: Parameters<typeof importTranscripts>[2] = {}) =>
  importTranscripts(connectionOf(fixture.core.dataSource), [fixture.claude], { readerWorker: false, ...options });
const inputTokens = async () =>
  (await new UsageReports(fixture.core.dataSource).periods({ source: 'all', timeZone: 'UTC' }, 'day')).totals
    .inputTokens;
const touched = (file: string) => utimesSync(file, new Date(Date.now() + 10_000), new Date(Date.now() + 10_000));

describe('a transcript over 512 MiB', () => {
  it('is imported a bounded piece at a time, its lines too long to hold passed over, beside the other files', async () => {
    // Sparse: the long lines are holes (NUL bytes), which cost the disk nothing. The last line, still being
    // written and over 512 MiB, is one no string can hold: reading it as one stopped the whole import.
    const big = transcript('big.jsonl');
    writeFileSync(big, line(1) + line(2));
    truncateSync(big, 100 * MiB);
    appendFileSync(big, `\n${line(4)}${line(8)}`);
    const size = statSync(big).size + 530 * MiB;
    truncateSync(big, size);
    mkdirSync(path.join(fixture.claude.path, 'projects', '-work-other'));
    writeFileSync(path.join(fixture.claude.path, 'projects', '-work-other', 'small.jsonl'), line(16));

    let heldMost = 0;
    const summary = await run({
      onProgress: () => (heldMost = Math.max(heldMost, process.memoryUsage().arrayBuffers)),
    });
    expect(summary).toMatchObject({ files: 2, messages: 5, malformed: 2, skippedFiles: 0 });
    expect(await inputTokens()).toBe(1 + 2 + 4 + 8 + 16);
    // Far less than the file is ever held at once; each byte of it is read about once, not once per segment.
    expect(heldMost).toBeLessThan(256 * MiB);
    expect(fsWatch.bytesRead).toBeLessThan(1.5 * size);
  });
});

describe('a file that cannot be read when its turn comes', () => {
  it('is passed over and named when it grew and then lost its read permission, and read on once it has it', async () => {
    const grown = transcript('a-grown.jsonl');
    const other = transcript('b-other.jsonl');
    writeFileSync(grown, line(1));
    writeFileSync(other, line(2));
    await run();
    appendFileSync(grown, line(4));
    appendFileSync(other, line(8));
    touched(grown);
    touched(other);
    const denied = transcript('c-new.jsonl');
    writeFileSync(denied, line(16));
    fsWatch.denied.add(grown).add(denied);

    const summary = await run();
    expect(summary.skipped).toEqual([
      { path: grown, reason: 'not readable (permission denied)' },
      { path: denied, reason: 'not readable (permission denied)' },
    ]);
    expect(summary).toMatchObject({ messages: 1, skippedFiles: 2 });
    expect(await inputTokens()).toBe(1 + 2 + 8);

    fsWatch.denied.clear();
    expect(await run()).toMatchObject({ messages: 2, skippedFiles: 0 });
    expect(await inputTokens()).toBe(1 + 2 + 4 + 8 + 16);
  });

  it('is passed over and named when it was deleted after the listing, and what was counted of it stays', async () => {
    const grown = transcript('a-grown.jsonl');
    const other = transcript('b-other.jsonl');
    writeFileSync(grown, line(1));
    await run();
    appendFileSync(grown, line(2));
    touched(grown);
    const fresh = transcript('c-new.jsonl');
    writeFileSync(fresh, line(4));
    writeFileSync(other, line(8));

    let calls = 0;
    const summary = await run({
      onProgress: () => {
        // The first call comes once every file is listed and planned, before any is read.
        if (++calls === 1) [grown, fresh].forEach((file) => unlinkSync(file));
      },
    });
    expect(summary.skipped).toEqual([
      { path: grown, reason: 'gone since it was listed' },
      { path: fresh, reason: 'gone since it was listed' },
    ]);
    expect(summary).toMatchObject({ messages: 1, skippedFiles: 2 });
    expect(await inputTokens()).toBe(1 + 8);
    expect(await run()).toMatchObject({ messages: 0, skippedFiles: 0 });
  });
});
