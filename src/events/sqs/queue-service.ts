import type { AccountContext } from '../../core/arn.js';
import type { Clock } from '../../core/clock.js';
import { Messaging } from './messaging.js';
import { QueueRegistry } from './queue-registry.js';
import type { QueueStore } from './queue-store.js';
import type { QueueService } from './types.js';
import { QueueWakeups } from './wakeups.js';

export interface QueueServiceOptions {
  readonly store: QueueStore;
  /** Visibility timeouts, delays, retention and long polls all run on it. */
  readonly clock: Clock;
  /** The region and account queue ARNs carry. */
  readonly ctx: AccountContext;
}

/**
 * The built-in queue service: SQS semantics over a QueueStore. Both SQS protocol adapters and
 * Lambda's internals (destinations, dead-letter queues, event source mappings) call it.
 */
export function createQueueService(options: QueueServiceOptions): QueueService {
  const { store, clock, ctx } = options;
  const wakeups = new QueueWakeups(clock);
  const queues = new QueueRegistry(store, clock, ctx);
  const messages = new Messaging({ store, clock, ctx, queues, wakeups });
  return {
    createQueue: (input) => queues.create(input),
    getQueue: async (queue) => queues.info(await queues.resolve(queue)),
    async deleteQueue(queue) {
      const deleted = await queues.delete(queue);
      wakeups.notify(deleted.id);
    },
    listQueues: (listOptions) => queues.list(listOptions),
    listDeadLetterSourceQueues: (queue, listOptions) =>
      queues.deadLetterSources(queue, listOptions),
    getQueueAttributes: (queue, names) => queues.getAttributes(queue, names),
    setQueueAttributes: (queue, attributes) => queues.setAttributes(queue, attributes),
    purgeQueue: (queue) => queues.purge(queue),
    sendMessage: (queue, message) => messages.send(queue, message),
    sendMessageBatch: (queue, entries) => messages.sendBatch(queue, entries),
    receiveMessages: (queue, receiveOptions, signal) =>
      messages.receive(queue, receiveOptions, signal),
    deleteMessage: (queue, receiptHandle) => messages.delete(queue, receiptHandle),
    deleteMessageBatch: (queue, entries) => messages.deleteBatch(queue, entries),
    changeMessageVisibility: (queue, receiptHandle, visibilityTimeout) =>
      messages.changeVisibility(queue, receiptHandle, visibilityTimeout),
    changeMessageVisibilityBatch: (queue, entries) =>
      messages.changeVisibilityBatch(queue, entries),
    tagQueue: (queue, tags) => queues.tag(queue, tags),
    untagQueue: (queue, keys) => queues.untag(queue, keys),
    listQueueTags: (queue) => queues.tags(queue),
    close: () => {
      wakeups.close();
    },
  };
}
