/**
 * Numbers what this service publishes for its windows. Every event on the bus (this process's own and the
 * followed ones of other processes alike) gets the next seq as it is published, and the last ones are kept,
 * so a window that lost its connection asks for what came after its last seq instead of a new snapshot.
 * A snapshot (getLiveState) says the seq it is valid at; a window drops what it already holds by seq alone.
 */
import { randomUUID } from 'node:crypto';
import type { BatonEvent, FeedSince, SequencedEvent } from '../contract/events';
import type { EventBus } from '../core/events/event-bus';

/** Events kept for windows that come back: about a minute of a busy stream; older gaps take a new snapshot. */
export const DEFAULT_FEED_CAPACITY = 10_000;

export type FeedListener = (event: BatonEvent, seq: number) => void;

export class WindowFeed {
  /** Tells this feed's numbering from a restarted service's. */
  readonly id: string;
  private last = 0;
  private readonly ring: (SequencedEvent | undefined)[];
  private readonly listeners = new Set<FeedListener>();
  private readonly unsubscribe: () => void;

  constructor(bus: Pick<EventBus, 'subscribe'>, capacity = DEFAULT_FEED_CAPACITY, id: string = randomUUID()) {
    this.id = id;
    this.ring = new Array<SequencedEvent | undefined>(Math.max(1, capacity));
    this.unsubscribe = bus.subscribe((event) => this.publish(event));
  }

  /** The seq of the last event published: a snapshot read with nothing awaited since holds exactly those up to it. */
  get seq(): number {
    return this.last;
  }

  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  since(seq: number, feedId: string = this.id): FeedSince {
    // A seq ahead of this feed, or of another feed, is from a service that has since restarted.
    if (feedId !== this.id || seq > this.last) return { tooOld: true };
    const oldest = Math.max(1, this.last - this.ring.length + 1);
    if (seq + 1 < oldest) return { tooOld: true };
    const events: SequencedEvent[] = [];
    for (let next = seq + 1; next <= this.last; next++) events.push(this.ring[next % this.ring.length]!);
    return { events };
  }

  close(): void {
    this.unsubscribe();
    this.listeners.clear();
  }

  private publish(event: BatonEvent): void {
    const seq = ++this.last;
    this.ring[seq % this.ring.length] = { seq, event };
    for (const listener of this.listeners) {
      // Like the bus: a broken window never stops the others, nor the run that published.
      try {
        listener(event, seq);
      } catch {
        // The transport logs its own failures.
      }
    }
  }
}
