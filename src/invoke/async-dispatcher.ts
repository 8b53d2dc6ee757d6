import type { AccountContext } from '../core/arn.js';
import { functionArn } from '../core/arn.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { InvokeResult } from '../sandbox/types.js';
import type { AsyncEvent, AsyncEventStore, AsyncSettlement } from './async-event.js';
import {
  invocationRecord,
  type DestinationCondition,
  type DestinationDelivery,
} from './destinations.js';
import type { AsyncSlots } from './async-slots.js';
import { GroupCommit } from './group-commit.js';
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
  /** How many events may run at once on this node (the concurrency gate still applies). */
  readonly slots: AsyncSlots;
  readonly onWarning: (message: string) => void;
}

/** How long a leased event may run before another worker may take it again. */
const LEASE_MS = 15 * 60_000 + 60_000;

/**
 * Rounds of the minimum slots' worth of events leased ahead of the free slots: a finished attempt
 * starts the next at once, and the store is asked for more once per two rounds, not per event.
 */
const ROUNDS_AHEAD = 3;

/** How often the slot limit is reconsidered while events wait for a slot or it is above its floor. */
const SLOTS_PERIOD_MS = 250;

/** A function's throttle back-off: nothing of it is due before `until`. */
interface Backoff {
  readonly until: number;
  /** Back-offs in a row without an attempt reaching the function (exponential delay). */
  readonly level: number;
}

/**
 * Drains the durable async queue: leases due events, runs them, and retries, expires or
 * reports them as Lambda does (spec §5). At least once: an event is removed only after its
 * outcome has been handled, so a crash in between runs it again.
 *
 * Due events are leased in batches ahead of the free slots (they stay in the store, leased, until
 * settled), and outcomes of attempts that end in the same event-loop turn are written in one
 * transaction (group commit). A throttled function backs off as a whole: its waiting events are
 * deferred to the back-off's end in one statement, and new ones are stored deferred, so its
 * backlog is not leased and rescheduled over and over; an attempt of it that runs ends the
 * back-off early.
 */
export class AsyncDispatcher {
  readonly #o: AsyncDispatcherOptions;
  #inFlight = 0;
  /** Leased events waiting for a free slot, oldest due first. */
  #ready: AsyncEvent[] = [];
  #running = false;
  #pumping = false;
  /** Wake-ups that arrived while a pump was under way. */
  #wakeups = 0;
  #timer: TimerHandle | undefined;
  #slotsTimer: TimerHandle | undefined;
  /** When #timer fires. */
  #timerAt: number | undefined;
  readonly #settled = new Set<Promise<void>>();
  readonly #settlements: GroupCommit<AsyncSettlement>;
  readonly #backoffs = new Map<string, Backoff>();

  constructor(options: AsyncDispatcherOptions) {
    this.#o = options;
    this.#settlements = new GroupCommit(
      (s) => options.store.settleAsyncEvents(s),
      (s) => {
        // Events came back to the queue, or their due times moved: the timer may need to move.
        if (s.some((settlement) => settlement.kind !== 'complete')) {
          this.wake();
        }
      },
    );
  }

  /** While `functionName` backs off from throttles, when it ends; else undefined. */
  notBefore(functionName: string): number | undefined {
    const backoff = this.#backoffs.get(functionName);
    return backoff !== undefined && backoff.until > this.#o.clock.now() ? backoff.until : undefined;
  }

  async start(): Promise<void> {
    await this.#o.store.releaseAsyncLeases();
    this.#running = true;
    this.wake();
  }

  /**
   * Events were stored, the earliest of them due at `dueAt`. Events stored deferred (their
   * function backs off) are due no earlier than the timer already armed for the back-off's end,
   * so they cost no look at the queue.
   */
  enqueued(dueAt: number): void {
    if (this.#pumping || this.#timerAt === undefined || dueAt < this.#timerAt) {
      this.wake();
    }
  }

  /** Something changed (new events, a finished attempt): look for due work now. */
  wake(): void {
    if (!this.#running) {
      return;
    }
    if (this.#pumping) {
      this.#wakeups += 1;
      return;
    }
    // Wake-ups of one event-loop turn (a group commit, attempts ending together) share a lease.
    this.#pumping = true;
    setImmediate(() => {
      void this.#pump();
    });
  }

  /** Stops taking events and waits for the in-flight ones (their sandboxes are bounded by timeouts). */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) {
      this.#o.clock.clearTimeout(this.#timer);
    }
    if (this.#slotsTimer) {
      this.#o.clock.clearTimeout(this.#slotsTimer);
    }
    // Still leased in the store: a restart releases them and they run then.
    this.#ready = [];
    await Promise.all(this.#settled);
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#running) {
        const wakeups = this.#wakeups;
        if (this.#needsLease()) {
          const { slots } = this.#o;
          const wanted =
            slots.limit + slots.min * ROUNDS_AHEAD - this.#inFlight - this.#ready.length;
          const now = this.#o.clock.now();
          const events = await this.#o.store.leaseAsyncEvents(now, now + LEASE_MS, wanted);
          this.#ready.push(...events);
          this.#startReady();
          if (events.length < wanted) {
            // Nothing more is due: sleep until the earliest waiting event is.
            await this.#armTimer();
          }
        }
        // A wake() during any await above: look again rather than lose it.
        if (this.#wakeups === wakeups) {
          break;
        }
      }
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
      this.#timerAt = undefined;
    }
    if (next !== undefined && this.#running) {
      this.#timerAt = next;
      this.#timer = this.#o.clock.setTimeout(
        () => {
          this.#timer = undefined;
          this.#timerAt = undefined;
          this.wake();
        },
        Math.max(0, next - this.#o.clock.now()),
      );
    }
  }

  /** At most a round of slots' worth of leased events is left waiting: time to lease more. */
  #needsLease(): boolean {
    return this.#ready.length <= this.#o.slots.min;
  }

  /** Starts leased events while slots are free (none once stopped). */
  #startReady(): void {
    while (this.#running && this.#inFlight < this.#o.slots.limit) {
      const event = this.#ready.shift();
      if (event === undefined) {
        return;
      }
      this.#track(event);
    }
    if (this.#running && this.#ready.length > 0) {
      this.#armSlots();
    }
  }

  /** Reconsiders the slot limit one period from now (AsyncSlots), then starts what it allows. */
  #armSlots(): void {
    if (this.#slotsTimer !== undefined) {
      return;
    }
    this.#slotsTimer = this.#o.clock.setTimeout(() => {
      this.#slotsTimer = undefined;
      const { slots } = this.#o;
      slots.adjust(this.#ready.length > 0 && this.#inFlight >= slots.limit);
      this.#startReady();
      if (slots.limit > slots.min) {
        this.#armSlots();
      }
      if (this.#needsLease()) {
        this.wake();
      }
    }, SLOTS_PERIOD_MS);
  }

  #track(event: AsyncEvent): void {
    this.#inFlight += 1;
    let holdsSlot = true;
    // A slot is held while the function runs, not while its outcome is reported and written:
    // the event stays leased in the store until then, so a crash still runs it again.
    const ran = (): void => {
      if (!holdsSlot) {
        return;
      }
      holdsSlot = false;
      this.#inFlight -= 1;
      this.#startReady();
      if (this.#needsLease()) {
        this.wake();
      }
    };
    const done: Promise<void> = this.#attempt(event, ran)
      .catch((err: unknown) => {
        this.#o.onWarning(`async event ${event.requestId}: ${String(err)}`);
      })
      .finally(() => {
        ran();
        this.#settled.delete(done);
      });
    this.#settled.add(done);
  }

  /** `ran` is called once the function has run (or will not run). */
  async #attempt(event: AsyncEvent, ran: () => void): Promise<void> {
    const { retry, clock } = this.#o;
    let version: ResolvedVersion;
    try {
      version = await this.#o.resolver.resolve(event.functionName, event.qualifier);
    } catch {
      // The function (or its alias) was deleted: there is nothing left to invoke or report to.
      await this.#complete(event);
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
    ran();
    if (result === 'throttled') {
      const throttles = event.throttles + 1;
      const until = this.#backOff(event.functionName);
      await this.#settlements.add({
        kind: 'reschedule',
        id: event.id,
        attempts: event.attempts,
        throttles,
        nextAttemptAt: Math.max(until, clock.now() + retry.throttleDelayMs(throttles)),
      });
      return;
    }
    this.#reached(event.functionName);
    const attempts = event.attempts + 1;
    if (result.status === 'success') {
      if (cfg.onSuccess) {
        await this.#report(cfg.onSuccess, event, version, 'Success', attempts, result);
      }
      await this.#complete(event);
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
    await this.#settlements.add({
      kind: 'reschedule',
      id: event.id,
      attempts,
      throttles: event.throttles,
      nextAttemptAt,
    });
  }

  #complete(event: AsyncEvent): Promise<void> {
    return this.#settlements.add({ kind: 'complete', id: event.id });
  }

  /**
   * A throttle of `functionName`: starts its back-off (deferring its due events) unless one is
   * on, and returns when it ends.
   */
  #backOff(functionName: string): number {
    const now = this.#o.clock.now();
    const current = this.#backoffs.get(functionName);
    if (current !== undefined && current.until > now) {
      return current.until;
    }
    const level = (current?.level ?? 0) + 1;
    const until = now + this.#o.retry.throttleDelayMs(level);
    this.#backoffs.set(functionName, { until, level });
    void this.#settlements.add({ kind: 'defer', functionName, now, until }).catch(noop);
    return until;
  }

  /** An attempt of `functionName` ran: concurrency is back, so its back-off ends now. */
  #reached(functionName: string): void {
    const backoff = this.#backoffs.get(functionName);
    if (backoff === undefined) {
      return;
    }
    this.#backoffs.delete(functionName);
    const now = this.#o.clock.now();
    if (backoff.until > now) {
      void this.#settlements
        .add({ kind: 'resume', functionName, until: backoff.until, now })
        .catch(noop);
    }
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
    await this.#complete(event);
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

/** A failed defer or resume only costs timing: the events stay in the queue either way. */
function noop(): void {}

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
