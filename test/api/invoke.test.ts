import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvokeCommand, LambdaServiceException } from '@aws-sdk/client-lambda';
import { invalidRequestContent } from '../../src/core/errors.js';
import { ARN, startApi } from './harness.js';

test('RequestResponse: raw payload both ways, X-Amz-* headers surfaced by the SDK', async (t) => {
  const logTail = Buffer.from('START RequestId: 1\nboom\n').toString('base64');
  const api = await startApi(t, {
    invoke: () =>
      Promise.resolve({
        statusCode: 200,
        executedVersion: '7',
        functionError: 'Unhandled',
        logResult: logTail,
        payload: Buffer.from('{"errorType":"Error","errorMessage":"boom"}'),
      }),
  });
  const clientContext = Buffer.from('{"custom":{"a":1}}').toString('base64');
  const out = await api.client.send(
    new InvokeCommand({
      FunctionName: `${ARN}:live`,
      Qualifier: 'live',
      LogType: 'Tail',
      ClientContext: clientContext,
      Payload: Buffer.from('{"orderId":42}'),
    }),
  );
  assert.equal(out.StatusCode, 200);
  assert.equal(out.ExecutedVersion, '7');
  assert.equal(out.FunctionError, 'Unhandled');
  assert.equal(out.LogResult, logTail);
  assert.equal(
    Buffer.from(out.Payload ?? []).toString(),
    '{"errorType":"Error","errorMessage":"boom"}',
  );

  const [input] = api.inputs;
  assert.ok(input);
  assert.equal(input.functionName, `${ARN}:live`);
  assert.equal(input.qualifier, 'live');
  assert.equal(input.invocationType, 'RequestResponse');
  assert.equal(input.logType, 'Tail');
  assert.equal(input.clientContext, clientContext);
  assert.equal(input.payload.toString(), '{"orderId":42}');
});

test('defaults: RequestResponse, LogType None, no qualifier, no client context', async (t) => {
  const api = await startApi(t);
  const res = await fetch(`${api.url}/2015-03-31/functions/orders/invocations`, {
    method: 'POST',
    body: '{}',
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json');
  assert.equal(res.headers.get('x-amz-executed-version'), '$LATEST');
  assert.equal(res.headers.get('x-amz-function-error'), null);
  assert.equal(res.headers.get('x-amz-log-result'), null);
  assert.equal(await res.text(), '{"ok":true}');
  // The API's request id is the invocation's too.
  assert.deepEqual(api.inputs[0], {
    functionName: 'orders',
    invocationType: 'RequestResponse',
    logType: 'None',
    payload: Buffer.from('{}'),
    requestId: res.headers.get('x-amzn-requestid'),
  });
});

test('the body is passed through untouched whatever its content type', async (t) => {
  const api = await startApi(t);
  const bytes = Buffer.from([0x22, 0xe2, 0x82, 0xac, 0x20, 0x0a, 0x22]);
  await fetch(`${api.url}/2015-03-31/functions/orders/invocations`, {
    method: 'POST',
    body: bytes,
    headers: { 'content-type': 'text/plain; charset=latin1' },
  });
  await fetch(`${api.url}/2015-03-31/functions/orders/invocations`, { method: 'POST' });
  assert.deepEqual(api.inputs[0]?.payload, bytes);
  assert.equal(api.inputs[1]?.payload.length, 0);
});

test('Event answers 202 and DryRun 204, both with empty bodies', async (t) => {
  const api = await startApi(t, {
    invoke: (input) =>
      Promise.resolve({
        statusCode: input.invocationType === 'Event' ? 202 : 204,
        payload: Buffer.alloc(0),
      }),
  });
  const event = await api.client.send(
    new InvokeCommand({
      FunctionName: 'orders',
      InvocationType: 'Event',
      Payload: Buffer.from('1'),
    }),
  );
  assert.equal(event.StatusCode, 202);
  assert.equal(event.ExecutedVersion, undefined);
  const dryRun = await api.client.send(
    new InvokeCommand({ FunctionName: 'orders', InvocationType: 'DryRun' }),
  );
  assert.equal(dryRun.StatusCode, 204);
  assert.deepEqual(
    api.inputs.map((i) => i.invocationType),
    ['Event', 'DryRun'],
  );

  const raw = await fetch(`${api.url}/2015-03-31/functions/orders/invocations`, {
    method: 'POST',
    headers: { 'x-amz-invocation-type': 'Event' },
    body: '{}',
  });
  assert.equal(raw.status, 202);
  assert.equal(raw.headers.get('content-length'), '0');
  assert.equal(await raw.text(), '');
});

test('an unknown invocation or log type is a ValidationException, and nothing is invoked', async (t) => {
  const api = await startApi(t);
  const badType = await fetch(`${api.url}/2015-03-31/functions/orders/invocations`, {
    method: 'POST',
    headers: { 'x-amz-invocation-type': 'Sync' },
    body: '{}',
  });
  assert.equal(badType.status, 400);
  assert.equal(badType.headers.get('x-amzn-errortype'), 'ValidationException');
  assert.deepEqual(await badType.json(), {
    Type: 'User',
    message:
      "1 validation error detected: Value 'Sync' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]",
  });

  const error = await api.client
    .send(
      new InvokeCommand({
        FunctionName: 'orders',
        LogType: 'Everything' as 'Tail',
      }),
    )
    .then(
      () => assert.fail('expected a 400'),
      (e: unknown) => e,
    );
  assert.ok(error instanceof LambdaServiceException);
  assert.equal(error.name, 'ValidationException');
  assert.equal(error.$metadata.httpStatusCode, 400);
  assert.match(error.message, /'Everything' at 'logType'.*\[None, Tail\]$/);
  assert.equal(api.inputs.length, 0);
});

test('errors thrown by the Invoker are rendered in AWS form', async (t) => {
  const api = await startApi(t, {
    invoke: () =>
      Promise.reject(
        invalidRequestContent(
          'Could not parse request body into json: Could not parse payload into json: Unexpected token',
        ),
      ),
  });
  const error = await api.client
    .send(new InvokeCommand({ FunctionName: 'orders', Payload: Buffer.from('{oops') }))
    .then(
      () => assert.fail('expected a 400'),
      (e: unknown) => e,
    );
  assert.ok(error instanceof LambdaServiceException);
  assert.equal(error.name, 'InvalidRequestContentException');
  assert.equal(error.$metadata.httpStatusCode, 400);
  assert.match(error.message, /^Could not parse request body into json/);
});
