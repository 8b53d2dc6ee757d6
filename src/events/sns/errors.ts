import { ServiceError } from '../../core/errors.js';

/**
 * SNS's modeled exceptions: the name the engine raises (the SDK's exception name) → the code the
 * query protocol puts in `<Error><Code>` and the HTTP status. Codes and statuses are the
 * `awsQueryError` traits of the SNS model; `ValidationError` is what SNS really sends for a
 * missing required member (the model calls it ValidationException).
 * https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html
 */
export const SNS_ERRORS = {
  AuthorizationErrorException: ['AuthorizationError', 403],
  BatchEntryIdsNotDistinctException: ['BatchEntryIdsNotDistinct', 400],
  BatchRequestTooLongException: ['BatchRequestTooLong', 400],
  EmptyBatchRequestException: ['EmptyBatchRequest', 400],
  InternalErrorException: ['InternalError', 500],
  InvalidActionException: ['InvalidAction', 400],
  InvalidBatchEntryIdException: ['InvalidBatchEntryId', 400],
  InvalidParameterException: ['InvalidParameter', 400],
  InvalidParameterValueException: ['ParameterValueInvalid', 400],
  NotFoundException: ['NotFound', 404],
  TooManyEntriesInBatchRequestException: ['TooManyEntriesInBatchRequest', 400],
  ValidationException: ['ValidationError', 400],
} as const satisfies Record<string, readonly [string, number]>;

export type SnsErrorCode = keyof typeof SNS_ERRORS;

export function snsError(code: SnsErrorCode, message: string): ServiceError {
  return new ServiceError(code, SNS_ERRORS[code][1], message, 'Message');
}

/** The query-protocol code of an engine error (`NotFoundException` → `NotFound`). */
export function queryCodeOf(code: string): string {
  return code in SNS_ERRORS ? SNS_ERRORS[code as SnsErrorCode][0] : code;
}

/** `InvalidParameter` with SNS's `Invalid parameter: …` wording. */
export function invalidParameter(detail: string): ServiceError {
  return snsError('InvalidParameterException', `Invalid parameter: ${detail}`);
}

/** `ParameterValueInvalid` (message attribute problems), worded as SNS words them. */
export function invalidParameterValue(message: string): ServiceError {
  return snsError('InvalidParameterValueException', message);
}

export function topicNotFound(): ServiceError {
  return snsError('NotFoundException', 'Topic does not exist');
}

export function subscriptionNotFound(): ServiceError {
  return snsError('NotFoundException', 'Subscription does not exist');
}

/** A required member is missing: `Value null at '<member>' failed to satisfy constraint…`. */
export function missingMember(member: string): ServiceError {
  return snsError(
    'ValidationException',
    `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
  );
}
