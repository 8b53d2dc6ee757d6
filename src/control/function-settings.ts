/**
 * The configurable members of a function (CreateFunction / UpdateFunctionConfiguration):
 * their shape, Lambda's semantic rules for them, and how a request's members apply over a
 * version's current settings (settings-request.ts reads them from the request).
 * https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionConfiguration.html
 */
import { invalidParameter } from '../core/errors.js';
import {
  DEPRECATED_RUNTIMES,
  EPHEMERAL_STORAGE_MB,
  MAX_ENVIRONMENT_BYTES,
  MAX_LAYERS,
  MEMORY_MB,
  RESERVED_ENVIRONMENT_VARIABLES,
  SUPPORTED_RUNTIMES,
  TIMEOUT_SECONDS,
  type Architecture,
} from './limits.js';
import { listText } from './request.js';

export type LogFormat = 'Text' | 'JSON';
export type TracingMode = 'Active' | 'PassThrough';
export type SnapStartApplyOn = 'None' | 'PublishedVersions';

export interface LoggingSettings {
  readonly logFormat: LogFormat;
  readonly applicationLogLevel?: string;
  readonly systemLogLevel?: string;
  readonly logGroup: string;
}

export interface VpcSettings {
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly ipv6AllowedForDualStack: boolean;
}

/**
 * A layer version a function uses, as resolved when it was configured: the package stays
 * reachable through this even after the layer version is deleted, as on AWS.
 */
export interface LayerRef {
  /** The layer version ARN. */
  readonly arn: string;
  readonly codeSha256Hex: string;
  readonly codeSize: number;
  readonly unzippedSize: number;
}

/** Everything about a version that a user configures (code aside). */
export interface FunctionSettings {
  readonly runtime: string;
  readonly handler: string;
  readonly role: string;
  readonly description: string;
  readonly timeout: number;
  readonly memorySize: number;
  readonly ephemeralStorageSize: number;
  readonly architecture: Architecture;
  /** Present once Environment was given (even empty): Lambda echoes it only then. */
  readonly environment?: Readonly<Record<string, string>>;
  /** In order: later layers overwrite earlier ones in /opt. */
  readonly layers: readonly LayerRef[];
  readonly tracingMode: TracingMode;
  readonly deadLetterTargetArn?: string;
  readonly kmsKeyArn?: string;
  readonly logging: LoggingSettings;
  readonly snapStartApplyOn: SnapStartApplyOn;
  readonly vpc?: VpcSettings;
}

/** The members a request gave; `''` / empty lists clear DLQ, KMS key and VPC settings. */
export interface SettingsPatch {
  runtime?: string;
  handler?: string;
  role?: string;
  description?: string;
  timeout?: number;
  memorySize?: number;
  ephemeralStorageSize?: number;
  architecture?: Architecture;
  environment?: Record<string, string>;
  /** Layers as the request named them; the registry resolves them into `layers`. */
  layerArns?: string[];
  layers?: readonly LayerRef[];
  tracingMode?: TracingMode;
  deadLetterTargetArn?: string;
  kmsKeyArn?: string;
  logging?: {
    logFormat?: LogFormat;
    applicationLogLevel?: string;
    systemLogLevel?: string;
    logGroup?: string;
  };
  snapStartApplyOn?: SnapStartApplyOn;
  vpc?: VpcSettings;
}

/** A patch whose layer ARNs the registry has resolved into `layers`. */
export type ResolvedSettingsPatch = Omit<SettingsPatch, 'layerArns'>;

/** A new function's settings before its request is applied. */
export function defaultSettings(functionName: string): FunctionSettings {
  return {
    runtime: '',
    handler: '',
    role: '',
    description: '',
    timeout: TIMEOUT_SECONDS.default,
    memorySize: MEMORY_MB.default,
    ephemeralStorageSize: EPHEMERAL_STORAGE_MB.default,
    architecture: 'x86_64',
    layers: [],
    tracingMode: 'PassThrough',
    logging: { logFormat: 'Text', logGroup: `/aws/lambda/${functionName}` },
    snapStartApplyOn: 'None',
  };
}

/**
 * Lambda's semantic rules for the members a request gave (InvalidParameterValueException).
 * Only given members are judged: a function on a since-deprecated runtime can still have its
 * description changed.
 */
export function checkSettingsPatch(patch: SettingsPatch): void {
  if (patch.runtime !== undefined) {
    checkRuntime(patch.runtime);
  }
  if (patch.environment !== undefined) {
    checkEnvironment(patch.environment);
  }
  if (patch.layerArns !== undefined && patch.layerArns.length > MAX_LAYERS) {
    throw invalidParameter(`Cannot reference more than ${String(MAX_LAYERS)} layers.`);
  }
}

function checkRuntime(runtime: string): void {
  if (DEPRECATED_RUNTIMES.includes(runtime)) {
    throw invalidParameter(
      `The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.`,
    );
  }
  if (!SUPPORTED_RUNTIMES.includes(runtime)) {
    throw invalidParameter(
      `Value ${runtime} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: ${listText(SUPPORTED_RUNTIMES)} or be a valid ARN`,
    );
  }
}

/** https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html */
function checkEnvironment(variables: Readonly<Record<string, string>>): void {
  const reserved = Object.keys(variables).filter((name) =>
    RESERVED_ENVIRONMENT_VARIABLES.has(name),
  );
  if (reserved.length > 0) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  }
  const measured = JSON.stringify(variables);
  if (Buffer.byteLength(measured) > MAX_ENVIRONMENT_BYTES) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured}`,
    );
  }
}

const LOG_LEVEL_WITH_TEXT =
  'LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from your request or change the LogFormat to "JSON" and try again.';

/** The patch applied over `base`: given members replace, absent ones stay. */
export function applySettingsPatch(
  base: FunctionSettings,
  patch: ResolvedSettingsPatch,
): FunctionSettings {
  const { environment, deadLetterTargetArn, kmsKeyArn, vpc, logging, ...plain } = patch;
  const next: { -readonly [K in keyof FunctionSettings]: FunctionSettings[K] } = {
    ...base,
    ...plain,
  };
  if (environment !== undefined) {
    next.environment = environment;
  }
  if (deadLetterTargetArn !== undefined) {
    if (deadLetterTargetArn === '') {
      delete next.deadLetterTargetArn;
    } else {
      next.deadLetterTargetArn = deadLetterTargetArn;
    }
  }
  if (kmsKeyArn !== undefined) {
    if (kmsKeyArn === '') {
      delete next.kmsKeyArn;
    } else {
      next.kmsKeyArn = kmsKeyArn;
    }
  }
  if (vpc !== undefined) {
    if (vpc.subnetIds.length === 0 && vpc.securityGroupIds.length === 0) {
      delete next.vpc;
    } else {
      next.vpc = vpc;
    }
  }
  if (logging !== undefined) {
    next.logging = applyLogging(base.logging, logging);
  }
  return next;
}

/**
 * Log levels exist only for JSON logs; switching to JSON sets both to INFO unless given.
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html
 */
function applyLogging(
  current: LoggingSettings,
  patch: NonNullable<SettingsPatch['logging']>,
): LoggingSettings {
  const logFormat = patch.logFormat ?? current.logFormat;
  const logGroup = patch.logGroup ?? current.logGroup;
  if (logFormat === 'Text') {
    if (patch.applicationLogLevel !== undefined || patch.systemLogLevel !== undefined) {
      throw invalidParameter(LOG_LEVEL_WITH_TEXT);
    }
    return { logFormat, logGroup };
  }
  return {
    logFormat,
    applicationLogLevel: patch.applicationLogLevel ?? current.applicationLogLevel ?? 'INFO',
    systemLogLevel: patch.systemLogLevel ?? current.systemLogLevel ?? 'INFO',
    logGroup,
  };
}
