import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ARN, rejectsWith, setup } from './helpers.js';

const QUEUE = 'arn:aws:sqs:us-east-1:123456789012:failed';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:done';
const BUS = 'arn:aws:events:us-east-1:123456789012:event-bus/default';
const BUCKET = 'arn:aws:s3:::failures';

test('Put answers FunctionEventInvokeConfig: qualified ARN, epoch-seconds LastModified, both destinations, unset settings omitted', async (t) => {
  const { services, registry } = await setup(t);
  registry.add('orders');
  const put = await services.eventInvokeConfigs.put('orders', undefined, {
    MaximumRetryAttempts: 0,
  });
  assert.deepEqual(put, {
    FunctionArn: ARN('orders', '$LATEST'),
    LastModified: Date.UTC(2025, 4, 1, 12, 34, 56, 789) / 1000,
    MaximumRetryAttempts: 0,
    DestinationConfig: { OnSuccess: {}, OnFailure: {} },
  });
  assert.deepEqual(await services.eventInvokeConfigs.get('orders', '$LATEST'), put);
  assert.deepEqual(await services.eventInvokeConfigs.get(ARN('orders'), undefined), put);
});

test('Put replaces the whole config; Update merges into it and needs one to exist', async (t) => {
  const { services, registry, clock, destinations } = await setup(t);
  registry.add('orders');
  destinations.add(QUEUE);
  const configs = services.eventInvokeConfigs;
  await rejectsWith(configs.update('orders', undefined, { MaximumRetryAttempts: 1 }), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `The function ${ARN('orders', '$LATEST')} doesn't have an EventInvokeConfig`,
  });
  await configs.put('orders', undefined, {
    MaximumRetryAttempts: 0,
    DestinationConfig: { OnFailure: { Destination: QUEUE } },
  });
  const replaced = await configs.put('orders', undefined, { MaximumEventAgeInSeconds: 60 });
  assert.equal(replaced.MaximumRetryAttempts, undefined);
  assert.equal(replaced.MaximumEventAgeInSeconds, 60);
  assert.deepEqual(replaced.DestinationConfig, { OnSuccess: {}, OnFailure: {} });

  await clock.advance(5_000);
  const updated = await configs.update('orders', undefined, {
    MaximumRetryAttempts: 1,
    DestinationConfig: { OnFailure: { Destination: QUEUE } },
  });
  assert.deepEqual(updated, {
    FunctionArn: ARN('orders', '$LATEST'),
    LastModified: (Date.UTC(2025, 4, 1, 12, 34, 56, 789) + 5_000) / 1000,
    MaximumRetryAttempts: 1,
    MaximumEventAgeInSeconds: 60,
    DestinationConfig: { OnSuccess: {}, OnFailure: { Destination: QUEUE } },
  });
  const kept = await configs.update('orders', undefined, { MaximumEventAgeInSeconds: 120 });
  assert.deepEqual(kept.DestinationConfig.OnFailure, { Destination: QUEUE });
  assert.equal(kept.MaximumRetryAttempts, 1);
});

test('configs are per qualifier: $LATEST, a version, an alias, named by ARN or Qualifier', async (t) => {
  const { services, registry } = await setup(t);
  registry.add('orders', '1', 'live');
  const configs = services.eventInvokeConfigs;
  await configs.put('orders', '1', { MaximumRetryAttempts: 1 });
  await configs.put(`${ARN('orders')}:live`, undefined, { MaximumRetryAttempts: 2 });
  await configs.put('orders:live', 'live', { MaximumRetryAttempts: 0 });
  assert.equal((await configs.get('orders', 'live')).FunctionArn, ARN('orders', 'live'));
  assert.equal((await configs.get('orders', 'live')).MaximumRetryAttempts, 0);
  assert.equal(
    (await configs.get('123456789012:function:orders:1', undefined)).FunctionArn,
    ARN('orders', '1'),
  );
  await rejectsWith(configs.get('orders', '$LATEST'), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `The function ${ARN('orders', '$LATEST')} doesn't have an EventInvokeConfig`,
  });
  await rejectsWith(configs.put('orders:live', '1', { MaximumRetryAttempts: 0 }), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: 'The derived qualifier from the function name does not match the specified qualifier.',
  });
  for (const [name, qualifier] of [
    ['orders', 'nope'],
    ['orders', '7'],
    ['missing', undefined],
  ] as const) {
    await rejectsWith(configs.put(name, qualifier, { MaximumRetryAttempts: 0 }), {
      code: 'ResourceNotFoundException',
      status: 404,
      message: "The function doesn't exist.",
    });
  }
  await rejectsWith(configs.get('orders', 'bad?qualifier'), {
    code: 'ValidationException',
    status: 400,
    message:
      "1 validation error detected: Value 'bad?qualifier' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)",
  });
});

test('settings are validated with AWS texts and nothing is stored when they fail', async (t) => {
  const { services, registry } = await setup(t);
  registry.add('orders');
  const configs = services.eventInvokeConfigs;
  await rejectsWith(configs.put('orders', undefined, { MaximumRetryAttempts: 3 }), {
    code: 'ValidationException',
    status: 400,
    message:
      "1 validation error detected: Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2",
  });
  await rejectsWith(
    configs.put('orders', undefined, { MaximumRetryAttempts: -1, MaximumEventAgeInSeconds: 59 }),
    {
      code: 'ValidationException',
      status: 400,
      message:
        "2 validation errors detected: Value '-1' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value greater than or equal to 0; Value '59' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60",
    },
  );
  await rejectsWith(configs.put('orders', undefined, { MaximumEventAgeInSeconds: 21_601 }), {
    code: 'ValidationException',
    status: 400,
    message:
      "1 validation error detected: Value '21601' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value less than or equal to 21600",
  });
  await rejectsWith(configs.put('orders', undefined, {}), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: 'You must specify at least one of error handling or destination setting.',
  });
  await rejectsWith(configs.update('orders', undefined, undefined), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: 'You must specify at least one of error handling or destination setting.',
  });
  const bad = 'arn:aws:_-/!lambda:us-east-1:123456789012:function:orders';
  await rejectsWith(
    configs.put('orders', undefined, { DestinationConfig: { OnFailure: { Destination: bad } } }),
    {
      code: 'ValidationException',
      status: 400,
      message: `1 validation error detected: Value '${bad}' at 'destinationConfig.onFailure.destination' failed to satisfy constraint: Member must satisfy regular expression pattern: ^$|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)`,
    },
  );
  await rejectsWith(configs.put('orders', undefined, { MaximumRetryAttempts: '1' }), {
    code: 'InvalidRequestContentException',
    status: 400,
    message:
      "Could not parse request body into json: Unexpected value for member 'MaximumRetryAttempts': expected an integer.",
  });
  await rejectsWith(configs.get('orders', undefined), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `The function ${ARN('orders', '$LATEST')} doesn't have an EventInvokeConfig`,
  });
  // An empty destination object is a destination setting of its own.
  const empty = await configs.put('orders', undefined, { DestinationConfig: { OnSuccess: {} } });
  assert.deepEqual(empty.DestinationConfig, { OnSuccess: {}, OnFailure: {} });
  assert.equal(empty.MaximumRetryAttempts, undefined);
});

test('destinations: a function (never itself), a queue, a topic, a bus, a bucket on failure; others refused', async (t) => {
  const { services, registry, destinations } = await setup(t);
  registry.add('orders', 'live');
  registry.add('audit');
  destinations.add(QUEUE).add(TOPIC).add(BUS).add(BUCKET);
  const configs = services.eventInvokeConfigs;
  const put = (onSuccess?: string, onFailure?: string) =>
    configs.put('orders', undefined, {
      DestinationConfig: {
        ...(onSuccess === undefined ? {} : { OnSuccess: { Destination: onSuccess } }),
        ...(onFailure === undefined ? {} : { OnFailure: { Destination: onFailure } }),
      },
    });

  assert.deepEqual((await put(ARN('audit'), QUEUE)).DestinationConfig, {
    OnSuccess: { Destination: ARN('audit') },
    OnFailure: { Destination: QUEUE },
  });
  assert.deepEqual((await put(TOPIC, BUS)).DestinationConfig, {
    OnSuccess: { Destination: TOPIC },
    OnFailure: { Destination: BUS },
  });
  assert.deepEqual((await put(undefined, BUCKET)).DestinationConfig.OnFailure, {
    Destination: BUCKET,
  });

  for (const self of [ARN('orders'), ARN('orders', 'live')]) {
    await rejectsWith(put(self), {
      code: 'InvalidParameterValueException',
      status: 400,
      message: "You can't specify the function as a destination for itself.",
    });
  }
  for (const unknown of [
    ARN('doesnotexist'),
    'arn:aws:sqs:us-east-1:123456789012:nope',
    'arn:aws:sns:us-east-1:123456789012:nope',
    'arn:aws:lambda:us-east-1:999999999999:function:audit',
  ]) {
    await rejectsWith(put(unknown), {
      code: 'InvalidParameterValueException',
      status: 400,
      message: `The destination ARN ${unknown} is invalid.`,
    });
  }
  const iam = 'arn:aws:iam:us-east-1:123456789012:function:orders';
  await rejectsWith(put(iam), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: `The provided destination config DestinationConfig(onSuccess=OnSuccess(destination=${iam}), onFailure=null) is invalid.`,
  });
  const rule = 'arn:aws:events:us-east-1:123456789012:rule/nightly';
  await rejectsWith(put(QUEUE, rule), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: `The provided destination config DestinationConfig(onSuccess=OnSuccess(destination=${QUEUE}), onFailure=OnFailure(destination=${rule})) is invalid.`,
  });
  await rejectsWith(put(BUCKET), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: `The provided destination config DestinationConfig(onSuccess=OnSuccess(destination=${BUCKET}), onFailure=null) is invalid.`,
  });
  // The failed calls changed nothing.
  assert.deepEqual((await configs.get('orders', undefined)).DestinationConfig.OnFailure, {
    Destination: BUCKET,
  });
});

test('Delete answers nothing, then 404s; a function without configs lists none', async (t) => {
  const { services, registry } = await setup(t);
  registry.add('orders');
  const configs = services.eventInvokeConfigs;
  await configs.put('orders', undefined, { MaximumRetryAttempts: 1 });
  await configs.delete('orders', undefined);
  await rejectsWith(configs.delete('orders', '$LATEST'), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `The function ${ARN('orders', '$LATEST')} doesn't have an EventInvokeConfig`,
  });
  await rejectsWith(configs.delete('doesnotexist', undefined), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `The function ${ARN('doesnotexist', '$LATEST')} doesn't have an EventInvokeConfig`,
  });
  assert.deepEqual(await configs.list('orders', {}), { FunctionEventInvokeConfigs: [] });
  await rejectsWith(configs.list('doesnotexist', {}), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: "The function doesn't exist.",
  });
});

test('List pages in creation order (a replaced config keeps its place), at most 50 a page', async (t) => {
  const { services, registry } = await setup(t);
  registry.add('orders', '1', 'live');
  const configs = services.eventInvokeConfigs;
  await configs.put('orders', undefined, { MaximumRetryAttempts: 0 });
  await configs.put('orders', '1', { MaximumRetryAttempts: 1 });
  await configs.put('orders', 'live', { MaximumRetryAttempts: 2 });
  await configs.put('orders', undefined, { MaximumRetryAttempts: 2 });
  const first = await configs.list('orders', { maxItems: 2 });
  assert.deepEqual(
    first.FunctionEventInvokeConfigs.map((c) => c.FunctionArn),
    [ARN('orders', '$LATEST'), ARN('orders', '1')],
  );
  assert.ok(first.NextMarker !== undefined);
  const second = await configs.list(ARN('orders'), { maxItems: 2, marker: first.NextMarker });
  assert.deepEqual(second, {
    FunctionEventInvokeConfigs: [await configs.get('orders', 'live')],
  });
  await rejectsWith(configs.list('orders', { maxItems: 51 }), {
    code: 'ValidationException',
    status: 400,
    message:
      "1 validation error detected: Value '51' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 50",
  });
  await rejectsWith(configs.list('orders', { marker: 'garbage' }), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: 'Invalid Marker: garbage was not returned by a previous list call.',
  });
});

test('eventInvokeConfig: the exact qualifier, else AWS defaults, from memory once read', async (t) => {
  const { services, registry, store } = await setup(t);
  registry.add('orders', 'live');
  const configs = services.eventInvokeConfigs;
  const defaults = { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 21_600 };
  assert.deepEqual(await configs.eventInvokeConfig('orders', undefined), defaults);
  registry.add('audit');
  await configs.put('orders', 'live', {
    MaximumRetryAttempts: 0,
    DestinationConfig: { OnSuccess: { Destination: ARN('audit') } },
  });
  assert.deepEqual(await configs.eventInvokeConfig('orders', 'live'), {
    maximumRetryAttempts: 0,
    maximumEventAgeInSeconds: 21_600,
    onSuccess: ARN('audit'),
  });
  // An alias's config does not apply to $LATEST.
  assert.deepEqual(await configs.eventInvokeConfig('orders', '$LATEST'), defaults);
  // A write behind the service's back is not seen: the answers come from memory.
  await store.putEventInvokeConfig({
    functionName: 'orders',
    qualifier: '$LATEST',
    maximumRetryAttempts: 1,
    lastModified: 0,
  });
  assert.deepEqual(await configs.eventInvokeConfig('orders', undefined), defaults);
  configs.forget('orders');
  assert.deepEqual(await configs.eventInvokeConfig('orders', ''), {
    maximumRetryAttempts: 1,
    maximumEventAgeInSeconds: 21_600,
  });
});
