/**
 * API Gateway's errors: `{"message": …}` with `x-amzn-ErrorType`, 400/404/409.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis.html#apis-response-body-apis-example-responses
 */
import { ServiceError } from '../../core/errors.js';

export function badRequest(message: string): ServiceError {
  return new ServiceError('BadRequestException', 400, message);
}

export function notFound(message: string, resourceType?: string): ServiceError {
  return new ServiceError(
    'NotFoundException',
    404,
    message,
    'message',
    resourceType === undefined ? {} : { fields: { resourceType } },
  );
}

export function conflict(message: string): ServiceError {
  return new ServiceError('ConflictException', 409, message);
}
