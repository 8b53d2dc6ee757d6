/**
 * The memory this node has promised to environments: the sum of the MemorySize of every live
 * environment (and pre-booted blank runtime) may not exceed the limit. Idle environments are
 * frozen and cost only memory, so memory, not CPU, bounds how many a node keeps.
 */
export class MemoryBudget {
  readonly limitMb: number;
  readonly #reservations = new Map<object, number>();
  #reservedMb = 0;

  constructor(limitMb: number) {
    this.limitMb = limitMb;
  }

  get reservedMb(): number {
    return this.#reservedMb;
  }

  /** Whether `mb` more fits. */
  fits(mb: number): boolean {
    return this.#reservedMb + mb <= this.limitMb;
  }

  /**
   * Reserves `mb` for `owner` if it fits (or regardless, with `force`: provisioned
   * concurrency the operator asked for). One reservation per owner.
   */
  reserve(owner: object, mb: number, force = false): boolean {
    if (this.#reservations.has(owner)) {
      return true;
    }
    if (!force && !this.fits(mb)) {
      return false;
    }
    this.#reservations.set(owner, mb);
    this.#reservedMb += mb;
    return true;
  }

  /** Gives back `owner`'s reservation; a second call does nothing. */
  release(owner: object): void {
    const mb = this.#reservations.get(owner);
    if (mb !== undefined) {
      this.#reservations.delete(owner);
      this.#reservedMb -= mb;
    }
  }
}
