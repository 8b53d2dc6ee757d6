/**
 * Reserved concurrency: the most environments a function may run at once, set aside from the
 * account's limit, which must keep at least 100 for the functions without a reservation.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
 */
import { invalidParameter, validationError } from '../core/errors.js';
import { LATEST } from '../store/index.js';
import { functionNotFound, type RegistryContext } from './context.js';
import { unqualifiedFunctionName } from './function-target.js';
import { MIN_UNRESERVED_CONCURRENCY } from './limits.js';
import { readInteger, requestBody } from './request.js';

export interface FunctionConcurrency {
  readonly ReservedConcurrentExecutions?: number;
}

export class ReservedConcurrency {
  readonly #rc: RegistryContext;
  /** Σ requested provisioned concurrency of one function. */
  readonly #provisionedOf: (functionName: string) => number;
  /** Σ reservations, kept here so the invoke path never reads the store for it. */
  #total = 0;

  constructor(rc: RegistryContext, provisionedOf: (functionName: string) => number) {
    this.#rc = rc;
    this.#provisionedOf = provisionedOf;
  }

  async start(): Promise<void> {
    await this.refresh();
  }

  /** Σ reserved concurrency over all functions (cached). */
  get total(): number {
    return this.#total;
  }

  /** Re-reads the total after a change (a function with a reservation was deleted, say). */
  async refresh(): Promise<void> {
    this.#total = await this.#rc.store.totalReservedConcurrency();
  }

  /** PutFunctionConcurrency. */
  async put(
    functionName: string,
    body: unknown,
  ): Promise<{ ReservedConcurrentExecutions: number }> {
    const rc = this.#rc;
    const name = unqualifiedFunctionName(functionName, rc.ctx);
    const value = readInteger(requestBody(body), 'ReservedConcurrentExecutions');
    if (value === undefined) {
      throw validationError([
        "Value null at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must not be null",
      ]);
    }
    if (value < 0) {
      throw validationError([
        `Value '${String(value)}' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0`,
      ]);
    }
    return rc.locks.run(name, async () => {
      const provisioned = this.#provisionedOf(name);
      if (provisioned > value) {
        // AWS's spacing, verbatim [ls].
        throw invalidParameter(
          ` ReservedConcurrentExecutions  ${String(value)} should not be lower than function's total provisioned concurrency [${String(provisioned)}].`,
        );
      }
      const result = await rc.store.putReservedConcurrency(
        name,
        value,
        rc.accountConcurrency - MIN_UNRESERVED_CONCURRENCY,
      );
      if (result === 'not-found') {
        throw functionNotFound(rc.ctx, name, LATEST);
      }
      if (result === 'exceeds') {
        throw invalidParameter(
          `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${String(MIN_UNRESERVED_CONCURRENCY)}].`,
        );
      }
      await this.refresh();
      rc.invalidate(name);
      return { ReservedConcurrentExecutions: value };
    });
  }

  /** GetFunctionConcurrency: `{}` when nothing is reserved. */
  async get(functionName: string): Promise<FunctionConcurrency> {
    const rc = this.#rc;
    const name = unqualifiedFunctionName(functionName, rc.ctx);
    const value = await rc.store.getReservedConcurrency(name);
    if (value === undefined) {
      throw functionNotFound(rc.ctx, name);
    }
    return value === null ? {} : { ReservedConcurrentExecutions: value };
  }

  /** DeleteFunctionConcurrency (204). */
  async delete(functionName: string): Promise<void> {
    const rc = this.#rc;
    const name = unqualifiedFunctionName(functionName, rc.ctx);
    await rc.locks.run(name, async () => {
      if (!(await rc.store.deleteReservedConcurrency(name))) {
        throw functionNotFound(rc.ctx, name);
      }
      await this.refresh();
      rc.invalidate(name);
    });
  }

  /** The function's reservation, for GetFunction's Concurrency member. */
  async of(name: string): Promise<number | undefined> {
    return (await this.#rc.store.getReservedConcurrency(name)) ?? undefined;
  }
}
