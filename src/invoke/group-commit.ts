interface Waiting<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Group commit: items added in the same event-loop turn are written by one `write` call (one
 * transaction, one fsync), and each adder is answered only once that write has committed. A
 * burst costs one commit instead of one per item. `committed` runs with the group after each
 * successful write, once the adders' promises are resolved.
 */
export class GroupCommit<T> {
  readonly #write: (items: readonly T[]) => Promise<void>;
  readonly #committed: (items: readonly T[]) => void;
  #waiting: Waiting<T>[] = [];
  #scheduled = false;

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
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => {
          void this.#commit();
        });
      }
    });
  }

  async #commit(): Promise<void> {
    const group = this.#waiting;
    this.#waiting = [];
    this.#scheduled = false;
    const items = group.map((w) => w.item);
    try {
      await this.#write(items);
    } catch (err) {
      for (const w of group) {
        w.reject(err);
      }
      return;
    }
    for (const w of group) {
      w.resolve();
    }
    this.#committed(items);
  }
}
