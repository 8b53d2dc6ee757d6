/**
 * A function version as the control plane keeps it (settings, code, lifecycle status), its
 * encoding into a store record, and its rendering as Lambda's FunctionConfiguration.
 * https://docs.aws.amazon.com/lambda/latest/api/API_FunctionConfiguration.html
 */
import { createHash } from 'node:crypto';
import type { FunctionConfiguration, Runtime } from '@aws-sdk/client-lambda';
import { functionArn, type AccountContext } from '../core/arn.js';
import { LATEST, type FunctionVersionRecord, type JsonObject } from '../store/index.js';
import type { FunctionSettings } from './function-settings.js';

export type CodeLocation =
  { readonly kind: 'zip' } | { readonly kind: 'hot-reload'; readonly directory: string };

/**
 * Lambda's lifecycle fields, with AWS's literal values.
 * https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html
 */
export interface VersionStatus {
  readonly state: 'Pending' | 'Active' | 'Failed';
  readonly stateReason?: string;
  readonly stateReasonCode?: string;
  readonly lastUpdateStatus?: 'InProgress' | 'Successful' | 'Failed';
  readonly lastUpdateStatusReason?: string;
  readonly lastUpdateStatusReasonCode?: string;
}

/** What a new function reports until it is ready [aws-rec]. */
export const CREATING: VersionStatus = {
  state: 'Pending',
  stateReason: 'The function is being created.',
  stateReasonCode: 'Creating',
};

/** What an update reports until it is applied; AWS reuses the creation wording [aws-rec]. */
export const UPDATING: VersionStatus = {
  state: 'Active',
  lastUpdateStatus: 'InProgress',
  lastUpdateStatusReason: 'The function is being created.',
  lastUpdateStatusReasonCode: 'Creating',
};

export const READY: VersionStatus = { state: 'Active', lastUpdateStatus: 'Successful' };

export interface FunctionVersion {
  readonly functionName: string;
  readonly version: string;
  readonly revisionId: string;
  /** Hex SHA-256 of the package (or, for hot reload, of the directory path). */
  readonly codeSha256Hex: string;
  readonly codeSize: number;
  /** Uncompressed size of the package; absent on versions stored before it was recorded. */
  readonly unzippedSize?: number;
  readonly settings: FunctionSettings;
  readonly code: CodeLocation;
  readonly status: VersionStatus;
  /** ms since the epoch of the last change to code or configuration. */
  readonly lastModified: number;
  /**
   * The RevisionId the version had right after its last change of code or configuration.
   * Lifecycle transitions change RevisionId as on AWS, but not this: it names what an
   * execution environment runs, so finishing an update does not retire warm environments.
   */
  readonly contentRevisionId: string;
}

interface StoredConfig {
  readonly unzippedSize?: number;
  /** The settings without their environment variables, which travel sealed in `secrets`. */
  readonly settings: FunctionSettings;
  readonly secrets?: { readonly environment: Readonly<Record<string, string>> };
  readonly code: CodeLocation;
  readonly status: VersionStatus;
  readonly lastModified: number;
  readonly contentRevisionId: string;
}

export function encodeVersion(v: FunctionVersion): FunctionVersionRecord {
  const { environment, ...settings } = v.settings;
  const config: StoredConfig = {
    ...(v.unzippedSize !== undefined && { unzippedSize: v.unzippedSize }),
    settings,
    ...(environment !== undefined && { secrets: { environment } }),
    code: v.code,
    status: v.status,
    lastModified: v.lastModified,
    contentRevisionId: v.contentRevisionId,
  };
  return {
    functionName: v.functionName,
    version: v.version,
    revisionId: v.revisionId,
    codeSha256: v.codeSha256Hex,
    codeSize: v.codeSize,
    config: config as unknown as JsonObject,
  };
}

/** The store only holds what encodeVersion wrote, so the shape is trusted here. */
export function decodeVersion(record: FunctionVersionRecord): FunctionVersion {
  const config = record.config as unknown as StoredConfig;
  return {
    functionName: record.functionName,
    version: record.version,
    revisionId: record.revisionId,
    codeSha256Hex: record.codeSha256,
    codeSize: record.codeSize,
    ...(config.unzippedSize !== undefined && { unzippedSize: config.unzippedSize }),
    // Rows written before variables were sealed keep them in settings.
    settings:
      config.secrets === undefined
        ? config.settings
        : { ...config.settings, environment: config.secrets.environment },
    code: config.code,
    status: config.status,
    lastModified: config.lastModified,
    contentRevisionId: config.contentRevisionId,
  };
}

/** `2025-05-01T12:34:56.789+0000`: FunctionConfiguration.LastModified's format. */
export function lambdaTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/**
 * A stable, runtime-specific stand-in for the ARN of the runtime build AWS would pick.
 * https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html
 */
export function runtimeVersionArn(ctx: AccountContext, runtime: string): string {
  const digest = createHash('sha256').update(runtime).digest('hex');
  return `arn:aws:lambda:${ctx.region}::runtime:${digest}`;
}

/**
 * Which members a response carries:
 * - `full`: Get*, Update* — always State and LastUpdateStatus, so waiters can finish;
 * - `created`: CreateFunction — State only, as AWS answers it [aws-rec];
 * - `listed`: ListFunctions — no lifecycle fields and no RuntimeVersionConfig [ls].
 */
export type ConfigurationView = 'full' | 'created' | 'listed';

export function renderConfiguration(
  v: FunctionVersion,
  ctx: AccountContext,
  options: { readonly view: ConfigurationView; readonly qualifier?: string },
): FunctionConfiguration {
  const s = v.settings;
  const config: FunctionConfiguration = {
    FunctionName: v.functionName,
    FunctionArn: functionArn(ctx, v.functionName, options.qualifier),
    Runtime: s.runtime as Runtime,
    Role: s.role,
    Handler: s.handler,
    CodeSize: v.codeSize,
    Description: s.description,
    Timeout: s.timeout,
    MemorySize: s.memorySize,
    LastModified: lambdaTimestamp(v.lastModified),
    CodeSha256: Buffer.from(v.codeSha256Hex, 'hex').toString('base64'),
    Version: v.version,
    ...(s.vpc && {
      VpcConfig: {
        SubnetIds: [...s.vpc.subnetIds],
        SecurityGroupIds: [...s.vpc.securityGroupIds],
        Ipv6AllowedForDualStack: s.vpc.ipv6AllowedForDualStack,
      },
    }),
    ...(s.deadLetterTargetArn !== undefined && {
      DeadLetterConfig: { TargetArn: s.deadLetterTargetArn },
    }),
    ...(s.environment && { Environment: { Variables: { ...s.environment } } }),
    ...(s.layers.length > 0 && {
      Layers: s.layers.map((layer) => ({ Arn: layer.arn, CodeSize: layer.codeSize })),
    }),
    ...(s.kmsKeyArn !== undefined && { KMSKeyArn: s.kmsKeyArn }),
    TracingConfig: { Mode: s.tracingMode },
    RevisionId: v.revisionId,
    ...lifecycle(v, options.view),
    PackageType: 'Zip',
    Architectures: [s.architecture],
    EphemeralStorage: { Size: s.ephemeralStorageSize },
    SnapStart: { ApplyOn: s.snapStartApplyOn, OptimizationStatus: 'Off' },
    ...(options.view !== 'listed' && {
      RuntimeVersionConfig: { RuntimeVersionArn: runtimeVersionArn(ctx, s.runtime) },
    }),
    LoggingConfig: {
      LogFormat: s.logging.logFormat,
      ...(s.logging.applicationLogLevel !== undefined && {
        ApplicationLogLevel: s.logging.applicationLogLevel as 'INFO',
      }),
      ...(s.logging.systemLogLevel !== undefined && {
        SystemLogLevel: s.logging.systemLogLevel as 'INFO',
      }),
      LogGroup: s.logging.logGroup,
    },
  };
  return config;
}

function lifecycle(v: FunctionVersion, view: ConfigurationView): FunctionConfiguration {
  if (view === 'listed') {
    return {};
  }
  const { status } = v;
  // A function still being created has had no update yet; Get* reports its creation as the
  // update in progress so that LastUpdateStatus is always there for the update waiters. A
  // version published by an update reports no update while it is Pending [aws-rec].
  const update: VersionStatus =
    status.lastUpdateStatus === undefined && view === 'full' && v.version === LATEST
      ? { ...UPDATING, ...status }
      : status;
  return {
    State: status.state,
    ...(status.stateReason !== undefined && { StateReason: status.stateReason }),
    ...(status.stateReasonCode !== undefined && {
      StateReasonCode: status.stateReasonCode as 'Creating',
    }),
    ...(update.lastUpdateStatus !== undefined && { LastUpdateStatus: update.lastUpdateStatus }),
    ...(update.lastUpdateStatusReason !== undefined && {
      LastUpdateStatusReason: update.lastUpdateStatusReason,
    }),
    ...(update.lastUpdateStatusReasonCode !== undefined && {
      LastUpdateStatusReasonCode: update.lastUpdateStatusReasonCode as 'InternalError',
    }),
  };
}
