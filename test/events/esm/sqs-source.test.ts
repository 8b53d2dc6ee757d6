/**
 * The SQS source on the real queue engine: batching, the event shape, failures and visibility,
 * redrive by maxReceiveCount, partial batch responses, filters, FIFO order, scaling, throttles.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import type { MappingConfiguration } from '../../../src/events/esm/index.js';
import {
  openFixture,
  queueArnOf,
  settle,
  settled,
  THROTTLE,
  tick,
  until,
  type Fixture,
} from './helpers.js';

async function mapQueue(
  fixture: Fixture,
  queue: string,
  extra: Record<string, unknown> = {},
): Promise<MappingConfiguration> {
  const mapping = await fixture.esm.createEventSourceMapping({
    EventSourceArn: queueArnOf(queue),
    FunctionName: 'orders',
    ...extra,
  });
  await settled(fixture, String(mapping.UUID));
  return mapping;
}

async function counts(fixture: Fixture, queue: string): Promise<[number, number]> {
  const a = await fixture.queues.getQueueAttributes(queueArnOf(queue), [
    'ApproximateNumberOfMessages',
    'ApproximateNumberOfMessagesNotVisible',
  ]);
  return [Number(a.ApproximateNumberOfMessages), Number(a.ApproximateNumberOfMessagesNotVisible)];
}

async function send(fixture: Fixture, queue: string, bodies: readonly string[]): Promise<void> {
  for (const body of bodies) {
    await fixture.queues.sendMessage(queueArnOf(queue), { body });
  }
}

async function setup(t: TestContext): Promise<Fixture> {
  const fixture = await openFixture(t);
  await fixture.queues.createQueue({ name: 'jobs' });
  return fixture;
}

describe('SQS source', () => {
  it('delivers batches of at most BatchSize in the SQS event shape, then deletes them', async (t) => {
    const fixture = await setup(t);
    await mapQueue(fixture, 'jobs', { BatchSize: 4 });
    await fixture.queues.sendMessage(queueArnOf('jobs'), {
      body: '{"orderId":7}',
      messageAttributes: { kind: { dataType: 'String', stringValue: 'new' } },
    });
    await until(() => fixture.invoker.records().length === 1);
    const [record] = fixture.invoker.records();
    assert.ok(record);
    assert.deepEqual(Object.keys(record), [
      'messageId',
      'receiptHandle',
      'body',
      'attributes',
      'messageAttributes',
      'md5OfBody',
      'md5OfMessageAttributes',
      'eventSource',
      'eventSourceARN',
      'awsRegion',
    ]);
    assert.equal(record.body, '{"orderId":7}');
    assert.equal(record.eventSource, 'aws:sqs');
    assert.equal(record.eventSourceARN, queueArnOf('jobs'));
    assert.equal(record.awsRegion, 'us-east-1');
    assert.equal(record.md5OfBody, createHash('md5').update('{"orderId":7}').digest('hex'));
    assert.deepEqual(record.messageAttributes, {
      kind: { stringValue: 'new', stringListValues: [], binaryListValues: [], dataType: 'String' },
    });
    const attributes = record.attributes as Record<string, string>;
    assert.deepEqual(Object.keys(attributes), [
      'ApproximateReceiveCount',
      'SentTimestamp',
      'SenderId',
      'ApproximateFirstReceiveTimestamp',
    ]);
    assert.equal(attributes.ApproximateReceiveCount, '1');
    const call = fixture.invoker.calls[0];
    assert.ok(call);
    assert.equal(call.input.invocationType, 'RequestResponse');
    assert.equal(call.input.functionName, 'orders');

    await send(
      fixture,
      'jobs',
      Array.from({ length: 10 }, (_, i) => `m${i}`),
    );
    await until(() => fixture.invoker.records().length === 11);
    assert.ok(fixture.invoker.calls.every((c) => (c.event.Records?.length ?? 0) <= 4));
    await settle(20);
    assert.deepEqual(await counts(fixture, 'jobs'), [0, 0]);
  });

  it('gathers up to the batching window before invoking', async (t) => {
    const fixture = await setup(t);
    await mapQueue(fixture, 'jobs', { BatchSize: 50, MaximumBatchingWindowInSeconds: 10 });
    await send(fixture, 'jobs', ['a', 'b', 'c']);
    await settle(100);
    await fixture.clock.advance(9_000);
    assert.equal(fixture.invoker.calls.length, 0);
    await fixture.clock.advance(1_000);
    await until(() => fixture.invoker.calls.length === 1);
    assert.deepEqual(
      fixture.invoker.records().map((r) => r.body),
      ['a', 'b', 'c'],
    );
    // A full batch does not wait for the window.
    await send(
      fixture,
      'jobs',
      Array.from({ length: 50 }, (_, i) => `n${i}`),
    );
    await until(() => fixture.invoker.calls.length === 2);
    assert.equal(fixture.invoker.calls[1]?.event.Records?.length, 50);
  });

  it('lets a failed batch return after the visibility timeout and the queue redrive it after exactly maxReceiveCount', async (t) => {
    const fixture = await setup(t);
    await fixture.queues.createQueue({ name: 'jobs-dlq' });
    await fixture.queues.setQueueAttributes(queueArnOf('jobs'), {
      VisibilityTimeout: '30',
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: queueArnOf('jobs-dlq'),
        maxReceiveCount: 3,
      }),
    });
    fixture.invoker.answer = () => ({ functionError: true });
    await mapQueue(fixture, 'jobs');
    await send(fixture, 'jobs', ['poison']);
    await until(() => fixture.invoker.calls.length === 1);
    assert.deepEqual(await counts(fixture, 'jobs'), [0, 1]);
    // Not before the visibility timeout.
    await fixture.clock.advance(29_000);
    await settle(50);
    assert.equal(fixture.invoker.calls.length, 1);
    await until(() => fixture.invoker.calls.length === 3, { clock: fixture.clock, stepMs: 1000 });
    const receiveCounts = fixture.invoker
      .records()
      .map((r) => (r.attributes as Record<string, string>).ApproximateReceiveCount);
    assert.deepEqual(receiveCounts, ['1', '2', '3']);
    // The fourth receive moves it to the dead-letter queue instead of delivering it.
    await tick(fixture.clock, 40_000, 1000);
    assert.equal(fixture.invoker.calls.length, 3);
    const dlq = await fixture.queues.receiveMessages(queueArnOf('jobs-dlq'), {
      maxNumberOfMessages: 10,
    });
    assert.deepEqual(
      dlq.map((m) => m.body),
      ['poison'],
    );
  });

  it('deletes only the successes of a partial batch response', async (t) => {
    const fixture = await setup(t);
    await fixture.queues.setQueueAttributes(queueArnOf('jobs'), { VisibilityTimeout: '30' });
    await send(fixture, 'jobs', ['ok1', 'bad', 'ok2']);
    fixture.invoker.answer = (call) => ({
      payload: {
        batchItemFailures: (call.event.Records ?? [])
          .filter((r) => r.body === 'bad')
          .map((r) => ({ itemIdentifier: r.messageId })),
      },
    });
    await mapQueue(fixture, 'jobs', { FunctionResponseTypes: ['ReportBatchItemFailures'] });
    await until(() => fixture.invoker.calls.length === 1);
    assert.equal(fixture.invoker.calls[0]?.event.Records?.length, 3);
    await settle(50);
    assert.deepEqual(await counts(fixture, 'jobs'), [0, 1]);
    fixture.invoker.answer = () => ({ payload: { batchItemFailures: [] } });
    await until(() => fixture.invoker.calls.length === 2, { clock: fixture.clock, stepMs: 1000 });
    assert.deepEqual(
      fixture.invoker.calls[1]?.event.Records?.map((r) => r.body),
      ['bad'],
    );
  });

  it('treats an unknown itemIdentifier as a failure of the whole batch', async (t) => {
    const fixture = await setup(t);
    await send(fixture, 'jobs', ['a', 'b']);
    fixture.invoker.answer = () => ({
      payload: { batchItemFailures: [{ itemIdentifier: 'nope' }] },
    });
    await mapQueue(fixture, 'jobs', { FunctionResponseTypes: ['ReportBatchItemFailures'] });
    await until(() => fixture.invoker.calls.length === 1);
    await settle(50);
    assert.deepEqual(await counts(fixture, 'jobs'), [0, 2]);
  });

  it('deletes the messages a filter rejects without invoking', async (t) => {
    const fixture = await setup(t);
    await mapQueue(fixture, 'jobs', {
      FilterCriteria: {
        Filters: [{ Pattern: '{"body":{"kind":["order"],"total":[{"numeric":[">",10]}]}}' }],
      },
    });
    await send(fixture, 'jobs', [
      '{"kind":"order","total":5}',
      '{"kind":"order","total":50}',
      '{"kind":"refund","total":50}',
      'plain text',
    ]);
    await until(() => fixture.invoker.records().length === 1);
    await settle(100);
    assert.deepEqual(
      fixture.invoker.records().map((r) => r.body),
      ['{"kind":"order","total":50}'],
    );
    assert.deepEqual(await counts(fixture, 'jobs'), [0, 0]);
  });

  it('processes FIFO groups in order, concurrently across groups', async (t) => {
    const fixture = await setup(t);
    await fixture.queues.createQueue({
      name: 'jobs.fifo',
      attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' },
    });
    const groups = ['g1', 'g2', 'g3', 'g4'];
    for (let i = 0; i < 12; i++) {
      for (const g of groups) {
        await fixture.queues.sendMessage(queueArnOf('jobs.fifo'), {
          body: `${g}:${i}`,
          messageGroupId: g,
        });
      }
    }
    const inFlight = new Map<string, number>();
    let overlap = false;
    fixture.invoker.answer = async (call) => {
      const mine = new Set(
        (call.event.Records ?? []).map((r) => String(r.body).split(':')[0] ?? ''),
      );
      for (const g of mine) {
        if ((inFlight.get(g) ?? 0) > 0) {
          overlap = true;
        }
        inFlight.set(g, (inFlight.get(g) ?? 0) + 1);
      }
      for (let i = 0; i < 5; i++) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      for (const g of mine) {
        inFlight.set(g, (inFlight.get(g) ?? 0) - 1);
      }
      return {};
    };
    await mapQueue(fixture, 'jobs.fifo', { BatchSize: 3 });
    await until(() => fixture.invoker.records().length === 48);
    assert.equal(overlap, false, 'two batches of one group were in flight at once');
    assert.ok(fixture.invoker.maxInFlight > 1, 'groups were processed one at a time');
    for (const g of groups) {
      const seen = fixture.invoker
        .records()
        .map((r) => String(r.body))
        .filter((b) => b.startsWith(`${g}:`))
        .map((b) => Number(b.split(':')[1]));
      assert.deepEqual(
        seen,
        Array.from({ length: 12 }, (_, i) => i),
      );
    }
    const record = fixture.invoker.records()[0];
    const attributes = record?.attributes as Record<string, string>;
    assert.equal(attributes.MessageGroupId, 'g1');
    assert.ok(attributes.SequenceNumber);
    assert.ok(attributes.MessageDeduplicationId);
  });

  it('scales pollers with the backlog up to ScalingConfig.MaximumConcurrency', async (t) => {
    const fixture = await setup(t);
    await send(
      fixture,
      'jobs',
      Array.from({ length: 100 }, (_, i) => `m${i}`),
    );
    fixture.invoker.answer = async () => {
      for (let i = 0; i < 20; i++) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      return {};
    };
    await mapQueue(fixture, 'jobs', { ScalingConfig: { MaximumConcurrency: 3 } });
    await until(() => fixture.invoker.records().length === 100);
    assert.equal(fixture.invoker.maxInFlight, 3);
  });

  it('starts five concurrent batches on a backlog, then adds at most 300 a minute', async (t) => {
    const fixture = await setup(t);
    await send(
      fixture,
      'jobs',
      Array.from({ length: 1000 }, (_, i) => `m${i}`),
    );
    // Every batch takes 50 ms of the ManualClock.
    fixture.invoker.answer = async () => {
      await fixture.clock.sleep(50);
      return {};
    };
    await mapQueue(fixture, 'jobs');
    await settle(200);
    assert.equal(fixture.invoker.inFlight, 5);
    // One more poller per 200 ms of backlog at most: up to 5 more in a second.
    await tick(fixture.clock, 1000, 10);
    assert.ok(fixture.invoker.maxInFlight > 6, String(fixture.invoker.maxInFlight));
    assert.ok(fixture.invoker.maxInFlight <= 10, String(fixture.invoker.maxInFlight));
    await until(() => fixture.invoker.records().length === 1000, {
      clock: fixture.clock,
      stepMs: 10,
    });
  });

  it('retries a throttled batch with backoff, without a new receive', async (t) => {
    const fixture = await setup(t);
    let throttles = 2;
    fixture.invoker.answer = () => (throttles-- > 0 ? THROTTLE : {});
    await mapQueue(fixture, 'jobs');
    await send(fixture, 'jobs', ['x']);
    await until(() => fixture.invoker.calls.length === 3, { clock: fixture.clock, stepMs: 100 });
    const receiveCounts = fixture.invoker
      .records()
      .map((r) => (r.attributes as Record<string, string>).ApproximateReceiveCount);
    assert.deepEqual(receiveCounts, ['1', '1', '1']);
    await settle(50);
    assert.deepEqual(await counts(fixture, 'jobs'), [0, 0]);
  });

  it('stops polling when disabled and resumes when enabled', async (t) => {
    const fixture = await setup(t);
    const mapping = await mapQueue(fixture, 'jobs');
    const uuid = String(mapping.UUID);
    await fixture.esm.updateEventSourceMapping(uuid, { Enabled: false });
    assert.equal(await settled(fixture, uuid), 'Disabled');
    await send(fixture, 'jobs', ['later']);
    await settle(100);
    assert.equal(fixture.invoker.calls.length, 0);
    await fixture.esm.updateEventSourceMapping(uuid, { Enabled: true });
    await until(() => fixture.invoker.calls.length === 1);
  });
});
