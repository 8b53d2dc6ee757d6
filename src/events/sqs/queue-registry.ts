import type { AccountContext } from '../../core/arn.js';
import type { Clock } from '../../core/clock.js';
import type { ServiceError } from '../../core/errors.js';
import { invalidParameter, invalidParameterValue, queueDoesNotExist, sqsError } from './errors.js';
import {
  expandAttributeNames,
  initialAttributes,
  integerAttribute,
  needsCounts,
  normalizeAttributes,
  redrivePolicyOf,
  renderAttributes,
  settleAttributes,
  withoutEmpty,
} from './queue-attributes.js';
import { queueArn, queueNameOf, validateQueueName } from './queue-ref.js';
import type { QueueRecord, QueueStore } from './queue-store.js';
import type { ListQueuesOptions, QueueInfo, QueueRef } from './types.js';

const PURGE_INTERVAL_MS = 60_000;
const MAX_LIST_RESULTS = 1000;

/** Queue-level operations: create, look up, list, attributes, tags, purge, delete. */
export class QueueRegistry {
  readonly #store: QueueStore;
  readonly #clock: Clock;
  readonly #ctx: AccountContext;

  constructor(store: QueueStore, clock: Clock, ctx: AccountContext) {
    this.#store = store;
    this.#clock = clock;
    this.#ctx = ctx;
  }

  /** The stored queue a QueueRef names; QueueDoesNotExist otherwise. */
  async resolve(ref: QueueRef): Promise<QueueRecord> {
    const queue = await this.#store.getQueue(queueNameOf(ref, this.#ctx));
    if (!queue) {
      throw queueDoesNotExist();
    }
    return queue;
  }

  /** Like resolve, but a missing queue is undefined. */
  async find(ref: QueueRef): Promise<QueueRecord | undefined> {
    try {
      return await this.resolve(ref);
    } catch (error) {
      if ((error as ServiceError).code === 'QueueDoesNotExist') {
        return undefined;
      }
      throw error;
    }
  }

  arn(name: string): string {
    return queueArn(this.#ctx, name);
  }

  info(queue: QueueRecord): QueueInfo {
    return { name: queue.name, arn: this.arn(queue.name), fifo: queue.fifo };
  }

  /** Retention cutoff: messages enqueued at or before it have expired. */
  retainedAfter(queue: QueueRecord, now: number): number {
    return now - integerAttribute(queue, 'MessageRetentionPeriod') * 1000;
  }

  async create(input: {
    readonly name: string;
    readonly attributes?: Readonly<Record<string, string>>;
    readonly tags?: Readonly<Record<string, string>>;
  }): Promise<QueueInfo> {
    const given = input.attributes ?? {};
    const fifo = given.FifoQueue?.toLowerCase() === 'true';
    validateQueueName(input.name, fifo);
    const normalized = normalizeAttributes(given, fifo, 'create');
    await this.#checkRedriveTarget(normalized.RedrivePolicy, fifo);
    const { queue, created } = await this.#store.createQueue({
      name: input.name,
      fifo,
      attributes: initialAttributes(normalized, fifo),
      tags: input.tags ?? {},
      createdAt: this.#clock.now(),
    });
    if (!created) {
      // CreateQueue is idempotent only when every attribute it names matches the queue.
      for (const [name, value] of Object.entries(normalized)) {
        if ((queue.attributes[name] ?? '') !== value) {
          throw sqsError(
            'QueueNameExists',
            `A queue already exists with the same name and a different value for attribute ${name}`,
          );
        }
      }
    }
    return this.info(queue);
  }

  async delete(ref: QueueRef): Promise<QueueRecord> {
    const queue = await this.resolve(ref);
    await this.#store.deleteQueue(queue.id);
    return queue;
  }

  async list(
    options: ListQueuesOptions = {},
  ): Promise<{ queues: QueueInfo[]; nextToken?: string }> {
    return this.#page(await this.#store.listQueues(options.prefix), options);
  }

  async deadLetterSources(
    ref: QueueRef,
    options: Omit<ListQueuesOptions, 'prefix'> = {},
  ): Promise<{ queues: QueueInfo[]; nextToken?: string }> {
    const target = this.arn((await this.resolve(ref)).name);
    const sources = (await this.#store.listQueues()).filter(
      (queue) => redrivePolicyOf(queue)?.deadLetterTargetArn === target,
    );
    return this.#page(sources, options);
  }

  async getAttributes(
    ref: QueueRef,
    names: readonly string[] = [],
  ): Promise<Record<string, string>> {
    const wanted = expandAttributeNames(names);
    const queue = await this.resolve(ref);
    const now = this.#clock.now();
    const counts = needsCounts(wanted)
      ? await this.#store.countMessages(queue.id, now, this.retainedAfter(queue, now))
      : undefined;
    return renderAttributes(queue, this.arn(queue.name), counts, wanted);
  }

  async setAttributes(ref: QueueRef, attributes: Readonly<Record<string, string>>): Promise<void> {
    const queue = await this.resolve(ref);
    const normalized = normalizeAttributes(attributes, queue.fifo, 'set');
    await this.#checkRedriveTarget(normalized.RedrivePolicy, queue.fifo);
    const merged = settleAttributes(withoutEmpty({ ...queue.attributes, ...normalized }));
    await this.#store.updateQueue(queue.id, { attributes: merged, modifiedAt: this.#clock.now() });
  }

  async purge(ref: QueueRef): Promise<void> {
    const queue = await this.resolve(ref);
    const now = this.#clock.now();
    if (queue.lastPurgedAt !== undefined && now - queue.lastPurgedAt < PURGE_INTERVAL_MS) {
      throw sqsError(
        'PurgeQueueInProgress',
        `Only one PurgeQueue operation on ${queue.name} is allowed every 60 seconds.`,
      );
    }
    await this.#store.purgeQueue(queue.id, now);
  }

  async tag(ref: QueueRef, tags: Readonly<Record<string, string>>): Promise<void> {
    const queue = await this.resolve(ref);
    await this.#store.updateQueue(queue.id, { tags: { ...queue.tags, ...tags } });
  }

  async untag(ref: QueueRef, keys: readonly string[]): Promise<void> {
    const queue = await this.resolve(ref);
    const tags = Object.fromEntries(
      Object.entries(queue.tags).filter(([key]) => !keys.includes(key)),
    );
    await this.#store.updateQueue(queue.id, { tags });
  }

  async tags(ref: QueueRef): Promise<Record<string, string>> {
    return { ...(await this.resolve(ref)).tags };
  }

  /** The dead-letter queue must exist (here) and be of the source's type. */
  async #checkRedriveTarget(policy: string | undefined, fifo: boolean): Promise<void> {
    if (!policy) {
      return;
    }
    const { deadLetterTargetArn } = JSON.parse(policy) as { deadLetterTargetArn: string };
    const target = deadLetterTargetArn.startsWith('arn:')
      ? await this.find(deadLetterTargetArn)
      : undefined;
    if (!target) {
      throw invalidParameter('RedrivePolicy', policy, 'Dead letter target does not exist.');
    }
    if (target.fifo !== fifo) {
      throw invalidParameter(
        'RedrivePolicy',
        policy,
        'Dead-letter queue must be same type of queue as the source.',
      );
    }
  }

  /**
   * ListQueues paging: without MaxResults, up to 1000 and no token; with it, a page and a
   * token naming the last queue returned.
   */
  #page(
    queues: readonly QueueRecord[],
    options: Omit<ListQueuesOptions, 'prefix'>,
  ): { queues: QueueInfo[]; nextToken?: string } {
    const { maxResults, nextToken } = options;
    if (
      maxResults !== undefined &&
      (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_LIST_RESULTS)
    ) {
      throw invalidParameter(
        'MaxResults',
        maxResults,
        'MaxResults must be an integer between 1 and 1000.',
      );
    }
    let start = 0;
    if (nextToken !== undefined) {
      const after = Buffer.from(nextToken, 'base64url').toString('utf8');
      if (!/^[A-Za-z0-9_.-]{1,80}$/.test(after)) {
        throw invalidParameterValue('Invalid NextToken value.');
      }
      start = queues.findIndex((queue) => queue.name > after);
      if (start < 0) {
        start = queues.length;
      }
    }
    const size = maxResults ?? MAX_LIST_RESULTS;
    const page = queues.slice(start, start + size);
    const more = maxResults !== undefined && start + size < queues.length;
    const last = page.at(-1);
    return {
      queues: page.map((queue) => this.info(queue)),
      ...(more && last && { nextToken: Buffer.from(last.name, 'utf8').toString('base64url') }),
    };
  }
}
