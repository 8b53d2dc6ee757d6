/**
 * What every source's poller gets and gives: the services it reads from and invokes through, and
 * a handle to stop it. One poller runs per enabled mapping; it is replaced whenever the mapping
 * changes.
 */
import type { AccountContext } from '../../core/arn.js';
import type { Clock } from '../../core/clock.js';
import type { FunctionResolver, Invoker } from '../../invoke/types.js';
import type { StreamService } from '../kinesis/index.js';
import type { QueueService } from '../sqs/index.js';
import type { QueueTarget } from '../targets.js';
import type { EventSourceMappingStore } from './mapping-store.js';

/** Where stream mappings send OnFailure records: queues always, topics when SNS is wired. */
export type OnFailureTargets = QueueTarget & {
  publishToTopic?(topicArn: string, message: string): Promise<unknown>;
  topicExists?(topicArn: string): Promise<boolean>;
};

export interface PollerDeps {
  readonly store: EventSourceMappingStore;
  /** Batching windows, retry delays and record ages all run on it. */
  readonly clock: Clock;
  readonly ctx: AccountContext;
  readonly invoker: Invoker;
  readonly resolver: FunctionResolver;
  readonly queues: QueueService;
  readonly streams: StreamService;
  readonly onFailure: OnFailureTargets;
  /** Problems nobody is waiting for (a deleted queue, an unreachable broker). Must not throw. */
  readonly onWarning: (message: string) => void;
}

export interface Poller {
  /** Stops polling; resolves once in-flight batches have finished. */
  stop(): Promise<void>;
}

/** Waits `ms` on the clock; resolves early (never rejects) when `signal` aborts. */
export function pause(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return clock.sleep(ms, signal).catch(() => undefined);
}

/**
 * Whether the signal has aborted, read afresh: after an await, TypeScript would otherwise keep the
 * narrowing of an earlier `signal.aborted` check.
 */
export function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

/** Exponential backoff for retries that did not reach (or were refused by) the function. */
export function backoffMs(attempt: number, firstMs = 100, maxMs = 5_000): number {
  return Math.min(maxMs, firstMs * 2 ** Math.max(0, attempt - 1));
}

/** Lambda's synchronous payload limit, which a batch's event must stay under. */
export const MAX_BATCH_PAYLOAD_BYTES = 6 * 1024 * 1024;

/**
 * Reports a run of the same failure once, when it starts, and again when it has ended and a new
 * one starts (a poller retries every few seconds; the log should not).
 */
export class FailureReporter {
  #failing = false;
  readonly #onWarning: (message: string) => void;

  constructor(onWarning: (message: string) => void) {
    this.#onWarning = onWarning;
  }

  failed(message: string): void {
    if (!this.#failing) {
      this.#failing = true;
      this.#onWarning(message);
    }
  }

  recovered(): void {
    this.#failing = false;
  }
}

/** A wake-up flag: `notify` before `wait` is not lost. */
export class Wakeup {
  #flag = false;
  #waiter: (() => void) | undefined;

  notify(): void {
    this.#flag = true;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }

  /** Resolves on the next notify (at once if one is pending), on abort, or after `timeoutMs`. */
  wait(signal: AbortSignal, clock: Clock, timeoutMs?: number): Promise<void> {
    if (this.#flag || signal.aborted) {
      this.#flag = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        this.#flag = false;
        this.#waiter = undefined;
        signal.removeEventListener('abort', done);
        if (timer !== undefined) {
          clock.clearTimeout(timer);
        }
        resolve();
      };
      const timer = timeoutMs === undefined ? undefined : clock.setTimeout(done, timeoutMs);
      this.#waiter = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
