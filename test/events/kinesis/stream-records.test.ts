import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  MAX_HASH_KEY,
  evenHashKeyRanges,
  partitionKeyHash,
} from '../../../src/events/kinesis/hash-keys.js';
import { openStreams, rejectsWith, text } from './fixtures.js';

const TWO_64 = 2n ** 64n;
const data = (s: string): Uint8Array => Buffer.from(s);

describe('hash key ranges', () => {
  it('split the 128-bit space evenly, as Kinesis does', () => {
    assert.deepEqual(evenHashKeyRanges(1), [{ startingHashKey: 0n, endingHashKey: MAX_HASH_KEY }]);
    // The ranges Kinesis reports for 2 and 3 shards.
    assert.deepEqual(
      evenHashKeyRanges(2).map((r) => [r.startingHashKey.toString(), r.endingHashKey.toString()]),
      [
        ['0', '170141183460469231731687303715884105727'],
        ['170141183460469231731687303715884105728', '340282366920938463463374607431768211455'],
      ],
    );
    assert.deepEqual(
      evenHashKeyRanges(3).map((r) => [r.startingHashKey.toString(), r.endingHashKey.toString()]),
      [
        ['0', '113427455640312821154458202477256070484'],
        ['113427455640312821154458202477256070485', '226854911280625642308916404954512140969'],
        ['226854911280625642308916404954512140970', '340282366920938463463374607431768211455'],
      ],
    );
  });

  it('hash a partition key with MD5 as an unsigned big-endian integer', () => {
    // md5("a") = 0cc175b9c0f1b6a831c399e269772661
    assert.equal(partitionKeyHash('a'), 0x0cc175b9c0f1b6a831c399e269772661n);
    assert.equal(partitionKeyHash('é'), BigInt(`0x${createHash('md5').update('é').digest('hex')}`));
  });
});

describe('writing records', () => {
  it('routes each partition key to the shard whose range holds its MD5', async () => {
    const { service, close } = openStreams();
    try {
      await service.createStream({ streamName: 's', shardCount: 4 });
      const shards = (await service.describeStream({ streamName: 's' })).shards;
      for (let i = 0; i < 40; i++) {
        const key = `key-${i}`;
        const hash = BigInt(`0x${createHash('md5').update(key).digest('hex')}`);
        const expected = shards.find(
          (s) => BigInt(s.startingHashKey) <= hash && hash <= BigInt(s.endingHashKey),
        );
        const put = await service.putRecord(
          { streamName: 's' },
          { partitionKey: key, data: data('x') },
        );
        assert.equal(put.shardId, expected?.shardId, key);
      }
    } finally {
      close();
    }
  });

  it('routes by ExplicitHashKey when given, and refuses one outside [0, 2^128-1]', async () => {
    const { service, close } = openStreams();
    try {
      await service.createStream({ streamName: 's', shardCount: 4 });
      const put = (explicitHashKey: string) =>
        service.putRecord(
          { streamName: 's' },
          { partitionKey: 'k', data: data('x'), explicitHashKey },
        );
      assert.equal((await put('0')).shardId, 'shardId-000000000000');
      assert.equal((await put((TWO_64 * TWO_64 - 1n).toString())).shardId, 'shardId-000000000003');
      assert.equal(
        (await put(((TWO_64 * TWO_64) / 2n).toString())).shardId,
        'shardId-000000000002',
      );
      await rejectsWith(
        put((TWO_64 * TWO_64).toString()),
        'InvalidArgumentException',
        'ExplicitHashKey',
      );
      await rejectsWith(put('-1'), 'InvalidArgumentException');
    } finally {
      close();
    }
  });

  it('gives increasing sequence numbers, in request order, and reads them back in order', async () => {
    const { service, clock, close } = openStreams();
    try {
      await service.createStream({ streamName: 's', shardCount: 2 });
      const first = await service.putRecords(
        { streamName: 's' },
        Array.from({ length: 10 }, (_, i) => ({ partitionKey: 'same', data: data(`r${i}`) })),
      );
      await clock.advance(1000);
      const second = await service.putRecord(
        { streamName: 's' },
        { partitionKey: 'same', data: data('r10') },
      );
      const all = [...first, second];
      assert.ok(all.every((r) => r.shardId === first[0]?.shardId));
      for (let i = 1; i < all.length; i++) {
        const [a, b] = [all[i - 1]!.sequenceNumber, all[i]!.sequenceNumber];
        assert.match(b, /^[1-9]\d{55}$/);
        assert.ok(BigInt(a) < BigInt(b) && a < b, `${a} < ${b}`);
      }
      const iterator = await service.getShardIterator({ streamName: 's' }, first[0]!.shardId, {
        type: 'TRIM_HORIZON',
      });
      const got = await service.getRecords(iterator);
      assert.deepEqual(
        got.records.map((r) => text(r.data)),
        all.map((_, i) => `r${i}`),
      );
      assert.deepEqual(
        got.records.map((r) => r.sequenceNumber),
        all.map((r) => r.sequenceNumber),
      );
      assert.equal(got.records[0]!.approximateArrivalTimestamp, clock.now() - 1000);
      assert.equal(got.records[10]!.approximateArrivalTimestamp, clock.now());
      assert.equal(got.records[0]!.partitionKey, 'same');
    } finally {
      close();
    }
  });

  it('refuses oversized records and requests', async () => {
    const { service, close } = openStreams();
    try {
      await service.createStream({ streamName: 's', shardCount: 1 });
      const big = new Uint8Array(1024 * 1024);
      await rejectsWith(
        service.putRecord({ streamName: 's' }, { partitionKey: 'k', data: big }),
        'InvalidArgumentException',
      );
      const nearlyMiB = new Uint8Array(1024 * 1024 - 10);
      await rejectsWith(
        service.putRecords(
          { streamName: 's' },
          Array.from({ length: 6 }, () => ({ partitionKey: 'k', data: nearlyMiB })),
        ),
        'InvalidArgumentException',
        'PutRecords',
      );
      const iterator = await service.getShardIterator({ streamName: 's' }, 'shardId-000000000000', {
        type: 'TRIM_HORIZON',
      });
      assert.equal((await service.getRecords(iterator)).records.length, 0, 'nothing was written');
    } finally {
      close();
    }
  });
});

describe('shard iterators', () => {
  async function streamWith(n: number) {
    const fixture = openStreams();
    await fixture.service.createStream({ streamName: 's', shardCount: 1 });
    const puts = [];
    for (let i = 0; i < n; i++) {
      puts.push(
        await fixture.service.putRecord(
          { streamName: 's' },
          { partitionKey: 'k', data: data(`r${i}`) },
        ),
      );
      await fixture.clock.advance(1000);
    }
    return { ...fixture, puts, shardId: 'shardId-000000000000', ref: { streamName: 's' } };
  }

  it('TRIM_HORIZON, AT_ and AFTER_SEQUENCE_NUMBER, AT_TIMESTAMP', async () => {
    const { service, clock, puts, shardId, ref, close } = await streamWith(5);
    try {
      const read = async (position: Parameters<typeof service.getShardIterator>[2]) =>
        (
          await service.getRecords(await service.getShardIterator(ref, shardId, position))
        ).records.map((r) => text(r.data));
      assert.deepEqual(await read({ type: 'TRIM_HORIZON' }), ['r0', 'r1', 'r2', 'r3', 'r4']);
      assert.deepEqual(
        await read({ type: 'AT_SEQUENCE_NUMBER', sequenceNumber: puts[2]!.sequenceNumber }),
        ['r2', 'r3', 'r4'],
      );
      assert.deepEqual(
        await read({ type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: puts[2]!.sequenceNumber }),
        ['r3', 'r4'],
      );
      // r0 arrived at now-5000, r1 at now-4000, …
      assert.deepEqual(await read({ type: 'AT_TIMESTAMP', timestampMs: clock.now() - 3000 }), [
        'r2',
        'r3',
        'r4',
      ]);
      assert.deepEqual(await read({ type: 'AT_TIMESTAMP', timestampMs: clock.now() - 3500 }), [
        'r2',
        'r3',
        'r4',
      ]);
      assert.deepEqual(await read({ type: 'AT_TIMESTAMP', timestampMs: 0 }), [
        'r0',
        'r1',
        'r2',
        'r3',
        'r4',
      ]);
      assert.deepEqual(await read({ type: 'AT_TIMESTAMP', timestampMs: clock.now() + 60_000 }), []);
    } finally {
      close();
    }
  });

  it('LATEST reads only records put after the iterator was taken', async () => {
    const { service, shardId, ref, close } = await streamWith(3);
    try {
      const iterator = await service.getShardIterator(ref, shardId, { type: 'LATEST' });
      const empty = await service.getRecords(iterator);
      assert.deepEqual(empty.records, []);
      assert.equal(empty.millisBehindLatest, 0);
      await service.putRecord(ref, { partitionKey: 'k', data: data('new') });
      const later = await service.getRecords(empty.nextShardIterator);
      assert.deepEqual(
        later.records.map((r) => text(r.data)),
        ['new'],
      );
      // The first iterator still points at the same place: iterators are positions, not cursors.
      assert.deepEqual(
        (await service.getRecords(iterator)).records.map((r) => text(r.data)),
        ['new'],
      );
      assert.deepEqual((await service.getRecords(later.nextShardIterator)).records, []);
    } finally {
      close();
    }
  });

  it('pages with Limit and NextShardIterator, reporting MillisBehindLatest until caught up', async () => {
    const { service, clock, shardId, ref, close } = await streamWith(5);
    try {
      let iterator = await service.getShardIterator(ref, shardId, { type: 'TRIM_HORIZON' });
      const seen: string[] = [];
      const behind: number[] = [];
      for (let i = 0; i < 3; i++) {
        const page = await service.getRecords(iterator, 2);
        seen.push(...page.records.map((r) => text(r.data)));
        behind.push(page.millisBehindLatest);
        iterator = page.nextShardIterator;
      }
      assert.deepEqual(seen, ['r0', 'r1', 'r2', 'r3', 'r4']);
      // The oldest unread record after page 1 is r2 (arrived 3 s ago), after page 2 r4 (1 s ago).
      assert.deepEqual(behind, [3000, 1000, 0]);
      assert.ok(clock.now() > 0);
    } finally {
      close();
    }
  });

  it('expire five minutes after they are issued', async () => {
    const { service, clock, shardId, ref, close } = await streamWith(1);
    try {
      const iterator = await service.getShardIterator(ref, shardId, { type: 'TRIM_HORIZON' });
      await clock.advance(5 * 60 * 1000);
      const page = await service.getRecords(iterator);
      assert.equal(page.records.length, 1);
      await clock.advance(1);
      await rejectsWith(
        service.getRecords(iterator),
        'ExpiredIteratorException',
        'Iterator expired',
      );
      // The iterator a read returns is fresh.
      await clock.advance(60_000);
      assert.deepEqual((await service.getRecords(page.nextShardIterator)).records, []);
    } finally {
      close();
    }
  });

  it('are refused when malformed, for another shard, or for a stream recreated since', async () => {
    const { service, puts, shardId, ref, close } = await streamWith(1);
    try {
      await rejectsWith(
        service.getRecords('not-an-iterator'),
        'InvalidArgumentException',
        'Invalid ShardIterator',
      );
      await rejectsWith(
        service.getRecords(Buffer.from('1:2:3').toString('base64')),
        'InvalidArgumentException',
      );
      await rejectsWith(
        service.getShardIterator(ref, 'shardId-000000000001', { type: 'LATEST' }),
        'ResourceNotFoundException',
        'Shard shardId-000000000001 in stream s',
      );
      await rejectsWith(
        service.getShardIterator(ref, shardId, {
          type: 'AT_SEQUENCE_NUMBER',
          sequenceNumber: '12345',
        }),
        'InvalidArgumentException',
      );
      const iterator = await service.getShardIterator(ref, shardId, { type: 'TRIM_HORIZON' });
      await service.deleteStream(ref);
      await service.createStream({ streamName: 's', shardCount: 2 });
      await rejectsWith(service.getRecords(iterator), 'ResourceNotFoundException');
      await rejectsWith(
        service.getShardIterator(ref, shardId, {
          type: 'AT_SEQUENCE_NUMBER',
          sequenceNumber: puts[0]!.sequenceNumber,
        }),
        'InvalidArgumentException',
        'did not come from this stream',
      );
      const other = await service.putRecord(ref, {
        partitionKey: 'x',
        data: data('x'),
        explicitHashKey: '0',
      });
      await rejectsWith(
        service.getShardIterator(ref, 'shardId-000000000001', {
          type: 'AT_SEQUENCE_NUMBER',
          sequenceNumber: other.sequenceNumber,
        }),
        'InvalidArgumentException',
        'It encodes shardId-000000000000',
      );
    } finally {
      close();
    }
  });
});
