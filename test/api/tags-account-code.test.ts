import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import {
  GetAccountSettingsCommand,
  ListTagsCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-lambda';
import { ARN, callsTo, startApi } from './harness.js';

test('TagResource and UntagResource answer 204; ListTags returns the map; the ARN label is decoded', async (t) => {
  const api = await startApi(t);
  const tagged = await api.client.send(
    new TagResourceCommand({ Resource: ARN, Tags: { team: 'core', 'cost:center': 'a/b' } }),
  );
  assert.equal(tagged.$metadata.httpStatusCode, 204);
  const untagged = await api.client.send(
    new UntagResourceCommand({ Resource: ARN, TagKeys: ['team', 'cost:center', 'a b&c'] }),
  );
  assert.equal(untagged.$metadata.httpStatusCode, 204);
  const listed = await api.client.send(new ListTagsCommand({ Resource: ARN }));
  assert.deepEqual(listed.Tags, { team: 'core' });

  assert.deepEqual(callsTo(api, 'tagResource'), [
    [ARN, { Tags: { team: 'core', 'cost:center': 'a/b' } }],
  ]);
  assert.deepEqual(callsTo(api, 'untagResource'), [[ARN, ['team', 'cost:center', 'a b&c']]]);
  assert.deepEqual(callsTo(api, 'listTags'), [[ARN]]);
});

test('UntagResource without tagKeys is the ValidationException AWS sends', async (t) => {
  const api = await startApi(t);
  const res = await fetch(`${api.url}/2017-03-31/tags/${encodeURIComponent(ARN)}`, {
    method: 'DELETE',
  });
  assert.equal(res.status, 400);
  assert.equal(res.headers.get('x-amzn-errortype'), 'ValidationException');
  assert.deepEqual(await res.json(), {
    Type: 'User',
    message:
      "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null",
  });
  assert.equal(callsTo(api, 'untagResource').length, 0);
});

test('GetAccountSettings returns the account limits and usage', async (t) => {
  const api = await startApi(t);
  const out = await api.client.send(new GetAccountSettingsCommand({}));
  assert.equal(out.$metadata.httpStatusCode, 200);
  assert.equal(out.AccountLimit?.ConcurrentExecutions, 1000);
  assert.equal(out.AccountUsage?.FunctionCount, 1);
  assert.equal(callsTo(api, 'getAccountSettings').length, 1);
});

test('code packages download by their SHA-256; anything else is 404', async (t) => {
  const zip = Buffer.from('PK\x05\x06' + '\0'.repeat(18), 'latin1');
  const hex = createHash('sha256').update(zip).digest('hex');
  const api = await startApi(t, {
    control: { readCodePackage: (h) => Promise.resolve(h === hex ? zip : undefined) },
  });
  const res = await fetch(`${api.url}/_fogbank/code/${hex}.zip`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/zip');
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), zip);

  const unknown = await fetch(`${api.url}/_fogbank/code/${'0'.repeat(64)}.zip`);
  assert.equal(unknown.status, 404);
  assert.equal(unknown.headers.get('x-amzn-errortype'), 'ResourceNotFoundException');
  for (const name of ['..%2F..%2Fetc%2Fpasswd', `${hex.toUpperCase()}.zip`, hex]) {
    const res = await fetch(`${api.url}/_fogbank/code/${name}`);
    assert.equal(res.status, 404, name);
  }
  // Only well-formed names reach the control plane.
  assert.deepEqual(callsTo(api, 'readCodePackage'), [[hex], ['0'.repeat(64)]]);
});

test('GET /_fogbank/health answers {"status":"ok"}', async (t) => {
  const api = await startApi(t);
  const res = await fetch(`${api.url}/_fogbank/health`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json');
  assert.deepEqual(await res.json(), { status: 'ok' });
});
