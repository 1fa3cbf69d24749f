/**
 * A clock the test moves, for the orchestrator's waits: a sleep ends only when the test moves the time past
 * its end (or its signal aborts), so a test sees a task while it waits and never depends on the machine's speed.
 * With `auto`, every sleep ends at once, the time moved to its end.
 */
import type { Clock } from '../../src-main/core/orchestrator/clock';

interface Sleeper {
  wakeAt: number;
  wake: (awake: boolean) => void;
}

export class TestClock implements Clock {
  private time: number;
  private sleepers: Sleeper[] = [];
  private onSleep: Array<() => void> = [];

  constructor(private readonly options: { auto?: boolean; start?: number } = {}) {
    // Starts at the machine's time, since the store stamps rows with it and "today" is read from both.
    this.time = options.start ?? Date.now();
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    if (this.options.auto) {
      this.time += ms;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const sleeper: Sleeper = {
        wakeAt: this.time + ms,
        wake: (awake) => {
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          signal?.removeEventListener('abort', onAbort);
          resolve(awake);
        },
      };
      const onAbort = () => sleeper.wake(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
      for (const notify of this.onSleep.splice(0)) notify();
    });
  }

  /** Resolves once something sleeps on this clock (at once when something already does). */
  sleeping(): Promise<void> {
    if (this.sleepers.length > 0) return Promise.resolve();
    return new Promise((resolve) => this.onSleep.push(resolve));
  }

  /** Moves the time on by `ms`, ending every sleep due by then. */
  advance(ms: number): void {
    this.time += ms;
    for (const sleeper of this.sleepers.filter((s) => s.wakeAt <= this.time)) sleeper.wake(true);
  }

  /** Moves the time to the end of the first sleep to end, and ends it. */
  wakeNext(): void {
    const next = Math.min(...this.sleepers.map((s) => s.wakeAt));
    if (!Number.isFinite(next)) throw new Error('nothing sleeps on the clock');
    this.advance(Math.max(0, next - this.time));
  }
}
