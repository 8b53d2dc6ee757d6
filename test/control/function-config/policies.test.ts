import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServiceError } from '../../../src/core/errors.js';
import { ARN, rejectsWith, setup } from './helpers.js';

const BUCKET = 'arn:aws:s3:::uploads';

test('AddPermission answers the statement as a JSON string; GetPolicy the whole policy', async (t) => {
  const { services, registry } = await setup(t);
  registry.add('orders');
  const added = await services.policies.add('orders', undefined, {
    StatementId: 's3',
    Action: 'lambda:InvokeFunction',
    Principal: 's3.amazonaws.com',
    SourceArn: BUCKET,
  });
  const statement = {
    Sid: 's3',
    Effect: 'Allow',
    Principal: { Service: 's3.amazonaws.com' },
    Action: 'lambda:InvokeFunction',
    Resource: ARN('orders'),
    Condition: { ArnLike: { 'AWS:SourceArn': BUCKET } },
  };
  assert.deepEqual(Object.keys(added), ['Statement']);
  assert.equal(added.Statement, JSON.stringify(statement));
  const policy = await services.policies.get(ARN('orders'), undefined);
  assert.equal(
    policy.Policy,
    JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: [statement] }),
  );
  assert.match(policy.RevisionId, /^[0-9a-f-]{36}$/);
});

test('principals and conditions are rendered as Lambda renders them', async (t) => {
  const { services, registry } = await setup(t);
  registry.add('orders');
  const add = async (body: Record<string, unknown>): Promise<unknown> =>
    JSON.parse(
      (
        await services.policies.add('orders', undefined, {
          Action: 'lambda:InvokeFunction',
          ...body,
        })
      ).Statement,
    );
  const base = { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: ARN('orders') };
  assert.deepEqual(await add({ StatementId: 'account', Principal: '210987654321' }), {
    Sid: 'account',
    ...base,
    Principal: { AWS: 'arn:aws:iam::210987654321:root' },
  });
  const user = 'arn:aws:iam::210987654321:user/alice';
  assert.deepEqual(
    await add({ StatementId: 'user', Principal: user, SourceAccount: '123456789012' }),
    {
      Sid: 'user',
      ...base,
      Principal: { AWS: user },
      Condition: { StringEquals: { 'AWS:SourceAccount': '123456789012' } },
    },
  );
  assert.deepEqual(
    await add({
      StatementId: 'alexa',
      Principal: 'alexa-appkit.amazon.com',
      EventSourceToken: 'amzn1.ask.skill.x-1',
    }),
    {
      Sid: 'alexa',
      ...base,
      Principal: { Service: 'alexa-appkit.amazon.com' },
      Condition: { StringEquals: { 'lambda:EventSourceToken': 'amzn1.ask.skill.x-1' } },
    },
  );
  const url = await add({
    StatementId: 'url',
    Action: 'lambda:InvokeFunctionUrl',
    Principal: '*',
    FunctionUrlAuthType: 'NONE',
    PrincipalOrgID: 'o-1234567890',
    SourceAccount: '123456789012',
    SourceArn: BUCKET,
  });
  assert.equal(
    JSON.stringify(url),
    JSON.stringify({
      Sid: 'url',
      Effect: 'Allow',
      Principal: '*',
      Action: 'lambda:InvokeFunctionUrl',
      Resource: ARN('orders'),
      Condition: {
        StringEquals: {
          'lambda:FunctionUrlAuthType': 'NONE',
          'aws:PrincipalOrgID': 'o-1234567890',
          'AWS:SourceAccount': '123456789012',
        },
        ArnLike: { 'AWS:SourceArn': BUCKET },
      },
    }),
  );
  assert.deepEqual(
    await add({ StatementId: 'via-url', Principal: '*', InvokedViaFunctionUrl: true }),
    {
      Sid: 'via-url',
      ...base,
      Principal: '*',
      Condition: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } },
    },
  );
  for (const principal of ['invalid', 'example.com', 'arn:aws:s3:::bucket']) {
    await rejectsWith(add({ StatementId: 'bad', Principal: principal }), {
      code: 'InvalidParameterValueException',
      status: 400,
      message: 'The provided principal was invalid. Please check the principal and try again.',
    });
  }
});

test('the request is validated with AWS texts', async (t) => {
  const { services, registry } = await setup(t);
  registry.add('orders');
  const fails = (body: Record<string, unknown>, message: string) =>
    rejectsWith(services.policies.add('orders', undefined, body), {
      code: 'ValidationException',
      status: 400,
      message,
    });
  const valid = { StatementId: 's', Action: 'lambda:InvokeFunction', Principal: '*' };
  await fails(
    { ...valid, StatementId: 'example.com' },
    "1 validation error detected: Value 'example.com' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)",
  );
  await fails(
    {},
    "3 validation errors detected: Value null at 'statementId' failed to satisfy constraint: Member must not be null; Value null at 'action' failed to satisfy constraint: Member must not be null; Value null at 'principal' failed to satisfy constraint: Member must not be null",
  );
  await fails(
    { ...valid, Action: 'lambda:Invoke-Function' },
    "1 validation error detected: Value 'lambda:Invoke-Function' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])",
  );
  await fails(
    { ...valid, SourceAccount: '12345', PrincipalOrgID: 'org-1' },
    "2 validation errors detected: Value '12345' at 'sourceAccount' failed to satisfy constraint: Member must satisfy regular expression pattern: ^\\d{12}$; Value 'org-1' at 'principalOrgId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^o-[a-z0-9]{10,32}$",
  );
  await fails(
    { ...valid, FunctionUrlAuthType: 'OPEN' },
    "1 validation error detected: Value 'OPEN' at 'functionUrlAuthType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AWS_IAM]",
  );
  await fails(
    { ...valid, StatementId: 'x'.repeat(101) },
    `1 validation error detected: Value '${'x'.repeat(101)}' at 'statementId' failed to satisfy constraint: Member must have length less than or equal to 100`,
  );
  await rejectsWith(services.policies.get('orders', undefined), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: 'The resource you requested does not exist.',
  });
});

test('policies are per qualifier; $LATEST and missing versions or aliases are refused', async (t) => {
  const { services, registry } = await setup(t);
  registry.add('orders', '1', 'live');
  const policies = services.policies;
  const body = {
    StatementId: 's3',
    Action: 'lambda:InvokeFunction',
    Principal: 's3.amazonaws.com',
  };
  await policies.add('orders', undefined, body);
  const onVersion = JSON.parse((await policies.add('orders', '1', body)).Statement) as {
    Resource: string;
  };
  assert.equal(onVersion.Resource, ARN('orders', '1'));
  await policies.add(`${ARN('orders')}:live`, 'live', body);
  assert.match((await policies.get('orders:live', undefined)).Policy, /function:orders:live"/);
  assert.notEqual(
    (await policies.get('orders', '1')).RevisionId,
    (await policies.get('orders', undefined)).RevisionId,
  );
  await rejectsWith(policies.add('orders', '$LATEST', body), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: 'We currently do not support adding policies for $LATEST.',
  });
  await rejectsWith(policies.add('orders:1', 'live', body), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: 'The derived qualifier from the function name does not match the specified qualifier.',
  });
  await rejectsWith(policies.add('orders', 'invalid-qualifier-with-?-char', body), {
    code: 'ValidationException',
    status: 400,
    message:
      "1 validation error detected: Value 'invalid-qualifier-with-?-char' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)",
  });
  const notFound = (message: string) => ({
    code: 'ResourceNotFoundException',
    status: 404,
    message,
  });
  await rejectsWith(
    policies.add('doesnotexist', undefined, body),
    notFound(`Function not found: ${ARN('doesnotexist')}`),
  );
  await rejectsWith(
    policies.add('orders', '42', body),
    notFound(`Function not found: ${ARN('orders', '42')}`),
  );
  await rejectsWith(
    policies.add('orders', 'valid-with-$-but-doesnotexist', body),
    notFound(`Function not found: ${ARN('orders', 'valid-with-$-but-doesnotexist')}`),
  );
  await rejectsWith(
    policies.add('orders', 'alias-doesnotexist', body),
    notFound(`Cannot find alias arn: ${ARN('orders', 'alias-doesnotexist')}`),
  );
  await rejectsWith(
    policies.get('doesnotexist', undefined),
    notFound(`Function not found: ${ARN('doesnotexist')}`),
  );
  await rejectsWith(
    policies.get('orders', '42'),
    notFound('The resource you requested does not exist.'),
  );
});

test('duplicate statement ids conflict; a RevisionId must match the policy', async (t) => {
  const { services, registry } = await setup(t);
  registry.add('orders');
  const policies = services.policies;
  const body = {
    StatementId: 's3',
    Action: 'lambda:InvokeFunction',
    Principal: 's3.amazonaws.com',
  };
  const mismatch = {
    code: 'PreconditionFailedException',
    status: 412,
    message:
      'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
  };
  await rejectsWith(policies.add('orders', undefined, { ...body, RevisionId: 'nope' }), mismatch);
  await policies.add('orders', undefined, body);
  await rejectsWith(policies.add('orders', undefined, body), {
    code: 'ResourceConflictException',
    status: 409,
    message:
      'The statement id (s3) provided already exists. Please provide a new statement id, or remove the existing statement.',
  });
  const before = await policies.get('orders', undefined);
  await rejectsWith(
    policies.add('orders', undefined, { ...body, StatementId: 'b', RevisionId: 'old' }),
    mismatch,
  );
  await policies.add('orders', undefined, {
    ...body,
    StatementId: 'b',
    RevisionId: before.RevisionId,
  });
  const after = await policies.get('orders', undefined);
  assert.notEqual(after.RevisionId, before.RevisionId);
  assert.deepEqual(
    (JSON.parse(after.Policy) as { Statement: { Sid: string }[] }).Statement.map((s) => s.Sid),
    ['s3', 'b'],
  );
});

test('RemovePermission: statements go one by one, the policy with the last; AWS texts on failure', async (t) => {
  const { services, registry } = await setup(t);
  registry.add('orders', 'live');
  const policies = services.policies;
  const body = { Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com' };
  const notFound = (message: string) => ({
    code: 'ResourceNotFoundException',
    status: 404,
    message,
  });
  await rejectsWith(
    policies.remove('orders', 's3', {}),
    notFound('No policy is associated with the given resource.'),
  );
  await rejectsWith(
    policies.remove('doesnotexist', 's3', {}),
    notFound(`No policy found for: ${ARN('doesnotexist')}`),
  );
  await rejectsWith(
    policies.remove('orders', 's3', { qualifier: 'alias-doesnotexist' }),
    notFound(`Cannot find alias arn: ${ARN('orders', 'alias-doesnotexist')}`),
  );
  await policies.add('orders', undefined, { ...body, StatementId: 's3' });
  await policies.add('orders', undefined, { ...body, StatementId: 'sqs' });
  await rejectsWith(
    policies.remove('orders', 'non-existent', {}),
    notFound('Statement non-existent is not found in resource policy.'),
  );
  await rejectsWith(policies.remove('orders', 'sqs', { revisionId: 'stale' }), {
    code: 'PreconditionFailedException',
    status: 412,
    message:
      'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
  });
  const { RevisionId } = await policies.get('orders', undefined);
  await policies.remove('orders', 'sqs', { revisionId: RevisionId });
  const left = await policies.get('orders', undefined);
  assert.deepEqual(
    (JSON.parse(left.Policy) as { Statement: { Sid: string }[] }).Statement.map((s) => s.Sid),
    ['s3'],
  );
  await policies.remove(ARN('orders'), 's3', {});
  await rejectsWith(
    policies.get('orders', undefined),
    notFound('The resource you requested does not exist.'),
  );
  // The alias's policy is its own.
  await policies.add('orders', 'live', { ...body, StatementId: 's3' });
  await rejectsWith(
    policies.remove('orders', 's3', {}),
    notFound('No policy is associated with the given resource.'),
  );
  await policies.remove('orders:live', 's3', {});
});

test('a policy may not grow past 20 KB (PolicyLengthExceededException)', async (t) => {
  const { services, registry } = await setup(t);
  registry.add('orders');
  const sourceArn = `arn:aws:execute-api:us-east-1:123456789012:${'a'.repeat(200)}/*/GET/`;
  let error: unknown;
  let added = 0;
  for (; added < 200; added++) {
    try {
      await services.policies.add('orders', undefined, {
        StatementId: `route-${added}`,
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        SourceArn: sourceArn,
      });
    } catch (e) {
      error = e;
      break;
    }
  }
  assert.ok(error instanceof ServiceError, String(error));
  assert.equal(error.code, 'PolicyLengthExceededException');
  assert.equal(error.statusCode, 400);
  const size = /^The final policy size \((\d+)\) is bigger than the limit \(20480\)\.$/.exec(
    error.message,
  );
  assert.ok(size, error.message);
  assert.ok(Number(size[1]) > 20_480);
  // Nothing of the refused statement was stored.
  const policy = await services.policies.get('orders', undefined);
  assert.ok(Buffer.byteLength(policy.Policy) <= 20_480);
  assert.equal((JSON.parse(policy.Policy) as { Statement: unknown[] }).Statement.length, added);
});
