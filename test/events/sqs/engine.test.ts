import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { CTX, createTestQueues, parked, rejection } from './helpers.js';

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

test('send, receive and delete a message, with the MD5s and system attributes SQS reports', async (t) => {
  const { service, clock } = createTestQueues(t);
  const queue = await service.createQueue({ name: 'orders' });
  assert.deepEqual(queue, {
    name: 'orders',
    arn: `arn:aws:sqs:${CTX.region}:${CTX.accountId}:orders`,
    fifo: false,
  });
  const sent = await service.sendMessage('orders', {
    body: 'hello',
    messageAttributes: { attribName1: { dataType: 'String', stringValue: 'attribValue 1' } },
  });
  assert.equal(sent.md5OfMessageBody, md5('hello'));
  assert.equal(sent.md5OfMessageAttributes, '19e27d4e946b072f3f58da80d94fd778');
  const sentAt = clock.now();
  await clock.advance(1500);

  const [message, ...rest] = await service.receiveMessages('orders', {
    maxNumberOfMessages: 10,
    systemAttributeNames: ['All'],
    messageAttributeNames: ['All'],
  });
  assert.equal(rest.length, 0);
  assert.ok(message);
  assert.equal(message.messageId, sent.messageId);
  assert.equal(message.body, 'hello');
  assert.equal(message.md5OfBody, md5('hello'));
  assert.equal(message.md5OfMessageAttributes, '19e27d4e946b072f3f58da80d94fd778');
  assert.deepEqual(message.messageAttributes, {
    attribName1: { dataType: 'String', stringValue: 'attribValue 1' },
  });
  assert.deepEqual(message.attributes, {
    SenderId: CTX.accountId,
    ApproximateFirstReceiveTimestamp: String(sentAt + 1500),
    ApproximateReceiveCount: '1',
    SentTimestamp: String(sentAt),
  });

  await service.deleteMessage('orders', message.receiptHandle);
  await clock.advance(31_000);
  assert.deepEqual(await service.receiveMessages('orders'), []);
  const counts = await service.getQueueAttributes('orders', ['ApproximateNumberOfMessages']);
  assert.deepEqual(counts, { ApproximateNumberOfMessages: '0' });
});

test('a received message is invisible for the visibility timeout, then comes back with a new receipt', async (t) => {
  const { service, clock } = createTestQueues(t);
  await service.createQueue({ name: 'q', attributes: { VisibilityTimeout: '10' } });
  await service.sendMessage('q', { body: 'one' });
  const [first] = await service.receiveMessages('q');
  assert.ok(first);
  assert.deepEqual(
    await service.getQueueAttributes('q', [
      'ApproximateNumberOfMessages',
      'ApproximateNumberOfMessagesNotVisible',
    ]),
    { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '1' },
  );
  await clock.advance(9_999);
  assert.deepEqual(await service.receiveMessages('q'), []);
  await clock.advance(1);
  const [second] = await service.receiveMessages('q', {
    systemAttributeNames: ['ApproximateReceiveCount'],
    visibilityTimeout: 60,
  });
  assert.ok(second);
  assert.equal(second.messageId, first.messageId);
  assert.notEqual(second.receiptHandle, first.receiptHandle);
  assert.deepEqual(second.attributes, { ApproximateReceiveCount: '2' });

  // An old receipt handle deletes nothing, and still succeeds (standard queues).
  await service.deleteMessage('q', first.receiptHandle);
  await clock.advance(60_000);
  const [third] = await service.receiveMessages('q');
  assert.equal(third?.messageId, first.messageId);
});

test('ChangeMessageVisibility: extend, release at once, not in flight, limits', async (t) => {
  const { service, clock } = createTestQueues(t);
  await service.createQueue({ name: 'q' });
  await service.sendMessage('q', { body: 'm' });
  const [m] = await service.receiveMessages('q', { visibilityTimeout: 5 });
  assert.ok(m);
  await service.changeMessageVisibility('q', m.receiptHandle, 100);
  await clock.advance(50_000);
  assert.deepEqual(await service.receiveMessages('q'), []);
  await service.changeMessageVisibility('q', m.receiptHandle, 0);
  const [again] = await service.receiveMessages('q', { visibilityTimeout: 1 });
  assert.equal(again?.messageId, m.messageId);

  const stale = await rejection(service.changeMessageVisibility('q', m.receiptHandle, 10));
  assert.equal(stale.name, 'InvalidParameterValueException');
  assert.match(stale.message, /Message does not exist or is not available/);

  await clock.advance(1_000);
  assert.ok(again);
  const expired = await rejection(service.changeMessageVisibility('q', again.receiptHandle, 10));
  assert.equal(expired.name, 'MessageNotInflight');

  const [third] = await service.receiveMessages('q', { visibilityTimeout: 43_000 });
  assert.ok(third);
  await clock.advance(1_000_000);
  const limit = await rejection(service.changeMessageVisibility('q', third.receiptHandle, 43_200));
  assert.match(limit.message, /beyond the limit \[43200 seconds\]/);
  const range = await rejection(service.changeMessageVisibility('q', third.receiptHandle, 43_201));
  assert.match(range.message, /Value 43201 for parameter VisibilityTimeout is invalid/);
  const bogus = await rejection(service.deleteMessage('q', 'not-a-handle'));
  assert.equal(bogus.name, 'ReceiptHandleIsInvalid');
});

test('delays: the queue DelaySeconds and a per-message DelaySeconds', async (t) => {
  const { service, clock } = createTestQueues(t);
  await service.createQueue({ name: 'slow', attributes: { DelaySeconds: '5' } });
  await service.sendMessage('slow', { body: 'queue delay' });
  await service.sendMessage('slow', { body: 'own delay', delaySeconds: 20 });
  await service.sendMessage('slow', { body: 'no delay', delaySeconds: 0 });
  assert.deepEqual(
    await service.getQueueAttributes('slow', [
      'ApproximateNumberOfMessages',
      'ApproximateNumberOfMessagesDelayed',
    ]),
    { ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesDelayed: '2' },
  );
  const bodies = async (): Promise<string[]> =>
    (await service.receiveMessages('slow', { maxNumberOfMessages: 10 })).map((m) => m.body);
  assert.deepEqual(await bodies(), ['no delay']);
  await clock.advance(5_000);
  assert.deepEqual(await bodies(), ['queue delay']);
  await clock.advance(14_999);
  assert.deepEqual(await bodies(), []);
  await clock.advance(1);
  assert.deepEqual(await bodies(), ['own delay']);
  const tooLong = await rejection(service.sendMessage('slow', { body: 'x', delaySeconds: 901 }));
  assert.equal(
    tooLong.message,
    'Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.',
  );
});

test('long polling returns as soon as a message is sent, without waiting out the wait time', async (t) => {
  const { service, clock } = createTestQueues(t);
  await service.createQueue({ name: 'q' });
  const started = clock.now();
  const polling = service.receiveMessages('q', { waitTimeSeconds: 20 });
  let settled = false;
  void polling.then(() => (settled = true));
  await parked();
  assert.equal(settled, false);
  await service.sendMessage('q', { body: 'wake up' });
  const messages = await polling;
  assert.deepEqual(
    messages.map((m) => m.body),
    ['wake up'],
  );
  assert.equal(clock.now(), started);
});

test('long polling ends empty at the wait time, and wakes when a delayed message becomes visible', async (t) => {
  const { service, clock } = createTestQueues(t);
  await service.createQueue({ name: 'q', attributes: { ReceiveMessageWaitTimeSeconds: '20' } });
  const empty = service.receiveMessages('q');
  await parked();
  await clock.advance(19_999);
  let settled = false;
  void empty.then(() => (settled = true));
  await parked();
  assert.equal(settled, false);
  await clock.advance(1);
  assert.deepEqual(await empty, []);

  await service.sendMessage('q', { body: 'later', delaySeconds: 7 });
  const waiting = service.receiveMessages('q', { waitTimeSeconds: 20 });
  await parked();
  await clock.advance(7_000);
  assert.deepEqual(
    (await waiting).map((m) => m.body),
    ['later'],
  );
});

test('an aborted long poll ends at once with no messages, and close() ends every poll', async (t) => {
  const { service } = createTestQueues(t);
  await service.createQueue({ name: 'q' });
  const controller = new AbortController();
  const aborted = service.receiveMessages('q', { waitTimeSeconds: 20 }, controller.signal);
  await parked();
  controller.abort();
  assert.deepEqual(await aborted, []);
  const closing = service.receiveMessages('q', { waitTimeSeconds: 20 });
  await parked();
  service.close();
  assert.deepEqual(await closing, []);
});

test('messages older than the retention period are gone', async (t) => {
  const { service, clock } = createTestQueues(t);
  await service.createQueue({ name: 'short', attributes: { MessageRetentionPeriod: '60' } });
  await service.sendMessage('short', { body: 'old' });
  await clock.advance(30_000);
  await service.sendMessage('short', { body: 'young' });
  await clock.advance(30_000);
  const [m] = await service.receiveMessages('short', { maxNumberOfMessages: 10 });
  assert.equal(m?.body, 'young');
  assert.deepEqual(
    await service.getQueueAttributes('short', ['ApproximateNumberOfMessagesNotVisible']),
    { ApproximateNumberOfMessagesNotVisible: '1' },
  );
  await clock.advance(30_000);
  assert.deepEqual(
    await service.getQueueAttributes('short', [
      'ApproximateNumberOfMessages',
      'ApproximateNumberOfMessagesNotVisible',
    ]),
    { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' },
  );
  assert.deepEqual(await service.receiveMessages('short'), []);
});

test('PurgeQueue deletes every message, at most once every 60 seconds', async (t) => {
  const { service, clock } = createTestQueues(t);
  await service.createQueue({ name: 'q' });
  for (const body of ['a', 'b', 'c']) {
    await service.sendMessage('q', { body });
  }
  await service.receiveMessages('q');
  await service.purgeQueue('q');
  assert.deepEqual(
    await service.getQueueAttributes('q', [
      'ApproximateNumberOfMessages',
      'ApproximateNumberOfMessagesNotVisible',
    ]),
    { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' },
  );
  const again = await rejection(service.purgeQueue('q'));
  assert.equal(again.name, 'PurgeQueueInProgress');
  assert.equal(again.message, 'Only one PurgeQueue operation on q is allowed every 60 seconds.');
  await clock.advance(60_000);
  await service.purgeQueue('q');
});

test('queues are named by name or by ARN; other accounts and regions name nothing', async (t) => {
  const { service } = createTestQueues(t);
  const { arn } = await service.createQueue({ name: 'by-arn' });
  await service.sendMessage(arn, { body: 'x' });
  assert.equal((await service.receiveMessages('by-arn'))[0]?.body, 'x');
  const other = await rejection(
    service.sendMessage('arn:aws:sqs:eu-west-1:123456789012:by-arn', { body: 'x' }),
  );
  assert.equal(other.name, 'QueueDoesNotExist');
  const missing = await rejection(service.getQueueAttributes('nope', ['All']));
  assert.equal(missing.message, 'The specified queue does not exist.');
});
