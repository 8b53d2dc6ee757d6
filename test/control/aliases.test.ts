import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import {
  ARN,
  createBody,
  rejectsWith,
  settle,
  snapshot,
  startRegistry,
  type Harness,
} from './helpers.js';

const PRECONDITION =
  'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id';

/** A function `f` with published versions 1 … n (each with a different timeout). */
async function withVersions(t: TestContext, n: number): Promise<Harness> {
  const harness = await startRegistry(t);
  const { registry, clock } = harness;
  await registry.createFunction(createBody('f'));
  await settle(clock);
  for (let i = 1; i <= n; i++) {
    await registry.updateFunctionConfiguration('f', { Timeout: 10 + i });
    await settle(clock);
    await registry.publishVersion('f', {});
  }
  return harness;
}

test('CreateAlias, GetAlias, UpdateAlias, ListAliases, DeleteAlias', async (t) => {
  const { registry } = await withVersions(t, 2);
  const live = await registry.createAlias('f', {
    Name: 'live',
    FunctionVersion: '1',
    Description: 'production',
    RoutingConfig: { AdditionalVersionWeights: { '2': 0.2 } },
  });
  assert.deepEqual(live, {
    AliasArn: `${ARN}:f:live`,
    Name: 'live',
    FunctionVersion: '1',
    Description: 'production',
    RoutingConfig: { AdditionalVersionWeights: { '2': 0.2 } },
    RevisionId: live.RevisionId,
  });
  const plain = await registry.createAlias(`${ARN}:f`, { Name: 'dev', FunctionVersion: '$LATEST' });
  assert.equal(plain.Description, '');
  assert.equal('RoutingConfig' in plain, false);
  const empty = await registry.createAlias('f', {
    Name: 'empty',
    FunctionVersion: '2',
    RoutingConfig: { AdditionalVersionWeights: {} },
  });
  assert.equal('RoutingConfig' in empty, false);
  assert.deepEqual(await registry.getAlias('f', 'live'), live);

  // A partial update keeps what it does not name; RoutingConfig {} clears routing.
  const updated = await registry.updateAlias('f', 'live', {
    RoutingConfig: {},
    RevisionId: live.RevisionId,
  });
  assert.equal(updated.Description, 'production');
  assert.equal('RoutingConfig' in updated, false);
  assert.notEqual(updated.RevisionId, live.RevisionId);
  const moved = await registry.updateAlias('f', 'live', { FunctionVersion: '2' });
  assert.equal(moved.FunctionVersion, '2');

  const list = await registry.listAliases('f', {});
  assert.deepEqual(
    list.Aliases?.map((a) => a.Name),
    ['dev', 'empty', 'live'],
  );
  const onTwo = await registry.listAliases('f', { functionVersion: '2' });
  assert.deepEqual(
    onTwo.Aliases?.map((a) => a.Name),
    ['empty', 'live'],
  );
  const page = await registry.listAliases('f', { maxItems: 2 });
  assert.deepEqual(
    page.Aliases?.map((a) => a.Name),
    ['dev', 'empty'],
  );
  const rest = await registry.listAliases('f', { maxItems: 2, marker: page.NextMarker ?? '' });
  assert.deepEqual(
    rest.Aliases?.map((a) => a.Name),
    ['live'],
  );
  assert.equal(rest.NextMarker, undefined);

  await registry.deleteAlias('f', 'live');
  await registry.deleteAlias('f', 'live');
  await rejectsWith(registry.getAlias('f', 'live'), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Cannot find alias arn: ${ARN}:f:live`,
  });
});

test("CreateAlias's validation, with AWS's texts, changing nothing", async (t) => {
  const { registry, store } = await withVersions(t, 2);
  await registry.createAlias('f', { Name: 'live', FunctionVersion: '1' });
  const before = await snapshot(store);
  const cases: { body: Record<string, unknown>; code: string; status: number; message: string }[] =
    [
      {
        body: { Name: '123', FunctionVersion: '1' },
        code: 'ValidationException',
        status: 400,
        message:
          "1 validation error detected: Value '123' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)",
      },
      {
        body: { FunctionVersion: '1' },
        code: 'ValidationException',
        status: 400,
        message:
          "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
      },
      {
        body: {
          Name: 'a',
          FunctionVersion: '1',
          RoutingConfig: { AdditionalVersionWeights: { '2': 2 } },
        },
        code: 'ValidationException',
        status: 400,
        message:
          "1 validation error detected: Value '{2=2.0}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]",
      },
      {
        body: {
          Name: 'a',
          FunctionVersion: '1',
          RoutingConfig: { AdditionalVersionWeights: { '2': -1 } },
        },
        code: 'ValidationException',
        status: 400,
        message:
          "1 validation error detected: Value '{2=-1.0}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]",
      },
      {
        body: {
          Name: 'a',
          FunctionVersion: '1',
          RoutingConfig: { AdditionalVersionWeights: { $LATEST: 0.5 } },
        },
        code: 'ValidationException',
        status: 400,
        message:
          "1 validation error detected: Value '{$LATEST=0.5}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+, Member must not be null]",
      },
      {
        body: {
          Name: 'a',
          FunctionVersion: '1',
          RoutingConfig: { AdditionalVersionWeights: { '2': 0.1, '3': 0.1 } },
        },
        code: 'InvalidParameterValueException',
        status: 400,
        message: 'Number of items in AdditionalVersionWeights cannot be greater than 1',
      },
      {
        body: {
          Name: 'a',
          FunctionVersion: '1',
          RoutingConfig: { AdditionalVersionWeights: { '1': 0.5 } },
        },
        code: 'InvalidParameterValueException',
        status: 400,
        message:
          'Invalid function version 1. Function version 1 is already included in routing configuration.',
      },
      {
        body: {
          Name: 'a',
          FunctionVersion: '$LATEST',
          RoutingConfig: { AdditionalVersionWeights: { '1': 0.5 } },
        },
        code: 'InvalidParameterValueException',
        status: 400,
        message: '$LATEST is not supported for an alias pointing to more than 1 version',
      },
      {
        body: { Name: 'a', FunctionVersion: '10' },
        code: 'ResourceNotFoundException',
        status: 404,
        message: `Function not found: ${ARN}:f:10`,
      },
      {
        body: {
          Name: 'a',
          FunctionVersion: '1',
          RoutingConfig: { AdditionalVersionWeights: { '10': 0.5 } },
        },
        code: 'ResourceNotFoundException',
        status: 404,
        message: `Function not found: ${ARN}:f:10`,
      },
      {
        body: { Name: 'live', FunctionVersion: '2' },
        code: 'ResourceConflictException',
        status: 409,
        message: `Alias already exists: ${ARN}:f:live`,
      },
    ];
  for (const c of cases) {
    await rejectsWith(registry.createAlias('f', c.body), c);
  }
  await rejectsWith(registry.createAlias('ghost', { Name: 'a', FunctionVersion: '1' }), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:ghost:1`,
  });
  assert.deepEqual(await snapshot(store), before);
  // The bounds themselves are valid weights.
  await registry.createAlias('f', {
    Name: 'all-in',
    FunctionVersion: '1',
    RoutingConfig: { AdditionalVersionWeights: { '2': 1 } },
  });
});

test("UpdateAlias's rules: unknown alias, RevisionId, routing over the effective version", async (t) => {
  const { registry } = await withVersions(t, 2);
  const live = await registry.createAlias('f', {
    Name: 'live',
    FunctionVersion: '1',
    RoutingConfig: { AdditionalVersionWeights: { '2': 0.5 } },
  });
  await rejectsWith(registry.updateAlias('f', 'nope', { FunctionVersion: '1' }), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Alias not found: ${ARN}:f:nope`,
  });
  await rejectsWith(registry.updateAlias('ghost', 'live', {}), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:ghost`,
  });
  await rejectsWith(registry.updateAlias('f', 'live', { RevisionId: 'stale', Description: 'x' }), {
    code: 'PreconditionFailedException',
    status: 412,
    message: PRECONDITION,
  });
  // Moving the primary onto the routed version conflicts with the routing it keeps.
  await rejectsWith(registry.updateAlias('f', 'live', { FunctionVersion: '2' }), {
    code: 'InvalidParameterValueException',
    status: 400,
    message:
      'Invalid function version 2. Function version 2 is already included in routing configuration.',
  });
  await rejectsWith(registry.updateAlias('f', 'live', { FunctionVersion: '$LATEST' }), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: '$LATEST is not supported for an alias pointing to more than 1 version',
  });
  await rejectsWith(registry.updateAlias('f', 'live', { FunctionVersion: '9' }), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:f:9`,
  });
  assert.deepEqual(await registry.getAlias('f', 'live'), live);
  await rejectsWith(registry.getAlias('ghost', 'live'), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:ghost`,
  });
  await rejectsWith(registry.deleteAlias('ghost', 'live'), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:ghost`,
  });
  await rejectsWith(registry.listAliases('ghost', {}), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:ghost`,
  });
  await rejectsWith(registry.getAlias('f', '42'), {
    code: 'ValidationException',
    status: 400,
    message: /at 'name' failed to satisfy constraint/,
  });
});

/** How many of `n` resolutions of `live` ran version 2. */
async function countRouted(harness: Harness, n: number): Promise<number> {
  let routed = 0;
  for (let i = 0; i < n; i++) {
    const v = await harness.registry.resolve('f', 'live');
    if (v.version === '2') {
      routed++;
      assert.equal(v.timeoutSeconds, 12);
    } else {
      assert.equal(v.version, '1');
      assert.equal(v.timeoutSeconds, 11);
    }
  }
  return routed;
}

test('resolve() routes each call by weight, from memory, and a shift applies at once', async (t) => {
  const harness = await withVersions(t, 2);
  const { registry, store } = harness;
  await registry.createAlias('f', {
    Name: 'live',
    FunctionVersion: '1',
    RoutingConfig: { AdditionalVersionWeights: { '2': 0.3 } },
  });
  await registry.resolve('f', 'live');
  let reads = 0;
  const original = store.getAlias.bind(store);
  store.getAlias = (...args) => {
    reads++;
    return original(...args);
  };
  // 2000 draws at p = 0.3: mean 600, standard deviation ≈ 20.5; ±150 is over 7 sigma.
  const routed = await countRouted(harness, 2000);
  assert.ok(routed > 450 && routed < 750, `version 2 ran ${String(routed)} times of 2000`);
  assert.equal(reads, 0, 'no store read per resolve');

  const changes: string[] = [];
  registry.onChange((name) => changes.push(name));
  await registry.updateAlias('f', 'live', {
    RoutingConfig: { AdditionalVersionWeights: { '2': 1 } },
  });
  assert.deepEqual(changes, ['f']);
  assert.equal(await countRouted(harness, 50), 50);
  await registry.updateAlias('f', 'live', {
    RoutingConfig: { AdditionalVersionWeights: { '2': 0 } },
  });
  assert.equal(await countRouted(harness, 50), 0);
  await registry.updateAlias('f', 'live', { FunctionVersion: '2', RoutingConfig: {} });
  assert.equal(await countRouted(harness, 20), 20);
  await registry.deleteAlias('f', 'live');
  await rejectsWith(registry.resolve('f', 'live'), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:f:live`,
  });
});

test('an alias on $LATEST follows $LATEST', async (t) => {
  const { registry, clock } = await withVersions(t, 1);
  await registry.createAlias('f', { Name: 'dev', FunctionVersion: '$LATEST' });
  const before = await registry.resolve('f', 'dev');
  assert.equal(before.version, '$LATEST');
  assert.equal(before.timeoutSeconds, 11);
  await registry.updateFunctionConfiguration('f', { Timeout: 30 });
  await settle(clock);
  assert.equal((await registry.resolve('f', 'dev')).timeoutSeconds, 30);
});
