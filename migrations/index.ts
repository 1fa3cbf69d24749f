/** Every migration, oldest first. A new migration is a new file here and a new entry below. */
import type { MigrationClass } from './migration';
import { InitialSchema1764030000000 } from './1764030000000-initial-schema';
import { SessionOwnerAndTimeIndexes1764030000001 } from './1764030000001-session-owner-and-time-indexes';
import { SessionEvents1764030000002 } from './1764030000002-session-events';
import { TaskOwner1764030000003 } from './1764030000003-task-owner';
import { UsageByTaskDay1764030000004 } from './1764030000004-usage-by-task-day';
import { SessionRetries1764030000005 } from './1764030000005-session-retries';
import { AppSettings1764030000006 } from './1764030000006-app-settings';
import { TaskSpec1764030000007 } from './1764030000007-task-spec';
import { SessionPermissionDenials1764030000008 } from './1764030000008-session-permission-denials';
import { QuotaWindows1764030000009 } from './1764030000009-quota-windows';
import { SessionUsageSoFar1764030000010 } from './1764030000010-session-usage-so-far';
import { IterationOutcomes1764030000011 } from './1764030000011-iteration-outcomes';
import { MoreAgents1764030000012 } from './1764030000012-more-agents';
import { UsageImport1764030000013 } from './1764030000013-usage-import';
import { FinalUsage1764030000014 } from './1764030000014-final-usage';
import { TaskOwnerHost1764030000015 } from './1764030000015-task-owner-host';
import { StoredStatuses1764030000016 } from './1764030000016-stored-statuses';
import { EventLog1764030000017 } from './1764030000017-event-log';
import { SessionEventTimes1764030000018 } from './1764030000018-session-event-times';
import { HistoryRollups1764030000019 } from './1764030000019-history-rollups';
import { WorktreeStateTimes1764030000020 } from './1764030000020-worktree-state-times';

export const MIGRATIONS: MigrationClass[] = [
  InitialSchema1764030000000,
  SessionOwnerAndTimeIndexes1764030000001,
  SessionEvents1764030000002,
  TaskOwner1764030000003,
  UsageByTaskDay1764030000004,
  SessionRetries1764030000005,
  AppSettings1764030000006,
  TaskSpec1764030000007,
  SessionPermissionDenials1764030000008,
  QuotaWindows1764030000009,
  SessionUsageSoFar1764030000010,
  IterationOutcomes1764030000011,
  MoreAgents1764030000012,
  UsageImport1764030000013,
  FinalUsage1764030000014,
  TaskOwnerHost1764030000015,
  StoredStatuses1764030000016,
  EventLog1764030000017,
  SessionEventTimes1764030000018,
  HistoryRollups1764030000019,
  WorktreeStateTimes1764030000020,
];
export type { Migration, MigrationClass, MigrationDb } from './migration';
