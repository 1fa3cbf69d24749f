import { describeQuotaWindow, formatDate, formatDay, type QuotaWindowView } from '../contract';
import { useNow } from '../hooks/use-now';

/** "04:14" on the same local day as `now`, else the full "2026-12-03 04:14". */
export function clockTime(epochMs: number, now: number): string {
  const full = formatDate(epochMs);
  return formatDay(new Date(epochMs)) === formatDay(new Date(now)) ? full.slice(11) : full;
}

/** How long ago something was seen: "just now", "3 min ago", "5 h ago", then the date. */
export function seenAgo(epochMs: number, now: number): string {
  const minutes = Math.floor(Math.max(0, now - epochMs) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} h ago`;
  return formatDate(epochMs);
}

/** One window in words: "91% used, resets 04:14", "spent until 04:14", "status known, use not reported". */
export function describeWindowUse(w: QuotaWindowView, now: number): string {
  const at = w.resetsAt === null ? null : clockTime(w.resetsAt, now);
  // A reset that has passed since it was seen: what was seen no longer says how much is used.
  if (w.resetsAt !== null && w.resetsAt <= now) {
    return `${w.status === 'rejected' ? 'was spent until' : 'reset at'} ${at}; newer use not seen yet`;
  }
  if (w.status === 'rejected') return at ? `spent until ${at}` : 'spent, reset time not reported';
  const use = w.utilization === null ? 'status known, use not reported' : `${Math.round(w.utilization * 100)}% used`;
  return at ? `${use}, resets ${at}` : use;
}

/** The subscription windows (5-hour, 7-day, …) as agents last reported them, one small tile each. */
export function QuotaTiles({ windows }: { windows: QuotaWindowView[] | null }) {
  // "seen 3 min ago" and a passed reset change with time; a minute is fine enough for both.
  const now = useNow(windows !== null && windows.length > 0, 60_000);
  // Not known (still loading, or a service without getQuota): nothing rather than a guess.
  if (windows === null) return null;
  if (windows.length === 0) {
    return (
      <p className="muted quota-none" data-testid="quota-none">
        No subscription quota seen yet — it shows when Claude Code runs under a subscription login.
      </p>
    );
  }
  return (
    <section className="quota" aria-labelledby="quota-heading">
      <h3 id="quota-heading" className="visually-hidden">
        Subscription windows
      </h3>
      <ul className="quota-tiles">
        {windows.map((w) => (
          <li
            key={w.name}
            className={`quota-tile quota-${w.status}`}
            data-testid="quota-tile"
            data-window={w.name}
            data-status={w.status}
          >
            <strong>{describeQuotaWindow(w.name)} window:</strong> {describeWindowUse(w, now)}{' '}
            <span className="muted">(seen {seenAgo(w.seenAt, now)})</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
