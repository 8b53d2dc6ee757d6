/**
 * Event source mappings as Fogbank keeps them: one record per mapping, with its settings already
 * validated and defaulted for its source type. The API shape (EventSourceMappingConfiguration) is
 * rendered from it in render.ts.
 * https://docs.aws.amazon.com/lambda/latest/api/API_EventSourceMappingConfiguration.html
 */

/** The event sources Fogbank polls. */
export type SourceKind = 'sqs' | 'kinesis' | 'rabbitmq';

/**
 * The states Lambda reports. Create, Update and Delete answer with a transitional state
 * (`Creating`, `Enabling`, `Disabling`, `Updating`, `Deleting`); the mapping settles once its
 * pollers have been (re)configured.
 */
export type EsmState =
  'Creating' | 'Enabling' | 'Enabled' | 'Disabling' | 'Disabled' | 'Updating' | 'Deleting';

export const TRANSITIONAL_STATES: ReadonlySet<EsmState> = new Set([
  'Creating',
  'Enabling',
  'Disabling',
  'Updating',
  'Deleting',
]);

export type StartingPosition = 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';

/** One `SourceAccessConfigurations` entry, as given. */
export interface SourceAccessConfiguration {
  readonly Type: string;
  readonly URI: string;
}

/** Settings every source type has. */
interface CommonSettings {
  readonly batchSize: number;
  readonly maximumBatchingWindowInSeconds: number;
  /** `FilterCriteria.Filters[].Pattern`, in order; empty when there is no filter. */
  readonly filterPatterns: readonly string[];
}

export interface SqsSettings extends CommonSettings {
  readonly kind: 'sqs';
  readonly fifo: boolean;
  readonly reportBatchItemFailures: boolean;
  /** ScalingConfig.MaximumConcurrency (2–1000), when set. */
  readonly maximumConcurrency?: number;
}

export interface KinesisSettings extends CommonSettings {
  readonly kind: 'kinesis';
  readonly startingPosition: StartingPosition;
  /** Epoch seconds, with AT_TIMESTAMP. */
  readonly startingPositionTimestamp?: number;
  readonly parallelizationFactor: number;
  readonly bisectBatchOnFunctionError: boolean;
  /** -1 (retry until the record expires) or 0–10000. */
  readonly maximumRetryAttempts: number;
  /** -1 (no limit) or 60–604800. */
  readonly maximumRecordAgeInSeconds: number;
  readonly reportBatchItemFailures: boolean;
  /** 0 (none) or 1–900: records are aggregated per window of this length (tumbling-window.ts). */
  readonly tumblingWindowInSeconds: number;
  /** DestinationConfig.OnFailure.Destination: an SQS queue or SNS topic ARN. */
  readonly onFailureDestination?: string;
}

export interface RabbitMqSettings extends CommonSettings {
  readonly kind: 'rabbitmq';
  /** `SelfManagedEventSource.Endpoints.RABBITMQ_BROKER_URLS`: tried in order on every (re)connect. */
  readonly brokerUrls: readonly string[];
  readonly queue: string;
  readonly virtualHost: string;
  readonly username: string;
  readonly password: string;
  /** The SourceAccessConfigurations as given, echoed in responses. */
  readonly sourceAccessConfigurations: readonly SourceAccessConfiguration[];
}

export type MappingSettings = SqsSettings | KinesisSettings | RabbitMqSettings;

/** One event source mapping, as stored. */
export interface MappingRecord {
  /** A v4 UUID. */
  readonly uuid: string;
  /** The queue, stream or broker ARN, when the mapping names one. */
  readonly eventSourceArn?: string;
  /**
   * What "the same event source" means for the one-mapping-per-source-and-function rule: the
   * event source ARN, or for a self-managed broker its endpoints, virtual host and queue.
   */
  readonly sourceKey: string;
  /** The function's name, without qualifier. */
  readonly functionName: string;
  readonly qualifier?: string;
  /** The function ARN as the request named it: unqualified, or with its qualifier. */
  readonly functionArn: string;
  /** What the user asked for; the state follows it once settled. */
  readonly enabled: boolean;
  readonly state: EsmState;
  readonly stateTransitionReason: string;
  /** Epoch milliseconds of the last create or update. */
  readonly lastModifiedMs: number;
  /** Stream mappings report how the last batch went (`OK`, `PROBLEM: …`). */
  readonly lastProcessingResult?: string;
  readonly settings: MappingSettings;
}

/** Where a listing of mappings resumes: after the mapping with this creation order. */
export interface MappingListQuery {
  readonly eventSourceArn?: string;
  /** Mappings of this function name (any qualifier)… */
  readonly functionName?: string;
  /** …or, when set, of exactly this function ARN. */
  readonly functionArn?: string;
  /** The creation order of the last mapping already returned. */
  readonly after?: number;
  readonly limit: number;
}

/** A listed mapping with its place in creation order (the pagination cursor). */
export interface ListedMapping {
  readonly order: number;
  readonly mapping: MappingRecord;
}
