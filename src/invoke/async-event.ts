/** An asynchronous invocation waiting in the durable queue (spec §5). */
export interface AsyncEvent {
  readonly id: number;
  /** The request id of the Event invoke; reused by every attempt and in destination records. */
  readonly requestId: string;
  readonly functionName: string;
  /** The qualifier it was invoked with (`$LATEST`, a version or an alias), if any. */
  readonly qualifier?: string;
  readonly payload: Buffer;
  /** When it was accepted, ms since the epoch; the event's age counts from here. */
  readonly enqueuedAt: number;
  /** Attempts that ran the function (function errors count against MaximumRetryAttempts). */
  readonly attempts: number;
  /** Throttled or failed-to-start attempts, for exponential backoff (they don't count as retries). */
  readonly throttles: number;
  readonly nextAttemptAt: number;
}

export type NewAsyncEvent = Pick<
  AsyncEvent,
  'requestId' | 'functionName' | 'qualifier' | 'payload' | 'enqueuedAt'
> & {
  /** When it is first due, if not at once (its function is backing off from throttles). */
  readonly nextAttemptAt?: number;
};

/** What happened to leased events, written together in one transaction. */
export type AsyncSettlement =
  /** Finished: removed. */
  | { readonly kind: 'complete'; readonly id: number }
  /** Back for a later attempt, its lease released. */
  | {
      readonly kind: 'reschedule';
      readonly id: number;
      readonly attempts: number;
      readonly throttles: number;
      readonly nextAttemptAt: number;
    }
  /** The function is throttled: its waiting events due by `now` are not due before `until`. */
  | {
      readonly kind: 'defer';
      readonly functionName: string;
      readonly now: number;
      readonly until: number;
    }
  /** The function's back-off ended early: the events deferred to `until` are due at `now`. */
  | {
      readonly kind: 'resume';
      readonly functionName: string;
      readonly until: number;
      readonly now: number;
    };

/** Durable storage of the async queue. Every method commits before it resolves. */
export interface AsyncEventStore {
  /** Stores new events in one transaction. */
  enqueueAsyncEvents(events: readonly NewAsyncEvent[]): Promise<void>;
  /**
   * Takes up to `limit` events due at `now` that no live lease holds, leasing them until
   * `leaseUntil` (a crashed worker's lease simply runs out and the event runs again).
   */
  leaseAsyncEvents(now: number, leaseUntil: number, limit: number): Promise<AsyncEvent[]>;
  /** Applies settlements in order, in one transaction. */
  settleAsyncEvents(settlements: readonly AsyncSettlement[]): Promise<void>;
  /** Drops every lease (a single node restarting owns nothing it leased before). */
  releaseAsyncLeases(): Promise<void>;
  /** Events waiting or in flight. */
  countAsyncEvents(): Promise<number>;
  /** The earliest nextAttemptAt of a waiting event, if any. */
  nextAsyncAttemptAt(): Promise<number | undefined>;
}
