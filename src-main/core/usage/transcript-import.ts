/**
 * `baton import`, and the import the window runs on start: the agents' transcript files read into
 * usage_messages, each file only from where the last import stopped.
 *
 * - A file whose size and modification time are as stored is not opened. One that grew, and whose first
 *   bytes are as they were, is read from the byte after its last whole line. One that shrank or was
 *   rewritten is read again from the start: messages already counted are known by their key, so
 *   nothing counts twice, and nothing counted before is dropped (the agent may have cut its own file).
 * - Each API response counts once, at its final line (see usage-writer.ts), across files and imports.
 *   Files are taken in the order of their paths, so a tie between two files' copies of a response goes the
 *   same way every time. Each file is written soon after it is read, so an import holds a batch at a time.
 * - Files are written in batches, each file's responses in the same transaction as its read position: a
 *   crash loses no more than the batch under way, which the next import reads again.
 */
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { ImportProgress, ImportSummary } from '../../contract/usage';
import { connectionOf, writeTransaction } from '../store/write-transaction';
import {
  keylessFrom,
  planFor,
  type FilePlan,
  type FileRead,
  type StoredFile,
  type TranscriptAgent,
} from './transcript-files';
import { usageWriter } from './usage-writer';
import { readerWorkerFile, readInOrder } from './transcript-reader';
import { type Walk, walkTranscripts } from './transcript-walk';

export type { TranscriptAgent } from './transcript-files';

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
function transcriptFiles(directory: TranscriptDirectory): Walk {
  const root = path.join(directory.path, directory.agent === 'claude' ? 'projects' : 'sessions');
  const wanted =
    directory.agent === 'claude'
      ? (name: string) => name.endsWith('.jsonl')
      : (name: string) => path.basename(name).startsWith('rollout-') && name.endsWith('.jsonl');
  return walkTranscripts(root, wanted);
}

/** Lines written in one transaction, at most (a file's own are never split). */
const WRITE_BATCH_ROWS = 4000;

export interface ImportOptions {
  now?: () => number;
  onProgress?: (progress: Omit<ImportProgress, 'state' | 'error' | 'last'>) => void;
  /** Whether to let other work run between files (the service's event loop); a command need not. */
  yieldBetweenFiles?: boolean;
  /** The reader thread's file (see transcript-reader.ts); false reads on this thread alone. */
  readerWorker?: string | false;
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
    for (const file of transcriptFiles(directory).files) {
      files++;
      const plan = planFor(file.path, directory.agent, file.size, file.mtimeMs, stored.get(file.path));
      if (plan) plans.push(plan);
    }
  }

  // Files in the order of their paths: where two files hold a response with the same figures, the same copy
  // counts every time.
  plans.sort((x, y) => (x.file < y.file ? -1 : x.file > y.file ? 1 : 0));
  const bytesTotal = plans.reduce((sum, plan) => sum + (plan.size - plan.from), 0);
  let bytesDone = 0;
  const progress = (filesDone: number) =>
    options.onProgress?.({ filesDone, filesTotal: plans.length, bytesDone, bytesTotal });
  progress(0);

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
  let linesRead = 0;
  let malformed = 0;
  // Files are written in batches, each file's responses with its read position: a crash loses at most the
  // batch under way, which the next import reads again. One commit per file cost more than the inserts.
  let batch: FileRead[] = [];
  let batchRows = 0;
  const writeBatch = () => {
    const files = batch;
    batch = [];
    batchRows = 0;
    writeTransaction(dataSource, () => {
      for (const read of files) {
        const { plan } = read;
        const projectFolder = plan.agent === 'claude' ? claudeProjectFolder(plan.file) : null;
        counts.duplicates += read.repeats;
        for (const [key, entry] of keylessFrom(read, db).finals) {
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
  };
  let filesDone = 0;
  await readInOrder(
    plans,
    async (plan, read) => {
      bytesDone += plan.size - plan.from;
      if (read) {
        linesRead += read.lines - plan.linesBefore;
        malformed += read.malformed;
        if (batch.length > 0 && batchRows + read.finals.size > WRITE_BATCH_ROWS) writeBatch();
        batch.push(read);
        batchRows += read.finals.size;
      }
      if (++filesDone % 16 === 0) {
        progress(filesDone);
        // Lets a window's call for the progress be answered between files.
        if (options.yieldBetweenFiles !== false) await new Promise((resolve) => setImmediate(resolve));
      }
    },
    { workerFile: options.readerWorker === false ? undefined : (options.readerWorker ?? readerWorkerFile()) },
  );
  if (batch.length > 0) writeBatch();
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

/** Claude Code's folder for a project (its path with the separators replaced), for lines that name no cwd. */
function claudeProjectFolder(file: string): string | null {
  const parts = file.split(path.sep);
  const at = parts.lastIndexOf('projects');
  return at >= 0 && at + 2 < parts.length ? (parts[at + 1] ?? null) : null;
}
