import type { BatonEvent, CallOutcome } from '../contract';

/**
 * 'reconnecting' means a connection was lost and calls wait for the next one; 'refused', that Baton
 * answers but no longer takes this page's token (it was restarted, with a new one), while the transport
 * keeps trying in case the new address is opened in another tab.
 */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'refused' | 'closed';

/** What the typed client and the stores need from either transport (Electron IPC or WebSocket). */
export interface Transport {
  call(method: string, input: unknown): Promise<CallOutcome>;
  /** Each event with the seq its service numbered it by; a gap in the seqs is an event missed. */
  subscribe(listener: (event: BatonEvent, seq: number) => void): () => void;
  /** Fires after a reconnect, when events may have been missed and views should catch up or reload. */
  onResync(listener: () => void): () => void;
  onStateChange(listener: (state: ConnectionState) => void): () => void;
  getState(): ConnectionState;
  close(): void;
}

/** A tiny listener set; both transports keep several. */
export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();

  add(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => {
      this.set.delete(listener);
    };
  }

  emit(value: T): void {
    for (const listener of [...this.set]) {
      try {
        listener(value);
      } catch (error) {
        // One broken listener must not stop the others from hearing about the event.
        console.error(error);
      }
    }
  }

  clear(): void {
    this.set.clear();
  }
}
