import { memo, useLayoutEffect, useRef, useState } from 'react';
import { formatCost, formatDuration } from '../contract';
import type { StreamItem } from '../stores/live-store';

/** Items rendered at first; the rest (up to the store's cap) behind a button, so a fast stream stays smooth. */
const VISIBLE_ITEMS = 400;
const MAX_TEXT = 4000;

function clip(text: string, max = MAX_TEXT): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}

function formatInput(input: unknown): string {
  if (typeof input === 'string') return clip(input);
  try {
    return clip(JSON.stringify(input, null, 2) ?? String(input));
  } catch {
    return String(input);
  }
}

const StreamItemView = memo(function StreamItemView({ item }: { item: StreamItem }) {
  const event = item.event;
  switch (event.kind) {
    case 'text':
      return (
        <div className="stream-item stream-text" data-testid="assistant-text">
          {clip(event.text)}
        </div>
      );
    case 'tool_use':
      return (
        <div className="stream-item stream-tool" data-testid="tool-call" data-tool-use-id={event.toolUseId}>
          <span className="tool-name">{event.name}</span>
          <pre className="tool-input">{formatInput(event.input)}</pre>
        </div>
      );
    case 'tool_result':
      return (
        <div
          className={`stream-item stream-result${event.isError ? ' is-error' : ''}`}
          data-testid="tool-result"
          data-tool-use-id={event.toolUseId}
        >
          <span className="tool-name">{event.isError ? 'tool error' : 'tool result'}</span>
          <pre>{clip(event.content)}</pre>
        </div>
      );
    case 'retry':
      return (
        <div className="stream-item stream-note is-warning">
          API error{event.errorStatus !== null ? ` ${event.errorStatus}` : ''}: retry {event.attempt} of{' '}
          {event.maxRetries} in {formatDuration(event.delayMs)} ({clip(event.error, 300)})
        </div>
      );
    case 'init':
      return <div className="stream-item stream-note">Session started · {event.model || 'default model'}</div>;
    case 'result':
      return (
        <div className={`stream-item stream-note${event.result.isError ? ' is-error' : ''}`}>
          Result: {event.result.subtype} · {event.result.turns} turns · {formatCost(event.result.costUsd)} ·{' '}
          {formatDuration(event.result.durationMs)}
        </div>
      );
  }
});

/** One session's agent stream: assistant text, tool calls with their input, and tool results. */
export function AgentStream({ items, droppedItems }: { items: StreamItem[]; droppedItems: number }) {
  const [showAll, setShowAll] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const stuckToBottom = useRef(true);
  const visible = showAll ? items : items.slice(-VISIBLE_ITEMS);
  const hidden = items.length - visible.length;

  // Follow new output while the reader is at the bottom; leave them alone when they scrolled up.
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && stuckToBottom.current) el.scrollTop = el.scrollHeight;
  }, [items]);

  return (
    <div
      className="agent-stream"
      data-testid="agent-stream"
      role="log"
      aria-live="off"
      ref={ref}
      onScroll={(e) => {
        const el = e.currentTarget;
        stuckToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      {droppedItems > 0 ? (
        <p className="stream-note">{droppedItems} earlier items were dropped to save memory.</p>
      ) : null}
      {hidden > 0 ? (
        <button type="button" className="link-button" onClick={() => setShowAll(true)}>
          Show {hidden} earlier items
        </button>
      ) : null}
      {visible.length === 0 ? <p className="stream-note">No output yet.</p> : null}
      {visible.map((item) => (
        <StreamItemView key={item.seq} item={item} />
      ))}
    </div>
  );
}
