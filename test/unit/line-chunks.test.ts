/** Lines read in chunks: lines across chunk boundaries, lines longer than a chunk, ranges, and the last line. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forEachLine } from '../../src-main/core/usage/line-chunks';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'baton-chunks-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function linesOf(
  text: string,
  options: { from?: number; to?: number; chunkBytes: number; takeLast?: boolean; maxLineBytes?: number },
) {
  const file = path.join(root, 'file.jsonl');
  writeFileSync(file, text);
  const seen: string[] = [];
  const range = forEachLine(
    file,
    options.from ?? 0,
    options.to ?? Buffer.byteLength(text),
    (buffer, start, stop) => seen.push(buffer.toString('utf8', start, stop)),
    () => options.takeLast ?? false,
    { chunkBytes: options.chunkBytes, firstBytes: 5, maxLineBytes: options.maxLineBytes },
  );
  return { seen, ...range };
}

describe('forEachLine', () => {
  const lines = Array.from({ length: 200 }, (_, n) => `{"n":${n},"pad":"${'x'.repeat(n % 37)}"}`);
  const text = `${lines.join('\n')}\n`;

  it('hands over the same lines whatever the chunk size, and says where they end', () => {
    for (const chunkBytes of [7, 16, 64, 1000, 1 << 20]) {
      const { seen, end, first } = linesOf(text, { chunkBytes });
      expect(seen).toEqual(lines);
      expect(end).toBe(Buffer.byteLength(text));
      expect(first.toString()).toBe(text.slice(0, 5));
    }
  });

  it('reads only the range asked for, from a line start', () => {
    const from = Buffer.byteLength(`${lines.slice(0, 50).join('\n')}\n`);
    const to = Buffer.byteLength(`${lines.slice(0, 120).join('\n')}\n`);
    const { seen, end } = linesOf(text, { from, to, chunkBytes: 33 });
    expect(seen).toEqual(lines.slice(50, 120));
    expect(end).toBe(to);
  });

  it('leaves a last line without its newline unless it is accepted, and ends before it', () => {
    const cut = `${lines[0]}\n${lines[1]}\n{"half":`;
    const left = linesOf(cut, { chunkBytes: 16 });
    expect(left.seen).toEqual([lines[0], lines[1]]);
    expect(left.end).toBe(Buffer.byteLength(`${lines[0]}\n${lines[1]}\n`));
    const taken = linesOf(cut, { chunkBytes: 16, takeLast: true });
    expect(taken.seen).toEqual([lines[0], lines[1], '{"half":']);
    expect(taken.end).toBe(Buffer.byteLength(cut));
  });

  it('keeps multi-byte characters whole across chunk boundaries', () => {
    const wide = ['{"t":"naïve テスト 🙂"}', '{"t":"ß"}'];
    for (const chunkBytes of [3, 5, 11]) expect(linesOf(`${wide.join('\n')}\n`, { chunkBytes }).seen).toEqual(wide);
  });

  it('passes over a line too long to hold without holding it, and counts it', () => {
    const long = `{"huge":"${'y'.repeat(500)}"}`;
    const text = `${lines[0]}\n${long}\n${lines[1]}\n${long}`;
    for (const chunkBytes of [16, 64]) {
      const { seen, tooLong, end } = linesOf(text, { chunkBytes, maxLineBytes: 100, takeLast: true });
      expect(seen).toEqual([lines[0], lines[1]]);
      expect(tooLong).toBe(2);
      // The last one has no newline: it may still be being written, so the read ends before it.
      expect(end).toBe(Buffer.byteLength(text) - long.length);
    }
  });

  it('hands over the lines that start in a segment, and each line to one segment only', () => {
    const size = Buffer.byteLength(text);
    const cuts = [0, 100, 101, 537, 1000, 2500, size];
    const seen: string[] = [];
    let lastEnd = 0;
    for (let k = 0; k + 1 < cuts.length; k++) {
      const from = cuts[k]!;
      const until = cuts[k + 1]!;
      const file = path.join(root, 'file.jsonl');
      writeFileSync(file, text);
      const range = forEachLine(
        file,
        k === 0 ? from : from - 1,
        size,
        (buffer, start, stop) => seen.push(buffer.toString('utf8', start, stop)),
        () => false,
        { chunkBytes: 64, startsMidLine: k > 0, linesStartBefore: k + 2 < cuts.length ? until : undefined },
      );
      if (range.end > lastEnd) lastEnd = range.end;
    }
    expect(seen).toEqual(lines);
    expect(lastEnd).toBe(size);
  });
});
