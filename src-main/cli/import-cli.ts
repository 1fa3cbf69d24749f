/**
 * What `baton import` reads from its flags and prints, whichever way it runs (the full command in
 * usage-commands.ts, or its quick start in quick-import.ts): the folders named, the summary line, the
 * skipped files on stderr, the JSON, and the progress. No imports but types and number formatting, so the
 * quick start stays small.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { formatDuration, formatInteger, plural } from '../contract/format-numbers';
import type { ImportProgress, ImportSummary } from '../contract/usage';
import type { TranscriptDirectory } from '../service/baton-service';
import { CliError, EXIT_BAD_INPUT, out } from './cli-error';

export interface ImportOptions {
  claudeDir?: string[];
  codexDir?: string[];
  json?: boolean;
  db?: string;
}

/** A folder named on the command line must be there: a typo would otherwise import nothing, silently. */
function existingDirectory(flag: string, dir: string): string {
  const resolved = path.resolve(dir);
  if (!existsSync(resolved) || !statSync(resolved).isDirectory()) {
    throw new CliError(`${flag} ${dir}: no such directory`, EXIT_BAD_INPUT);
  }
  return resolved;
}

/** The folders named by --claude-dir and --codex-dir, or undefined for the agents' own. */
export function namedDirectories(options: ImportOptions): TranscriptDirectory[] | undefined {
  const named = [
    ...(options.claudeDir ?? []).map((dir) => ({
      agent: 'claude' as const,
      path: existingDirectory('--claude-dir', dir),
    })),
    ...(options.codexDir ?? []).map((dir) => ({
      agent: 'codex' as const,
      path: existingDirectory('--codex-dir', dir),
    })),
  ];
  return named.length > 0 ? named : undefined;
}

export function printImportSummary(summary: ImportSummary, json: boolean): void {
  out(
    `read ${plural(summary.linesRead, 'line')} from ${plural(summary.files, 'file')} (${formatInteger(summary.newFiles)} new): ${plural(summary.messages, 'new response')} in ${plural(summary.sessions, 'session')}, ${formatInteger(summary.corrected)} corrected to their final line, ${formatInteger(summary.duplicates)} already counted, ${plural(summary.malformed, 'malformed line')} skipped, in ${formatDuration(summary.durationMs)}`,
  );
  // Every other file was imported; what could not be read is said, on stderr, so a pipe reads the result alone.
  if (summary.skippedFiles > 0) {
    process.stderr.write(
      `skipped ${plural(summary.skippedFiles, 'file or folder', 'files or folders')} that could not be read:\n`,
    );
    for (const entry of summary.skipped) process.stderr.write(`  ${entry.path}: ${entry.reason}\n`);
    const unlisted = summary.skippedFiles - summary.skipped.length;
    if (unlisted > 0) process.stderr.write(`  and ${formatInteger(unlisted)} more\n`);
  }
  if (json) out(JSON.stringify(summary));
}

const megabytes = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;

/** On a terminal the import says how far it is; piped, or with --json, it prints only its result. */
export function showsProgress(json: boolean | undefined): boolean {
  return process.stderr.isTTY === true && !json;
}

export function printImportProgress(
  progress: Pick<ImportProgress, 'filesDone' | 'filesTotal' | 'bytesDone' | 'bytesTotal'>,
): void {
  if (progress.filesTotal === 0) return;
  process.stderr.write(
    `\r\u001b[Kimporting: ${progress.filesDone}/${progress.filesTotal} files, ${megabytes(progress.bytesDone)} of ${megabytes(progress.bytesTotal)}`,
  );
}

/** Clears the progress line before the result is printed. */
export function clearImportProgress(): void {
  process.stderr.write('\r\u001b[K');
}
