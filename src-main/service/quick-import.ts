/**
 * The import alone, on a bare SQLite connection, for `baton import`'s quick start (cli/quick-import.ts).
 * openBaton() loads all of Baton (TypeORM, the contract's schemas, the orchestrator, the price data): most of
 * the time of an import that finds little or nothing new. This opens only what an import touches, with the
 * same code as the service's own import (core/usage/transcript-import.ts), and only where nothing else would
 * have to happen first: it answers undefined, for the caller to open Baton in full, where BATON_ variables
 * other than BATON_DB are set (openBaton validates them all), or the database cannot be opened (the whole
 * command words why). It creates and migrates the database as openBaton would (store-connection.ts).
 */
import { resolveDatabasePath, userDataDir } from '../core/paths';
import { openStoreConnection } from '../core/store/store-connection';
import {
  defaultTranscriptDirectories,
  type ImportOptions,
  importTranscripts,
  type TranscriptDirectory,
} from '../core/usage/transcript-import';
import type { ImportSummary } from '../contract/usage';

export interface QuickImportOptions {
  /** `--db`; else BATON_DB, else the data directory, as openBaton decides it. */
  databaseFile?: string;
  /** The folders named; else the agents' own, from the environment. */
  directories?: readonly TranscriptDirectory[];
  env: NodeJS.ProcessEnv;
  onProgress?: ImportOptions['onProgress'];
}

/** Baton's variables that openBaton reads and checks (core/environment.ts); the quick start reads BATON_DB only. */
const quickOnlyWithout = (name: string) =>
  name.startsWith('BATON_') && name !== 'BATON_DB' && name !== 'BATON_CODE_CACHE';

export async function quickImport(options: QuickImportOptions): Promise<ImportSummary | undefined> {
  const { env } = options;
  if (Object.keys(env).some((name) => quickOnlyWithout(name) && env[name] !== undefined)) return undefined;
  // An empty BATON_DB is an error openBaton words.
  if (env.BATON_DB !== undefined && env.BATON_DB.trim() === '') return undefined;
  const file = resolveDatabasePath({
    explicit: options.databaseFile,
    fromEnvironment: env.BATON_DB?.trim(),
    dataDir: userDataDir(env),
  });
  let db;
  try {
    db = await openStoreConnection(file);
  } catch {
    // Not to be opened, or a newer Baton's: the whole command says why, as for every command.
    return undefined;
  }
  try {
    return await importTranscripts(db, options.directories ?? defaultTranscriptDirectories(env), {
      onProgress: options.onProgress,
      yieldBetweenFiles: false,
    });
  } finally {
    db.close();
  }
}
