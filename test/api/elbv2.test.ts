/**
 * The ELBv2 target group API in process: the real handler and TargetGroupService over a real
 * SQLite file, a real ElasticLoadBalancingV2Client. Which functions exist is a set here (the
 * Lambda registry is not the part under test).
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import {
  AddTagsCommand,
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTagsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
  RemoveTagsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { createElbv2HttpHandler, isElbv2QueryBody } from '../../src/api/elbv2/index.js';
import { ManualClock } from '../../src/core/clock.js';
import { TargetGroupService } from '../../src/control/target-groups/index.js';
import { migrate } from '../../src/store/sqlite/migrations.js';
import {
  SqliteTargetGroupStore,
  TARGET_GROUPS_MIGRATION,
} from '../../src/store/sqlite/target-group-tables.js';
import {
  openDatabase,
  rejection,
  serveWithClient,
  serviceRoute,
  tempDir,
} from '../events/helpers.js';
import { CTX, FUNCTION_ARN } from './apigatewayv2-harness.js';

const OTHER_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:other';

async function startTargetGroups(t: TestContext) {
  const dir = tempDir(t, 'fogbank-elbv2-');
  const db = openDatabase(dir, (d) => {
    migrate(d, [TARGET_GROUPS_MIGRATION], 0);
  });
  t.after(() => db.close());
  const functions = new Set([FUNCTION_ARN, `${FUNCTION_ARN}:live`, OTHER_ARN]);
  const clock = new ManualClock();
  const create = async (): Promise<TargetGroupService> => {
    const service = new TargetGroupService({
      store: new SqliteTargetGroupStore(db),
      ctx: CTX,
      clock,
      functionExists: (arn) => Promise.resolve(functions.has(arn)),
    });
    await service.start();
    return service;
  };
  const service = await create();
  const handler = createElbv2HttpHandler(service);
  const { url, client } = await serveWithClient(
    t,
    serviceRoute(handler),
    (config) => new ElasticLoadBalancingV2Client(config),
    CTX.region,
  );
  return { url, client, service, functions, clock, reopen: create };
}

test('a lambda target group: create (idempotent), describe, register, health, attributes, deregister, delete', async (t) => {
  const { client, service, functions, clock } = await startTargetGroups(t);
  const created = await client.send(
    new CreateTargetGroupCommand({
      Name: 'orders-tg',
      TargetType: 'lambda',
      Tags: [{ Key: 'team', Value: 'payments' }],
    }),
  );
  const group = created.TargetGroups?.[0];
  const arn = group?.TargetGroupArn ?? '';
  assert.match(
    arn,
    /^arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup\/orders-tg\/[0-9a-f]{16}$/,
  );
  assert.equal(group?.TargetType, 'lambda');
  assert.equal(group.HealthCheckEnabled, false);
  assert.deepEqual(group.LoadBalancerArns, []);
  assert.equal(service.targetGroup('orders-tg')?.functionArn, undefined);

  const again = await client.send(
    new CreateTargetGroupCommand({ Name: 'orders-tg', TargetType: 'lambda' }),
  );
  assert.equal(again.TargetGroups?.[0]?.TargetGroupArn, arn);

  clock.advance(1000);
  await client.send(
    new CreateTargetGroupCommand({
      Name: 'checked',
      TargetType: 'lambda',
      HealthCheckEnabled: true,
    }),
  );
  const all = await client.send(new DescribeTargetGroupsCommand({}));
  assert.deepEqual(
    all.TargetGroups?.map((g) => g.TargetGroupName),
    ['orders-tg', 'checked'],
  );
  const paged = await client.send(new DescribeTargetGroupsCommand({ PageSize: 1 }));
  assert.equal(paged.TargetGroups?.length, 1);
  const rest = await client.send(
    new DescribeTargetGroupsCommand({ PageSize: 1, Marker: paged.NextMarker }),
  );
  assert.equal(rest.TargetGroups?.[0]?.TargetGroupName, 'checked');
  assert.equal(rest.NextMarker, undefined);
  const byName = await client.send(new DescribeTargetGroupsCommand({ Names: ['orders-tg'] }));
  assert.equal(byName.TargetGroups?.[0]?.TargetGroupArn, arn);

  await client.send(
    new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: `${FUNCTION_ARN}:live` }] }),
  );
  assert.deepEqual(service.targetGroup('orders-tg'), {
    targetGroupArn: arn,
    name: 'orders-tg',
    functionArn: `${FUNCTION_ARN}:live`,
    multiValueHeaders: false,
  });
  const health = await client.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
  assert.deepEqual(health.TargetHealthDescriptions, [
    {
      Target: { Id: `${FUNCTION_ARN}:live` },
      TargetHealth: {
        State: 'unavailable',
        Reason: 'Target.HealthCheckDisabled',
        Description: 'Health checks are disabled',
      },
    },
  ]);

  const checked = service.describeTargetGroups({
    targetGroupArns: [],
    names: ['checked'],
    loadBalancerArn: undefined,
    marker: undefined,
    pageSize: undefined,
  }).groups[0];
  await client.send(
    new RegisterTargetsCommand({
      TargetGroupArn: checked?.targetGroupArn,
      Targets: [{ Id: OTHER_ARN }],
    }),
  );
  const healthy = await client.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: checked?.targetGroupArn }),
  );
  assert.equal(healthy.TargetHealthDescriptions?.[0]?.TargetHealth?.State, 'healthy');
  functions.delete(OTHER_ARN);
  const unhealthy = await client.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: checked?.targetGroupArn }),
  );
  assert.equal(unhealthy.TargetHealthDescriptions?.[0]?.TargetHealth?.State, 'unhealthy');

  const modified = await client.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: arn,
      Attributes: [{ Key: 'lambda.multi_value_headers.enabled', Value: 'true' }],
    }),
  );
  assert.deepEqual(modified.Attributes, [
    { Key: 'lambda.multi_value_headers.enabled', Value: 'true' },
  ]);
  const attributes = await client.send(
    new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }),
  );
  assert.deepEqual(attributes.Attributes, modified.Attributes);
  assert.equal(service.targetGroup('orders-tg')?.multiValueHeaders, true);

  await client.send(
    new DeregisterTargetsCommand({
      TargetGroupArn: arn,
      Targets: [{ Id: `${FUNCTION_ARN}:live` }],
    }),
  );
  assert.equal(service.targetGroup('orders-tg')?.functionArn, undefined);
  const none = await client.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
  assert.deepEqual(none.TargetHealthDescriptions, []);

  await client.send(
    new AddTagsCommand({
      ResourceArns: [arn],
      Tags: [
        { Key: 'team', Value: 'orders' },
        { Key: 'env', Value: 'dev' },
      ],
    }),
  );
  await client.send(new RemoveTagsCommand({ ResourceArns: [arn], TagKeys: ['env'] }));
  const tags = await client.send(new DescribeTagsCommand({ ResourceArns: [arn] }));
  assert.deepEqual(tags.TagDescriptions, [
    { ResourceArn: arn, Tags: [{ Key: 'team', Value: 'orders' }] },
  ]);

  await client.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn }));
  assert.equal(service.targetGroup('orders-tg'), undefined);
});

test('bad input gets ELBv2 errors and changes nothing', async (t) => {
  const { client, service } = await startTargetGroups(t);
  const arn =
    (await client.send(new CreateTargetGroupCommand({ Name: 'tg', TargetType: 'lambda' })))
      .TargetGroups?.[0]?.TargetGroupArn ?? '';
  await client.send(
    new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: FUNCTION_ARN }] }),
  );
  const before = service.targetGroup('tg');

  const expect = async (promise: Promise<unknown>, name: string, message?: RegExp) => {
    const error = await rejection(promise);
    assert.equal(error.name, name, error.message);
    assert.equal((error.$metadata as { httpStatusCode?: number }).httpStatusCode, 400);
    if (message !== undefined) {
      assert.match(error.message, message);
    }
  };
  await expect(
    client.send(
      new CreateTargetGroupCommand({
        Name: 'web',
        TargetType: 'instance',
        Protocol: 'HTTP',
        Port: 80,
        VpcId: 'vpc-1',
      }),
    ),
    'ValidationError',
    /lambda/,
  );
  await expect(
    client.send(new CreateTargetGroupCommand({ Name: 'web', TargetType: 'lambda', Port: 80 })),
    'ValidationError',
  );
  await expect(
    client.send(new CreateTargetGroupCommand({ Name: '-bad-', TargetType: 'lambda' })),
    'ValidationError',
  );
  await expect(
    client.send(
      new CreateTargetGroupCommand({ Name: 'tg', TargetType: 'lambda', HealthCheckEnabled: true }),
    ),
    'DuplicateTargetGroupNameException',
  );
  await expect(
    client.send(new DescribeTargetGroupsCommand({ Names: ['tg', 'nope'] })),
    'TargetGroupNotFoundException',
  );
  await expect(
    client.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: OTHER_ARN }] })),
    'TooManyTargetsException',
  );
  await expect(
    client.send(
      new RegisterTargetsCommand({
        TargetGroupArn: `${arn.slice(0, -1)}${arn.endsWith('0') ? '1' : '0'}`,
        Targets: [{ Id: FUNCTION_ARN }],
      }),
    ),
    'TargetGroupNotFoundException',
  );
  await expect(
    client.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: 'i-123' }] })),
    'InvalidTargetException',
  );
  await expect(
    client.send(
      new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: OTHER_ARN }] }),
    ),
    'InvalidTargetException',
  );
  await expect(
    client.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: arn,
        Attributes: [{ Key: 'stickiness.enabled', Value: 'true' }],
      }),
    ),
    'ValidationError',
  );
  await expect(
    client.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: arn,
        Attributes: [{ Key: 'lambda.multi_value_headers.enabled', Value: 'yes' }],
      }),
    ),
    'ValidationError',
  );
  assert.deepEqual(service.targetGroup('tg'), before);
  assert.equal((await client.send(new DescribeTargetGroupsCommand({}))).TargetGroups?.length, 1);
});

test('target groups survive a restart; unsigned query bodies are recognised by their Version', async (t) => {
  const { client, service, reopen } = await startTargetGroups(t);
  const arn =
    (await client.send(new CreateTargetGroupCommand({ Name: 'kept', TargetType: 'lambda' })))
      .TargetGroups?.[0]?.TargetGroupArn ?? '';
  await client.send(
    new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: FUNCTION_ARN }] }),
  );
  await client.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: arn,
      Attributes: [{ Key: 'lambda.multi_value_headers.enabled', Value: 'true' }],
    }),
  );
  const restarted = await reopen();
  assert.deepEqual(restarted.targetGroup('kept'), service.targetGroup('kept'));
  assert.equal(restarted.targetGroup('kept')?.multiValueHeaders, true);

  assert.equal(
    isElbv2QueryBody(Buffer.from('Action=DescribeTargetGroups&Version=2015-12-01')),
    true,
  );
  assert.equal(isElbv2QueryBody(Buffer.from('Action=Publish&Version=2010-03-31')), false);
});

test('errors on the wire are query-protocol XML', async (t) => {
  const { url } = await startTargetGroups(t);
  const response = await fetch(
    `${url}/?Action=DescribeTargetGroups&Version=2015-12-01&Names.member.1=x`,
  );
  assert.equal(response.status, 400);
  const xml = await response.text();
  assert.match(
    xml,
    /^<ErrorResponse xmlns="http:\/\/elasticloadbalancing\.amazonaws\.com\/doc\/2015-12-01\/">/,
  );
  assert.match(xml, /<Type>Sender<\/Type><Code>TargetGroupNotFound<\/Code>/);
  const unknown = await fetch(`${url}/?Action=CreateLoadBalancer&Version=2015-12-01`);
  assert.match(await unknown.text(), /<Code>InvalidAction<\/Code>/);
});

test('concurrent creates of one name make one target group', async (t) => {
  const { client, service } = await startTargetGroups(t);
  // Started in the same turn, so each would find no group were they not queued.
  const created = await Promise.all(
    Array.from({ length: 5 }, () =>
      service.createTargetGroup({
        name: 'once',
        targetType: 'lambda',
        protocol: undefined,
        port: undefined,
        vpcId: undefined,
        healthCheckEnabled: undefined,
        tags: [],
      }),
    ),
  );
  assert.equal(new Set(created.map((c) => c.targetGroupArn)).size, 1);
  assert.equal((await client.send(new DescribeTargetGroupsCommand({}))).TargetGroups?.length, 1);
});
