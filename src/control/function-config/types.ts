/**
 * What the event-invoke-config, function URL and policy services answer: the wire shapes of
 * their operations (spec §1.4), plus the seams they are given.
 */
import type { AccountContext } from '../../core/arn.js';
import type { Clock } from '../../core/clock.js';
import type {
  FunctionConfigStore,
  FunctionUrlAuthType,
  FunctionUrlCors,
  FunctionUrlInvokeMode,
} from '../../store/sqlite/function-config-tables.js';
import type { KeyedMutex } from '../keyed-mutex.js';

export type {
  FunctionUrlAuthType,
  FunctionUrlCors,
  FunctionUrlInvokeMode,
} from '../../store/sqlite/function-config-tables.js';

/**
 * Whether an async destination other than a Lambda function exists: an SQS queue, an SNS topic,
 * an EventBridge bus or an S3 bucket ARN. Wired to the built-in services that own them.
 */
export interface DestinationValidator {
  exists(arn: string): Promise<boolean>;
}

/** Marker/MaxItems of a List operation, as the query carried them. */
export interface ListParams {
  readonly marker?: string;
  readonly maxItems?: number;
}

export interface DestinationResponse {
  readonly Destination?: string;
}

/** FunctionEventInvokeConfig; `LastModified` is the model's timestamp: epoch seconds. */
export interface EventInvokeConfigResponse {
  readonly FunctionArn: string;
  readonly LastModified: number;
  readonly MaximumRetryAttempts?: number;
  readonly MaximumEventAgeInSeconds?: number;
  readonly DestinationConfig: {
    readonly OnSuccess: DestinationResponse;
    readonly OnFailure: DestinationResponse;
  };
}

export interface ListEventInvokeConfigsResponse {
  readonly FunctionEventInvokeConfigs: EventInvokeConfigResponse[];
  readonly NextMarker?: string;
}

/** Create/Get/Update FunctionUrlConfig and the items of ListFunctionUrlConfigs. */
export interface FunctionUrlConfigResponse {
  readonly FunctionUrl: string;
  readonly FunctionArn: string;
  readonly AuthType: FunctionUrlAuthType;
  readonly Cors?: FunctionUrlCors;
  readonly CreationTime: string;
  readonly LastModifiedTime?: string;
  readonly InvokeMode?: FunctionUrlInvokeMode;
}

export interface ListFunctionUrlConfigsResponse {
  readonly FunctionUrlConfigs: FunctionUrlConfigResponse[];
  readonly NextMarker?: string;
}

/** What the HTTP front needs to serve a function URL, found by the id in its host name. */
export interface FunctionUrlTarget {
  readonly functionName: string;
  /** The alias the URL belongs to; absent for the function's own URL ($LATEST). */
  readonly qualifier?: string;
  readonly authType: FunctionUrlAuthType;
  readonly cors?: FunctionUrlCors;
  readonly invokeMode: FunctionUrlInvokeMode;
}

export interface AddPermissionResponse {
  /** The added statement as a JSON string. */
  readonly Statement: string;
}

export interface GetPolicyResponse {
  /** `{"Version":"2012-10-17","Id":"default","Statement":[…]}` as a JSON string. */
  readonly Policy: string;
  readonly RevisionId: string;
}

/** RemovePermission's inputs besides the function name. */
export interface RemovePermissionParams {
  readonly qualifier?: string;
  readonly revisionId?: string;
}

/**
 * The part of the registry's FunctionResolver these services use: whether a function, version
 * or alias exists (resolve throws ResourceNotFoundException when not), and change events.
 */
export interface ConfigResolver {
  resolve(functionName: string, qualifier: string | undefined): Promise<unknown>;
  onChange(listener: (functionName: string) => void): void;
}

/** What the three services share. */
export interface ConfigServiceDeps {
  readonly store: FunctionConfigStore;
  readonly resolver: ConfigResolver;
  readonly ctx: AccountContext;
  readonly clock: Clock;
  /** Serializes every change of one function's settings (keyed by function name). */
  readonly locks: KeyedMutex;
}
