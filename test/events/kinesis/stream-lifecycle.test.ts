import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compileFilterCriteria } from '../../../src/events/filter/index.js';
import { kinesisEventRecord, type NewRecordsNotice } from '../../../src/events/kinesis/index.js';
import { migrateStreams } from '../../../src/store/sqlite/streams.js';
import { CTX, openStreams, rejectsWith, text } from './fixtures.js';

const data = (s: string): Uint8Array => Buffer.from(s);
const HOUR = 3_600_000;

describe('stream lifecycle', () => {
  it('is CREATING until the activation delay passes, and refuses records meanwhile', async () => {
    const { service, clock, close } = openStreams({ activationDelayMs: 2000 });
    try {
      await service.createStream({ streamName: 'slow', shardCount: 2 });
      const creating = await service.describeStream({ streamName: 'slow' });
      assert.equal(creating.streamStatus, 'CREATING');
      await rejectsWith(
        service.putRecord({ streamName: 'slow' }, { partitionKey: 'k', data: data('x') }),
        'ResourceNotFoundException',
      );
      await rejectsWith(
        service.deleteStream({ streamName: 'slow' }),
        'ResourceInUseException',
        'CREATING',
      );
      await clock.advance(2000);
      const active = await service.describeStream({ streamName: 'slow' });
      assert.equal(active.streamStatus, 'ACTIVE');
      await service.putRecord({ streamName: 'slow' }, { partitionKey: 'k', data: data('x') });
    } finally {
      close();
    }
  });

  it('describes a stream like Kinesis (ARN, shards, ranges, retention)', async () => {
    const { service, clock, close } = openStreams();
    try {
      await service.createStream({ streamName: 'orders', shardCount: 3 });
      const d = await service.describeStream({ streamName: 'orders' });
      assert.equal(d.streamArn, `arn:aws:kinesis:${CTX.region}:${CTX.accountId}:stream/orders`);
      assert.equal(d.streamMode, 'PROVISIONED');
      assert.equal(d.retentionPeriodHours, 24);
      assert.equal(d.streamCreationTimestamp, clock.now());
      assert.equal(d.openShardCount, 3);
      assert.deepEqual(
        d.shards.map((s) => s.shardId),
        ['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002'],
      );
      assert.equal(d.shards[2]?.endingHashKey, '340282366920938463463374607431768211455');
      assert.match(d.shards[0]?.startingSequenceNumber ?? '', /^49\d{54}$/);
      assert.equal(d.hasMoreShards, false);
      const paged = await service.describeStream(
        { streamName: 'orders' },
        { limit: 1, exclusiveStartShardId: 'shardId-000000000000' },
      );
      assert.deepEqual(
        paged.shards.map((s) => s.shardId),
        ['shardId-000000000001'],
      );
      assert.equal(paged.hasMoreShards, true);
      // By ARN too; an ARN of another region or account names no stream here.
      assert.equal(
        (await service.describeStreamSummary({ streamArn: d.streamArn })).streamName,
        'orders',
      );
      await rejectsWith(
        service.describeStreamSummary({
          streamArn: 'arn:aws:kinesis:eu-west-1:000000000000:stream/orders',
        }),
        'ResourceNotFoundException',
      );
      await rejectsWith(
        service.describeStreamSummary({ streamName: 'other', streamArn: d.streamArn }),
        'InvalidArgumentException',
      );
      await rejectsWith(service.describeStreamSummary({}), 'InvalidArgumentException');
    } finally {
      close();
    }
  });

  it('creates on-demand streams with 4 shards, and refuses duplicates and too many shards', async () => {
    const { service, close } = openStreams({ shardLimit: 10 });
    try {
      await service.createStream({ streamName: 'od', streamMode: 'ON_DEMAND' });
      const od = await service.describeStreamSummary({ streamName: 'od' });
      assert.equal(od.streamMode, 'ON_DEMAND');
      assert.equal(od.openShardCount, 4);
      await service.createStream({ streamName: 'implicit' });
      assert.equal(
        (await service.describeStreamSummary({ streamName: 'implicit' })).streamMode,
        'ON_DEMAND',
      );
      await rejectsWith(
        service.createStream({ streamName: 'od', shardCount: 1 }),
        'ResourceInUseException',
        'already exists',
      );
      await rejectsWith(
        service.createStream({ streamName: 'p', streamMode: 'PROVISIONED' }),
        'InvalidArgumentException',
      );
      await rejectsWith(
        service.createStream({ streamName: 'big', shardCount: 11 }),
        'LimitExceededException',
      );
      await rejectsWith(
        service.createStream({ streamName: 'a b', shardCount: 1 }),
        'InvalidArgumentException',
      );
      await rejectsWith(
        service.createStream({ streamName: 'zero', shardCount: 0 }),
        'InvalidArgumentException',
      );
    } finally {
      close();
    }
  });

  it('lists streams and shards page by page', async () => {
    const { service, clock, close } = openStreams();
    try {
      for (const name of ['c', 'a', 'b']) {
        await service.createStream({ streamName: name, shardCount: 3 });
      }
      const first = await service.listStreams({ limit: 2 });
      assert.deepEqual(
        first.streams.map((s) => s.streamName),
        ['a', 'b'],
      );
      assert.equal(first.hasMoreStreams, true);
      const rest = await service.listStreams({ limit: 2, exclusiveStartStreamName: 'b' });
      assert.deepEqual(
        rest.streams.map((s) => s.streamName),
        ['c'],
      );
      assert.equal(rest.hasMoreStreams, false);

      const page1 = await service.listShards({ stream: { streamName: 'a' }, maxResults: 2 });
      assert.deepEqual(
        page1.shards.map((s) => s.shardId),
        ['shardId-000000000000', 'shardId-000000000001'],
      );
      assert.ok(page1.nextToken !== undefined);
      const page2 = await service.listShards({ nextToken: page1.nextToken });
      assert.deepEqual(
        page2.shards.map((s) => s.shardId),
        ['shardId-000000000002'],
      );
      assert.equal(page2.nextToken, undefined);
      const after = await service.listShards({
        stream: { streamName: 'a' },
        filter: { type: 'AFTER_SHARD_ID', shardId: 'shardId-000000000000' },
      });
      assert.equal(after.shards.length, 2);
      await rejectsWith(
        service.listShards({ stream: { streamName: 'a' }, nextToken: page1.nextToken }),
        'InvalidArgumentException',
      );
      await clock.advance(300_001);
      await rejectsWith(
        service.listShards({ nextToken: page1.nextToken }),
        'ExpiredNextTokenException',
      );
    } finally {
      close();
    }
  });

  it('deletes a stream with its records', async () => {
    const { service, db, close } = openStreams();
    try {
      await service.createStream({ streamName: 'gone', shardCount: 2 });
      await service.putRecords(
        { streamName: 'gone' },
        [1, 2, 3].map((i) => ({ partitionKey: `${i}`, data: data('x') })),
      );
      await service.deleteStream({ streamName: 'gone' });
      await rejectsWith(
        service.describeStream({ streamName: 'gone' }),
        'ResourceNotFoundException',
        'Stream gone under account 000000000000 not found.',
      );
      await rejectsWith(service.deleteStream({ streamName: 'gone' }), 'ResourceNotFoundException');
      const left = db.prepare('SELECT COUNT(*) AS n FROM kinesis_records').get() as { n: number };
      assert.equal(left.n, 0);
    } finally {
      close();
    }
  });
});

describe('retention', () => {
  it('hides records past the retention period and the timer trims them', async () => {
    const { service, clock, db, close } = openStreams({ trimIntervalMs: HOUR });
    const count = (): number =>
      (db.prepare('SELECT COUNT(*) AS n FROM kinesis_records').get() as { n: number }).n;
    try {
      await service.createStream({ streamName: 's', shardCount: 1 });
      await service.putRecord({ streamName: 's' }, { partitionKey: 'k', data: data('old') });
      await clock.advance(12 * HOUR);
      await service.putRecord({ streamName: 's' }, { partitionKey: 'k', data: data('new') });
      const read = async () =>
        (
          await service.getRecords(
            await service.getShardIterator({ streamName: 's' }, 'shardId-000000000000', {
              type: 'TRIM_HORIZON',
            }),
          )
        ).records.map((r) => text(r.data));
      assert.deepEqual(await read(), ['old', 'new']);
      await clock.advance(12 * HOUR + 1);
      assert.deepEqual(await read(), ['new'], 'past 24 h a record is no longer readable');
      assert.equal(count(), 2, 'the hourly trim has not run since it expired');
      await clock.advance(HOUR);
      assert.equal(count(), 1, 'and then deletes it');
      await clock.advance(12 * HOUR);
      assert.equal(count(), 0);
    } finally {
      close();
    }
  });

  it('keeps records longer after IncreaseStreamRetentionPeriod; enforces the bounds', async () => {
    const { service, clock, close } = openStreams();
    try {
      const ref = { streamName: 's' };
      await service.createStream({ streamName: 's', shardCount: 1 });
      await service.putRecord(ref, { partitionKey: 'k', data: data('kept') });
      await service.increaseRetentionPeriod(ref, 48);
      assert.equal((await service.describeStreamSummary(ref)).retentionPeriodHours, 48);
      await clock.advance(30 * HOUR);
      const batch = await service.readShard(
        ref,
        'shardId-000000000000',
        await service.resolveCheckpoint(ref, 'shardId-000000000000', { type: 'TRIM_HORIZON' }),
        10,
      );
      assert.deepEqual(
        batch.records.map((r) => text(r.data)),
        ['kept'],
      );
      assert.equal(await service.trimExpired(), 0);

      await rejectsWith(
        service.increaseRetentionPeriod(ref, 24),
        'InvalidArgumentException',
        'Use DecreaseRetentionPeriod API',
      );
      await rejectsWith(
        service.decreaseRetentionPeriod(ref, 72),
        'InvalidArgumentException',
        'Use IncreaseRetentionPeriod API',
      );
      await rejectsWith(
        service.decreaseRetentionPeriod(ref, 23),
        'InvalidArgumentException',
        'Minimum allowed retention period is 24 hours',
      );
      await rejectsWith(
        service.increaseRetentionPeriod(ref, 8761),
        'InvalidArgumentException',
        'Maximum allowed retention period is 8760 hours',
      );

      await service.decreaseRetentionPeriod(ref, 24);
      assert.equal(await service.trimExpired(), 1);
    } finally {
      close();
    }
  });
});

describe('the poller interface', () => {
  it('reads a shard from a checkpoint, in order, and is told of new records', async () => {
    const { service, close } = openStreams();
    try {
      await service.createStream({ streamName: 'p', shardCount: 2 });
      const { streamArn } = await service.describeStreamSummary({ streamName: 'p' });
      const ref = { streamArn };
      const notices: NewRecordsNotice[] = [];
      const unsubscribe = service.subscribe(streamArn, (n) => notices.push(n));
      const shardId = 'shardId-000000000001';
      const toShard1 = (s: string) => ({
        partitionKey: s,
        data: data(s),
        explicitHashKey: (2n ** 127n).toString(),
      });

      let checkpoint = await service.resolveCheckpoint(ref, shardId, { type: 'LATEST' });
      const puts = await service.putRecords(ref, ['a', 'b', 'c'].map(toShard1));
      assert.deepEqual(notices, [
        { streamArn, shardId, lastSequenceNumber: puts[2]?.sequenceNumber },
      ]);

      const first = await service.readShard(ref, shardId, checkpoint, 2);
      assert.deepEqual(
        first.records.map((r) => text(r.data)),
        ['a', 'b'],
      );
      assert.equal(first.checkpoint, puts[1]?.sequenceNumber);
      checkpoint = first.checkpoint;
      const second = await service.readShard(ref, shardId, checkpoint, 10);
      assert.deepEqual(
        second.records.map((r) => text(r.data)),
        ['c'],
      );
      const idle = await service.readShard(ref, shardId, second.checkpoint, 10);
      assert.deepEqual(idle.records, []);
      assert.equal(idle.checkpoint, second.checkpoint, 'an empty read keeps the checkpoint');

      unsubscribe();
      await service.putRecord(ref, toShard1('d'));
      assert.equal(notices.length, 1);
      await rejectsWith(
        service.readShard(ref, 'shardId-000000000000', checkpoint, 1),
        'InvalidArgumentException',
      );
    } finally {
      close();
    }
  });

  it('a failing subscriber does not fail the write', async () => {
    const errors: unknown[] = [];
    const { service, close } = openStreams({ onError: (e) => errors.push(e) });
    try {
      await service.createStream({ streamName: 'p', shardCount: 1 });
      const { streamArn } = await service.describeStreamSummary({ streamName: 'p' });
      service.subscribe(streamArn, () => {
        throw new Error('subscriber bug');
      });
      await service.putRecord({ streamArn }, { partitionKey: 'k', data: data('x') });
      assert.equal(errors.length, 1);
    } finally {
      close();
    }
  });
});

describe('durability', () => {
  it('keeps streams, records and iterators across closing and reopening the database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fogbank-streams-'));
    const file = join(dir, 'fogbank.db');
    try {
      const before = openStreams({ file });
      await before.service.createStream({ streamName: 'durable', shardCount: 2 });
      const puts = await before.service.putRecords(
        { streamName: 'durable' },
        ['a', 'b', 'c', 'd'].map((s) => ({ partitionKey: 'same', data: data(s) })),
      );
      const shardId = puts[0]!.shardId;
      const iterator = await before.service.getShardIterator({ streamName: 'durable' }, shardId, {
        type: 'TRIM_HORIZON',
      });
      before.close();

      const after = openStreams({ file, clock: before.clock });
      try {
        const got = await after.service.getRecords(iterator);
        assert.deepEqual(
          got.records.map((r) => text(r.data)),
          ['a', 'b', 'c', 'd'],
        );
        assert.deepEqual(
          got.records.map((r) => r.sequenceNumber),
          puts.map((p) => p.sequenceNumber),
        );
        const next = await after.service.putRecord(
          { streamName: 'durable' },
          { partitionKey: 'same', data: data('e') },
        );
        assert.ok(
          BigInt(next.sequenceNumber) > BigInt(puts[3]!.sequenceNumber),
          'numbering continues',
        );
      } finally {
        after.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('migrateStreams is idempotent', () => {
    const { db, close } = openStreams();
    try {
      migrateStreams(db);
      migrateStreams(db);
      const tables = db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'kinesis_%' ORDER BY name",
        )
        .all() as { name: string }[];
      assert.deepEqual(
        tables.map((t) => t.name),
        ['kinesis_records', 'kinesis_shards', 'kinesis_streams'],
      );
    } finally {
      close();
    }
  });
});

describe('the Lambda event record', () => {
  it('has the shape of a Kinesis event record, and its kinesis part passes FilterCriteria', async () => {
    const { service, clock, close } = openStreams();
    try {
      await service.createStream({ streamName: 'telemetry', shardCount: 1 });
      const ref = { streamName: 'telemetry' };
      const shardId = 'shardId-000000000000';
      await clock.advance(123);
      const put = await service.putRecord(ref, { partitionKey: 'p1', data: data('{"temp":21}') });
      const batch = await service.readShard(
        ref,
        shardId,
        await service.resolveCheckpoint(ref, shardId, { type: 'TRIM_HORIZON' }),
        10,
      );
      const streamArn = `arn:aws:kinesis:us-east-1:000000000000:stream/telemetry`;
      const record = kinesisEventRecord(batch.records[0]!, {
        shardId,
        streamArn,
        region: 'us-east-1',
        invokeIdentityArn: 'arn:aws:iam::000000000000:role/lambda-exec',
      });
      assert.deepEqual(record, {
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: 'p1',
          sequenceNumber: put.sequenceNumber,
          data: 'eyJ0ZW1wIjoyMX0=',
          approximateArrivalTimestamp: clock.now() / 1000,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `${shardId}:${put.sequenceNumber}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::000000000000:role/lambda-exec',
        awsRegion: 'us-east-1',
        eventSourceARN: streamArn,
      });
      assert.ok(!Number.isInteger(record.kinesis.approximateArrivalTimestamp));
      const filter = compileFilterCriteria(['{"data":{"temp":[{"numeric":[">",20]}]}}'], 'kinesis');
      assert.equal(filter.matches(record.kinesis), true);
    } finally {
      close();
    }
  });
});
