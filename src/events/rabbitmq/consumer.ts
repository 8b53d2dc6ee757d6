/**
 * The RabbitMQ source: a consumer on the mapping's queue (manual acknowledgements, prefetch of one
 * batch) that gathers batches, invokes the function, acknowledges a batch after it succeeded and
 * rejects it back onto the queue (requeue, so it comes back marked redelivered) after it failed.
 *
 * When the broker goes away, the connection's unacknowledged messages return to the queue on the
 * broker's side; the consumer drops what it held (it can no longer acknowledge it), reconnects with
 * backoff, trying each broker URL in turn, and consumes again. Acknowledged messages are never
 * delivered again; a batch whose acknowledgement the broker did not receive is, at least once.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-mq.html
 */
import { connect, type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { compileFilterCriteria, type FilterCriteriaMatcher } from '../filter/index.js';
import { invokeBatch } from '../esm/invocation.js';
import {
  backoffMs,
  FailureReporter,
  isAborted,
  pause,
  Wakeup,
  type Poller,
  type PollerDeps,
} from '../esm/poller.js';
import type { MappingRecord, RabbitMqSettings } from '../esm/types.js';
import { rmqEvent, rmqMessage, type RmqMessage } from './rmq-event.js';

/** Lambda's batching window for Amazon MQ when none is set. */
const DEFAULT_WINDOW_MS = 500;
/** Heartbeats let a dead connection be noticed without traffic. */
const HEARTBEAT_SECONDS = 5;

export function startRabbitMqPoller(
  mapping: MappingRecord,
  settings: RabbitMqSettings,
  deps: PollerDeps,
): Poller {
  const consumer = new RabbitMqConsumer(mapping, settings, deps);
  return { stop: () => consumer.stop() };
}

/** The broker ARN events carry: the mapping's, or one made up from the broker and mapping. */
export function brokerArn(
  mapping: MappingRecord,
  settings: RabbitMqSettings,
  deps: PollerDeps,
): string {
  if (mapping.eventSourceArn !== undefined) {
    return mapping.eventSourceArn;
  }
  const host = new URL(settings.brokerUrls[0] ?? 'amqp://localhost').hostname;
  return `arn:aws:mq:${deps.ctx.region}:${deps.ctx.accountId}:broker:${host}:b-${mapping.uuid}`;
}

interface Session {
  readonly model: ChannelModel;
  readonly channel: Channel;
  readonly buffer: ConsumeMessage[];
  readonly arrived: Wakeup;
  /** Aborted when the connection or channel closes. */
  readonly lost: AbortController;
}

class RabbitMqConsumer {
  readonly #mapping: MappingRecord;
  readonly #settings: RabbitMqSettings;
  readonly #deps: PollerDeps;
  readonly #filter: FilterCriteriaMatcher;
  readonly #arn: string;
  readonly #abort = new AbortController();
  readonly #failures: FailureReporter;
  readonly #running: Promise<void>;
  /** Consecutive failed batches: the delay before handing a failed batch back grows with it. */
  #failedBatches = 0;
  #lastResult: string | undefined;

  constructor(mapping: MappingRecord, settings: RabbitMqSettings, deps: PollerDeps) {
    this.#mapping = mapping;
    this.#settings = settings;
    this.#deps = deps;
    this.#filter = compileFilterCriteria(settings.filterPatterns, 'kinesis');
    this.#arn = brokerArn(mapping, settings, deps);
    this.#failures = new FailureReporter(deps.onWarning);
    this.#running = this.#run();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running;
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    let attempt = 0;
    while (!signal.aborted) {
      const url = this.#settings.brokerUrls[attempt % this.#settings.brokerUrls.length] ?? '';
      let session: Session | undefined;
      try {
        session = await this.#open(url);
        attempt = 0;
        this.#failures.recovered();
        await this.#consume(session);
      } catch (error) {
        attempt++;
        this.#failures.failed(
          `event source mapping ${this.#mapping.uuid}: RabbitMQ ${url} queue ${this.#settings.queue}: ${String(error)}`,
        );
      } finally {
        if (session !== undefined) {
          // The channel first: its close follows its acknowledgements on the wire, whereas the
          // connection's close may overtake acknowledgements still queued for the channel.
          await session.channel.close().catch(() => undefined);
          await session.model.close().catch(() => undefined);
        }
      }
      if (!isAborted(signal)) {
        await pause(this.#deps.clock, backoffMs(attempt, 100, 10_000), signal);
      }
    }
  }

  async #open(url: string): Promise<Session> {
    const parsed = new URL(url);
    const s = this.#settings;
    const model = await connect(
      {
        protocol: parsed.protocol.slice(0, -1),
        hostname: parsed.hostname,
        ...(parsed.port === '' ? {} : { port: Number(parsed.port) }),
        username: s.username,
        password: s.password,
        vhost: s.virtualHost,
        heartbeat: HEARTBEAT_SECONDS,
      },
      { timeout: 10_000 },
    );
    const lost = new AbortController();
    const onLost = (): void => {
      lost.abort();
    };
    model.on('close', onLost);
    // Errors are followed by 'close'; without a listener they would be thrown.
    model.on('error', () => undefined);
    try {
      const channel = await model.createChannel();
      channel.on('close', onLost);
      channel.on('error', () => undefined);
      await channel.checkQueue(s.queue);
      await channel.prefetch(s.batchSize);
      const buffer: ConsumeMessage[] = [];
      const arrived = new Wakeup();
      await channel.consume(
        s.queue,
        (message) => {
          if (message === null) {
            // The broker cancelled the consumer (the queue was deleted).
            lost.abort();
          } else {
            buffer.push(message);
          }
          arrived.notify();
        },
        { noAck: false },
      );
      return { model, channel, buffer, arrived, lost };
    } catch (error) {
      await model.close().catch(() => undefined);
      throw error;
    }
  }

  /** Gathers and processes batches until the session is lost or the consumer stops. */
  async #consume(session: Session): Promise<void> {
    const { clock } = this.#deps;
    // Stopping ends the session too; `until` then covers both.
    const end = (): void => {
      session.lost.abort();
    };
    this.#abort.signal.addEventListener('abort', end, { once: true });
    const until = session.lost.signal;
    const windowMs = this.#settings.maximumBatchingWindowInSeconds * 1000 || DEFAULT_WINDOW_MS;
    try {
      while (!until.aborted) {
        if (session.buffer.length === 0) {
          await session.arrived.wait(until, clock);
          continue;
        }
        const deadline = clock.now() + windowMs;
        while (session.buffer.length < this.#settings.batchSize && !isAborted(until)) {
          const remaining = deadline - clock.now();
          if (remaining <= 0) {
            break;
          }
          await session.arrived.wait(until, clock, remaining);
        }
        if (isAborted(until)) {
          break;
        }
        await this.#process(session, session.buffer.splice(0, this.#settings.batchSize), until);
      }
    } finally {
      this.#abort.signal.removeEventListener('abort', end);
    }
    if (!this.#abort.signal.aborted) {
      throw new Error('the connection to the broker was lost');
    }
  }

  async #process(session: Session, batch: ConsumeMessage[], until: AbortSignal): Promise<void> {
    const { clock, invoker } = this.#deps;
    const kept: { message: ConsumeMessage; record: RmqMessage }[] = [];
    for (const message of batch) {
      const record = rmqMessage(message);
      if (this.#filter.matches(record as unknown as Record<string, unknown>)) {
        kept.push({ message, record });
      } else {
        // Lambda drops messages a filter rejects.
        settle(session.channel, message, 'ack');
      }
    }
    if (kept.length === 0) {
      return;
    }
    const event = rmqEvent(
      this.#arn,
      this.#settings.queue,
      this.#settings.virtualHost,
      kept.map((k) => k.record),
    );
    for (let attempt = 1; !until.aborted; attempt++) {
      const outcome = await invokeBatch(invoker, this.#mapping, event, new Set(), false);
      if (outcome.kind === 'not-invoked') {
        // Throttled, or the function is missing: keep the batch and try again.
        await pause(clock, backoffMs(attempt, 100, 10_000), until);
        continue;
      }
      if (outcome.kind === 'success' || outcome.kind === 'partial') {
        this.#failedBatches = 0;
        this.#setResult('OK');
        for (const k of kept) {
          settle(session.channel, k.message, 'ack');
        }
        return;
      }
      this.#setResult('PROBLEM: Function call failed');
      // Requeued messages come straight back: wait a little so a failing batch does not spin.
      await pause(clock, backoffMs(++this.#failedBatches, 100, 10_000), until);
      for (const k of kept) {
        settle(session.channel, k.message, 'requeue');
      }
      return;
    }
  }

  #setResult(result: string): void {
    if (result !== this.#lastResult) {
      this.#lastResult = result;
      this.#deps.store.setLastProcessingResult(this.#mapping.uuid, result).catch(() => undefined);
    }
  }
}

/**
 * Acknowledges or requeues one message. On a closed channel this fails: the broker has already
 * requeued every message the channel held.
 */
function settle(channel: Channel, message: ConsumeMessage, how: 'ack' | 'requeue'): void {
  try {
    if (how === 'ack') {
      channel.ack(message);
    } else {
      channel.nack(message, false, true);
    }
  } catch {
    // The channel is gone; see above.
  }
}
