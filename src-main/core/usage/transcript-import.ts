/**
 * `baton import`, and the import the window runs on start: the agents' transcript files read into
 * usage_messages, each file only from where the last import stopped.
 *
 * - A file whose size and modification time are as stored is not opened. One that grew, and whose first
 *   bytes are as they were, is read from the byte after its last whole line. One that shrank or was
 *   rewritten is read again from the start: messages already counted are known by their key, so
 *   nothing counts twice, and nothing counted before is dropped (the agent may have cut its own file).
 * - Within one import, files are taken in the order of their earliest timestamp, as ccusage takes them,
 *   so where the same message is written to two files the same copy counts.
 * - Each file's messages and its read position are written in one transaction: a crash loses no more
 *   than the file being read, which the next import reads again.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { ImportProgress, ImportSummary } from '../../contract/usage';
import { connectionOf, writeTransaction } from '../store/write-transaction';
import {
  claudeEntryOf,
  codexEntryOf,
  newCodexFileState,
  type CodexFileState,
  type UsageEntry,
} from './transcript-lines';

export type TranscriptAgent = 'claude' | 'codex';

export interface TranscriptDirectory {
  agent: TranscriptAgent;
  path: string;
}

/**
 * Where the agents keep their transcripts when no folder is named: CLAUDE_CONFIG_DIR (a comma-separated
 * list, as Claude Code and ccusage read it) or else ~/.config/claude and ~/.claude; CODEX_HOME or ~/.codex.
 */
export function defaultTranscriptDirectories(env: NodeJS.ProcessEnv): TranscriptDirectory[] {
  const home = env.HOME || os.homedir();
  const claude = env.CLAUDE_CONFIG_DIR?.trim()
    ? env.CLAUDE_CONFIG_DIR.split(',')
        .map((dir) => dir.trim())
        .filter(Boolean)
    : [path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'claude'), path.join(home, '.claude')];
  const codex = env.CODEX_HOME?.trim() ? [env.CODEX_HOME.trim()] : [path.join(home, '.codex')];
  const unique = (dirs: string[]) => [...new Set(dirs.map((dir) => path.resolve(dir)))];
  return [
    ...unique(claude).map((dir) => ({ agent: 'claude' as const, path: dir })),
    ...unique(codex).map((dir) => ({ agent: 'codex' as const, path: dir })),
  ];
}

/** The folder under a transcript directory that holds the files, and which of them are transcripts. */
function transcriptFiles(directory: TranscriptDirectory): string[] {
  const root = path.join(directory.path, directory.agent === 'claude' ? 'projects' : 'sessions');
  let names: string[];
  try {
    names = readdirSync(root, { recursive: true, encoding: 'utf8' });
  } catch {
    return [];
  }
  const wanted =
    directory.agent === 'claude'
      ? (name: string) => name.endsWith('.jsonl')
      : (name: string) => path.basename(name).startsWith('rollout-') && name.endsWith('.jsonl');
  return names.filter(wanted).map((name) => path.join(root, name));
}

interface StoredFile {
  size: number;
  mtimeMs: number;
  readTo: number;
  head: string;
  lines: number;
}

const HEAD_BYTES = 4096;
/** Lines written in one transaction, at most (a file's own are never split). */
const WRITE_BATCH_ROWS = 4000;

function readBytes(file: string, from: number, to: number): Buffer {
  const buffer = Buffer.allocUnsafe(Math.max(0, to - from));
  const fd = openSync(file, 'r');
  try {
    let done = 0;
    while (done < buffer.length) {
      const n = readSync(fd, buffer, done, buffer.length - done, from + done);
      if (n === 0) break;
      done += n;
    }
    return done < buffer.length ? buffer.subarray(0, done) : buffer;
  } finally {
    closeSync(fd);
  }
}

const hashOf = (bytes: Buffer) => createHash('sha1').update(bytes).digest('hex');

/** One file's share of an import: what to read, and what it held. */
interface FilePlan {
  file: string;
  agent: TranscriptAgent;
  size: number;
  mtimeMs: number;
  /** Where reading starts: 0 for a new or rewritten file. */
  from: number;
  isNew: boolean;
  /** Lines read before `from`, kept in the count. */
  linesBefore: number;
}

interface FileRead {
  plan: FilePlan;
  entries: UsageEntry[];
  /** The key of each keyless entry: the file, the line's hash and how often that line came before. */
  keylessKeys: Map<UsageEntry, string>;
  readTo: number;
  head: string;
  lines: number;
  malformed: number;
  earliest: number;
}

export interface ImportOptions {
  now?: () => number;
  onProgress?: (progress: Omit<ImportProgress, 'state' | 'error' | 'last'>) => void;
  /** Whether to let other work run between files' writes (the service's event loop); a command need not. */
  yieldBetweenFiles?: boolean;
}

export async function importTranscripts(
  dataSource: DataSource,
  directories: readonly TranscriptDirectory[],
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const started = performance.now();
  const now = options.now ?? Date.now;
  const db = connectionOf(dataSource);
  const stored = new Map<string, StoredFile>();
  for (const row of db
    .prepare(`SELECT path, size, mtime_ms AS mtimeMs, read_to AS readTo, head, lines FROM transcript_files`)
    .all() as Array<StoredFile & { path: string }>) {
    stored.set(row.path, row);
  }

  const plans: FilePlan[] = [];
  let files = 0;
  for (const directory of directories) {
    for (const file of transcriptFiles(directory)) {
      let stat;
      try {
        stat = statSync(file);
      } catch {
        continue; // Deleted between the listing and now: what was imported of it stays.
      }
      if (!stat.isFile()) continue;
      files++;
      const plan = planFor(file, directory.agent, stat.size, Math.trunc(stat.mtimeMs), stored.get(file));
      if (plan) plans.push(plan);
    }
  }

  const bytesTotal = plans.reduce((sum, plan) => sum + (plan.size - plan.from), 0);
  let bytesDone = 0;
  const progress = (filesDone: number) =>
    options.onProgress?.({ filesDone, filesTotal: plans.length, bytesDone, bytesTotal });
  progress(0);

  const reads: FileRead[] = [];
  let linesRead = 0;
  let malformed = 0;
  for (const [index, plan] of plans.entries()) {
    const read = readFile(plan, db);
    bytesDone += plan.size - plan.from;
    if (index % 16 === 15) {
      progress(index + 1);
      // Lets a window's call for the progress be answered between files.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (!read) continue;
    reads.push(read);
    linesRead += read.lines - plan.linesBefore;
    malformed += read.malformed;
  }
  reads.sort((a, b) => a.earliest - b.earliest);

  const writer = usageWriter(db);
  const saveFile = db.prepare(
    `INSERT INTO transcript_files (path, agent, size, mtime_ms, read_to, head, lines, imported_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, read_to = excluded.read_to,
       head = excluded.head, lines = excluded.lines, imported_at = excluded.imported_at`,
  );
  const counts = { messages: 0, corrected: 0, duplicates: 0 };
  const sessions = new Set<string>();
  const importedAt = now();
  // Files are written in batches, each file's responses with its read position: a crash loses at most the
  // batch under way, which the next import reads again. One commit per file cost more than the inserts.
  for (let first = 0; first < reads.length;) {
    let rows = 0;
    let last = first;
    while (last < reads.length && (last === first || rows + reads[last]!.entries.length <= WRITE_BATCH_ROWS)) {
      rows += reads[last]!.entries.length;
      last++;
    }
    const batch = reads.slice(first, last);
    first = last;
    writeTransaction(dataSource, () => {
      for (const read of batch) {
        const { plan } = read;
        const projectFolder = plan.agent === 'claude' ? claudeProjectFolder(plan.file) : null;
        const finals = finalLines(read);
        counts.duplicates += read.entries.length - finals.size;
        for (const [key, entry] of finals) {
          const sessionId = entry.sessionId ?? (plan.agent === 'claude' ? path.basename(plan.file, '.jsonl') : null);
          const outcome = writer.write(key, entry, {
            agent: plan.agent,
            file: plan.file,
            sessionId,
            project: entry.project ?? projectFolder,
          });
          counts[outcome]++;
          if (outcome === 'messages' && sessionId) sessions.add(sessionId);
        }
        saveFile.run(plan.file, plan.agent, plan.size, plan.mtimeMs, read.readTo, read.head, read.lines, importedAt);
      }
    });
    if (options.yieldBetweenFiles !== false) await new Promise((resolve) => setImmediate(resolve));
  }
  progress(plans.length);
  return {
    files,
    newFiles: plans.filter((plan) => plan.isNew).length,
    linesRead,
    ...counts,
    malformed,
    sessions: sessions.size,
    durationMs: Math.round(performance.now() - started),
  };
}

/**
 * Each response's final line among a file's lines: per key, the one with the most output tokens, the later
 * one on a tie, taken whole. Keyless lines each keep the key of their place in the file.
 */
function finalLines(read: FileRead): Map<string, UsageEntry> {
  const finals = new Map<string, UsageEntry>();
  for (const entry of read.entries) {
    const key = entry.key ?? read.keylessKeys.get(entry)!;
    const known = finals.get(key);
    if (!known || entry.usage.outputTokens >= known.usage.outputTokens) finals.set(key, entry);
  }
  return finals;
}

interface Place {
  agent: TranscriptAgent;
  file: string;
  sessionId: string | null;
  project: string | null;
}

/**
 * Stores a response's line: a new key is a new message; a known one is replaced only by a line that ranks
 * above it (more output tokens, or as many and different figures: a later line of the same response), or when
 * the stored row was counted under the old first-line rule. So a response whose partial line was imported
 * while its transcript was still being written is corrected when its final line arrives, never added twice.
 * Costs are not stored: reports price the tokens at read time, so a price set later applies to them too.
 */
function usageWriter(db: ReturnType<typeof connectionOf>) {
  const batonSession = batonSessionLookup(db);
  const columns = [
    'agent',
    'file_path',
    'session_id',
    'project',
    'model',
    'speed',
    'at',
    'input_tokens',
    'output_tokens',
    'cache_creation_tokens',
    'cache_write_1h_tokens',
    'cache_read_tokens',
    'cost_usd',
    'cost_source',
    'sidechain',
    'baton',
  ];
  const compared = [
    'model',
    'speed',
    'input_tokens',
    'cache_creation_tokens',
    'cache_write_1h_tokens',
    'cache_read_tokens',
  ];
  const insert = db.prepare(
    `INSERT OR IGNORE INTO usage_messages (dedup_key, ${columns.join(', ')})
     VALUES (?, ${columns.map(() => '?').join(', ')})`,
  );
  // Parameters: the columns in order, the key, the output count twice, then the compared columns.
  const replace = db.prepare(
    `UPDATE usage_messages SET ${columns.map((c) => `${c} = ?`).join(', ')}, legacy = 0
     WHERE dedup_key = ? AND (legacy = 1 OR output_tokens < ?
       OR (output_tokens = ? AND (${compared.map((c) => `${c} IS NOT ?`).join(' OR ')})))`,
  );
  const at = (column: string) => columns.indexOf(column);
  return {
    write(key: string, entry: UsageEntry, place: Place): 'messages' | 'corrected' | 'duplicates' {
      const u = entry.usage;
      const row = [
        place.agent,
        place.file,
        place.sessionId,
        place.project,
        entry.model,
        entry.speed,
        entry.at,
        u.inputTokens,
        u.outputTokens,
        u.cacheCreationTokens,
        u.cacheWrite1hTokens,
        u.cacheReadTokens,
        entry.costUsd,
        entry.costUsd !== null ? 'agent' : 'estimated',
        entry.sidechain ? 1 : 0,
        place.sessionId !== null && batonSession(place.sessionId) ? 1 : 0,
      ];
      if (insert.run(key, ...row).changes > 0) return 'messages';
      const output = row[at('output_tokens')];
      const changed = replace.run(...row, key, output, output, ...compared.map((c) => row[at(c)]));
      return changed.changes > 0 ? 'corrected' : 'duplicates';
    },
  };
}

/** What to read of a file: nothing when it is as last read, the new bytes when it grew, else all of it. */
function planFor(
  file: string,
  agent: TranscriptAgent,
  size: number,
  mtimeMs: number,
  known: StoredFile | undefined,
): FilePlan | undefined {
  const whole = { file, agent, size, mtimeMs, from: 0, isNew: known === undefined, linesBefore: 0 };
  if (!known) return whole;
  if (known.size === size && known.mtimeMs === mtimeMs) return undefined;
  // A Codex transcript is one session's, written while it runs: read whole again, its keys keep it exact.
  if (agent === 'codex' || size < known.readTo) return whole;
  const headNow = hashOf(readBytes(file, 0, Math.min(HEAD_BYTES, known.readTo)));
  if (headNow !== known.head) return whole;
  return { ...whole, from: known.readTo, linesBefore: known.lines };
}

/** Claude Code's folder for a project (its path with the separators replaced), for lines that name no cwd. */
function claudeProjectFolder(file: string): string | null {
  const parts = file.split(path.sep);
  const at = parts.lastIndexOf('projects');
  return at >= 0 && at + 2 < parts.length ? (parts[at + 1] ?? null) : null;
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
const NEWLINE = 0x0a;

function readFile(plan: FilePlan, db: ReturnType<typeof connectionOf>): FileRead | undefined {
  let bytes: Buffer;
  try {
    bytes = readBytes(plan.file, plan.from, plan.size);
  } catch {
    return undefined;
  }
  // Only whole lines are read: the last one may still be being written. A last line without its newline
  // that is whole JSON is read too, as ccusage reads it.
  const lastNewline = bytes.lastIndexOf(NEWLINE);
  let end = lastNewline + 1;
  if (end < bytes.length && parses(bytes.toString('utf8', end))) end = bytes.length;
  const readTo = plan.from + end;
  const headBytes =
    plan.from === 0
      ? bytes.subarray(0, Math.min(HEAD_BYTES, readTo))
      : readBytes(plan.file, 0, Math.min(HEAD_BYTES, readTo));

  const entries: UsageEntry[] = [];
  const keylessKeys = new Map<UsageEntry, string>();
  const keylessSeen = new Map<string, number>();
  let lines = 0;
  let malformed = 0;
  let earliest = Number.POSITIVE_INFINITY;
  const codex: CodexFileState | null = plan.agent === 'codex' ? newCodexFileState(threadIdOfRollout(plan.file)) : null;
  if (codex) codex.hasRecords = bytes.subarray(0, end).includes('"token_usage_record"');
  const needles = NEEDLES[plan.agent];
  const next = needles.map((needle) => bytes.indexOf(needle));
  for (let start = 0; start < end;) {
    let stop = bytes.indexOf(NEWLINE, start);
    if (stop < 0 || stop > end) stop = end;
    const lineStart = start;
    start = stop + 1;
    let first = lineStart;
    while (first < stop && isSpace(bytes[first]!)) first++;
    if (first === stop) continue;
    lines++;
    let last = stop - 1;
    while (last > first && isSpace(bytes[last]!)) last--;
    let wanted = false;
    for (let n = 0; n < needles.length; n++) {
      if (next[n]! >= 0 && next[n]! < lineStart) next[n] = bytes.indexOf(needles[n]!, lineStart);
      if (next[n]! >= 0 && next[n]! < stop) wanted = true;
    }
    if (!wanted) {
      // Not parsed: a line that is not even braced is malformed; the rest count for nothing anyway.
      if (bytes[first] !== OPEN_BRACE || bytes[last] !== CLOSE_BRACE) malformed++;
      continue;
    }
    const raw = bytes.subarray(lineStart, stop);
    // Claude lines are parsed from latin1, byte for byte: JSON's syntax is ASCII, and a one-byte string
    // decodes and parses at twice the speed. The few strings kept are read again as UTF-8 where not ASCII.
    const record = parseObject(raw, codex ? 'utf8' : 'latin1');
    if (record === undefined) {
      malformed++;
      continue;
    }
    if (record === null) continue;
    let entry = codex ? codexEntryOf(record, codex) : claudeEntryOf(record);
    if (!entry) continue;
    if (!codex && !keptStringsAreAscii(entry)) entry = claudeEntryOf(parseObject(raw, 'utf8')!)!;
    if (entry.at < earliest) earliest = entry.at;
    entries.push(entry);
    if (entry.key === null) {
      const hash = `${plan.file}#${hashOf(raw)}#`;
      const before = keylessSeen.get(hash) ?? (plan.from > 0 ? keylessCountBefore(db, hash) : 0);
      keylessSeen.set(hash, before + 1);
      keylessKeys.set(entry, `${hash}${before}`);
    }
  }
  return {
    plan,
    entries,
    keylessKeys,
    readTo,
    head: hashOf(headBytes),
    lines: plan.linesBefore + lines,
    malformed,
    earliest,
  };
}

/** A line's object; null for JSON that is not an object; undefined for a line that is not JSON. */
function parseObject(raw: Buffer, encoding: 'utf8' | 'latin1'): Record<string, unknown> | null | undefined {
  let line: unknown;
  try {
    line = JSON.parse(raw.toString(encoding));
  } catch {
    return undefined;
  }
  return typeof line === 'object' && line !== null && !Array.isArray(line) ? (line as Record<string, unknown>) : null;
}

const NON_ASCII = /[^\x00-\x7f]/;
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

/** How many times a keyless line was counted in the part of its file read before. */
function keylessCountBefore(db: ReturnType<typeof connectionOf>, prefix: string): number {
  const row = db
    .prepare(`SELECT COUNT(*) AS n FROM usage_messages WHERE dedup_key >= ? AND dedup_key < ?`)
    .get(prefix, `${prefix}\uffff`) as { n: number };
  return row.n;
}

/** rollout-<time>-<thread id>.jsonl: the thread, for files whose session_meta line is missing. */
function threadIdOfRollout(file: string): string | null {
  const match = /-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/i.exec(file);
  return match?.[1] ?? null;
}

/**
 * Whether a session id is one of Baton's own runs: a session's id, its agent's own id, or an earlier
 * attempt's id in a retried session's log. Asked once per session id in an import.
 */
function batonSessionLookup(db: ReturnType<typeof connectionOf>): (sessionId: string) => boolean {
  const known = new Map<string, boolean>();
  const byId = db.prepare(`SELECT 1 FROM sessions WHERE session_id = ?`);
  const byAgentId = db.prepare(`SELECT 1 FROM sessions WHERE agent_session_id = ?`);
  const byRetry = db.prepare(
    `SELECT 1 FROM sessions INDEXED BY idx_sessions_retried WHERE retry_log IS NOT NULL AND instr(retry_log, ?) > 0`,
  );
  return (sessionId) => {
    let found = known.get(sessionId);
    if (found === undefined) {
      found = Boolean(byId.get(sessionId) ?? byAgentId.get(sessionId) ?? byRetry.get(sessionId));
      known.set(sessionId, found);
    }
    return found;
  };
}

/** Whether a transcript directory is there, for the origin the window shows. */
export const directoryExists = (directory: TranscriptDirectory) => existsSync(directory.path);
