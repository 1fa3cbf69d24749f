/**
 * How agent events become the items of a stream view, shared by the live
 * store and the replay: text deltas grow one text block until the whole
 * `text` event replaces it, and usage events are counters, not items.
 */
import type { AgentEvent, WaitCause } from '../contract';

/** A text block: `partial` while it is still being generated from `text_delta` pieces. */
export interface StreamText {
  kind: 'text';
  text: string;
  partial?: boolean;
}

/** Baton retried the iteration under a new session id (shown where the failed attempt's stream ends). */
export interface StreamAttemptFailed {
  kind: 'attempt_failed';
  attempt: number;
  error: string;
  sessionId: string;
  /** The attempt was turned away and the iteration waited (the wait is the item before): no failure to report. */
  afterWait?: boolean;
}

/** An agent's result; `turnedAway` when Baton's wait that followed says why it ended: a wait, not a failure. */
export type StreamResult = Extract<AgentEvent, { kind: 'result' }> & { turnedAway?: WaitCause };

export type StreamEvent =
  | Exclude<AgentEvent, { kind: 'usage' | 'text_delta' | 'text' | 'result' }>
  | StreamText
  | StreamResult
  | StreamAttemptFailed;

export interface StreamItem {
  /** Unique within the store; the React key. */
  seq: number;
  event: StreamEvent;
  /** When the item arrived (epoch ms), so a retry can count down its wait. */
  at?: number;
}

/** Stream items kept per session; older ones are dropped so a long, fast stream stays cheap to render. */
export const MAX_STREAM_ITEMS = 2000;

/** The part of a session that holds its stream. The caller hands over `items` it may write (a copy it owns). */
export interface StreamState {
  items: StreamItem[];
  droppedItems: number;
  /** The seq of the text block being generated, while deltas come. */
  openText: number | null;
}

function findItem(items: StreamItem[], seq: number): number {
  // The open block is nearly always the last item; look from the end.
  for (let i = items.length - 1; i >= 0; i--) if (items[i]!.seq === seq) return i;
  return -1;
}

function push(state: StreamState, item: StreamItem, max: number): void {
  state.items.push(item);
  if (state.items.length > max) {
    const excess = state.items.length - max;
    state.items.splice(0, excess);
    state.droppedItems += excess;
  }
}

/**
 * Adds one agent event to a stream. Returns false for events that are no
 * stream item (usage). Items are replaced, never changed in place, so
 * memoised item views see each change.
 */
export function addStreamEvent(
  state: StreamState,
  event: AgentEvent | StreamAttemptFailed,
  nextSeq: () => number,
  at: number = Date.now(),
  max: number = MAX_STREAM_ITEMS,
): boolean {
  switch (event.kind) {
    case 'usage':
      return false;
    case 'text_delta': {
      if (event.text === '') return true;
      const last = state.items[state.items.length - 1];
      if (state.openText !== null && last && last.seq === state.openText && last.event.kind === 'text') {
        state.items[state.items.length - 1] = {
          ...last,
          event: { kind: 'text', text: last.event.text + event.text, partial: true },
        };
        return true;
      }
      const seq = nextSeq();
      state.openText = seq;
      push(state, { seq, at, event: { kind: 'text', text: event.text, partial: true } }, max);
      return true;
    }
    case 'text': {
      const open = state.openText === null ? -1 : findItem(state.items, state.openText);
      state.openText = null;
      if (open >= 0) {
        // The whole text replaces what its deltas built, in place.
        state.items[open] = { ...state.items[open]!, event: { kind: 'text', text: event.text } };
        return true;
      }
      push(state, { seq: nextSeq(), at, event: { kind: 'text', text: event.text } }, max);
      return true;
    }
    case 'result':
      state.openText = null;
      push(state, { seq: nextSeq(), at, event }, max);
      return true;
    case 'attempt_failed':
      state.openText = null;
      push(state, { seq: nextSeq(), at, event: { ...event, afterWait: lastIsWait(state.items) } }, max);
      return true;
    case 'wait':
      turnAway(state.items, event.for);
      push(state, { seq: nextSeq(), at, event }, max);
      return true;
    case 'retry': {
      // The agent retrying the same failure again takes the place of its last try: "retry 5 of 5" says how many
      // came before, and an unreachable API would otherwise fill the view with the one line.
      const last = state.items[state.items.length - 1];
      if (
        last?.event.kind === 'retry' &&
        last.event.error === event.error &&
        last.event.errorStatus === event.errorStatus
      ) {
        state.items[state.items.length - 1] = { ...last, at, event };
        return true;
      }
      push(state, { seq: nextSeq(), at, event }, max);
      return true;
    }
    default:
      push(state, { seq: nextSeq(), at, event }, max);
      return true;
  }
}

/** The items of a whole recorded stream (the replay's, up to a point). */
export function buildStream(events: readonly AgentEvent[]): StreamItem[] {
  const state: StreamState = { items: [], droppedItems: 0, openText: null };
  let seq = 0;
  for (const event of events) addStreamEvent(state, event, () => ++seq, 0, Number.POSITIVE_INFINITY);
  return state.items;
}

/** Whether the stream ends with Baton's wait: the attempt before it was turned away, not failed. */
export const lastIsWait = (items: readonly StreamItem[]): boolean => items[items.length - 1]?.event.kind === 'wait';

/** The attempt's error result, the last item before Baton's wait, reads as turned away (replaced, not changed). */
function turnAway(items: StreamItem[], cause: WaitCause): void {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]!;
    if (item.event.kind === 'init' || item.event.kind === 'attempt_failed') return;
    if (item.event.kind !== 'result') continue;
    if (item.event.result.isError) items[i] = { ...item, event: { ...item.event, turnedAway: cause } };
    return;
  }
}

/**
 * What a running session waits for, as its stream says: Baton's wait (the last item), or the agent's own
 * retry of an API call (the API has not answered since). Null when neither is the last item.
 */
export function pendingWait(items: readonly StreamItem[]): WaitCause | null {
  const last = items[items.length - 1]?.event;
  if (last?.kind === 'wait') return last.for;
  return last?.kind === 'retry' ? 'api' : null;
}

/** The API retry the session is waiting on: the last item, while it is a retry. */
export function pendingApiRetry(items: readonly StreamItem[]): StreamItem | null {
  const last = items[items.length - 1];
  return last && last.event.kind === 'retry' ? last : null;
}
