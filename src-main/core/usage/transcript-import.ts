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
import type { ModelPrices } from '../../contract/views';
import { pricingWith } from '../pricing';
import { connectionOf, writeTransaction } from '../store/write-transaction';
import {
  claudeEntryOf,
  codexEntryOf,
  newCodexFileState,
  timestampOf,
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
  /** The user's model prices, which win over the price data. */
  modelPrices?: ModelPrices;
  onProgress?: (progress: Omit<ImportProgress, 'state' | 'error' | 'last'>) => void;
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

  const pricing = pricingWith(options.modelPrices ?? {}, 'claude');
  const batonSession = batonSessionLookup(db);
  const insert = db.prepare(
    `INSERT OR IGNORE INTO usage_messages
       (dedup_key, agent, file_path, session_id, project, model, at, input_tokens, output_tokens,
        cache_creation_tokens, cache_read_tokens, cost_usd, cost_source, sidechain, baton)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const saveFile = db.prepare(
    `INSERT INTO transcript_files (path, agent, size, mtime_ms, read_to, head, lines, imported_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, read_to = excluded.read_to,
       head = excluded.head, lines = excluded.lines, imported_at = excluded.imported_at`,
  );
  let messages = 0;
  let duplicates = 0;
  const sessions = new Set<string>();
  const importedAt = now();
  for (const read of reads) {
    const { plan } = read;
    const projectFolder = plan.agent === 'claude' ? claudeProjectFolder(plan.file) : null;
    writeTransaction(dataSource, () => {
      for (const entry of read.entries) {
        const key = entry.key ?? read.keylessKeys.get(entry)!;
        const agentCost = entry.costUsd;
        const cost = agentCost ?? pricing.costOf(entry.model, entry.usage);
        const sessionId = entry.sessionId ?? (plan.agent === 'claude' ? path.basename(plan.file, '.jsonl') : null);
        const { changes } = insert.run(
          key,
          plan.agent,
          plan.file,
          sessionId,
          entry.project ?? projectFolder,
          entry.model,
          entry.at,
          entry.usage.inputTokens,
          entry.usage.outputTokens,
          entry.usage.cacheCreationTokens,
          entry.usage.cacheReadTokens,
          cost,
          agentCost !== null ? 'agent' : cost !== null ? 'estimated' : 'unknown',
          entry.sidechain ? 1 : 0,
          sessionId !== null && batonSession(sessionId) ? 1 : 0,
        );
        if (changes === 0) {
          duplicates++;
        } else {
          messages++;
          if (sessionId) sessions.add(sessionId);
        }
      }
      saveFile.run(plan.file, plan.agent, plan.size, plan.mtimeMs, read.readTo, read.head, read.lines, importedAt);
    });
  }
  progress(plans.length);
  return {
    files,
    newFiles: plans.filter((plan) => plan.isNew).length,
    linesRead,
    messages,
    duplicates,
    malformed,
    sessions: sessions.size,
    durationMs: Math.round(performance.now() - started),
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

function readFile(plan: FilePlan, db: ReturnType<typeof connectionOf>): FileRead | undefined {
  let bytes: Buffer;
  try {
    bytes = readBytes(plan.file, plan.from, plan.size);
  } catch {
    return undefined;
  }
  // Only whole lines are read: the last one may still be being written. A last line without its newline
  // that is whole JSON is read too, as ccusage reads it.
  const lastNewline = bytes.lastIndexOf(0x0a);
  const tail = bytes.subarray(lastNewline + 1);
  let text = bytes.toString('utf8', 0, lastNewline + 1);
  let readTo = plan.from + lastNewline + 1;
  if (tail.length > 0 && parses(tail.toString('utf8'))) {
    text += tail.toString('utf8');
    readTo = plan.from + bytes.length;
  }
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
  if (codex) codex.hasRecords = text.includes('"token_usage_record"');
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    lines++;
    let line: unknown;
    try {
      line = JSON.parse(raw);
    } catch {
      malformed++;
      continue;
    }
    if (typeof line !== 'object' || line === null || Array.isArray(line)) continue;
    const record = line as Record<string, unknown>;
    const at = timestampOf(record);
    if (at !== null && at < earliest) earliest = at;
    const entry = codex ? codexEntryOf(record, codex) : claudeEntryOf(record);
    if (!entry) continue;
    entries.push(entry);
    if (entry.key === null) {
      const hash = `${plan.file}#${hashOf(Buffer.from(raw))}#`;
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
