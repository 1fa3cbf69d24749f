import { useEffect, useMemo, useRef, useState } from 'react';
import { formatTokens, sumTokens, type AgentEvent } from '../contract';
import { useServices } from '../app/services';
import { useResource } from '../hooks/use-resource';
import type { StreamItem } from '../stores/live-store';
import { AgentStream } from './AgentStream';
import { ErrorState, Loading } from './StateViews';

/** A replay takes about this long whatever its length: long sessions advance in bigger steps. */
const REPLAY_STEPS = 120;
const STEP_MS = 25;

function toItems(events: AgentEvent[]): StreamItem[] {
  const items: StreamItem[] = [];
  events.forEach((event, i) => {
    if (event.kind !== 'usage') items.push({ seq: i, event });
  });
  return items;
}

/** Plays a stored session's events into a panel, as they streamed. Esc closes it. */
export function ReplayPanel({ sessionId, onClose }: { sessionId: string; onClose: () => void }) {
  const { client } = useServices();
  const events = useResource(() => client.getSessionEvents({ sessionId }), sessionId);
  const items = useMemo(() => toItems(events.data?.events ?? []), [events.data]);
  const [shown, setShown] = useState(0);
  const panel = useRef<HTMLElement>(null);

  useEffect(() => {
    setShown(0);
    if (items.length === 0) return;
    const step = Math.max(1, Math.ceil(items.length / REPLAY_STEPS));
    const timer = setInterval(() => {
      setShown((n) => {
        const next = Math.min(items.length, n + step);
        if (next >= items.length) clearInterval(timer);
        return next;
      });
    }, STEP_MS);
    return () => clearInterval(timer);
  }, [items]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    panel.current?.focus();
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);

  // The usage seen up to the replayed point, as the live counters showed it.
  const usage = useMemo(() => {
    const all = events.data?.events ?? [];
    let lastUsage = null as null | Extract<AgentEvent, { kind: 'usage' }>['usage'];
    let counted = 0;
    for (const e of all) {
      if (e.kind !== 'usage' && ++counted > shown) break;
      if (e.kind === 'usage') lastUsage = e.usage;
    }
    return lastUsage;
  }, [events.data, shown]);

  return (
    <aside
      className="replay-panel"
      role="dialog"
      aria-label={`Replay of session ${sessionId}`}
      data-testid="replay-panel"
      tabIndex={-1}
      ref={panel}
    >
      <header className="replay-header">
        <div>
          <strong>Replay</strong> <code className="session-id">{sessionId}</code>
        </div>
        <div className="card-actions">
          {usage ? <span className="muted">{formatTokens(sumTokens(usage))} tokens</span> : null}
          {shown < items.length ? (
            <button type="button" onClick={() => setShown(items.length)}>
              Show all
            </button>
          ) : null}
          <button type="button" onClick={onClose} aria-label="Close replay">
            Close
          </button>
        </div>
      </header>
      {events.status === 'loading' ? <Loading label="Loading the session's events…" /> : null}
      {events.status === 'error' ? <ErrorState message={events.error ?? ''} onRetry={events.reload} /> : null}
      {events.status === 'ready' ? (
        <>
          {events.data?.truncated ? (
            <p className="muted">Only part of this session's events were stored; the replay shows what was kept.</p>
          ) : null}
          {items.length === 0 ? <p className="muted">This session has no stored events.</p> : null}
          <p className="muted" aria-live="polite">
            {shown} of {items.length} events
          </p>
          <AgentStream items={items.slice(0, shown)} droppedItems={0} />
        </>
      ) : null}
    </aside>
  );
}
