import { formatCountdown, formatDate, type TaskStatus } from '../contract';
import { useNow, useReached } from '../hooks/use-now';
import { sentence } from '../text';

/**
 * A task holding off for a spent subscription window: why, and a countdown to when it goes on,
 * ticking every second. Not a live region: a countdown read out every second would drown the page.
 */
export function WaitNotice({ reason, wakeAt }: { reason: string | null; wakeAt: number | null }) {
  const now = useNow(wakeAt !== null);
  return (
    <p className="notice notice-waiting" data-testid="wait-notice">
      {reason ? <span data-testid="wait-reason">{sentence(reason)}. </span> : null}
      {wakeAt === null ? (
        'It goes on when the window reopens.'
      ) : wakeAt <= now ? (
        <>Going on now (planned for {formatDate(wakeAt)}).</>
      ) : (
        <>
          Goes on in <span data-testid="wait-countdown">{formatCountdown(wakeAt, now)}</span>, at {formatDate(wakeAt)}.
        </>
      )}
    </p>
  );
}

/**
 * When a stopped or interrupted task's subscription window reopens, or null: the service keeps the
 * time on a task stopped by `onQuota: 'stop'` or interrupted while waiting.
 */
export function reopensAt(task: { status: TaskStatus; wakeAt?: number | null }): number | null {
  if (task.status !== 'interrupted' && task.status !== 'cancelled') return null;
  return task.wakeAt ?? null;
}

/** On a task stopped at (or interrupted during) a spent window: when it reopens, or that it has. */
export function ReopenNotice({
  wakeAt,
  reopened,
  canResume,
}: {
  wakeAt: number;
  reopened: boolean;
  /** Whether Resume is offered (iterations are left): only then is it named. */
  canResume: boolean;
}) {
  const text = reopened
    ? `The window has reopened${canResume ? ': Resume goes on from the next iteration.' : '.'}`
    : `Its subscription window reopens at ${formatDate(wakeAt)}${canResume ? '; Resume after that to go on.' : '.'}`;
  return (
    <p className={reopened ? 'notice notice-ok' : 'notice notice-waiting'} data-testid="reopen-notice">
      {text}
    </p>
  );
}

/** The same, short, for a row of the Recent table. */
export function ReopenHint({ wakeAt }: { wakeAt: number }) {
  const reopened = useReached(wakeAt);
  return (
    <span className="muted reopen-hint" data-testid="reopen-hint">
      {reopened ? ' · window reopened' : ` · window reopens ${formatDate(wakeAt)}`}
    </span>
  );
}
