/**
 * Runs async work one piece at a time, in call order. Changes to buses, rules and targets go
 * through one queue so that a check and the write it guards (a rule's target limit, "no targets
 * left" before DeleteRule) cannot interleave with another request's.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(work);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
