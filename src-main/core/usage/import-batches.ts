/**
 * The import's writing side: reads (files, or segments of large files) written in batches, each read's
 * responses in the same transaction as the file's new read position, so a crash loses no more than the batch
 * under way, which the next import reads again.
 *
 * - Compare and set: a read is written only if the file's stored position is still the one it was planned
 *   from (or, for a later segment, where the previous segment ended). Another import (browser mode's poll
 *   beside `baton import`, two windows) that wrote the file meanwhile has counted those lines; writing them
 *   again would move the position backwards and count a keyless line twice. The check runs inside the write
 *   transaction, which holds SQLite's write lock, so two imports cannot both pass it.
 * - A file that cannot be read is passed over whole (its later segments too) and reported.
 * - A batch is bounded in rows, and a large file comes in segments, so no transaction holds the write lock
 *   for long: a launch or a running task never waits out the busy timeout behind an import.
 */
import path from 'node:path';
import type { Statement } from 'better-sqlite3';
import type { ImportSummary } from '../../contract/usage';
import { type Connection, immediateTransaction } from '../store/write-transaction';
import { type FileRead, keylessFrom } from './transcript-files';
import { usageWriter } from './usage-writer';

/** Rows written in one transaction, at most (a read's own are never split). */
const WRITE_BATCH_ROWS = 4000;
/** Skipped files listed in a summary, at most; `skippedFiles` counts them all. */
const SKIPPED_LISTED = 50;

export type Skipped = ImportSummary['skipped'][number];

/** Where a file stands within this import, once its first read is written. */
interface FileState {
  readTo: number;
  lines: number;
  /** Read from its start in this import: its keyless lines are numbered from this import's own, not the store's. */
  fromStart: boolean;
  /** Per keyless line, how often this import has written it for the file so far. */
  keyless: Map<string, number>;
}

export class ImportBatches {
  readonly counts = { messages: 0, corrected: 0, duplicates: 0, malformed: 0, linesRead: 0 };
  readonly sessions = new Set<string>();
  readonly skipped: Skipped[] = [];
  skippedFiles = 0;
  private readonly writer: ReturnType<typeof usageWriter>;
  private readonly saveFile: Statement<unknown[]>;
  private readonly storedReadTo: Statement<unknown[]>;
  private readonly files = new Map<string, FileState>();
  /** Files passed over: unreadable, or taken by another import. */
  private readonly passedOver = new Set<string>();
  private batch: FileRead[] = [];
  private batchRows = 0;

  constructor(
    private readonly db: Connection,
    private readonly importedAt: number,
  ) {
    this.writer = usageWriter(this.db);
    this.saveFile = this.db.prepare(
      `INSERT INTO transcript_files (path, agent, size, mtime_ms, read_to, head, lines, imported_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms,
         read_to = excluded.read_to, head = excluded.head, lines = excluded.lines, imported_at = excluded.imported_at`,
    );
    this.storedReadTo = this.db.prepare(`SELECT read_to AS readTo FROM transcript_files WHERE path = ?`);
  }

  /** Something that could not be read: a file, or a folder of the walk. */
  skip(entry: Skipped): void {
    this.skippedFiles++;
    if (this.skipped.length < SKIPPED_LISTED) this.skipped.push(entry);
  }

  /** Takes a read in the plans' order; writes the batch when it is full. */
  add(read: FileRead): void {
    const { file } = read.plan;
    if (this.passedOver.has(file)) return;
    if (read.failure !== null) {
      this.passedOver.add(file);
      this.skip({ path: file, reason: read.failure });
      return;
    }
    this.counts.linesRead += read.lines;
    this.counts.malformed += read.malformed;
    if (this.batch.length > 0 && this.batchRows + read.finals.size > WRITE_BATCH_ROWS) this.flush();
    this.batch.push(read);
    this.batchRows += read.finals.size;
    // A segment of a large file is written at once, so the file commits as it goes.
    if (read.plan.segment > 0 || !read.plan.lastSegment) this.flush();
  }

  /** Writes what is pending. */
  flush(): void {
    const reads = this.batch;
    this.batch = [];
    this.batchRows = 0;
    if (reads.length > 0) immediateTransaction(this.db, () => reads.forEach((read) => this.write(read)));
  }

  private write(read: FileRead): void {
    const { plan } = read;
    if (this.passedOver.has(plan.file)) return;
    const before = plan.segment === 0 ? undefined : this.files.get(plan.file);
    const expected = plan.segment === 0 ? plan.storedReadTo : (before?.readTo ?? null);
    const stored = (this.storedReadTo.get(plan.file) as { readTo: number } | undefined)?.readTo ?? null;
    if (stored !== expected || (plan.segment > 0 && !before)) {
      // Another import has read this file since it was planned: its lines are counted there.
      this.passedOver.add(plan.file);
      return;
    }
    // A later segment in which no line starts (one line, longer than the segment or still being written, runs
    // through it) holds nothing of its own: its end is inside that line, never a read position.
    const empty = before !== undefined && read.lines === 0;
    if (empty && !plan.lastSegment) return;
    const projectFolder = plan.agent === 'claude' ? claudeProjectFolder(plan.file) : null;
    this.counts.duplicates += read.repeats;
    const fromStart = before ? before.fromStart : plan.from === 0;
    const keyless = before?.keyless ?? new Map<string, number>();
    // A file read from its start numbers its keyless lines from 0 in every segment: what the store holds of
    // it is its earlier version's. An appended read numbers on from the store's count (see keylessFrom).
    const numbered =
      fromStart && plan.segment > 0 ? keylessFrom(read, (line) => keyless.get(line) ?? 0) : keylessFrom(read, this.db);
    for (const [key, entry] of numbered.finals) {
      if (entry.key === null) {
        const line = key.slice(0, key.lastIndexOf('#') + 1);
        keyless.set(line, (keyless.get(line) ?? 0) + 1);
      }
      const sessionId = entry.sessionId ?? (plan.agent === 'claude' ? path.basename(plan.file, '.jsonl') : null);
      const outcome = this.writer.write(key, entry, {
        agent: plan.agent,
        file: plan.file,
        sessionId,
        project: entry.project ?? projectFolder,
      });
      this.counts[outcome]++;
      if (outcome === 'messages' && sessionId) this.sessions.add(sessionId);
    }
    const state: FileState = {
      readTo: empty ? before.readTo : Math.max(read.readTo, before?.readTo ?? 0),
      lines: (before ? before.lines : plan.linesBefore) + read.lines,
      fromStart,
      keyless,
    };
    this.files.set(plan.file, state);
    // Until its last segment is written, a file is stored with its size as far as it was read, so an import
    // after a crash reads on from there.
    const size = plan.lastSegment ? plan.size : state.readTo;
    this.saveFile.run(plan.file, plan.agent, size, plan.mtimeMs, state.readTo, read.head, state.lines, this.importedAt);
  }
}

/** Claude Code's folder for a project (its path with the separators replaced), for lines that name no cwd. */
function claudeProjectFolder(file: string): string | null {
  const parts = file.split(path.sep);
  const at = parts.lastIndexOf('projects');
  return at >= 0 && at + 2 < parts.length ? (parts[at + 1] ?? null) : null;
}
