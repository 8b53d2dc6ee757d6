import { randomBytes } from 'node:crypto';
import type { AccountContext } from '../../core/arn.js';
import type { Clock } from '../../core/clock.js';
import { ServiceError } from '../../core/errors.js';
import { invalidParameter, queryCodeOf, receiptHandleIsInvalid, sqsError } from './errors.js';
import { MAX_BATCH_BYTES, messageSize, validateBatchIds } from './message-validation.js';
import { prepareMessage, sendResult, type PreparedSend } from './outgoing-message.js';
import { integerAttribute } from './queue-attributes.js';
import type { QueueRegistry } from './queue-registry.js';
import type { QueueRecord, QueueStore, ReceiptOutcome } from './queue-store.js';
import { decodeReceiptHandle, type ReceiptHandle } from './receipt-handle.js';
import { renderReceived } from './received-message.js';
import type {
  BatchEntryError,
  BatchResult,
  OutgoingMessage,
  QueueRef,
  ReceiveOptions,
  ReceivedMessage,
  SendResult,
} from './types.js';
import type { QueueWakeups } from './wakeups.js';

/** A message can stay in flight at most 12 hours from its receive. */
const MAX_IN_FLIGHT_MS = 43_200_000;
/** Expired messages are deleted (they are already invisible) at most this often per queue. */
const SWEEP_INTERVAL_MS = 60_000;

/** Message operations: send, receive (with long polling and redrive), delete, visibility. */
export class Messaging {
  readonly #store: QueueStore;
  readonly #clock: Clock;
  readonly #ctx: AccountContext;
  readonly #queues: QueueRegistry;
  readonly #wakeups: QueueWakeups;
  readonly #lastSweep = new Map<number, number>();

  constructor(options: {
    store: QueueStore;
    clock: Clock;
    ctx: AccountContext;
    queues: QueueRegistry;
    wakeups: QueueWakeups;
  }) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#ctx = options.ctx;
    this.#queues = options.queues;
    this.#wakeups = options.wakeups;
  }

  async send(ref: QueueRef, message: OutgoingMessage): Promise<SendResult> {
    const queue = await this.#queues.resolve(ref);
    const prepared = prepareMessage(queue, message, this.#clock.now(), this.#ctx.accountId);
    const [sent] = await this.#store.sendMessages(queue.id, [prepared.record]);
    this.#wakeups.notify(queue.id);
    if (!sent) {
      throw new Error('the store returned no result for a sent message');
    }
    return sendResult(queue, prepared, sent);
  }

  async sendBatch(
    ref: QueueRef,
    entries: readonly (OutgoingMessage & { readonly id: string })[],
  ): Promise<BatchResult<SendResult>> {
    const queue = await this.#queues.resolve(ref);
    validateBatchIds(
      entries.map((entry) => entry.id),
      'SendMessageBatchRequestEntry',
    );
    const total = entries.reduce(
      (sum, entry) => sum + messageSize(entry.body, entry.messageAttributes),
      0,
    );
    if (total > MAX_BATCH_BYTES) {
      throw sqsError(
        'BatchRequestTooLong',
        `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${total} bytes.`,
      );
    }
    const now = this.#clock.now();
    const failed: BatchEntryError[] = [];
    const accepted: { id: string; prepared: PreparedSend }[] = [];
    for (const entry of entries) {
      try {
        accepted.push({
          id: entry.id,
          prepared: prepareMessage(queue, entry, now, this.#ctx.accountId),
        });
      } catch (error) {
        failed.push(entryError(entry.id, error));
      }
    }
    const sent =
      accepted.length > 0
        ? await this.#store.sendMessages(
            queue.id,
            accepted.map((a) => a.prepared.record),
          )
        : [];
    this.#wakeups.notify(queue.id);
    const successful = accepted.map((a, i) => {
      const stored = sent[i];
      if (!stored) {
        throw new Error('the store returned fewer results than messages sent');
      }
      return { id: a.id, ...sendResult(queue, a.prepared, stored) };
    });
    return { successful, failed };
  }

  async receive(
    ref: QueueRef,
    options: ReceiveOptions = {},
    signal?: AbortSignal,
  ): Promise<ReceivedMessage[]> {
    // The wait time counts from the call, not from when the queue has been looked up.
    const startedAt = this.#clock.now();
    let queue = await this.#queues.resolve(ref);
    const max = options.maxNumberOfMessages ?? 1;
    if (!Number.isInteger(max) || max < 1 || max > 10) {
      throw invalidParameter('MaxNumberOfMessages', max, 'Must be between 1 and 10, if provided.');
    }
    const visibility = options.visibilityTimeout ?? integerAttribute(queue, 'VisibilityTimeout');
    if (!Number.isInteger(visibility) || visibility < 0 || visibility > 43_200) {
      throw invalidParameter(
        'VisibilityTimeout',
        visibility,
        'Must be >= 0 and <= 43200, if provided.',
      );
    }
    const wait =
      options.waitTimeSeconds ?? integerAttribute(queue, 'ReceiveMessageWaitTimeSeconds');
    if (!Number.isInteger(wait) || wait < 0 || wait > 20) {
      throw invalidParameter('WaitTimeSeconds', wait, 'Must be >= 0 and <= 20, if provided.');
    }
    const deadline = startedAt + wait * 1000;
    // A caller that went away (or a service that closed) must not take messages it can no
    // longer be given.
    const abandoned = (): boolean => signal?.aborted === true || this.#wakeups.closed;
    for (;;) {
      const seen = this.#wakeups.version(queue.id);
      const now = this.#clock.now();
      await this.#sweepIfDue(queue, now);
      const redrive = await this.#redriveTarget(queue);
      const receipt = randomBytes(16).toString('hex');
      const outcome = await this.#store.receiveMessages({
        queueId: queue.id,
        fifo: queue.fifo,
        now,
        max,
        visibleAt: now + visibility * 1000,
        retainedAfter: this.#queues.retainedAfter(queue, now),
        receipt,
        ...(redrive && { redrive }),
      });
      if (redrive && outcome.redriven > 0) {
        this.#wakeups.notify(redrive.targetQueueId);
      }
      if (outcome.messages.length > 0) {
        return outcome.messages.map((stored) =>
          renderReceived(queue, stored, { queueId: queue.id, seq: stored.seq, receipt }, options),
        );
      }
      if (now >= deadline || abandoned()) {
        return [];
      }
      const next = await this.#store.nextVisibleAt(queue.id, now);
      await this.#wakeups.wait(queue.id, seen, Math.min(deadline, next ?? deadline), signal);
      if (abandoned()) {
        return [];
      }
      // Pick up attribute changes (and deletion) made while waiting.
      queue = await this.#queues.resolve(ref);
    }
  }

  async delete(ref: QueueRef, receiptHandle: string): Promise<void> {
    const queue = await this.#queues.resolve(ref);
    const handle = this.#decode(queue, receiptHandle);
    const [outcome] = await this.#store.deleteMessages(queue.id, [handle], {
      now: this.#clock.now(),
      onlyInFlight: queue.fifo,
    });
    checkDelete(queue, receiptHandle, outcome);
  }

  async deleteBatch(
    ref: QueueRef,
    entries: readonly { readonly id: string; readonly receiptHandle: string }[],
  ): Promise<BatchResult<object>> {
    const queue = await this.#queues.resolve(ref);
    validateBatchIds(
      entries.map((entry) => entry.id),
      'DeleteMessageBatchRequestEntry',
    );
    return this.#batch(
      entries,
      (e) => this.#decode(queue, e.receiptHandle),
      async (targets) =>
        (
          await this.#store.deleteMessages(queue.id, targets, {
            now: this.#clock.now(),
            onlyInFlight: queue.fifo,
          })
        ).map((outcome, i) => () => {
          checkDelete(queue, entries[i]?.receiptHandle ?? '', outcome);
        }),
    );
  }

  async changeVisibility(
    ref: QueueRef,
    receiptHandle: string,
    visibilityTimeout: number,
  ): Promise<void> {
    const result = await this.changeVisibilityBatch(ref, [
      { id: 'single', receiptHandle, visibilityTimeout },
    ]);
    const failure = result.failed[0];
    if (failure) {
      throw failure.cause;
    }
  }

  async changeVisibilityBatch(
    ref: QueueRef,
    entries: readonly {
      readonly id: string;
      readonly receiptHandle: string;
      readonly visibilityTimeout: number;
    }[],
  ): Promise<BatchResult<object> & { failed: readonly (BatchEntryError & { cause: Error })[] }> {
    const queue = await this.#queues.resolve(ref);
    validateBatchIds(
      entries.map((entry) => entry.id),
      'ChangeMessageVisibilityBatchRequestEntry',
    );
    const now = this.#clock.now();
    const result = await this.#batch(
      entries,
      (e) => {
        const t = e.visibilityTimeout;
        if (!Number.isInteger(t) || t < 0 || t > 43_200) {
          throw invalidParameter(
            'VisibilityTimeout',
            t,
            'Must be between 0 and 43200, if provided.',
          );
        }
        return { ...this.#decode(queue, e.receiptHandle), visibleAt: now + t * 1000 };
      },
      async (targets) =>
        (
          await this.#store.changeVisibility(queue.id, targets, {
            now,
            maxInFlightMs: MAX_IN_FLIGHT_MS,
          })
        ).map((outcome, i) => () => {
          checkVisibilityChange(entries[i], outcome);
        }),
    );
    this.#wakeups.notify(queue.id);
    return result;
  }

  /**
   * Runs a batch: `parse` validates each entry (a throw fails that entry), `apply` runs the
   * valid ones in one store call and returns a check per entry (a throw fails that entry).
   */
  async #batch<E extends { readonly id: string }, T>(
    entries: readonly E[],
    parse: (entry: E) => T,
    apply: (targets: T[]) => Promise<(() => void)[]>,
  ): Promise<BatchResult<object> & { failed: (BatchEntryError & { cause: Error })[] }> {
    const failed: (BatchEntryError & { cause: Error })[] = [];
    const valid: { entry: E; target: T }[] = [];
    for (const entry of entries) {
      try {
        valid.push({ entry, target: parse(entry) });
      } catch (error) {
        failed.push(entryError(entry.id, error));
      }
    }
    const checks = valid.length > 0 ? await apply(valid.map((v) => v.target)) : [];
    const successful: { id: string }[] = [];
    valid.forEach(({ entry }, i) => {
      try {
        checks[i]?.();
        successful.push({ id: entry.id });
      } catch (error) {
        failed.push(entryError(entry.id, error));
      }
    });
    return { successful, failed };
  }

  #decode(queue: QueueRecord, receiptHandle: string): ReceiptHandle {
    const handle = decodeReceiptHandle(receiptHandle);
    if (!handle || handle.queueId !== queue.id) {
      throw receiptHandleIsInvalid(receiptHandle);
    }
    return handle;
  }

  async #redriveTarget(queue: QueueRecord): Promise<
    | {
        targetQueueId: number;
        maxReceiveCount: number;
        sourceArn: string;
        restartRetention: boolean;
      }
    | undefined
  > {
    const raw = queue.attributes.RedrivePolicy;
    if (!raw) {
      return undefined;
    }
    const policy = JSON.parse(raw) as { deadLetterTargetArn: string; maxReceiveCount: number };
    // A dead-letter queue deleted after the policy was set: messages stay in the source queue.
    const target = await this.#queues.find(policy.deadLetterTargetArn);
    return (
      target && {
        targetQueueId: target.id,
        maxReceiveCount: policy.maxReceiveCount,
        sourceArn: this.#queues.arn(queue.name),
        // FIFO dead-letter queues reset a moved message's retention clock; standard ones keep it.
        restartRetention: target.fifo,
      }
    );
  }

  async #sweepIfDue(queue: QueueRecord, now: number): Promise<void> {
    if (now - (this.#lastSweep.get(queue.id) ?? -Infinity) < SWEEP_INTERVAL_MS) {
      return;
    }
    this.#lastSweep.set(queue.id, now);
    await this.#store.deleteExpired(queue.id, this.#queues.retainedAfter(queue, now), now);
  }
}

function entryError(id: string, error: unknown): BatchEntryError & { cause: Error } {
  if (error instanceof ServiceError) {
    return {
      id,
      senderFault: error.fault === 'client',
      code: queryCodeOf(error.code),
      message: error.message,
      cause: error,
    };
  }
  throw error;
}

/**
 * Standard queues: a stale or already-used receipt deletes nothing and still succeeds.
 * FIFO queues: a receipt whose visibility timeout has passed has expired.
 */
function checkDelete(
  queue: QueueRecord,
  receiptHandle: string,
  outcome: ReceiptOutcome | undefined,
): void {
  if (queue.fifo && (outcome === 'stale' || outcome === 'not-in-flight')) {
    throw invalidParameter('ReceiptHandle', receiptHandle, 'The receipt handle has expired.');
  }
}

function checkVisibilityChange(
  entry: { readonly receiptHandle: string; readonly visibilityTimeout: number } | undefined,
  outcome: ReceiptOutcome | undefined,
): void {
  switch (outcome) {
    case 'done':
    case undefined:
      return;
    case 'not-in-flight':
      throw sqsError('MessageNotInflight', 'The message referred to is not in flight.');
    case 'limit':
      throw invalidParameter(
        'VisibilityTimeout',
        entry?.visibilityTimeout,
        'Total VisibilityTimeout for the message is beyond the limit [43200 seconds]',
      );
    case 'gone':
    case 'stale':
      throw invalidParameter(
        'ReceiptHandle',
        entry?.receiptHandle,
        'Message does not exist or is not available for visibility timeout change.',
      );
  }
}
