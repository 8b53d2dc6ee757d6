/**
 * The rules of each source type: which members apply, their defaults, and Lambda's semantic checks
 * (InvalidParameterValueException with AWS's texts, spec §1.2 and §1.5 "Event source mappings").
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html
 * https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-parameters.html
 * https://docs.aws.amazon.com/lambda/latest/dg/services-mq-params.html
 */
import { invalidParameter } from '../../core/errors.js';
import { compileFilterCriteria, EventPatternError, type FilterSource } from '../filter/index.js';
import { parseRabbitMqSource } from '../rabbitmq/source-config.js';
import type { MappingRequest } from './request.js';
import type {
  KinesisSettings,
  MappingSettings,
  RabbitMqSettings,
  SourceKind,
  SqsSettings,
} from './types.js';

/** Lambda lets a mapping have at most five filters. */
const MAX_FILTERS = 5;

/** Top-level members each source type does not take (Create/Update bodies). */
const NOT_FOR: Readonly<Record<SourceKind, readonly string[]>> = {
  sqs: [
    'ParallelizationFactor',
    'BisectBatchOnFunctionError',
    'MaximumRetryAttempts',
    'MaximumRecordAgeInSeconds',
    'TumblingWindowInSeconds',
    'Queues',
    'SourceAccessConfigurations',
    'SelfManagedEventSource',
    'Topics',
  ],
  kinesis: [
    'ScalingConfig',
    'Queues',
    'SourceAccessConfigurations',
    'SelfManagedEventSource',
    'Topics',
  ],
  rabbitmq: [
    'StartingPosition',
    'StartingPositionTimestamp',
    'ParallelizationFactor',
    'BisectBatchOnFunctionError',
    'MaximumRetryAttempts',
    'MaximumRecordAgeInSeconds',
    'TumblingWindowInSeconds',
    'ScalingConfig',
    'Topics',
  ],
};

/** The event source a Create request names, from its EventSourceArn or SelfManagedEventSource. */
export function sourceKindOf(request: MappingRequest): SourceKind {
  const arn = request.eventSourceArn;
  if (request.endpoints !== undefined) {
    if (request.endpoints.KAFKA_BOOTSTRAP_SERVERS !== undefined) {
      throw invalidParameter('Fogbank does not support Apache Kafka event sources.');
    }
    return 'rabbitmq';
  }
  if (arn === undefined || arn === '') {
    throw invalidParameter('Unrecognized event source.');
  }
  if (/^arn:aws[a-zA-Z-]*:sqs:/.test(arn)) {
    return 'sqs';
  }
  if (/^arn:aws[a-zA-Z-]*:kinesis:[^:]*:\d{12}:stream\/[^/]+$/.test(arn)) {
    return 'kinesis';
  }
  if (/^arn:aws[a-zA-Z-]*:mq:/.test(arn)) {
    // Fogbank has no Amazon MQ to look a broker up in: the broker's address comes with the mapping.
    throw invalidParameter(
      "A RabbitMQ mapping needs the broker's address: give SelfManagedEventSource.Endpoints.RABBITMQ_BROKER_URLS.",
    );
  }
  throw invalidParameter('Unrecognized event source.');
}

/** Refuses members the source type does not take, in AWS's words where AWS has them. */
export function checkApplicable(kind: SourceKind, request: MappingRequest): void {
  if (kind === 'sqs' && request.present.has('StartingPosition')) {
    throw invalidParameter('StartingPosition is not valid for SQS event sources.');
  }
  const destinationGiven =
    (request.onFailureDestination ?? '') !== '' || request.onSuccessDestination !== undefined;
  if (destinationGiven && (kind !== 'kinesis' || request.onSuccessDestination !== undefined)) {
    throw invalidParameter(
      'Unsupported DestinationConfig parameter for given event source mapping type.',
    );
  }
  if (kind === 'rabbitmq' && request.reportBatchItemFailures === true) {
    throw unsupported('FunctionResponseTypes');
  }
  for (const member of NOT_FOR[kind]) {
    if (request.present.has(member)) {
      throw unsupported(member);
    }
  }
}

function unsupported(member: string): Error {
  return invalidParameter(`Unsupported ${member} parameter for given event source mapping type.`);
}

/** Compiles the patterns once to validate them (`Invalid filter pattern definition.`). */
export function checkFilters(patterns: readonly string[], source: FilterSource): void {
  if (patterns.length > MAX_FILTERS) {
    throw invalidParameter(
      `The number of filters in FilterCriteria exceeds the limit of ${MAX_FILTERS}.`,
    );
  }
  try {
    compileFilterCriteria(patterns, source);
  } catch (error) {
    if (error instanceof EventPatternError) {
      throw invalidParameter('Invalid filter pattern definition.');
    }
    throw error;
  }
}

/** Which filter rules a source's records follow (RabbitMQ's `data` is base64, as Kinesis's). */
export function filterSourceOf(kind: SourceKind): FilterSource {
  return kind === 'sqs' ? 'sqs' : 'kinesis';
}

/** SQS settings: the request's members over `base` (defaults on create, the mapping on update). */
export function sqsSettings(
  request: MappingRequest,
  fifo: boolean,
  base: SqsSettings | undefined,
): SqsSettings {
  const batchSize = request.batchSize ?? base?.batchSize ?? 10;
  const window =
    request.maximumBatchingWindowInSeconds ?? base?.maximumBatchingWindowInSeconds ?? 0;
  if (batchSize > 10 && window === 0) {
    throw invalidParameter(
      'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10',
    );
  }
  // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html: "Batching window
  // is not supported for FIFO queues", and their batch size is at most 10.
  if (fifo && window > 0) {
    throw invalidParameter('Batching window is not supported for FIFO queues');
  }
  const maximumConcurrency =
    request.maximumConcurrency === undefined
      ? base?.maximumConcurrency
      : request.maximumConcurrency;
  const settings: SqsSettings = {
    kind: 'sqs',
    fifo,
    batchSize,
    maximumBatchingWindowInSeconds: window,
    filterPatterns: request.filterPatterns ?? base?.filterPatterns ?? [],
    reportBatchItemFailures:
      request.reportBatchItemFailures ?? base?.reportBatchItemFailures ?? false,
    ...(maximumConcurrency === undefined || maximumConcurrency === null
      ? {}
      : { maximumConcurrency }),
  };
  checkFilters(settings.filterPatterns, 'sqs');
  return settings;
}

/** Kinesis settings over `base`; StartingPosition is fixed at creation. */
export function kinesisSettings(
  request: MappingRequest,
  base: KinesisSettings | undefined,
): KinesisSettings {
  const startingPosition = base?.startingPosition ?? request.startingPosition;
  if (startingPosition === undefined) {
    throw invalidParameter(
      "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.",
    );
  }
  const timestamp = base?.startingPositionTimestamp ?? request.startingPositionTimestamp;
  if (base === undefined && startingPosition === 'AT_TIMESTAMP' && timestamp === undefined) {
    throw invalidParameter(
      'StartingPositionTimestamp must be provided when StartingPosition is AT_TIMESTAMP.',
    );
  }
  if (base === undefined && startingPosition !== 'AT_TIMESTAMP' && timestamp !== undefined) {
    throw invalidParameter(
      'StartingPositionTimestamp is only valid when StartingPosition is AT_TIMESTAMP.',
    );
  }
  const maxAge = request.maximumRecordAgeInSeconds ?? base?.maximumRecordAgeInSeconds ?? -1;
  if (maxAge !== -1 && maxAge < 60) {
    throw invalidParameter(
      'MaximumRecordAgeInSeconds must be -1 (no limit) or between 60 and 604800.',
    );
  }
  const destination =
    request.onFailureDestination === undefined
      ? base?.onFailureDestination
      : request.onFailureDestination || undefined;
  const settings: KinesisSettings = {
    kind: 'kinesis',
    startingPosition,
    ...(timestamp === undefined ? {} : { startingPositionTimestamp: timestamp }),
    batchSize: request.batchSize ?? base?.batchSize ?? 100,
    maximumBatchingWindowInSeconds:
      request.maximumBatchingWindowInSeconds ?? base?.maximumBatchingWindowInSeconds ?? 0,
    filterPatterns: request.filterPatterns ?? base?.filterPatterns ?? [],
    parallelizationFactor: request.parallelizationFactor ?? base?.parallelizationFactor ?? 1,
    bisectBatchOnFunctionError:
      request.bisectBatchOnFunctionError ?? base?.bisectBatchOnFunctionError ?? false,
    maximumRetryAttempts: request.maximumRetryAttempts ?? base?.maximumRetryAttempts ?? -1,
    maximumRecordAgeInSeconds: maxAge,
    reportBatchItemFailures:
      request.reportBatchItemFailures ?? base?.reportBatchItemFailures ?? false,
    tumblingWindowInSeconds: request.tumblingWindowInSeconds ?? base?.tumblingWindowInSeconds ?? 0,
    ...(destination === undefined ? {} : { onFailureDestination: destination }),
  };
  checkFilters(settings.filterPatterns, 'kinesis');
  return settings;
}

/** RabbitMQ settings over `base`: the broker and queue are fixed at creation. */
export function rabbitMqSettings(
  request: MappingRequest,
  base: RabbitMqSettings | undefined,
): RabbitMqSettings {
  const source = parseRabbitMqSource({
    endpoints: base === undefined ? request.endpoints : { RABBITMQ_BROKER_URLS: base.brokerUrls },
    queues: base === undefined ? request.queues : [base.queue],
    sourceAccessConfigurations:
      request.sourceAccessConfigurations ?? base?.sourceAccessConfigurations,
  });
  const settings: RabbitMqSettings = {
    kind: 'rabbitmq',
    ...source,
    batchSize: request.batchSize ?? base?.batchSize ?? 100,
    maximumBatchingWindowInSeconds:
      request.maximumBatchingWindowInSeconds ?? base?.maximumBatchingWindowInSeconds ?? 0,
    filterPatterns: request.filterPatterns ?? base?.filterPatterns ?? [],
  };
  checkFilters(settings.filterPatterns, 'kinesis');
  return settings;
}

/** The settings' kind-specific builder, for updates (the kind never changes). */
export function updatedSettings(request: MappingRequest, base: MappingSettings): MappingSettings {
  checkApplicable(base.kind, request);
  switch (base.kind) {
    case 'sqs':
      return sqsSettings(request, base.fifo, base);
    case 'kinesis':
      return kinesisSettings(request, base);
    case 'rabbitmq':
      return rabbitMqSettings(request, base);
  }
}
