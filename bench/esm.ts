/**
 * Event source mappings: records per second through a queue mapping and a stream mapping to a
 * no-op function, and the delay from send (or put) to invocation when idle (p50, p99). The queue,
 * the stream and the mappings run on one SQLite file in WAL mode with synchronous=FULL, as the
 * platform's store opens it, on the system clock. The Invoker is a no-op that answers at once, so
 * the figures are the mapping machinery's (poll, batch, settle, checkpoint), not a function's.
 *
 *   npx tsc -b && node dist/bench/esm.js [--messages 20000] [--records 50000] [--samples 200]
 *
 * Every loop is bounded by those counts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { createSystemClock } from '../src/core/clock.js';
import { createEventSourceMappings, type EventSourceMappings } from '../src/events/esm/index.js';
import { createStreamService } from '../src/events/kinesis/index.js';
import { createQueueService } from '../src/events/sqs/index.js';
import type {
  FunctionResolver,
  InvokeInput,
  Invoker,
  ResolvedVersion,
} from '../src/invoke/types.js';
import { ESM_MIGRATION, SqliteEventSourceMappingStore } from '../src/store/sqlite/esm-tables.js';
import { migrate } from '../src/store/sqlite/migrations.js';
import { migrateQueues, SqliteQueueStore } from '../src/store/sqlite/queues.js';
import { migrateStreams, SqliteStreamStore } from '../src/store/sqlite/streams.js';
import { fmt, summary } from './lib.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '20000' },
    records: { type: 'string', default: '50000' },
    shards: { type: 'string', default: '4' },
    samples: { type: 'string', default: '200' },
  },
});
const MESSAGES = Number(values.messages);
const RECORDS = Number(values.records);
const SHARDS = Number(values.shards);
const SAMPLES = Number(values.samples);
const CTX = { region: 'us-east-1', accountId: '000000000000' };
const BODY = JSON.stringify({ orderId: 12345, items: ['a', 'b', 'c'], note: 'x'.repeat(200) });

/** Counts delivered records and tells a waiter when its count is reached. */
class NoopInvoker implements Invoker {
  delivered = 0;
  #waiter: { count: number; resolve: () => void } | undefined;
  #first: ((at: number) => void) | undefined;

  invoke(input: InvokeInput): ReturnType<Invoker['invoke']> {
    this.#first?.(performance.now());
    this.#first = undefined;
    const event = JSON.parse(input.payload.toString('utf8')) as { Records: unknown[] };
    this.delivered += event.Records.length;
    if (this.#waiter !== undefined && this.delivered >= this.#waiter.count) {
      this.#waiter.resolve();
      this.#waiter = undefined;
    }
    return Promise.resolve({
      statusCode: 200,
      executedVersion: '$LATEST',
      payload: Buffer.from('null'),
    });
  }

  reached(count: number): Promise<void> {
    return this.delivered >= count
      ? Promise.resolve()
      : new Promise((resolve) => {
          this.#waiter = { count, resolve };
        });
  }

  nextInvocation(): Promise<number> {
    return new Promise((resolve) => {
      this.#first = resolve;
    });
  }
}

const resolver: FunctionResolver = {
  resolve: (functionName) =>
    Promise.resolve({
      functionName,
      role: 'arn:aws:iam::000000000000:role/bench',
      timeoutSeconds: 3,
    } as ResolvedVersion),
  totalReservedConcurrency: () => 0,
  onChange: () => undefined,
};

const dir = await mkdtemp(join(tmpdir(), 'fogbank-bench-esm-'));
const db = new Database(join(dir, 'fogbank.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
migrateQueues(db);
migrateStreams(db);
migrate(db, [ESM_MIGRATION], Date.now());
const clock = createSystemClock();
const queues = createQueueService({ store: new SqliteQueueStore(db), clock, ctx: CTX });
const streams = createStreamService({ store: new SqliteStreamStore(db), clock, ctx: CTX });
const invoker = new NoopInvoker();
const esm: EventSourceMappings = createEventSourceMappings({
  store: new SqliteEventSourceMappingStore(db),
  clock,
  ctx: CTX,
  invoker,
  resolver,
  queues,
  streams,
  onFailure: { sendToQueue: () => Promise.resolve(), queueExists: () => Promise.resolve(true) },
  onWarning: (message) => process.stderr.write(`warning: ${message}\n`),
});
await esm.start();
// The system clock's timers are unref'd (a server's sockets keep it alive); so is nothing here.
const keepAlive = setInterval(() => undefined, 60_000);

function report(name: string, perSecond: number): void {
  process.stdout.write(`${name.padEnd(60)} ${perSecond.toFixed(0).padStart(8)} records/s\n`);
}

async function waitSettled(uuid: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    const state = (await esm.getEventSourceMapping(uuid)).State;
    if (state === 'Enabled') {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error('mapping did not settle');
}

async function fill(queue: string, n: number): Promise<void> {
  for (let i = 0; i < n; i += 10) {
    await queues.sendMessageBatch(
      queue,
      Array.from({ length: Math.min(10, n - i) }, (_, j) => ({ id: String(j), body: BODY })),
    );
  }
}

/** Messages per second through a mapping of a queue filled with `MESSAGES` beforehand. */
async function queueThroughput(name: string, settings: Record<string, unknown>): Promise<number> {
  const { arn } = await queues.createQueue({ name });
  await fill(arn, MESSAGES);
  const target = invoker.delivered + MESSAGES;
  const started = performance.now();
  const mapping = await esm.createEventSourceMapping({
    EventSourceArn: arn,
    FunctionName: 'noop',
    ...settings,
  });
  await invoker.reached(target);
  const perSecond = MESSAGES / ((performance.now() - started) / 1000);
  await esm.updateEventSourceMapping(String(mapping.UUID), { Enabled: false });
  return perSecond;
}

/** Records per second through a TRIM_HORIZON mapping of a stream filled with `RECORDS`. */
async function streamThroughput(name: string, settings: Record<string, unknown>): Promise<number> {
  await streams.createStream({ streamName: name, shardCount: SHARDS });
  const ref = { streamName: name };
  const data = Buffer.from(BODY);
  for (let i = 0; i < RECORDS; i += 500) {
    await streams.putRecords(
      ref,
      Array.from({ length: Math.min(500, RECORDS - i) }, (_, j) => ({
        partitionKey: `k${(i + j) % 97}`,
        data,
      })),
    );
  }
  const { streamArn } = await streams.describeStreamSummary(ref);
  const target = invoker.delivered + RECORDS;
  const started = performance.now();
  const mapping = await esm.createEventSourceMapping({
    EventSourceArn: streamArn,
    FunctionName: 'noop',
    StartingPosition: 'TRIM_HORIZON',
    ...settings,
  });
  await invoker.reached(target);
  const perSecond = RECORDS / ((performance.now() - started) / 1000);
  await esm.updateEventSourceMapping(String(mapping.UUID), { Enabled: false });
  return perSecond;
}

/** Delay from a send (or put) to the invocation it causes, on an idle mapping. */
async function idleDelay(kind: 'queue' | 'stream'): Promise<number[]> {
  let send: () => Promise<unknown>;
  let arn: string;
  if (kind === 'queue') {
    arn = (await queues.createQueue({ name: 'idle' })).arn;
    send = () => queues.sendMessage(arn, { body: BODY });
  } else {
    await streams.createStream({ streamName: 'idle', shardCount: 1 });
    arn = (await streams.describeStreamSummary({ streamName: 'idle' })).streamArn;
    send = () =>
      streams.putRecord({ streamArn: arn }, { partitionKey: 'k', data: Buffer.from(BODY) });
  }
  const mapping = await esm.createEventSourceMapping({
    EventSourceArn: arn,
    FunctionName: 'noop',
    ...(kind === 'stream' ? { StartingPosition: 'LATEST' } : {}),
  });
  await waitSettled(String(mapping.UUID));
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    // Idle: the previous batch is settled and the poller is back to waiting.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const invoked = invoker.nextInvocation();
    const sentAt = performance.now();
    await send();
    samples.push((await invoked) - sentAt);
  }
  await esm.updateEventSourceMapping(String(mapping.UUID), { Enabled: false });
  return samples;
}

process.stdout.write(
  `event source mappings, no-op function, SQLite WAL synchronous=FULL (${MESSAGES} messages, ${RECORDS} records, ${SHARDS} shards)\n`,
);
report('queue mapping, BatchSize 10', await queueThroughput('q10', {}));
report(
  'queue mapping, BatchSize 100, window 1 s',
  await queueThroughput('q100', { BatchSize: 100, MaximumBatchingWindowInSeconds: 1 }),
);
report('stream mapping, BatchSize 100', await streamThroughput('s100', { BatchSize: 100 }));
report(
  'stream mapping, BatchSize 100, ParallelizationFactor 4',
  await streamThroughput('s100p4', { BatchSize: 100, ParallelizationFactor: 4 }),
);
report('stream mapping, BatchSize 1000', await streamThroughput('s1000', { BatchSize: 1000 }));
for (const kind of ['queue', 'stream'] as const) {
  const s = summary(await idleDelay(kind));
  process.stdout.write(
    `idle ${kind === 'queue' ? 'send' : 'put'}-to-invoke delay (${kind}, n=${s.n}): p50 ${fmt(s.p50)}  p99 ${fmt(s.p99)}\n`,
  );
}

clearInterval(keepAlive);
await esm.stop();
queues.close();
streams.close();
db.close();
await rm(dir, { recursive: true, force: true });
