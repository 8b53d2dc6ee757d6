import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateStreamCommand,
  DecreaseStreamRetentionPeriodCommand,
  DeleteStreamCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  IncreaseStreamRetentionPeriodCommand,
  InvalidArgumentException,
  ListShardsCommand,
  ListStreamsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  ValidationException,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { startKinesisServer, type KinesisServer } from './http-fixture.js';

for (const transport of ['HTTP/2, the client default', 'HTTP/1.1'] as const) {
  describe(`Kinesis API through @aws-sdk/client-kinesis over ${transport}`, () => {
    let k: KinesisServer;
    let client: KinesisClient;
    before(async () => {
      k = await startKinesisServer();
      client = transport === 'HTTP/1.1' ? k.http1Client : k.client;
    });
    after(() => k.stop());

    it('creates, waits for, describes and lists streams', async () => {
      await client.send(new CreateStreamCommand({ StreamName: 'sdk', ShardCount: 2 }));
      const waited = await waitUntilStreamExists(
        { client, maxWaitTime: 5, minDelay: 1 },
        { StreamName: 'sdk' },
      );
      assert.equal(waited.state, 'SUCCESS');
      const { StreamDescription: d } = await client.send(
        new DescribeStreamCommand({ StreamName: 'sdk' }),
      );
      assert.equal(d?.StreamARN, 'arn:aws:kinesis:us-east-1:000000000000:stream/sdk');
      assert.equal(d.StreamStatus, 'ACTIVE');
      assert.equal(d.StreamModeDetails?.StreamMode, 'PROVISIONED');
      assert.equal(d.RetentionPeriodHours, 24);
      assert.ok(d.StreamCreationTimestamp instanceof Date);
      assert.equal(d.StreamCreationTimestamp.getTime(), k.clock.now());
      assert.deepEqual(
        d.Shards?.map((s) => [s.ShardId, s.HashKeyRange?.EndingHashKey]),
        [
          ['shardId-000000000000', '170141183460469231731687303715884105727'],
          ['shardId-000000000001', '340282366920938463463374607431768211455'],
        ],
      );
      const summary = await client.send(
        new DescribeStreamSummaryCommand({ StreamARN: d.StreamARN }),
      );
      assert.equal(summary.StreamDescriptionSummary?.OpenShardCount, 2);
      const list = await client.send(new ListStreamsCommand({}));
      assert.ok(list.StreamNames?.includes('sdk'));
      assert.equal(
        list.StreamSummaries?.find((s) => s.StreamName === 'sdk')?.StreamStatus,
        'ACTIVE',
      );
      const shards = await client.send(new ListShardsCommand({ StreamName: 'sdk', MaxResults: 1 }));
      assert.equal(shards.Shards?.length, 1);
      const rest = await client.send(new ListShardsCommand({ NextToken: shards.NextToken }));
      assert.deepEqual(
        rest.Shards?.map((s) => s.ShardId),
        ['shardId-000000000001'],
      );
    });

    it('puts records and reads them back with iterators', async () => {
      await client.send(new CreateStreamCommand({ StreamName: 'rw', ShardCount: 1 }));
      const one = await client.send(
        new PutRecordCommand({
          StreamName: 'rw',
          PartitionKey: 'p',
          Data: Buffer.from('{"temp":21}'),
        }),
      );
      assert.equal(one.ShardId, 'shardId-000000000000');
      assert.match(one.SequenceNumber ?? '', /^\d{56}$/);
      const many = await client.send(
        new PutRecordsCommand({
          StreamName: 'rw',
          Records: [0, 1, 2].map((i) => ({
            PartitionKey: `k${i}`,
            Data: new Uint8Array([i, 255]),
          })),
        }),
      );
      assert.equal(many.FailedRecordCount, 0);
      assert.equal(many.Records?.length, 3);

      const { ShardIterator } = await client.send(
        new GetShardIteratorCommand({
          StreamName: 'rw',
          ShardId: 'shardId-000000000000',
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      const page = await client.send(new GetRecordsCommand({ ShardIterator, Limit: 2 }));
      assert.equal(page.Records?.length, 2);
      const [first, second] = page.Records;
      assert.equal(Buffer.from(first?.Data ?? []).toString(), '{"temp":21}');
      assert.equal(first?.PartitionKey, 'p');
      assert.equal(first.SequenceNumber, one.SequenceNumber);
      assert.equal(first.ApproximateArrivalTimestamp?.getTime(), k.clock.now());
      assert.deepEqual([...(second?.Data ?? [])], [0, 255]);
      assert.equal(page.MillisBehindLatest, 0);
      const rest = await client.send(
        new GetRecordsCommand({ ShardIterator: page.NextShardIterator }),
      );
      assert.deepEqual(
        rest.Records?.map((r) => r.SequenceNumber),
        many.Records.slice(1).map((r) => r.SequenceNumber),
      );

      const at = await client.send(
        new GetShardIteratorCommand({
          StreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/rw',
          ShardId: 'shardId-000000000000',
          ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
          StartingSequenceNumber: many.Records[1]?.SequenceNumber,
        }),
      );
      const tail = await client.send(new GetRecordsCommand({ ShardIterator: at.ShardIterator }));
      assert.deepEqual([...(tail.Records?.[0]?.Data ?? [])], [2, 255]);

      const ts = await client.send(
        new GetShardIteratorCommand({
          StreamName: 'rw',
          ShardId: 'shardId-000000000000',
          ShardIteratorType: 'AT_TIMESTAMP',
          Timestamp: new Date(k.clock.now()),
        }),
      );
      const all = await client.send(new GetRecordsCommand({ ShardIterator: ts.ShardIterator }));
      assert.equal(all.Records?.length, 4);
    });

    it('changes retention and deletes', async () => {
      await client.send(new CreateStreamCommand({ StreamName: 'ret', ShardCount: 1 }));
      await client.send(
        new IncreaseStreamRetentionPeriodCommand({ StreamName: 'ret', RetentionPeriodHours: 72 }),
      );
      await client.send(
        new DecreaseStreamRetentionPeriodCommand({ StreamName: 'ret', RetentionPeriodHours: 48 }),
      );
      const s = await client.send(new DescribeStreamSummaryCommand({ StreamName: 'ret' }));
      assert.equal(s.StreamDescriptionSummary?.RetentionPeriodHours, 48);
      await client.send(new DeleteStreamCommand({ StreamName: 'ret' }));
      await assert.rejects(
        client.send(new DescribeStreamCommand({ StreamName: 'ret' })),
        ResourceNotFoundException,
      );
    });

    it('surfaces Kinesis errors as the SDK exception classes, with request ids', async () => {
      const missing = await client
        .send(
          new PutRecordCommand({ StreamName: 'nope', PartitionKey: 'p', Data: Buffer.from('x') }),
        )
        .catch((e: unknown) => e);
      assert.ok(missing instanceof ResourceNotFoundException);
      assert.equal(missing.message, 'Stream nope under account 000000000000 not found.');
      assert.equal(missing.$metadata.httpStatusCode, 400);
      assert.match(missing.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/);

      await client.send(new CreateStreamCommand({ StreamName: 'dup', ShardCount: 1 }));
      await assert.rejects(
        client.send(new CreateStreamCommand({ StreamName: 'dup', ShardCount: 1 })),
        ResourceInUseException,
      );
      const invalid = await client
        .send(new CreateStreamCommand({ StreamName: 'bad name!', ShardCount: 0 }))
        .catch((e: unknown) => e);
      assert.ok(invalid instanceof ValidationException);
      assert.match(
        invalid.message,
        /^2 validation errors detected: Value 'bad name!' at 'streamName'/,
      );
      await assert.rejects(
        client.send(new GetRecordsCommand({ ShardIterator: 'bogus' })),
        InvalidArgumentException,
      );
      await assert.rejects(
        client.send(
          new GetShardIteratorCommand({
            StreamName: 'dup',
            ShardId: 'shardId-000000000000',
            ShardIteratorType: 'AT_SEQUENCE_NUMBER',
          }),
        ),
        InvalidArgumentException,
      );
      const { ShardIterator } = await client.send(
        new GetShardIteratorCommand({
          StreamName: 'dup',
          ShardId: 'shardId-000000000000',
          ShardIteratorType: 'LATEST',
        }),
      );
      await k.clock.advance(5 * 60 * 1000 + 1);
      await assert.rejects(
        client.send(new GetRecordsCommand({ ShardIterator })),
        ExpiredIteratorException,
      );
    });
  });
}
