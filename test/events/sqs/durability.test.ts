import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../../src/core/clock.js';
import { createQueueService } from '../../../src/events/sqs/index.js';
import { SqliteQueueStore } from '../../../src/store/sqlite/queues.js';
import { CTX, openDatabase, tempDir } from './helpers.js';

test('an acknowledged message survives closing the database without being deleted', async (t) => {
  const dir = tempDir(t);
  const clock = new ManualClock();
  const first = openDatabase(dir);
  const before = createQueueService({ store: new SqliteQueueStore(first), clock, ctx: CTX });
  await before.createQueue({ name: 'durable.fifo', attributes: { FifoQueue: 'true' } });
  await before.createQueue({ name: 'durable' });
  const sent = await before.sendMessage('durable', {
    body: 'still here',
    messageAttributes: { kind: { dataType: 'Binary', binaryValue: Buffer.from([0, 1, 2]) } },
  });
  const fifoSent = await before.sendMessage('durable.fifo', {
    body: 'in order',
    messageGroupId: 'g',
    messageDeduplicationId: 'once',
  });
  // Received but neither deleted nor expired when the process stops.
  await before.receiveMessages('durable.fifo', { visibilityTimeout: 30 });
  before.close();
  first.close();

  const second = openDatabase(dir);
  t.after(() => second.close());
  const after = createQueueService({ store: new SqliteQueueStore(second), clock, ctx: CTX });
  t.after(() => {
    after.close();
  });
  const [message] = await after.receiveMessages('durable', {
    messageAttributeNames: ['All'],
  });
  assert.equal(message?.messageId, sent.messageId);
  assert.equal(message.body, 'still here');
  assert.deepEqual([...(message.messageAttributes.kind?.binaryValue ?? [])], [0, 1, 2]);

  // The in-flight FIFO message stays invisible, and its deduplication record is still held.
  assert.deepEqual(await after.receiveMessages('durable.fifo'), []);
  const duplicate = await after.sendMessage('durable.fifo', {
    body: 'in order',
    messageGroupId: 'g',
    messageDeduplicationId: 'once',
  });
  assert.equal(duplicate.messageId, fifoSent.messageId);
  await clock.advance(30_000);
  assert.equal((await after.receiveMessages('durable.fifo'))[0]?.messageId, fifoSent.messageId);
});

test('migrateQueues is idempotent', (t) => {
  const dir = tempDir(t);
  openDatabase(dir).close();
  const again = openDatabase(dir);
  t.after(() => again.close());
  const tables = again
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'sqs_%' ORDER BY name",
    )
    .all() as { name: string }[];
  assert.deepEqual(
    tables.map((row) => row.name),
    ['sqs_deduplication', 'sqs_messages', 'sqs_queues'],
  );
});
