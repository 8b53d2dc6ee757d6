/**
 * The event-invoke-config, function URL and policy operations through the real API handler on a
 * real socket, driven by the real @aws-sdk/client-lambda, over the real services and SQLite.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import {
  AddPermissionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteFunctionEventInvokeConfigCommand,
  DeleteFunctionUrlConfigCommand,
  GetFunctionEventInvokeConfigCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  LambdaClient,
  ListFunctionEventInvokeConfigsCommand,
  ListFunctionUrlConfigsCommand,
  PutFunctionEventInvokeConfigCommand,
  RemovePermissionCommand,
  UpdateFunctionEventInvokeConfigCommand,
  UpdateFunctionUrlConfigCommand,
  paginateListFunctionEventInvokeConfigs,
} from '@aws-sdk/client-lambda';
import { createApiHandler } from '../../src/api/index.js';
import type { FunctionConfigServices } from '../../src/control/function-config/index.js';
import type { ControlPlane } from '../../src/control/types.js';
import type { Invoker } from '../../src/invoke/types.js';
import { ARN, CTX, setup } from '../control/function-config/helpers.js';

// The SDK warns once per process that it will drop Node 20 in 2027; that is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** Control plane and invoker are not used by these operations: any call is a test failure. */
const unused = new Proxy(
  {},
  { get: () => () => Promise.reject(new Error('not used by function-config operations')) },
);

async function startClient(
  t: TestContext,
  functionConfig: FunctionConfigServices | undefined,
): Promise<LambdaClient> {
  const server = createServer(
    createApiHandler({
      control: unused as ControlPlane,
      invoker: unused as Invoker,
      ctx: CTX,
      ...(functionConfig === undefined ? {} : { functionConfig }),
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new LambdaClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: CTX.region,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    maxAttempts: 1,
  });
  t.after(async () => {
    client.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return client;
}

async function sdkError(
  promise: Promise<unknown>,
): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

test('event invoke configs: Put/Update/Get/List/Delete with the SDK; LastModified arrives as a Date', async (t) => {
  const { services, registry, clock, destinations } = await setup(t);
  const client = await startClient(t, services);
  registry.add('orders', '1', 'live');
  const queue = 'arn:aws:sqs:us-east-1:123456789012:failed';
  destinations.add(queue);

  const put = await client.send(
    new PutFunctionEventInvokeConfigCommand({
      FunctionName: 'orders',
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: queue } },
    }),
  );
  assert.equal(put.$metadata.httpStatusCode, 200);
  assert.ok(put.LastModified instanceof Date);
  assert.equal(put.LastModified.getTime(), clock.now());
  assert.equal(put.FunctionArn, ARN('orders', '$LATEST'));
  assert.equal(put.MaximumRetryAttempts, 0);
  assert.equal(put.MaximumEventAgeInSeconds, undefined);
  assert.deepEqual(put.DestinationConfig, { OnSuccess: {}, OnFailure: { Destination: queue } });

  const updated = await client.send(
    new UpdateFunctionEventInvokeConfigCommand({
      FunctionName: ARN('orders'),
      Qualifier: '$LATEST',
      MaximumEventAgeInSeconds: 3600,
    }),
  );
  assert.equal(updated.MaximumRetryAttempts, 0);
  assert.equal(updated.MaximumEventAgeInSeconds, 3600);

  await client.send(
    new PutFunctionEventInvokeConfigCommand({
      FunctionName: 'orders',
      Qualifier: 'live',
      MaximumRetryAttempts: 1,
    }),
  );
  await client.send(
    new PutFunctionEventInvokeConfigCommand({ FunctionName: 'orders:1', MaximumRetryAttempts: 2 }),
  );
  const got = await client.send(
    new GetFunctionEventInvokeConfigCommand({ FunctionName: `${ARN('orders')}:live` }),
  );
  assert.equal(got.FunctionArn, ARN('orders', 'live'));

  const arns: string[] = [];
  for await (const page of paginateListFunctionEventInvokeConfigs(
    { client, pageSize: 1 },
    { FunctionName: 'orders', MaxItems: 1 },
  )) {
    assert.ok((page.FunctionEventInvokeConfigs ?? []).length <= 1);
    for (const c of page.FunctionEventInvokeConfigs ?? []) {
      arns.push(c.FunctionArn ?? '');
      assert.ok(c.LastModified instanceof Date);
    }
  }
  assert.deepEqual(arns, [ARN('orders', '$LATEST'), ARN('orders', 'live'), ARN('orders', '1')]);

  const deleted = await client.send(
    new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'orders', Qualifier: 'live' }),
  );
  assert.equal(deleted.$metadata.httpStatusCode, 204);
  assert.deepEqual(
    await sdkError(
      client.send(
        new GetFunctionEventInvokeConfigCommand({ FunctionName: 'orders', Qualifier: 'live' }),
      ),
    ),
    {
      name: 'ResourceNotFoundException',
      message: `The function ${ARN('orders', 'live')} doesn't have an EventInvokeConfig`,
      status: 404,
    },
  );
  assert.deepEqual(
    await sdkError(
      client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'orders' })),
    ),
    {
      name: 'InvalidParameterValueException',
      message: 'You must specify at least one of error handling or destination setting.',
      status: 400,
    },
  );
  assert.deepEqual(
    await sdkError(
      client.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: 'orders',
          MaximumRetryAttempts: 5,
        }),
      ),
    ),
    {
      name: 'ValidationException',
      message:
        "1 validation error detected: Value '5' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2",
      status: 400,
    },
  );
  assert.deepEqual(
    await sdkError(
      client.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'nope' })),
    ),
    { name: 'ResourceNotFoundException', message: "The function doesn't exist.", status: 404 },
  );
});

test('function URLs: Create (201), Get, Update, List, Delete (204) with the SDK', async (t) => {
  const { services, registry } = await setup(t);
  const client = await startClient(t, services);
  registry.add('orders', 'live');

  const created = await client.send(
    new CreateFunctionUrlConfigCommand({
      FunctionName: 'orders',
      AuthType: 'NONE',
      Cors: { AllowOrigins: ['*'], AllowMethods: ['GET'], MaxAge: 300 },
    }),
  );
  assert.equal(created.$metadata.httpStatusCode, 201);
  assert.match(
    created.FunctionUrl ?? '',
    /^http:\/\/[a-z0-9]{32}\.lambda-url\.us-east-1\.localhost:4566\/$/,
  );
  assert.equal(created.FunctionArn, ARN('orders'));
  assert.deepEqual(created.Cors, { AllowOrigins: ['*'], AllowMethods: ['GET'], MaxAge: 300 });
  assert.equal(created.CreationTime, '2025-05-01T12:34:56.789000Z');

  const got = await client.send(new GetFunctionUrlConfigCommand({ FunctionName: ARN('orders') }));
  assert.equal(got.InvokeMode, 'BUFFERED');
  assert.equal(got.LastModifiedTime, '2025-05-01T12:34:56.789000Z');

  const updated = await client.send(
    new UpdateFunctionUrlConfigCommand({ FunctionName: 'orders', AuthType: 'AWS_IAM' }),
  );
  assert.equal(updated.AuthType, 'AWS_IAM');
  assert.equal(updated.FunctionUrl, created.FunctionUrl);

  await client.send(
    new CreateFunctionUrlConfigCommand({
      FunctionName: 'orders',
      Qualifier: 'live',
      AuthType: 'NONE',
      InvokeMode: 'RESPONSE_STREAM',
    }),
  );
  const list = await client.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'orders' }));
  assert.deepEqual(
    list.FunctionUrlConfigs?.map((c) => [c.FunctionArn, c.AuthType, c.InvokeMode]),
    [
      [ARN('orders'), 'AWS_IAM', 'BUFFERED'],
      [ARN('orders', 'live'), 'NONE', 'RESPONSE_STREAM'],
    ],
  );

  assert.deepEqual(
    await sdkError(
      client.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'orders', AuthType: 'NONE' })),
    ),
    {
      name: 'ResourceConflictException',
      message: `Failed to create function url config for [functionArn = ${ARN('orders')}]. Error message:  FunctionUrlConfig exists for this Lambda function`,
      status: 409,
    },
  );
  assert.deepEqual(
    await sdkError(
      client.send(
        new CreateFunctionUrlConfigCommand({
          FunctionName: 'orders',
          Qualifier: '1',
          AuthType: 'NONE',
        }),
      ),
    ),
    {
      name: 'ValidationException',
      message:
        "1 validation error detected: Value '1' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)",
      status: 400,
    },
  );

  const deleted = await client.send(
    new DeleteFunctionUrlConfigCommand({ FunctionName: 'orders', Qualifier: 'live' }),
  );
  assert.equal(deleted.$metadata.httpStatusCode, 204);
  assert.deepEqual(
    await sdkError(
      client.send(new GetFunctionUrlConfigCommand({ FunctionName: 'orders', Qualifier: 'live' })),
    ),
    {
      name: 'ResourceNotFoundException',
      message: 'The resource you requested does not exist.',
      status: 404,
    },
  );
  registry.add('empty');
  const none = await client.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'empty' }));
  assert.deepEqual(none.FunctionUrlConfigs, []);
});

test('permissions: AddPermission (201), GetPolicy, RemovePermission (204) with the SDK', async (t) => {
  const { services, registry } = await setup(t);
  const client = await startClient(t, services);
  registry.add('orders', '1');

  const added = await client.send(
    new AddPermissionCommand({
      FunctionName: 'orders',
      Qualifier: '1',
      StatementId: 'events',
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      SourceArn: 'arn:aws:events:us-east-1:123456789012:rule/nightly',
    }),
  );
  assert.equal(added.$metadata.httpStatusCode, 201);
  assert.deepEqual(JSON.parse(added.Statement ?? ''), {
    Sid: 'events',
    Effect: 'Allow',
    Principal: { Service: 'events.amazonaws.com' },
    Action: 'lambda:InvokeFunction',
    Resource: ARN('orders', '1'),
    Condition: {
      ArnLike: { 'AWS:SourceArn': 'arn:aws:events:us-east-1:123456789012:rule/nightly' },
    },
  });

  const policy = await client.send(new GetPolicyCommand({ FunctionName: 'orders:1' }));
  const document = JSON.parse(policy.Policy ?? '') as {
    Version: string;
    Id: string;
    Statement: unknown[];
  };
  assert.equal(document.Version, '2012-10-17');
  assert.equal(document.Id, 'default');
  assert.deepEqual(document.Statement, [JSON.parse(added.Statement ?? '')]);

  assert.deepEqual(
    await sdkError(
      client.send(
        new RemovePermissionCommand({
          FunctionName: 'orders',
          Qualifier: '1',
          StatementId: 'events',
          RevisionId: 'stale',
        }),
      ),
    ),
    {
      name: 'PreconditionFailedException',
      message:
        'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
      status: 412,
    },
  );
  const removed = await client.send(
    new RemovePermissionCommand({
      FunctionName: 'orders',
      Qualifier: '1',
      StatementId: 'events',
      RevisionId: policy.RevisionId,
    }),
  );
  assert.equal(removed.$metadata.httpStatusCode, 204);
  assert.deepEqual(
    await sdkError(client.send(new GetPolicyCommand({ FunctionName: 'orders', Qualifier: '1' }))),
    {
      name: 'ResourceNotFoundException',
      message: 'The resource you requested does not exist.',
      status: 404,
    },
  );
  assert.deepEqual(
    await sdkError(
      client.send(
        new AddPermissionCommand({
          FunctionName: 'orders',
          Qualifier: '$LATEST',
          StatementId: 's',
          Action: 'lambda:InvokeFunction',
          Principal: '*',
        }),
      ),
    ),
    {
      name: 'InvalidParameterValueException',
      message: 'We currently do not support adding policies for $LATEST.',
      status: 400,
    },
  );
  assert.deepEqual(
    await sdkError(
      client.send(new RemovePermissionCommand({ FunctionName: 'orders', StatementId: 'nope' })),
    ),
    {
      name: 'ResourceNotFoundException',
      message: 'No policy is associated with the given resource.',
      status: 404,
    },
  );
});

test('a server built without the services answers their operations with ServiceException', async (t) => {
  const client = await startClient(t, undefined);
  assert.deepEqual(await sdkError(client.send(new GetPolicyCommand({ FunctionName: 'orders' }))), {
    name: 'ServiceException',
    message: 'Function configuration services are not available on this server.',
    status: 500,
  });
});
