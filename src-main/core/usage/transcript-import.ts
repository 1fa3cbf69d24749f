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
 * - Files are written in batches (import-batches.ts), each read's responses in the same transaction as its
 *   read position. A large file is read in segments, on either thread (transcript-reader.ts), and written
 *   segment by segment. A file that cannot be read is passed over and reported; the others are imported.
 */
import os from 'node:os';
import path from 'node:path';
import type { ImportProgress, ImportSummary } from '../../contract/usage';
import type { Connection } from '../store/write-transaction';
import { ImportBatches } from './import-batches';
import {
  failureOf,
  plansFor,
  SEGMENT_BYTES,
  type FilePlan,
  type StoredFile,
  type TranscriptAgent,
} from './transcript-files';
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

export interface ImportOptions {
  now?: () => number;
  onProgress?: (progress: Omit<ImportProgress, 'state' | 'error' | 'last'>) => void;
  /** Whether to let other work run between files (the service's event loop); a command need not. */
  yieldBetweenFiles?: boolean;
  /** The reader thread's file (see transcript-reader.ts); false reads on this thread alone. */
  readerWorker?: string | false;
}

export async function importTranscripts(
  db: Connection,
  directories: readonly TranscriptDirectory[],
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const started = performance.now();
  const now = options.now ?? Date.now;
  const stored = new Map<string, StoredFile>();
  for (const row of db
    .prepare(`SELECT path, size, mtime_ms AS mtimeMs, read_to AS readTo, head, lines FROM transcript_files`)
    .all() as Array<StoredFile & { path: string }>) {
    stored.set(row.path, row);
  }

  const batches = new ImportBatches(db, now());
  const plans: FilePlan[] = [];
  let files = 0;
  // One file reached through two of the folders (~/.config/claude a link to ~/.claude) is read once.
  const seen = new Set<string>();
  for (const directory of directories) {
    const walk = transcriptFiles(directory);
    walk.skipped.forEach((skipped) => batches.skip(skipped));
    for (const file of walk.files) {
      if (seen.has(file.id)) continue;
      seen.add(file.id);
      files++;
      try {
        plans.push(...plansFor(file.path, directory.agent, file.size, file.mtimeMs, stored.get(file.path)));
      } catch (error) {
        // Its first bytes could not be read again (gone, or no longer readable): left as it was.
        batches.skip({ path: file.path, reason: failureOf(error) });
      }
    }
  }

  // Files in the order of their paths, each file's segments in order: where two files hold a response with
  // the same figures, the same copy counts every time.
  plans.sort((x, y) => (x.file < y.file ? -1 : x.file > y.file ? 1 : x.segment - y.segment));
  const bytesTotal = plans.reduce((sum, plan) => sum + (plan.until - plan.from), 0);
  let bytesDone = 0;
  // Progress in files, as a person counts them, not in segments.
  const filesTotal = plans.filter((plan) => plan.lastSegment).length;
  const progress = (filesDone: number) => options.onProgress?.({ filesDone, filesTotal, bytesDone, bytesTotal });
  progress(0);

  let readsDone = 0;
  let filesDone = 0;
  await readInOrder(
    plans,
    async (plan, read) => {
      bytesDone += plan.until - plan.from;
      batches.add(read);
      if (plan.lastSegment) filesDone++;
      if (++readsDone % 16 === 0 || plan.until - plan.from >= SEGMENT_BYTES) {
        progress(filesDone);
        // Lets a window's call for the progress be answered between files.
        if (options.yieldBetweenFiles !== false) await new Promise((resolve) => setImmediate(resolve));
      }
    },
    { workerFile: options.readerWorker === false ? undefined : (options.readerWorker ?? readerWorkerFile()) },
  );
  batches.flush();
  progress(filesTotal);
  const { linesRead, malformed, ...counts } = batches.counts;
  return {
    files,
    newFiles: plans.filter((plan) => plan.isNew && plan.segment === 0).length,
    linesRead,
    ...counts,
    malformed,
    sessions: batches.sessions.size,
    durationMs: Math.round(performance.now() - started),
    skipped: batches.skipped,
    skippedFiles: batches.skippedFiles,
  };
}
