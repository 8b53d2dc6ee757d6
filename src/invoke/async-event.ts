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
>;

/** Durable storage of the async queue. Every method commits before it resolves. */
export interface AsyncEventStore {
  /** Stores new events in one transaction. */
  enqueueAsyncEvents(events: readonly NewAsyncEvent[]): Promise<void>;
  /**
   * Takes up to `limit` events due at `now` that no live lease holds, leasing them until
   * `leaseUntil` (a crashed worker's lease simply runs out and the event runs again).
   */
  leaseAsyncEvents(now: number, leaseUntil: number, limit: number): Promise<AsyncEvent[]>;
  /** Removes finished events. */
  completeAsyncEvents(ids: readonly number[]): Promise<void>;
  /** Puts an event back for a later attempt, releasing its lease. */
  rescheduleAsyncEvent(
    id: number,
    update: { attempts: number; throttles: number; nextAttemptAt: number },
  ): Promise<void>;
  /** Drops every lease (a single node restarting owns nothing it leased before). */
  releaseAsyncLeases(): Promise<void>;
  /** Events waiting or in flight. */
  countAsyncEvents(): Promise<number>;
  /** The earliest nextAttemptAt of a waiting event, if any. */
  nextAsyncAttemptAt(): Promise<number | undefined>;
}
