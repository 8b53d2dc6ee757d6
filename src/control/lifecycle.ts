/**
 * Lambda's asynchronous lifecycle after a change: a new function answers `Pending` and becomes
 * `Active`; an update answers `InProgress` and becomes `Successful`; each transition issues a
 * new RevisionId [aws-rec]. https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html
 *
 * Fogbank unpacks a package before it stores the change, so a version is ready as soon as the
 * answer is out. The transition still follows the answer, as on AWS, so clients see the
 * intermediate state and their waiters (`aws lambda wait function-active-v2`, …) behave as there.
 */
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../core/clock.js';
import { LATEST, type FunctionVersionCursor, type Store } from '../store/index.js';
import { READY, decodeVersion, encodeVersion, type FunctionVersion } from './function-version.js';
import type { KeyedMutex } from './keyed-mutex.js';

const SCAN_PAGE = 500;

export class LifecycleTransitions {
  readonly #store: Store;
  readonly #locks: KeyedMutex;
  readonly #clock: Clock;
  readonly #onSettled: (functionName: string) => void;
  readonly #warn: (message: string) => void;
  readonly #timers = new Set<TimerHandle>();
  readonly #running = new Set<Promise<void>>();
  #stopped = false;

  constructor(options: {
    store: Store;
    locks: KeyedMutex;
    clock: Clock;
    /** Called after a transition is stored. */
    onSettled: (functionName: string) => void;
    warn: (message: string) => void;
  }) {
    this.#store = options.store;
    this.#locks = options.locks;
    this.#clock = options.clock;
    this.#onSettled = options.onSettled;
    this.#warn = options.warn;
  }

  /** Schedules the transition that follows a change answered with `v`. */
  later(v: FunctionVersion): void {
    if (this.#stopped) {
      return;
    }
    const handle = this.#clock.setTimeout(() => {
      this.#timers.delete(handle);
      const work = this.#settle(v.functionName, v.version, v.revisionId)
        .catch((error: unknown) => {
          this.#warn(
            `could not finish the pending change of function ${v.functionName}: ${String(error)}`,
          );
        })
        .finally(() => this.#running.delete(work));
      this.#running.add(work);
    }, 0);
    this.#timers.add(handle);
  }

  /** Settles every version a previous run answered but did not get to transition. */
  async finishPending(): Promise<void> {
    let after: FunctionVersionCursor | undefined;
    for (;;) {
      const page = await this.#store.listFunctionVersions({
        versions: 'all',
        limit: SCAN_PAGE,
        ...(after && { after }),
      });
      for (const record of page) {
        const v = decodeVersion(record);
        if (v.status.state === 'Pending' || v.status.lastUpdateStatus === 'InProgress') {
          await this.#settle(v.functionName, v.version, v.revisionId);
        }
      }
      const last = page.at(-1);
      if (page.length < SCAN_PAGE || !last) {
        return;
      }
      after = {
        functionName: last.functionName,
        versionNumber: last.version === LATEST ? 0 : Number(last.version),
      };
    }
  }

  /** Cancels scheduled transitions (the next start finishes them) and waits for running ones. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const handle of this.#timers) {
      this.#clock.clearTimeout(handle);
    }
    this.#timers.clear();
    await Promise.all([...this.#running]);
  }

  async #settle(functionName: string, version: string, revisionId: string): Promise<void> {
    await this.#locks.run(functionName, async () => {
      const record = await this.#store.getFunctionVersion(functionName, version);
      if (!record || record.revisionId !== revisionId) {
        return; // deleted or changed since: that change settles itself
      }
      const next = { ...decodeVersion(record), revisionId: randomUUID(), status: READY };
      if (await this.#store.replaceFunctionVersion(encodeVersion(next), revisionId)) {
        this.#onSettled(functionName);
      }
    });
  }
}
