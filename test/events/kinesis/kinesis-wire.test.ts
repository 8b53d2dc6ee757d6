import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { aws, awsCliMissing } from '../../helpers/aws-cli.js';
import { startKinesisServer, type KinesisServer } from './http-fixture.js';

function parse(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('Kinesis API through the AWS CLI v2', { skip: awsCliMissing }, () => {
  let k: KinesisServer;
  before(async () => {
    k = await startKinesisServer();
  });
  after(() => k.stop());

  it('creates a stream, writes and reads records, changes retention, deletes', async () => {
    const cli = (...args: string[]) => aws(k.url, ['kinesis', ...args]);
    assert.equal(
      (await cli('create-stream', '--stream-name', 'cli', '--shard-count', '2')).code,
      0,
    );
    assert.equal((await cli('wait', 'stream-exists', '--stream-name', 'cli')).code, 0);
    const summary = await cli('describe-stream-summary', '--stream-name', 'cli');
    const s = parse(summary.stdout).StreamDescriptionSummary as Record<string, unknown>;
    assert.equal(s.StreamStatus, 'ACTIVE');
    assert.equal(s.OpenShardCount, 2);

    const put = await cli(
      'put-record',
      '--stream-name',
      'cli',
      '--partition-key',
      'pk',
      '--data',
      'hello',
      '--cli-binary-format',
      'raw-in-base64-out',
    );
    assert.equal(put.code, 0, put.stderr);
    const { ShardId, SequenceNumber } = parse(put.stdout) as Record<string, string>;
    const putMany = await cli(
      'put-records',
      '--stream-name',
      'cli',
      '--records',
      `Data=${Buffer.from('second').toString('base64')},PartitionKey=pk`,
    );
    assert.equal(parse(putMany.stdout).FailedRecordCount, 0, putMany.stderr);

    const iterator = await cli(
      'get-shard-iterator',
      '--stream-name',
      'cli',
      '--shard-id',
      ShardId ?? '',
      '--shard-iterator-type',
      'AT_SEQUENCE_NUMBER',
      '--starting-sequence-number',
      SequenceNumber ?? '',
    );
    const { ShardIterator } = parse(iterator.stdout) as Record<string, string>;
    const records = await cli('get-records', '--shard-iterator', ShardIterator ?? '');
    const got = parse(records.stdout);
    const list = got.Records as Record<string, unknown>[];
    assert.deepEqual(
      list.map((r) => Buffer.from(String(r.Data), 'base64').toString()),
      ['hello', 'second'],
    );
    assert.equal(list[0]?.SequenceNumber, SequenceNumber);
    assert.equal(typeof list[0]?.ApproximateArrivalTimestamp, 'string');
    assert.equal(got.MillisBehindLatest, 0);

    const streams = parse((await cli('list-streams')).stdout);
    assert.deepEqual(streams.StreamNames, ['cli']);
    const shards = parse((await cli('list-shards', '--stream-name', 'cli')).stdout);
    assert.equal((shards.Shards as unknown[]).length, 2);
    const increase = await cli(
      'increase-stream-retention-period',
      '--stream-name',
      'cli',
      '--retention-period-hours',
      '48',
    );
    assert.equal(increase.code, 0, increase.stderr);
    assert.equal((await cli('delete-stream', '--stream-name', 'cli')).code, 0);
    const gone = await cli('describe-stream', '--stream-name', 'cli');
    assert.notEqual(gone.code, 0);
    assert.match(
      gone.stderr,
      /ResourceNotFoundException.*Stream cli under account 000000000000 not found\./,
    );
  });
});

describe('Kinesis API on the wire', () => {
  let k: KinesisServer;
  before(async () => {
    k = await startKinesisServer();
  });
  after(() => k.stop());

  async function call(
    target: string | undefined,
    body: string,
    contentType = 'application/x-amz-json-1.1',
  ) {
    const res = await fetch(k.url, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        ...(target === undefined ? {} : { 'x-amz-target': target }),
      },
      body,
    });
    return {
      res,
      json: (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined,
    };
  }

  it('answers with awsJson1_1 and a request id', async () => {
    const { res, json } = await call('Kinesis_20131202.ListStreams', '{}');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/x-amz-json-1.1');
    assert.match(res.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
    assert.deepEqual(json, { StreamNames: [], HasMoreStreams: false, StreamSummaries: [] });
  });

  it('renders errors with __type, message and x-amzn-ErrorType', async () => {
    const { res, json } = await call('Kinesis_20131202.CreateStream', '{}');
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('x-amzn-errortype'), 'ValidationException');
    assert.match(res.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
    assert.deepEqual(json, {
      __type: 'ValidationException',
      message:
        "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: Member must not be null",
    });
    const records = JSON.stringify({
      StreamName: 's',
      Records: Array.from({ length: 501 }, () => ({ Data: '', PartitionKey: '' })),
    });
    const tooMany = await call('Kinesis_20131202.PutRecords', records);
    assert.equal(tooMany.json?.__type, 'ValidationException');
    assert.match(
      String(tooMany.json.message),
      /^502 validation errors detected: Value at 'records' failed to satisfy constraint: Member must have length less than or equal to 500; Value '' at 'records.1.member.partitionKey'/,
    );
  });

  it('refuses wrong types, bad JSON, CBOR and unknown operations', async () => {
    const wrongType = await call(
      'Kinesis_20131202.CreateStream',
      '{"StreamName":"s","ShardCount":"2"}',
    );
    assert.equal(wrongType.json?.__type, 'SerializationException');
    const badJson = await call('Kinesis_20131202.ListStreams', '{"Limit":');
    assert.equal(badJson.json?.__type, 'SerializationException');
    const badBase64 = await call(
      'Kinesis_20131202.PutRecord',
      '{"StreamName":"s","PartitionKey":"p","Data":"**"}',
    );
    assert.equal(badBase64.json?.__type, 'SerializationException');
    const cbor = await call('Kinesis_20131202.ListStreams', '\xa0', 'application/x-amz-cbor-1.1');
    assert.equal(cbor.json?.__type, 'SerializationException');
    assert.match(String(cbor.json.message), /AWS_CBOR_DISABLE/);
    const unknown = await call('Kinesis_20131202.SplitShard', '{}');
    assert.equal(unknown.res.status, 400);
    assert.equal(unknown.json?.__type, 'UnknownOperationException');
    const inherited = await call('Kinesis_20131202.toString', '{}');
    assert.equal(inherited.json?.__type, 'UnknownOperationException');
    const other = await call('AmazonSQS.ListQueues', '{}');
    assert.equal(other.res.status, 404, 'not a Kinesis target: the handler does not claim it');
    const none = await call(undefined, '{}');
    assert.equal(none.res.status, 404);
  });

  it('answers an unexpected failure as InternalFailure (500)', async () => {
    const created = await call(
      'Kinesis_20131202.CreateStream',
      '{"StreamName":"x","ShardCount":1}',
    );
    assert.equal(created.res.status, 200);
    k.db.close();
    const { res, json } = await call('Kinesis_20131202.DescribeStream', '{"StreamName":"x"}');
    assert.equal(res.status, 500);
    assert.deepEqual(json, { __type: 'InternalFailure', message: 'Internal Service Failure' });
  });
});
