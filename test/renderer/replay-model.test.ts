/** The replay's playback model, on an injected clock: real time at 1×, speeds, stepping, skims, totals, reveals. */
import { describe, expect, it } from 'vitest';
import {
  buildTimeline,
  clockAt,
  frameAt,
  openedAt,
  type Playback,
  type ReplayAction,
  replayReducer,
  type Timeline,
  totalsAt,
  UNTIMED_GAP_MS,
} from '../../src-renderer/stores/replay-model';
import { init, SESSION, SESSION_EVENTS, SESSION_TIMES, T0, toolResult, toolUse, usage } from './replay-fixture';

const timeline = buildTimeline(SESSION_EVENTS, SESSION_TIMES);

function run(actions: Array<ReplayAction | number>, start: Playback = openedAt(timeline), tl: Timeline = timeline) {
  // A number moves the injected clock on by that many ms; an action is dispatched at the current time.
  let now = 5_000_000;
  let p = start;
  for (const step of actions) {
    if (typeof step === 'number') now += step;
    else p = replayReducer(p, step, now, tl);
  }
  return { p, now, t: clockAt(p, now, tl) };
}

describe('the replay clock', () => {
  it('opens at the end, paused, and Play starts from the beginning', () => {
    const opened = openedAt(timeline);
    expect(opened).toMatchObject({ t: 31_000, playing: false, speed: 1 });
    expect(frameAt(timeline, opened.t).position).toBe(SESSION.length);
    const { p, t } = run([{ type: 'toggle' }]);
    expect(p.playing).toBe(true);
    expect(t).toBe(0);
    expect(frameAt(timeline, t).position).toBe(1);
  });

  it('follows the events’ own times at 1×', () => {
    const after = (ms: number) => frameAt(timeline, run([{ type: 'toggle' }, ms]).t).position;
    expect(after(999)).toBe(1);
    expect(after(1000)).toBe(2);
    expect(after(9_999)).toBe(5);
    expect(after(10_000)).toBe(6);
    expect(run([{ type: 'toggle' }, 12_345]).t).toBe(12_345);
  });

  it('scales time by the speed, from where the replay is when the speed changes', () => {
    expect(run([{ type: 'toggle' }, { type: 'speed', speed: 4 }, 2_000]).t).toBe(8_000);
    const { t, p } = run([{ type: 'toggle' }, 1_000, { type: 'speed', speed: 16 }, 1_000]);
    expect(t).toBe(17_000);
    expect(p.speed).toBe(16);
    expect(run([{ type: 'faster' }, { type: 'faster' }]).p.speed).toBe(16);
    expect(run([{ type: 'faster' }, { type: 'slower' }, { type: 'slower' }]).p.speed).toBe(1);
    expect(run([{ type: 'speed', speed: 64 }, { type: 'faster' }]).p.speed).toBe(64);
  });

  it('stops at the end of the session, and pauses where it is', () => {
    expect(run([{ type: 'toggle' }, 60_000]).t).toBe(31_000);
    const paused = run([{ type: 'toggle' }, 3_000, { type: 'toggle' }, 10_000]);
    expect(paused.p.playing).toBe(false);
    expect(paused.t).toBe(3_000);
  });

  it('steps one shown event at a time, past usage, and pauses', () => {
    const atStart = run([{ type: 'toggle' }, { type: 'pause' }]).p;
    const forward = run([{ type: 'step', by: 1 }], { ...atStart, playing: true });
    // The usage event at 1 s shows nothing in the stream: the step lands on the tool call at 2 s.
    expect(forward.t).toBe(2_000);
    expect(forward.p.playing).toBe(false);
    expect(
      run(
        [
          { type: 'step', by: 1 },
          { type: 'step', by: 1 },
        ],
        atStart,
      ).t,
    ).toBe(3_000);
    expect(run([{ type: 'step', by: -1 }]).t).toBe(30_000);
    expect(
      run([
        { type: 'seek', t: 10_500 },
        { type: 'step', by: -1 },
      ]).t,
    ).toBe(10_000);
    expect(run([{ type: 'step', by: -1 }], atStart).t).toBe(0);
  });

  it('skims to the next and previous tool call, error and file change, and keeps playing', () => {
    const from = (t: number, action: ReplayAction) => run([{ type: 'seek', t }, action]).t;
    expect(from(0, { type: 'jump', to: 'tool', by: 1 })).toBe(2_000);
    expect(from(2_000, { type: 'jump', to: 'tool', by: 1 })).toBe(11_000);
    expect(from(11_000, { type: 'jump', to: 'tool', by: -1 })).toBe(2_000);
    expect(from(0, { type: 'jump', to: 'file', by: 1 })).toBe(11_000);
    expect(from(0, { type: 'jump', to: 'error', by: 1 })).toBe(12_000);
    // No error after it: the replay stays where it is.
    expect(from(13_000, { type: 'jump', to: 'error', by: 1 })).toBe(13_000);
    const playing = run([{ type: 'toggle' }, { type: 'jump', to: 'file', by: 1 }, 500]);
    expect(playing.p.playing).toBe(true);
    expect(playing.t).toBe(11_500);
  });
});

describe('what a point of the replay shows', () => {
  it('reveals a whole text over the time it was written, from the event before it', () => {
    const text = 'Now I edit the file.';
    expect(frameAt(timeline, 4_000).reveal).toBeNull();
    expect(frameAt(timeline, 7_000)).toEqual({ position: 5, reveal: { index: 5, text: text.slice(0, 10) } });
    expect(frameAt(timeline, 9_999).reveal?.text).toBe(text.slice(0, 19));
    expect(frameAt(timeline, 10_000)).toEqual({ position: 6, reveal: null });
  });

  it('shows stored text deltas as they came, with no reveal of the whole text they built', () => {
    const streamed = buildTimeline(
      [init, { kind: 'text_delta', text: 'Hel' }, { kind: 'text_delta', text: 'lo' }, { kind: 'text', text: 'Hello' }],
      [T0, T0 + 1000, T0 + 2000, T0 + 2100],
    );
    expect(frameAt(streamed, 1_500)).toEqual({ position: 2, reveal: null });
    expect(frameAt(streamed, 2_050)).toEqual({ position: 3, reveal: null });
  });

  it('spaces events stored without a time evenly', () => {
    const untimed = buildTimeline([init, toolUse('Read', 'r'), toolResult('r')]);
    expect(untimed.at).toEqual([0, UNTIMED_GAP_MS, 2 * UNTIMED_GAP_MS]);
    expect(untimed.wall).toEqual([null, null, null]);
  });

  it('gives the totals of the events up to the scrubber', () => {
    expect(totalsAt(timeline.events, 1)).toEqual({ tokens: 0, costUsd: 0, turns: 0 });
    expect(totalsAt(timeline.events, 3)).toEqual({ tokens: 100, costUsd: 0.01, turns: 1 });
    expect(totalsAt(timeline.events, 6)).toEqual({ tokens: 300, costUsd: 0.03, turns: 2 });
    expect(totalsAt(timeline.events, 9)).toEqual({ tokens: 300, costUsd: 0.03, turns: 3 });
    expect(totalsAt(timeline.events, SESSION.length)).toEqual({ tokens: 500, costUsd: 0.05, turns: 3 });
  });

  it('adds up the attempts of a retried iteration, and knows no cost that has no estimate', () => {
    const retried = [init, usage(50, 0.5), init, usage(70)];
    expect(totalsAt(retried, 2)).toEqual({ tokens: 50, costUsd: 0.5, turns: 0 });
    expect(totalsAt(retried, 4)).toEqual({ tokens: 120, costUsd: null, turns: 0 });
  });
});
