import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  ListFunctionsCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  paginateListFunctions,
} from '@aws-sdk/client-lambda';
import { ARN, CONFIGURATION, callsTo, startApi } from './harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('CreateFunction answers 201 and hands the JSON body (ZipFile as base64) to the control plane', async (t) => {
  const api = await startApi(t);
  const zip = Buffer.from('PK\x03\x04 not really a zip');
  const out = await api.client.send(
    new CreateFunctionCommand({
      FunctionName: 'orders',
      Role: 'arn:aws:iam::000000000000:role/lambda-exec',
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Code: { ZipFile: zip },
      Environment: { Variables: { STAGE: 'dev' } },
    }),
  );
  assert.equal(out.$metadata.httpStatusCode, 201);
  assert.match(out.$metadata.requestId ?? '', UUID);
  assert.equal(out.FunctionArn, ARN);
  assert.equal(out.State, 'Pending');
  const [body] = callsTo(api, 'createFunction')[0] ?? [];
  assert.deepEqual(body, {
    FunctionName: 'orders',
    Role: 'arn:aws:iam::000000000000:role/lambda-exec',
    Runtime: 'nodejs22.x',
    Handler: 'index.handler',
    Code: { ZipFile: zip.toString('base64') },
    Environment: { Variables: { STAGE: 'dev' } },
  });
});

test('GetFunction and GetFunctionConfiguration decode an ARN label and a %24LATEST qualifier', async (t) => {
  const api = await startApi(t);
  const got = await api.client.send(
    new GetFunctionCommand({ FunctionName: `${ARN}:$LATEST`, Qualifier: '$LATEST' }),
  );
  assert.equal(got.$metadata.httpStatusCode, 200);
  assert.deepEqual(got.Configuration, CONFIGURATION);
  assert.equal(got.Code?.RepositoryType, 'S3');
  assert.deepEqual(callsTo(api, 'getFunction'), [[`${ARN}:$LATEST`, '$LATEST']]);

  const config = await api.client.send(new GetFunctionConfigurationCommand({ FunctionName: ARN }));
  assert.equal(config.FunctionName, 'orders');
  assert.deepEqual(callsTo(api, 'getFunctionConfiguration'), [[ARN, undefined]]);
});

test('path labels are percent-decoded exactly once', async (t) => {
  const api = await startApi(t);
  // As a client would send `orders:$LATEST`, and a name containing a literal `%24`.
  await fetch(`${api.url}/2015-03-31/functions/orders%3A%24LATEST/configuration`);
  await fetch(`${api.url}/2015-03-31/functions/orders%2524LATEST/configuration`);
  assert.deepEqual(callsTo(api, 'getFunctionConfiguration'), [
    ['orders:$LATEST', undefined],
    ['orders%24LATEST', undefined],
  ]);
  const res = await fetch(`${api.url}/2015-03-31/functions/orders%E0%A4%A/configuration`);
  assert.equal(res.status, 400);
  assert.equal(res.headers.get('x-amzn-errortype'), 'ValidationException');
});

test('ListFunctions passes Marker, MaxItems and FunctionVersion and returns NextMarker', async (t) => {
  const second = { ...CONFIGURATION, FunctionName: 'billing' };
  const api = await startApi(t, {
    control: {
      listFunctions: (params) =>
        Promise.resolve(
          params.marker === 'page 2/+'
            ? { Functions: [second] }
            : { Functions: [CONFIGURATION], NextMarker: 'page 2/+' },
        ),
    },
  });
  const out = await api.client.send(
    new ListFunctionsCommand({ Marker: 'a b+c/d', MaxItems: 10, FunctionVersion: 'ALL' }),
  );
  assert.equal(out.NextMarker, 'page 2/+');
  assert.deepEqual(callsTo(api, 'listFunctions')[0], [
    { marker: 'a b+c/d', maxItems: 10, functionVersion: 'ALL' },
  ]);

  const names: string[] = [];
  for await (const page of paginateListFunctions({ client: api.client }, {})) {
    names.push(...(page.Functions ?? []).map((f) => f.FunctionName ?? ''));
  }
  assert.deepEqual(names, ['orders', 'billing']);
  assert.deepEqual(callsTo(api, 'listFunctions').slice(1), [[{}], [{ marker: 'page 2/+' }]]);

  // botocore spells the path with a trailing slash.
  const slash = await fetch(`${api.url}/2015-03-31/functions/?MaxItems=5`);
  assert.equal(slash.status, 200);
  assert.deepEqual(callsTo(api, 'listFunctions').at(-1), [{ maxItems: 5 }]);

  const bad = await fetch(`${api.url}/2015-03-31/functions?MaxItems=ten`);
  assert.equal(bad.status, 400);
  assert.deepEqual(await bad.json(), {
    Type: 'User',
    message:
      "1 validation error detected: Value 'ten' at 'maxItems' failed to satisfy constraint: Member must be an integer",
  });
});

test('UpdateFunctionCode and UpdateFunctionConfiguration route the label and the body', async (t) => {
  const api = await startApi(t);
  await api.client.send(
    new UpdateFunctionCodeCommand({
      FunctionName: 'orders',
      ZipFile: Buffer.from('zip'),
      Publish: true,
    }),
  );
  await api.client.send(
    new UpdateFunctionConfigurationCommand({ FunctionName: ARN, Timeout: 30, MemorySize: 256 }),
  );
  assert.deepEqual(callsTo(api, 'updateFunctionCode'), [
    ['orders', { ZipFile: Buffer.from('zip').toString('base64'), Publish: true }],
  ]);
  assert.deepEqual(callsTo(api, 'updateFunctionConfiguration'), [
    [ARN, { Timeout: 30, MemorySize: 256 }],
  ]);
});

test('an empty body is {}; a body that is not a JSON object is InvalidRequestContentException', async (t) => {
  const api = await startApi(t);
  const path = `${api.url}/2015-03-31/functions/orders/configuration`;
  const empty = await fetch(path, { method: 'PUT' });
  assert.equal(empty.status, 200);
  assert.deepEqual(callsTo(api, 'updateFunctionConfiguration'), [['orders', {}]]);

  const bad = await fetch(path, {
    method: 'PUT',
    body: '{"Timeout": 3',
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.headers.get('x-amzn-errortype'), 'InvalidRequestContentException');
  const body = (await bad.json()) as { Type: string; message: string };
  assert.equal(body.Type, 'User');
  assert.match(body.message, /^Could not parse request body into json: .+/);

  const array = await fetch(path, { method: 'PUT', body: '[1]' });
  assert.equal(array.status, 400);
  assert.equal(array.headers.get('x-amzn-errortype'), 'InvalidRequestContentException');
  assert.equal(callsTo(api, 'updateFunctionConfiguration').length, 1);
});

test('DeleteFunction answers 204 with an empty body and passes the Qualifier', async (t) => {
  const api = await startApi(t);
  const out = await api.client.send(
    new DeleteFunctionCommand({ FunctionName: 'orders', Qualifier: '3' }),
  );
  assert.equal(out.$metadata.httpStatusCode, 204);
  const raw = await fetch(`${api.url}/2015-03-31/functions/orders`, { method: 'DELETE' });
  assert.equal(raw.status, 204);
  assert.equal(await raw.text(), '');
  assert.match(raw.headers.get('x-amzn-requestid') ?? '', UUID);
  assert.deepEqual(callsTo(api, 'deleteFunction'), [
    ['orders', '3'],
    ['orders', undefined],
  ]);
});
