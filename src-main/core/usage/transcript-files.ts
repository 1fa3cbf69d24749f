/**
 * Reading one transcript file for the import: what to read of it (nothing, what was appended, or all), and
 * the usage its lines count for. Only lines that can count are parsed: a line without the bytes such a line
 * must hold is checked for braces and passed over.
 */
import { createHash } from 'node:crypto';
import type { Connection } from '../store/write-transaction';
import { forEachLine, readRange } from './line-chunks';
import {
  claudeEntryOf,
  codexEntryOf,
  newCodexFileState,
  type CodexFileState,
  type UsageEntry,
} from './transcript-lines';

export type TranscriptAgent = 'claude' | 'codex';

/** How far a file was read, as the store keeps it. */
export interface StoredFile {
  size: number;
  mtimeMs: number;
  readTo: number;
  head: string;
  lines: number;
}

const HEAD_BYTES = 4096;

const hashOf = (bytes: Buffer) => createHash('sha1').update(bytes).digest('hex');

/** A file larger than this is read in segments of this size, each written in a transaction of its own. */
export const SEGMENT_BYTES = 16 * 1024 * 1024;

/** One file's share of an import, or one segment of it: what to read. */
export interface FilePlan {
  file: string;
  agent: TranscriptAgent;
  size: number;
  mtimeMs: number;
  /** Where reading starts: 0 for a new or rewritten file; a segment after the first starts inside a line. */
  from: number;
  /** Lines that start here or later are the next segment's: the file's size for its last segment. */
  until: number;
  /** 0 for the first segment (or the whole file). */
  segment: number;
  lastSegment: boolean;
  isNew: boolean;
  /** Lines read before `from`, kept in the count (for the first segment). */
  linesBefore: number;
  /** The read position stored when the import planned (null: none): another import's write changes it. */
  storedReadTo: number | null;
  /** For a read that goes on where the last one stopped: the hash its first bytes must still have. */
  appendsTo?: string;
}

export interface FileRead {
  plan: FilePlan;
  /**
   * Each response's final line among the read's lines, by key: per key the one with the most output tokens,
   * the later one on a tie, taken whole. A keyless line's key is its file, its hash and how often that line
   * came before. Kept as the file is read, so the partial lines are dropped at once.
   */
  finals: Map<string, UsageEntry>;
  /** Lines that counted for a response already among the finals. */
  repeats: number;
  /** The start of the first line not read. */
  readTo: number;
  head: string;
  /** Lines in this read. */
  lines: number;
  /** Lines that are not JSON, hold impossible counts, are too long to hold, or could not be handled. */
  malformed: number;
  /** Why the file could not be read (it is then passed over and reported); null when it was. */
  failure: string | null;
}

/**
 * What to read of a file, in segments: nothing when it is as last read, the new bytes when it grew, else all
 * of it. Throws where the file's first bytes cannot be read.
 */
export function plansFor(
  file: string,
  agent: TranscriptAgent,
  size: number,
  mtimeMs: number,
  known: StoredFile | undefined,
): FilePlan[] {
  let from = 0;
  let linesBefore = 0;
  if (known) {
    if (known.size === size && known.mtimeMs === mtimeMs) return [];
    // A Codex transcript is one session's, written while it runs: read whole again, its keys keep it exact.
    const appended =
      agent !== 'codex' &&
      size >= known.readTo &&
      hashOf(readRange(file, 0, Math.min(HEAD_BYTES, known.readTo))) === known.head;
    if (appended) ({ readTo: from, lines: linesBefore } = known);
  }
  const appendsTo = from > 0 ? known?.head : undefined;
  const plans: FilePlan[] = [];
  const common = { file, agent, size, mtimeMs, isNew: known === undefined, storedReadTo: known?.readTo ?? null };
  // Codex files are read whole: their running totals are told apart by what came before in the file.
  const step = agent === 'codex' ? Number.POSITIVE_INFINITY : SEGMENT_BYTES;
  for (let start = from, segment = 0; segment === 0 || start < size; start += step, segment++) {
    const until = Math.min(size, start + step);
    plans.push({ ...common, from: start, until, segment, lastSegment: until >= size, linesBefore, appendsTo });
  }
  return plans;
}

/**
 * Bytes that a line which counts must hold: Claude Code's usage, or one of the Codex lines that count or say
 * where and on what a session ran. Lines without any (tool results, the bulk of a transcript) are not parsed.
 */
const NEEDLES: Record<TranscriptAgent, Buffer[]> = {
  claude: [Buffer.from('"usage"')],
  codex: ['session_meta', 'turn_context', 'token_usage_record', 'token_count'].map((n) => Buffer.from(n)),
};
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * A file's new lines and what they count for, without the store: a keyless line's key counts its occurrences
 * within what was read, and `keylessFrom` shifts them past those read before. A file that cannot be read
 * comes back with its `failure`; a line that cannot be handled counts as malformed.
 */
export function readFile(plan: FilePlan): FileRead {
  const finals = new Map<string, UsageEntry>();
  let repeats = 0;
  const keylessSeen = new Map<string, number>();
  let lines = 0;
  let malformed = 0;
  const codex: CodexFileState | null = plan.agent === 'codex' ? newCodexFileState(threadIdOfRollout(plan.file)) : null;
  const needles = NEEDLES[plan.agent];
  // Per needle, where it next occurs in the current chunk (from the line last searched on).
  const next = needles.map(() => -1);
  let chunkOfNext = -1;

  const onLine = (bytes: Buffer, lineStart: number, stop: number, chunk: number) => {
    try {
      handleLine(bytes, lineStart, stop, chunk);
    } catch {
      // A line that breaks its handling (nested past the stack's depth, say) is one bad line, not a bad file.
      malformed++;
    }
  };
  const handleLine = (bytes: Buffer, lineStart: number, stop: number, chunk: number) => {
    let first = lineStart;
    while (first < stop && isSpace(bytes[first]!)) first++;
    if (first === stop) return;
    lines++;
    let last = stop - 1;
    while (last > first && isSpace(bytes[last]!)) last--;
    if (chunk !== chunkOfNext) {
      next.fill(-1);
      chunkOfNext = chunk;
    }
    let wanted = false;
    for (let n = 0; n < needles.length; n++) {
      if (next[n]! < lineStart) next[n] = bytes.indexOf(needles[n]!, lineStart);
      if (next[n]! >= 0 && next[n]! < stop) wanted = true;
      // Not found at all: none further in this chunk either.
      if (next[n]! < 0) next[n] = Number.MAX_SAFE_INTEGER;
    }
    if (!wanted) {
      // Not parsed: a line that is not even braced is malformed; the rest count for nothing anyway.
      if (bytes[first] !== OPEN_BRACE || bytes[last] !== CLOSE_BRACE) malformed++;
      return;
    }
    // Claude lines are parsed from latin1, byte for byte: JSON's syntax is ASCII, and a one-byte string
    // decodes and parses at twice the speed. The few strings kept are read again as UTF-8 where not ASCII.
    const record = parseObject(bytes, lineStart, stop, codex ? 'utf8' : 'latin1');
    if (record === undefined) {
      malformed++;
      return;
    }
    if (record === null) return;
    let entry = codex ? codexEntryOf(record, codex) : claudeEntryOf(record);
    if (!entry) return;
    // Counts that cannot be true are taken as 0, as a run takes them, and the line is reported.
    if (entry.impossible) malformed++;
    if (!codex && !keptStringsAreAscii(entry)) entry = claudeEntryOf(parseObject(bytes, lineStart, stop, 'utf8')!)!;
    let key = entry.key;
    if (key === null) {
      const hash = `${plan.file}#${hashOf(bytes.subarray(lineStart, stop))}#`;
      const before = keylessSeen.get(hash) ?? 0;
      keylessSeen.set(hash, before + 1);
      key = `${hash}${before}`;
    }
    const known = finals.get(key);
    if (known) repeats++;
    if (!known || entry.usage.outputTokens >= known.usage.outputTokens) finals.set(key, entry);
  };

  let range;
  let head: string;
  try {
    // Rewritten since it was planned (all plans are made before any file is read): what is now at the old
    // position is not what followed the lines counted. Passed over; the next import reads it from the start.
    if (plan.appendsTo !== undefined && plan.segment === 0) {
      const now = hashOf(readRange(plan.file, 0, Math.min(HEAD_BYTES, plan.from)));
      if (now !== plan.appendsTo) throw new Error('rewritten while it was being imported; read again next time');
    }
    // Newer Codex files say each response once; their running totals then say it again (see codexEntryOf).
    if (codex) codex.hasRecords = fileHolds(plan, CODEX_RECORD);
    // Only whole lines are read: the last one may still be being written. A last line without its newline
    // that is whole JSON is read too, as ccusage reads it. A segment after the first starts inside the line
    // before it (at the byte before its start, so a line that starts exactly there is its own).
    const later = plan.segment > 0;
    range = forEachLine(plan.file, later ? plan.from - 1 : plan.from, plan.size, onLine, parses, {
      firstBytes: plan.from === 0 ? HEAD_BYTES : 0,
      startsMidLine: later,
      linesStartBefore: plan.lastSegment ? undefined : plan.until,
    });
    malformed += range.tooLong;
    head = hashOf(
      plan.from === 0
        ? range.first.subarray(0, Math.min(HEAD_BYTES, range.end))
        : readRange(plan.file, 0, Math.min(HEAD_BYTES, range.end)),
    );
  } catch (error) {
    return { plan, finals, repeats, readTo: plan.from, head: '', lines: 0, malformed, failure: failureOf(error) };
  }
  return { plan, finals, repeats, readTo: range.end, head, lines, malformed, failure: null };
}

/** Why a file could not be read, in a few words: the system's code where there is one. */
export function failureOf(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  if (code === 'ENOENT') return 'gone since it was listed';
  if (code === 'EACCES' || code === 'EPERM') return 'not readable (permission denied)';
  return code ? `${code}: ${message}` : String(message ?? error);
}

const CODEX_RECORD = Buffer.from('"token_usage_record"');

/** Whether the part of a file to read holds these bytes within a line. */
function fileHolds(plan: FilePlan, needle: Buffer): boolean {
  let found = false;
  forEachLine(
    plan.file,
    plan.from,
    plan.size,
    (bytes, start, stop) => {
      if (!found && bytes.subarray(start, stop).includes(needle)) found = true;
    },
    () => true,
  );
  return found;
}

/** A line's object; null for JSON that is not an object; undefined for a line that is not JSON. */
function parseObject(
  bytes: Buffer,
  start: number,
  stop: number,
  encoding: 'utf8' | 'latin1',
): Record<string, unknown> | null | undefined {
  let line: unknown;
  try {
    line = JSON.parse(bytes.toString(encoding, start, stop));
  } catch {
    return undefined;
  }
  return typeof line === 'object' && line !== null && !Array.isArray(line) ? (line as Record<string, unknown>) : null;
}

const NON_ASCII = /[\u0080-\uffff]/;
const keptStringsAreAscii = (entry: UsageEntry) =>
  [entry.key, entry.sessionId, entry.project, entry.model].every((text) => text === null || !NON_ASCII.test(text));

const isSpace = (byte: number) => byte === 0x20 || byte === 0x09 || byte === 0x0d;

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The keys of a grown file's keyless lines, numbered on from the occurrences of the same line counted in the
 * part read before (a line repeated verbatim counts each time, and a re-read none twice).
 */
export function keylessFrom(read: FileRead, countedBefore: Connection | ((line: string) => number)): FileRead {
  if (read.plan.from === 0) return read;
  const prefix = `${read.plan.file}#`;
  const counted =
    typeof countedBefore === 'function'
      ? countedBefore
      : (() => {
          const query = countedBefore.prepare(
            `SELECT COUNT(*) AS n FROM usage_messages WHERE dedup_key >= ? AND dedup_key < ?`,
          );
          return (line: string) => (query.get(line, `${line}\uffff`) as { n: number }).n;
        })();
  const before = new Map<string, number>();
  const finals = new Map<string, UsageEntry>();
  for (const [key, entry] of read.finals) {
    if (!key.startsWith(prefix)) {
      finals.set(key, entry);
      continue;
    }
    const cut = key.lastIndexOf('#') + 1;
    const line = key.slice(0, cut);
    let offset = before.get(line);
    if (offset === undefined) {
      offset = counted(line);
      before.set(line, offset);
    }
    finals.set(`${line}${offset + Number(key.slice(cut))}`, entry);
  }
  return { ...read, finals };
}

/** rollout-<time>-<thread id>.jsonl: the thread, for files whose session_meta line is missing. */
function threadIdOfRollout(file: string): string | null {
  const match = /-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/i.exec(file);
  return match?.[1] ?? null;
}
