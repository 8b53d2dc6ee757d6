import assert from 'node:assert/strict';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { test } from 'node:test';
import { createSqsHttpHandler } from '../../../src/api/sqs/index.js';
import { CTX, createTestQueues, startSqsServer } from './helpers.js';

async function post(url: string, path: string, params: Record<string, string>): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: new URLSearchParams(params).toString(),
  });
}

test('query protocol: XML results, posting to the queue URL path, XML errors', async (t) => {
  const { url } = await startSqsServer(t);
  const created = await post(url, '/', {
    Action: 'CreateQueue',
    Version: '2012-11-05',
    QueueName: 'xml',
    'Attribute.1.Name': 'DelaySeconds',
    'Attribute.1.Value': '0',
    'Tag.1.Key': 'team',
    'Tag.1.Value': 'a',
  });
  assert.equal(created.status, 200);
  assert.equal(created.headers.get('content-type'), 'text/xml');
  const requestId = created.headers.get('x-amzn-requestid') ?? '';
  assert.match(requestId, /^[0-9a-f-]{36}$/);
  assert.equal(
    await created.text(),
    '<?xml version="1.0"?><CreateQueueResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">' +
      `<CreateQueueResult><QueueUrl>${url}/${CTX.accountId}/xml</QueueUrl></CreateQueueResult>` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></CreateQueueResponse>`,
  );

  // Older SDKs post to the queue URL and leave QueueUrl out.
  const sent = await post(url, `/${CTX.accountId}/xml`, {
    Action: 'SendMessage',
    MessageBody: 'line\r\n<tag>',
    'MessageAttribute.1.Name': 'n',
    'MessageAttribute.1.Value.DataType': 'Number',
    'MessageAttribute.1.Value.StringValue': '42',
  });
  assert.equal(sent.status, 200);
  assert.match(
    await sent.text(),
    /<SendMessageResult><MD5OfMessageBody>[0-9a-f]{32}<\/MD5OfMessageBody><MD5OfMessageAttributes>/,
  );

  const received = await post(url, '/', {
    Action: 'ReceiveMessage',
    QueueUrl: `${url}/${CTX.accountId}/xml`,
    'AttributeName.1': 'ApproximateReceiveCount',
    'MessageAttributeName.1': 'All',
  });
  const xml = await received.text();
  assert.match(xml, /<Body>line&#xD;\n&lt;tag&gt;<\/Body>/);
  assert.match(
    xml,
    /<Attribute><Name>ApproximateReceiveCount<\/Name><Value>1<\/Value><\/Attribute>/,
  );
  assert.match(
    xml,
    /<MessageAttribute><Name>n<\/Name><Value><StringValue>42<\/StringValue><DataType>Number<\/DataType><\/Value><\/MessageAttribute>/,
  );

  const tags = await post(url, '/', {
    Action: 'ListQueueTags',
    QueueUrl: `${url}/${CTX.accountId}/xml`,
  });
  assert.match(
    await tags.text(),
    /<ListQueueTagsResult><Tag><Key>team<\/Key><Value>a<\/Value><\/Tag><\/ListQueueTagsResult>/,
  );

  const missing = await post(url, '/', { Action: 'GetQueueUrl', QueueName: 'nope' });
  assert.equal(missing.status, 400);
  const errorId = missing.headers.get('x-amzn-requestid') ?? '';
  assert.equal(
    await missing.text(),
    '<?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">' +
      '<Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code>' +
      '<Message>The specified queue does not exist.</Message><Detail/></Error>' +
      `<RequestId>${errorId}</RequestId></ErrorResponse>`,
  );
  const unknown = await post(url, '/', { Action: 'Teleport' });
  assert.match(await unknown.text(), /<Code>InvalidAction<\/Code>/);
  const badNumber = await post(url, '/', {
    Action: 'ReceiveMessage',
    QueueUrl: `${url}/${CTX.accountId}/xml`,
    MaxNumberOfMessages: 'ten',
  });
  assert.match(await badNumber.text(), /<Code>InvalidParameterValue<\/Code>/);
  const badUrl = await post(url, '/', { Action: 'PurgeQueue', QueueUrl: 'nowhere' });
  assert.equal(badUrl.status, 404);
  assert.match(await badUrl.text(), /<Code>InvalidAddress<\/Code>/);
});

test('matches(): SQS requests of either protocol, nothing signed for another service', (t) => {
  const { service } = createTestQueues(t);
  const handler = createSqsHttpHandler(service, CTX);
  const request = (
    method: string,
    url: string,
    headers: Record<string, string>,
  ): IncomingMessage => {
    const req = new IncomingMessage(new Socket());
    req.method = method;
    req.url = url;
    req.headers = headers;
    return req;
  };
  const form = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
  const signed = (service: string): Record<string, string> => ({
    ...form,
    authorization: `AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=x`,
  });
  assert.equal(
    handler.matches(request('POST', '/', { 'x-amz-target': 'AmazonSQS.SendMessage' })),
    true,
  );
  assert.equal(
    handler.matches(request('POST', '/', { 'x-amz-target': 'Kinesis_20131202.PutRecord' })),
    false,
  );
  assert.equal(handler.matches(request('POST', '/', form)), true);
  assert.equal(handler.matches(request('POST', `/${CTX.accountId}/q.fifo`, form)), true);
  assert.equal(handler.matches(request('POST', '/', signed('sqs'))), true);
  assert.equal(handler.matches(request('POST', '/', signed('sns'))), false);
  assert.equal(
    handler.matches(
      request('POST', '/?X-Amz-Credential=AKID%2F20250101%2Fus-east-1%2Fsns%2Faws4_request', form),
    ),
    false,
  );
  assert.equal(handler.matches(request('GET', '/', form)), false);
  assert.equal(handler.matches(request('POST', '/2015-03-31/functions', form)), false);
  assert.equal(
    handler.matches(request('POST', '/', { 'content-type': 'application/json' })),
    false,
  );
});
