import type { TaskStatus } from '../../contract/views';

/** How a run of a task ends, as decided by the iteration loop or a policy that stops it. */
export interface TaskEnding {
  status: TaskStatus;
  reason: string;
  /** When a task stopped for a spent window could go on. */
  wakeAt?: number | null;
  /** The launch is taken back rather than ended: see LaunchWithdrawnError. */
  withdraw?: boolean;
}

/** The user's stop, between iterations or during one. */
export const STOPPED_BY_USER: TaskEnding = { status: 'cancelled', reason: 'stopped by the user' };
