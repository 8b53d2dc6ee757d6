/**
 * Every CreateFunction rule, with Lambda's exception, status and
 * text, and the proof that a refused request changed nothing (no function, no stored package).
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ARN, createBody, makeZip, rejectsWith, snapshot, startRegistry } from './helpers.js';

const ROLE_PATTERN = 'arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+';
const SUPPORTED =
  '[nodejs18.x, nodejs20.x, nodejs22.x, nodejs24.x, nodejs26.x, python3.9, python3.10, python3.11, python3.12, python3.13, python3.14, python3.15, java8.al2, java11, java17, java21, java25, java8.al2023, java11.al2023, java17.al2023, dotnet8, dotnet10, ruby3.2, ruby3.3, ruby3.4, ruby4.0, provided.al2, provided.al2023]';

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

const longName = 'a'.repeat(65);
const bigEnvironment = { BIG: 'x'.repeat(4100) };

const CREATE_CASES: readonly Case[] = [
  {
    name: 'a body that is not a JSON object',
    body: ['not', 'an', 'object'],
    code: 'InvalidRequestContentException',
    status: 400,
    message: /^Could not parse request body into json/,
  },
  {
    name: 'a member of the wrong type',
    body: createBody('f', { MemorySize: 'lots' }),
    code: 'InvalidRequestContentException',
    status: 400,
    message:
      "Could not parse request body into json: Unexpected value for member 'MemorySize': expected an integer.",
  },
  {
    name: 'missing required members, all reported at once',
    body: { Runtime: 'nodejs20.x', Handler: 'index.handler' },
    code: 'ValidationException',
    status: 400,
    message:
      "3 validation errors detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null; Value null at 'role' failed to satisfy constraint: Member must not be null; Value null at 'code' failed to satisfy constraint: Member must not be null",
  },
  {
    name: 'a plain name over 64 characters',
    body: createBody(longName),
    code: 'InvalidParameterValueException',
    status: 400,
    message: v1(
      `Value '${longName}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    ),
  },
  {
    name: 'a name input over 140 characters',
    body: createBody('b'.repeat(141)),
    code: 'ValidationException',
    status: 400,
    message: v1(
      `Value '${'b'.repeat(141)}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 140`,
    ),
  },
  {
    name: 'a name with characters outside the pattern',
    body: createBody('my function'),
    code: 'ValidationException',
    status: 400,
    message:
      /^1 validation error detected: Value 'my function' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: /,
  },
  {
    name: 'a Role that is not a role ARN',
    body: createBody('f', { Role: 'admin' }),
    code: 'ValidationException',
    status: 400,
    message: v1(
      `Value 'admin' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ROLE_PATTERN}`,
    ),
  },
  {
    name: 'an unknown runtime',
    body: createBody('f', { Runtime: 'cobol85' }),
    code: 'InvalidParameterValueException',
    status: 400,
    message: `Value cobol85 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: ${SUPPORTED} or be a valid ARN`,
  },
  {
    name: 'a deprecated runtime',
    body: createBody('f', { Runtime: 'nodejs14.x' }),
    code: 'InvalidParameterValueException',
    status: 400,
    message:
      'The runtime parameter of nodejs14.x is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.',
  },
  {
    name: 'no Runtime for a zip package',
    body: createBody('f', { Runtime: undefined }),
    code: 'InvalidParameterValueException',
    status: 400,
    message:
      'Runtime and Handler are mandatory parameters for functions created with deployment packages.',
  },
  {
    name: 'no Handler for a zip package',
    body: createBody('f', { Handler: undefined }),
    code: 'InvalidParameterValueException',
    status: 400,
    message:
      'Runtime and Handler are mandatory parameters for functions created with deployment packages.',
  },
  {
    name: 'a Handler over 128 characters',
    body: createBody('f', { Handler: 'h'.repeat(129) }),
    code: 'ValidationException',
    status: 400,
    message: v1(
      `Value '${'h'.repeat(129)}' at 'handler' failed to satisfy constraint: Member must have length less than or equal to 128`,
    ),
  },
  {
    name: 'a Handler with whitespace',
    body: createBody('f', { Handler: 'index handler' }),
    code: 'ValidationException',
    status: 400,
    message: v1(
      "Value 'index handler' at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+",
    ),
  },
  {
    name: 'MemorySize below 128',
    body: createBody('f', { MemorySize: 127 }),
    code: 'ValidationException',
    status: 400,
    message: v1(
      "Value '127' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128",
    ),
  },
  {
    name: 'MemorySize above 10240',
    body: createBody('f', { MemorySize: 10241 }),
    code: 'ValidationException',
    status: 400,
    message: v1(
      "Value '10241' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240",
    ),
  },
  {
    name: 'Timeout below 1',
    body: createBody('f', { Timeout: 0 }),
    code: 'ValidationException',
    status: 400,
    message: v1(
      "Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1",
    ),
  },
  {
    name: 'Timeout above 900',
    body: createBody('f', { Timeout: 901 }),
    code: 'ValidationException',
    status: 400,
    message: v1(
      "Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900",
    ),
  },
  {
    name: 'EphemeralStorage below 512',
    body: createBody('f', { EphemeralStorage: { Size: 511 } }),
    code: 'ValidationException',
    status: 400,
    message: v1(
      "Value '511' at 'ephemeralStorage.size' failed to satisfy constraint: Member must have value greater than or equal to 512",
    ),
  },
  {
    name: 'EphemeralStorage above 10240',
    body: createBody('f', { EphemeralStorage: { Size: 10241 } }),
    code: 'ValidationException',
    status: 400,
    message: v1(
      "Value '10241' at 'ephemeralStorage.size' failed to satisfy constraint: Member must have value less than or equal to 10240",
    ),
  },
  {
    name: 'EphemeralStorage without Size',
    body: createBody('f', { EphemeralStorage: {} }),
    code: 'ValidationException',
    status: 400,
    message: v1(
      "Value null at 'ephemeralStorage.size' failed to satisfy constraint: Member must not be null",
    ),
  },
  {
    name: 'a Description over 256 characters',
    body: createBody('f', { Description: 'd'.repeat(257) }),
    code: 'ValidationException',
    status: 400,
    message: v1(
      `Value '${'d'.repeat(257)}' at 'description' failed to satisfy constraint: Member must have length less than or equal to 256`,
    ),
  },
  {
    name: 'several violations at once',
    body: createBody('f', { MemorySize: 64, Timeout: 1000 }),
    code: 'ValidationException',
    status: 400,
    message:
      "2 validation errors detected: Value '1000' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900; Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128",
  },
  {
    name: 'an environment variable name outside the pattern (the value is not echoed)',
    body: createBody('f', { Environment: { Variables: { '1BAD': 'secret' } } }),
    code: 'ValidationException',
    status: 400,
    message: v1(
      "Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]",
    ),
  },
  {
    name: 'a one-letter environment variable name (the pattern needs two)',
    body: createBody('f', { Environment: { Variables: { A: '1' } } }),
    code: 'ValidationException',
    status: 400,
    message: /Map keys must satisfy constraint/,
  },
  {
    name: 'reserved environment variables',
    body: createBody('f', {
      Environment: {
        Variables: { STAGE: 'x', AWS_REGION: 'eu-west-1', AWS_LAMBDA_FUNCTION_NAME: 'y' },
      },
    }),
    code: 'InvalidParameterValueException',
    status: 400,
    message:
      'Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_REGION, AWS_LAMBDA_FUNCTION_NAME',
  },
  {
    name: 'environment variables over 4 KB',
    body: createBody('f', { Environment: { Variables: bigEnvironment } }),
    code: 'InvalidParameterValueException',
    status: 400,
    message: `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${JSON.stringify(bigEnvironment)}`,
  },
  {
    name: 'more than 5 layers',
    body: createBody('f', {
      Layers: Array.from(
        { length: 6 },
        (_, i) => `arn:aws:lambda:us-east-1:123456789012:layer:l${String(i)}:1`,
      ),
    }),
    code: 'InvalidParameterValueException',
    status: 400,
    message: 'Cannot reference more than 5 layers.',
  },
  {
    name: 'a layer version that does not exist',
    body: createBody('f', { Layers: ['arn:aws:lambda:us-east-1:123456789012:layer:shared:3'] }),
    code: 'InvalidParameterValueException',
    status: 400,
    message: 'Layer version arn:aws:lambda:us-east-1:123456789012:layer:shared:3 does not exist.',
  },
  {
    name: 'a layer that is not a layer version ARN',
    body: createBody('f', { Layers: ['shared'] }),
    code: 'ValidationException',
    status: 400,
    message:
      /^1 validation error detected: Value '\[shared\]' at 'layers' failed to satisfy constraint: Member must satisfy constraint: \[/,
  },
  {
    name: 'two architectures',
    body: createBody('f', { Architectures: ['x86_64', 'arm64'] }),
    code: 'ValidationException',
    status: 400,
    message: v1(
      "Value '[x86_64, arm64]' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1",
    ),
  },
  {
    name: 'an unknown architecture',
    body: createBody('f', { Architectures: ['sparc'] }),
    code: 'ValidationException',
    status: 400,
    message: v1(
      "Value '[sparc]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]",
    ),
  },
  {
    name: 'PackageType Image (no container support)',
    body: createBody('f', {
      PackageType: 'Image',
      Code: { ImageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1' },
    }),
    code: 'InvalidParameterValueException',
    status: 400,
    message: /container images .* are not supported/,
  },
  {
    name: 'an unknown PackageType',
    body: createBody('f', { PackageType: 'Tarball' }),
    code: 'ValidationException',
    status: 400,
    message: v1(
      "Value 'Tarball' at 'packageType' failed to satisfy constraint: Member must satisfy enum value set: [Zip, Image]",
    ),
  },
  {
    name: 'an unknown tracing mode',
    body: createBody('f', { TracingConfig: { Mode: 'Sometimes' } }),
    code: 'ValidationException',
    status: 400,
    message: v1(
      "Value 'Sometimes' at 'tracingConfig.mode' failed to satisfy constraint: Member must satisfy enum value set: [Active, PassThrough]",
    ),
  },
  {
    name: 'log levels with Text logs',
    body: createBody('f', { LoggingConfig: { ApplicationLogLevel: 'DEBUG' } }),
    code: 'InvalidParameterValueException',
    status: 400,
    message:
      'LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from your request or change the LogFormat to "JSON" and try again.',
  },
  {
    name: 'an unknown log format',
    body: createBody('f', { LoggingConfig: { LogFormat: 'XML' } }),
    code: 'ValidationException',
    status: 400,
    message: v1(
      "Value 'XML' at 'loggingConfig.logFormat' failed to satisfy constraint: Member must satisfy enum value set: [JSON, Text]",
    ),
  },
  {
    name: 'more than 50 tags',
    body: createBody('f', {
      Tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${String(i)}`, 'v'])),
    }),
    code: 'InvalidParameterValueException',
    status: 400,
    message: 'Number of tags exceeds resource tag limit.',
  },
  {
    name: 'a tag key in the aws: namespace',
    body: createBody('f', { Tags: { 'aws:owner': 'me' } }),
    code: 'InvalidParameterValueException',
    status: 400,
    message: /reserved for AWS use/,
  },
  {
    name: 'a feature Fogbank does not have (EFS)',
    body: createBody('f', {
      FileSystemConfigs: [{ Arn: 'arn:aws:elasticfilesystem:x', LocalMountPath: '/mnt/x' }],
    }),
    code: 'InvalidParameterValueException',
    status: 400,
    message: 'FileSystemConfigs is not supported by Fogbank.',
  },
  {
    name: 'Code without a source',
    body: createBody('f', { Code: {} }),
    code: 'InvalidParameterValueException',
    status: 400,
    message: 'Please provide a source for function code.',
  },
  {
    name: 'Code from an S3 bucket (there is no S3)',
    body: createBody('f', { Code: { S3Bucket: 'my-bucket', S3Key: 'code.zip' } }),
    code: 'InvalidParameterValueException',
    status: 400,
    message:
      'Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist',
  },
  {
    name: 'ZipFile that is not base64',
    body: createBody('f', { Code: { ZipFile: 'not base64!' } }),
    code: 'InvalidRequestContentException',
    status: 400,
    message: /ZipFile/,
  },
  {
    name: 'a zip over 50 MB',
    body: createBody('f', { Code: { ZipFile: new Uint8Array(52_428_801) } }),
    code: 'RequestEntityTooLargeException',
    status: 413,
    message: 'Zipped size must be smaller than 52428800 bytes',
  },
  {
    name: 'a file that is not a zip',
    body: createBody('f', { Code: { ZipFile: Buffer.from('hello, world').toString('base64') } }),
    code: 'InvalidParameterValueException',
    status: 400,
    message: /^Could not unzip uploaded file\. Please check your file, then try to upload again\./,
  },
];

test("CreateFunction refuses invalid requests with Lambda's errors, changing nothing", async (t) => {
  const { registry, store, dataDir } = await startRegistry(t);
  const before = await snapshot(store);
  for (const c of CREATE_CASES) {
    await t.test(c.name, async () => {
      await rejectsWith(registry.createFunction(c.body), c);
      assert.deepEqual(await snapshot(store), before);
      const stored = (await readdir(join(dataDir, 'code'))).filter((n) => !n.startsWith('.'));
      assert.deepEqual(stored, [], 'no package was kept');
    });
  }
});

test('CreateFunction refuses a name that exists, with 409 and no change', async (t) => {
  const { registry, store } = await startRegistry(t);
  await registry.createFunction(createBody('dup'));
  const before = await snapshot(store);
  const other = makeZip({ 'other.js': 'x' });
  await rejectsWith(
    registry.createFunction(createBody('dup', { Code: { ZipFile: other.toString('base64') } })),
    {
      code: 'ResourceConflictException',
      status: 409,
      message: 'Function already exist: dup',
    },
  );
  assert.deepEqual(await snapshot(store), before);
});

test('CreateFunction accepts the edges of every range and echoes what it was given', async (t) => {
  const { registry } = await startRegistry(t);
  const fourKb = { BIG: 'x'.repeat(4096 - '{"BIG":""}'.length) };
  const created = await registry.createFunction(
    createBody(`${ARN}:${'n'.repeat(64)}`, {
      Runtime: 'provided.al2023',
      Handler: 'h'.repeat(128),
      Description: 'd'.repeat(256),
      MemorySize: 10240,
      Timeout: 900,
      EphemeralStorage: { Size: 10240 },
      Architectures: ['arm64'],
      Environment: { Variables: fourKb },
      TracingConfig: { Mode: 'Active' },
      DeadLetterConfig: { TargetArn: 'arn:aws:sqs:us-east-1:123456789012:dlq' },
      KMSKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/abc',
      LoggingConfig: { LogFormat: 'JSON', LogGroup: '/custom/group' },
      SnapStart: { ApplyOn: 'None' },
      Layers: [],
      Tags: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${String(i)}`, 'v'])),
      Publish: false,
    }),
  );
  assert.equal(created.FunctionName, 'n'.repeat(64));
  assert.equal(created.Handler, 'h'.repeat(128));
  assert.equal(created.MemorySize, 10240);
  assert.equal(created.Timeout, 900);
  assert.deepEqual(created.EphemeralStorage, { Size: 10240 });
  assert.deepEqual(created.Architectures, ['arm64']);
  assert.deepEqual(created.Environment, { Variables: fourKb });
  assert.deepEqual(created.TracingConfig, { Mode: 'Active' });
  assert.deepEqual(created.DeadLetterConfig, {
    TargetArn: 'arn:aws:sqs:us-east-1:123456789012:dlq',
  });
  assert.equal(created.KMSKeyArn, 'arn:aws:kms:us-east-1:123456789012:key/abc');
  // Switching to JSON logs sets both levels to INFO.
  assert.deepEqual(created.LoggingConfig, {
    LogFormat: 'JSON',
    ApplicationLogLevel: 'INFO',
    SystemLogLevel: 'INFO',
    LogGroup: '/custom/group',
  });
  assert.equal(created.Layers, undefined);
});

test('Environment is echoed only when given, even empty', async (t) => {
  const { registry } = await startRegistry(t);
  assert.equal((await registry.createFunction(createBody('none'))).Environment, undefined);
  assert.deepEqual(
    (await registry.createFunction(createBody('empty', { Environment: {} }))).Environment,
    {
      Variables: {},
    },
  );
});
