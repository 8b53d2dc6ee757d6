import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeZip, rejectsWith, startRegistry } from './helpers.js';

const LAYER = 'arn:aws:lambda:us-east-1:123456789012:layer';
const PY_LAYER = makeZip({ 'python/greet.py': 'GREETING = "hi"\n' });

function content(zip: Buffer): { Content: { ZipFile: string } } {
  return { Content: { ZipFile: zip.toString('base64') } };
}

test('layer version permissions: add, get, remove, with revisions and AWS texts', async (t) => {
  const { registry } = await startRegistry(t);
  await registry.publishLayerVersion('l', content(PY_LAYER));
  const noPolicy = {
    code: 'ResourceNotFoundException',
    status: 404,
    message: 'No policy is associated with the given resource.',
  };
  await rejectsWith(registry.getLayerVersionPolicy('l', '1'), noPolicy);
  const s1 = await registry.addLayerVersionPermission(
    'l',
    '1',
    { StatementId: 's1', Action: 'lambda:GetLayerVersion', Principal: '*' },
    undefined,
  );
  assert.deepEqual(JSON.parse(s1.Statement ?? ''), {
    Sid: 's1',
    Effect: 'Allow',
    Principal: '*',
    Action: 'lambda:GetLayerVersion',
    Resource: `${LAYER}:l:1`,
  });
  const s2 = await registry.addLayerVersionPermission(
    'l',
    '1',
    {
      StatementId: 's2',
      Action: 'lambda:GetLayerVersion',
      Principal: '210987654321',
      OrganizationId: 'o-abcdefghij',
    },
    s1.RevisionId,
  );
  assert.deepEqual(JSON.parse(s2.Statement ?? ''), {
    Sid: 's2',
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::210987654321:root' },
    Action: 'lambda:GetLayerVersion',
    Resource: `${LAYER}:l:1`,
    Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' } },
  });
  const policy = await registry.getLayerVersionPolicy('l', '1');
  assert.equal(policy.RevisionId, s2.RevisionId);
  assert.deepEqual(JSON.parse(policy.Policy ?? ''), {
    Version: '2012-10-17',
    Id: 'default',
    Statement: [JSON.parse(s1.Statement ?? ''), JSON.parse(s2.Statement ?? '')],
  });
  const layerPrecondition = {
    code: 'PreconditionFailedException',
    status: 412,
    message:
      'The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy API to retrieve the latest Revision Id',
  };
  await rejectsWith(
    registry.addLayerVersionPermission(
      'l',
      '1',
      { StatementId: 's3', Action: 'lambda:GetLayerVersion', Principal: '*' },
      s1.RevisionId,
    ),
    layerPrecondition,
  );
  await rejectsWith(
    registry.addLayerVersionPermission(
      'l',
      '1',
      { StatementId: 's1', Action: 'lambda:GetLayerVersion', Principal: '*' },
      undefined,
    ),
    {
      code: 'ResourceConflictException',
      status: 409,
      message:
        'The statement id (s1) provided already exists. Please provide a new statement id, or remove the existing statement.',
    },
  );
  await rejectsWith(
    registry.addLayerVersionPermission(
      'l',
      '1',
      { StatementId: 's4', Action: '*', Principal: '*' },
      undefined,
    ),
    {
      code: 'ValidationException',
      status: 400,
      message:
        "1 validation error detected: Value '*' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: lambda:GetLayerVersion",
    },
  );
  for (const [layer, version] of [
    ['nope', '1'],
    ['l', '2'],
  ] as const) {
    const missing = {
      code: 'ResourceNotFoundException',
      status: 404,
      message: `Layer version ${LAYER}:${layer}:${version} does not exist.`,
    };
    await rejectsWith(
      registry.addLayerVersionPermission(
        layer,
        version,
        { StatementId: 's', Action: 'lambda:GetLayerVersion', Principal: '*' },
        undefined,
      ),
      missing,
    );
    await rejectsWith(registry.getLayerVersionPolicy(layer, version), missing);
    await rejectsWith(
      registry.removeLayerVersionPermission(layer, version, 's', undefined),
      missing,
    );
  }
  await rejectsWith(
    registry.removeLayerVersionPermission('l', '1', 's1', 'stale'),
    layerPrecondition,
  );
  await rejectsWith(registry.removeLayerVersionPermission('l', '1', 'nope', undefined), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: 'Statement nope is not found in resource policy.',
  });
  await registry.removeLayerVersionPermission('l', '1', 's2', s2.RevisionId);
  const after = await registry.getLayerVersionPolicy('l', '1');
  assert.notEqual(after.RevisionId, s2.RevisionId);
  assert.equal((JSON.parse(after.Policy ?? '') as { Statement: unknown[] }).Statement.length, 1);
  await registry.removeLayerVersionPermission('l', '1', 's1', undefined);
  await rejectsWith(registry.getLayerVersionPolicy('l', '1'), noPolicy);
});
