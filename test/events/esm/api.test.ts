/**
 * The event source mapping API through the real @aws-sdk/client-lambda: shapes and defaults per
 * source type, states, validation texts, duplicates, pagination.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
  type CreateEventSourceMappingCommandInput,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import {
  openFixture,
  queueArnOf,
  settled,
  startApi,
  streamArnOf,
  until,
  type Fixture,
} from './helpers.js';

async function setup(t: Parameters<typeof openFixture>[0]): Promise<{
  fixture: Fixture;
  lambda: LambdaClient;
}> {
  const fixture = await openFixture(t, { functions: { orders: 3, slow: 60, other: 3 } });
  await fixture.queues.createQueue({ name: 'jobs' });
  await fixture.queues.createQueue({ name: 'jobs.fifo', attributes: { FifoQueue: 'true' } });
  await fixture.streams.createStream({ streamName: 'telemetry', shardCount: 2 });
  return { fixture, lambda: await startApi(t, fixture) };
}

async function rejects(
  promise: Promise<unknown>,
  name: string,
  message: string,
  status = 400,
): Promise<void> {
  await assert.rejects(promise, (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(error.name, name, error.message);
    assert.equal(error.message, message);
    assert.equal(error.$metadata?.httpStatusCode, status);
    return true;
  });
}

describe('CreateEventSourceMapping', () => {
  it('creates an SQS mapping with its defaults, Creating then Enabled', async (t) => {
    const { fixture, lambda } = await setup(t);
    const created = await lambda.send(
      new CreateEventSourceMappingCommand({
        EventSourceArn: queueArnOf('jobs'),
        FunctionName: 'orders',
      }),
    );
    assert.equal(created.$metadata.httpStatusCode, 202);
    assert.match(created.UUID ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(created.State, 'Creating');
    assert.equal(created.StateTransitionReason, 'USER_INITIATED');
    assert.equal(created.BatchSize, 10);
    assert.equal(created.MaximumBatchingWindowInSeconds, 0);
    assert.deepEqual(created.FunctionResponseTypes, []);
    assert.equal(created.FunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:orders');
    assert.equal(created.EventSourceArn, queueArnOf('jobs'));
    assert.equal(
      created.EventSourceMappingArn,
      `arn:aws:lambda:us-east-1:000000000000:event-source-mapping:${created.UUID ?? ''}`,
    );
    // LastModified is a model timestamp: epoch seconds on the wire, a Date in the SDK.
    assert.ok(created.LastModified instanceof Date);
    assert.equal(created.LastModified.getTime(), fixture.clock.now());
    assert.equal(created.FilterCriteria, undefined);
    assert.equal(created.StartingPosition, undefined);
    assert.equal(await settled(fixture, created.UUID ?? ''), 'Enabled');
    const got = await lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID }));
    assert.equal(got.State, 'Enabled');
  });

  it('creates a Kinesis mapping with the stream defaults', async (t) => {
    const { fixture, lambda } = await setup(t);
    const created = await lambda.send(
      new CreateEventSourceMappingCommand({
        EventSourceArn: streamArnOf('telemetry'),
        FunctionName: 'orders:live',
        StartingPosition: 'TRIM_HORIZON',
        FilterCriteria: { Filters: [{ Pattern: '{"data":{"kind":["a"]}}' }] },
      }),
    );
    assert.equal(created.StartingPosition, 'TRIM_HORIZON');
    assert.equal(created.BatchSize, 100);
    assert.equal(created.ParallelizationFactor, 1);
    assert.equal(created.BisectBatchOnFunctionError, false);
    assert.equal(created.MaximumRecordAgeInSeconds, -1);
    assert.equal(created.MaximumRetryAttempts, -1);
    assert.equal(created.TumblingWindowInSeconds, 0);
    assert.deepEqual(created.DestinationConfig, { OnFailure: {} });
    assert.equal(created.LastProcessingResult, 'No records processed');
    assert.equal(created.StateTransitionReason, 'User action');
    assert.equal(created.FunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:orders:live');
    assert.deepEqual(created.FilterCriteria, {
      Filters: [{ Pattern: '{"data":{"kind":["a"]}}' }],
    });
    assert.equal(await settled(fixture, created.UUID ?? ''), 'Enabled');
  });

  it('creates a RabbitMQ mapping in the self-managed shape', async (t) => {
    const { lambda } = await setup(t);
    const access = [
      { Type: 'BASIC_AUTH' as const, URI: '{"username":"guest","password":"guest"}' },
      { Type: 'VIRTUAL_HOST' as const, URI: '/' },
    ];
    const created = await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'orders',
        Enabled: false,
        Queues: ['orders'],
        SourceAccessConfigurations: access,
        SelfManagedEventSource: {
          Endpoints: { RABBITMQ_BROKER_URLS: ['amqp://127.0.0.1:5672'] } as Record<
            string,
            string[]
          >,
        },
      }),
    );
    assert.equal(created.BatchSize, 100);
    assert.deepEqual(created.Queues, ['orders']);
    assert.deepEqual(created.SourceAccessConfigurations, access);
    assert.deepEqual(created.SelfManagedEventSource, {
      Endpoints: { RABBITMQ_BROKER_URLS: ['amqp://127.0.0.1:5672'] },
    });
  });

  it('answers AWS validation errors per source type', async (t) => {
    const { lambda } = await setup(t);
    const create = (input: Partial<CreateEventSourceMappingCommandInput>): Promise<unknown> =>
      lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'orders', ...input }));
    const invalid = 'InvalidParameterValueException';
    await rejects(create({}), invalid, 'Unrecognized event source.');
    await rejects(
      create({ EventSourceArn: streamArnOf('telemetry') }),
      invalid,
      "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.",
    );
    await rejects(
      create({ EventSourceArn: queueArnOf('jobs'), StartingPosition: 'LATEST' }),
      invalid,
      'StartingPosition is not valid for SQS event sources.',
    );
    await rejects(
      create({
        EventSourceArn: queueArnOf('jobs'),
        DestinationConfig: { OnFailure: { Destination: queueArnOf('jobs') } },
      }),
      invalid,
      'Unsupported DestinationConfig parameter for given event source mapping type.',
    );
    await rejects(
      create({ EventSourceArn: queueArnOf('jobs'), BatchSize: 11 }),
      invalid,
      'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10',
    );
    await rejects(
      create({ EventSourceArn: queueArnOf('jobs.fifo'), MaximumBatchingWindowInSeconds: 5 }),
      invalid,
      'Batching window is not supported for FIFO queues',
    );
    await rejects(
      create({
        EventSourceArn: queueArnOf('jobs'),
        FilterCriteria: { Filters: [{ Pattern: '{"body":' }] },
      }),
      invalid,
      'Invalid filter pattern definition.',
    );
    await rejects(
      create({ EventSourceArn: queueArnOf('jobs'), FunctionName: 'missing' }),
      invalid,
      'Function does not exist',
    );
    await rejects(
      create({ EventSourceArn: queueArnOf('nope') }),
      invalid,
      'Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist or you do not have access to it.',
    );
    await rejects(
      create({ EventSourceArn: streamArnOf('nope'), StartingPosition: 'LATEST' }),
      invalid,
      `Stream not found: ${streamArnOf('nope')}`,
    );
    await rejects(
      create({ EventSourceArn: queueArnOf('jobs'), FunctionName: 'slow' }),
      invalid,
      'Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds',
    );
    await rejects(
      create({ EventSourceArn: queueArnOf('jobs'), BatchSize: 0 }),
      'ValidationException',
      "1 validation error detected: Value '0' at 'batchSize' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    await rejects(
      create({
        EventSourceArn: streamArnOf('telemetry'),
        StartingPosition: 'LATEST',
        ParallelizationFactor: 11,
        MaximumRetryAttempts: -2,
      }),
      'ValidationException',
      "2 validation errors detected: Value '11' at 'parallelizationFactor' failed to satisfy constraint: Member must have value less than or equal to 10; Value '-2' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value greater than or equal to -1",
    );
    await rejects(
      create({ EventSourceArn: queueArnOf('jobs'), MaximumRetryAttempts: 2 }),
      invalid,
      'Unsupported MaximumRetryAttempts parameter for given event source mapping type.',
    );
    await rejects(
      create({ EventSourceArn: queueArnOf('jobs'), TumblingWindowInSeconds: 30 }),
      invalid,
      'Unsupported TumblingWindowInSeconds parameter for given event source mapping type.',
    );
    await rejects(
      create({
        EventSourceArn: streamArnOf('telemetry'),
        StartingPosition: 'LATEST',
        TumblingWindowInSeconds: 901,
      }),
      'ValidationException',
      "1 validation error detected: Value '901' at 'tumblingWindowInSeconds' failed to satisfy constraint: Member must have value less than or equal to 900",
    );
  });

  it('refuses a second mapping of the same source and function (409)', async (t) => {
    const { lambda } = await setup(t);
    const sqs = await lambda.send(
      new CreateEventSourceMappingCommand({
        EventSourceArn: queueArnOf('jobs'),
        FunctionName: 'orders',
      }),
    );
    await rejects(
      lambda.send(
        new CreateEventSourceMappingCommand({
          EventSourceArn: queueArnOf('jobs'),
          FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:orders',
        }),
      ),
      'ResourceConflictException',
      `An event source mapping with SQS arn (" ${queueArnOf('jobs')} ") and function (" orders ") already exists. Please update or delete the existing mapping with UUID ${sqs.UUID ?? ''}`,
      409,
    );
    const stream = await lambda.send(
      new CreateEventSourceMappingCommand({
        EventSourceArn: streamArnOf('telemetry'),
        FunctionName: 'orders',
        StartingPosition: 'LATEST',
      }),
    );
    await rejects(
      lambda.send(
        new CreateEventSourceMappingCommand({
          EventSourceArn: streamArnOf('telemetry'),
          FunctionName: 'orders',
          StartingPosition: 'TRIM_HORIZON',
        }),
      ),
      'ResourceConflictException',
      `The event source arn (" ${streamArnOf('telemetry')} ") and function (" orders ") provided mapping already exists. Please update or delete the existing mapping with UUID ${stream.UUID ?? ''}`,
      409,
    );
    // Another function, or a qualified one, is another mapping.
    await lambda.send(
      new CreateEventSourceMappingCommand({
        EventSourceArn: queueArnOf('jobs'),
        FunctionName: 'other',
      }),
    );
  });
});

describe('UpdateEventSourceMapping and DeleteEventSourceMapping', () => {
  it('go through Updating, Disabling and Deleting, refusing changes while transitional', async (t) => {
    const { fixture, lambda } = await setup(t);
    const { UUID } = await lambda.send(
      new CreateEventSourceMappingCommand({
        EventSourceArn: queueArnOf('jobs'),
        FunctionName: 'orders',
      }),
    );
    await settled(fixture, UUID ?? '');
    // An invocation in flight keeps the update from settling: the old poller finishes it first.
    let release = (): void => undefined;
    fixture.invoker.answer = () =>
      new Promise((resolve) => {
        release = () => {
          resolve({});
        };
      });
    await fixture.queues.sendMessage(queueArnOf('jobs'), { body: 'x' });
    await until(() => fixture.invoker.calls.length === 1);
    const busy = await lambda.send(new UpdateEventSourceMappingCommand({ UUID, BatchSize: 5 }));
    assert.equal(busy.State, 'Updating');
    await rejects(
      lambda.send(new UpdateEventSourceMappingCommand({ UUID, BatchSize: 6 })),
      'ResourceInUseException',
      'Cannot update the event source mapping because it is in use.',
    );
    await rejects(
      lambda.send(new DeleteEventSourceMappingCommand({ UUID })),
      'ResourceInUseException',
      'Cannot delete the event source mapping because it is in use.',
    );
    release();
    assert.equal(await settled(fixture, UUID ?? ''), 'Enabled');
    const updated = await lambda.send(
      new UpdateEventSourceMappingCommand({
        UUID,
        BatchSize: 100,
        MaximumBatchingWindowInSeconds: 2,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 5 },
      }),
    );
    assert.equal(updated.$metadata.httpStatusCode, 202);
    assert.equal(updated.State, 'Updating');
    assert.equal(updated.BatchSize, 100);
    assert.deepEqual(updated.FunctionResponseTypes, ['ReportBatchItemFailures']);
    assert.deepEqual(updated.ScalingConfig, { MaximumConcurrency: 5 });
    assert.equal(await settled(fixture, UUID ?? ''), 'Enabled');

    const disabling = await lambda.send(
      new UpdateEventSourceMappingCommand({ UUID, Enabled: false }),
    );
    assert.equal(disabling.State, 'Disabling');
    assert.equal(await settled(fixture, UUID ?? ''), 'Disabled');
    await rejects(
      lambda.send(
        new UpdateEventSourceMappingCommand({
          UUID,
          BatchSize: 20,
          MaximumBatchingWindowInSeconds: 0,
        }),
      ),
      'InvalidParameterValueException',
      'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10',
    );

    const deleted = await lambda.send(new DeleteEventSourceMappingCommand({ UUID }));
    assert.equal(deleted.$metadata.httpStatusCode, 202);
    assert.equal(deleted.State, 'Deleting');
    let gone = false;
    for (let i = 0; i < 100 && !gone; i++) {
      gone = await lambda.send(new GetEventSourceMappingCommand({ UUID })).then(
        () => false,
        (error: unknown) => (error as Error).name === 'ResourceNotFoundException',
      );
    }
    assert.ok(gone);
    await rejects(
      lambda.send(new GetEventSourceMappingCommand({ UUID })),
      'ResourceNotFoundException',
      'The resource you requested does not exist.',
      404,
    );
  });
});

describe('ListEventSourceMappings', () => {
  it('filters by source and function and pages with Marker', async (t) => {
    const { lambda } = await setup(t);
    const made: string[] = [];
    for (const fn of ['orders', 'other', 'orders:live']) {
      const m = await lambda.send(
        new CreateEventSourceMappingCommand({
          EventSourceArn: queueArnOf('jobs'),
          FunctionName: fn,
        }),
      );
      made.push(m.UUID ?? '');
    }
    await lambda.send(
      new CreateEventSourceMappingCommand({
        EventSourceArn: streamArnOf('telemetry'),
        FunctionName: 'orders',
        StartingPosition: 'LATEST',
      }),
    );
    const all = await lambda.send(new ListEventSourceMappingsCommand({}));
    assert.equal(all.EventSourceMappings?.length, 4);
    assert.equal(all.NextMarker, undefined);

    const byQueue = await lambda.send(
      new ListEventSourceMappingsCommand({ EventSourceArn: queueArnOf('jobs') }),
    );
    assert.deepEqual(
      byQueue.EventSourceMappings?.map((m) => m.UUID),
      made,
    );
    const byFunction = await lambda.send(
      new ListEventSourceMappingsCommand({
        FunctionName: 'orders',
        EventSourceArn: queueArnOf('jobs'),
      }),
    );
    assert.deepEqual(
      byFunction.EventSourceMappings?.map((m) => m.UUID),
      [made[0], made[2]],
    );
    const qualified = await lambda.send(
      new ListEventSourceMappingsCommand({ FunctionName: 'orders:live' }),
    );
    assert.deepEqual(
      qualified.EventSourceMappings?.map((m) => m.UUID),
      [made[2]],
    );

    const first = await lambda.send(new ListEventSourceMappingsCommand({ MaxItems: 3 }));
    assert.equal(first.EventSourceMappings?.length, 3);
    assert.ok(first.NextMarker);
    const second = await lambda.send(
      new ListEventSourceMappingsCommand({ MaxItems: 3, Marker: first.NextMarker }),
    );
    assert.equal(second.EventSourceMappings?.length, 1);
    assert.equal(second.NextMarker, undefined);
  });
});
