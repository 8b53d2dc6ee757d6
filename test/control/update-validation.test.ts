/**
 * UpdateFunctionConfiguration / UpdateFunctionCode rules, with Lambda's exception, status and
 * text, and the proof that a refused request changed nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ARN,
  createBody,
  makeZip,
  rejectsWith,
  settle,
  snapshot,
  startRegistry,
} from './helpers.js';

interface Case {
  readonly name: string;
  readonly body: unknown;
  readonly code: string;
  readonly status: number;
  readonly message: string | RegExp;
}

function v1(detail: string): string {
  return `1 validation error detected: ${detail}`;
}

const UPDATE_CASES: readonly Case[] = [
  {
    name: 'a member of the wrong type',
    body: { Timeout: '3' },
    code: 'InvalidRequestContentException',
    status: 400,
    message: /Timeout/,
  },
  {
    name: 'MemorySize out of range',
    body: { MemorySize: 99999 },
    code: 'ValidationException',
    status: 400,
    message: v1(
      "Value '99999' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240",
    ),
  },
  {
    name: 'a deprecated runtime',
    body: { Runtime: 'python3.7' },
    code: 'InvalidParameterValueException',
    status: 400,
    message: /^The runtime parameter of python3\.7 is no longer supported/,
  },
  {
    name: 'reserved environment variables',
    body: { Environment: { Variables: { AWS_SESSION_TOKEN: 'x' } } },
    code: 'InvalidParameterValueException',
    status: 400,
    message: /Reserved keys used in this request: AWS_SESSION_TOKEN$/,
  },
  {
    name: 'an empty Handler',
    body: { Handler: '' },
    code: 'ValidationException',
    status: 400,
    message: v1(
      "Value '' at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+",
    ),
  },
  {
    name: 'a Role that is not a role ARN',
    body: { Role: 'arn:aws:iam::123:role/x' },
    code: 'ValidationException',
    status: 400,
    message: /at 'role' failed to satisfy constraint/,
  },
  {
    name: 'log levels while logs stay Text',
    body: { LoggingConfig: { SystemLogLevel: 'WARN' } },
    code: 'InvalidParameterValueException',
    status: 400,
    message: /^LogLevel is not supported when LogFormat is set to "Text"/,
  },
  {
    name: 'a feature Fogbank does not have (EFS)',
    body: { FileSystemConfigs: [{ Arn: 'x', LocalMountPath: '/mnt/x' }] },
    code: 'InvalidParameterValueException',
    status: 400,
    message: 'FileSystemConfigs is not supported by Fogbank.',
  },
];

test('UpdateFunctionConfiguration refuses invalid requests, changing nothing', async (t) => {
  const { registry, store, clock } = await startRegistry(t);
  await registry.createFunction(createBody('f'));
  await settle(clock);
  const before = await snapshot(store);
  for (const c of UPDATE_CASES) {
    await t.test(c.name, async () => {
      await rejectsWith(registry.updateFunctionConfiguration('f', c.body), c);
      assert.deepEqual(await snapshot(store), before);
    });
  }
  await rejectsWith(registry.updateFunctionConfiguration('f:1', { Timeout: 5 }), {
    code: 'InvalidParameterValueException',
    status: 400,
    message:
      'This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.',
  });
  await rejectsWith(registry.updateFunctionConfiguration('ghost', { Timeout: 5 }), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:ghost`,
  });
  assert.deepEqual(await snapshot(store), before);
});

test('UpdateFunctionConfiguration applies logging, DLQ and KMS changes, and clears them', async (t) => {
  const { registry, clock } = await startRegistry(t);
  await registry.createFunction(
    createBody('f', { DeadLetterConfig: { TargetArn: 'arn:aws:sqs:us-east-1:123456789012:q' } }),
  );
  await settle(clock);
  const json = await registry.updateFunctionConfiguration('f', {
    LoggingConfig: { LogFormat: 'JSON', SystemLogLevel: 'WARN' },
    KMSKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k',
  });
  assert.deepEqual(json.LoggingConfig, {
    LogFormat: 'JSON',
    ApplicationLogLevel: 'INFO',
    SystemLogLevel: 'WARN',
    LogGroup: '/aws/lambda/f',
  });
  await settle(clock);
  const text = await registry.updateFunctionConfiguration('f', {
    LoggingConfig: { LogFormat: 'Text' },
    DeadLetterConfig: { TargetArn: '' },
    KMSKeyArn: '',
  });
  assert.deepEqual(text.LoggingConfig, { LogFormat: 'Text', LogGroup: '/aws/lambda/f' });
  assert.equal(text.DeadLetterConfig, undefined);
  assert.equal(text.KMSKeyArn, undefined);
  await settle(clock);
  const runtime = await registry.updateFunctionConfiguration('f', {
    Runtime: 'python3.12',
    Handler: 'app.handler',
  });
  assert.equal(runtime.Runtime, 'python3.12');
  assert.equal(runtime.Handler, 'app.handler');
});

test('UpdateFunctionCode refuses bad code and unknown functions, changing nothing', async (t) => {
  const { registry, store, clock } = await startRegistry(t);
  await registry.createFunction(createBody('f'));
  await settle(clock);
  const before = await snapshot(store);
  await rejectsWith(registry.updateFunctionCode('f', {}), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: 'Please provide a source for function code.',
  });
  await rejectsWith(registry.updateFunctionCode('f', { ImageUri: 'x' }), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: /container images/,
  });
  await rejectsWith(
    registry.updateFunctionCode('f', { ZipFile: Buffer.from('PK junk').toString('base64') }),
    {
      code: 'InvalidParameterValueException',
      status: 400,
      message: /^Could not unzip uploaded file/,
    },
  );
  await rejectsWith(registry.updateFunctionCode('f', { ZipFile: new Uint8Array(52_428_801) }), {
    code: 'RequestEntityTooLargeException',
    status: 413,
    message: 'Zipped size must be smaller than 52428800 bytes',
  });
  await rejectsWith(registry.updateFunctionCode('f', { S3Bucket: 'b', S3Key: 'k' }), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: /^Error occurred while GetObject\. S3 Error Code: NoSuchBucket/,
  });
  await rejectsWith(
    registry.updateFunctionCode('f', {
      ZipFile: makeZip({ a: 'b' }).toString('base64'),
      Architectures: ['mips'],
    }),
    { code: 'ValidationException', status: 400, message: /at 'architectures'/ },
  );
  await rejectsWith(
    registry.updateFunctionCode('nope', { ZipFile: makeZip({ a: 'b' }).toString('base64') }),
    {
      code: 'ResourceNotFoundException',
      status: 404,
      message: `Function not found: ${ARN}:nope`,
    },
  );
  assert.deepEqual(await snapshot(store), before);
});
