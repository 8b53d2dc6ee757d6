import assert from 'node:assert/strict';
import { test } from 'node:test';
import { md5OfMessageAttributes } from '../../../src/events/sqs/md5.js';

// Published reference digests for SQS's MD5OfMessageAttributes algorithm.
test('MD5OfMessageAttributes matches SQS for String, custom Number types, Binary and several attributes', () => {
  const string = { attribName1: { dataType: 'String', stringValue: 'attribValue 1' } };
  const number = {
    customNumberTypeAttrib: {
      dataType: 'Number.float',
      stringValue: '4563442423554324324264524243.32543234',
    },
  };
  const binary = {
    binaryAttribute: { dataType: 'Binary', binaryValue: Buffer.from('Hello binary world!') },
  };
  assert.equal(md5OfMessageAttributes(string), '19e27d4e946b072f3f58da80d94fd778');
  assert.equal(md5OfMessageAttributes(number), '9fe1b90bbd9965bdf77bac517c7d2495');
  assert.equal(md5OfMessageAttributes(binary), '31a92b15d92f8db860eda32aceb656c3');
  assert.equal(
    md5OfMessageAttributes({ ...binary, ...number, ...string }),
    'c932db14a896c663f83c260297d594ff',
  );
});
