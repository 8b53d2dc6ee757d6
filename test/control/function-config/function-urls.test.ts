import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  functionUrl,
  functionUrlId,
  functionUrlIdFromHost,
} from '../../../src/control/function-config/index.js';
import { ARN, CTX, rejectsWith, setup } from './helpers.js';

const CREATED = '2025-05-01T12:34:56.789000Z';
const URL_ID = /^[a-z0-9]{32}$/;

test('Create answers the URL config; Get adds LastModifiedTime and InvokeMode', async (t) => {
  const { services, registry, clock } = await setup(t);
  registry.add('orders');
  const id = functionUrlId(CTX, 'orders', undefined);
  assert.match(id, URL_ID);
  const created = await services.functionUrls.create('orders', undefined, { AuthType: 'NONE' });
  assert.deepEqual(created, {
    FunctionUrl: `http://${id}.lambda-url.us-east-1.localhost:4566/`,
    FunctionArn: ARN('orders'),
    AuthType: 'NONE',
    CreationTime: CREATED,
  });
  await clock.advance(1_000);
  assert.deepEqual(await services.functionUrls.get(ARN('orders'), undefined), {
    ...created,
    LastModifiedTime: CREATED,
    InvokeMode: 'BUFFERED',
  });
});

test('Create echoes Cors and InvokeMode when sent; one URL per qualifier (409)', async (t) => {
  const { services, registry } = await setup(t);
  registry.add('orders', 'live');
  const cors = {
    AllowCredentials: true,
    AllowHeaders: ['x-custom'],
    AllowMethods: ['GET', 'POST'],
    AllowOrigins: ['https://example.com'],
    ExposeHeaders: ['x-trace'],
    MaxAge: 86_400,
  };
  const created = await services.functionUrls.create('orders', 'live', {
    AuthType: 'AWS_IAM',
    Cors: cors,
    InvokeMode: 'RESPONSE_STREAM',
  });
  assert.deepEqual(created, {
    FunctionUrl: `http://${functionUrlId(CTX, 'orders', 'live')}.lambda-url.us-east-1.localhost:4566/`,
    FunctionArn: ARN('orders', 'live'),
    AuthType: 'AWS_IAM',
    Cors: cors,
    CreationTime: CREATED,
    InvokeMode: 'RESPONSE_STREAM',
  });
  assert.notEqual(functionUrlId(CTX, 'orders', 'live'), functionUrlId(CTX, 'orders', undefined));
  await rejectsWith(services.functionUrls.create('orders:live', undefined, { AuthType: 'NONE' }), {
    code: 'ResourceConflictException',
    status: 409,
    message: `Failed to create function url config for [functionArn = ${ARN('orders', 'live')}]. Error message:  FunctionUrlConfig exists for this Lambda function`,
  });
  await services.functionUrls.create('orders', undefined, { AuthType: 'NONE' });
  await rejectsWith(services.functionUrls.create('orders', undefined, { AuthType: 'NONE' }), {
    code: 'ResourceConflictException',
    status: 409,
    message: `Failed to create function url config for [functionArn = ${ARN('orders')}]. Error message:  FunctionUrlConfig exists for this Lambda function`,
  });
});

test('URLs belong to the function or an alias: versions and $LATEST are refused', async (t) => {
  const { services, registry } = await setup(t);
  registry.add('orders', '1');
  const urls = services.functionUrls;
  for (const qualifier of ['1', '$LATEST']) {
    const expected = {
      code: 'ValidationException',
      status: 400,
      message: `1 validation error detected: Value '${qualifier}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)`,
    };
    await rejectsWith(urls.create('orders', qualifier, { AuthType: 'NONE' }), expected);
    await rejectsWith(urls.get('orders', qualifier), expected);
    await rejectsWith(urls.update('orders', qualifier, { AuthType: 'NONE' }), expected);
    await rejectsWith(urls.delete('orders', qualifier), expected);
  }
  await rejectsWith(urls.create('orders:live', 'other', { AuthType: 'NONE' }), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: 'The derived qualifier from the function name does not match the specified qualifier.',
  });
  const functionMissing = {
    code: 'ResourceNotFoundException',
    status: 404,
    message: 'Function does not exist',
  };
  const configMissing = {
    code: 'ResourceNotFoundException',
    status: 404,
    message: 'The resource you requested does not exist.',
  };
  await rejectsWith(urls.create('doesnotexist', undefined, { AuthType: 'NONE' }), functionMissing);
  await rejectsWith(urls.create('orders', 'nope', { AuthType: 'NONE' }), functionMissing);
  await rejectsWith(urls.update('orders', 'nope', { AuthType: 'NONE' }), functionMissing);
  await rejectsWith(urls.get('orders', 'nope'), configMissing);
  await rejectsWith(urls.delete('doesnotexist', undefined), configMissing);
  await rejectsWith(urls.update('orders', undefined, { AuthType: 'NONE' }), configMissing);
  await rejectsWith(urls.list('doesnotexist', {}), functionMissing);
});

test('the body is validated with AWS texts', async (t) => {
  const { services, registry } = await setup(t);
  registry.add('orders');
  const urls = services.functionUrls;
  const fails = (body: unknown, message: string) =>
    rejectsWith(urls.create('orders', undefined, body), {
      code: 'ValidationException',
      status: 400,
      message,
    });
  await fails(
    {},
    "1 validation error detected: Value null at 'authType' failed to satisfy constraint: Member must not be null",
  );
  await fails(
    { AuthType: 'OPEN', InvokeMode: 'STREAM' },
    "2 validation errors detected: Value 'OPEN' at 'authType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AWS_IAM]; Value 'STREAM' at 'invokeMode' failed to satisfy constraint: Member must satisfy enum value set: [BUFFERED, RESPONSE_STREAM]",
  );
  await fails(
    {
      AuthType: 'NONE',
      Cors: { AllowMethods: ['GET', 'PUT', 'POST', 'HEAD', 'PATCH', 'DELETE', '*'] },
    },
    "1 validation error detected: Value '[GET, PUT, POST, HEAD, PATCH, DELETE, *]' at 'cors.allowMethods' failed to satisfy constraint: Member must have length less than or equal to 6",
  );
  await fails(
    { AuthType: 'NONE', Cors: { AllowMethods: ['OPTIONS'] } },
    "1 validation error detected: Value '[OPTIONS]' at 'cors.allowMethods' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 6]",
  );
  await fails(
    { AuthType: 'NONE', Cors: { MaxAge: 86_401 } },
    "1 validation error detected: Value '86401' at 'cors.maxAge' failed to satisfy constraint: Member must have value less than or equal to 86400",
  );
  await fails(
    { AuthType: 'NONE', Cors: { AllowOrigins: [''] } },
    "1 validation error detected: Value '[]' at 'cors.allowOrigins' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 253, Member must have length greater than or equal to 1]",
  );
  await rejectsWith(urls.get('orders', undefined), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: 'The resource you requested does not exist.',
  });
});

test('Update changes only what it sends (Cors as a whole) and stamps LastModifiedTime', async (t) => {
  const { services, registry, clock } = await setup(t);
  registry.add('orders');
  const urls = services.functionUrls;
  await urls.create('orders', undefined, {
    AuthType: 'NONE',
    Cors: { AllowOrigins: ['*'], MaxAge: 10 },
    InvokeMode: 'RESPONSE_STREAM',
  });
  await clock.advance(2_000);
  const updated = await urls.update('orders', undefined, { AuthType: 'AWS_IAM' });
  assert.deepEqual(updated, {
    FunctionUrl: `http://${functionUrlId(CTX, 'orders', undefined)}.lambda-url.us-east-1.localhost:4566/`,
    FunctionArn: ARN('orders'),
    AuthType: 'AWS_IAM',
    Cors: { AllowOrigins: ['*'], MaxAge: 10 },
    CreationTime: CREATED,
    LastModifiedTime: '2025-05-01T12:34:58.789000Z',
  });
  const again = await urls.update('orders', undefined, {
    Cors: { AllowMethods: ['GET'] },
    InvokeMode: 'BUFFERED',
  });
  assert.deepEqual(again.Cors, { AllowMethods: ['GET'] });
  assert.equal(again.InvokeMode, 'BUFFERED');
  assert.equal(again.AuthType, 'AWS_IAM');
  await urls.delete('orders', undefined);
  await rejectsWith(urls.get('orders', undefined), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: 'The resource you requested does not exist.',
  });
});

test('List: the function and its aliases in creation order, FunctionUrlConfigs always present', async (t) => {
  const { services, registry } = await setup(t);
  registry.add('orders', 'live', 'beta');
  const urls = services.functionUrls;
  assert.deepEqual(await urls.list('orders', {}), { FunctionUrlConfigs: [] });
  await urls.create('orders', undefined, { AuthType: 'NONE' });
  await urls.create('orders', 'live', { AuthType: 'NONE' });
  await urls.create('orders', 'beta', { AuthType: 'AWS_IAM' });
  const first = await urls.list('orders', { maxItems: 2 });
  assert.deepEqual(
    first.FunctionUrlConfigs.map((c) => c.FunctionArn),
    [ARN('orders'), ARN('orders', 'live')],
  );
  const [head] = first.FunctionUrlConfigs;
  assert.equal(head?.InvokeMode, 'BUFFERED');
  assert.equal(head.LastModifiedTime, CREATED);
  const rest = await urls.list('orders', { marker: first.NextMarker ?? '' });
  assert.deepEqual(rest, { FunctionUrlConfigs: [await urls.get('orders', 'beta')] });
});

test('lookupUrl finds a URL by its id and follows changes', async (t) => {
  const { services, registry } = await setup(t);
  registry.add('orders', 'live');
  const urls = services.functionUrls;
  const id = functionUrlId(CTX, 'orders', 'live');
  assert.equal(await urls.lookupUrl(id), undefined);
  await urls.create('orders', 'live', { AuthType: 'NONE', Cors: { AllowOrigins: ['*'] } });
  assert.deepEqual(await urls.lookupUrl(id), {
    functionName: 'orders',
    qualifier: 'live',
    authType: 'NONE',
    cors: { AllowOrigins: ['*'] },
    invokeMode: 'BUFFERED',
  });
  await urls.update('orders', 'live', { AuthType: 'AWS_IAM', InvokeMode: 'RESPONSE_STREAM' });
  assert.deepEqual(await urls.lookupUrl(id), {
    functionName: 'orders',
    qualifier: 'live',
    authType: 'AWS_IAM',
    cors: { AllowOrigins: ['*'] },
    invokeMode: 'RESPONSE_STREAM',
  });
  await urls.create('orders', undefined, { AuthType: 'NONE' });
  assert.deepEqual(await urls.lookupUrl(functionUrlId(CTX, 'orders', undefined)), {
    functionName: 'orders',
    authType: 'NONE',
    invokeMode: 'BUFFERED',
  });
  await urls.delete('orders', 'live');
  assert.equal(await urls.lookupUrl(id), undefined);
  // The id is the same when the URL is created again.
  const again = await urls.create('orders', 'live', { AuthType: 'NONE' });
  assert.equal(again.FunctionUrl, `http://${id}.lambda-url.us-east-1.localhost:4566/`);
});

test('the FunctionUrl form: host names kept, IP addresses become localhost; ids read back from Host', () => {
  const id = functionUrlId(CTX, 'orders', undefined);
  assert.equal(
    functionUrl(id, 'eu-west-1', 'https://fogbank.example.com:8443/'),
    `https://${id}.lambda-url.eu-west-1.fogbank.example.com:8443/`,
  );
  assert.equal(
    functionUrl(id, 'us-east-1', 'http://localhost'),
    `http://${id}.lambda-url.us-east-1.localhost/`,
  );
  assert.equal(
    functionUrl(id, 'us-east-1', 'http://[::1]:4566'),
    `http://${id}.lambda-url.us-east-1.localhost:4566/`,
  );
  assert.equal(functionUrlIdFromHost(`${id}.lambda-url.us-east-1.localhost:4566`), id);
  assert.equal(functionUrlIdFromHost(`${id.toUpperCase()}.LAMBDA-URL.us-east-1.example.com`), id);
  assert.equal(functionUrlIdFromHost('127.0.0.1:4566'), undefined);
  // Stable: derived from account, region, function and qualifier only.
  assert.equal(functionUrlId(CTX, 'orders', undefined), id);
  assert.notEqual(functionUrlId({ ...CTX, region: 'eu-west-1' }, 'orders', undefined), id);
});
