import type { Clock } from '../../core/clock.js';

/**
 * Event-driven long polling. Every change that can make a message receivable (a send, a
 * visibility change, a redrive into a queue) bumps the queue's version and wakes its waiters;
 * a waiter that missed a bump (it happened between its receive and its wait) returns at once.
 * Messages that become visible by the passage of time are covered by the `until` timer the
 * caller sets to the next visibility time.
 */
export class QueueWakeups {
  readonly #clock: Clock;
  readonly #versions = new Map<number, number>();
  readonly #waiters = new Map<number, Set<() => void>>();
  #closed = false;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  version(queueId: number): number {
    return this.#versions.get(queueId) ?? 0;
  }

  notify(queueId: number): void {
    this.#versions.set(queueId, this.version(queueId) + 1);
    const waiters = this.#waiters.get(queueId);
    if (waiters) {
      this.#waiters.delete(queueId);
      for (const wake of waiters) {
        wake();
      }
    }
  }

  /** Resolves on the next notify after version `seen`, at time `until`, on abort, or on close. */
  wait(queueId: number, seen: number, until: number, signal?: AbortSignal): Promise<void> {
    if (this.#closed || signal?.aborted || this.version(queueId) !== seen) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const wake = (): void => {
        this.#clock.clearTimeout(timer);
        signal?.removeEventListener('abort', wake);
        const current = this.#waiters.get(queueId);
        current?.delete(wake);
        if (current?.size === 0) {
          this.#waiters.delete(queueId);
        }
        resolve();
      };
      const timer = this.#clock.setTimeout(wake, Math.max(0, until - this.#clock.now()));
      let waiters = this.#waiters.get(queueId);
      if (!waiters) {
        waiters = new Set();
        this.#waiters.set(queueId, waiters);
      }
      waiters.add(wake);
      signal?.addEventListener('abort', wake, { once: true });
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Wakes every waiter; later waits return at once. */
  close(): void {
    this.#closed = true;
    for (const queueId of [...this.#waiters.keys()]) {
      this.notify(queueId);
    }
  }
}
