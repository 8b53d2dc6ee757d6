import { tooManyRequests, type ServiceError } from '../core/errors.js';

/** Released in `finally` by whoever acquired it. */
export interface ConcurrencyLease {
  release(): void;
}

/**
 * Lambda's concurrency limits: a function with reserved concurrency R runs at most R
 * invocations at once (0 throttles everything); functions without a reservation share what the
 * reservations leave of the account's limit. Over the limit, an invocation is throttled with the
 * Reason Lambda gives.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
 */
export class ConcurrencyGate {
  readonly #accountLimit: number;
  /** In-flight invocations per function name (all versions and aliases together). */
  readonly #perFunction = new Map<string, number>();
  /** In-flight invocations of functions without a reservation. */
  #unreserved = 0;

  constructor(accountLimit: number) {
    this.#accountLimit = accountLimit;
  }

  /**
   * A lease, or the 429 error to answer. `reserved` is the function's reserved concurrency;
   * `totalReserved` the sum of every function's reservation.
   */
  tryAcquire(
    functionName: string,
    reserved: number | undefined,
    totalReserved: number,
  ): ConcurrencyLease | ServiceError {
    const running = this.#perFunction.get(functionName) ?? 0;
    if (reserved !== undefined) {
      if (running >= reserved) {
        return tooManyRequests('ReservedFunctionConcurrentInvocationLimitExceeded', 1);
      }
    } else if (this.#unreserved >= this.#accountLimit - totalReserved) {
      return tooManyRequests('ConcurrentInvocationLimitExceeded', 1);
    }
    this.#perFunction.set(functionName, running + 1);
    const shared = reserved === undefined;
    if (shared) {
      this.#unreserved += 1;
    }
    let released = false;
    return {
      release: () => {
        if (released) {
          return;
        }
        released = true;
        const left = (this.#perFunction.get(functionName) ?? 1) - 1;
        if (left === 0) {
          this.#perFunction.delete(functionName);
        } else {
          this.#perFunction.set(functionName, left);
        }
        if (shared) {
          this.#unreserved -= 1;
        }
      },
    };
  }
}
