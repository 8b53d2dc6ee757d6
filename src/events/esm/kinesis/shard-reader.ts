/**
 * One ordered reader per shard. It reads the shard from its checkpoint into lanes: one lane, or
 * with ParallelizationFactor N, N lanes chosen by partition key hash, so records of one partition
 * key stay in order while up to N batches of the shard run at once. The shard's checkpoint is the
 * last record before which everything has settled, stored after every advance: a restart resumes
 * there, skipping nothing (records after it may be seen again, as on AWS: at least once).
 * With TumblingWindowInSeconds each lane keeps its own window (tumbling-window.ts): batches stop
 * at the window's boundary, and the lane makes the window's final invocation once the window is
 * over: the next window's records are at the front, or its time has passed and the reader has
 * read every record that arrived within it.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html
 */
import { createHash } from 'node:crypto';
import type { FilterCriteriaMatcher } from '../../filter/index.js';
import type { StreamRecord } from '../../kinesis/index.js';
import { FailureReporter, MAX_BATCH_PAYLOAD_BYTES, pause, Wakeup } from '../poller.js';
import { finishWindow, processStreamBatch, type ShardContext } from './stream-batch.js';
import { TumblingWindow } from './tumbling-window.js';

interface Entry {
  readonly record: StreamRecord;
  settled: boolean;
}

interface Lane {
  readonly queue: Entry[];
  readonly wakeup: Wakeup;
  /** When the lane's oldest queued record was read (its batching window starts then). */
  since: number;
  /** The open tumbling window, when the mapping has them. */
  window?: TumblingWindow | undefined;
}

export interface ShardReaderOptions {
  readonly shard: Omit<ShardContext, 'settled'>;
  readonly filter: FilterCriteriaMatcher;
  /** The sequence number processing resumes after. */
  readonly checkpoint: string;
  /** Stores an advanced checkpoint. */
  readonly saveCheckpoint: (sequenceNumber: string) => Promise<void>;
}

export class ShardReader {
  readonly #opts: ShardReaderOptions;
  readonly #ctx: ShardContext;
  readonly #lanes: Lane[];
  /** Read records not yet behind the checkpoint, in shard order, from #head on. */
  #window: Entry[] = [];
  #head = 0;
  #readAfter: string;
  readonly #newRecords = new Wakeup();
  /** Arrival time of the newest record read. */
  #newestRead = 0;
  /** The last read found nothing new, and no new records were announced since. */
  #caughtUp = false;
  readonly #tasks: Promise<void>[] = [];
  readonly #failures: FailureReporter;

  constructor(opts: ShardReaderOptions) {
    this.#opts = opts;
    this.#readAfter = opts.checkpoint;
    this.#failures = new FailureReporter(opts.shard.deps.onWarning);
    this.#ctx = { ...opts.shard, settled: (records) => this.#settle(records) };
    this.#lanes = Array.from({ length: opts.shard.settings.parallelizationFactor }, () => ({
      queue: [],
      wakeup: new Wakeup(),
      since: 0,
    }));
  }

  /** Starts reading and processing; `stop` on the shard's signal ends both. */
  start(): void {
    this.#tasks.push(this.#read(), ...this.#lanes.map((lane) => this.#process(lane)));
  }

  /** Called when the shard has new records. */
  notify(): void {
    this.#caughtUp = false;
    this.#newRecords.notify();
  }

  async stopped(): Promise<void> {
    await Promise.all(this.#tasks);
  }

  /** Records read but not yet taken into a batch (a tumbling window holds processed ones). */
  #buffered(): number {
    return this.#lanes.reduce((n, lane) => n + lane.queue.length, 0);
  }

  async #read(): Promise<void> {
    const { deps, settings, signal, shardId, streamArn } = this.#ctx;
    const maxBuffered = Math.min(10_000, settings.batchSize * settings.parallelizationFactor * 2);
    let errors = 0;
    while (!signal.aborted) {
      const room = maxBuffered - this.#buffered();
      if (room > 0) {
        try {
          const batch = await deps.streams.readShard({ streamArn }, shardId, this.#readAfter, room);
          errors = 0;
          this.#failures.recovered();
          this.#readAfter = batch.checkpoint;
          this.#newestRead = batch.records.at(-1)?.approximateArrivalTimestamp ?? this.#newestRead;
          this.#caughtUp = batch.records.length === 0;
          if (settings.tumblingWindowInSeconds > 0) {
            // Lanes whose window has ended wait for the reader to be past it.
            for (const lane of this.#lanes) {
              lane.wakeup.notify();
            }
          }
          if (batch.records.length > 0) {
            this.#distribute(batch.records);
            continue;
          }
        } catch (error) {
          this.#failures.failed(
            `event source mapping ${this.#ctx.mapping.uuid}: cannot read ${streamArn} ${shardId}: ${String(error)}`,
          );
          await pause(deps.clock, Math.min(30_000, 1000 * 2 ** errors++), signal);
          continue;
        }
      }
      await this.#newRecords.wait(signal, deps.clock);
    }
  }

  /** Queues records on their lanes; records a filter rejects settle without an invocation. */
  #distribute(records: readonly StreamRecord[]): void {
    const now = this.#ctx.deps.clock.now();
    const lanes = this.#lanes.length;
    for (const record of records) {
      const entry: Entry = { record, settled: false };
      this.#window.push(entry);
      const kinesis = {
        kinesisSchemaVersion: '1.0',
        partitionKey: record.partitionKey,
        sequenceNumber: record.sequenceNumber,
        data: record.data.toString('base64'),
        approximateArrivalTimestamp: record.approximateArrivalTimestamp / 1000,
      };
      if (!this.#opts.filter.matches(kinesis)) {
        entry.settled = true;
        continue;
      }
      const lane = this.#lanes[lanes === 1 ? 0 : laneOf(record.partitionKey, lanes)];
      if (lane !== undefined) {
        if (lane.queue.length === 0) {
          lane.since = now;
        }
        lane.queue.push(entry);
        lane.wakeup.notify();
      }
    }
    void this.#advance();
  }

  async #process(lane: Lane): Promise<void> {
    const { deps, settings, signal } = this.#ctx;
    const windowMs = settings.maximumBatchingWindowInSeconds * 1000;
    while (!signal.aborted) {
      const open = lane.window;
      const head = lane.queue[0]?.record;
      const now = deps.clock.now();
      if (
        open !== undefined &&
        (open.terminatedEarly ||
          (head === undefined
            ? now >= open.endMs && this.#readThrough(open.endMs)
            : !open.contains(head)))
      ) {
        await finishWindow(open, this.#ctx);
        lane.window = undefined;
        continue;
      }
      if (head === undefined) {
        // An open window: until it ends; once ended, until the reader is past it.
        await lane.wakeup.wait(
          signal,
          deps.clock,
          open === undefined || now >= open.endMs ? undefined : open.endMs - now,
        );
        continue;
      }
      const waitMs = lane.since + windowMs - deps.clock.now();
      if (lane.queue.length < settings.batchSize && waitMs > 0) {
        await lane.wakeup.wait(signal, deps.clock, waitMs);
        continue;
      }
      if (settings.tumblingWindowInSeconds > 0) {
        lane.window ??= new TumblingWindow(head, settings.tumblingWindowInSeconds);
      }
      const window = lane.window;
      const batch = takeBatch(lane.queue, settings.batchSize, (r) => window?.contains(r) ?? true);
      lane.since = deps.clock.now();
      await processStreamBatch(
        batch.map((e) => e.record),
        this.#ctx,
        window,
      );
      // More may be read now that the buffer has room.
      this.#newRecords.notify();
    }
  }

  /** Whether every record that arrived before `ms` has been read. */
  #readThrough(ms: number): boolean {
    return this.#caughtUp || this.#newestRead >= ms;
  }

  async #settle(records: readonly StreamRecord[]): Promise<void> {
    if (records.length === 0) {
      return;
    }
    const done = new Set(records.map((r) => r.sequenceNumber));
    for (let i = this.#head; i < this.#window.length; i++) {
      const entry = this.#window[i];
      if (entry !== undefined && done.has(entry.record.sequenceNumber)) {
        entry.settled = true;
      }
    }
    await this.#advance();
  }

  /** Moves the checkpoint over every settled record at the front and stores it. */
  async #advance(): Promise<void> {
    let last: string | undefined;
    while (this.#head < this.#window.length && this.#window[this.#head]?.settled === true) {
      last = this.#window[this.#head]?.record.sequenceNumber;
      this.#head++;
    }
    if (this.#head > 1024) {
      this.#window = this.#window.slice(this.#head);
      this.#head = 0;
    }
    if (last !== undefined) {
      await this.#opts.saveCheckpoint(last);
    }
  }
}

/**
 * Takes up to `max` records from the front of the queue, within the payload limit, stopping at
 * the first record `fits` refuses (one of the next tumbling window).
 */
function takeBatch(queue: Entry[], max: number, fits: (record: StreamRecord) => boolean): Entry[] {
  let bytes = 0;
  let n = 0;
  while (n < queue.length && n < max) {
    const entry = queue[n];
    if (entry === undefined || !fits(entry.record)) {
      break;
    }
    const size = (entry.record.data.length * 4) / 3 + 512;
    if (n > 0 && bytes + size > MAX_BATCH_PAYLOAD_BYTES) {
      break;
    }
    bytes += size;
    n++;
  }
  return queue.splice(0, n);
}

/** The lane of a partition key: a stable hash of the key, as Lambda keeps keys on one batch stream. */
function laneOf(partitionKey: string, lanes: number): number {
  return createHash('md5').update(partitionKey).digest().readUInt32BE(0) % lanes;
}
