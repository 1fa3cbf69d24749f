/** History's filters: search, project, agent, status, the date range and the sort. */
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { AGENT_LABELS, isAgentKind } from '../../agents';
import {
  addDays,
  AGENT_KINDS,
  parseDay,
  statusLabel,
  TASK_SORT_KEYS,
  TASK_STATUSES,
  type TaskSortKey,
  type TaskStatus,
} from '../../contract';
import { useProjects } from '../../hooks/use-history';
import { DateRangeFields } from '../DateRangeFields';
import { filterError, rangeDays, type HistoryStore } from '../../stores/history-store';

/** A label for each of the contract's sort keys; a new key without one is a type error. */
const SORT_LABELS: Record<TaskSortKey, string> = {
  createdAt: 'Created',
  costUsd: 'Cost',
  totalTokens: 'Tokens',
  iterations: 'Iterations',
  durationMs: 'Duration',
};

/** How long the search waits after the last keystroke before it asks. */
export const SEARCH_DELAY_MS = 250;

export function HistoryFilters({ store }: { store: HistoryStore }) {
  const filter = useStore(store, (s) => s.filter);
  const projects = useProjects();
  const sort = useStore(store, (s) => s.sort);
  const setFilter = useStore(store, (s) => s.setFilter);
  const setSort = useStore(store, (s) => s.setSort);
  const [search, setSearch] = useState(filter.search ?? '');
  const rangeError = filterError(filter);

  // The search is sent once typing pauses, not on every keystroke.
  useEffect(() => {
    const wanted = search.trim() || undefined;
    if (wanted === (store.getState().filter.search || undefined)) return;
    const timer = setTimeout(() => setFilter({ search: wanted }), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [search, setFilter, store]);

  // The date inputs name the first and the last day included.
  const { first: fromValue = '', last: toValue = '' } = rangeDays(filter);

  return (
    <div className="filters history-filters" role="search" aria-label="Filter tasks">
      <div className="field field-search">
        <label htmlFor="history-search">Search</label>
        <input
          id="history-search"
          type="search"
          placeholder="Title or prompt"
          value={search}
          maxLength={200}
          onChange={(e) => setSearch(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="history-project">Project</label>
        <select
          id="history-project"
          value={filter.projectId ?? ''}
          onChange={(e) => setFilter({ projectId: e.target.value || undefined })}
        >
          <option value="">All projects</option>
          {projects.map((p) => (
            <option key={p.id} value={p.id} title={p.workingDir}>
              {p.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="history-agent">Agent</label>
        <select
          id="history-agent"
          value={filter.agent ?? ''}
          onChange={(e) => setFilter({ agent: isAgentKind(e.target.value) ? e.target.value : undefined })}
        >
          <option value="">All agents</option>
          {AGENT_KINDS.map((agent) => (
            <option key={agent} value={agent}>
              {AGENT_LABELS[agent]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="history-status">Status</label>
        <select
          id="history-status"
          value={filter.status ?? ''}
          onChange={(e) => setFilter({ status: (e.target.value || undefined) as TaskStatus | undefined })}
        >
          <option value="">Any status</option>
          {TASK_STATUSES.map((s) => (
            <option key={s} value={s}>
              {statusLabel(s)}
            </option>
          ))}
        </select>
      </div>
      <DateRangeFields
        ids={{ from: 'history-from', to: 'history-to', error: 'history-range-error' }}
        from={fromValue}
        to={toValue}
        error={rangeError}
        onFrom={(value) => setFilter({ from: parseDay(value) ?? undefined })}
        onTo={(value) => {
          const day = parseDay(value);
          // The contract's "to" is exclusive: the next local midnight includes the chosen day.
          setFilter({ to: day === null ? undefined : addDays(day, 1) });
        }}
      />
      <div className="field">
        <label htmlFor="history-sort">Sort by</label>
        <div className="input-row">
          <select
            id="history-sort"
            value={sort.by}
            onChange={(e) => setSort(e.target.value as TaskSortKey, sort.direction)}
          >
            {TASK_SORT_KEYS.map((key) => (
              <option key={key} value={key}>
                {SORT_LABELS[key]}
              </option>
            ))}
          </select>
          <button
            type="button"
            aria-label={
              sort.direction === 'desc' ? 'Descending; switch to ascending' : 'Ascending; switch to descending'
            }
            onClick={() => setSort(sort.by, sort.direction === 'desc' ? 'asc' : 'desc')}
          >
            {sort.direction === 'desc' ? '↓' : '↑'}
          </button>
        </div>
      </div>
    </div>
  );
}
