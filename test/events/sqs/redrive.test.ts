import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestQueues, parked, rejection } from './helpers.js';

test('a message received maxReceiveCount times moves to the dead-letter queue on its next receive', async (t) => {
  const { service, clock } = createTestQueues(t);
  const dlq = await service.createQueue({ name: 'dlq' });
  const source = await service.createQueue({
    name: 'work',
    attributes: {
      VisibilityTimeout: '10',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    },
  });
  const sent = await service.sendMessage('work', { body: 'poison' });
  const receiveCount = async (): Promise<string | undefined> => {
    const [m] = await service.receiveMessages('work', {
      systemAttributeNames: ['ApproximateReceiveCount'],
    });
    return m?.attributes.ApproximateReceiveCount;
  };
  assert.equal(await receiveCount(), '1');
  await clock.advance(10_000);
  assert.equal(await receiveCount(), '2');
  await clock.advance(10_000);
  // Received exactly maxReceiveCount times: still in the source queue until the next receive.
  assert.deepEqual(await service.getQueueAttributes('work', ['ApproximateNumberOfMessages']), {
    ApproximateNumberOfMessages: '1',
  });
  assert.deepEqual(await service.getQueueAttributes('dlq', ['ApproximateNumberOfMessages']), {
    ApproximateNumberOfMessages: '0',
  });
  assert.equal(await receiveCount(), undefined);
  assert.deepEqual(await service.getQueueAttributes('work', ['ApproximateNumberOfMessages']), {
    ApproximateNumberOfMessages: '0',
  });

  const [dead] = await service.receiveMessages('dlq', { systemAttributeNames: ['All'] });
  assert.ok(dead);
  assert.equal(dead.messageId, sent.messageId);
  assert.equal(dead.body, 'poison');
  assert.equal(dead.attributes.DeadLetterQueueSourceArn, source.arn);
  assert.equal(dead.attributes.ApproximateReceiveCount, '3');

  const sources = await service.listDeadLetterSourceQueues('dlq');
  assert.deepEqual(
    sources.queues.map((q) => q.name),
    ['work'],
  );
});

test('a long poll on the dead-letter queue wakes when a message is moved there', async (t) => {
  const { service } = createTestQueues(t);
  const dlq = await service.createQueue({ name: 'dlq' });
  await service.createQueue({
    name: 'src',
    attributes: {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: '1' }),
    },
  });
  await service.sendMessage('src', { body: 'm' });
  const [m] = await service.receiveMessages('src', { visibilityTimeout: 0 });
  assert.ok(m);
  const waiting = service.receiveMessages('dlq', { waitTimeSeconds: 20 });
  await parked();
  assert.deepEqual(await service.receiveMessages('src'), []);
  assert.equal((await waiting)[0]?.body, 'm');
});

test('FIFO redrive keeps group order in the FIFO dead-letter queue', async (t) => {
  const { service } = createTestQueues(t);
  const dlq = await service.createQueue({ name: 'dlq.fifo', attributes: { FifoQueue: 'true' } });
  await service.createQueue({
    name: 'src.fifo',
    attributes: {
      FifoQueue: 'true',
      ContentBasedDeduplication: 'true',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 }),
    },
  });
  for (const body of ['1', '2', '3']) {
    await service.sendMessage('src.fifo', { body, messageGroupId: 'g' });
  }
  const first = await service.receiveMessages('src.fifo', {
    maxNumberOfMessages: 10,
    visibilityTimeout: 0,
  });
  assert.deepEqual(
    first.map((m) => m.body),
    ['1', '2', '3'],
  );
  assert.deepEqual(await service.receiveMessages('src.fifo', { maxNumberOfMessages: 10 }), []);
  const dead = await service.receiveMessages('dlq.fifo', {
    maxNumberOfMessages: 10,
    systemAttributeNames: ['MessageGroupId'],
  });
  assert.deepEqual(
    dead.map((m) => [m.body, m.attributes.MessageGroupId]),
    [
      ['1', 'g'],
      ['2', 'g'],
      ['3', 'g'],
    ],
  );
});

test('RedrivePolicy is validated: the target must exist, match the queue type and the count be 1–1000', async (t) => {
  const { service } = createTestQueues(t);
  const fifoDlq = await service.createQueue({ name: 'd.fifo', attributes: { FifoQueue: 'true' } });
  const missing = await rejection(
    service.createQueue({
      name: 'a',
      attributes: {
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:nope',
          maxReceiveCount: 3,
        }),
      },
    }),
  );
  assert.match(missing.message, /Reason: Dead letter target does not exist\.$/);
  const mismatch = await rejection(
    service.createQueue({
      name: 'a',
      attributes: {
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: fifoDlq.arn, maxReceiveCount: 3 }),
      },
    }),
  );
  assert.match(mismatch.message, /Dead-letter queue must be same type of queue as the source/);
  await service.createQueue({ name: 'dlq' });
  const count = await rejection(
    service.createQueue({
      name: 'a',
      attributes: {
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:dlq',
          maxReceiveCount: 0,
        }),
      },
    }),
  );
  assert.match(count.message, /valid values are from 1 to 1000 both inclusive/);
  assert.equal(count.name, 'InvalidParameterValueException');

  await service.createQueue({ name: 'a' });
  await service.setQueueAttributes('a', {
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:dlq',
      maxReceiveCount: '5',
    }),
  });
  assert.deepEqual(await service.getQueueAttributes('a', ['RedrivePolicy']), {
    RedrivePolicy:
      '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:dlq","maxReceiveCount":5}',
  });
  await service.setQueueAttributes('a', { RedrivePolicy: '' });
  assert.deepEqual(await service.getQueueAttributes('a', ['RedrivePolicy']), {});
});
