/**
 * Baton as one program: the service every front end (the CLI, browser mode,
 * the desktop app's service process) opens with `openBaton`, and the only
 * place the core is put together.
 */
import type { AgentKind } from '../contract/task-spec';
import type { BatonHandlers, BatonMethod, CallOutcome, MethodInput, MethodResult } from '../contract/api';
import type { BatonEvent } from '../contract/events';
import type { TaskSpecInput } from '../contract/task-spec';
import type { TaskSummary } from '../contract/views';
import type { TranscriptDirectory } from '../core/usage/transcript-import';

export type { TranscriptDirectory };

export { LaunchWithdrawnError } from '../core/orchestrator/orchestrator';
export { BatchEntryError } from './launch-batch';

/** What a transport needs of Baton: untrusted calls in, events out, and a stop of everything on quit. */
export interface BatonEndpoint {
  /** Validates the method and its input with the contract, then runs the handler. Never throws. */
  dispatch(method: unknown, input: unknown): Promise<CallOutcome>;
  /** Every event this service publishes, with the seq its windows know it by (see window-feed.ts). */
  subscribe(listener: (event: BatonEvent, seq: number) => void): () => void;
  /** Stops every running task; resolves once their sessions are stored with a final status. */
  stopAll(): Promise<void>;
  /** Stops every running task and closes the database. */
  close(): Promise<void>;
}

export interface BatonService extends BatonEndpoint {
  /** The database this service opened, after --db, BATON_DB and the data directory were weighed. */
  readonly databaseFile: string;
  /** The contract's handlers, grouped by domain; inputs must already be validated. */
  readonly handlers: BatonHandlers;
  /** A typed call through the same validation as `dispatch`; a failure throws a ServiceCallError. */
  call<M extends BatonMethod>(method: M, input: MethodInput<M>): Promise<MethodResult<M>>;
  /**
   * Resolves when a task launched or resumed in this process has run to its end; rejects with a
   * LaunchWithdrawnError when its agent turned the launch away and nothing of it was kept.
   */
  waitForTask(taskId: string): Promise<TaskSummary>;
  /**
   * Launches every task of a batch, or none: each is checked before the first is made, and none starts
   * before the last is made. A refusal rejects with a BatchEntryError naming the entry.
   */
  launchBatch(specs: readonly TaskSpecInput[]): Promise<TaskSummary[]>;
  /** The port `baton serve` last served this database on (null when never, or an in-memory database). */
  browserPort: {
    remembered(): Promise<number | null>;
    remember(port: number): Promise<void>;
  };
}

export interface OpenBatonOptions {
  mode: 'desktop' | 'browser' | 'cli';
  /** `--db`: wins over BATON_DB and the data directory. */
  databaseFile?: string;
  /** Where the database lives when neither --db nor BATON_DB says: the desktop app passes Electron's userData. */
  dataDir?: string;
  /** The environment, read and validated once here; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Find these agents' binaries before the database opens, so a command that runs them fails early and writes nothing. */
  requireAgents?: readonly AgentKind[];
  /** How many tasks run at once; the settings' maxConcurrentTasks when absent. */
  concurrency?: number;
  /** The agents' transcript folders; by default CLAUDE_CONFIG_DIR (or ~/.claude) and CODEX_HOME (or ~/.codex). */
  transcriptDirectories?: readonly TranscriptDirectory[];
  /** Import the transcripts on open and then watch them; on by default except in the CLI. */
  watchTranscripts?: boolean;
  /** A native directory picker; the desktop app passes one that asks Electron's dialog. */
  pickDirectory?: () => Promise<string | null>;
  /** better_sqlite3.node built for the running runtime (Electron's ABI differs from Node's). */
  nativeBinding?: string;
  /** The claude binary; found through BATON_CLAUDE_BIN, PATH and node_modules when absent. */
  claudeBinary?: string;
  /**
   * Republish the runs other processes own on this database on this
   * service's events, for a live view of every run. On by default, except in
   * the CLI, which shows only its own runs.
   */
  followOtherProcesses?: boolean;
  /** How often the database is polled for other processes' runs, in milliseconds (default 500). */
  followIntervalMs?: number;
}
