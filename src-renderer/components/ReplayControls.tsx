import { formatElapsed } from '../contract';
import type { Replay } from '../hooks/use-replay';
import { isLandmark, type Landmark, REPLAY_SPEEDS, seekTarget, type Timeline } from '../stores/replay-model';
import { Segmented } from './Segmented';

/** Each speed with its key (1, 2, …) for a hint. */
const SPEED_CHOICES = REPLAY_SPEEDS.map((speed, i) => ({ value: speed, label: `${speed}×`, title: String(i + 1) }));

const LANDMARKS: ReadonlyArray<{ to: Landmark; noun: string; key: string }> = [
  { to: 'tool', noun: 'tool call', key: 't' },
  { to: 'error', noun: 'error', key: 'e' },
  { to: 'file', noun: 'file change', key: 'f' },
];

/** Play/pause, speed, stepping, the scrubber (in the session's own time) and the skims to a landmark either way. */
export function ReplayControls({ timeline, replay }: { timeline: Timeline; replay: Replay }) {
  const { playback, t, frame, dispatch } = replay;
  const total = timeline.events.length;
  const atEnd = t >= timeline.duration && frame.position >= total;
  return (
    <div className="replay-controls" role="group" aria-label="Replay controls">
      <div className="replay-row">
        <button
          type="button"
          className="replay-play"
          onClick={() => dispatch({ type: 'toggle' })}
          aria-label={playback.playing ? 'Pause' : 'Play'}
          title="Space"
        >
          {playback.playing ? 'Pause' : 'Play'}
        </button>
        <button type="button" aria-label="Step back" title="←" onClick={() => dispatch({ type: 'step', by: -1 })}>
          ‹
        </button>
        <button type="button" aria-label="Step forward" title="→" onClick={() => dispatch({ type: 'step', by: 1 })}>
          ›
        </button>
        <Segmented
          label="Speed"
          showLabel={false}
          value={playback.speed}
          options={SPEED_CHOICES}
          onChange={(speed) => dispatch({ type: 'speed', speed })}
        />
        <button type="button" onClick={() => dispatch({ type: 'start' })} disabled={t <= 0} title="Home">
          To start
        </button>
        <button type="button" onClick={() => dispatch({ type: 'end' })} disabled={atEnd} title="End">
          Jump to end
        </button>
      </div>
      <div className="replay-row">
        <input
          type="range"
          className="scrubber"
          aria-label="Position"
          aria-valuetext={`${formatElapsed(t)} of ${formatElapsed(timeline.duration)}`}
          min={0}
          max={timeline.duration}
          step={1}
          value={t}
          onChange={(e) => dispatch({ type: 'seek', t: Number(e.target.value) })}
        />
        <span className="replay-readout muted" aria-live="off">
          <span data-testid="replay-time">
            {formatElapsed(t)} of {formatElapsed(timeline.duration)}
          </span>{' '}
          · <span data-testid="replay-position">{`${frame.position} of ${total} events`}</span>
        </span>
      </div>
      <div className="replay-row" role="group" aria-label="Skim">
        {LANDMARKS.map(({ to, noun, key }) => (
          <span key={to} className="skim-pair">
            <button
              type="button"
              aria-label={`Previous ${noun}`}
              title={`Previous ${noun} (Shift + ${key.toUpperCase()})`}
              disabled={seekTarget(timeline, t, -1, (e) => isLandmark(e, to)) === null}
              onClick={() => dispatch({ type: 'jump', to, by: -1 })}
            >
              ‹
            </button>
            <button
              type="button"
              title={key}
              disabled={seekTarget(timeline, t, 1, (e) => isLandmark(e, to)) === null}
              onClick={() => dispatch({ type: 'jump', to, by: 1 })}
            >
              {`Next ${noun}`}
            </button>
          </span>
        ))}
      </div>
    </div>
  );
}
