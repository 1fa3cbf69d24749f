/**
 * Splits an agent's stdout into lines while counting bytes, so a line is
 * capped as it arrives rather than after it has been buffered whole: an
 * agent that prints hundreds of MiB without a newline costs at most the cap
 * in memory. The rest of such a line is skipped up to its newline and the
 * line is reported as over the limit.
 */

/** The longest line kept, in bytes; no line the CLI prints in stream-json comes near it. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export interface LineHandlers {
  /** A whole line, without its line ending (`\n` or `\r\n`). */
  line(line: string): void;
  /** A line longer than the cap, of `bytes` bytes, none of which were kept. */
  overlong(bytes: number): void;
}

export class LineSplitter {
  /** The current line's pieces, kept only while the line is within the cap. */
  private parts: Buffer[] = [];
  /** Bytes of the current line seen so far, kept or not. */
  private lineBytes = 0;
  private skipping = false;

  constructor(
    private readonly handlers: LineHandlers,
    private readonly maxBytes = MAX_LINE_BYTES,
  ) {}

  /** Bytes held for the line in progress: never more than the cap. */
  get bufferedBytes(): number {
    return this.skipping ? 0 : this.lineBytes;
  }

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      this.take(chunk, start, end);
      if (newline === -1) return;
      this.endLine();
      start = newline + 1;
    }
  }

  /** The stream has ended: a last line without a newline still counts, as readline has it. */
  end(): void {
    if (this.lineBytes > 0) this.endLine();
  }

  private take(chunk: Buffer, start: number, end: number): void {
    if (end === start) return;
    this.lineBytes += end - start;
    if (this.skipping) return;
    if (this.lineBytes > this.maxBytes) {
      // Past the cap nothing of the line is worth keeping: drop what was held and count the rest.
      this.skipping = true;
      this.parts = [];
      return;
    }
    this.parts.push(chunk.subarray(start, end));
  }

  private endLine(): void {
    const { parts, lineBytes, skipping } = this;
    this.parts = [];
    this.lineBytes = 0;
    this.skipping = false;
    if (skipping) {
      this.handlers.overlong(lineBytes);
      return;
    }
    // Lines split only at 0x0a, which is never inside a UTF-8 sequence, so joining before decoding keeps characters whole.
    let bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, lineBytes);
    if (bytes.at(-1) === CARRIAGE_RETURN) bytes = bytes.subarray(0, -1);
    this.handlers.line(bytes.toString('utf8'));
  }
}
