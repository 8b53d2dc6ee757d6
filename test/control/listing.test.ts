import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import { createBody, rejectsWith, settle, startRegistry } from './helpers.js';

test('ListFunctions pages 50 at a time in name order, whatever MaxItems says', async (t) => {
  const { registry, clock } = await startRegistry(t);
  const names = Array.from({ length: 120 }, (_, i) => `fn-${String(i).padStart(3, '0')}`);
  for (const name of [...names].reverse()) {
    await registry.createFunction(createBody(name));
  }
  await settle(clock);
  const seen: string[] = [];
  let marker: string | undefined;
  const sizes: number[] = [];
  do {
    const page = await registry.listFunctions({
      maxItems: 1000,
      ...(marker !== undefined && { marker }),
    });
    sizes.push(page.Functions.length);
    seen.push(...page.Functions.map((f) => f.FunctionName ?? ''));
    marker = page.NextMarker;
  } while (marker !== undefined);
  assert.deepEqual(sizes, [50, 50, 20]);
  assert.deepEqual(seen, names);

  const small = await registry.listFunctions({ maxItems: 7 });
  assert.equal(small.Functions.length, 7);
  assert.equal(typeof small.NextMarker, 'string');
  const next = await registry.listFunctions({ maxItems: 7, marker: small.NextMarker ?? '' });
  assert.equal(next.Functions[0]?.FunctionName, 'fn-007');
});

test('ListFunctions leaves out lifecycle fields and RuntimeVersionConfig', async (t) => {
  const { registry, clock } = await startRegistry(t);
  await registry.createFunction(
    createBody('only', { Environment: { Variables: { STAGE: 'dev' } } }),
  );
  await settle(clock);
  const { Functions, NextMarker } = await registry.listFunctions({});
  assert.equal(NextMarker, undefined);
  assert.equal(Functions.length, 1);
  const [entry] = Functions as [FunctionConfiguration];
  for (const key of [
    'State',
    'StateReason',
    'StateReasonCode',
    'LastUpdateStatus',
    'LastUpdateStatusReason',
    'LastUpdateStatusReasonCode',
    'RuntimeVersionConfig',
  ]) {
    assert.equal(key in entry, false, key);
  }
  assert.equal(entry.FunctionArn, 'arn:aws:lambda:us-east-1:123456789012:function:only');
  assert.deepEqual(entry.Environment, { Variables: { STAGE: 'dev' } });
  assert.equal(entry.Version, '$LATEST');
  // FunctionVersion=ALL lists published versions too (none exist yet), all with qualified ARNs.
  assert.deepEqual((await registry.listFunctions({ functionVersion: 'ALL' })).Functions, [
    { ...entry, FunctionArn: `${entry.FunctionArn ?? ''}:$LATEST` },
  ]);
});

test('ListFunctions with no functions, and its parameter rules', async (t) => {
  const { registry } = await startRegistry(t);
  assert.deepEqual(await registry.listFunctions({}), { Functions: [] });
  await rejectsWith(registry.listFunctions({ maxItems: 0 }), {
    code: 'ValidationException',
    status: 400,
    message:
      "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1",
  });
  await rejectsWith(registry.listFunctions({ maxItems: 10001 }), {
    code: 'ValidationException',
    status: 400,
    message:
      "1 validation error detected: Value '10001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 10000",
  });
  await rejectsWith(registry.listFunctions({ functionVersion: 'LATEST' }), {
    code: 'ValidationException',
    status: 400,
    message:
      "1 validation error detected: Value 'LATEST' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]",
  });
  await rejectsWith(registry.listFunctions({ marker: 'garbage' }), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: /Invalid Marker/,
  });
});
