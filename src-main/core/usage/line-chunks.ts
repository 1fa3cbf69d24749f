/**
 * A file's lines, read in chunks into one buffer that each thread reuses: the import holds a chunk (or one
 * line, up to a limit) at a time rather than whole files, and does not fault in fresh memory for every file.
 * A range can be one segment of a large file: it then holds the lines that start inside it, so segments read
 * apart from each other (on two threads, in two transactions) hand over each line exactly once.
 */
import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK_BYTES = 4 * 1024 * 1024;
/** A longer line is passed over unread: no transcript line that counts comes near it. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
const NEWLINE = 0x0a;

let shared = Buffer.allocUnsafeSlow(CHUNK_BYTES);

/** Reads into `buffer` from `at` until it is full or the range ends; how many bytes were read. */
function fill(fd: number, buffer: Buffer, at: number, position: number, end: number): number {
  let done = 0;
  while (at + done < buffer.length && position + done < end) {
    const n = readSync(
      fd,
      buffer,
      at + done,
      Math.min(buffer.length - at - done, end - position - done),
      position + done,
    );
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** The bytes of `file` from `from` up to `to` (fewer where the file is shorter). */
export function readRange(file: string, from: number, to: number): Buffer {
  const buffer = Buffer.allocUnsafe(Math.max(0, to - from));
  const fd = openSync(file, 'r');
  try {
    const read = fill(fd, buffer, 0, from, to);
    return read < buffer.length ? buffer.subarray(0, read) : buffer;
  } finally {
    closeSync(fd);
  }
}

export interface LineRange {
  /** The file offset where the lines handed over end: the start of the first line not handed over. */
  end: number;
  /** A copy of the range's first bytes, as many as asked for (fewer in a shorter range). */
  first: Buffer;
  /** Lines longer than `maxLineBytes`, passed over. */
  tooLong: number;
}

export interface LineOptions {
  /** How many of the range's first bytes to copy into `first`. */
  firstBytes?: number;
  /** A test's small chunks (with a buffer of their own). */
  chunkBytes?: number;
  maxLineBytes?: number;
  /**
   * The range starts inside a line, whose end (its newline) is where its first line starts: a segment after
   * the first. The bytes before are the previous segment's.
   */
  startsMidLine?: boolean;
  /** Lines that start at or after this offset are not handed over (the next segment's); the read ends there. */
  linesStartBefore?: number;
}

/**
 * Hands each whole line of `file` between `from` and `to` to `onLine` (the buffer, and the line's bounds in
 * it, newline excluded; the buffer is reused afterwards, so nothing may keep it). A last line without its
 * newline is handed over only if `takeLastLine` accepts its text. `chunk` changes whenever the buffer's
 * content does. Throws what opening or reading throws.
 */
export function forEachLine(
  file: string,
  from: number,
  to: number,
  onLine: (buffer: Buffer, start: number, stop: number, chunk: number) => void,
  takeLastLine: (text: string) => boolean,
  options: LineOptions = {},
): LineRange {
  const firstBytes = options.firstBytes ?? 0;
  const maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
  const startsBefore = options.linesStartBefore ?? Number.POSITIVE_INFINITY;
  // A chunk size of its own (the tests' small ones) gets a buffer of its own.
  const own = options.chunkBytes !== undefined;
  const fd = openSync(file, 'r');
  try {
    let buffer = own ? Buffer.allocUnsafeSlow(options.chunkBytes!) : shared;
    let kept = 0; // bytes at the buffer's start that belong to a line not yet whole
    let position = from; // the file offset just after the bytes in the buffer
    let lineEnd = from; // the file offset after the last whole line handed over (or passed over)
    let skipping = options.startsMidLine === true; // within a line not to hand over
    let tooLong = 0;
    let first: Buffer | undefined;
    for (let chunk = 0; ; chunk++) {
      // While passing over a line, no further than where this range's lines may start (see below).
      const read = fill(fd, buffer, kept, position, skipping ? Math.min(to, startsBefore) : to);
      position += read;
      const filled = kept + read;
      first ??= Buffer.from(buffer.subarray(0, Math.min(firstBytes, filled)));
      const offsetOf = (index: number) => position - filled + index;
      let start = 0;
      for (let stop = buffer.indexOf(NEWLINE, 0); stop >= 0 && stop < filled; stop = buffer.indexOf(NEWLINE, start)) {
        if (offsetOf(start) >= startsBefore && !skipping) return { end: offsetOf(start), first, tooLong };
        if (!skipping) onLine(buffer, start, stop, chunk);
        skipping = false;
        start = stop + 1;
        lineEnd = offsetOf(start);
      }
      if (start < filled && offsetOf(start) >= startsBefore && !skipping)
        return { end: offsetOf(start), first, tooLong };
      // Passing over a line up to where this range's lines may start: no line of its own starts later, so nothing
      // more is read. Otherwise every segment a long line runs through would read it to its end.
      if (skipping && position >= startsBefore) return { end: lineEnd, first, tooLong };
      if (read === 0 || position >= to) {
        // The range is read: what follows the last newline is a line still being written, or a last line
        // without its newline.
        if (!skipping && start < filled && takeLastLine(buffer.toString('utf8', start, filled))) {
          onLine(buffer, start, filled, chunk);
          lineEnd = position;
        }
        return { end: lineEnd, first, tooLong };
      }
      kept = filled - start;
      if (skipping) {
        kept = 0; // the rest of a line passed over: nothing of it is kept
      } else if (kept >= maxLineBytes) {
        // Too long to hold: passed over to its newline, counted.
        tooLong++;
        skipping = true;
        kept = 0;
      } else if (start === 0 && kept === buffer.length) {
        // One line fills the buffer: a larger one, kept for the next file too.
        const larger = Buffer.allocUnsafeSlow(Math.min(buffer.length * 2, maxLineBytes + 1));
        buffer.copy(larger, 0, 0, kept);
        buffer = larger;
        if (!own) shared = larger;
      } else if (kept > 0) {
        buffer.copy(buffer, 0, start, filled);
      }
    }
  } finally {
    closeSync(fd);
  }
}
