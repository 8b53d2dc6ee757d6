/**
 * The awsJson1_1 protocol as EventBridge speaks it: `POST /` with `X-Amz-Target: AWSEvents.<Op>`
 * and a JSON body; 200 with a JSON body, or 400 (500 for InternalException) with
 * `{"__type", "message"}` and the `x-amzn-ErrorType` header. Timestamps are epoch seconds.
 * https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html
 */
import type { ServerResponse } from 'node:http';
import { ServiceError, validationError } from '../../core/errors.js';

export const AWS_JSON_1_1 = 'application/x-amz-json-1.1';

/** The request body, or a SerializationException when it is not a JSON object. */
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

/** Writes a 200 response; every response carries `x-amzn-RequestId`. */
export function writeJson(res: ServerResponse, requestId: string, value: unknown): void {
  write(res, requestId, 200, JSON.stringify(value), {});
}

export function writeError(res: ServerResponse, requestId: string, err: ServiceError): void {
  const body = JSON.stringify({ __type: err.code, message: err.message, ...err.fields });
  write(res, requestId, err.statusCode, body, { 'x-amzn-ErrorType': err.code, ...err.headers });
}

function write(
  res: ServerResponse,
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

export interface StringConstraints {
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: RegExp;
  readonly enum?: readonly string[];
}

export interface ListConstraints {
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
}

/**
 * Reads the members of one input structure. A wrong JSON type is a SerializationException at
 * once; constraint violations (the service model's length, pattern, range and enum rules) are
 * collected and thrown together by finish() as one ValidationException in AWS's wording:
 * `Value '…' at 'targets.1.member.id' failed to satisfy constraint: …`.
 */
export class InputReader {
  readonly #body: Readonly<Record<string, unknown>>;
  readonly #path: string;
  readonly #violations: string[];

  constructor(body: Readonly<Record<string, unknown>>, path = '', violations: string[] = []) {
    this.#body = body;
    this.#path = path;
    this.#violations = violations;
  }

  string(member: string, c: StringConstraints = {}): string | undefined {
    const value = this.#present(member, c.required);
    if (value === undefined) {
      return undefined;
    }
    if (typeof value !== 'string') {
      throw serializationError(`Unexpected value type for ${member}: expected a string.`);
    }
    this.#checkString(value, this.#name(member), c);
    return value;
  }

  integer(member: string, c: { readonly min?: number; readonly max?: number } = {}) {
    const value = this.#present(member, false);
    if (value === undefined) {
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw serializationError(`Unexpected value type for ${member}: expected an integer.`);
    }
    const at = `Value '${value}' at '${this.#name(member)}' failed to satisfy constraint: Member must`;
    if (c.min !== undefined && value < c.min) {
      this.#violations.push(`${at} have value greater than or equal to ${c.min}`);
    } else if (c.max !== undefined && value > c.max) {
      this.#violations.push(`${at} have value less than or equal to ${c.max}`);
    }
    return value;
  }

  /** A timestamp, sent as epoch seconds; returned in epoch milliseconds. */
  timestamp(member: string): number | undefined {
    const value = this.#present(member, false);
    if (value === undefined) {
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw serializationError(`Unexpected value type for ${member}: expected epoch seconds.`);
    }
    return Math.round(value * 1000);
  }

  stringList(
    member: string,
    c: ListConstraints & { readonly item?: StringConstraints } = {},
  ): string[] | undefined {
    const list = this.#list(member, c);
    return list?.map((item, i) => {
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
    const value = this.#present(member, false);
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

  structure(member: string): InputReader | undefined {
    const value = this.#present(member, false);
    if (value === undefined) {
      return undefined;
    }
    if (!isObject(value)) {
      throw serializationError(`Unexpected value type for ${member}: expected a structure.`);
    }
    return new InputReader(value, `${this.#name(member)}.`, this.#violations);
  }

  /** A list of structures, each read with its own reader (`targets.1.member.id` in messages). */
  structureList(member: string, c: ListConstraints = {}): InputReader[] | undefined {
    return this.#list(member, c)?.map((item, i) => {
      if (!isObject(item)) {
        throw serializationError(`Unexpected value type in ${member}: expected structures.`);
      }
      return new InputReader(item, `${this.#name(member)}.${i + 1}.member.`, this.#violations);
    });
  }

  /*
   * The required forms record a violation for a missing member and return a placeholder that
   * nothing sees: finish() throws before an operation uses its input.
   */
  requiredString(member: string, c: StringConstraints = {}): string {
    return this.string(member, { ...c, required: true }) ?? '';
  }

  requiredStringList(member: string, c: Parameters<InputReader['stringList']>[1] = {}) {
    return this.stringList(member, { ...c, required: true }) ?? [];
  }

  requiredStructureList(member: string, c: ListConstraints = {}): InputReader[] {
    return this.structureList(member, { ...c, required: true }) ?? [];
  }

  /** Throws the collected violations, if any. */
  finish(): void {
    if (this.#violations.length > 0) {
      throw validationError(this.#violations);
    }
  }

  #list(member: string, c: ListConstraints): unknown[] | undefined {
    const value = this.#present(member, c.required);
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
    } else if (c.pattern !== undefined && !new RegExp(`^(?:${c.pattern.source})$`).test(value)) {
      this.#violations.push(`${at} satisfy regular expression pattern: ${c.pattern.source}`);
    } else if (c.enum !== undefined && !c.enum.includes(value)) {
      this.#violations.push(`${at} satisfy enum value set: [${c.enum.join(', ')}]`);
    }
  }

  #present(member: string, required: boolean | undefined): unknown {
    const value = this.#body[member];
    if (value === undefined || value === null) {
      if (required === true) {
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
