/**
 * The imports of one Baton process: one at a time (a second call waits for the one running and then
 * runs, so what it returns covers what was there when it was asked), their progress for a window's
 * progress bar, and, in the desktop app and browser mode, a watch that imports what is new every few
 * seconds. A poll of sizes and times rather than fs.watch: the transcript folders hold hundreds of files
 * in nested folders, which fs.watch does not follow everywhere, and a poll that finds nothing changed
 * opens no file.
 */
import type { DataSource } from 'typeorm';
import type { ImportProgress, ImportSummary } from '../../contract/usage';
import { connectionOf } from '../store/write-transaction';
import { importTranscripts, type TranscriptDirectory } from './transcript-import';

export const WATCH_INTERVAL_MS = 5000;

export class TranscriptImports {
  private progressNow: ImportProgress = {
    state: 'idle',
    filesDone: 0,
    filesTotal: 0,
    bytesDone: 0,
    bytesTotal: 0,
    error: null,
    last: null,
  };
  private running: Promise<ImportSummary> | undefined;
  private readonly storedListeners = new Set<(summary: ImportSummary) => void>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    readonly directories: readonly TranscriptDirectory[],
    private readonly log: (message: string) => void = (message) => console.error(message),
  ) {}

  /**
   * Calls `listener` after each import that stored new responses or corrected ones counted before (an import
   * that found nothing new calls nothing), so the views of all usage can reload. Returns the unsubscribe.
   */
  onStored(listener: (summary: ImportSummary) => void): () => void {
    this.storedListeners.add(listener);
    return () => this.storedListeners.delete(listener);
  }

  progress(): ImportProgress {
    return { ...this.progressNow };
  }

  /** Imports what is new; waits for an import already running first. */
  async run(): Promise<ImportSummary> {
    while (this.running) await this.running.catch(() => undefined);
    const run = this.importOnce();
    this.running = run;
    try {
      return await run;
    } finally {
      if (this.running === run) this.running = undefined;
    }
  }

  private async importOnce(): Promise<ImportSummary> {
    this.progressNow = {
      ...this.progressNow,
      state: 'importing',
      filesDone: 0,
      filesTotal: 0,
      bytesDone: 0,
      bytesTotal: 0,
      error: null,
    };
    try {
      const summary = await importTranscripts(connectionOf(this.dataSource), this.directories, {
        onProgress: (step) => {
          this.progressNow = { ...this.progressNow, ...step };
        },
      });
      this.progressNow = { ...this.progressNow, state: 'done', last: summary };
      if (summary.messages > 0 || summary.corrected > 0) this.tellStored(summary);
      return summary;
    } catch (error) {
      this.progressNow = { ...this.progressNow, state: 'failed', error: (error as Error).message };
      throw error;
    }
  }

  private tellStored(summary: ImportSummary): void {
    for (const listener of this.storedListeners) {
      // A listener's failure (a closed window) is not the import's.
      try {
        listener(summary);
      } catch (error) {
        this.log(`baton: a listener of the transcript import failed: ${(error as Error).message}`);
      }
    }
  }

  /** Imports now, then every `intervalMs`, until stop(). A failed import is logged and tried again later. */
  watch(intervalMs = WATCH_INTERVAL_MS): void {
    const tick = async () => {
      if (this.stopped) return;
      try {
        await this.run();
      } catch (error) {
        this.log(`baton: could not import the agents' transcripts: ${(error as Error).message}`);
      }
      if (!this.stopped) this.timer = setTimeout(() => void tick(), intervalMs);
    };
    void tick();
  }

  /** Stops the watch and waits for an import under way, so the database can close after it. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }
}
