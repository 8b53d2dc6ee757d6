/**
 * The members of a CreateEventSourceMapping / UpdateEventSourceMapping body, type- and
 * range-checked as the model constrains them (ValidationException, spec §1.2), before any rule of
 * a source type applies (settings.ts).
 * https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
 */
import { validationError } from '../../core/errors.js';
import type { SourceAccessConfiguration, StartingPosition } from './types.js';

const STARTING_POSITIONS: readonly StartingPosition[] = ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'];
const RESPONSE_TYPES = ['ReportBatchItemFailures'] as const;
const ACCESS_TYPES = [
  'BASIC_AUTH',
  'VPC_SUBNET',
  'VPC_SECURITY_GROUP',
  'SASL_SCRAM_512_AUTH',
  'SASL_SCRAM_256_AUTH',
  'VIRTUAL_HOST',
  'CLIENT_CERTIFICATE_TLS_AUTH',
  'SERVER_ROOT_CA_CERTIFICATE',
];

/** A request body's members, parsed; absent members are undefined. */
export interface MappingRequest {
  /** Top-level member names present in the body (for "not valid for this source" checks). */
  readonly present: ReadonlySet<string>;
  readonly functionName?: string;
  readonly eventSourceArn?: string;
  readonly enabled?: boolean;
  readonly batchSize?: number;
  readonly maximumBatchingWindowInSeconds?: number;
  /** FilterCriteria's patterns; an empty list removes the filter. */
  readonly filterPatterns?: readonly string[];
  readonly reportBatchItemFailures?: boolean;
  /** ScalingConfig.MaximumConcurrency; null when ScalingConfig is given empty (removes it). */
  readonly maximumConcurrency?: number | null;
  readonly startingPosition?: StartingPosition;
  /** Epoch seconds. */
  readonly startingPositionTimestamp?: number;
  readonly parallelizationFactor?: number;
  readonly bisectBatchOnFunctionError?: boolean;
  readonly maximumRetryAttempts?: number;
  readonly maximumRecordAgeInSeconds?: number;
  readonly tumblingWindowInSeconds?: number;
  /** DestinationConfig.OnFailure.Destination ('' when DestinationConfig is given without one). */
  readonly onFailureDestination?: string;
  /** DestinationConfig.OnSuccess.Destination, which no poll-based source of Fogbank supports. */
  readonly onSuccessDestination?: string;
  readonly queues?: readonly string[];
  readonly sourceAccessConfigurations?: readonly SourceAccessConfiguration[];
  /** SelfManagedEventSource.Endpoints. */
  readonly endpoints?: Readonly<Record<string, readonly string[]>>;
}

/** Collects every constraint violation, as AWS reports them all in one ValidationException. */
class Reader {
  readonly violations: string[] = [];
  readonly #body: Readonly<Record<string, unknown>>;

  constructor(body: Readonly<Record<string, unknown>>) {
    this.#body = body;
  }

  has(member: string): boolean {
    return this.#body[member] !== undefined && this.#body[member] !== null;
  }

  value(member: string): unknown {
    return this.#body[member] ?? undefined;
  }

  fail(value: unknown, path: string, constraint: string): void {
    const shown = typeof value === 'string' ? value : JSON.stringify(value);
    this.violations.push(
      `Value '${shown}' at '${path}' failed to satisfy constraint: Member must ${constraint}`,
    );
  }

  string(member: string, path: string, max: number): string | undefined {
    const v = this.value(member);
    if (v === undefined) {
      return undefined;
    }
    if (typeof v !== 'string') {
      this.fail(v, path, 'be a string');
      return undefined;
    }
    if (v.length > max) {
      this.fail(v, path, `have length less than or equal to ${max}`);
    }
    return v;
  }

  boolean(member: string, path: string): boolean | undefined {
    const v = this.value(member);
    if (v === undefined) {
      return undefined;
    }
    if (typeof v !== 'boolean') {
      this.fail(v, path, 'be a boolean');
      return undefined;
    }
    return v;
  }

  integer(value: unknown, path: string, min: number, max: number): number | undefined {
    if (value === undefined || value === null) {
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.fail(value, path, 'be an integer');
      return undefined;
    }
    if (value < min) {
      this.fail(value, path, `have value greater than or equal to ${min}`);
    } else if (value > max) {
      this.fail(value, path, `have value less than or equal to ${max}`);
    }
    return value;
  }

  object(value: unknown, path: string): Readonly<Record<string, unknown>> | undefined {
    if (value === undefined || value === null) {
      return undefined;
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.fail(value, path, 'be a structure');
      return undefined;
    }
    return value as Record<string, unknown>;
  }

  list(value: unknown, path: string, max: number): readonly unknown[] | undefined {
    if (value === undefined || value === null) {
      return undefined;
    }
    if (!Array.isArray(value)) {
      this.fail(value, path, 'be a list');
      return undefined;
    }
    if (value.length > max) {
      this.fail(value, path, `have length less than or equal to ${max}`);
    }
    return value as unknown[];
  }
}

/** Parses a request body; throws ValidationException listing every violation. */
export function parseMappingRequest(body: Readonly<Record<string, unknown>>): MappingRequest {
  const r = new Reader(body);
  const present = new Set(Object.keys(body).filter((k) => r.has(k)));
  const functionName = r.string('FunctionName', 'functionName', 256);
  const eventSourceArn = r.string('EventSourceArn', 'eventSourceArn', 10_000);
  const startingPosition = r.string('StartingPosition', 'startingPosition', 100);
  if (
    startingPosition !== undefined &&
    !(STARTING_POSITIONS as readonly string[]).includes(startingPosition)
  ) {
    r.fail(startingPosition, 'startingPosition', enumConstraint(STARTING_POSITIONS));
  }
  const timestamp = r.value('StartingPositionTimestamp');
  if (timestamp !== undefined && (typeof timestamp !== 'number' || !Number.isFinite(timestamp))) {
    r.fail(timestamp, 'startingPositionTimestamp', 'be a timestamp in epoch seconds');
  }
  const request: MappingRequest = {
    present,
    ...opt('functionName', functionName),
    ...opt('eventSourceArn', eventSourceArn),
    ...opt('enabled', r.boolean('Enabled', 'enabled')),
    ...opt('batchSize', r.integer(r.value('BatchSize'), 'batchSize', 1, 10_000)),
    ...opt(
      'maximumBatchingWindowInSeconds',
      r.integer(
        r.value('MaximumBatchingWindowInSeconds'),
        'maximumBatchingWindowInSeconds',
        0,
        300,
      ),
    ),
    ...opt('filterPatterns', filterPatterns(r)),
    ...opt('reportBatchItemFailures', responseTypes(r)),
    ...opt('maximumConcurrency', scaling(r)),
    ...opt('startingPosition', startingPosition as StartingPosition | undefined),
    ...opt('startingPositionTimestamp', typeof timestamp === 'number' ? timestamp : undefined),
    ...opt(
      'parallelizationFactor',
      r.integer(r.value('ParallelizationFactor'), 'parallelizationFactor', 1, 10),
    ),
    ...opt(
      'bisectBatchOnFunctionError',
      r.boolean('BisectBatchOnFunctionError', 'bisectBatchOnFunctionError'),
    ),
    ...opt(
      'maximumRetryAttempts',
      r.integer(r.value('MaximumRetryAttempts'), 'maximumRetryAttempts', -1, 10_000),
    ),
    ...opt(
      'maximumRecordAgeInSeconds',
      r.integer(r.value('MaximumRecordAgeInSeconds'), 'maximumRecordAgeInSeconds', -1, 604_800),
    ),
    ...opt(
      'tumblingWindowInSeconds',
      r.integer(r.value('TumblingWindowInSeconds'), 'tumblingWindowInSeconds', 0, 900),
    ),
    ...destinations(r),
    ...opt('queues', stringList(r, 'Queues', 'queues', 1000)),
    ...opt('sourceAccessConfigurations', accessConfigurations(r)),
    ...opt('endpoints', endpoints(r)),
  };
  if (r.violations.length > 0) {
    throw validationError(r.violations);
  }
  return request;
}

function enumConstraint(values: readonly string[]): string {
  return `satisfy enum value set: [${values.join(', ')}]`;
}

/** `{ key: value }` when the value is defined, `{}` otherwise (exactOptionalPropertyTypes). */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

function filterPatterns(r: Reader): string[] | undefined {
  const criteria = r.object(r.value('FilterCriteria'), 'filterCriteria');
  if (criteria === undefined) {
    return undefined;
  }
  const filters = r.list(criteria.Filters, 'filterCriteria.filters', 10_000) ?? [];
  const patterns: string[] = [];
  for (const filter of filters) {
    const pattern = (filter as { Pattern?: unknown } | null)?.Pattern;
    if (typeof pattern !== 'string') {
      r.fail(pattern ?? null, 'filterCriteria.filters.member.pattern', 'be a string');
    } else if (pattern.length > 4096) {
      r.fail(
        pattern,
        'filterCriteria.filters.member.pattern',
        'have length less than or equal to 4096',
      );
    } else {
      patterns.push(pattern);
    }
  }
  return patterns;
}

function responseTypes(r: Reader): boolean | undefined {
  const types = r.list(r.value('FunctionResponseTypes'), 'functionResponseTypes', 1);
  if (types === undefined) {
    return undefined;
  }
  for (const t of types) {
    if (!(RESPONSE_TYPES as readonly unknown[]).includes(t)) {
      r.fail(
        types,
        'functionResponseTypes',
        `satisfy constraint: [${enumConstraint(RESPONSE_TYPES)}]`,
      );
    }
  }
  return types.length > 0;
}

function scaling(r: Reader): number | null | undefined {
  const config = r.object(r.value('ScalingConfig'), 'scalingConfig');
  if (config === undefined) {
    return undefined;
  }
  return r.integer(config.MaximumConcurrency, 'scalingConfig.maximumConcurrency', 2, 1000) ?? null;
}

function destinations(r: Reader): { onFailureDestination?: string; onSuccessDestination?: string } {
  const config = r.object(r.value('DestinationConfig'), 'destinationConfig');
  if (config === undefined) {
    return {};
  }
  const target = (member: string, path: string): string | undefined => {
    const inner = r.object(config[member], path);
    if (inner === undefined) {
      return undefined;
    }
    const destination = inner.Destination ?? '';
    if (typeof destination !== 'string') {
      r.fail(destination, `${path}.destination`, 'be a string');
      return undefined;
    }
    if (destination.length > 350) {
      r.fail(destination, `${path}.destination`, 'have length less than or equal to 350');
    }
    return destination;
  };
  const onSuccess = target('OnSuccess', 'destinationConfig.onSuccess');
  return {
    onFailureDestination: target('OnFailure', 'destinationConfig.onFailure') ?? '',
    ...(onSuccess ? { onSuccessDestination: onSuccess } : {}),
  };
}

function stringList(
  r: Reader,
  member: string,
  path: string,
  maxLength: number,
): string[] | undefined {
  const list = r.list(r.value(member), path, 1);
  if (list === undefined) {
    return undefined;
  }
  if (list.length === 0) {
    r.fail(list, path, 'have length greater than or equal to 1');
  }
  const out: string[] = [];
  for (const item of list) {
    if (typeof item !== 'string' || item.length === 0 || item.length > maxLength) {
      r.fail(item, `${path}.member`, `have length between 1 and ${maxLength}`);
    } else {
      out.push(item);
    }
  }
  return out;
}

function accessConfigurations(r: Reader): SourceAccessConfiguration[] | undefined {
  const list = r.list(r.value('SourceAccessConfigurations'), 'sourceAccessConfigurations', 22);
  if (list === undefined) {
    return undefined;
  }
  const out: SourceAccessConfiguration[] = [];
  for (const item of list) {
    const entry = (item ?? {}) as { Type?: unknown; URI?: unknown };
    if (typeof entry.Type !== 'string' || !ACCESS_TYPES.includes(entry.Type)) {
      r.fail(
        entry.Type ?? null,
        'sourceAccessConfigurations.member.type',
        enumConstraint(ACCESS_TYPES),
      );
      continue;
    }
    if (typeof entry.URI !== 'string' || entry.URI.length === 0 || entry.URI.length > 200) {
      r.fail(
        entry.URI ?? null,
        'sourceAccessConfigurations.member.uRI',
        'have length between 1 and 200',
      );
      continue;
    }
    out.push({ Type: entry.Type, URI: entry.URI });
  }
  return out;
}

function endpoints(r: Reader): Record<string, string[]> | undefined {
  const source = r.object(r.value('SelfManagedEventSource'), 'selfManagedEventSource');
  if (source === undefined) {
    return undefined;
  }
  const map = r.object(source.Endpoints, 'selfManagedEventSource.endpoints') ?? {};
  const out: Record<string, string[]> = {};
  for (const [key, urls] of Object.entries(map)) {
    const list = r.list(urls, `selfManagedEventSource.endpoints.${key}`, 10);
    if (list?.every((u) => typeof u === 'string') === true) {
      out[key] = list as string[];
    } else if (list !== undefined) {
      r.fail(urls, `selfManagedEventSource.endpoints.${key}`, 'be a list of strings');
    }
  }
  return out;
}
