import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AgentEvent } from '../contract';
import {
  clockAt,
  type Frame,
  frameAt,
  openedAt,
  type Playback,
  type ReplayAction,
  replayReducer,
  type Timeline,
} from '../stores/replay-model';
import { addStreamEvent, type StreamItem, type StreamState } from '../stores/stream';
import { useNow } from './use-now';

/** How often a playing replay redraws: often enough for a text to be seen being written. */
const TICK_MS = 50;

interface Built {
  events: readonly AgentEvent[];
  position: number;
  seq: number;
  state: StreamState;
}

const fresh = (events: readonly AgentEvent[]): Built => ({
  events,
  position: 0,
  seq: 0,
  state: { items: [], droppedItems: 0, openText: null },
});

/**
 * The stream items of a frame: its first `position` events, each at the time it came, and the part of a
 * text being revealed. Built on from the last answer when playing forward (items that did not change keep
 * their identity, so only new ones render) and from the start after a jump back.
 */
export function useReplayItems(timeline: Timeline, frame: Frame): StreamItem[] {
  const { events, wall } = timeline;
  const { position } = frame;
  // Apart, so the items are rebuilt only when what shows changed, not at every tick.
  const revealIndex = frame.reveal?.index ?? -1;
  const revealText = frame.reveal?.text ?? '';
  const built = useRef<Built>(fresh(events));
  return useMemo(() => {
    let b = built.current;
    if (b.events !== events || position < b.position) b = fresh(events);
    for (let i = b.position; i < position && i < events.length; i++) {
      // A quota report shows nothing in the stream: it would be a time beside nothing.
      if (events[i]!.kind === 'rate_limit') continue;
      addStreamEvent(b.state, events[i]!, () => ++b.seq, wall[i] ?? Number.NaN, Number.POSITIVE_INFINITY);
    }
    b.position = Math.max(b.position, Math.min(position, events.length));
    built.current = b;
    if (revealIndex < 0) return [...b.state.items];
    // Seq 0 is never a built item's; the text being written starts when the event before it came.
    const writing: StreamItem = {
      seq: 0,
      at: wall[revealIndex - 1] ?? Number.NaN,
      event: { kind: 'text', text: revealText, partial: true },
    };
    return [...b.state.items, writing];
  }, [events, wall, position, revealIndex, revealText]);
}

export interface Replay {
  playback: Playback;
  /** Where the replay is, in ms after the first event. */
  t: number;
  frame: Frame;
  items: StreamItem[];
  dispatch: (action: ReplayAction) => void;
}

/** A replay of `timeline` on the wall clock: it opens at its end, and a new timeline opens at its end again. */
export function useReplay(timeline: Timeline): Replay {
  const [playback, setPlayback] = useState(() => openedAt(timeline));
  useEffect(() => setPlayback(openedAt(timeline)), [timeline]);
  const now = useNow(playback.playing, TICK_MS);
  const t = clockAt(playback, now, timeline);
  const dispatch = useCallback(
    (action: ReplayAction) => setPlayback((p) => replayReducer(p, action, Date.now(), timeline)),
    [timeline],
  );
  const ended = playback.playing && t >= timeline.duration;
  useEffect(() => {
    if (ended) dispatch({ type: 'pause' });
  }, [ended, dispatch]);
  const frame = frameAt(timeline, t);
  const items = useReplayItems(timeline, frame);
  return { playback, t, frame, items, dispatch };
}
