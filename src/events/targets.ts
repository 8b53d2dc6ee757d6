/**
 * What event sources and triggers (schedules, rules, topics) hand their events to. They never
 * start environments themselves: everything reaches a function through the invoke service,
 * so concurrency, retries, destinations and logs apply the same way.
 */
import type { MessageAttribute } from '../invoke/destinations.js';

/** Asynchronous invocation of a function by ARN (as EventBridge, SNS and S3 invoke Lambda). */
export interface LambdaInvokeTarget {
  /**
   * Queues an Event invocation of `functionArn` (qualified or not) with `payload`; resolves once
   * it is durably accepted. Rejects with a ServiceError (ResourceNotFoundException) when the
   * function does not exist.
   */
  invokeAsync(functionArn: string, payload: Buffer): Promise<void>;
  /** Whether a function ARN names an existing function (for validating targets and subscriptions). */
  functionExists(functionArn: string): Promise<boolean>;
}

/** Sending to the built-in queue service by queue ARN. */
export interface QueueTarget {
  sendToQueue(
    queueArn: string,
    body: string,
    attributes?: Readonly<Record<string, MessageAttribute>>,
  ): Promise<void>;
  /** Whether a queue ARN names an existing queue. */
  queueExists(queueArn: string): Promise<boolean>;
}
