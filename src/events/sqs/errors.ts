import { ServiceError } from '../../core/errors.js';

/**
 * Every SQS error, in one table. `code` is the exception the SDKs model (the JSON protocol's
 * `__type`, the name `@aws-sdk/client-sqs` surfaces); `queryCode` is the legacy query-protocol
 * code, sent as `x-amzn-query-error` over JSON and as `<Code>` in XML; `status` is the HTTP status.
 * Codes and statuses come from the SQS Smithy model (its `awsQueryError` traits).
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-api-responses.html
 */
export const SQS_ERRORS = {
  QueueDoesNotExist: { queryCode: 'AWS.SimpleQueueService.NonExistentQueue', status: 400 },
  QueueNameExists: { queryCode: 'QueueAlreadyExists', status: 400 },
  InvalidAddress: { queryCode: 'InvalidAddress', status: 404 },
  ReceiptHandleIsInvalid: { queryCode: 'ReceiptHandleIsInvalid', status: 404 },
  MessageNotInflight: { queryCode: 'AWS.SimpleQueueService.MessageNotInflight', status: 400 },
  EmptyBatchRequest: { queryCode: 'AWS.SimpleQueueService.EmptyBatchRequest', status: 400 },
  TooManyEntriesInBatchRequest: {
    queryCode: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    status: 400,
  },
  BatchEntryIdsNotDistinct: {
    queryCode: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
    status: 400,
  },
  InvalidBatchEntryId: { queryCode: 'AWS.SimpleQueueService.InvalidBatchEntryId', status: 400 },
  BatchRequestTooLong: { queryCode: 'AWS.SimpleQueueService.BatchRequestTooLong', status: 400 },
  InvalidAttributeName: { queryCode: 'InvalidAttributeName', status: 400 },
  InvalidAttributeValue: { queryCode: 'InvalidAttributeValue', status: 400 },
  InvalidMessageContents: { queryCode: 'InvalidMessageContents', status: 400 },
  PurgeQueueInProgress: { queryCode: 'AWS.SimpleQueueService.PurgeQueueInProgress', status: 403 },
  UnsupportedOperation: { queryCode: 'AWS.SimpleQueueService.UnsupportedOperation', status: 400 },
  // Not modeled by the SDKs: they surface these under the query code (e.g. `InvalidParameterValue`).
  InvalidParameterValueException: { queryCode: 'InvalidParameterValue', status: 400 },
  MissingRequiredParameterException: { queryCode: 'MissingParameter', status: 400 },
  UnknownOperationException: { queryCode: 'InvalidAction', status: 400 },
  SerializationException: { queryCode: 'MalformedQueryString', status: 400 },
  InternalError: { queryCode: 'InternalError', status: 500 },
} as const satisfies Record<string, { queryCode: string; status: number }>;

export type SqsErrorCode = keyof typeof SQS_ERRORS;

export function sqsError(code: SqsErrorCode, message: string): ServiceError {
  return new ServiceError(code, SQS_ERRORS[code].status, message);
}

/** The query-protocol code of an error raised here (its own code for anything else). */
export function queryCodeOf(code: string): string {
  return code in SQS_ERRORS ? SQS_ERRORS[code as SqsErrorCode].queryCode : code;
}

export function queueDoesNotExist(): ServiceError {
  return sqsError('QueueDoesNotExist', 'The specified queue does not exist.');
}

export function invalidParameterValue(message: string): ServiceError {
  return sqsError('InvalidParameterValueException', message);
}

/** `Value <v> for parameter <name> is invalid. Reason: <reason>` — SQS's wording for bad values. */
export function invalidParameter(name: string, value: unknown, reason: string): ServiceError {
  return invalidParameterValue(
    `Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`,
  );
}

export function missingParameter(name: string): ServiceError {
  return sqsError(
    'MissingRequiredParameterException',
    `The request must contain the parameter ${name}.`,
  );
}

export function receiptHandleIsInvalid(handle: string): ServiceError {
  return sqsError(
    'ReceiptHandleIsInvalid',
    `The input receipt handle "${handle}" is not a valid receipt handle.`,
  );
}
