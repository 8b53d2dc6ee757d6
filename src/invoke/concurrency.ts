import { tooManyRequests, type ServiceError } from '../core/errors.js';

/** Released in `finally` by whoever acquired it. */
export interface ConcurrencyLease {
  release(): void;
}

/**
 * The account's concurrency limit: at most `limit` invocations run at once across all
 * functions; one more is throttled, as Lambda throttles with ConcurrentInvocationLimitExceeded.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
 */
export class ConcurrencyGate {
  readonly #limit: number;
  #inUse = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get inUse(): number {
    return this.#inUse;
  }

  /** A lease, or the 429 error to answer when the account is at its limit. */
  tryAcquire(): ConcurrencyLease | ServiceError {
    if (this.#inUse >= this.#limit) {
      return tooManyRequests('ConcurrentInvocationLimitExceeded', 1);
    }
    this.#inUse += 1;
    let released = false;
    return {
      release: () => {
        if (!released) {
          released = true;
          this.#inUse -= 1;
        }
      },
    };
  }
}
