/**
 * Event source mappings: the Lambda API for them and the pollers that implement them, on the
 * built-in queue (SQS), the built-in stream (Kinesis) and RabbitMQ brokers. Every invocation goes
 * through the Invoker, so concurrency, logs and environments are the invoke service's.
 */
import type { AccountContext } from '../../core/arn.js';
import type { Clock } from '../../core/clock.js';
import type { FunctionResolver, Invoker } from '../../invoke/types.js';
import type { StreamService } from '../kinesis/index.js';
import type { QueueService } from '../sqs/index.js';
import type { EventSourceMappingStore } from './mapping-store.js';
import { MappingService, type EventSourceMappingApi } from './mapping-service.js';
import type { OnFailureTargets } from './poller.js';
import { MappingRuntime } from './runtime.js';

export type { EventSourceMappingApi } from './mapping-service.js';
export type { EventSourceMappingStore } from './mapping-store.js';
export type { OnFailureTargets } from './poller.js';
export type { MappingConfiguration } from './render.js';
export type * from './types.js';

export interface EventSourceMappingsOptions {
  readonly store: EventSourceMappingStore;
  /** Batching windows, retry delays, record ages and reconnect backoff run on it. */
  readonly clock: Clock;
  readonly ctx: AccountContext;
  readonly invoker: Invoker;
  /** Validates FunctionName and gives the timeout and role of the function. */
  readonly resolver: FunctionResolver;
  readonly queues: QueueService;
  readonly streams: StreamService;
  /** OnFailure destinations of stream mappings (and queue existence checks). */
  readonly onFailure: OnFailureTargets;
  /** Problems no caller waits for (a deleted queue, an unreachable broker). Must not throw. */
  readonly onWarning: (message: string) => void;
}

export interface EventSourceMappings extends EventSourceMappingApi {
  /** Starts the pollers of stored mappings (settling states a previous stop left transitional). */
  start(): Promise<void>;
  /** Stops every poller; in-flight batches finish first. Stored mappings and checkpoints stay. */
  stop(): Promise<void>;
}

export function createEventSourceMappings(
  options: EventSourceMappingsOptions,
): EventSourceMappings {
  const runtime = new MappingRuntime(options);
  const service = new MappingService(options, runtime);
  return {
    createEventSourceMapping: (body) => service.createEventSourceMapping(body),
    getEventSourceMapping: (uuid) => service.getEventSourceMapping(uuid),
    updateEventSourceMapping: (uuid, body) => service.updateEventSourceMapping(uuid, body),
    deleteEventSourceMapping: (uuid) => service.deleteEventSourceMapping(uuid),
    listEventSourceMappings: (query) => service.listEventSourceMappings(query),
    start: () => runtime.start(),
    stop: () => runtime.stop(),
  };
}
