import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ARN, createBody, rejectsWith, snapshot, startRegistry } from './helpers.js';

test('TagResource, ListTags and UntagResource on a function ARN', async (t) => {
  const { registry } = await startRegistry(t);
  await registry.createFunction(createBody('f', { Tags: { team: 'a' } }));
  await registry.tagResource(`${ARN}:f`, { Tags: { team: 'b', 'cost center': 'x+y=z@1' } });
  assert.deepEqual(await registry.listTags(`${ARN}:f`), {
    Tags: { 'cost center': 'x+y=z@1', team: 'b' },
  });
  await registry.untagResource(`${ARN}:f`, ['team', 'never-set']);
  assert.deepEqual(await registry.listTags(`${ARN}:f`), { Tags: { 'cost center': 'x+y=z@1' } });
  await registry.untagResource(`${ARN}:f`, ['cost center']);
  assert.deepEqual(await registry.listTags(`${ARN}:f`), { Tags: {} });
  assert.equal('Tags' in (await registry.getFunction('f')), false);
});

test('tags are refused on versions and aliases, and on things that are not ARNs', async (t) => {
  const { registry, store } = await startRegistry(t);
  await registry.createFunction(createBody('f'));
  const before = await snapshot(store);
  const qualified = {
    code: 'InvalidParameterValueException',
    status: 400,
    message:
      'Tags on function aliases and versions are not supported. Please specify a function ARN.',
  };
  await rejectsWith(registry.tagResource(`${ARN}:f:1`, { Tags: { a: 'b' } }), qualified);
  await rejectsWith(registry.tagResource(`${ARN}:f:live`, { Tags: { a: 'b' } }), qualified);
  await rejectsWith(registry.listTags(`${ARN}:f:$LATEST`), qualified);
  await rejectsWith(registry.untagResource(`${ARN}:f:2`, ['a']), qualified);
  await rejectsWith(registry.tagResource('f', { Tags: { a: 'b' } }), {
    code: 'ValidationException',
    status: 400,
    message:
      /^1 validation error detected: Value 'f' at 'resource' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:/,
  });
  assert.deepEqual(await snapshot(store), before);
});

test('tags on a missing function, or an ESM that does not exist, are 404', async (t) => {
  const { registry } = await startRegistry(t);
  const missing = {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:ghost`,
  };
  await rejectsWith(registry.tagResource(`${ARN}:ghost`, { Tags: { a: 'b' } }), missing);
  await rejectsWith(registry.listTags(`${ARN}:ghost`), missing);
  await rejectsWith(registry.untagResource(`${ARN}:ghost`, ['a']), missing);
  await rejectsWith(
    registry.listTags(
      'arn:aws:lambda:us-east-1:123456789012:event-source-mapping:0b3a6c0e-8c53-4a3b-9d6e-6b1f7b2a1c3d',
    ),
    {
      code: 'ResourceNotFoundException',
      status: 404,
      message: 'The resource you requested does not exist.',
    },
  );
});

test('the 50-tag limit counts tags already there, and a refused call adds none', async (t) => {
  const { registry } = await startRegistry(t);
  const forty = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${String(i)}`, 'v']));
  await registry.createFunction(createBody('f', { Tags: forty }));
  const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`n${String(i)}`, 'v']));
  await rejectsWith(registry.tagResource(`${ARN}:f`, { Tags: eleven }), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: 'Number of tags exceeds resource tag limit.',
  });
  assert.equal(Object.keys((await registry.listTags(`${ARN}:f`)).Tags).length, 40);
  // Overwriting existing keys does not count twice.
  await registry.tagResource(`${ARN}:f`, {
    Tags: { ...forty, ...Object.fromEntries(Object.entries(eleven).slice(0, 10)) },
  });
  assert.equal(Object.keys((await registry.listTags(`${ARN}:f`)).Tags).length, 50);
});

test("tag contents follow Lambda's rules", async (t) => {
  const { registry } = await startRegistry(t);
  await registry.createFunction(createBody('f'));
  await rejectsWith(registry.tagResource(`${ARN}:f`, {}), {
    code: 'ValidationException',
    status: 400,
    message:
      "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null",
  });
  await rejectsWith(registry.tagResource(`${ARN}:f`, { Tags: { 'aws:created-by': 'me' } }), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: /reserved for AWS use/,
  });
  await rejectsWith(registry.tagResource(`${ARN}:f`, { Tags: { ['k'.repeat(129)]: 'v' } }), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: /between 1 and 128 characters/,
  });
  await rejectsWith(registry.tagResource(`${ARN}:f`, { Tags: { k: 'v'.repeat(257) } }), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: /at most 256 characters/,
  });
  await rejectsWith(registry.tagResource(`${ARN}:f`, { Tags: { 'semi;colon': 'v' } }), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: /may contain only/,
  });
  await rejectsWith(registry.untagResource(`${ARN}:f`, []), {
    code: 'ValidationException',
    status: 400,
    message:
      "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null",
  });
  assert.deepEqual(await registry.listTags(`${ARN}:f`), { Tags: {} });
});
