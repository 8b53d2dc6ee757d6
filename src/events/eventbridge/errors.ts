/**
 * EventBridge's exceptions. EventBridge answers every client error with HTTP 400 and the
 * exception name in `__type`; the texts follow the service's own wording.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/CommonErrors.html
 */
import { ServiceError } from '../../core/errors.js';

export function validation(message: string): ServiceError {
  return new ServiceError('ValidationException', 400, message);
}

export function busNotFound(name: string): ServiceError {
  return new ServiceError('ResourceNotFoundException', 400, `Event bus ${name} does not exist.`);
}

export function ruleNotFound(name: string, busName: string): ServiceError {
  return new ServiceError(
    'ResourceNotFoundException',
    400,
    `Rule ${name} does not exist on EventBus ${busName}.`,
  );
}

export function alreadyExists(message: string): ServiceError {
  return new ServiceError('ResourceAlreadyExistsException', 400, message);
}

export function invalidEventPattern(reason: string): ServiceError {
  return new ServiceError(
    'InvalidEventPatternException',
    400,
    `Event pattern is not valid. Reason: ${reason}`,
  );
}

export function limitExceeded(message: string): ServiceError {
  return new ServiceError('LimitExceededException', 400, message);
}
