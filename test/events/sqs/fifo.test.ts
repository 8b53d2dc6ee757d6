import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { createTestQueues, rejection } from './helpers.js';

const FIFO = { FifoQueue: 'true' };

test('FIFO: MessageGroupId is required, and so is a deduplication id without content-based deduplication', async (t) => {
  const { service } = createTestQueues(t);
  await service.createQueue({ name: 'jobs.fifo', attributes: FIFO });
  const noGroup = await rejection(service.sendMessage('jobs.fifo', { body: 'x' }));
  assert.equal(noGroup.name, 'MissingRequiredParameterException');
  assert.equal(noGroup.message, 'The request must contain the parameter MessageGroupId.');
  const noDedup = await rejection(
    service.sendMessage('jobs.fifo', { body: 'x', messageGroupId: 'g' }),
  );
  assert.equal(
    noDedup.message,
    'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
  );
  const delay = await rejection(
    service.sendMessage('jobs.fifo', {
      body: 'x',
      messageGroupId: 'g',
      messageDeduplicationId: 'd',
      delaySeconds: 5,
    }),
  );
  assert.equal(
    delay.message,
    'Value 5 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.',
  );
  await service.createQueue({ name: 'plain' });
  const dedupOnStandard = await rejection(
    service.sendMessage('plain', { body: 'x', messageDeduplicationId: 'd' }),
  );
  assert.match(dedupOnStandard.message, /parameter MessageDeduplicationId is invalid/);
});

test('FIFO: strict order per group, a group blocked while one of its messages is in flight', async (t) => {
  const { service, clock } = createTestQueues(t);
  await service.createQueue({
    name: 'orders.fifo',
    attributes: { ...FIFO, ContentBasedDeduplication: 'true' },
  });
  const sequenceNumbers: string[] = [];
  for (const [group, body] of [
    ['a', 'a1'],
    ['b', 'b1'],
    ['a', 'a2'],
    ['a', 'a3'],
    ['b', 'b2'],
  ] as const) {
    const sent = await service.sendMessage('orders.fifo', { body, messageGroupId: group });
    assert.ok(sent.sequenceNumber);
    sequenceNumbers.push(sent.sequenceNumber);
  }
  const asNumbers = sequenceNumbers.map(BigInt);
  assert.deepEqual(
    asNumbers,
    [...asNumbers].sort((x, y) => (x < y ? -1 : 1)),
  );

  const receive = async (max: number): Promise<string[]> =>
    (
      await service.receiveMessages('orders.fifo', {
        maxNumberOfMessages: max,
        visibilityTimeout: 30,
      })
    ).map((m) => m.body);
  // One batch may hold several messages of a group, in order.
  assert.deepEqual(await receive(2), ['a1', 'b1']);
  // Both groups now have a message in flight: nothing else is available.
  assert.deepEqual(await receive(10), []);
  await clock.advance(30_000);
  // a1 and b1 came back (not deleted): they are first again, then the rest of each group.
  const [first] = await service.receiveMessages('orders.fifo', {
    maxNumberOfMessages: 10,
    systemAttributeNames: ['All'],
  });
  assert.equal(first?.body, 'a1');
  assert.equal(first.attributes.MessageGroupId, 'a');
  assert.equal(first.attributes.SequenceNumber, sequenceNumbers[0]);
  assert.equal(
    first.attributes.MessageDeduplicationId,
    createHash('sha256').update('a1').digest('hex'),
  );
});

test('FIFO: deleting in order releases the group; other groups go on meanwhile', async (t) => {
  const { service } = createTestQueues(t);
  await service.createQueue({
    name: 'o.fifo',
    attributes: { ...FIFO, ContentBasedDeduplication: 'true' },
  });
  for (const [group, body] of [
    ['a', 'a1'],
    ['a', 'a2'],
    ['b', 'b1'],
  ] as const) {
    await service.sendMessage('o.fifo', { body, messageGroupId: group });
  }
  const [a1] = await service.receiveMessages('o.fifo');
  assert.equal(a1?.body, 'a1');
  const [b1] = await service.receiveMessages('o.fifo');
  assert.equal(b1?.body, 'b1');
  assert.deepEqual(await service.receiveMessages('o.fifo'), []);
  await service.deleteMessage('o.fifo', a1.receiptHandle);
  const [a2] = await service.receiveMessages('o.fifo');
  assert.equal(a2?.body, 'a2');
});

test('FIFO: deduplication within 5 minutes, by id or content, per queue or per group', async (t) => {
  const { service, clock } = createTestQueues(t);
  await service.createQueue({ name: 'd.fifo', attributes: FIFO });
  const first = await service.sendMessage('d.fifo', {
    body: 'one',
    messageGroupId: 'g',
    messageDeduplicationId: 'id-1',
  });
  await clock.advance(4 * 60_000);
  const duplicate = await service.sendMessage('d.fifo', {
    body: 'one again',
    messageGroupId: 'other',
    messageDeduplicationId: 'id-1',
  });
  assert.equal(duplicate.messageId, first.messageId);
  assert.equal(duplicate.sequenceNumber, first.sequenceNumber);
  await clock.advance(60_000);
  const fresh = await service.sendMessage('d.fifo', {
    body: 'one later',
    messageGroupId: 'g',
    messageDeduplicationId: 'id-1',
  });
  assert.notEqual(fresh.messageId, first.messageId);
  const bodies = (await service.receiveMessages('d.fifo', { maxNumberOfMessages: 10 })).map(
    (m) => m.body,
  );
  assert.deepEqual(bodies, ['one', 'one later']);

  await service.createQueue({
    name: 'c.fifo',
    attributes: { ...FIFO, ContentBasedDeduplication: 'true', DeduplicationScope: 'messageGroup' },
  });
  const x = await service.sendMessage('c.fifo', { body: 'same', messageGroupId: 'x' });
  const y = await service.sendMessage('c.fifo', { body: 'same', messageGroupId: 'y' });
  const x2 = await service.sendMessage('c.fifo', { body: 'same', messageGroupId: 'x' });
  assert.notEqual(x.messageId, y.messageId);
  assert.equal(x2.messageId, x.messageId);
  const attributes = await service.getQueueAttributes('c.fifo', ['ApproximateNumberOfMessages']);
  assert.deepEqual(attributes, { ApproximateNumberOfMessages: '2' });
});

test('FIFO: a receipt handle expires with its visibility timeout', async (t) => {
  const { service, clock } = createTestQueues(t);
  await service.createQueue({
    name: 'e.fifo',
    attributes: { ...FIFO, ContentBasedDeduplication: 'true', VisibilityTimeout: '5' },
  });
  await service.sendMessage('e.fifo', { body: 'm', messageGroupId: 'g' });
  const [m] = await service.receiveMessages('e.fifo');
  assert.ok(m);
  await clock.advance(5_000);
  const expired = await rejection(service.deleteMessage('e.fifo', m.receiptHandle));
  assert.equal(
    expired.message,
    `Value ${m.receiptHandle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`,
  );
  const [again] = await service.receiveMessages('e.fifo');
  assert.ok(again);
  await service.deleteMessage('e.fifo', again.receiptHandle);
  // Deleting what is already deleted succeeds.
  await service.deleteMessage('e.fifo', again.receiptHandle);
});
