import { memo, useLayoutEffect, useRef, useState } from 'react';
import {
  describeAgentStop,
  describeApiRetry,
  describeToolCall,
  formatCost,
  formatDate,
  formatDuration,
  formatTimeOfDay,
  plural,
  WAIT_LABELS,
  type WaitCause,
} from '../contract';
import type { StreamItem } from '../stores/stream';
import { SessionId } from './SessionId';

/** Items rendered at first; the rest (up to the store's cap) behind a button, so a fast stream stays smooth. */
const VISIBLE_ITEMS = 400;
/**
 * Items per block of the list. A block is one element and one memoised component, so a frame of new items
 * renders and lays out the last block, not every item shown; the first shown is a block's first, so the
 * oldest items leave a block at a time rather than one at each new item.
 */
const BLOCK_ITEMS = 50;
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

/** How an attempt Baton then waited after ended: turned away, not failed. */
const TURNED_AWAY: Record<WaitCause, string> = {
  quota: 'The API turned the agent away: the subscription window is spent',
  api: 'The agent gave up on an API that did not answer',
};

const StreamItemView = memo(function StreamItemView({ item, baseDir }: { item: StreamItem; baseDir?: string }) {
  const event = item.event;
  switch (event.kind) {
    case 'text':
      return (
        <div
          className={`stream-item stream-text${event.partial ? ' is-partial' : ''}`}
          data-testid="assistant-text"
          data-partial={event.partial ? 'true' : undefined}
        >
          {clip(event.text)}
        </div>
      );
    case 'tool_use':
      return (
        <div
          className="stream-item stream-tool"
          data-testid="tool-call"
          data-tool-use-id={event.toolUseId}
          data-tool-name={event.name}
        >
          <code className="tool-summary">{describeToolCall(event.name, event.input, baseDir)}</code>
          <details className="tool-details">
            <summary>Input</summary>
            <pre className="tool-input">{formatInput(event.input)}</pre>
          </details>
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
        <div className="stream-item stream-note is-warning" data-testid="stream-retry">
          {describeApiRetry({ ...event, error: clip(event.error, 300) })}
        </div>
      );
    case 'attempt_failed':
      // After a wait, the wait above has said why: this only says where the iteration goes on.
      return event.afterWait ? (
        <div className="stream-item stream-note" data-testid="attempt-failed">
          The iteration goes on in a new session, <SessionId id={event.sessionId} />.
        </div>
      ) : (
        <div className="stream-item stream-note is-warning" data-testid="attempt-failed">
          Attempt {event.attempt} failed: {clip(event.error, 300)}. Baton retries the iteration in a new session,{' '}
          <SessionId id={event.sessionId} />.
        </div>
      );
    case 'wait':
      return (
        <div className="stream-item stream-note is-waiting" data-testid="stream-wait" data-wait={event.for}>
          {WAIT_LABELS[event.for]}: {clip(event.reason, 300)}. Baton tries again at {formatDate(event.until)}.
        </div>
      );
    case 'init':
      return <div className="stream-item stream-note">Session started · {event.model || 'default model'}</div>;
    case 'cut':
      // Baton's own marker: the output it did not store, so a replay never passes for the whole session.
      return (
        <div className="stream-item stream-note is-warning" data-testid="output-cut">
          … output cut: {plural(event.bytesNotStored, 'byte')} not stored
          {event.scope === 'session'
            ? ` (${plural(event.eventsNotStored, 'event')} after this point; the session's stored output reached its limit)`
            : event.eventsNotStored > 0
              ? ' (an event too large to store)'
              : ' (the rest of the event above)'}
        </div>
      );
    case 'result': {
      const r = event.result;
      const blocked = r.permissionDenials ?? 0;
      const tone = event.turnedAway ? ' is-waiting' : r.isError ? ' is-error' : '';
      return (
        <div className={`stream-item stream-note${tone}`} data-testid="stream-result">
          {event.turnedAway ? TURNED_AWAY[event.turnedAway] : `The agent ${describeAgentStop(r)}`} ·{' '}
          {plural(r.turns, 'turn')} · {r.costUsd === null ? 'cost not reported' : formatCost(r.costUsd)} ·{' '}
          {formatDuration(r.durationMs)}
          {blocked > 0 ? ` · ${plural(blocked, 'tool call')} blocked` : ''}
        </div>
      );
    }
  }
});

function TimedItem({ item, baseDir }: { item: StreamItem; baseDir?: string }) {
  return (
    <div className="stream-timed" data-testid="stream-timed">
      <time
        className="stream-time"
        dateTime={Number.isFinite(item.at) ? new Date(item.at!).toISOString() : undefined}
        title={formatDate(item.at)}
      >
        {formatTimeOfDay(item.at)}
      </time>
      <StreamItemView item={item} baseDir={baseDir} />
    </div>
  );
}

interface BlockProps {
  items: readonly StreamItem[];
  baseDir?: string;
  times: boolean;
}

const sameBlock = (a: BlockProps, b: BlockProps) =>
  a.baseDir === b.baseDir &&
  a.times === b.times &&
  a.items.length === b.items.length &&
  a.items.every((item, i) => item === b.items[i]);

const StreamBlock = memo(function StreamBlock({ items, baseDir, times }: BlockProps) {
  return (
    <div className="stream-block">
      {items.map((item) =>
        times ? (
          <TimedItem key={item.seq} item={item} baseDir={baseDir} />
        ) : (
          <StreamItemView key={item.seq} item={item} baseDir={baseDir} />
        ),
      )}
    </div>
  );
}, sameBlock);

/**
 * The items shown, in blocks numbered by their place in the whole stream (dropped items counted), so a block
 * keeps its number and its items while the stream grows and its oldest items are dropped.
 */
export function streamBlocks(
  items: readonly StreamItem[],
  droppedItems: number,
  showAll: boolean,
): { hidden: number; blocks: { key: number; items: StreamItem[] }[] } {
  let from = 0;
  if (!showAll && items.length > VISIBLE_ITEMS) {
    const first = droppedItems + items.length - VISIBLE_ITEMS;
    from = Math.max(droppedItems, first - (first % BLOCK_ITEMS)) - droppedItems;
  }
  const blocks: { key: number; items: StreamItem[] }[] = [];
  for (let i = from; i < items.length;) {
    const key = Math.floor((droppedItems + i) / BLOCK_ITEMS);
    const end = Math.min(items.length, (key + 1) * BLOCK_ITEMS - droppedItems);
    blocks.push({ key, items: items.slice(i, end) });
    i = end;
  }
  return { hidden: from, blocks };
}

/** One session's agent stream: assistant text as it is written, tool calls in words, and tool results. */
export function AgentStream({
  items,
  droppedItems,
  baseDir,
  times = false,
}: {
  items: readonly StreamItem[];
  droppedItems: number;
  /** The task's directory: file paths inside it are shown relative to it. */
  baseDir?: string;
  /** Each item beside the time it came (the replay's list). */
  times?: boolean;
}) {
  const [showAll, setShowAll] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const stuckToBottom = useRef(true);
  const { hidden, blocks } = streamBlocks(items, droppedItems, showAll);

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
        <p className="stream-note">
          {droppedItems === 1 ? '1 earlier item was' : `${plural(droppedItems, 'earlier item')} were`} dropped to save
          memory.
        </p>
      ) : null}
      {hidden > 0 ? (
        <button type="button" className="link-button" onClick={() => setShowAll(true)}>
          Show {plural(hidden, 'earlier item')}
        </button>
      ) : null}
      {items.length === 0 ? <p className="stream-note">No output yet.</p> : null}
      {blocks.map((block) => (
        <StreamBlock key={block.key} items={block.items} baseDir={baseDir} times={times} />
      ))}
    </div>
  );
}
