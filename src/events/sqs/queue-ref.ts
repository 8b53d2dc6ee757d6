import type { AccountContext } from '../../core/arn.js';
import { invalidParameterValue, queueDoesNotExist } from './errors.js';
import type { QueueRef } from './types.js';

const STANDARD_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;
const QUEUE_ARN = /^arn:aws[a-zA-Z-]*:sqs:([a-z0-9-]+):(\d{12}):(.+)$/;

/** `arn:aws:sqs:<region>:<account>:<name>` */
export function queueArn(ctx: AccountContext, name: string): string {
  return `arn:aws:sqs:${ctx.region}:${ctx.accountId}:${name}`;
}

/**
 * The queue name a QueueRef (a name or an ARN) names. An ARN of another region or account
 * names no queue here.
 */
export function queueNameOf(ref: QueueRef, ctx: AccountContext): string {
  if (!ref.startsWith('arn:')) {
    return ref;
  }
  const m = QUEUE_ARN.exec(ref);
  if (!m?.[3] || m[1] !== ctx.region || m[2] !== ctx.accountId) {
    throw queueDoesNotExist();
  }
  return m[3];
}

/**
 * Queue names: 1–80 alphanumerics, hyphens and underscores; a FIFO queue's name ends in
 * `.fifo` (counted in the 80).
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
 */
export function validateQueueName(name: string, fifo: boolean): void {
  if (fifo) {
    if (!FIFO_NAME.test(name)) {
      throw invalidParameterValue(
        'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.',
      );
    }
    return;
  }
  if (!STANDARD_NAME.test(name)) {
    throw invalidParameterValue(
      'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
    );
  }
}
