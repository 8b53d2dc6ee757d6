/**
 * Reads the configuration members of CreateFunction / UpdateFunctionConfiguration from a
 * request body into a SettingsPatch, recording every violation of the model's constraints
 * (the caller throws them as one ValidationException).
 * https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html
 */
import { ROLE_PATTERN } from '../core/arn.js';
import type { SettingsPatch } from './function-settings.js';
import {
  ARCHITECTURES,
  EPHEMERAL_STORAGE_MB,
  MATCHERS,
  MAX_HANDLER_LENGTH,
  MEMORY_MB,
  PATTERNS,
  TIMEOUT_SECONDS,
} from './limits.js';
import {
  checkRange,
  listText,
  readBoolean,
  readDescription,
  readInteger,
  readObject,
  readString,
  readStringList,
  readStringMap,
  type Body,
  type Violations,
} from './request.js';

const LOG_FORMATS = ['JSON', 'Text'] as const;
const APPLICATION_LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
const SYSTEM_LOG_LEVELS = ['DEBUG', 'INFO', 'WARN'] as const;
const TRACING_MODES = ['Active', 'PassThrough'] as const;
const SNAP_START_APPLY_ON = ['PublishedVersions', 'None'] as const;

function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}

function enumConstraint(values: readonly string[]): string {
  return `Member must satisfy enum value set: ${listText(values)}`;
}

/** Reads an enum member, recording a violation (and returning undefined) for an unknown value. */
function readEnum<T extends string>(
  body: Body,
  name: string,
  path: string,
  values: readonly T[],
  violations: Violations,
): T | undefined {
  const value = readString(body, name, path);
  if (value === undefined) {
    return undefined;
  }
  if (!isOneOf(values, value)) {
    violations.add(value, path, enumConstraint(values));
    return undefined;
  }
  return value;
}

/**
 * Reads the configuration members shared by CreateFunction and UpdateFunctionConfiguration,
 * recording every model-constraint violation (the caller throws them as one
 * ValidationException).
 */
export function readSettingsPatch(body: Body, violations: Violations): SettingsPatch {
  const patch: SettingsPatch = {};
  const role = readString(body, 'Role');
  if (role !== undefined) {
    if (!ROLE_PATTERN.test(role)) {
      violations.add(
        role,
        'role',
        `Member must satisfy regular expression pattern: ${PATTERNS.role}`,
      );
    }
    patch.role = role;
  }
  const handler = readString(body, 'Handler');
  if (handler !== undefined) {
    if (handler.length > MAX_HANDLER_LENGTH) {
      violations.add(
        handler,
        'handler',
        `Member must have length less than or equal to ${String(MAX_HANDLER_LENGTH)}`,
      );
    }
    if (!MATCHERS.handler.test(handler)) {
      violations.add(
        handler,
        'handler',
        `Member must satisfy regular expression pattern: ${PATTERNS.handler}`,
      );
    }
    patch.handler = handler;
  }
  const description = readDescription(body, violations);
  if (description !== undefined) {
    patch.description = description;
  }
  const timeout = readInteger(body, 'Timeout');
  checkRange(timeout, 'timeout', TIMEOUT_SECONDS, violations);
  if (timeout !== undefined) {
    patch.timeout = timeout;
  }
  const memorySize = readInteger(body, 'MemorySize');
  checkRange(memorySize, 'memorySize', MEMORY_MB, violations);
  if (memorySize !== undefined) {
    patch.memorySize = memorySize;
  }
  const runtime = readString(body, 'Runtime');
  if (runtime !== undefined) {
    patch.runtime = runtime;
  }
  readEphemeralStorage(body, patch, violations);
  readEnvironment(body, patch, violations);
  readLayers(body, patch, violations);
  readTracing(body, patch, violations);
  readDeadLetter(body, patch, violations);
  const kmsKeyArn = readString(body, 'KMSKeyArn');
  if (kmsKeyArn !== undefined) {
    if (!MATCHERS.kmsKeyArn.test(kmsKeyArn)) {
      // Lambda lower-cases only the first letter of the member name: `kMSKeyArn`.
      violations.add(
        kmsKeyArn,
        'kMSKeyArn',
        `Member must satisfy regular expression pattern: ${PATTERNS.kmsKeyArn}`,
      );
    }
    patch.kmsKeyArn = kmsKeyArn;
  }
  readLogging(body, patch, violations);
  readSnapStart(body, patch, violations);
  readVpc(body, patch, violations);
  return patch;
}

/** Architectures: CreateFunction and UpdateFunctionCode only. */
export function readArchitecture(body: Body, patch: SettingsPatch, violations: Violations): void {
  const architectures = readStringList(body, 'Architectures');
  if (architectures === undefined) {
    return;
  }
  const text = listText(architectures);
  if (architectures.length !== 1) {
    violations.add(
      text,
      'architectures',
      architectures.length === 0
        ? 'Member must have length greater than or equal to 1'
        : 'Member must have length less than or equal to 1',
    );
    return;
  }
  const [architecture = ''] = architectures;
  if (!isOneOf(ARCHITECTURES, architecture)) {
    violations.add(
      text,
      'architectures',
      `Member must satisfy constraint: [${enumConstraint(ARCHITECTURES)}]`,
    );
    return;
  }
  patch.architecture = architecture;
}

function readEphemeralStorage(body: Body, patch: SettingsPatch, violations: Violations): void {
  const storage = readObject(body, 'EphemeralStorage');
  if (storage === undefined) {
    return;
  }
  const size = readInteger(storage, 'Size', 'EphemeralStorage.Size');
  if (size === undefined) {
    violations.missing('ephemeralStorage.size');
    return;
  }
  checkRange(size, 'ephemeralStorage.size', EPHEMERAL_STORAGE_MB, violations);
  patch.ephemeralStorageSize = size;
}

function readEnvironment(body: Body, patch: SettingsPatch, violations: Violations): void {
  const environment = readObject(body, 'Environment');
  if (environment === undefined) {
    return;
  }
  const variables = readStringMap(environment, 'Variables', 'Environment.Variables') ?? {};
  if (Object.keys(variables).some((name) => !MATCHERS.environmentVariableName.test(name))) {
    violations.addSensitive(
      'environment.variables',
      `Map keys must satisfy constraint: [Member must satisfy regular expression pattern: ${PATTERNS.environmentVariableName}]`,
    );
  }
  patch.environment = variables;
}

function readLayers(body: Body, patch: SettingsPatch, violations: Violations): void {
  const layers = readStringList(body, 'Layers');
  if (layers === undefined) {
    return;
  }
  if (
    layers.some((arn) => arn.length < 1 || arn.length > 140 || !MATCHERS.functionLayerArn.test(arn))
  ) {
    violations.add(
      listText(layers),
      'layers',
      `Member must satisfy constraint: [Member must have length less than or equal to 140, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: ${PATTERNS.functionLayerArn}, Member must not be null]`,
    );
  }
  patch.layerArns = layers;
}

function readTracing(body: Body, patch: SettingsPatch, violations: Violations): void {
  const tracing = readObject(body, 'TracingConfig');
  if (tracing === undefined) {
    return;
  }
  const mode = readEnum(tracing, 'Mode', 'tracingConfig.mode', TRACING_MODES, violations);
  if (mode !== undefined) {
    patch.tracingMode = mode;
  }
}

function readDeadLetter(body: Body, patch: SettingsPatch, violations: Violations): void {
  const deadLetter = readObject(body, 'DeadLetterConfig');
  if (deadLetter === undefined) {
    return;
  }
  const target = readString(deadLetter, 'TargetArn', 'DeadLetterConfig.TargetArn') ?? '';
  if (!MATCHERS.resourceArn.test(target)) {
    violations.add(
      target,
      'deadLetterConfig.targetArn',
      `Member must satisfy regular expression pattern: ${PATTERNS.resourceArn}`,
    );
  }
  patch.deadLetterTargetArn = target;
}

function readLogging(body: Body, patch: SettingsPatch, violations: Violations): void {
  const logging = readObject(body, 'LoggingConfig');
  if (logging === undefined) {
    return;
  }
  const result: NonNullable<SettingsPatch['logging']> = {};
  const format = readEnum(logging, 'LogFormat', 'loggingConfig.logFormat', LOG_FORMATS, violations);
  if (format !== undefined) {
    result.logFormat = format;
  }
  const app = readEnum(
    logging,
    'ApplicationLogLevel',
    'loggingConfig.applicationLogLevel',
    APPLICATION_LOG_LEVELS,
    violations,
  );
  if (app !== undefined) {
    result.applicationLogLevel = app;
  }
  const system = readEnum(
    logging,
    'SystemLogLevel',
    'loggingConfig.systemLogLevel',
    SYSTEM_LOG_LEVELS,
    violations,
  );
  if (system !== undefined) {
    result.systemLogLevel = system;
  }
  const group = readString(logging, 'LogGroup', 'LoggingConfig.LogGroup');
  if (group !== undefined) {
    if (group.length < 1 || group.length > 512) {
      violations.add(
        group,
        'loggingConfig.logGroup',
        group.length < 1
          ? 'Member must have length greater than or equal to 1'
          : 'Member must have length less than or equal to 512',
      );
    } else if (!MATCHERS.logGroup.test(group)) {
      violations.add(
        group,
        'loggingConfig.logGroup',
        `Member must satisfy regular expression pattern: ${PATTERNS.logGroup}`,
      );
    }
    result.logGroup = group;
  }
  patch.logging = result;
}

function readSnapStart(body: Body, patch: SettingsPatch, violations: Violations): void {
  const snapStart = readObject(body, 'SnapStart');
  if (snapStart === undefined) {
    return;
  }
  const applyOn = readEnum(
    snapStart,
    'ApplyOn',
    'snapStart.applyOn',
    SNAP_START_APPLY_ON,
    violations,
  );
  if (applyOn !== undefined) {
    patch.snapStartApplyOn = applyOn;
  }
}

function readVpc(body: Body, patch: SettingsPatch, violations: Violations): void {
  const vpc = readObject(body, 'VpcConfig');
  if (vpc === undefined) {
    return;
  }
  const subnetIds = readStringList(vpc, 'SubnetIds', 'VpcConfig.SubnetIds') ?? [];
  const securityGroupIds =
    readStringList(vpc, 'SecurityGroupIds', 'VpcConfig.SecurityGroupIds') ?? [];
  if (subnetIds.length > 16) {
    violations.add(
      listText(subnetIds),
      'vpcConfig.subnetIds',
      'Member must have length less than or equal to 16',
    );
  }
  if (securityGroupIds.length > 5) {
    violations.add(
      listText(securityGroupIds),
      'vpcConfig.securityGroupIds',
      'Member must have length less than or equal to 5',
    );
  }
  patch.vpc = {
    subnetIds,
    securityGroupIds,
    ipv6AllowedForDualStack:
      readBoolean(vpc, 'Ipv6AllowedForDualStack', 'VpcConfig.Ipv6AllowedForDualStack') ?? false,
  };
}
