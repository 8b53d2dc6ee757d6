/**
 * API Gateway v2 and ELBv2 target groups through a real `fogbank server`, driven by the AWS SDK
 * and the AWS CLI v2 on the shared port, and kept across a restart.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  ApiGatewayV2Client,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
  GetApiCommand,
  GetRoutesCommand,
  GetStageCommand,
} from '@aws-sdk/client-apigatewayv2';
import {
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { aws, awsCliMissing } from '../helpers/aws-cli.js';
import { createFunction } from '../helpers/functions.js';
import { startServer, type RunningServer } from '../helpers/server.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:web';

function clients(server: RunningServer) {
  const config = {
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
  return {
    apigw: new ApiGatewayV2Client(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
  };
}

test(
  'HTTP APIs and Lambda target groups from the AWS CLI and SDK, kept across a restart',
  { skip: awsCliMissing },
  async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fogbank-apigw-e2e-'));
    t.after(() => rm(dataDir, { recursive: true, force: true }));
    let server = await startServer({ dataDir });
    t.after(() => server.stop());
    const cli = (...args: string[]) => aws(server.url, args);
    const cliJson = async (...args: string[]): Promise<Record<string, unknown>> => {
      const result = await cli(...args);
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout) as Record<string, unknown>;
    };
    await createFunction(server.lambda(), {
      FunctionName: 'web',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      fixture: 'functions/node-cjs',
    });

    // Quick create from the CLI.
    const api = await cliJson(
      'apigatewayv2',
      'create-api',
      '--name',
      'web-api',
      '--protocol-type',
      'HTTP',
      '--target',
      FUNCTION_ARN,
      '--tags',
      'stage=test',
    );
    const apiId = String(api.ApiId);
    assert.match(apiId, /^[a-z0-9]{10}$/);
    const port = new URL(server.url).port;
    assert.equal(api.ApiEndpoint, `http://${apiId}.execute-api.us-east-1.localhost:${port}`);
    assert.deepEqual(api.Tags, { stage: 'test' });
    const apiArn = `arn:aws:apigateway:us-east-1::/apis/${apiId}`;
    const tagged = await cli(
      'apigatewayv2',
      'tag-resource',
      '--resource-arn',
      apiArn,
      '--tags',
      'owner=me',
    );
    assert.equal(tagged.code, 0, tagged.stderr);
    const tags = await cliJson('apigatewayv2', 'get-tags', '--resource-arn', apiArn);
    assert.deepEqual(tags.Tags, { stage: 'test', owner: 'me' });
    const routes = await cliJson('apigatewayv2', 'get-routes', '--api-id', apiId);
    assert.deepEqual(
      (routes.Items as { RouteKey: string }[]).map((r) => r.RouteKey),
      ['$default'],
    );
    const stages = await cliJson('apigatewayv2', 'get-stages', '--api-id', apiId);
    assert.deepEqual(stages.Items, [
      {
        ApiGatewayManaged: true,
        AutoDeploy: true,
        CreatedDate: (stages.Items as { CreatedDate: string }[])[0]?.CreatedDate,
        LastUpdatedDate: (stages.Items as { LastUpdatedDate: string }[])[0]?.LastUpdatedDate,
        StageName: '$default',
        StageVariables: {},
        Tags: {},
      },
    ]);

    // The CLI sees API Gateway's errors.
    const badKey = await cli(
      'apigatewayv2',
      'create-route',
      '--api-id',
      apiId,
      '--route-key',
      'FETCH /x',
    );
    assert.notEqual(badKey.code, 0);
    assert.match(badKey.stderr, /BadRequestException/);
    const unknown = await cli('apigatewayv2', 'get-api', '--api-id', 'abcdefghij');
    assert.match(unknown.stderr, /NotFoundException.*Invalid API identifier/);
    const websocket = await cli(
      'apigatewayv2',
      'create-api',
      '--name',
      'ws',
      '--protocol-type',
      'WEBSOCKET',
      '--route-selection-expression',
      '$request.body.action',
    );
    assert.match(websocket.stderr, /BadRequestException.*WEBSOCKET/);

    // The SDK adds an integration, a route and a stage.
    const { apigw, elbv2 } = clients(server);
    const integration = await apigw.send(
      new CreateIntegrationCommand({
        ApiId: apiId,
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: FUNCTION_ARN,
        PayloadFormatVersion: '1.0',
      }),
    );
    await apigw.send(
      new CreateRouteCommand({
        ApiId: apiId,
        RouteKey: 'GET /items/{id}',
        Target: `integrations/${integration.IntegrationId ?? ''}`,
      }),
    );
    await apigw.send(
      new CreateStageCommand({ ApiId: apiId, StageName: 'prod', StageVariables: { env: 'prod' } }),
    );
    // The Lambda API on the same port is untouched.
    const functions = await server.lambda().send(new ListFunctionsCommand({}));
    assert.deepEqual(
      functions.Functions?.map((f) => f.FunctionName),
      ['web'],
    );

    // ELBv2 from the CLI: the command line from the README.
    const created = await cliJson(
      'elbv2',
      'create-target-group',
      '--name',
      'tg',
      '--target-type',
      'lambda',
    );
    const targetGroupArn = String(
      (created.TargetGroups as { TargetGroupArn: string }[])[0]?.TargetGroupArn,
    );
    assert.match(targetGroupArn, /:targetgroup\/tg\/[0-9a-f]{16}$/);
    const registered = await cli(
      'elbv2',
      'register-targets',
      '--target-group-arn',
      targetGroupArn,
      '--targets',
      `Id=${FUNCTION_ARN}`,
    );
    assert.equal(registered.code, 0, registered.stderr);
    const missing = await cli(
      'elbv2',
      'register-targets',
      '--target-group-arn',
      targetGroupArn,
      '--targets',
      'Id=arn:aws:lambda:us-east-1:000000000000:function:absent',
    );
    assert.match(missing.stderr, /TooManyTargets/);
    const health = await cliJson(
      'elbv2',
      'describe-target-health',
      '--target-group-arn',
      targetGroupArn,
    );
    assert.deepEqual(health.TargetHealthDescriptions, [
      {
        Target: { Id: FUNCTION_ARN },
        TargetHealth: {
          State: 'unavailable',
          Reason: 'Target.HealthCheckDisabled',
          Description: 'Health checks are disabled',
        },
      },
    ]);
    await cliJson(
      'elbv2',
      'modify-target-group-attributes',
      '--target-group-arn',
      targetGroupArn,
      '--attributes',
      'Key=lambda.multi_value_headers.enabled,Value=true',
    );
    const addTags = await cli(
      'elbv2',
      'add-tags',
      '--resource-arns',
      targetGroupArn,
      '--tags',
      'Key=app,Value=web',
    );
    assert.equal(addTags.code, 0, addTags.stderr);
    const tgTags = await cliJson('elbv2', 'describe-tags', '--resource-arns', targetGroupArn);
    assert.deepEqual(tgTags.TagDescriptions, [
      { ResourceArn: targetGroupArn, Tags: [{ Key: 'app', Value: 'web' }] },
    ]);
    const instance = await cli(
      'elbv2',
      'create-target-group',
      '--name',
      'web',
      '--target-type',
      'instance',
      '--protocol',
      'HTTP',
      '--port',
      '80',
      '--vpc-id',
      'vpc-1',
    );
    assert.match(instance.stderr, /ValidationError.*lambda/);
    // An unsigned query body reaches ELBv2 by its Version, not SQS.
    const unsigned = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=DescribeTargetGroups&Version=2015-12-01&Names.member.1=tg',
    });
    assert.equal(unsigned.status, 200);
    assert.match(await unsigned.text(), /<TargetGroupName>tg<\/TargetGroupName>/);
    apigw.destroy();
    elbv2.destroy();

    // Everything is still there after a restart.
    assert.equal(await server.stop(), 0);
    server = await startServer({ dataDir });
    const after = clients(server);
    t.after(() => {
      after.apigw.destroy();
      after.elbv2.destroy();
    });
    const kept = await after.apigw.send(new GetApiCommand({ ApiId: apiId }));
    assert.equal(kept.Name, 'web-api');
    assert.equal(
      kept.ApiEndpoint,
      `http://${apiId}.execute-api.us-east-1.localhost:${new URL(server.url).port}`,
    );
    const keptRoutes = await after.apigw.send(new GetRoutesCommand({ ApiId: apiId }));
    assert.deepEqual(keptRoutes.Items?.map((r) => r.RouteKey).sort(), [
      '$default',
      'GET /items/{id}',
    ]);
    const prod = await after.apigw.send(new GetStageCommand({ ApiId: apiId, StageName: 'prod' }));
    assert.deepEqual(prod.StageVariables, { env: 'prod' });
    const groups = await after.elbv2.send(new DescribeTargetGroupsCommand({ Names: ['tg'] }));
    assert.equal(groups.TargetGroups?.[0]?.TargetGroupArn, targetGroupArn);
    const attributes = await after.elbv2.send(
      new DescribeTargetGroupAttributesCommand({ TargetGroupArn: targetGroupArn }),
    );
    assert.deepEqual(attributes.Attributes, [
      { Key: 'lambda.multi_value_headers.enabled', Value: 'true' },
    ]);
  },
);
