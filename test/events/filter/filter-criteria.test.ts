import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EventPatternError,
  compileFilterCriteria,
  type FilterSource,
} from '../../../src/events/filter/index.js';

function sqsRecord(body: string): Record<string, unknown> {
  return {
    messageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1545082649183' },
    messageAttributes: {},
    md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
  };
}

function kinesisRecord(data: string, partitionKey = '1'): Record<string, unknown> {
  return {
    kinesisSchemaVersion: '1.0',
    partitionKey,
    sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
    data: Buffer.from(data).toString('base64'),
    approximateArrivalTimestamp: 1545084650.987,
  };
}

const JSON_BODY =
  '{\n "RecordNumber": 1234,\n "TimeStamp": "yyyy-mm-ddThh:mm:ss",\n "RequestCode": "AAAA"\n}';

interface Case {
  readonly name: string;
  readonly source: FilterSource;
  readonly patterns: readonly unknown[];
  readonly record: Record<string, unknown>;
  readonly keep: boolean;
}

const cases: readonly Case[] = [
  // SQS: the documented body format table.
  {
    name: 'SQS JSON body, JSON pattern',
    source: 'sqs',
    patterns: [{ body: { RequestCode: ['AAAA'] } }],
    record: sqsRecord(JSON_BODY),
    keep: true,
  },
  {
    name: 'SQS JSON body, JSON pattern not satisfied',
    source: 'sqs',
    patterns: [{ body: { RequestCode: ['BBBB'] } }],
    record: sqsRecord(JSON_BODY),
    keep: false,
  },
  {
    name: 'SQS plain body, plain pattern',
    source: 'sqs',
    patterns: [{ body: ['hello'] }],
    record: sqsRecord('hello'),
    keep: true,
  },
  {
    name: 'SQS plain body, plain prefix pattern',
    source: 'sqs',
    patterns: [{ body: [{ prefix: 'ORDER#' }] }],
    record: sqsRecord('ORDER#12'),
    keep: true,
  },
  {
    name: 'SQS plain body, JSON pattern: dropped',
    source: 'sqs',
    patterns: [{ body: { RequestCode: ['AAAA'] } }],
    record: sqsRecord('RequestCode AAAA'),
    keep: false,
  },
  {
    name: 'SQS plain body, JSON exists:false pattern: still dropped',
    source: 'sqs',
    patterns: [{ body: { x: [{ exists: false }] } }],
    record: sqsRecord('hello'),
    keep: false,
  },
  {
    name: 'SQS JSON body, plain pattern: dropped',
    source: 'sqs',
    patterns: [{ body: [{ 'anything-but': 'x' }] }],
    record: sqsRecord(JSON_BODY),
    keep: false,
  },
  {
    name: 'SQS plain body, metadata-only pattern',
    source: 'sqs',
    patterns: [{ attributes: { ApproximateReceiveCount: ['1'] } }],
    record: sqsRecord('hello'),
    keep: true,
  },
  {
    name: 'SQS JSON body, metadata-only pattern',
    source: 'sqs',
    patterns: [{ attributes: { ApproximateReceiveCount: ['2'] } }],
    record: sqsRecord(JSON_BODY),
    keep: false,
  },
  {
    name: 'SQS number-looking body stays a string',
    source: 'sqs',
    patterns: [{ body: ['123'] }],
    record: sqsRecord('123'),
    keep: true,
  },
  {
    name: 'SQS JSON array body',
    source: 'sqs',
    patterns: [{ body: { id: [2] } }],
    record: sqsRecord('[{"id":1},{"id":2}]'),
    keep: true,
  },
  {
    name: 'SQS malformed JSON is a plain string',
    source: 'sqs',
    patterns: [{ body: [{ prefix: '{"a"' }] }],
    record: sqsRecord('{"a": '),
    keep: true,
  },
  {
    name: 'SQS filters are ORed',
    source: 'sqs',
    patterns: [
      { body: { RequestCode: ['BBBB'] } },
      { body: { RecordNumber: [{ numeric: ['>', 1000] }] } },
    ],
    record: sqsRecord(JSON_BODY),
    keep: true,
  },
  {
    name: 'no filters keep everything',
    source: 'sqs',
    patterns: [],
    record: sqsRecord('x'),
    keep: true,
  },
  // Kinesis: data is base64; JSON data is matched by field.
  {
    name: 'Kinesis JSON data (documented RequestCode)',
    source: 'kinesis',
    patterns: [{ data: { RequestCode: ['AAAA'] } }],
    record: kinesisRecord(
      '{"RecordNumber": "0001", "TimeStamp": "yyyy-mm-ddThh:mm:ss", "RequestCode": "AAAA"}',
    ),
    keep: true,
  },
  {
    name: 'Kinesis JSON data, other value',
    source: 'kinesis',
    patterns: [{ data: { RequestCode: ['BBBB'] } }],
    record: kinesisRecord('{"RequestCode": "AAAA"}'),
    keep: false,
  },
  {
    name: 'Kinesis metadata and data together (Lambda doc)',
    source: 'kinesis',
    patterns: [{ partitionKey: ['1'], data: { Location: ['Los Angeles'] } }],
    record: kinesisRecord('{"Location": "Los Angeles"}'),
    keep: true,
  },
  {
    name: 'Kinesis metadata mismatch',
    source: 'kinesis',
    patterns: [{ partitionKey: ['2'], data: { Location: ['Los Angeles'] } }],
    record: kinesisRecord('{"Location": "Los Angeles"}'),
    keep: false,
  },
  {
    name: 'Kinesis numeric range on data (Lambda doc)',
    source: 'kinesis',
    patterns: [{ data: { Temperature: [{ numeric: ['>', 50, '<=', 60] }] } }],
    record: kinesisRecord('{"Temperature": 55}'),
    keep: true,
  },
  {
    name: 'Kinesis non-JSON data, JSON pattern: dropped',
    source: 'kinesis',
    patterns: [{ data: { a: [{ exists: false }] } }],
    record: kinesisRecord('plain text'),
    keep: false,
  },
  {
    name: 'Kinesis non-JSON data, metadata-only pattern',
    source: 'kinesis',
    patterns: [{ partitionKey: ['p'] }],
    record: kinesisRecord('plain text', 'p'),
    keep: true,
  },
  {
    name: 'Kinesis binary data, JSON pattern: dropped',
    source: 'kinesis',
    patterns: [{ data: { a: [1] } }],
    record: { ...kinesisRecord(''), data: Buffer.from([0xff, 0xfe, 0x7b]).toString('base64') },
    keep: false,
  },
  {
    name: 'Kinesis data pattern inside $or',
    source: 'kinesis',
    patterns: [{ $or: [{ data: { a: [1] } }, { partitionKey: ['z'] }] }],
    record: kinesisRecord('{"a":1}'),
    keep: true,
  },
  // DynamoDB: the dynamodb field is already JSON.
  {
    name: 'DynamoDB multi-level (Lambda doc)',
    source: 'dynamodb',
    patterns: [{ dynamodb: { Keys: { Id: { N: ['101'] } } } }],
    record: {
      eventName: 'INSERT',
      dynamodb: { Keys: { Id: { N: '101' } }, SequenceNumber: '111' },
    },
    keep: true,
  },
  {
    name: 'DynamoDB eventName',
    source: 'dynamodb',
    patterns: [{ eventName: ['REMOVE'] }],
    record: { eventName: 'INSERT', dynamodb: {} },
    keep: false,
  },
];

describe('FilterCriteria: data field rules per source', () => {
  for (const c of cases) {
    it(`${c.keep ? 'keeps' : 'drops'}: ${c.name}`, () => {
      const matcher = compileFilterCriteria(
        c.patterns.map((p) => JSON.stringify(p)),
        c.source,
      );
      assert.equal(matcher.matches(c.record), c.keep);
    });
  }

  it('refuses a plain-string data pattern for Kinesis and DynamoDB at creation', () => {
    assert.throws(() => compileFilterCriteria(['{"data":["x"]}'], 'kinesis'), EventPatternError);
    assert.throws(
      () => compileFilterCriteria(['{"dynamodb":["x"]}'], 'dynamodb'),
      EventPatternError,
    );
    assert.doesNotThrow(() => compileFilterCriteria(['{"body":["x"]}'], 'sqs'));
  });

  it('refuses a data field matched both as JSON and as a string', () => {
    assert.throws(
      () => compileFilterCriteria(['{"$or":[{"body":["x"]},{"body":{"a":[1]}}]}'], 'sqs'),
      EventPatternError,
    );
  });

  it('refuses an invalid pattern among valid ones', () => {
    assert.throws(
      () => compileFilterCriteria(['{"a":[1]}', '{"a":[{"numeric":[">"]}]}'], 'sqs'),
      EventPatternError,
    );
  });

  it('leaves the record it was given unchanged', () => {
    const record = kinesisRecord('{"a":1}');
    const before = JSON.stringify(record);
    compileFilterCriteria(['{"data":{"a":[1]}}'], 'kinesis').matches(record);
    assert.equal(JSON.stringify(record), before);
  });
});
