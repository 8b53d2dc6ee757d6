export { createQueueService, type QueueServiceOptions } from './queue-service.js';
export type * from './types.js';
export type * from './queue-store.js';
export { queueArn, queueNameOf } from './queue-ref.js';
