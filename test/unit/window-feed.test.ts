import { describe, expect, it } from 'vitest';
import type { BatonEvent } from '../../src-main/contract/events';
import { EventBus } from '../../src-main/core/events/event-bus';
import { WindowFeed } from '../../src-main/service/window-feed';

const started = (n: number): BatonEvent => ({ type: 'task.started', taskId: `t${n}` });

describe('WindowFeed', () => {
  it('numbers every bus event once, in the order published, for every subscriber', () => {
    const bus = new EventBus();
    const feed = new WindowFeed(bus, 10, 'feed-1');
    const seen: [number, string][] = [];
    feed.subscribe((event, seq) => seen.push([seq, event.type === 'task.started' ? event.taskId : '?']));
    expect(feed.seq).toBe(0);
    bus.publish(started(1));
    bus.publish(started(2));
    expect(seen).toEqual([
      [1, 't1'],
      [2, 't2'],
    ]);
    expect(feed.seq).toBe(2);
  });

  it('answers the events after a seq while its ring holds them all, and tooOld after', () => {
    const bus = new EventBus();
    const feed = new WindowFeed(bus, 3, 'feed-1');
    for (let n = 1; n <= 5; n++) bus.publish(started(n));
    expect(feed.since(5, 'feed-1')).toEqual({ events: [] });
    expect(feed.since(2, 'feed-1')).toEqual({
      events: [3, 4, 5].map((seq) => ({ seq, event: started(seq) })),
    });
    // Event 2 has left the ring of three: what came after seq 1 is no longer all there.
    expect(feed.since(1, 'feed-1')).toEqual({ tooOld: true });
    expect(feed.since(0, 'feed-1')).toEqual({ tooOld: true });
  });

  it('says tooOld for a seq ahead of it or of another feed (a service that restarted)', () => {
    const bus = new EventBus();
    const feed = new WindowFeed(bus, 10, 'feed-1');
    bus.publish(started(1));
    expect(feed.since(0, 'feed-1')).toEqual({ events: [{ seq: 1, event: started(1) }] });
    expect(feed.since(7, 'feed-1')).toEqual({ tooOld: true });
    expect(feed.since(0, 'feed-0')).toEqual({ tooOld: true });
  });

  it('keeps delivering after a subscriber throws, and stops after close', () => {
    const bus = new EventBus();
    const feed = new WindowFeed(bus, 10, 'feed-1');
    const seqs: number[] = [];
    feed.subscribe(() => {
      throw new Error('a closed window');
    });
    feed.subscribe((_event, seq) => seqs.push(seq));
    bus.publish(started(1));
    feed.close();
    bus.publish(started(2));
    expect(seqs).toEqual([1]);
    expect(feed.seq).toBe(1);
  });
});
