/**
 * EventSourceMappingConfiguration as Lambda answers it, per source type (spec §1.5, response
 * defaults recorded from AWS): timestamps in epoch seconds, FilterCriteria omitted when empty.
 * https://docs.aws.amazon.com/lambda/latest/api/API_EventSourceMappingConfiguration.html
 */
import type { AccountContext } from '../../core/arn.js';
import { BROKER_URLS_KEY } from '../rabbitmq/source-config.js';
import type { MappingRecord } from './types.js';

export type MappingConfiguration = Readonly<Record<string, unknown>>;

export function esmArn(ctx: AccountContext, uuid: string): string {
  return `arn:aws:lambda:${ctx.region}:${ctx.accountId}:event-source-mapping:${uuid}`;
}

export function renderMapping(ctx: AccountContext, m: MappingRecord): MappingConfiguration {
  const s = m.settings;
  const filter =
    s.filterPatterns.length > 0
      ? { FilterCriteria: { Filters: s.filterPatterns.map((Pattern) => ({ Pattern })) } }
      : {};
  const common = {
    BatchSize: s.batchSize,
    MaximumBatchingWindowInSeconds: s.maximumBatchingWindowInSeconds,
    ...(m.eventSourceArn === undefined ? {} : { EventSourceArn: m.eventSourceArn }),
    ...filter,
    FunctionArn: m.functionArn,
    LastModified: m.lastModifiedMs / 1000,
  };
  const tail = { State: m.state, StateTransitionReason: m.stateTransitionReason };
  const arn = { EventSourceMappingArn: esmArn(ctx, m.uuid) };
  switch (s.kind) {
    case 'sqs':
      return {
        UUID: m.uuid,
        ...common,
        ...tail,
        FunctionResponseTypes: s.reportBatchItemFailures ? ['ReportBatchItemFailures'] : [],
        ...(s.maximumConcurrency === undefined
          ? {}
          : { ScalingConfig: { MaximumConcurrency: s.maximumConcurrency } }),
        ...arn,
      };
    case 'kinesis':
      return {
        UUID: m.uuid,
        StartingPosition: s.startingPosition,
        ...(s.startingPositionTimestamp === undefined
          ? {}
          : { StartingPositionTimestamp: s.startingPositionTimestamp }),
        ...common,
        ParallelizationFactor: s.parallelizationFactor,
        LastProcessingResult: m.lastProcessingResult ?? 'No records processed',
        ...tail,
        DestinationConfig: {
          OnFailure:
            s.onFailureDestination === undefined ? {} : { Destination: s.onFailureDestination },
        },
        MaximumRecordAgeInSeconds: s.maximumRecordAgeInSeconds,
        BisectBatchOnFunctionError: s.bisectBatchOnFunctionError,
        MaximumRetryAttempts: s.maximumRetryAttempts,
        TumblingWindowInSeconds: s.tumblingWindowInSeconds,
        FunctionResponseTypes: s.reportBatchItemFailures ? ['ReportBatchItemFailures'] : [],
        ...arn,
      };
    case 'rabbitmq':
      return {
        UUID: m.uuid,
        ...common,
        LastProcessingResult: m.lastProcessingResult ?? 'No records processed',
        ...tail,
        Queues: [s.queue],
        SourceAccessConfigurations: s.sourceAccessConfigurations,
        SelfManagedEventSource: { Endpoints: { [BROKER_URLS_KEY]: s.brokerUrls } },
        ...arn,
      };
  }
}
