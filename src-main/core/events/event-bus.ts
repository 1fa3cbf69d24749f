/** One in-process bus for every BatonEvent; transports (IPC, WebSocket, CLI printer) subscribe to it. */
import type { BatonEvent } from '../../contract/events';

export type BatonEventListener = (event: BatonEvent) => void;

export class EventBus {
  private readonly listeners = new Set<BatonEventListener>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => undefined) {}

  subscribe(listener: BatonEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: BatonEvent): void {
    for (const listener of this.listeners) {
      // A broken subscriber (a closed window, say) must never stop a running task.
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
