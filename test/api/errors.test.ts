import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  GetFunctionCommand,
  InvokeCommand,
  LambdaServiceException,
  ListTagsCommand,
  ResourceNotFoundException,
  ServiceException,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda';
import type { SignedRequest } from '../../src/api/index.js';
import { parseCredentialScope } from '../../src/api/protocol/sigv4.js';
import { ServiceError, resourceNotFound, tooManyRequests } from '../../src/core/errors.js';
import { ARN, startApi } from './harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function rejection(promise: Promise<unknown>): Promise<LambdaServiceException> {
  const error = await promise.then(
    () => assert.fail('expected an error'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof LambdaServiceException, String(error));
  return error;
}

test('a ServiceError reaches the SDK as its modeled exception, with status, message and request id', async (t) => {
  const api = await startApi(t, {
    control: {
      getFunction: () => Promise.reject(resourceNotFound(`Function not found: ${ARN}`)),
    },
  });
  const error = await rejection(
    api.client.send(new GetFunctionCommand({ FunctionName: 'orders' })),
  );
  assert.ok(error instanceof ResourceNotFoundException);
  assert.equal(error.name, 'ResourceNotFoundException');
  assert.equal(error.$metadata.httpStatusCode, 404);
  assert.equal(error.message, `Function not found: ${ARN}`);
  assert.equal(error.Type, 'User');
  assert.match(error.$metadata.requestId ?? '', UUID);
});

test('the raw error: status, x-amzn-ErrorType, Type and the modeled message key', async (t) => {
  const api = await startApi(t, {
    control: {
      getFunction: () => Promise.reject(resourceNotFound(`Function not found: ${ARN}`)),
      listTags: () =>
        Promise.reject(new ServiceError('ResourceConflictException', 409, 'busy', 'message')),
    },
  });
  const notFound = await fetch(`${api.url}/2015-03-31/functions/orders`);
  assert.equal(notFound.status, 404);
  assert.equal(notFound.headers.get('x-amzn-errortype'), 'ResourceNotFoundException');
  assert.equal(notFound.headers.get('content-type'), 'application/json');
  assert.match(notFound.headers.get('x-amzn-requestid') ?? '', UUID);
  assert.deepEqual(await notFound.json(), { Type: 'User', Message: `Function not found: ${ARN}` });

  const conflict = await fetch(`${api.url}/2017-03-31/tags/${encodeURIComponent(ARN)}`);
  assert.equal(conflict.status, 409);
  assert.deepEqual(await conflict.json(), { Type: 'User', message: 'busy' });
});

test('429 carries Reason in the body and Retry-After as a header', async (t) => {
  const api = await startApi(t, {
    invoke: () =>
      Promise.reject(tooManyRequests('ReservedFunctionConcurrentInvocationLimitExceeded', 3)),
  });
  const error = await rejection(api.client.send(new InvokeCommand({ FunctionName: 'orders' })));
  assert.ok(error instanceof TooManyRequestsException);
  assert.equal(error.$metadata.httpStatusCode, 429);
  assert.equal(error.message, 'Rate Exceeded.');
  assert.equal(error.Reason, 'ReservedFunctionConcurrentInvocationLimitExceeded');
  assert.equal(error.retryAfterSeconds, '3');

  const raw = await fetch(`${api.url}/2015-03-31/functions/orders/invocations`, { method: 'POST' });
  assert.equal(raw.status, 429);
  assert.equal(raw.headers.get('retry-after'), '3');
  assert.equal(raw.headers.get('x-amzn-errortype'), 'TooManyRequestsException');
  assert.deepEqual(await raw.json(), {
    Type: 'User',
    message: 'Rate Exceeded.',
    Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
  });
});

test('an unexpected exception is a 500 ServiceException that leaks nothing', async (t) => {
  const api = await startApi(t, {
    control: {
      listTags: () => Promise.reject(new Error('SQLITE_CORRUPT at /var/lib/fogbank/secret.db')),
    },
  });
  const error = await rejection(api.client.send(new ListTagsCommand({ Resource: ARN })));
  assert.ok(error instanceof ServiceException);
  assert.equal(error.$metadata.httpStatusCode, 500);

  const raw = await fetch(`${api.url}/2017-03-31/tags/${encodeURIComponent(ARN)}`);
  assert.equal(raw.status, 500);
  assert.equal(raw.headers.get('x-amzn-errortype'), 'ServiceException');
  const text = await raw.text();
  assert.deepEqual(JSON.parse(text), { Type: 'Service', Message: 'An internal error occurred.' });
  assert.doesNotMatch(text, /SQLITE|secret/);

  // The operator still learns what happened, through onRequest.
  const record = api.records.at(-1);
  assert.equal(record?.operation, 'ListTags');
  assert.equal(record.statusCode, 500);
  assert.match(String(record.unexpectedError), /SQLITE_CORRUPT/);
});

test('an unknown route or method is 404 UnknownOperationException', async (t) => {
  const api = await startApi(t);
  for (const [method, path] of [
    ['GET', '/2015-03-31/nothing-here'],
    ['PATCH', '/2015-03-31/functions'],
    ['GET', '/2015-03-31/functions/orders/invocations'],
    ['GET', '/2099-01-01/functions/orders'],
    ['GET', '/2015-03-31/functions//configuration'],
    ['GET', '/'],
  ] as const) {
    const res = await fetch(`${api.url}${path}`, { method });
    assert.equal(res.status, 404, `${method} ${path}`);
    assert.equal(res.headers.get('x-amzn-errortype'), 'UnknownOperationException');
    const body = (await res.json()) as { Type: string; message: string };
    assert.equal(body.Type, 'User');
    assert.ok(body.message.includes(`${method} ${path}`), body.message);
  }
  assert.equal(api.calls.length, 0);
  assert.ok(api.records.every((r) => r.operation === undefined && r.statusCode === 404));
});

test('every response has its own x-amzn-RequestId, and onRequest sees each request', async (t) => {
  const api = await startApi(t);
  const ids = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const out = await api.client.send(new InvokeCommand({ FunctionName: 'orders' }));
    assert.match(out.$metadata.requestId ?? '', UUID);
    ids.add(out.$metadata.requestId ?? '');
  }
  assert.equal(ids.size, 3);
  assert.deepEqual(
    api.records.map((r) => r.requestId),
    [...ids],
  );
  const [record] = api.records;
  assert.equal(record?.operation, 'Invoke');
  assert.equal(record.method, 'POST');
  assert.equal(record.path, '/2015-03-31/functions/orders/invocations');
  assert.equal(record.statusCode, 200);
  assert.ok(record.durationMs >= 0);
  assert.equal(record.unexpectedError, undefined);
});

test('the SigV4 credential scope reaches the verifySignature seam, which can refuse a request', async (t) => {
  const seen: SignedRequest[] = [];
  const api = await startApi(t, {
    verifySignature: (request) => {
      seen.push(request);
      if (request.context.credential?.accessKeyId !== 'AKIDTEST') {
        throw new ServiceError('UnrecognizedClientException', 403, 'bad key', 'message');
      }
    },
  });
  await api.client.send(
    new InvokeCommand({ FunctionName: `${ARN}:$LATEST`, Payload: Buffer.from('{"a":1}') }),
  );
  const [request] = seen;
  assert.ok(request);
  assert.equal(request.method, 'POST');
  assert.equal(
    request.rawPath,
    '/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Aorders%3A%24LATEST/invocations',
  );
  assert.equal(request.body.toString(), '{"a":1}');
  assert.match(String(request.headers.authorization), /^AWS4-HMAC-SHA256 Credential=AKIDTEST\//);
  assert.deepEqual(
    { ...request.context.credential, date: request.context.credential?.date.length },
    { accessKeyId: 'AKIDTEST', date: 8, region: 'us-east-1', service: 'lambda' },
  );
  assert.equal(api.records[0]?.credential?.accessKeyId, 'AKIDTEST');

  const unsigned = await fetch(`${api.url}/2015-03-31/functions/orders/invocations`, {
    method: 'POST',
  });
  assert.equal(unsigned.status, 403);
  assert.equal(unsigned.headers.get('x-amzn-errortype'), 'UnrecognizedClientException');
  assert.equal(api.inputs.length, 1);
});

test('parseCredentialScope reads SigV4 Authorization headers and nothing else', () => {
  assert.deepEqual(
    parseCredentialScope(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/eu-west-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc',
    ),
    { accessKeyId: 'AKIDEXAMPLE', date: '20250101', region: 'eu-west-1', service: 'lambda' },
  );
  for (const header of [
    undefined,
    '',
    'Bearer token',
    'AWS4-HMAC-SHA256 SignedHeaders=host, Signature=abc',
    'AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/lambda, Signature=abc',
    'AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/lambda/aws4_request/extra',
  ]) {
    assert.equal(parseCredentialScope(header), undefined, String(header));
  }
});
