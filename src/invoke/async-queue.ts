import type { AsyncEventStore, NewAsyncEvent } from './async-event.js';

interface Waiting {
  readonly event: NewAsyncEvent;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Accepts Event invocations durably. Requests that arrive in the same event-loop turn share
 * one transaction (group commit): each caller is answered only after its event is committed,
 * and a burst costs one commit instead of one per event.
 */
export class AsyncQueue {
  readonly #store: AsyncEventStore;
  readonly #onEnqueued: () => void;
  #waiting: Waiting[] = [];
  #scheduled = false;

  constructor(store: AsyncEventStore, onEnqueued: () => void) {
    this.#store = store;
    this.#onEnqueued = onEnqueued;
  }

  /** Resolves once the event is stored; only then may the caller answer 202. */
  accept(event: NewAsyncEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ event, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => {
          void this.#commit();
        });
      }
    });
  }

  async #commit(): Promise<void> {
    const batch = this.#waiting;
    this.#waiting = [];
    this.#scheduled = false;
    try {
      await this.#store.enqueueAsyncEvents(batch.map((w) => w.event));
    } catch (err) {
      for (const w of batch) {
        w.reject(err);
      }
      return;
    }
    for (const w of batch) {
      w.resolve();
    }
    this.#onEnqueued();
  }
}
