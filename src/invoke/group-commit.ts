interface Waiting<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Group commit: one `write` (one transaction, one fsync) at a time; items added while it runs,
 * or in the same event-loop turn, are written together by the next, and each adder is answered
 * only once its write has committed. A burst costs one commit per disk sync instead of one per
 * item, and an adder waits no longer than it would behind the sync in flight anyway. `committed`
 * runs with the group after each successful write, once the adders' promises are resolved.
 */
export class GroupCommit<T> {
  readonly #write: (items: readonly T[]) => Promise<void>;
  readonly #committed: (items: readonly T[]) => void;
  #waiting: Waiting<T>[] = [];
  #scheduled = false;
  #writing = false;

  constructor(
    write: (items: readonly T[]) => Promise<void>,
    committed: (items: readonly T[]) => void = () => {},
  ) {
    this.#write = write;
    this.#committed = committed;
  }

  /** Resolves once `item` is committed; rejects if its group's write failed. */
  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (!this.#scheduled && !this.#writing) {
      this.#scheduled = true;
      setImmediate(() => {
        void this.#commit();
      });
    }
  }

  async #commit(): Promise<void> {
    const group = this.#waiting;
    const items = group.map((w) => w.item);
    this.#waiting = [];
    this.#scheduled = false;
    this.#writing = true;
    try {
      await this.#write(items);
    } catch (err) {
      for (const w of group) {
        w.reject(err);
      }
      return;
    } finally {
      this.#writing = false;
      if (this.#waiting.length > 0) {
        this.#schedule();
      }
    }
    for (const w of group) {
      w.resolve();
    }
    this.#committed(items);
  }
}
