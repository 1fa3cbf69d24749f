/**
 * The replay's playback, apart from React: a timeline of a session's stored events, a clock that follows
 * their own times at 1× (driven by an injected `now`, so tests move time themselves), and what shows at a
 * point of it: how many events, how much of a text being written, and the totals so far.
 */
import { type AgentEvent, sumTokens } from '../contract';

export const REPLAY_SPEEDS = [1, 4, 16, 64] as const;
export type ReplaySpeed = (typeof REPLAY_SPEEDS)[number];

/** How far apart events stored without a time (before Baton kept one) are played: 20 a second. */
export const UNTIMED_GAP_MS = 50;

export interface Timeline {
  events: readonly AgentEvent[];
  /** When each event shows whole, in ms after the first event; never decreasing. */
  at: number[];
  /**
   * When each event starts to show: a whole text stored without the deltas that built it is revealed from
   * the event before it to its own time, as it was written; every other event shows at once (`from` = `at`).
   */
  from: number[];
  /** When each event came (epoch ms), where it was stored with its time. */
  wall: Array<number | null>;
  duration: number;
}

export function buildTimeline(events: readonly AgentEvent[], times: ReadonlyArray<number | null> = []): Timeline {
  const first = times.find((t): t is number => t !== null && t !== undefined) ?? 0;
  const at: number[] = [];
  const from: number[] = [];
  const wall: Array<number | null> = [];
  events.forEach((event, i) => {
    const stamp = times[i] ?? null;
    const before = i === 0 ? 0 : at[i - 1]!;
    at.push(stamp === null ? (i === 0 ? 0 : before + UNTIMED_GAP_MS) : Math.max(before, stamp - first));
    wall.push(stamp);
    const written = event.kind === 'text' && i > 0 && events[i - 1]!.kind !== 'text_delta';
    from.push(written ? before : at[i]!);
  });
  return { events, at, from, wall, duration: at.at(-1) ?? 0 };
}

/** Where a replay is: at `t` ms into the timeline as of the wall time `since`, moving at `speed` while it plays. */
export interface Playback {
  t: number;
  since: number;
  playing: boolean;
  speed: ReplaySpeed;
}

/** A replay opens at its end, paused: the whole session is there to read, and Play starts it from the top. */
export const openedAt = (timeline: Timeline): Playback => ({
  t: timeline.duration,
  since: 0,
  playing: false,
  speed: 1,
});

/** Where the replay is at wall time `now`. */
export function clockAt(p: Playback, now: number, timeline: Timeline): number {
  if (!p.playing) return p.t;
  return Math.min(timeline.duration, p.t + Math.max(0, now - p.since) * p.speed);
}

/** What a person skims for. */
export type Landmark = 'tool' | 'error' | 'file';

/** Tools that change files: Claude Code's (Gemini's are named after them) and Codex's patches. */
const FILE_CHANGE_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit', 'ApplyPatch']);

export function isLandmark(event: AgentEvent, landmark: Landmark): boolean {
  switch (landmark) {
    case 'tool':
      return event.kind === 'tool_use';
    case 'file':
      return event.kind === 'tool_use' && FILE_CHANGE_TOOLS.has(event.name);
    case 'error':
      return (
        (event.kind === 'tool_result' && event.isError) ||
        (event.kind === 'result' && event.result.isError) ||
        event.kind === 'retry'
      );
  }
}

/** Events the stream shows nothing for: stepping passes them by. */
const isShown = (event: AgentEvent) => event.kind !== 'usage' && event.kind !== 'rate_limit';

/** The time of the nearest matching event after `t` (by 1) or before it (by -1), or null where there is none. */
export function seekTarget(
  timeline: Timeline,
  t: number,
  by: 1 | -1,
  matches: (event: AgentEvent) => boolean,
): number | null {
  const { events, at } = timeline;
  if (by === 1) {
    for (let i = 0; i < events.length; i++) if (at[i]! > t && matches(events[i]!)) return at[i]!;
  } else {
    for (let i = events.length - 1; i >= 0; i--) if (at[i]! < t && matches(events[i]!)) return at[i]!;
  }
  return null;
}

export type ReplayAction =
  | { type: 'toggle' }
  | { type: 'pause' }
  | { type: 'speed'; speed: ReplaySpeed }
  | { type: 'faster' }
  | { type: 'slower' }
  | { type: 'seek'; t: number }
  | { type: 'step'; by: 1 | -1 }
  | { type: 'jump'; to: Landmark; by: 1 | -1 }
  | { type: 'start' }
  | { type: 'end' };

export function replayReducer(p: Playback, action: ReplayAction, now: number, timeline: Timeline): Playback {
  const t = clockAt(p, now, timeline);
  // Every change starts the clock again from where the replay is now.
  const at = (next: number, playing = p.playing): Playback => ({
    ...p,
    t: Math.min(timeline.duration, Math.max(0, next)),
    since: now,
    playing,
  });
  const speedAt = (index: number): Playback => ({
    ...at(t),
    speed: REPLAY_SPEEDS[Math.min(REPLAY_SPEEDS.length - 1, Math.max(0, index))]!,
  });
  switch (action.type) {
    case 'toggle':
      if (p.playing) return at(t, false);
      // Play at the end starts over.
      return at(t >= timeline.duration ? 0 : t, true);
    case 'pause':
      return at(t, false);
    case 'speed':
      return { ...at(t), speed: action.speed };
    case 'faster':
      return speedAt(REPLAY_SPEEDS.indexOf(p.speed) + 1);
    case 'slower':
      return speedAt(REPLAY_SPEEDS.indexOf(p.speed) - 1);
    case 'seek':
      return at(action.t);
    case 'step': {
      // One event at a time is read paused.
      const target = seekTarget(timeline, t, action.by, isShown);
      return at(target ?? (action.by === 1 ? timeline.duration : 0), false);
    }
    case 'jump': {
      const target = seekTarget(timeline, t, action.by, (e) => isLandmark(e, action.to));
      return target === null ? p : at(target);
    }
    case 'start':
      return at(0);
    case 'end':
      return at(timeline.duration, false);
  }
}

/** A whole text being revealed: its index and how much of it shows. */
export interface Reveal {
  index: number;
  text: string;
}

export interface Frame {
  /** How many events have shown whole. */
  position: number;
  reveal: Reveal | null;
}

export function frameAt(timeline: Timeline, t: number): Frame {
  const { events, at, from } = timeline;
  // The first event not shown yet (`at` never decreases).
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (at[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  const next = events[lo];
  if (next?.kind !== 'text' || from[lo]! >= at[lo]! || t < from[lo]!) return { position: lo, reveal: null };
  let length = Math.floor((next.text.length * (t - from[lo]!)) / (at[lo]! - from[lo]!));
  // Never half a surrogate pair.
  if (length > 0 && /[\uD800-\uDBFF]/.test(next.text.charAt(length - 1))) length--;
  return { position: lo, reveal: length > 0 ? { index: lo, text: next.text.slice(0, length) } : null };
}

export interface Totals {
  tokens: number;
  /** Null while an attempt's spending is not known yet (no estimate at the model's prices). */
  costUsd: number | null;
  turns: number;
}

/**
 * The totals of the first `position` events. Each attempt (from its `init`) counts its last figures: its
 * result's, or its latest running usage before one; a turn is a run of the agent's output between tool results.
 */
export function totalsAt(events: readonly AgentEvent[], position: number): Totals {
  const totals: Totals = { tokens: 0, costUsd: 0, turns: 0 };
  let tokens = 0;
  let cost: number | null = 0;
  let turns = 0;
  let writing = false;
  const close = () => {
    totals.tokens += tokens;
    totals.costUsd = totals.costUsd === null || cost === null ? null : totals.costUsd + cost;
    totals.turns += turns;
    [tokens, cost, turns, writing] = [0, 0, 0, false];
  };
  for (let i = 0; i < position && i < events.length; i++) {
    const event = events[i]!;
    switch (event.kind) {
      case 'init':
        close();
        break;
      case 'usage':
        tokens = sumTokens(event.usage);
        cost = event.estimatedCostUsd ?? null;
        break;
      case 'text':
      case 'text_delta':
      case 'tool_use':
        if (!writing) turns++;
        writing = true;
        break;
      case 'tool_result':
        writing = false;
        break;
      case 'result':
        tokens = sumTokens(event.result.usage);
        cost = event.result.costUsd ?? cost;
        turns = event.result.turns;
        break;
    }
  }
  close();
  return totals;
}
