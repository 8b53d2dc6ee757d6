/**
 * The three error families (see docs/errors.md):
 * 1. ServiceError — an AWS wire error, rendered only by src/api/protocol.
 * 2. FogbankError — an internal error with a stable ERR_* code that callers branch on.
 * 3. Function errors are not exceptions: they are results (see sandbox InvocationResult).
 */

/** Whether the modeled exception carries its text in `message` or `Message` (it varies per exception). */
export type MessageKey = 'message' | 'Message';

export interface ServiceErrorOptions {
  /** Extra JSON members in the error body (e.g. `Reason` of TooManyRequestsException). */
  readonly fields?: Readonly<Record<string, unknown>>;
  /** Extra response headers (e.g. `Retry-After`). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
}

/** An error in AWS's wire format: exception name, HTTP status, fault side and message. */
export class ServiceError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly messageKey: MessageKey;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: string,
    statusCode: number,
    message: string,
    messageKey: MessageKey = 'message',
    options: ServiceErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = code;
    this.code = code;
    this.statusCode = statusCode;
    this.messageKey = messageKey;
    this.fields = options.fields ?? {};
    this.headers = options.headers ?? {};
  }

  get fault(): 'client' | 'server' {
    return this.statusCode >= 500 ? 'server' : 'client';
  }
}

/** Semantic validation failure (400). */
export function invalidParameter(message: string): ServiceError {
  return new ServiceError('InvalidParameterValueException', 400, message);
}

/** Framework-level constraint violation (400), in AWS's "N validation error(s) detected" format. */
export function validationError(violations: readonly string[]): ServiceError {
  const n = violations.length;
  return new ServiceError(
    'ValidationException',
    400,
    `${n} validation error${n === 1 ? '' : 's'} detected: ${violations.join('; ')}`,
  );
}

export function resourceNotFound(message: string): ServiceError {
  return new ServiceError('ResourceNotFoundException', 404, message, 'Message');
}

export function resourceConflict(message: string): ServiceError {
  return new ServiceError('ResourceConflictException', 409, message);
}

export function preconditionFailed(message: string): ServiceError {
  return new ServiceError('PreconditionFailedException', 412, message);
}

export function requestTooLarge(message: string): ServiceError {
  return new ServiceError('RequestEntityTooLargeException', 413, message);
}

export function invalidRequestContent(message: string): ServiceError {
  return new ServiceError('InvalidRequestContentException', 400, message);
}

export function tooManyRequests(reason: string, retryAfterSeconds: number): ServiceError {
  return new ServiceError('TooManyRequestsException', 429, 'Rate Exceeded.', 'message', {
    fields: { Reason: reason },
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });
}

export function serviceException(message: string, cause?: unknown): ServiceError {
  return new ServiceError('ServiceException', 500, message, 'Message', { cause });
}

/** An internal error with a stable code. */
export class FogbankError<Code extends string = string> extends Error {
  readonly code: Code;
  constructor(code: Code, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'FogbankError';
    this.code = code;
  }
}

/** The account's code storage quota (75 GB) would be exceeded (400). */
export function codeStorageExceeded(message: string): ServiceError {
  return new ServiceError('CodeStorageExceededException', 400, message);
}
