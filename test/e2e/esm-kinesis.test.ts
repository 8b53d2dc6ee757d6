import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { aws, awsCliMissing } from '../helpers/aws-cli.js';
import { DeliveredEvents } from '../helpers/delivered-events.js';
import { createFunction } from '../helpers/functions.js';
import { createMapping, waitForState } from '../helpers/mappings.js';
import { startServer, type RunningServer } from '../helpers/server.js';

interface KinesisRecord {
  kinesis: { partitionKey: string; sequenceNumber: string; data: string };
  eventSource: string;
  eventID: string;
  eventSourceARN: string;
}
interface KinesisEvent {
  Records: KinesisRecord[];
  window?: { start: string; end: string };
  state?: { count?: number };
  isFinalInvokeForWindow?: boolean;
}

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
const textOf = (r: KinesisRecord): string => Buffer.from(r.kinesis.data, 'base64').toString('utf8');
const textsOf = (events: KinesisEvent[]): string[] => events.flatMap((e) => e.Records.map(textOf));

/** Talks to one server: the SDK's Kinesis, SQS and Lambda clients and the function logs. */
class Clients {
  readonly lambda: LambdaClient;
  readonly kinesis: KinesisClient;
  readonly sqs: SQSClient;
  readonly delivered: DeliveredEvents;

  constructor(server: RunningServer) {
    const config = { endpoint: server.url, region: 'us-east-1', credentials: CREDENTIALS };
    this.lambda = server.lambda();
    this.kinesis = new KinesisClient(config);
    this.sqs = new SQSClient(config);
    this.delivered = new DeliveredEvents(server.url);
  }

  destroy(): void {
    this.kinesis.destroy();
    this.sqs.destroy();
    this.delivered.destroy();
  }

  async stream(name: string): Promise<string> {
    await this.kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
    const { StreamDescriptionSummary } = await this.kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: name }),
    );
    return StreamDescriptionSummary?.StreamARN ?? '';
  }

  /** Puts records in order, one PutRecords call each ten. */
  async put(stream: string, records: readonly { key: string; text: string }[]): Promise<void> {
    for (let i = 0; i < records.length; i += 10) {
      const r = await this.kinesis.send(
        new PutRecordsCommand({
          StreamName: stream,
          Records: records
            .slice(i, i + 10)
            .map((x) => ({ PartitionKey: x.key, Data: Buffer.from(x.text) })),
        }),
      );
      assert.equal(r.FailedRecordCount ?? 0, 0);
    }
  }

  async recorder(name: string): Promise<void> {
    await createFunction(this.lambda, {
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      fixture: 'e2e/esm-recorder',
    });
  }
}

/**
 * Kinesis event source mappings end to end: a real `fogbank server`, a real function, the SDK's
 * Kinesis client putting records; the function's log tells what it received and in what order.
 */
describe('Kinesis event source mappings', () => {
  let server: RunningServer;
  let c: Clients;

  before(async () => {
    server = await startServer();
    c = new Clients(server);
  });
  after(async () => {
    c.destroy();
    assert.equal(await server.stop(), 0);
  });

  it('keeps each partition key in order with ParallelizationFactor 4, and delivers every record once', async () => {
    await c.recorder('parallel');
    const arn = await c.stream('parallel');
    const keys = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];
    const records = Array.from({ length: 5 }, (_, i) =>
      keys.map((key) => ({ key, text: `${key}-${String(i)}${i % 2 === 0 ? '-slow' : ''}` })),
    ).flat();
    await c.put('parallel', records);
    const started = Date.now();
    await createMapping(c.lambda, {
      FunctionName: 'parallel',
      EventSourceArn: arn,
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 3,
      ParallelizationFactor: 4,
    });
    const events = await c.delivered.until<KinesisEvent>(
      'parallel',
      (e) => textsOf(e).length >= records.length,
    );
    const elapsed = Date.now() - started;
    assert.deepEqual(textsOf(events).sort(), records.map((r) => r.text).sort());
    for (const key of keys) {
      const seen = textsOf(events).filter((t) => t.startsWith(`${key}-`));
      assert.deepEqual(
        seen,
        records.filter((r) => r.key === key).map((r) => r.text),
      );
    }
    for (const event of events) {
      const [first] = event.Records;
      assert.equal(first?.eventSource, 'aws:kinesis');
      assert.equal(first.eventSourceARN, arn);
      assert.equal(first.eventID, `shardId-000000000000:${first.kinesis.sequenceNumber}`);
    }
    // At least 10 batches, most with a slow record: one lane would take over 3 s.
    assert.ok(elapsed < 3000, `took ${String(elapsed)} ms`);
  });

  it('bisects a failing batch down to the poison record and sends its range to the OnFailure queue', async () => {
    await c.recorder('bisect');
    const arn = await c.stream('bisect');
    const { QueueUrl } = await c.sqs.send(new CreateQueueCommand({ QueueName: 'stream-failures' }));
    const { Attributes } = await c.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const records = Array.from({ length: 8 }, (_, i) => ({
      key: 'k',
      text: i === 5 ? 'r5-throw' : `r${String(i)}`,
    }));
    await c.put('bisect', records);
    await createMapping(c.lambda, {
      FunctionName: 'bisect',
      EventSourceArn: arn,
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 8,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: Attributes?.QueueArn ?? '' } },
    });
    const { Messages } = await c.sqs.send(
      new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }),
    );
    const failure = JSON.parse(Messages?.[0]?.Body ?? '{}') as {
      requestContext: { condition: string; approximateInvokeCount: number };
      responseContext: { functionError: string };
      KinesisBatchInfo: {
        shardId: string;
        startSequenceNumber: string;
        endSequenceNumber: string;
        batchSize: number;
        streamArn: string;
      };
    };
    const events = await c.delivered.until<KinesisEvent>('bisect', (e) => e.length >= 7);
    // 8 → 4 + [4] → 2 + [2] → 1 + [1]: every split halves the failing part.
    assert.deepEqual(
      events.map((e) => e.Records.map(textOf)),
      [
        ['r0', 'r1', 'r2', 'r3', 'r4', 'r5-throw', 'r6', 'r7'],
        ['r0', 'r1', 'r2', 'r3'],
        ['r4', 'r5-throw', 'r6', 'r7'],
        ['r4', 'r5-throw'],
        ['r4'],
        ['r5-throw'],
        ['r6', 'r7'],
      ],
    );
    const poison = events[5]?.Records[0]?.kinesis.sequenceNumber;
    assert.equal(failure.requestContext.condition, 'RetryAttemptsExhausted');
    assert.equal(failure.requestContext.approximateInvokeCount, 4);
    assert.equal(failure.responseContext.functionError, 'Unhandled');
    assert.deepEqual(failure.KinesisBatchInfo, {
      ...failure.KinesisBatchInfo,
      shardId: 'shardId-000000000000',
      startSequenceNumber: poison,
      endSequenceNumber: poison,
      batchSize: 1,
      streamArn: arn,
    });
  });
});

describe('Kinesis tumbling windows', { skip: awsCliMissing ?? false }, () => {
  let server: RunningServer;
  let c: Clients;

  before(async () => {
    server = await startServer();
    c = new Clients(server);
  });
  after(async () => {
    c.destroy();
    assert.equal(await server.stop(), 0);
  });

  it('aggregates each window in the function’s state and ends it with a final invocation (created with the AWS CLI)', async () => {
    await c.recorder('windows');
    const arn = await c.stream('windows');
    const created = await aws(server.url, [
      'lambda',
      'create-event-source-mapping',
      '--function-name',
      'windows',
      '--event-source-arn',
      arn,
      '--starting-position',
      'TRIM_HORIZON',
      '--batch-size',
      '2',
      '--tumbling-window-in-seconds',
      '2',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const mapping = JSON.parse(created.stdout) as { UUID: string; TumblingWindowInSeconds: number };
    assert.equal(mapping.TumblingWindowInSeconds, 2);
    await waitForState(c.lambda, mapping.UUID);
    // Just before a window ends, so its records are still being processed when it does.
    await sleep(2000 - ((Date.now() + 150) % 2000));
    await c.put(
      'windows',
      ['a', 'b', 'c', 'd', 'e'].map((text) => ({ key: 'k', text })),
    );
    const events = await c.delivered.until<KinesisEvent>(
      'windows',
      (e) => textsOf(e).length >= 5 && e.at(-1)?.isFinalInvokeForWindow === true,
    );
    // Every window's invocations: records in batches of at most 2, then one final invocation
    // without records whose state counts the window's records.
    const byWindow = new Map<string, KinesisEvent[]>();
    for (const e of events) {
      const key = e.window?.start ?? 'none';
      byWindow.set(key, [...(byWindow.get(key) ?? []), e]);
    }
    assert.ok(!byWindow.has('none'));
    let total = 0;
    for (const [start, invocations] of byWindow) {
      const final = invocations.at(-1);
      const records = invocations.slice(0, -1).flatMap((e) => e.Records);
      assert.equal(final?.isFinalInvokeForWindow, true, start);
      assert.equal(
        invocations.filter((e) => e.isFinalInvokeForWindow === true).length,
        1,
        `one final invocation for the window at ${start}`,
      );
      assert.deepEqual(final.Records, []);
      assert.equal(final.state?.count, records.length);
      assert.deepEqual(invocations[0]?.state, {}, 'each window starts from an empty state');
      assert.equal(Date.parse(final.window?.end ?? '') - Date.parse(start), 2000);
      total += records.length;
    }
    assert.equal(total, 5);
  });
});

describe('Kinesis mapping across a server restart', () => {
  it('resumes from the stored checkpoint: no record skipped, none from before it replayed', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fogbank-esm-restart-'));
    try {
      let server = await startServer({ dataDir });
      let c = new Clients(server);
      await c.recorder('resume');
      const arn = await c.stream('resume');
      const records = Array.from({ length: 40 }, (_, i) => ({
        key: `k${String(i % 3)}`,
        text: `r${String(i).padStart(2, '0')}-slow`,
      }));
      await c.put('resume', records.slice(0, 30));
      await createMapping(c.lambda, {
        FunctionName: 'resume',
        EventSourceArn: arn,
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 3,
      });
      // Stop mid-stream: some batches done, most not.
      const before = await c.delivered.until<KinesisEvent>('resume', (e) => e.length >= 2);
      c.destroy();
      assert.equal(await server.stop(), 0);
      server = await startServer({ dataDir });
      c = new Clients(server);
      try {
        const doneBefore = textsOf(await c.delivered.of<KinesisEvent>('resume'));
        assert.ok(doneBefore.length >= textsOf(before).length);
        assert.ok(doneBefore.length < 30, 'the restart came mid-stream');
        await c.put('resume', records.slice(30));
        const all = await c.delivered.until<KinesisEvent>(
          'resume',
          (e) => textsOf(e).length >= records.length,
        );
        const texts = textsOf(all);
        assert.deepEqual(
          texts,
          records.map((r) => r.text),
          'in order, each once',
        );
      } finally {
        c.destroy();
        assert.equal(await server.stop(), 0);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
