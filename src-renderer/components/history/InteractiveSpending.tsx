/**
 * What History says where Baton's tasks spent nothing but the user's own sessions did: the tasks tab counts
 * only Baton's tasks, so it points to All usage, which counts both. And what a first-time user sees, with no
 * task yet.
 */
import { useStore } from 'zustand';
import { useServices } from '../../app/services';
import { formatTokens, type TaskFilter, type UsageTokens } from '../../contract';
import { unknownCostTitle, usageCostText } from '../../cost';
import { interactiveChoice } from '../../hooks/use-history';
import { hrefs } from '../../router';
import { rangeDays, type HistoryStore } from '../../stores/history-store';
import { Empty } from '../StateViews';

/** " between 2026-12-01 and 2026-12-07", " since …", " until …", or nothing for all time. */
export function rangeWords(filter: Pick<TaskFilter, 'from' | 'to'>): string {
  const { first: from, last: to } = rangeDays(filter);
  if (from && to) return from === to ? ` on ${from}` : ` between ${from} and ${to}`;
  if (from) return ` since ${from}`;
  if (to) return ` until ${to}`;
  return '';
}

/** A link to All usage showing the interactive sessions of History's date range. */
function AllUsageLink({ store, children }: { store: HistoryStore; children: string }) {
  const { usage } = useServices();
  return (
    <a
      href={hrefs.usage}
      data-testid="history-to-all-usage"
      onClick={() =>
        usage
          .getState()
          .setFilter({ since: undefined, until: undefined, ...interactiveChoice(store.getState().filter) })
      }
    >
      {children}
    </a>
  );
}

/** "$4.20 over 1,234,567 tokens", with what it leaves out as its hover text. */
function Spent({ totals }: { totals: UsageTokens }) {
  return (
    <strong data-testid="history-interactive-cost" data-value={totals.costUsd} title={unknownCostTitle(totals)}>
      {usageCostText(totals)} over {formatTokens(totals.totalTokens)} tokens
    </strong>
  );
}

/** Baton's tasks spent nothing in the range, the user's own sessions did. */
export function InteractiveOnlyNotice({ store, totals }: { store: HistoryStore; totals: UsageTokens }) {
  const filter = useStore(store, (s) => s.filter);
  return (
    <p className="notice history-interactive" role="note" data-testid="history-interactive-only">
      All the spending{rangeWords(filter)} was in your own interactive sessions, not in Baton’s tasks:{' '}
      <Spent totals={totals} />. <AllUsageLink store={store}>See them in All usage</AllUsageLink>.
    </p>
  );
}

/** No task at all yet: how to start one, and where the user's own sessions are counted meanwhile. */
export function NoTasksYet({ store, interactive }: { store: HistoryStore; interactive: UsageTokens | undefined }) {
  return (
    <div className="history-first-run" data-testid="history-first-run">
      <Empty>
        No tasks yet. Launch one from the <a href={hrefs.live}>Tasks page</a> and it will be listed here, with what it
        cost.
      </Empty>
      {interactive && interactive.totalTokens > 0 ? (
        <InteractiveOnlyNotice store={store} totals={interactive} />
      ) : (
        <p className="muted">
          What your own sessions with the agents cost, outside Baton, is counted in{' '}
          <AllUsageLink store={store}>All usage</AllUsageLink>.
        </p>
      )}
    </div>
  );
}
