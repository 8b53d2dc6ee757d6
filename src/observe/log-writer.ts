import type { Clock, TimerHandle } from '../core/clock.js';

/** Lines of a log stream written together: one CloudWatch Logs event per line when read. */
export interface LogEvent {
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly timestamp: number;
  readonly message: string;
}

/** Where log events end up (the Store implements this). */
export interface LogEventSink {
  appendLogEvents(events: readonly LogEvent[]): Promise<void>;
}

const FLUSH_DELAY_MS = 20;
const MAX_BATCH = 5_000;

/**
 * Batches log events off the invocation path: an invocation only appends to memory;
 * a timer writes the batch to the store in one transaction.
 */
export class LogWriter {
  readonly #sink: LogEventSink;
  readonly #clock: Clock;
  #pending: LogEvent[] = [];
  #timer: TimerHandle | undefined;
  #flushing: Promise<void> = Promise.resolve();
  readonly #onError: (err: unknown) => void;

  constructor(sink: LogEventSink, clock: Clock, onError: (err: unknown) => void) {
    this.#sink = sink;
    this.#clock = clock;
    this.#onError = onError;
  }

  /** Queues `text`, every line of it an event stamped `timestamp` (none if it is empty). */
  write(logGroupName: string, logStreamName: string, timestamp: number, text: string): void {
    if (text === '') {
      return;
    }
    this.#pending.push({ logGroupName, logStreamName, timestamp, message: text });
    if (this.#pending.length >= MAX_BATCH) {
      void this.flush();
    } else {
      this.#timer ??= this.#clock.setTimeout(() => {
        this.#timer = undefined;
        void this.flush();
      }, FLUSH_DELAY_MS);
    }
  }

  /** Writes everything pending; resolves when it is in the store. */
  flush(): Promise<void> {
    if (this.#timer) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const batch = this.#pending;
    this.#pending = [];
    this.#flushing = this.#flushing.then(async () => {
      if (batch.length > 0) {
        try {
          await this.#sink.appendLogEvents(batch);
        } catch (err) {
          this.#onError(err);
        }
      }
    });
    return this.#flushing;
  }
}
