import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { test } from 'node:test';
import {
  CreateApiCommand,
  CreateDeploymentCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
  DeleteApiCommand,
  DeleteIntegrationCommand,
  DeleteRouteCommand,
  DeleteStageCommand,
  GetApiCommand,
  GetApisCommand,
  GetDeploymentsCommand,
  GetIntegrationCommand,
  GetIntegrationsCommand,
  GetRouteCommand,
  GetRoutesCommand,
  GetStageCommand,
  GetStagesCommand,
  GetTagsCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateApiCommand,
  UpdateIntegrationCommand,
  UpdateRouteCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-apigatewayv2';
import { rejection } from '../events/helpers.js';
import { FUNCTION_ARN, startHttpApis } from './apigatewayv2-harness.js';

test('quick create makes a Lambda proxy integration, a $default route and an auto-deployed $default stage', async (t) => {
  const { client, service } = await startHttpApis(t);
  const api = await client.send(
    new CreateApiCommand({
      Name: 'orders-api',
      ProtocolType: 'HTTP',
      Target: FUNCTION_ARN,
      Tags: { team: 'payments' },
    }),
  );
  const apiId = api.ApiId ?? '';
  assert.match(apiId, /^[a-z0-9]{10}$/);
  assert.equal(api.ApiEndpoint, `http://${apiId}.execute-api.us-east-1.localhost:4566`);
  assert.equal(api.Name, 'orders-api');
  assert.equal(api.ProtocolType, 'HTTP');
  assert.deepEqual(api.Tags, { team: 'payments' });
  assert.deepEqual(api.CreatedDate, new Date(Date.UTC(2026, 0, 2, 3, 4, 5)));
  assert.equal(api.RouteSelectionExpression, '${request.method} ${request.path}');

  const { Items: integrations = [] } = await client.send(
    new GetIntegrationsCommand({ ApiId: apiId }),
  );
  assert.equal(integrations.length, 1);
  const [integration] = integrations;
  assert.match(integration?.IntegrationId ?? '', /^[a-z0-9]{7}$/);
  assert.equal(integration?.IntegrationType, 'AWS_PROXY');
  assert.equal(integration.IntegrationUri, FUNCTION_ARN);
  assert.equal(integration.PayloadFormatVersion, '2.0');
  assert.equal(integration.TimeoutInMillis, 30000);
  assert.equal(integration.ApiGatewayManaged, true);

  const { Items: routes = [] } = await client.send(new GetRoutesCommand({ ApiId: apiId }));
  assert.equal(routes.length, 1);
  assert.equal(routes[0]?.RouteKey, '$default');
  assert.equal(routes[0].Target, `integrations/${integration.IntegrationId ?? ''}`);
  assert.match(routes[0].RouteId ?? '', /^[a-z0-9]{7}$/);

  const stage = await client.send(new GetStageCommand({ ApiId: apiId, StageName: '$default' }));
  assert.equal(stage.AutoDeploy, true);
  assert.equal(stage.ApiGatewayManaged, true);

  assert.deepEqual(service.stages(apiId), [
    {
      apiId,
      stageName: '$default',
      stageVariables: {},
      routes: [
        {
          routeId: routes[0].RouteId,
          routeKey: '$default',
          integration: {
            integrationId: integration.IntegrationId,
            functionArn: FUNCTION_ARN,
            payloadFormatVersion: '2.0',
            timeoutMs: 30000,
          },
        },
      ],
    },
  ]);

  const keyed = await client.send(
    new CreateApiCommand({
      Name: 'items',
      ProtocolType: 'HTTP',
      Target: `${FUNCTION_ARN}:live`,
      RouteKey: 'GET /items/{id}',
    }),
  );
  const [route] = service.stages(keyed.ApiId ?? '')[0]?.routes ?? [];
  assert.equal(route?.routeKey, 'GET /items/{id}');
  assert.equal(route.integration.functionArn, `${FUNCTION_ARN}:live`);

  // Quick update: a new function and route key for what quick create made.
  await client.send(
    new UpdateApiCommand({ ApiId: apiId, Target: `${FUNCTION_ARN}:v2`, RouteKey: 'ANY /{proxy+}' }),
  );
  const [updatedRoute] = service.stages(apiId)[0]?.routes ?? [];
  assert.equal(updatedRoute?.routeKey, 'ANY /{proxy+}');
  assert.equal(updatedRoute.integration.functionArn, `${FUNCTION_ARN}:v2`);
  assert.equal(updatedRoute.integration.integrationId, integration.IntegrationId);
  const badKey = await rejection(
    client.send(new UpdateApiCommand({ ApiId: keyed.ApiId, Name: 'renamed', RouteKey: 'BAD KEY' })),
  );
  assert.equal(badKey.name, 'BadRequestException');
  assert.equal((await client.send(new GetApiCommand({ ApiId: keyed.ApiId }))).Name, 'items');
  assert.equal(service.stages(keyed.ApiId ?? '')[0]?.routes[0]?.routeKey, 'GET /items/{id}');
  const plain = await client.send(new CreateApiCommand({ Name: 'plain', ProtocolType: 'HTTP' }));
  const notQuick = await rejection(
    client.send(new UpdateApiCommand({ ApiId: plain.ApiId, Target: FUNCTION_ARN })),
  );
  assert.match(notQuick.message, /quick create/);

  // Tags of the API and of its stage, by ARN.
  const apiArn = `arn:aws:apigateway:us-east-1::/apis/${apiId}`;
  await client.send(new TagResourceCommand({ ResourceArn: apiArn, Tags: { env: 'dev' } }));
  assert.deepEqual((await client.send(new GetTagsCommand({ ResourceArn: apiArn }))).Tags, {
    team: 'payments',
    env: 'dev',
  });
  await client.send(new UntagResourceCommand({ ResourceArn: apiArn, TagKeys: ['team'] }));
  assert.deepEqual((await client.send(new GetApiCommand({ ApiId: apiId }))).Tags, { env: 'dev' });
  const stageArn = `${apiArn}/stages/$default`;
  await client.send(new TagResourceCommand({ ResourceArn: stageArn, Tags: { tier: 'free' } }));
  assert.deepEqual(
    (await client.send(new GetStageCommand({ ApiId: apiId, StageName: '$default' }))).Tags,
    { tier: 'free' },
  );
  const badArn = await rejection(
    client.send(new GetTagsCommand({ ResourceArn: 'arn:aws:apigateway:eu-west-1::/apis/x' })),
  );
  assert.equal(badArn.name, 'BadRequestException');

  const { Items: apis = [] } = await client.send(new GetApisCommand({}));
  assert.deepEqual(apis.map((a) => a.ApiId).sort(), [apiId, keyed.ApiId, plain.ApiId].sort());
});

test('routes, integrations, stages and deployments: create, get, update, delete, and the directory follows', async (t) => {
  const { client, service } = await startHttpApis(t);
  const { ApiId: apiId = '' } = await client.send(
    new CreateApiCommand({ Name: 'shop', ProtocolType: 'HTTP', Description: 'first' }),
  );
  assert.deepEqual(service.stages(apiId), []);

  const invocationUri = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FUNCTION_ARN}:live/invocations`;
  const v1 = await client.send(
    new CreateIntegrationCommand({
      ApiId: apiId,
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: invocationUri,
      PayloadFormatVersion: '1.0',
      TimeoutInMillis: 5000,
    }),
  );
  assert.equal(v1.IntegrationUri, invocationUri);
  assert.equal(v1.IntegrationMethod, 'POST');
  const v2 = await client.send(
    new CreateIntegrationCommand({
      ApiId: apiId,
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: FUNCTION_ARN,
      PayloadFormatVersion: '2.0',
    }),
  );
  const got = await client.send(
    new GetIntegrationCommand({ ApiId: apiId, IntegrationId: v1.IntegrationId }),
  );
  assert.equal(got.TimeoutInMillis, 5000);

  const item = await client.send(
    new CreateRouteCommand({
      ApiId: apiId,
      RouteKey: 'GET /items/{id}',
      Target: `integrations/${v1.IntegrationId ?? ''}`,
    }),
  );
  assert.equal(item.RouteKey, 'GET /items/{id}');
  assert.equal(item.AuthorizationType, 'NONE');
  const proxy = await client.send(
    new CreateRouteCommand({
      ApiId: apiId,
      RouteKey: 'ANY /{proxy+}',
      Target: `integrations/${v2.IntegrationId ?? ''}`,
    }),
  );
  // A route without a target exists but is not served.
  await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'POST /orders' }));

  await client.send(
    new CreateStageCommand({ ApiId: apiId, StageName: 'prod', StageVariables: { env: 'prod' } }),
  );
  let [prod] = service.stages(apiId);
  assert.equal(prod?.stageName, 'prod');
  assert.deepEqual(prod.stageVariables, { env: 'prod' });
  assert.deepEqual(
    prod.routes.map((r) => [r.routeKey, r.integration.functionArn, r.integration.timeoutMs]).sort(),
    [
      ['ANY /{proxy+}', FUNCTION_ARN, 30000],
      ['GET /items/{id}', `${FUNCTION_ARN}:live`, 5000],
    ],
  );

  const pages: string[][] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(
      new GetRoutesCommand({ ApiId: apiId, MaxResults: '1', ...(NextToken && { NextToken }) }),
    );
    pages.push((page.Items ?? []).map((r) => r.RouteKey ?? ''));
    NextToken = page.NextToken;
  } while (NextToken !== undefined);
  assert.deepEqual(pages.flat().sort(), ['ANY /{proxy+}', 'GET /items/{id}', 'POST /orders']);
  assert.equal(pages.length, 3);

  const renamed = await client.send(
    new UpdateRouteCommand({ ApiId: apiId, RouteId: item.RouteId, RouteKey: 'GET /things/{id}' }),
  );
  assert.equal(renamed.RouteKey, 'GET /things/{id}');
  assert.equal(renamed.Target, item.Target);
  const fetched = await client.send(new GetRouteCommand({ ApiId: apiId, RouteId: item.RouteId }));
  assert.equal(fetched.RouteKey, 'GET /things/{id}');

  await client.send(
    new UpdateIntegrationCommand({
      ApiId: apiId,
      IntegrationId: v1.IntegrationId,
      TimeoutInMillis: 1000,
    }),
  );
  await client.send(
    new UpdateStageCommand({
      ApiId: apiId,
      StageName: 'prod',
      StageVariables: { region: 'eu', env: '' },
    }),
  );
  [prod] = service.stages(apiId);
  assert.deepEqual(prod?.stageVariables, { region: 'eu' });
  assert.equal(
    prod.routes.find((r) => r.routeKey === 'GET /things/{id}')?.integration.timeoutMs,
    1000,
  );

  const deployment = await client.send(
    new CreateDeploymentCommand({ ApiId: apiId, StageName: 'prod', Description: 'v1' }),
  );
  assert.equal(deployment.DeploymentStatus, 'DEPLOYED');
  const { Items: deployments = [] } = await client.send(
    new GetDeploymentsCommand({ ApiId: apiId }),
  );
  assert.deepEqual(
    deployments.map((d) => d.DeploymentId),
    [deployment.DeploymentId],
  );
  const stage = await client.send(new GetStageCommand({ ApiId: apiId, StageName: 'prod' }));
  assert.equal(stage.DeploymentId, deployment.DeploymentId);

  const updated = await client.send(
    new UpdateApiCommand({ ApiId: apiId, Name: 'shop2', Description: 'second' }),
  );
  assert.equal(updated.Name, 'shop2');
  assert.equal((await client.send(new GetApiCommand({ ApiId: apiId }))).Description, 'second');
  // An API whose execute-api endpoint is disabled is not served.
  await client.send(new UpdateApiCommand({ ApiId: apiId, DisableExecuteApiEndpoint: true }));
  assert.deepEqual(service.stages(apiId), []);
  await client.send(new UpdateApiCommand({ ApiId: apiId, DisableExecuteApiEndpoint: false }));
  assert.equal(service.stages(apiId).length, 1);

  await client.send(new DeleteRouteCommand({ ApiId: apiId, RouteId: proxy.RouteId }));
  await client.send(
    new DeleteIntegrationCommand({ ApiId: apiId, IntegrationId: v2.IntegrationId }),
  );
  assert.deepEqual(
    service.stages(apiId)[0]?.routes.map((r) => r.routeKey),
    ['GET /things/{id}'],
  );
  await client.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default' }));
  await client.send(new DeleteStageCommand({ ApiId: apiId, StageName: 'prod' }));
  const { Items: stages = [] } = await client.send(new GetStagesCommand({ ApiId: apiId }));
  assert.deepEqual(
    stages.map((s) => s.StageName),
    ['$default'],
  );

  await client.send(new DeleteApiCommand({ ApiId: apiId }));
  assert.deepEqual(service.stages(apiId), []);
  const gone = await rejection(client.send(new GetApiCommand({ ApiId: apiId })));
  assert.equal(gone.name, 'NotFoundException');
});

test('bad input is refused with API Gateway errors and changes nothing', async (t) => {
  const { client, service } = await startHttpApis(t);
  const { ApiId: apiId = '' } = await client.send(
    new CreateApiCommand({ Name: 'strict', ProtocolType: 'HTTP', Target: FUNCTION_ARN }),
  );
  const before = JSON.stringify(service.stages(apiId));
  const integrationId =
    (await client.send(new GetIntegrationsCommand({ ApiId: apiId }))).Items?.[0]?.IntegrationId ??
    '';

  const expect = async (
    promise: Promise<unknown>,
    name: string,
    status: number,
    message?: RegExp,
  ): Promise<void> => {
    const error = await rejection(promise);
    assert.equal(error.name, name, error.message);
    assert.equal((error.$metadata as { httpStatusCode?: number }).httpStatusCode, status);
    if (message !== undefined) {
      assert.match(error.message, message);
    }
  };

  for (const routeKey of ['FOO /x', 'GET items', 'GET /{proxy+}/more', 'GET /a{b', 'get /x']) {
    await expect(
      client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: routeKey })),
      'BadRequestException',
      400,
      /route key/,
    );
  }
  await expect(
    client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: '$default' })),
    'ConflictException',
    409,
  );
  await expect(
    client.send(
      new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /x', Target: 'integrations/nope123' }),
    ),
    'BadRequestException',
    400,
  );
  await expect(
    client.send(new GetApiCommand({ ApiId: 'abcdefghij' })),
    'NotFoundException',
    404,
    /Invalid API identifier/,
  );
  await expect(
    client.send(new GetRoutesCommand({ ApiId: 'abcdefghij' })),
    'NotFoundException',
    404,
  );
  await expect(
    client.send(new GetRouteCommand({ ApiId: apiId, RouteId: 'nope123' })),
    'NotFoundException',
    404,
  );
  await expect(
    client.send(
      new CreateApiCommand({
        Name: 'ws',
        ProtocolType: 'WEBSOCKET',
        RouteSelectionExpression: '$request.body.action',
      }),
    ),
    'BadRequestException',
    400,
    /WEBSOCKET/,
  );
  const integration = {
    ApiId: apiId,
    IntegrationType: 'AWS_PROXY' as const,
    IntegrationUri: FUNCTION_ARN,
  };
  await expect(
    client.send(new CreateIntegrationCommand(integration)),
    'BadRequestException',
    400,
    /PayloadFormatVersion/,
  );
  for (const TimeoutInMillis of [49, 30001]) {
    await expect(
      client.send(
        new CreateIntegrationCommand({
          ...integration,
          PayloadFormatVersion: '2.0',
          TimeoutInMillis,
        }),
      ),
      'BadRequestException',
      400,
      /TimeoutInMillis/,
    );
  }
  await expect(
    client.send(
      new CreateIntegrationCommand({
        ...integration,
        IntegrationType: 'HTTP_PROXY',
        IntegrationUri: 'https://example.com',
        PayloadFormatVersion: '1.0',
      }),
    ),
    'BadRequestException',
    400,
  );
  await expect(
    client.send(
      new CreateIntegrationCommand({
        ...integration,
        IntegrationUri: 'arn:aws:sqs:us-east-1:000000000000:queue',
        PayloadFormatVersion: '2.0',
      }),
    ),
    'BadRequestException',
    400,
    /integration URI/,
  );
  await expect(
    client.send(new DeleteIntegrationCommand({ ApiId: apiId, IntegrationId: integrationId })),
    'ConflictException',
    409,
  );
  await expect(
    client.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default' })),
    'ConflictException',
    409,
  );
  await expect(
    client.send(new CreateStageCommand({ ApiId: apiId, StageName: 'bad name' })),
    'BadRequestException',
    400,
  );

  assert.equal(JSON.stringify(service.stages(apiId)), before);
  assert.equal((await client.send(new GetRoutesCommand({ ApiId: apiId }))).Items?.length, 1);
  assert.equal((await client.send(new GetIntegrationsCommand({ ApiId: apiId }))).Items?.length, 1);
  assert.equal((await client.send(new GetApisCommand({}))).Items?.length, 1);
});

test('errors on the wire are {"message"} with x-amzn-ErrorType, as API Gateway sends them', async (t) => {
  const { url } = await startHttpApis(t);
  const missing = await fetch(`${url}/v2/apis/abcdefghij`);
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get('x-amzn-errortype'), 'NotFoundException');
  assert.ok(missing.headers.get('x-amzn-requestid'));
  assert.deepEqual(await missing.json(), {
    message: 'Invalid API identifier specified 000000000000:abcdefghij',
    resourceType: 'Api',
  });

  const malformed = await fetch(`${url}/v2/apis`, { method: 'POST', body: '{not json' });
  assert.equal(malformed.status, 400);
  assert.equal(malformed.headers.get('x-amzn-errortype'), 'BadRequestException');

  const wrongType = await fetch(`${url}/v2/apis`, {
    method: 'POST',
    body: JSON.stringify({ name: 7, protocolType: 'HTTP' }),
  });
  assert.equal(wrongType.status, 400);
  assert.deepEqual(await wrongType.json(), { message: 'Invalid input: name must be a string.' });

  const unsupported = await fetch(`${url}/v2/apis/abcdefghij/authorizers`);
  assert.equal(unsupported.status, 404);
  assert.equal(unsupported.headers.get('x-amzn-errortype'), 'NotFoundException');

  // The same path on an HTTP API's own host belongs to that API, not to the management API.
  const served = await new Promise<number | undefined>((resolve, reject) => {
    const request = httpRequest(`${url}/v2/apis`, {
      headers: { host: 'abcdefghij.execute-api.us-east-1.localhost:4566' },
    });
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('error', reject);
    request.end();
  });
  assert.equal(served, 418);
});

test('APIs and the directory survive a restart of the service', async (t) => {
  const { client, service, reopen } = await startHttpApis(t);
  const { ApiId: apiId = '' } = await client.send(
    new CreateApiCommand({ Name: 'durable', ProtocolType: 'HTTP', Target: FUNCTION_ARN }),
  );
  await client.send(
    new CreateStageCommand({ ApiId: apiId, StageName: 'beta', StageVariables: { a: 'b' } }),
  );
  await client.send(new CreateDeploymentCommand({ ApiId: apiId, StageName: 'beta' }));

  const restarted = await reopen();
  assert.deepEqual(restarted.stages(apiId), service.stages(apiId));
  assert.equal(restarted.stages(apiId).length, 2);
  assert.deepEqual(restarted.getApi(apiId), service.getApi(apiId));
  assert.deepEqual(
    restarted.getDeployments(apiId, {}).items,
    service.getDeployments(apiId, {}).items,
  );
  await restarted.deleteApi(apiId);
  assert.deepEqual((await reopen()).stages(apiId), []);
});

test('concurrent changes are serialized: one of five identical routes is created', async (t) => {
  const { client, service } = await startHttpApis(t);
  const { ApiId: apiId = '' } = await client.send(
    new CreateApiCommand({ Name: 'race', ProtocolType: 'HTTP', Target: FUNCTION_ARN }),
  );
  // Started in the same turn, so each would validate before any other commits were it not queued.
  const results = await Promise.allSettled(
    Array.from({ length: 5 }, () => service.createRoute(apiId, { routeKey: 'GET /same' })),
  );
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  for (const r of results) {
    if (r.status === 'rejected') {
      assert.equal((r.reason as Error).name, 'ConflictException');
    }
  }
  assert.equal(service.getRoutes(apiId, {}).items.length, 2);
});
