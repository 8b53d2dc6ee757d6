/**
 * The topic service (an SNS-compatible subset): topics, subscriptions of Lambda functions and
 * queues with filter policies, and durable fan-out with retries.
 */
export { createSnsService, type SnsServiceOptions } from './sns-service.js';
export type * from './types.js';
export type * from './topic-store.js';
export { SNS_ERRORS, queryCodeOf, type SnsErrorCode } from './errors.js';
export { topicArn } from './arns.js';
