import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resourceNotFound } from '../../../src/core/errors.js';
import { retryDelayMs } from '../../../src/events/sns/delivery.js';
import { createTestSns, functionArn, queueArn, serverError } from './helpers.js';

test('the retry schedule of AWS-managed endpoints: 100,015 attempts over about 23 days', () => {
  const delays: number[] = [];
  for (let failures = 1; ; failures++) {
    const delay = retryDelayMs(failures);
    if (delay === undefined) {
      break;
    }
    delays.push(delay);
  }
  assert.equal(delays.length + 1, 100_015);
  assert.deepEqual(delays.slice(0, 4), [0, 0, 1_000, 1_000]);
  const backoff = delays.slice(4, 14);
  assert.equal(backoff[0], 1_000);
  assert.equal(backoff[9], 20_000);
  assert.ok(backoff.every((d, i) => i === 0 || d > (backoff[i - 1] ?? 0)));
  assert.ok(delays.slice(14).every((d) => d === 20_000));
  const days = delays.reduce((a, b) => a + b, 0) / 86_400_000;
  assert.ok(days > 23 && days < 23.2, `total ${String(days)} days`);
});

test('a failing delivery is retried on the clock until it succeeds, and delivered once', async (t) => {
  const { service, lambda, clock } = createTestSns(t);
  const fn = functionArn('flaky');
  lambda.functions.add(fn);
  const topic = await service.createTopic({ name: 'retry' });
  await service.subscribe({ topicArn: topic, protocol: 'lambda', endpoint: fn });
  lambda.script.push(serverError(), serverError(), serverError(), serverError(), serverError());

  const messageId = await service.publish({ topicArn: topic, message: 'hello' });
  await service.idle();
  // Three attempts without delay, then one a second.
  assert.equal(lambda.calls, 3);
  assert.equal(lambda.invocations.length, 0);
  await clock.advance(999);
  await service.idle();
  assert.equal(lambda.calls, 3);
  await clock.advance(1);
  await service.idle();
  assert.equal(lambda.calls, 4);
  await clock.advance(1_000);
  await service.idle();
  assert.equal(lambda.calls, 5);
  // The backoff phase starts at one second.
  await clock.advance(1_000);
  await service.idle();
  assert.equal(lambda.calls, 6);
  assert.equal(lambda.invocations.length, 1);
  const sns = (lambda.invocations[0]?.event.Records as { Sns: Record<string, unknown> }[])[0]?.Sns;
  assert.equal(sns?.MessageId, messageId);
  await clock.advance(60_000);
  await service.idle();
  assert.equal(lambda.calls, 6);
});

test('a client-side error (the function is gone) is not retried: dropped with a warning', async (t) => {
  const { service, lambda, clock, warnings } = createTestSns(t);
  const fn = functionArn('deleted-later');
  lambda.functions.add(fn);
  const topic = await service.createTopic({ name: 'gone' });
  const subscription = await service.subscribe({
    topicArn: topic,
    protocol: 'lambda',
    endpoint: fn,
  });
  lambda.script.push(resourceNotFound('Function not found'));
  const messageId = await service.publish({ topicArn: topic, message: 'm' });
  await service.idle();
  await clock.advance(60_000);
  await service.idle();
  assert.equal(lambda.calls, 1);
  assert.deepEqual(warnings, [
    `SNS dropped message ${messageId} for ${subscription} after 1 attempt(s): ResourceNotFoundException: Function not found`,
  ]);
});

test('with a RedrivePolicy, an undeliverable message goes to the dead-letter queue', async (t) => {
  const { service, queues } = createTestSns(t);
  const [target, dlq] = [queueArn('deleted'), queueArn('dlq')];
  queues.queues.add(target);
  queues.queues.add(dlq);
  const topic = await service.createTopic({ name: 'redrive' });
  const subscription = await service.subscribe({
    topicArn: topic,
    protocol: 'sqs',
    endpoint: target,
    attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq }) },
  });
  queues.queues.delete(target);
  await service.publish({
    topicArn: topic,
    message: 'test_dlq_after_sqs_endpoint_deleted',
    messageAttributes: { attr1: { DataType: 'Number', StringValue: '111' } },
  });
  await service.idle();
  assert.equal(queues.sent.length, 1);
  assert.equal(queues.sent[0]?.queueArn, dlq);
  const envelope = JSON.parse(queues.sent[0].body) as Record<string, unknown>;
  assert.equal(envelope.Message, 'test_dlq_after_sqs_endpoint_deleted');
  assert.equal(
    envelope.UnsubscribeURL,
    `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${subscription}`,
  );
  assert.deepEqual(envelope.MessageAttributes, { attr1: { Type: 'Number', Value: '111' } });
});

test('a raw subscription dead-letters the raw message with its attributes', async (t) => {
  const { service, queues } = createTestSns(t);
  const dlq = queueArn('dlq');
  queues.queues.add(dlq);
  const q = queueArn('raw');
  queues.queues.add(q);
  const topic = await service.createTopic({ name: 'raw-redrive' });
  await service.subscribe({
    topicArn: topic,
    protocol: 'sqs',
    endpoint: q,
    attributes: {
      RawMessageDelivery: 'true',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq }),
    },
  });
  queues.queues.delete(q);
  await service.publish({
    topicArn: topic,
    message: 'raw body',
    messageAttributes: { attr1: { DataType: 'Number', StringValue: '1' } },
  });
  await service.idle();
  assert.deepEqual(queues.sent, [
    {
      queueArn: dlq,
      body: 'raw body',
      attributes: { attr1: { DataType: 'Number', StringValue: '1' } },
    },
  ]);
});

test('an acknowledged publish survives a crash: the reopened database delivers it', async (t) => {
  const first = createTestSns(t);
  const fn = functionArn('durable');
  first.lambda.functions.add(fn);
  const topic = await first.service.createTopic({ name: 'durable' });
  await first.service.subscribe({ topicArn: topic, protocol: 'lambda', endpoint: fn });
  first.lambda.script.push(serverError(), serverError(), serverError());
  const failing = await first.service.publish({ topicArn: topic, message: 'in flight' });
  await first.service.idle();
  assert.equal(first.lambda.calls, 3);
  await first.close();

  // A second instance that was never started: the message is stored, not yet delivered.
  const second = createTestSns(t, { dir: first.dir, start: false });
  second.lambda.functions.add(fn);
  const queued = await second.service.publish({ topicArn: topic, message: 'never started' });
  assert.equal(second.lambda.calls, 0);
  await second.close();

  const third = createTestSns(t, { dir: first.dir });
  third.lambda.functions.add(fn);
  await third.service.idle();
  const delivered = () =>
    third.lambda.invocations.map(
      (i) => (i.event.Records as { Sns: { MessageId: string } }[])[0]?.Sns.MessageId,
    );
  assert.deepEqual(delivered(), [queued]);
  // The failed one keeps its schedule: next attempt one second after the third failure.
  await third.clock.advance(1_000);
  await third.service.idle();
  assert.deepEqual(delivered(), [queued, failing]);
  assert.deepEqual(await third.service.listTopics(), { items: [topic] });
});

test('a delivery taken by a process that died is retried once its lease runs out', async (t) => {
  const first = createTestSns(t);
  const q = queueArn('q');
  first.queues.queues.add(q);
  const topic = await first.service.createTopic({ name: 'lease' });
  await first.service.subscribe({ topicArn: topic, protocol: 'sqs', endpoint: q });
  await first.service.stop();
  await first.service.publish({ topicArn: topic, message: 'taken' });
  // Take it the way a worker does, then "crash" without finishing.
  first.db.prepare('UPDATE sns_deliveries SET next_attempt_at = ?').run(first.clock.now() + 30_000);
  await first.close();

  const second = createTestSns(t, { dir: first.dir });
  second.queues.queues.add(q);
  await second.service.idle();
  assert.equal(second.queues.sent.length, 0);
  await second.clock.advance(30_000);
  await second.service.idle();
  assert.equal(second.queues.sent.length, 1);
});

test('unsubscribing or deleting the topic drops pending deliveries', async (t) => {
  const { service, lambda, clock, db } = createTestSns(t);
  const fn = functionArn('down');
  lambda.functions.add(fn);
  const topic = await service.createTopic({ name: 'cleanup' });
  const subscription = await service.subscribe({
    topicArn: topic,
    protocol: 'lambda',
    endpoint: fn,
  });
  lambda.script.push(serverError(), serverError(), serverError());
  await service.publish({ topicArn: topic, message: 'm' });
  await service.idle();
  const pending = () =>
    (db.prepare('SELECT count(*) AS n FROM sns_deliveries').get() as { n: number }).n;
  assert.equal(pending(), 1);
  await service.unsubscribe(subscription);
  assert.equal(pending(), 0);
  await clock.advance(5_000);
  await service.idle();
  assert.equal(lambda.invocations.length, 0);

  await service.subscribe({ topicArn: topic, protocol: 'lambda', endpoint: fn });
  lambda.script.push(serverError(), serverError(), serverError());
  await service.publish({ topicArn: topic, message: 'm2' });
  await service.idle();
  assert.equal(pending(), 1);
  await service.deleteTopic(topic);
  assert.equal(pending(), 0);
});
