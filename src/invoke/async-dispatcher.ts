import type { AccountContext } from '../core/arn.js';
import { functionArn } from '../core/arn.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { InvokeResult } from '../sandbox/types.js';
import type { AsyncEvent, AsyncEventStore } from './async-event.js';
import {
  invocationRecord,
  type DestinationCondition,
  type DestinationDelivery,
} from './destinations.js';
import type { RetryPolicy } from './retry-policy.js';
import type { AsyncConfigSource, FunctionResolver, ResolvedVersion } from './types.js';

/** Runs one attempt of an async event through the same path as a synchronous invoke. */
export interface AsyncRunner {
  /** The invocation's result, or `throttled` when no concurrency was free. */
  runAttempt(
    version: ResolvedVersion,
    qualifier: string | undefined,
    requestId: string,
    payload: Buffer,
  ): Promise<InvokeResult | 'throttled'>;
}

export interface AsyncDispatcherOptions {
  readonly store: AsyncEventStore;
  readonly resolver: FunctionResolver;
  readonly config: AsyncConfigSource;
  readonly runner: AsyncRunner;
  readonly destinations: DestinationDelivery;
  readonly retry: RetryPolicy;
  readonly clock: Clock;
  readonly ctx: AccountContext;
  /** At most this many events in flight on this node (the concurrency gate still applies). */
  readonly maxInFlight: number;
  readonly onWarning: (message: string) => void;
}

/** How long a leased event may run before another worker may take it again. */
const LEASE_MS = 15 * 60_000 + 60_000;

/**
 * Drains the durable async queue: leases due events, runs them, and retries, expires or
 * reports them as Lambda does (spec §5). At least once: an event is removed only after its
 * outcome has been handled, so a crash in between runs it again.
 */
export class AsyncDispatcher {
  readonly #o: AsyncDispatcherOptions;
  #inFlight = 0;
  #running = false;
  #pumping = false;
  #again = false;
  #timer: TimerHandle | undefined;
  readonly #settled = new Set<Promise<void>>();

  constructor(options: AsyncDispatcherOptions) {
    this.#o = options;
  }

  async start(): Promise<void> {
    await this.#o.store.releaseAsyncLeases();
    this.#running = true;
    this.wake();
  }

  /** Something changed (new events, a finished attempt): look for due work now. */
  wake(): void {
    if (!this.#running) {
      return;
    }
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    void this.#pump();
  }

  /** Stops taking events and waits for the in-flight ones (their sandboxes are bounded by timeouts). */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) {
      this.#o.clock.clearTimeout(this.#timer);
    }
    await Promise.all(this.#settled);
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        const room = this.#o.maxInFlight - this.#inFlight;
        if (room > 0) {
          const now = this.#o.clock.now();
          const events = await this.#o.store.leaseAsyncEvents(now, now + LEASE_MS, room);
          for (const event of events) {
            this.#track(event);
          }
          if (events.length === room) {
            this.#again = true;
          }
        }
        if (!this.#again) {
          await this.#armTimer();
        }
        // A wake() during any await above set #again: look again rather than lose it.
      } while (this.#again && this.#running);
    } catch (err) {
      this.#o.onWarning(`async queue: ${String(err)}`);
    } finally {
      this.#pumping = false;
    }
  }

  /** Sleeps until the earliest waiting event is due. */
  async #armTimer(): Promise<void> {
    const next = await this.#o.store.nextAsyncAttemptAt();
    if (this.#timer) {
      this.#o.clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (next !== undefined && this.#running) {
      this.#timer = this.#o.clock.setTimeout(
        () => {
          this.#timer = undefined;
          this.wake();
        },
        Math.max(0, next - this.#o.clock.now()),
      );
    }
  }

  #track(event: AsyncEvent): void {
    this.#inFlight += 1;
    const done: Promise<void> = this.#attempt(event)
      .catch((err: unknown) => {
        this.#o.onWarning(`async event ${event.requestId}: ${String(err)}`);
      })
      .finally(() => {
        this.#inFlight -= 1;
        this.#settled.delete(done);
        this.wake();
      });
    this.#settled.add(done);
  }

  async #attempt(event: AsyncEvent): Promise<void> {
    const { store, retry, clock } = this.#o;
    let version: ResolvedVersion;
    try {
      version = await this.#o.resolver.resolve(event.functionName, event.qualifier);
    } catch {
      // The function (or its alias) was deleted: there is nothing left to invoke or report to.
      await store.completeAsyncEvents([event.id]);
      return;
    }
    const cfg = await this.#o.config.eventInvokeConfig(event.functionName, event.qualifier);
    if (clock.now() - event.enqueuedAt > retry.maxAgeMs(cfg.maximumEventAgeInSeconds)) {
      await this.#fail(event, version, 'EventAgeExceeded', undefined, cfg.onFailure);
      return;
    }
    const result =
      version.state === 'Active'
        ? await this.#o.runner.runAttempt(version, event.qualifier, event.requestId, event.payload)
        : 'throttled';
    if (result === 'throttled') {
      const throttles = event.throttles + 1;
      await store.rescheduleAsyncEvent(event.id, {
        attempts: event.attempts,
        throttles,
        nextAttemptAt: clock.now() + retry.throttleDelayMs(throttles),
      });
      return;
    }
    const attempts = event.attempts + 1;
    if (result.status === 'success') {
      if (cfg.onSuccess) {
        await this.#report(cfg.onSuccess, event, version, 'Success', attempts, result);
      }
      await store.completeAsyncEvents([event.id]);
      return;
    }
    const nextAttemptAt = clock.now() + retry.functionErrorDelayMs(attempts);
    const tooOld = nextAttemptAt - event.enqueuedAt > retry.maxAgeMs(cfg.maximumEventAgeInSeconds);
    if (attempts > cfg.maximumRetryAttempts || tooOld) {
      const condition =
        tooOld && attempts <= cfg.maximumRetryAttempts ? 'EventAgeExceeded' : 'RetriesExhausted';
      await this.#fail({ ...event, attempts }, version, condition, result, cfg.onFailure);
      return;
    }
    await store.rescheduleAsyncEvent(event.id, {
      attempts,
      throttles: event.throttles,
      nextAttemptAt,
    });
  }

  /** Final failure: the OnFailure destination and the dead-letter queue both get it. */
  async #fail(
    event: AsyncEvent,
    version: ResolvedVersion,
    condition: DestinationCondition,
    result: InvokeResult | undefined,
    onFailure: string | undefined,
  ): Promise<void> {
    if (onFailure) {
      await this.#report(onFailure, event, version, condition, event.attempts, result);
    }
    const dlq = await this.#o.config.deadLetterTarget(version.functionName, version.version);
    if (dlq) {
      await this.#o.destinations.deadLetter(
        dlq,
        event.payload,
        event.requestId,
        errorMessage(result, condition),
      );
    }
    await this.#o.store.completeAsyncEvents([event.id]);
  }

  async #report(
    target: string,
    event: AsyncEvent,
    version: ResolvedVersion,
    condition: DestinationCondition,
    approximateInvokeCount: number,
    result: InvokeResult | undefined,
  ): Promise<void> {
    const record = invocationRecord({
      timestamp: this.#o.clock.now(),
      requestId: event.requestId,
      functionArn: functionArn(this.#o.ctx, version.functionName, event.qualifier ?? '$LATEST'),
      condition,
      approximateInvokeCount,
      requestPayload: event.payload,
      ...(result
        ? {
            response: {
              executedVersion: version.version,
              ...(result.status === 'success' ? {} : { functionError: 'Unhandled' }),
              payload: result.payload,
            },
          }
        : {}),
    });
    await this.#o.destinations.deliver(target, record);
  }
}

function errorMessage(result: InvokeResult | undefined, condition: DestinationCondition): string {
  if (!result) {
    return condition;
  }
  try {
    const doc = JSON.parse(result.payload.toString('utf8')) as { errorMessage?: unknown };
    return typeof doc.errorMessage === 'string'
      ? doc.errorMessage
      : result.payload.toString('utf8');
  } catch {
    return result.payload.toString('utf8');
  }
}
