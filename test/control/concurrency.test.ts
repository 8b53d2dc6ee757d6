import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { ARN, createBody, rejectsWith, settle, startRegistry, type Harness } from './helpers.js';

const FUNCTION_ONLY =
  'This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.';
const BELOW_MINIMUM =
  "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].";

async function withFunctions(
  t: TestContext,
  names: readonly string[],
  accountConcurrency = 1000,
): Promise<Harness> {
  const harness = await startRegistry(t, { accountConcurrency });
  for (const name of names) {
    await harness.registry.createFunction(createBody(name));
  }
  await settle(harness.clock);
  return harness;
}

test('Put/Get/DeleteFunctionConcurrency, GetFunction and GetAccountSettings agree', async (t) => {
  const { registry } = await withFunctions(t, ['a', 'b']);
  assert.deepEqual(await registry.getFunctionConcurrency('a'), {});
  assert.equal(registry.totalReservedConcurrency(), 0);
  assert.deepEqual(
    await registry.putFunctionConcurrency('a', { ReservedConcurrentExecutions: 300 }),
    {
      ReservedConcurrentExecutions: 300,
    },
  );
  await registry.putFunctionConcurrency(`${ARN}:b`, { ReservedConcurrentExecutions: 0 });
  assert.deepEqual(await registry.getFunctionConcurrency('a'), {
    ReservedConcurrentExecutions: 300,
  });
  assert.deepEqual(await registry.getFunctionConcurrency('b'), { ReservedConcurrentExecutions: 0 });
  assert.deepEqual((await registry.getFunction('a')).Concurrency, {
    ReservedConcurrentExecutions: 300,
  });
  assert.equal(registry.totalReservedConcurrency(), 300);
  assert.equal(
    (await registry.getAccountSettings()).AccountLimit.UnreservedConcurrentExecutions,
    700,
  );
  assert.equal((await registry.resolve('a', undefined)).reservedConcurrency, 300);
  assert.equal((await registry.resolve('b', undefined)).reservedConcurrency, 0);
  // Changing a reservation replaces it (it does not add to the others).
  await registry.putFunctionConcurrency('a', { ReservedConcurrentExecutions: 900 });
  assert.equal(registry.totalReservedConcurrency(), 900);
  assert.equal((await registry.resolve('a', undefined)).reservedConcurrency, 900);
  await registry.deleteFunctionConcurrency('a');
  assert.deepEqual(await registry.getFunctionConcurrency('a'), {});
  assert.equal('Concurrency' in (await registry.getFunction('a')), false);
  assert.equal((await registry.resolve('a', undefined)).reservedConcurrency, undefined);
  assert.equal(registry.totalReservedConcurrency(), 0);
  // Deleting a function frees its reservation.
  await registry.putFunctionConcurrency('b', { ReservedConcurrentExecutions: 50 });
  await registry.deleteFunction('b');
  assert.equal(registry.totalReservedConcurrency(), 0);
  assert.equal(
    (await registry.getAccountSettings()).AccountLimit.UnreservedConcurrentExecutions,
    1000,
  );
});

test("reserved concurrency rules, with AWS's texts", async (t) => {
  const { registry, restart } = await withFunctions(t, ['a', 'b'], 500);
  await registry.putFunctionConcurrency('a', { ReservedConcurrentExecutions: 400 });
  await rejectsWith(registry.putFunctionConcurrency('b', { ReservedConcurrentExecutions: 1 }), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: BELOW_MINIMUM,
  });
  await rejectsWith(registry.putFunctionConcurrency('a', { ReservedConcurrentExecutions: 401 }), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: BELOW_MINIMUM,
  });
  await registry.putFunctionConcurrency('a', { ReservedConcurrentExecutions: 399 });
  await registry.putFunctionConcurrency('b', { ReservedConcurrentExecutions: 1 });
  await rejectsWith(registry.putFunctionConcurrency('a', { ReservedConcurrentExecutions: -1 }), {
    code: 'ValidationException',
    status: 400,
    message:
      "1 validation error detected: Value '-1' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0",
  });
  await rejectsWith(registry.putFunctionConcurrency('a', {}), {
    code: 'ValidationException',
    status: 400,
    message:
      "1 validation error detected: Value null at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must not be null",
  });
  for (const name of ['a:1', 'a:$LATEST', `${ARN}:a:live`]) {
    await rejectsWith(registry.putFunctionConcurrency(name, { ReservedConcurrentExecutions: 1 }), {
      code: 'InvalidParameterValueException',
      status: 400,
      message: FUNCTION_ONLY,
    });
  }
  await rejectsWith(registry.putFunctionConcurrency('ghost', { ReservedConcurrentExecutions: 1 }), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:ghost:$LATEST`,
  });
  await rejectsWith(registry.getFunctionConcurrency('ghost'), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:ghost`,
  });
  await rejectsWith(registry.deleteFunctionConcurrency('ghost'), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:ghost`,
  });
  await registry.stop();
  const second = await restart();
  assert.equal(second.totalReservedConcurrency(), 400);
});

/** `f` with published versions 1 and 2 and an alias `live` on version 1. */
async function withProvisioning(t: TestContext): Promise<Harness> {
  const harness = await withFunctions(t, ['f']);
  const { registry, clock } = harness;
  await registry.publishVersion('f', {});
  await registry.updateFunctionConfiguration('f', { Timeout: 9 });
  await settle(clock);
  await registry.publishVersion('f', {});
  await registry.createAlias('f', { Name: 'live', FunctionVersion: '1' });
  return harness;
}

test('provisioned concurrency configs: put (IN_PROGRESS), get, list, delete', async (t) => {
  const { registry, clock } = await withProvisioning(t);
  const put = await registry.putProvisionedConcurrencyConfig('f', '2', {
    ProvisionedConcurrentExecutions: 3,
  });
  assert.deepEqual(put, {
    RequestedProvisionedConcurrentExecutions: 3,
    AvailableProvisionedConcurrentExecutions: 0,
    AllocatedProvisionedConcurrentExecutions: 0,
    Status: 'IN_PROGRESS',
    LastModified: new Date(clock.now()).toISOString().replace('Z', '+0000'),
  });
  assert.deepEqual(await registry.getProvisionedConcurrencyConfig('f', '2'), put);
  await registry.putProvisionedConcurrencyConfig('f:live', undefined, {
    ProvisionedConcurrentExecutions: 2,
  });
  const list = await registry.listProvisionedConcurrencyConfigs('f', {});
  assert.deepEqual(
    list.ProvisionedConcurrencyConfigs?.map((c) => [
      c.FunctionArn,
      c.RequestedProvisionedConcurrentExecutions,
    ]),
    [
      [`${ARN}:f:2`, 3],
      [`${ARN}:f:live`, 2],
    ],
  );
  const page = await registry.listProvisionedConcurrencyConfigs('f', { maxItems: 1 });
  assert.equal(page.ProvisionedConcurrencyConfigs?.length, 1);
  const next = await registry.listProvisionedConcurrencyConfigs('f', {
    maxItems: 1,
    marker: page.NextMarker ?? '',
  });
  assert.equal(next.ProvisionedConcurrencyConfigs?.[0]?.FunctionArn, `${ARN}:f:live`);
  await registry.deleteProvisionedConcurrencyConfig('f', '2');
  await registry.deleteProvisionedConcurrencyConfig('f', '2');
  await rejectsWith(registry.getProvisionedConcurrencyConfig('f', '2'), {
    code: 'ProvisionedConcurrencyConfigNotFoundException',
    status: 404,
    message: 'No Provisioned Concurrency Config found for this function',
  });
  // Deleting the alias deletes its config.
  await registry.deleteAlias('f', 'live');
  assert.deepEqual(await registry.listProvisionedConcurrencyConfigs('f', {}), {
    ProvisionedConcurrencyConfigs: [],
  });
});

test("provisioned concurrency rules, with AWS's texts", async (t) => {
  const { registry } = await withProvisioning(t);
  const latestPut =
    'Provisioned Concurrency Configs cannot be applied to unpublished function versions.';
  const latestOther = 'The function resource provided must be an alias or a published version.';
  const body = { ProvisionedConcurrentExecutions: 1 };
  await rejectsWith(registry.putProvisionedConcurrencyConfig('f', '$LATEST', body), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: latestPut,
  });
  await rejectsWith(registry.getProvisionedConcurrencyConfig('f', '$LATEST'), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: latestOther,
  });
  await rejectsWith(registry.deleteProvisionedConcurrencyConfig('f', '$LATEST'), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: latestOther,
  });
  await rejectsWith(
    registry.putProvisionedConcurrencyConfig('f', '1', { ProvisionedConcurrentExecutions: 0 }),
    {
      code: 'ValidationException',
      status: 400,
      message:
        "1 validation error detected: Value '0' at 'provisionedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 1",
    },
  );
  await rejectsWith(registry.putProvisionedConcurrencyConfig('f', undefined, body), {
    code: 'ValidationException',
    status: 400,
    message:
      "1 validation error detected: Value null at 'qualifier' failed to satisfy constraint: Member must not be null",
  });
  for (const op of [
    () => registry.putProvisionedConcurrencyConfig('f', 'noalias', body),
    () => registry.getProvisionedConcurrencyConfig('f', 'noalias'),
    () => registry.deleteProvisionedConcurrencyConfig('f', 'noalias'),
  ]) {
    await rejectsWith(op(), {
      code: 'ResourceNotFoundException',
      status: 404,
      message: `Cannot find alias arn: ${ARN}:f:noalias`,
    });
  }
  await rejectsWith(registry.getProvisionedConcurrencyConfig('ghost', 'noalias'), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Cannot find alias arn: ${ARN}:ghost:noalias`,
  });
  await rejectsWith(registry.putProvisionedConcurrencyConfig('f', '10', body), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:f:10`,
  });
  await rejectsWith(registry.listProvisionedConcurrencyConfigs('ghost', {}), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:ghost`,
  });
  // One config per version: an alias config and a version config may not overlap.
  await registry.putProvisionedConcurrencyConfig('f', '1', body);
  await rejectsWith(registry.putProvisionedConcurrencyConfig('f', 'live', body), {
    code: 'ResourceConflictException',
    status: 409,
    message:
      "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version",
  });
  await registry.deleteProvisionedConcurrencyConfig('f', '1');
  await registry.putProvisionedConcurrencyConfig('f', 'live', body);
  await rejectsWith(registry.putProvisionedConcurrencyConfig('f', '1', body), {
    code: 'ResourceConflictException',
    status: 409,
    message: 'Version is pointed by a Provisioned Concurrency alias',
  });
  // Requested may not exceed the reservation; a reservation may not undercut what is provisioned.
  await registry.putFunctionConcurrency('f', { ReservedConcurrentExecutions: 3 });
  await rejectsWith(
    registry.putProvisionedConcurrencyConfig('f', '2', { ProvisionedConcurrentExecutions: 3 }),
    {
      code: 'InvalidParameterValueException',
      status: 400,
      message:
        'Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function',
    },
  );
  await rejectsWith(registry.putFunctionConcurrency('f', { ReservedConcurrentExecutions: 0 }), {
    code: 'InvalidParameterValueException',
    status: 400,
    message:
      " ReservedConcurrentExecutions  0 should not be lower than function's total provisioned concurrency [1].",
  });
  await registry.deleteFunctionConcurrency('f');
  await rejectsWith(
    registry.putProvisionedConcurrencyConfig('f', '2', { ProvisionedConcurrentExecutions: 900 }),
    {
      code: 'InvalidParameterValueException',
      status: 400,
      message:
        "Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].",
    },
  );
});

test('the pool hears of configs, reports readiness, and follows aliases and deletions', async (t) => {
  const { registry, restart } = await withProvisioning(t);
  await registry.putProvisionedConcurrencyConfig('f', '2', { ProvisionedConcurrentExecutions: 2 });
  const heard: [string, string, number][] = [];
  registry.onProvisionedConcurrencyChange((name, version, count) =>
    heard.push([name, version, count]),
  );
  // A listener first hears of what exists.
  assert.deepEqual(heard, [['f', '2', 2]]);
  await registry.putProvisionedConcurrencyConfig('f', 'live', {
    ProvisionedConcurrentExecutions: 4,
  });
  assert.deepEqual(heard.at(-1), ['f', '1', 4]);
  // The pool reports by version; the alias config it warms is updated.
  assert.equal(
    await registry.setProvisionedConcurrencyStatus('f', '1', {
      allocated: 4,
      available: 4,
      status: 'READY',
    }),
    true,
  );
  const ready = await registry.getProvisionedConcurrencyConfig('f', 'live');
  assert.equal(ready.Status, 'READY');
  assert.equal(ready.AllocatedProvisionedConcurrentExecutions, 4);
  assert.equal(ready.AvailableProvisionedConcurrentExecutions, 4);
  await registry.setProvisionedConcurrencyStatus('f', '2', {
    allocated: 1,
    available: 0,
    status: 'FAILED',
    statusReason: 'FUNCTION_ERROR_INIT_FAILURE',
  });
  const failed = await registry.getProvisionedConcurrencyConfig('f', '2');
  assert.equal(failed.Status, 'FAILED');
  assert.equal(failed.StatusReason, 'FUNCTION_ERROR_INIT_FAILURE');
  assert.equal(
    await registry.setProvisionedConcurrencyStatus('f', '7', {
      allocated: 0,
      available: 0,
      status: 'READY',
    }),
    false,
  );

  // Moving the alias moves its environments: the new version starts over at IN_PROGRESS.
  await registry.deleteProvisionedConcurrencyConfig('f', '2');
  assert.deepEqual(heard.at(-1), ['f', '2', 0]);
  await registry.updateAlias('f', 'live', { FunctionVersion: '2' });
  assert.deepEqual(heard.slice(-2), [
    ['f', '1', 0],
    ['f', '2', 4],
  ]);
  assert.equal((await registry.getProvisionedConcurrencyConfig('f', 'live')).Status, 'IN_PROGRESS');
  await registry.setProvisionedConcurrencyStatus('f', 'live', {
    allocated: 4,
    available: 4,
    status: 'READY',
  });

  // Environments do not survive a restart: configs start over at IN_PROGRESS.
  await registry.stop();
  const second = await restart();
  assert.equal((await second.getProvisionedConcurrencyConfig('f', 'live')).Status, 'IN_PROGRESS');
  const replayed: [string, string, number][] = [];
  second.onProvisionedConcurrencyChange((name, version, count) =>
    replayed.push([name, version, count]),
  );
  assert.deepEqual(replayed, [['f', '2', 4]]);
  await second.deleteFunction('f');
  assert.deepEqual(replayed.at(-1), ['f', '2', 0]);
});
