/**
 * A file's lines, read in chunks into one buffer that each thread reuses: the import holds a chunk (or the
 * longest line) at a time rather than whole files, and does not fault in fresh memory for every file.
 */
import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK_BYTES = 4 * 1024 * 1024;
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

export interface LineRange {
  /** Where the whole lines handed over end: after the last newline, or after a last line taken whole. */
  end: number;
  /** A copy of the range's first bytes, as many as asked for (fewer in a shorter range). */
  first: Buffer;
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
  options: { firstBytes?: number; chunkBytes?: number } = {},
): LineRange {
  const firstBytes = options.firstBytes ?? 0;
  // A chunk size of its own (the tests' small ones) gets a buffer of its own.
  const own = options.chunkBytes !== undefined;
  const fd = openSync(file, 'r');
  try {
    let buffer = own ? Buffer.allocUnsafeSlow(options.chunkBytes!) : shared;
    let kept = 0; // bytes at the buffer's start that belong to a line not yet whole
    let position = from; // the file offset of buffer[kept]
    let lineEnd = from; // the file offset after the last whole line handed over
    let first: Buffer | undefined;
    for (let chunk = 0; ; chunk++) {
      const read = fill(fd, buffer, kept, position, to);
      position += read;
      const filled = kept + read;
      first ??= Buffer.from(buffer.subarray(0, Math.min(firstBytes, filled)));
      let start = 0;
      for (let stop = buffer.indexOf(NEWLINE, 0); stop >= 0 && stop < filled; stop = buffer.indexOf(NEWLINE, start)) {
        onLine(buffer, start, stop, chunk);
        start = stop + 1;
      }
      lineEnd = position - (filled - start);
      if (read === 0 || position >= to) {
        // The range is read: what follows the last newline is a line still being written, or a last line
        // without its newline.
        if (start < filled && takeLastLine(buffer.toString('utf8', start, filled))) {
          onLine(buffer, start, filled, chunk);
          lineEnd = position;
        }
        return { end: lineEnd, first };
      }
      kept = filled - start;
      if (start === 0) {
        // One line fills the buffer: a larger one, kept for the next file too.
        const larger = Buffer.allocUnsafeSlow(buffer.length * 2);
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
