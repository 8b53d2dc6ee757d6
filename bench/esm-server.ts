/**
 * Event source mappings on a real `fogbank server`, over HTTP with the AWS SDK clients, to a real
 * function in its sandbox: records per second through a queue mapping and a stream mapping, and
 * the delay from send (or put) to the function's start when idle (p50, p99). `bench/esm.ts`
 * measures the mapping machinery alone, in process.
 *
 * The function logs one `BATCH <records> <delay>` line per invocation, where the delay is its
 * start minus the `sentAt` stamped into the first record's body by this script (both read the
 * same system clock, in milliseconds with a fraction); the script sums and reads those lines
 * through the CloudWatch Logs API.
 *
 *   npx tsc -b && node dist/bench/esm-server.js [--messages 40000] [--records 20000] [--samples 100]
 *
 * Every loop is bounded by those counts. The queue backlog is large enough for the mapping's
 * pollers to ramp up as Lambda's do (five batches at once, then more each second): a backlog
 * drained in under a second measures the ramp's start, not the mapping's throughput.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  PutRecordCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
  UpdateEventSourceMappingCommand,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { zipSync } from 'fflate';
import { fmt, startFogbank, summary } from './lib.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '40000' },
    records: { type: 'string', default: '20000' },
    samples: { type: 'string', default: '100' },
  },
});
const MESSAGES = Number(values.messages);
const RECORDS = Number(values.records);
const SAMPLES = Number(values.samples);
const FILLERS = 16;

const HANDLER = `
exports.handler = async (event) => {
  const now = performance.timeOrigin + performance.now();
  const first = event.Records[0];
  const body = first.body ?? Buffer.from(first.kinesis.data, 'base64').toString('utf8');
  const sentAt = JSON.parse(body).sentAt;
  console.log('BATCH ' + event.Records.length + ' ' + (sentAt === undefined ? '' : now - sentAt));
  return null;
};
`;

const now = (): number => performance.timeOrigin + performance.now();
const body = (sentAt?: number): string =>
  JSON.stringify({ orderId: 12345, note: 'x'.repeat(200), ...(sentAt ? { sentAt } : {}) });

const server = await startFogbank(['--isolation', 'auto']);
const config = {
  endpoint: server.url,
  region: 'us-east-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
};
const lambda = new LambdaClient(config);
const sqs = new SQSClient(config);
const kinesis = new KinesisClient(config);
const logs = new CloudWatchLogsClient(config);

/** A function per measurement, so each one's log holds only its own batches. */
async function sink(name: string): Promise<string> {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: 'arn:aws:iam::000000000000:role/bench',
      Code: { ZipFile: zipSync({ 'index.js': new TextEncoder().encode(HANDLER) }) },
    }),
  );
  await waitUntilFunctionActiveV2(
    { client: lambda, maxWaitTime: 60, minDelay: 1 },
    { FunctionName: name },
  );
  return name;
}

/** Reads a function's BATCH lines from where the last call stopped. */
class Batches {
  readonly #group: string;
  #nextToken: string | undefined;
  records = 0;
  readonly delays: number[] = [];

  constructor(functionName: string) {
    this.#group = `/aws/lambda/${functionName}`;
  }

  async poll(): Promise<void> {
    for (;;) {
      const page = await logs
        .send(
          new FilterLogEventsCommand({
            logGroupName: this.#group,
            filterPattern: 'BATCH',
            ...(this.#nextToken === undefined ? {} : { nextToken: this.#nextToken }),
          }),
        )
        .catch(() => ({ events: [], nextToken: undefined }));
      for (const e of page.events ?? []) {
        const [, count, delay] = /BATCH (\d+) ([\d.]*)/.exec(e.message ?? '') ?? [];
        this.records += Number(count ?? 0);
        if (delay !== undefined && delay !== '') {
          this.delays.push(Number(delay));
        }
      }
      this.#nextToken = page.nextToken ?? this.#nextToken;
      if ((page.events?.length ?? 0) === 0) {
        return;
      }
    }
  }

  async until(records: number): Promise<void> {
    while (this.records < records) {
      await sleep(100);
      await this.poll();
    }
  }
}

async function mapping(functionName: string, source: string, extra: object): Promise<string> {
  const { UUID } = await lambda.send(
    new CreateEventSourceMappingCommand({
      FunctionName: functionName,
      EventSourceArn: source,
      ...extra,
    }),
  );
  for (;;) {
    const { State } = await lambda.send(new GetEventSourceMappingCommand({ UUID }));
    if (State === 'Enabled') {
      return UUID ?? '';
    }
    await sleep(10);
  }
}

async function disable(uuid: string): Promise<void> {
  await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: false }));
}

async function queueArn(name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  return { url: QueueUrl ?? '', arn: Attributes?.QueueArn ?? '' };
}

async function streamArn(name: string, shards: number): Promise<string> {
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  const { StreamDescriptionSummary } = await kinesis.send(
    new DescribeStreamSummaryCommand({ StreamName: name }),
  );
  return StreamDescriptionSummary?.StreamARN ?? '';
}

/** Records per second through a mapping of a queue filled with MESSAGES beforehand. */
async function queueThroughput(name: string, extra: object): Promise<number> {
  const fn = await sink(name);
  const q = await queueArn(name);
  let sent = 0;
  await Promise.all(
    Array.from({ length: FILLERS }, async () => {
      while (sent < MESSAGES) {
        const n = Math.min(10, MESSAGES - sent);
        sent += n;
        await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: q.url,
            Entries: Array.from({ length: n }, (_, j) => ({ Id: String(j), MessageBody: body() })),
          }),
        );
      }
    }),
  );
  const batches = new Batches(fn);
  const started = performance.now();
  const uuid = await mapping(fn, q.arn, extra);
  await batches.until(MESSAGES);
  const perSecond = MESSAGES / ((performance.now() - started) / 1000);
  await disable(uuid);
  return perSecond;
}

/** Records per second through a TRIM_HORIZON mapping of a 4-shard stream holding RECORDS. */
async function streamThroughput(name: string, extra: object): Promise<number> {
  const fn = await sink(name);
  const arn = await streamArn(name, 4);
  const data = Buffer.from(body());
  for (let i = 0; i < RECORDS; i += 500) {
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: name,
        Records: Array.from({ length: Math.min(500, RECORDS - i) }, (_, j) => ({
          PartitionKey: `k${String((i + j) % 97)}`,
          Data: data,
        })),
      }),
    );
  }
  const batches = new Batches(fn);
  const started = performance.now();
  const uuid = await mapping(fn, arn, { StartingPosition: 'TRIM_HORIZON', ...extra });
  await batches.until(RECORDS);
  const perSecond = RECORDS / ((performance.now() - started) / 1000);
  await disable(uuid);
  return perSecond;
}

/**
 * Send-to-start delays on an idle mapping, one record at a time, and the round trips of the sends
 * themselves (the client's share of the delay).
 */
async function idleDelays(
  kind: 'queue' | 'stream',
): Promise<{ delays: number[]; sends: number[] }> {
  const fn = await sink(`idle-${kind}`);
  let send: () => Promise<unknown>;
  let uuid: string;
  if (kind === 'queue') {
    const q = await queueArn('idle');
    send = () => sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: body(now()) }));
    uuid = await mapping(fn, q.arn, {});
  } else {
    const arn = await streamArn('idle', 1);
    send = () =>
      kinesis.send(
        new PutRecordCommand({
          StreamName: 'idle',
          PartitionKey: 'k',
          Data: Buffer.from(body(now())),
        }),
      );
    uuid = await mapping(fn, arn, { StartingPosition: 'LATEST' });
  }
  const batches = new Batches(fn);
  // The first invocation starts the function's environment: not an idle mapping's delay.
  await send();
  await batches.until(1);
  batches.delays.length = 0;
  const sends: number[] = [];
  for (let i = 1; i <= SAMPLES; i++) {
    const sentAt = performance.now();
    await send();
    sends.push(performance.now() - sentAt);
    await batches.until(i + 1);
    // Idle again: the batch settled and the poller is back to waiting.
    await sleep(20);
  }
  await disable(uuid);
  return { delays: batches.delays, sends };
}

function report(name: string, perSecond: number): void {
  process.stdout.write(`${name.padEnd(60)} ${perSecond.toFixed(0).padStart(8)} records/s\n`);
}

process.stdout.write(
  `event source mappings on a fogbank server over HTTP, no-op Node.js function (${String(MESSAGES)} messages, ${String(RECORDS)} records)\n`,
);
report('queue mapping, BatchSize 10', await queueThroughput('q10', {}));
report(
  'queue mapping, BatchSize 100, window 1 s',
  await queueThroughput('q100', { BatchSize: 100, MaximumBatchingWindowInSeconds: 1 }),
);
report(
  'stream mapping, 4 shards, BatchSize 100',
  await streamThroughput('s100', { BatchSize: 100 }),
);
for (const kind of ['queue', 'stream'] as const) {
  const { delays, sends } = await idleDelays(kind);
  const d = summary(delays);
  const s = summary(sends);
  const verb = kind === 'queue' ? 'send' : 'put';
  process.stdout.write(
    `idle ${verb}-to-start delay (${kind}, n=${String(d.n)}): p50 ${fmt(d.p50)}  p99 ${fmt(d.p99)}` +
      ` (the ${verb}'s own round trip: p50 ${fmt(s.p50)}  p99 ${fmt(s.p99)})\n`,
  );
}
for (const client of [lambda, sqs, kinesis, logs]) {
  client.destroy();
}
await server.stop();
