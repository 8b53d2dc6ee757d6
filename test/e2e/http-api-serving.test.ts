/**
 * HTTP APIs and ALB target groups configured with the API Gateway v2 and ELBv2 SDKs and then
 * requested over plain HTTP, all on one real `fogbank server`: the configuration side and the
 * HTTP front meet only through the directories, and this is where both are checked together.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
  DeleteApiCommand,
} from '@aws-sdk/client-apigatewayv2';
import {
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { createFunction } from '../helpers/functions.js';
import { httpRequest } from '../helpers/http.js';
import { startServer, type RunningServer } from '../helpers/server.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:web';

type Event = Record<string, unknown> & { requestContext: Record<string, unknown> };

describe('HTTP APIs and ALB target groups served by a real server', () => {
  let server: RunningServer;
  let apigw: ApiGatewayV2Client;
  let elbv2: ElasticLoadBalancingV2Client;

  before(async () => {
    server = await startServer();
    const config = {
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    };
    apigw = new ApiGatewayV2Client(config);
    elbv2 = new ElasticLoadBalancingV2Client(config);
    await createFunction(server.lambda(), {
      FunctionName: 'web',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      fixture: 'functions/node-http',
    });
  });
  after(async () => {
    await server.stop();
  });

  it('quick create serves every path through $default with the 2.0 event', async () => {
    const api = await apigw.send(
      new CreateApiCommand({ Name: 'quick', ProtocolType: 'HTTP', Target: FUNCTION_ARN }),
    );
    const endpoint = api.ApiEndpoint!;
    const reply = await httpRequest(`${endpoint}/any/path/echo?a=1&a=2`);
    assert.equal(reply.status, 200, reply.text);
    const event = reply.json() as Event;
    assert.equal(event.version, '2.0');
    assert.equal(event.routeKey, '$default');
    assert.equal(event.rawPath, '/any/path/echo');
    assert.equal(event.rawQueryString, 'a=1&a=2');
    assert.deepEqual(event.queryStringParameters, { a: '1,2' });
    assert.equal(event.requestContext.apiId, api.ApiId);
    assert.equal(event.requestContext.stage, '$default');

    // The path form reaches the same API without DNS.
    const viaPath = await fetch(`${server.url}/execute-api/${api.ApiId!}/x/echo`);
    assert.equal(viaPath.status, 200);
    assert.equal(((await viaPath.json()) as Event).rawPath, '/x/echo');

    await apigw.send(new DeleteApiCommand({ ApiId: api.ApiId }));
    assert.equal((await httpRequest(`${endpoint}/echo`)).status, 404);
  });

  it('routes with path parameters on a named stage deliver the 1.0 event', async () => {
    const api = await apigw.send(new CreateApiCommand({ Name: 'v1', ProtocolType: 'HTTP' }));
    const integration = await apigw.send(
      new CreateIntegrationCommand({
        ApiId: api.ApiId,
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: FUNCTION_ARN,
        PayloadFormatVersion: '1.0',
      }),
    );
    await apigw.send(
      new CreateRouteCommand({
        ApiId: api.ApiId,
        RouteKey: 'GET /items/{id}/echo',
        Target: `integrations/${integration.IntegrationId!}`,
      }),
    );
    await apigw.send(
      new CreateStageCommand({
        ApiId: api.ApiId,
        StageName: 'prod',
        AutoDeploy: true,
        StageVariables: { tier: 'gold' },
      }),
    );
    const base = `${server.url}/execute-api/${api.ApiId!}`;
    const reply = await fetch(`${base}/prod/items/42/echo?verbose=1`, {
      headers: { 'x-multi': 'one' },
    });
    assert.equal(reply.status, 200);
    const event = (await reply.json()) as Event;
    assert.equal(event.version, '1.0');
    assert.equal(event.resource, '/items/{id}/echo');
    // HTTP APIs (unlike REST APIs) keep a named stage's segment in the path.
    assert.equal(event.path, '/prod/items/42/echo');
    assert.equal(event.httpMethod, 'GET');
    assert.deepEqual(event.pathParameters, { id: '42' });
    assert.deepEqual(event.stageVariables, { tier: 'gold' });
    assert.deepEqual(event.queryStringParameters, { verbose: '1' });
    assert.deepEqual(event.multiValueQueryStringParameters, { verbose: ['1'] });
    assert.equal(event.requestContext.stage, 'prod');
    assert.equal(event.requestContext.resourcePath, '/items/{id}/echo');

    assert.equal((await fetch(`${base}/prod/items/42/throw`)).status, 404, 'no such route');
    assert.equal((await fetch(`${base}/prod/other`)).status, 404);
  });

  it('an ALB target group delivers single- or multi-value events by its attribute', async () => {
    const created = await elbv2.send(
      new CreateTargetGroupCommand({ Name: 'tg-web', TargetType: 'lambda' }),
    );
    const arn = created.TargetGroups![0]!.TargetGroupArn!;
    await elbv2.send(
      new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: FUNCTION_ARN }] }),
    );
    const url = `${server.url}/alb/tg-web/echo?name=foo&name=bar`;

    const single = (await (await fetch(url)).json()) as Event;
    assert.deepEqual(single.requestContext, { elb: { targetGroupArn: arn } });
    assert.equal(single.httpMethod, 'GET');
    assert.equal(single.path, '/echo');
    assert.deepEqual(single.queryStringParameters, { name: 'bar' });
    assert.equal(single.multiValueQueryStringParameters, undefined);

    await elbv2.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: arn,
        Attributes: [{ Key: 'lambda.multi_value_headers.enabled', Value: 'true' }],
      }),
    );
    const multi = (await (await fetch(url)).json()) as Event;
    assert.deepEqual(multi.multiValueQueryStringParameters, { name: ['foo', 'bar'] });
    assert.equal(multi.queryStringParameters, undefined);
    assert.ok(Array.isArray((multi.multiValueHeaders as Record<string, unknown>).host));

    assert.equal((await fetch(`${server.url}/alb/tg-web/throw`)).status, 502);
  });
});
