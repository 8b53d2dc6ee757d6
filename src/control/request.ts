/**
 * Typed reads of a JSON request body as the API layer handed it over (`unknown`).
 * A member of the wrong JSON type is a deserialization failure, which Lambda reports as
 * InvalidRequestContentException before any validation runs.
 */
import { invalidRequestContent, validationError, type ServiceError } from '../core/errors.js';
import { MAX_DESCRIPTION_LENGTH } from './limits.js';

export type Body = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function wrongType(path: string, expected: string): Error {
  return invalidRequestContent(
    `Could not parse request body into json: Unexpected value for member '${path}': expected ${expected}.`,
  );
}

/** The body as an object (an empty body arrives as undefined or `{}`; both mean no members). */
export function requestBody(body: unknown): Body {
  if (body === undefined || body === null) {
    return {};
  }
  if (!isObject(body)) {
    throw invalidRequestContent(
      'Could not parse request body into json: the request body must be a JSON object.',
    );
  }
  return body;
}

/** Absent and JSON null are the same thing to Lambda's deserializer. */
function member(body: Body, name: string): unknown {
  const value = body[name];
  return value === null ? undefined : value;
}

export function readString(body: Body, name: string, path = name): string | undefined {
  const value = member(body, name);
  if (value === undefined || typeof value === 'string') {
    return value;
  }
  throw wrongType(path, 'a string');
}

export function readInteger(body: Body, name: string, path = name): number | undefined {
  const value = member(body, name);
  if (value === undefined || (typeof value === 'number' && Number.isInteger(value))) {
    return value;
  }
  throw wrongType(path, 'an integer');
}

export function readBoolean(body: Body, name: string, path = name): boolean | undefined {
  const value = member(body, name);
  if (value === undefined || typeof value === 'boolean') {
    return value;
  }
  throw wrongType(path, 'a boolean');
}

export function readObject(body: Body, name: string, path = name): Body | undefined {
  const value = member(body, name);
  if (value === undefined || isObject(value)) {
    return value;
  }
  throw wrongType(path, 'an object');
}

export function readStringList(body: Body, name: string, path = name): string[] | undefined {
  const value = member(body, name);
  if (value === undefined) {
    return undefined;
  }
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    return value;
  }
  throw wrongType(path, 'a list of strings');
}

export function readStringMap(
  body: Body,
  name: string,
  path = name,
): Record<string, string> | undefined {
  const value = member(body, name);
  if (value === undefined) {
    return undefined;
  }
  if (isObject(value) && Object.values(value).every((v) => typeof v === 'string')) {
    return { ...(value as Record<string, string>) };
  }
  throw wrongType(path, 'a map of strings');
}

/**
 * Collects model-constraint violations so a request with several gets them all in one
 * ValidationException, worded as AWS words them:
 * `Value '<v>' at '<member>' failed to satisfy constraint: <constraint>`.
 */
export class Violations {
  readonly #messages: string[] = [];

  add(value: string, path: string, constraint: string): void {
    this.#messages.push(
      `Value '${value}' at '${path}' failed to satisfy constraint: ${constraint}`,
    );
  }

  /** A required member that is absent. */
  missing(path: string): void {
    this.#messages.push(
      `Value null at '${path}' failed to satisfy constraint: Member must not be null`,
    );
  }

  /** A sensitive member (environment variables): AWS leaves the value out of the message. */
  addSensitive(path: string, constraint: string): void {
    this.#messages.push(`Value at '${path}' failed to satisfy constraint: ${constraint}`);
  }

  get found(): boolean {
    return this.#messages.length > 0;
  }

  /** The ValidationException listing every violation recorded. */
  error(): ServiceError {
    return validationError(this.#messages);
  }

  throwIfAny(): void {
    if (this.found) {
      throw this.error();
    }
  }
}

/** `Description`, recording one longer than Lambda allows. */
export function readDescription(body: Body, violations: Violations): string | undefined {
  const description = readString(body, 'Description');
  if (description !== undefined && description.length > MAX_DESCRIPTION_LENGTH) {
    violations.add(
      description,
      'description',
      `Member must have length less than or equal to ${String(MAX_DESCRIPTION_LENGTH)}`,
    );
  }
  return description;
}

/** Records a number outside `range` (both ends included); nothing for an absent one. */
export function checkRange(
  value: number | undefined,
  path: string,
  range: { readonly min: number; readonly max: number },
  violations: Violations,
): void {
  if (value === undefined) {
    return;
  }
  if (value < range.min) {
    violations.add(
      String(value),
      path,
      `Member must have value greater than or equal to ${String(range.min)}`,
    );
  } else if (value > range.max) {
    violations.add(
      String(value),
      path,
      `Member must have value less than or equal to ${String(range.max)}`,
    );
  }
}

/** Java's rendering of a list inside a message: `[a, b]`. */
export function listText(values: readonly string[]): string {
  return `[${values.join(', ')}]`;
}
