/** What the handlers of every domain share: the opened core and the service's own parts. */
import type { AgentKind } from '../contract/task-spec';
import type { BatonCore } from '../core/baton-core';
import type { EventRecorder } from '../core/store/event-recorder';
import type { HistoryQueries } from '../core/store/history-queries';
import type { LiveQueries } from '../core/store/live-queries';
import type { TranscriptImports } from '../core/usage/transcript-imports';
import type { UsageReports } from '../core/usage/usage-reports';
import type { OpenBatonOptions } from './baton-service';
import type { LogTail } from './log-tail';
import type { RunRegistry } from './run-registry';
import type { WindowFeed } from './window-feed';

export interface ServiceContext {
  core: BatonCore;
  recorder: EventRecorder;
  history: HistoryQueries;
  usage: UsageReports;
  /** The agents' transcripts read into the store: on demand, and watched in the desktop app and browser mode. */
  imports: TranscriptImports;
  runs: RunRegistry;
  live: LiveQueries;
  /** The event log's tail: other processes' runs, and requests meant for this one. */
  tail: LogTail;
  /** The numbered events this service delivers to its windows. */
  feed: WindowFeed;
  options: OpenBatonOptions;
  databaseFile: string;
  version: string;
  /** Throws a CallFailure('unavailable') with the install hint when the agent's binary cannot be found. */
  ensureAgent(agent: AgentKind): void;
}
