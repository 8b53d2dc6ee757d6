/**
 * The SQS source: long-polling workers that gather batches, invoke the function, and settle the
 * messages as Lambda does.
 *
 * - Scaling: one worker long-polls an idle queue. A worker that receives a full batch starts
 *   another — at once up to five, then at most 300 more a minute, as Lambda ramps up — up to
 *   ScalingConfig.MaximumConcurrency (else Lambda's 1,000 concurrent batches per mapping); a
 *   worker whose long poll comes back empty, or whose batch failed, stops while others run.
 *   Throttles from the invoke service bound it by the function's concurrency.
 *   https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html
 * - Batching: up to BatchSize messages, gathered for up to MaximumBatchingWindowInSeconds after the
 *   first one arrives, within the 6 MB payload limit.
 * - Failures: a failed batch is left to become visible again after the queue's visibility timeout
 *   (redrive to the dead-letter queue by maxReceiveCount is the queue's own); a throttled batch is
 *   retried with backoff until its visibility timeout runs out. With ReportBatchItemFailures only
 *   the successes are deleted. Messages a filter rejects are deleted without invoking.
 *   https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 * - FIFO queues: the queue hands out a message group only while none of its messages is in
 *   flight, so workers process each group in order and run as many batches as there are active
 *   groups.
 */
import { setMaxListeners } from 'node:events';
import { compileFilterCriteria, type FilterCriteriaMatcher } from '../../filter/index.js';
import type { ReceivedMessage } from '../../sqs/types.js';
import { invokeBatch } from '../invocation.js';
import {
  backoffMs,
  FailureReporter,
  isAborted,
  MAX_BATCH_PAYLOAD_BYTES,
  pause,
  type Poller,
  type PollerDeps,
} from '../poller.js';
import type { MappingRecord, SqsSettings } from '../types.js';
import { sqsEventRecord, type SqsEventRecord } from './sqs-event.js';

/** Lambda's ceiling on concurrent batches of one SQS mapping. */
const MAX_CONCURRENT_BATCHES = 1000;
/** Lambda starts five concurrent batches on a backlog, then adds up to 300 a minute. */
const INITIAL_WORKERS = 5;
const SCALE_UP_INTERVAL_MS = 60_000 / 300;
/** SQS returns at most 10 messages per receive, of at most 256 KiB each. */
const RECEIVE_MAX = 10;
const RECEIVE_MAX_BYTES = RECEIVE_MAX * 262_144;
const LONG_POLL_SECONDS = 20;

interface GatheredBatch {
  readonly messages: ReceivedMessage[];
  /** The first receive came back with all it asked for: there is a backlog. */
  readonly backlog: boolean;
  readonly receivedAt: number;
}

export function startSqsPoller(
  mapping: MappingRecord,
  settings: SqsSettings,
  deps: PollerDeps,
): Poller {
  return new SqsPoller(mapping, settings, deps);
}

class SqsPoller implements Poller {
  readonly #mapping: MappingRecord;
  readonly #settings: SqsSettings;
  readonly #deps: PollerDeps;
  readonly #queueArn: string;
  readonly #filter: FilterCriteriaMatcher;
  readonly #maxWorkers: number;
  readonly #abort = new AbortController();
  readonly #running = new Set<Promise<void>>();
  readonly #failures: FailureReporter;
  /** Workers that have not decided to stop (decided synchronously, so never all at once). */
  #active = 0;
  #lastScaleUp = 0;
  #visibilityMs: number | undefined;

  constructor(mapping: MappingRecord, settings: SqsSettings, deps: PollerDeps) {
    this.#mapping = mapping;
    this.#settings = settings;
    this.#deps = deps;
    this.#queueArn = mapping.eventSourceArn ?? '';
    this.#filter = compileFilterCriteria(settings.filterPatterns, 'sqs');
    this.#maxWorkers = settings.maximumConcurrency ?? MAX_CONCURRENT_BATCHES;
    this.#failures = new FailureReporter(deps.onWarning);
    // Every worker's long poll listens to this signal; their number is bounded by #maxWorkers.
    setMaxListeners(0, this.#abort.signal);
    this.#spawn();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    while (this.#running.size > 0) {
      await Promise.all([...this.#running]);
    }
  }

  #spawn(): void {
    if (this.#active >= this.#maxWorkers || this.#abort.signal.aborted) {
      return;
    }
    const now = this.#deps.clock.now();
    if (this.#active >= INITIAL_WORKERS) {
      if (now - this.#lastScaleUp < SCALE_UP_INTERVAL_MS) {
        return;
      }
      this.#lastScaleUp = now;
    }
    this.#active++;
    if (this.#active === INITIAL_WORKERS) {
      // The ramp beyond the first five starts now.
      this.#lastScaleUp = now;
    }
    const run = this.#work().catch((error: unknown) => {
      this.#active--;
      this.#deps.onWarning(
        `event source mapping ${this.#mapping.uuid}: SQS poller failed: ${String(error)}`,
      );
    });
    this.#running.add(run);
    void run.finally(() => this.#running.delete(run));
  }

  /** Stops this worker if another one runs. */
  #mayStop(): boolean {
    if (this.#active > 1) {
      this.#active--;
      return true;
    }
    return false;
  }

  async #work(): Promise<void> {
    const signal = this.#abort.signal;
    let errors = 0;
    while (!signal.aborted) {
      let batch: GatheredBatch;
      try {
        batch = await this.#gather();
        this.#failures.recovered();
        errors = 0;
      } catch (error) {
        this.#failures.failed(
          `event source mapping ${this.#mapping.uuid}: cannot receive from ${this.#queueArn}: ${String(error)}`,
        );
        await pause(this.#deps.clock, backoffMs(++errors, 1000, 30_000), signal);
        continue;
      }
      if (isAborted(signal)) {
        await this.#release(batch.messages);
        break;
      }
      if (batch.messages.length === 0) {
        if (this.#mayStop()) {
          return;
        }
        continue;
      }
      if (batch.backlog) {
        this.#spawn();
      }
      let healthy: boolean;
      try {
        healthy = await this.#process(batch);
      } catch (error) {
        // The queue went away between receive and settle: its messages are gone with it.
        this.#failures.failed(
          `event source mapping ${this.#mapping.uuid}: cannot process a batch of ${this.#queueArn}: ${String(error)}`,
        );
        healthy = false;
      }
      if (!healthy && this.#mayStop()) {
        return;
      }
    }
    this.#active--;
  }

  /** Receives up to BatchSize messages: a long poll, then more within the batching window. */
  async #gather(): Promise<GatheredBatch> {
    const { clock, queues } = this.#deps;
    const signal = this.#abort.signal;
    const want = this.#settings.batchSize;
    const first = await queues.receiveMessages(
      this.#queueArn,
      {
        maxNumberOfMessages: Math.min(RECEIVE_MAX, want),
        waitTimeSeconds: LONG_POLL_SECONDS,
        systemAttributeNames: ['All'],
        messageAttributeNames: ['All'],
      },
      signal,
    );
    const receivedAt = clock.now();
    const messages = [...first];
    const windowMs = this.#settings.maximumBatchingWindowInSeconds * 1000;
    if (messages.length === 0 || windowMs === 0) {
      return { messages, backlog: first.length === Math.min(RECEIVE_MAX, want), receivedAt };
    }
    // The window runs from the first message: gather until the batch is full, the window closes,
    // or one more receive could take the event past the payload limit.
    const deadline = receivedAt + windowMs;
    let bytes = messages.reduce((sum, m) => sum + messageBytes(m), 0);
    while (
      messages.length < want &&
      bytes + RECEIVE_MAX_BYTES < MAX_BATCH_PAYLOAD_BYTES &&
      !signal.aborted
    ) {
      const remaining = deadline - clock.now();
      if (remaining <= 0) {
        break;
      }
      // Ends this receive at the window's close or when the poller stops.
      const windowClosed = new AbortController();
      const close = (): void => {
        windowClosed.abort();
      };
      const timer = clock.setTimeout(close, remaining);
      signal.addEventListener('abort', close, { once: true });
      try {
        const more = await queues.receiveMessages(
          this.#queueArn,
          {
            maxNumberOfMessages: Math.min(RECEIVE_MAX, want - messages.length),
            waitTimeSeconds: Math.min(LONG_POLL_SECONDS, Math.ceil(remaining / 1000)),
            systemAttributeNames: ['All'],
            messageAttributeNames: ['All'],
          },
          windowClosed.signal,
        );
        messages.push(...more);
        bytes += more.reduce((sum, m) => sum + messageBytes(m), 0);
      } finally {
        clock.clearTimeout(timer);
        signal.removeEventListener('abort', close);
      }
    }
    return { messages, backlog: messages.length >= want, receivedAt };
  }

  /** Filters, invokes and settles one batch; false when it failed (the worker may scale down). */
  async #process(batch: GatheredBatch): Promise<boolean> {
    const { ctx, clock, invoker } = this.#deps;
    const records = batch.messages.map((m) => sqsEventRecord(m, this.#queueArn, ctx.region));
    const kept: SqsEventRecord[] = [];
    const dropped: SqsEventRecord[] = [];
    for (const record of records) {
      (this.#filter.matches(record as unknown as Record<string, unknown>) ? kept : dropped).push(
        record,
      );
    }
    // Lambda deletes the messages a filter rejects: they would only come back otherwise.
    // https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html#filtering-sqs
    await this.#delete(dropped);
    if (kept.length === 0) {
      return true;
    }
    const ids = new Set(kept.map((r) => r.messageId));
    const deadline = batch.receivedAt + (await this.#visibilityTimeoutMs());
    const signal = this.#abort.signal;
    for (let attempt = 1; ; attempt++) {
      const outcome = await invokeBatch(
        invoker,
        this.#mapping,
        { Records: kept },
        ids,
        this.#settings.reportBatchItemFailures,
      );
      switch (outcome.kind) {
        case 'success':
          await this.#delete(kept);
          return true;
        case 'partial': {
          const failed = new Set(outcome.failed);
          await this.#delete(kept.filter((r) => !failed.has(r.messageId)));
          return true;
        }
        case 'function-error':
          // The messages come back after the visibility timeout. With ReportBatchItemFailures
          // Lambda does not scale polling down on failures.
          return this.#settings.reportBatchItemFailures;
        case 'not-invoked': {
          if (!outcome.throttled) {
            this.#failures.failed(
              `event source mapping ${this.#mapping.uuid}: cannot invoke ${this.#mapping.functionArn}: ${String(outcome.error)}`,
            );
          }
          const delay = backoffMs(attempt);
          // Throttled batches are retried until their visibility timeout runs out; then the queue
          // has them again.
          if (clock.now() + delay >= deadline || signal.aborted) {
            return false;
          }
          await pause(clock, delay, signal);
        }
      }
    }
  }

  async #visibilityTimeoutMs(): Promise<number> {
    if (this.#visibilityMs === undefined) {
      const attributes = await this.#deps.queues.getQueueAttributes(this.#queueArn, [
        'VisibilityTimeout',
      ]);
      this.#visibilityMs = Number(attributes.VisibilityTimeout ?? '30') * 1000;
    }
    return this.#visibilityMs;
  }

  async #delete(records: readonly SqsEventRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += RECEIVE_MAX) {
      const entries = records
        .slice(i, i + RECEIVE_MAX)
        .map((r, j) => ({ id: String(j), receiptHandle: r.receiptHandle }));
      try {
        // An entry failing means its receipt went stale (the message was received again after
        // its visibility timeout): that delivery is someone else's to settle.
        await this.#deps.queues.deleteMessageBatch(this.#queueArn, entries);
      } catch (error) {
        this.#deps.onWarning(
          `event source mapping ${this.#mapping.uuid}: cannot delete from ${this.#queueArn}: ${String(error)}`,
        );
      }
    }
  }

  /** Hands messages gathered but not invoked back to the queue at once (the poller is stopping). */
  async #release(messages: readonly ReceivedMessage[]): Promise<void> {
    for (let i = 0; i < messages.length; i += RECEIVE_MAX) {
      const entries = messages
        .slice(i, i + RECEIVE_MAX)
        .map((m, j) => ({ id: String(j), receiptHandle: m.receiptHandle, visibilityTimeout: 0 }));
      await this.#deps.queues.changeMessageVisibilityBatch(this.#queueArn, entries).catch(() => {
        // The queue is gone, or the receipts went stale: the messages are not ours any more.
      });
    }
  }
}

function messageBytes(m: ReceivedMessage): number {
  return Buffer.byteLength(m.body) + 1024;
}
