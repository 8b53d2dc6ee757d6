/**
 * The Kinesis source on the real stream engine: starting positions, batches, the event shape,
 * ParallelizationFactor ordering, retries blocking the shard, MaximumRetryAttempts and
 * MaximumRecordAgeInSeconds with OnFailure records, bisection, partial batch responses, filters,
 * and checkpoints that survive a restart.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { MappingConfiguration } from '../../../src/events/esm/index.js';
import {
  FAILED,
  OK,
  openFixture,
  queueArnOf,
  ROLE,
  settle,
  settled,
  streamArnOf,
  tick,
  until,
  type Fixture,
} from './helpers.js';

const STREAM = streamArnOf('telemetry');

async function setup(t: TestContext, shardCount = 1): Promise<Fixture> {
  const fixture = await openFixture(t);
  await fixture.streams.createStream({ streamName: 'telemetry', shardCount });
  return fixture;
}

async function mapStream(
  fixture: Fixture,
  extra: Record<string, unknown> = {},
): Promise<MappingConfiguration> {
  const mapping = await fixture.esm.createEventSourceMapping({
    EventSourceArn: STREAM,
    FunctionName: 'orders',
    StartingPosition: 'TRIM_HORIZON',
    ...extra,
  });
  await settled(fixture, String(mapping.UUID));
  return mapping;
}

async function put(
  fixture: Fixture,
  items: readonly (string | [string, string])[],
): Promise<string[]> {
  const results = await fixture.streams.putRecords(
    { streamArn: STREAM },
    items.map((item) => {
      const [key, data] = typeof item === 'string' ? ['k', item] : item;
      return { partitionKey: key, data: Buffer.from(data) };
    }),
  );
  return results.map((r) => r.sequenceNumber);
}

function dataOf(record: Record<string, unknown>): string {
  const kinesis = record.kinesis as { data: string };
  return Buffer.from(kinesis.data, 'base64').toString('utf8');
}

function delivered(fixture: Fixture): string[] {
  return fixture.invoker.records().map(dataOf);
}

interface OnFailureRecord {
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: string;
    readonly approximateInvokeCount: number;
  };
  readonly responseContext?: Record<string, unknown>;
  readonly version: string;
  readonly timestamp: string;
  readonly KinesisBatchInfo: Record<string, unknown>;
}

async function onFailureRecords(fixture: Fixture, queue: string): Promise<OnFailureRecord[]> {
  const messages = await fixture.queues.receiveMessages(queueArnOf(queue), {
    maxNumberOfMessages: 10,
  });
  return messages.map((m) => JSON.parse(m.body) as OnFailureRecord);
}

describe('Kinesis source', () => {
  it('reads from TRIM_HORIZON in order, in batches of BatchSize, in the Kinesis event shape', async (t) => {
    const fixture = await setup(t);
    const seqs = await put(
      fixture,
      Array.from({ length: 25 }, (_, i) => `r${i}`),
    );
    const mapping = await mapStream(fixture, { BatchSize: 10 });
    await until(() => fixture.invoker.records().length === 25);
    assert.deepEqual(
      fixture.invoker.calls.map((c) => c.event.Records?.length),
      [10, 10, 5],
    );
    assert.deepEqual(
      delivered(fixture),
      Array.from({ length: 25 }, (_, i) => `r${i}`),
    );
    const [first] = fixture.invoker.records();
    assert.deepEqual(first, {
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: 'k',
        sequenceNumber: seqs[0],
        data: Buffer.from('r0').toString('base64'),
        approximateArrivalTimestamp: fixture.clock.now() / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `shardId-000000000000:${seqs[0] ?? ''}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: ROLE,
      awsRegion: 'us-east-1',
      eventSourceARN: STREAM,
    });
    await settle(20);
    const got = await fixture.esm.getEventSourceMapping(String(mapping.UUID));
    assert.equal(got.LastProcessingResult, 'OK');
  });

  it('starts from LATEST or AT_TIMESTAMP as asked', async (t) => {
    const fixture = await setup(t);
    await put(fixture, ['old']);
    await fixture.clock.advance(60_000);
    const cutoff = fixture.clock.now();
    await put(fixture, ['newer']);
    await mapStream(fixture, { StartingPosition: 'LATEST' });
    const atTimestamp = await fixture.esm.createEventSourceMapping({
      EventSourceArn: STREAM,
      FunctionName: 'orders:v2',
      StartingPosition: 'AT_TIMESTAMP',
      StartingPositionTimestamp: cutoff / 1000,
    });
    assert.equal(atTimestamp.StartingPositionTimestamp, cutoff / 1000);
    await settled(fixture, String(atTimestamp.UUID));
    await put(fixture, ['latest']);
    await until(() => fixture.invoker.records().length === 3);
    const byQualifier = (q: string | undefined): string[] =>
      fixture.invoker.calls
        .filter((c) => c.input.qualifier === q)
        .flatMap((c) => (c.event.Records ?? []).map(dataOf));
    assert.deepEqual(byQualifier(undefined), ['latest']);
    assert.deepEqual(byQualifier('v2'), ['newer', 'latest']);
  });

  it('waits for the batching window, and keeps order per partition key with ParallelizationFactor', async (t) => {
    const fixture = await setup(t);
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    const items: [string, string][] = [];
    for (let i = 0; i < 20; i++) {
      for (const k of keys) {
        items.push([k, `${k}:${i}`]);
      }
    }
    const inFlight = new Map<string, number>();
    let overlap = false;
    fixture.invoker.answer = async (call) => {
      const mine = new Set(
        (call.event.Records ?? []).map((r) => (r.kinesis as { partitionKey: string }).partitionKey),
      );
      for (const k of mine) {
        overlap ||= (inFlight.get(k) ?? 0) > 0;
        inFlight.set(k, (inFlight.get(k) ?? 0) + 1);
      }
      for (let i = 0; i < 5; i++) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      for (const k of mine) {
        inFlight.set(k, (inFlight.get(k) ?? 0) - 1);
      }
      return {};
    };
    await mapStream(fixture, {
      BatchSize: 5,
      ParallelizationFactor: 4,
      MaximumBatchingWindowInSeconds: 2,
    });
    await put(fixture, items);
    await until(() => fixture.invoker.records().length === 120, {
      clock: fixture.clock,
      stepMs: 500,
    });
    assert.equal(overlap, false, 'two batches with one partition key ran at once');
    assert.ok(fixture.invoker.maxInFlight > 1, 'the shard was processed one batch at a time');
    for (const k of keys) {
      const seen = delivered(fixture)
        .filter((d) => d.startsWith(`${k}:`))
        .map((d) => Number(d.split(':')[1]));
      assert.deepEqual(
        seen,
        Array.from({ length: 20 }, (_, i) => i),
      );
    }
    // A lone record waits for the window.
    const before = fixture.invoker.calls.length;
    await put(fixture, [['a', 'late']]);
    await settle(100);
    assert.equal(fixture.invoker.calls.length, before);
    await tick(fixture.clock, 2_000, 500);
    await until(() => fixture.invoker.calls.length === before + 1);
  });

  it('retries a failing batch, blocking the shard, then sends an OnFailure record after MaximumRetryAttempts', async (t) => {
    const fixture = await setup(t);
    await fixture.queues.createQueue({ name: 'failures' });
    fixture.invoker.answer = (call) =>
      (call.event.Records ?? []).some((r) => dataOf(r) === 'bad') ? FAILED : OK;
    const putAt = fixture.clock.now();
    const seqs = await put(fixture, ['bad', 'x']);
    await put(fixture, ['after']);
    await mapStream(fixture, {
      BatchSize: 2,
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: queueArnOf('failures') } },
    });
    await until(() => delivered(fixture).includes('after'), { clock: fixture.clock, stepMs: 100 });
    // The first attempt and two retries, nothing else of the shard in between.
    assert.deepEqual(
      fixture.invoker.calls.map((c) => (c.event.Records ?? []).map(dataOf).join(',')),
      ['bad,x', 'bad,x', 'bad,x', 'after'],
    );
    const [record] = await onFailureRecords(fixture, 'failures');
    assert.ok(record);
    assert.deepEqual(record.requestContext.condition, 'RetryAttemptsExhausted');
    assert.equal(record.requestContext.approximateInvokeCount, 3);
    assert.equal(
      record.requestContext.functionArn,
      'arn:aws:lambda:us-east-1:000000000000:function:orders',
    );
    assert.deepEqual(record.responseContext, {
      statusCode: 200,
      executedVersion: '$LATEST',
      functionError: 'Unhandled',
    });
    assert.equal(record.version, '1.0');
    assert.deepEqual(record.KinesisBatchInfo, {
      shardId: 'shardId-000000000000',
      startSequenceNumber: seqs[0],
      endSequenceNumber: seqs[1],
      approximateArrivalOfFirstRecord: new Date(putAt).toISOString(),
      approximateArrivalOfLastRecord: new Date(putAt).toISOString(),
      batchSize: 2,
      streamArn: STREAM,
    });
  });

  it('discards records older than MaximumRecordAgeInSeconds', async (t) => {
    const fixture = await setup(t);
    await fixture.queues.createQueue({ name: 'failures' });
    fixture.invoker.answer = () => ({ functionError: true });
    await put(fixture, ['stale']);
    await mapStream(fixture, {
      MaximumRecordAgeInSeconds: 60,
      DestinationConfig: { OnFailure: { Destination: queueArnOf('failures') } },
    });
    await until(() => fixture.invoker.calls.length > 0);
    await tick(fixture.clock, 65_000, 1000);
    await settle(50);
    const records = await onFailureRecords(fixture, 'failures');
    assert.equal(records.length, 1);
    assert.equal(records[0]?.requestContext.condition, 'RecordAgeExceeded');
    const calls = fixture.invoker.calls.length;
    await tick(fixture.clock, 10_000, 1000);
    assert.equal(fixture.invoker.calls.length, calls, 'the discarded record is not retried');
  });

  it('bisects a failing batch down to the poison record', async (t) => {
    const fixture = await setup(t);
    await fixture.queues.createQueue({ name: 'failures' });
    const items = ['r0', 'r1', 'r2', 'r3', 'r4', 'poison', 'r6', 'r7'];
    const seqs = await put(fixture, items);
    fixture.invoker.answer = (call) =>
      (call.event.Records ?? []).some((r) => dataOf(r) === 'poison') ? FAILED : OK;
    await mapStream(fixture, {
      BatchSize: 8,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: queueArnOf('failures') } },
    });
    await until(() => delivered(fixture).includes('r7'), { clock: fixture.clock, stepMs: 100 });
    assert.deepEqual(
      fixture.invoker.calls.map((c) => (c.event.Records ?? []).map(dataOf).join(',')),
      [
        'r0,r1,r2,r3,r4,poison,r6,r7',
        'r0,r1,r2,r3',
        'r4,poison,r6,r7',
        'r4,poison',
        'r4',
        'poison',
        'r6,r7',
      ],
    );
    const [record] = await onFailureRecords(fixture, 'failures');
    assert.ok(record);
    assert.equal(record.KinesisBatchInfo.batchSize, 1);
    assert.equal(record.KinesisBatchInfo.startSequenceNumber, seqs[5]);
    assert.equal(record.KinesisBatchInfo.endSequenceNumber, seqs[5]);
  });

  it('checkpoints at the first reported failure and retries from it', async (t) => {
    const fixture = await setup(t);
    const seqs = await put(fixture, ['a', 'b', 'c', 'd']);
    let first = true;
    fixture.invoker.answer = () => {
      if (first) {
        first = false;
        return {
          payload: {
            batchItemFailures: [{ itemIdentifier: seqs[3] }, { itemIdentifier: seqs[2] }],
          },
        };
      }
      return { payload: { batchItemFailures: [] } };
    };
    await mapStream(fixture, { FunctionResponseTypes: ['ReportBatchItemFailures'] });
    await until(() => fixture.invoker.calls.length === 2, { clock: fixture.clock, stepMs: 100 });
    assert.deepEqual(
      fixture.invoker.calls.map((c) => (c.event.Records ?? []).map(dataOf).join(',')),
      ['a,b,c,d', 'c,d'],
    );
  });

  it('delivers only the records a filter matches', async (t) => {
    const fixture = await setup(t);
    await put(fixture, [
      '{"kind":"a","n":1}',
      '{"kind":"b","n":2}',
      'not json',
      '{"kind":"a","n":3}',
    ]);
    await mapStream(fixture, {
      FilterCriteria: { Filters: [{ Pattern: '{"data":{"kind":["a"]}}' }] },
    });
    await until(() => delivered(fixture).length === 2);
    await settle(50);
    assert.deepEqual(delivered(fixture), ['{"kind":"a","n":1}', '{"kind":"a","n":3}']);
  });

  it('resumes after a restart from its checkpoint, skipping no record', async (t) => {
    const fixture = await setup(t, 2);
    const items = Array.from(
      { length: 40 },
      (_, i) => [`key${i % 7}`, `r${i}`] as [string, string],
    );
    await put(fixture, items.slice(0, 20));
    // The function fails after its first few batches, so processing stops mid-stream.
    let budget = 3;
    fixture.invoker.answer = () => (budget-- > 0 ? OK : FAILED);
    await mapStream(fixture, { BatchSize: 3 });
    await until(() => fixture.invoker.calls.length >= 4);
    await fixture.esm.stop();
    const before = new Set(
      fixture.invoker.calls
        .filter((c, i) => i < 3)
        .flatMap((c) => (c.event.Records ?? []).map(dataOf)),
    );
    await put(fixture, items.slice(20));
    fixture.invoker.answer = () => ({});
    const callsBefore = fixture.invoker.calls.length;
    await fixture.restart();
    await until(
      () => {
        const after = new Set(
          fixture.invoker.calls
            .slice(callsBefore)
            .flatMap((c) => (c.event.Records ?? []).map(dataOf)),
        );
        return items.every(([, d]) => after.has(d) || before.has(d));
      },
      { clock: fixture.clock, stepMs: 100 },
    );
    const after = fixture.invoker.calls
      .slice(callsBefore)
      .flatMap((c) => (c.event.Records ?? []).map(dataOf));
    // Nothing successfully processed before the restart is delivered again.
    assert.ok(
      after.every((d) => !before.has(d)),
      `redelivered: ${after.filter((d) => before.has(d)).join(',')}`,
    );
  });
});
