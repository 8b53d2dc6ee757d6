/**
 * Kinesis Data Streams' exceptions. Kinesis answers every client error with HTTP 400 and the
 * exception name in `__type`; the texts follow the service's own wording.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/CommonErrors.html
 */
import type { AccountContext } from '../../core/arn.js';
import { ServiceError } from '../../core/errors.js';

export function streamNotFound(name: string, ctx: AccountContext): ServiceError {
  return new ServiceError(
    'ResourceNotFoundException',
    400,
    `Stream ${name} under account ${ctx.accountId} not found.`,
  );
}

export function shardNotFound(shardId: string, name: string, ctx: AccountContext): ServiceError {
  return new ServiceError(
    'ResourceNotFoundException',
    400,
    `Shard ${shardId} in stream ${name} under account ${ctx.accountId} does not exist`,
  );
}

export function streamAlreadyExists(name: string, ctx: AccountContext): ServiceError {
  return new ServiceError(
    'ResourceInUseException',
    400,
    `Stream ${name} under account ${ctx.accountId} already exists.`,
  );
}

export function streamNotActive(name: string, status: string, ctx: AccountContext): ServiceError {
  return new ServiceError(
    'ResourceInUseException',
    400,
    `Stream ${name} under account ${ctx.accountId} not ACTIVE, instead in state ${status}`,
  );
}

export function invalidArgument(message: string): ServiceError {
  return new ServiceError('InvalidArgumentException', 400, message);
}

export function limitExceeded(message: string): ServiceError {
  return new ServiceError('LimitExceededException', 400, message);
}

export function expiredIterator(message: string): ServiceError {
  return new ServiceError('ExpiredIteratorException', 400, message);
}

export function expiredNextToken(message: string): ServiceError {
  return new ServiceError('ExpiredNextTokenException', 400, message);
}
