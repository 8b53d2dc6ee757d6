/**
 * The awsJson1_1 protocol (Kinesis, CloudWatch Logs, EventBridge, …): `POST /` with
 * `X-Amz-Target: <prefix>.<Op>` and a JSON body; 200 with a JSON body, or an error status with
 * `{"__type", "message"}` and the `x-amzn-ErrorType` header. Blobs are base64 strings,
 * timestamps epoch seconds.
 * https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { ServiceError, validationError } from '../../core/errors.js';

export const AWS_JSON_1_1 = 'application/x-amz-json-1.1';

/**
 * What a response is written through: node:http's ServerResponse, or node:http2's compatibility
 * Http2ServerResponse (the JS SDK's Kinesis client speaks HTTP/2 by default).
 */
export interface ResponseSink {
  writeHead(statusCode: number, headers: OutgoingHttpHeaders): unknown;
  end(chunk: Buffer): unknown;
}

/** The request's `X-Amz-Target` (the first, if repeated). */
export function targetOf(headers: IncomingHttpHeaders): string | undefined {
  const target = headers['x-amz-target'];
  return Array.isArray(target) ? target[0] : target;
}

/**
 * The operation that `X-Amz-Target: <prefix><Operation>` names, or an
 * UnknownOperationException.
 */
export function targetOperation<T>(
  headers: IncomingHttpHeaders,
  prefix: string,
  operations: Readonly<Record<string, T>>,
): T {
  const name = (targetOf(headers) ?? '').slice(prefix.length);
  const operation = Object.hasOwn(operations, name) ? operations[name] : undefined;
  if (operation === undefined) {
    throw new ServiceError(
      'UnknownOperationException',
      400,
      `Operation ${name} is not supported by this server.`,
    );
  }
  return operation;
}

/** What a failure is answered as: itself if a ServiceError, else a 500 with the service's code. */
export function asServiceError(err: unknown, internalCode: string): ServiceError {
  return err instanceof ServiceError
    ? err
    : new ServiceError(internalCode, 500, 'Internal Service Failure', 'message', { cause: err });
}

/** The body of a request, or a SerializationException when it is not a JSON object. */
export function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) {
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw serializationError('Start of structure or map found where not expected.');
  }
  if (!isObject(parsed)) {
    throw serializationError('Start of structure or map found where not expected.');
  }
  return parsed;
}

export function serializationError(message: string): ServiceError {
  return new ServiceError('SerializationException', 400, message);
}

/** Writes a 200 response; every response carries a request id. */
export function writeJson(res: ResponseSink, requestId: string, value: unknown): void {
  write(res, requestId, 200, JSON.stringify(value), {});
}

export function writeError(res: ResponseSink, requestId: string, err: ServiceError): void {
  const body = JSON.stringify({ __type: err.code, message: err.message, ...err.fields });
  write(res, requestId, err.statusCode, body, { 'x-amzn-ErrorType': err.code, ...err.headers });
}

function write(
  res: ResponseSink,
  requestId: string,
  status: number,
  body: string,
  headers: Readonly<Record<string, string>>,
): void {
  const payload = Buffer.from(body, 'utf8');
  res.writeHead(status, {
    ...headers,
    'x-amzn-RequestId': requestId,
    'Content-Type': AWS_JSON_1_1,
    'Content-Length': payload.length,
  });
  res.end(payload);
}

const ANCHORED = new Map<RegExp, RegExp>();

/** The model's patterns must match a whole value. */
function anchored(pattern: RegExp): RegExp {
  let whole = ANCHORED.get(pattern);
  if (whole === undefined) {
    whole = new RegExp(`^(?:${pattern.source})$`);
    ANCHORED.set(pattern, whole);
  }
  return whole;
}

interface Constraints {
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
}

export interface StringConstraints extends Constraints {
  readonly pattern?: RegExp;
  readonly enum?: readonly string[];
}

/** Where the services' messages differ for the same input. */
export interface ReaderDialect {
  /** What a list of structures must hold: `Unexpected value type in <member>: expected <…>.` */
  readonly structureListItem: string;
}

/** Kinesis's and CloudWatch Logs' wording. */
export const DEFAULT_DIALECT: ReaderDialect = { structureListItem: 'a structure' };

/**
 * Reads the members of one input structure. Wrong JSON types are SerializationExceptions at
 * once; constraint violations (the service model's length, pattern, range and enum rules) are
 * collected and reported together as one ValidationException in AWS's wording
 * (`Value '…' at 'streamName' failed to satisfy constraint: …`).
 */
export class InputReader {
  readonly #body: Readonly<Record<string, unknown>>;
  readonly #dialect: ReaderDialect;
  readonly #path: string;
  readonly #violations: string[];

  constructor(
    body: Readonly<Record<string, unknown>>,
    dialect: ReaderDialect = DEFAULT_DIALECT,
    path = '',
    violations: string[] = [],
  ) {
    this.#body = body;
    this.#dialect = dialect;
    this.#path = path;
    this.#violations = violations;
  }

  string(member: string, c: StringConstraints = {}): string | undefined {
    const value = this.#present(member, c);
    if (value === undefined) {
      return undefined;
    }
    if (typeof value !== 'string') {
      throw serializationError(`Unexpected value type for ${member}: expected a string.`);
    }
    this.#checkString(value, this.#name(member), c);
    return value;
  }

  integer(member: string, c: Constraints = {}): number | undefined {
    const value = this.#present(member, c);
    if (value === undefined) {
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw serializationError(`Unexpected value type for ${member}: expected an integer.`);
    }
    const at = (): string =>
      `Value '${value}' at '${this.#name(member)}' failed to satisfy constraint: Member must`;
    if (c.min !== undefined && value < c.min) {
      this.#violations.push(`${at()} have value greater than or equal to ${c.min}`);
    } else if (c.max !== undefined && value > c.max) {
      this.#violations.push(`${at()} have value less than or equal to ${c.max}`);
    }
    return value;
  }

  boolean(member: string): boolean | undefined {
    const value = this.#present(member, {});
    if (value !== undefined && typeof value !== 'boolean') {
      throw serializationError(`Unexpected value type for ${member}: expected a boolean.`);
    }
    return value;
  }

  /** A timestamp, sent as epoch seconds; returned in epoch milliseconds. */
  timestamp(member: string, c: Constraints = {}): number | undefined {
    const value = this.#present(member, c);
    if (value === undefined) {
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw serializationError(`Unexpected value type for ${member}: expected epoch seconds.`);
    }
    return Math.round(value * 1000);
  }

  /** A blob, sent base64-encoded. */
  blob(member: string, c: Constraints = {}): Buffer | undefined {
    const value = this.#present(member, c);
    if (value === undefined) {
      return undefined;
    }
    if (typeof value !== 'string' || !/^[A-Za-z0-9+/\r\n]*={0,2}$/.test(value)) {
      throw serializationError(`Unexpected value for ${member}: expected base64-encoded data.`);
    }
    const bytes = Buffer.from(value, 'base64');
    const at = (): string =>
      `Value at '${this.#name(member)}' failed to satisfy constraint: Member must`;
    if (c.max !== undefined && bytes.length > c.max) {
      this.#violations.push(`${at()} have length less than or equal to ${c.max}`);
    }
    return bytes;
  }

  stringList(
    member: string,
    c: Constraints & { readonly item?: StringConstraints } = {},
  ): string[] | undefined {
    return this.#list(member, c)?.map((item, i) => {
      if (typeof item !== 'string') {
        throw serializationError(`Unexpected value type in ${member}: expected strings.`);
      }
      this.#checkString(item, `${this.#name(member)}.${i + 1}.member`, c.item ?? {});
      return item;
    });
  }

  /** A map of strings to strings (key constraints from the model apply to each key). */
  stringMap(
    member: string,
    c: { readonly max?: number; readonly key?: StringConstraints } = {},
  ): Record<string, string> | undefined {
    const value = this.#present(member, {});
    if (value === undefined) {
      return undefined;
    }
    if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) {
      throw serializationError(`Unexpected value type for ${member}: expected a map of strings.`);
    }
    const entries = Object.entries(value as Record<string, string>);
    if (c.max !== undefined && entries.length > c.max) {
      this.#violations.push(
        `Value at '${this.#name(member)}' failed to satisfy constraint: Member must have length less than or equal to ${c.max}`,
      );
    }
    for (const [key] of entries) {
      this.#checkString(key, `${this.#name(member)}.key`, c.key ?? {});
    }
    return Object.fromEntries(entries);
  }

  structure(member: string, c: Constraints = {}): InputReader | undefined {
    const value = this.#present(member, c);
    if (value === undefined) {
      return undefined;
    }
    if (!isObject(value)) {
      throw serializationError(`Unexpected value type for ${member}: expected a structure.`);
    }
    return new InputReader(value, this.#dialect, `${this.#name(member)}.`, this.#violations);
  }

  /** A list of structures, each read with its own reader (`records.1.member.data` in messages). */
  structureList(member: string, c: Constraints = {}): InputReader[] | undefined {
    return this.#list(member, c)?.map((item, i) => {
      if (!isObject(item)) {
        throw serializationError(
          `Unexpected value type in ${member}: expected ${this.#dialect.structureListItem}.`,
        );
      }
      return new InputReader(
        item,
        this.#dialect,
        `${this.#name(member)}.${i + 1}.member.`,
        this.#violations,
      );
    });
  }

  /*
   * The required forms record a violation for a missing member and return a placeholder that
   * nothing sees: finish() throws before an operation uses its input.
   */
  requiredString(member: string, c: StringConstraints = {}): string {
    return this.string(member, { ...c, required: true }) ?? '';
  }

  requiredStringList(member: string, c: Parameters<InputReader['stringList']>[1] = {}): string[] {
    return this.stringList(member, { ...c, required: true }) ?? [];
  }

  requiredInteger(member: string, c: Constraints = {}): number {
    return this.integer(member, { ...c, required: true }) ?? 0;
  }

  requiredBlob(member: string, c: Constraints = {}): Buffer {
    return this.blob(member, { ...c, required: true }) ?? Buffer.alloc(0);
  }

  requiredStructureList(member: string, c: Constraints = {}): InputReader[] {
    return this.structureList(member, { ...c, required: true }) ?? [];
  }

  /** Throws the collected violations, if any. */
  finish(): void {
    if (this.#violations.length > 0) {
      throw validationError(this.#violations);
    }
  }

  #list(member: string, c: Constraints): unknown[] | undefined {
    const value = this.#present(member, c);
    if (value === undefined) {
      return undefined;
    }
    if (!Array.isArray(value)) {
      throw serializationError(`Unexpected value type for ${member}: expected a list.`);
    }
    const at = `Value at '${this.#name(member)}' failed to satisfy constraint: Member must`;
    if (c.min !== undefined && value.length < c.min) {
      this.#violations.push(`${at} have length greater than or equal to ${c.min}`);
    } else if (c.max !== undefined && value.length > c.max) {
      this.#violations.push(`${at} have length less than or equal to ${c.max}`);
    }
    return value as unknown[];
  }

  #checkString(value: string, name: string, c: StringConstraints): void {
    const at = `Value '${value}' at '${name}' failed to satisfy constraint: Member must`;
    if (c.min !== undefined && value.length < c.min) {
      this.#violations.push(`${at} have length greater than or equal to ${c.min}`);
    } else if (c.max !== undefined && value.length > c.max) {
      this.#violations.push(`${at} have length less than or equal to ${c.max}`);
    } else if (c.pattern !== undefined && !anchored(c.pattern).test(value)) {
      this.#violations.push(`${at} satisfy regular expression pattern: ${c.pattern.source}`);
    } else if (c.enum !== undefined && !c.enum.includes(value)) {
      this.#violations.push(`${at} satisfy enum value set: [${c.enum.join(', ')}]`);
    }
  }

  #present(member: string, c: Constraints): unknown {
    const value = this.#body[member];
    if (value === undefined || value === null) {
      if (c.required === true) {
        this.#violations.push(
          `Value null at '${this.#name(member)}' failed to satisfy constraint: Member must not be null`,
        );
      }
      return undefined;
    }
    return value;
  }

  #name(member: string): string {
    return this.#path + member.charAt(0).toLowerCase() + member.slice(1);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
