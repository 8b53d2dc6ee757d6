import { Worker } from 'node:worker_threads';
import type { Clock } from '../core/clock.js';
import type { LogEvent, LogEventSink } from './log-writer.js';

/** A batch handed to the thread, and its answer. */
export interface LogBatch {
  readonly id: number;
  readonly events: readonly LogEvent[];
  readonly ingestionTime: number;
}
export interface LogBatchDone {
  readonly id: number;
  readonly error?: string;
}

/**
 * Stores log events from a thread of its own, on its own connection to the database: a
 * commit waits for the disk (synchronous=FULL), and that wait must never stall the thread
 * that serves invocations. Batches are committed in the order they were written.
 */
export class LogThread implements LogEventSink {
  readonly #worker: Worker;
  readonly #clock: Clock;
  readonly #pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  /** The last batch handed over: batches are stored in order, so it is the last to settle. */
  #last: Promise<void> = Promise.resolve();
  #next = 0;

  private constructor(worker: Worker, clock: Clock) {
    this.#worker = worker;
    this.#clock = clock;
    worker.on('message', (done: LogBatchDone) => {
      const waiting = this.#pending.get(done.id);
      this.#pending.delete(done.id);
      if (this.#pending.size === 0) {
        // An idle thread never keeps the server alive.
        worker.unref();
      }
      if (done.error === undefined) {
        waiting?.resolve();
      } else {
        waiting?.reject(new Error(done.error));
      }
    });
    worker.on('error', (err) => {
      for (const waiting of this.#pending.values()) {
        waiting.reject(err);
      }
      this.#pending.clear();
    });
    worker.unref();
  }

  /** Starts the thread on the SQLite database at `path` (its tables already migrated). */
  static async open(path: string, clock: Clock): Promise<LogThread> {
    const worker = new Worker(new URL('./log-thread-worker.js', import.meta.url), {
      workerData: { path },
    });
    await new Promise<void>((resolve, reject) => {
      worker.once('online', resolve);
      worker.once('error', reject);
    });
    return new LogThread(worker, clock);
  }

  appendLogEvents(events: readonly LogEvent[]): Promise<void> {
    const id = this.#next++;
    const stored = new Promise<void>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
    });
    this.#worker.ref();
    const batch: LogBatch = { id, events, ingestionTime: this.#clock.now() };
    this.#worker.postMessage(batch);
    this.#last = stored.catch(() => undefined);
    return stored;
  }

  /** Stops the thread once every batch handed to it is stored. */
  async close(): Promise<void> {
    await this.#last;
    await this.#worker.terminate();
  }
}
