import { describeApiRetry, describePermissionDenials, permissionDenialHint, type PermissionMode } from '../contract';
import { useNow } from '../hooks/use-now';
import type { WithdrawnLaunch } from '../stores/live-store';
import { pendingApiRetry, type StreamItem } from '../stores/stream';

/** "3 tool calls were blocked by the permission mode", with what to change; nothing when none were. */
export function DenialsNotice({
  count,
  mode,
  detail,
}: {
  count: number;
  mode: PermissionMode | null | undefined;
  /** Where they were, e.g. "2 in iteration 1, 1 in iteration 3". */
  detail?: string;
}) {
  if (count <= 0) return null;
  return (
    <div className="notice notice-warning" data-testid="permission-denials" data-value={count}>
      <strong>{describePermissionDenials(count)}</strong>
      {mode ? <> ({mode})</> : null}
      {detail ? <>: {detail}</> : null}. {permissionDenialHint(mode)}
    </div>
  );
}

/** Events a full disk kept out of the replay: said, so a short replay is not taken for a quiet agent. */
export function UnstoredEventsNotice({
  sessions,
}: {
  sessions: readonly { iteration: number; eventsNotStored?: number }[];
}) {
  const lost = sessions.filter((s) => (s.eventsNotStored ?? 0) > 0);
  if (lost.length === 0) return null;
  const where = lost.map((s) => `${s.eventsNotStored} in iteration ${s.iteration}`).join(', ');
  return (
    <div className="notice notice-warning" data-testid="events-not-stored">
      <strong>Some of the agent's output could not be stored</strong> (the disk was full or the database failed):{' '}
      {where}. The replay lacks them; the tokens and costs are complete.
    </div>
  );
}

/** "2 in iteration 1, 1 in iteration 3": the sessions that had denials. */
export function denialsByIteration(sessions: readonly { iteration: number; permissionDenials: number }[]): string {
  const withDenials = sessions.filter((s) => s.permissionDenials > 0);
  if (withDenials.length < 2) return '';
  return withDenials.map((s) => `${s.permissionDenials} in iteration ${s.iteration}`).join(', ');
}

/** While the agent CLI waits to retry an API call: what failed and when it tries again, counting down. */
export function ApiRetryNotice({ items }: { items: readonly StreamItem[] }) {
  const pending = pendingApiRetry(items);
  const now = useNow(pending !== null);
  if (!pending || pending.event.kind !== 'retry') return null;
  const event = pending.event;
  const waited = pending.at === undefined ? 0 : Math.max(0, now - pending.at);
  return (
    <p className="notice notice-warning" role="status" data-testid="api-retry">
      {describeApiRetry({ ...event, delayMs: Math.max(0, event.delayMs - waited) })}
    </p>
  );
}

/**
 * Launches taken back before their first iteration (the agent refused the model, or the daily budget was
 * spent before their turn): the task was not kept, so this is where the reason stays, with a way back to
 * the form as it was filled.
 */
export function WithdrawnLaunchNotices({
  launches,
  onEdit,
  onDismiss,
}: {
  launches: readonly WithdrawnLaunch[];
  onEdit: (launch: WithdrawnLaunch) => void;
  onDismiss: (taskId: string) => void;
}) {
  if (launches.length === 0) return null;
  return (
    <>
      {launches.map((launch) => (
        <div key={launch.taskId} className="notice notice-warning" role="alert" data-testid="withdrawn-launch">
          <strong>“{launch.title}” was not launched:</strong> {launch.reason.replace(/\.$/, '')}. Nothing of it was
          kept.{' '}
          <button type="button" onClick={() => onEdit(launch)}>
            Edit and launch again
          </button>{' '}
          <button type="button" onClick={() => onDismiss(launch.taskId)}>
            Dismiss
          </button>
        </div>
      ))}
    </>
  );
}
