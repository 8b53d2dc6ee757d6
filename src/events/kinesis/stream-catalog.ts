/**
 * Streams and shards: creating, naming (name or ARN), describing, listing, retention and deletion.
 * Status is derived from the clock: a stream is CREATING until its activation instant, then
 * ACTIVE. https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html
 */
import type { AccountContext } from '../../core/arn.js';
import type { Clock } from '../../core/clock.js';
import {
  expiredNextToken,
  invalidArgument,
  limitExceeded,
  shardNotFound,
  streamAlreadyExists,
  streamNotActive,
  streamNotFound,
} from './errors.js';
import { evenHashKeyRanges, type HashKeyRange } from './hash-keys.js';
import { formatSequenceNumber, formatShardId, parseShardId } from './sequence-numbers.js';
import type { ShardRow, StreamMode, StreamRow, StreamStore } from './stream-store.js';
import type {
  ListShardsInput,
  ListShardsPage,
  ListStreamsPage,
  ShardDescription,
  StreamDescription,
  StreamRef,
  StreamStatus,
  StreamSummary,
} from './types.js';

export interface StreamCatalogOptions {
  readonly store: StreamStore;
  readonly clock: Clock;
  readonly ctx: AccountContext;
  /** How long a new stream stays CREATING (default 0: ACTIVE at once). */
  readonly activationDelayMs?: number;
  /** Most shards a new stream may have (Kinesis's default account quota is 500 per region). */
  readonly shardLimit?: number;
}

/** Kinesis's default retention, and the bounds Increase/DecreaseStreamRetentionPeriod accept. */
export const DEFAULT_RETENTION_HOURS = 24;
export const MIN_RETENTION_HOURS = 24;
export const MAX_RETENTION_HOURS = 8760;
/** The shards an on-demand stream starts with. */
export const ON_DEMAND_SHARDS = 4;
const LIST_SHARDS_TOKEN_TTL_MS = 300_000;
const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
const ARN = /^arn:aws[a-zA-Z-]*:kinesis:([^:]*):(\d{12}):stream\/([a-zA-Z0-9_.-]+)$/;

export class StreamCatalog {
  readonly store: StreamStore;
  readonly clock: Clock;
  readonly ctx: AccountContext;
  readonly #activationDelayMs: number;
  readonly #shardLimit: number;
  /** Hash key ranges never change (no resharding); stream ids are never reused. */
  readonly #ranges = new Map<number, HashKeyRange[]>();

  constructor(options: StreamCatalogOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.ctx = options.ctx;
    this.#activationDelayMs = options.activationDelayMs ?? 0;
    this.#shardLimit = options.shardLimit ?? 500;
  }

  streamArn(name: string): string {
    return `arn:aws:kinesis:${this.ctx.region}:${this.ctx.accountId}:stream/${name}`;
  }

  status(stream: StreamRow): StreamStatus {
    return this.clock.now() < stream.activeMs ? 'CREATING' : 'ACTIVE';
  }

  /** The stream a request names; StreamName and StreamARN, when both given, must agree. */
  nameOf(ref: StreamRef): string {
    let fromArn: string | undefined;
    if (ref.streamArn !== undefined) {
      const m = ARN.exec(ref.streamArn);
      if (m?.[3] === undefined) {
        throw invalidArgument(`StreamARN ${ref.streamArn} is not a valid Kinesis stream ARN.`);
      }
      if (m[1] !== this.ctx.region || m[2] !== this.ctx.accountId) {
        throw streamNotFound(m[3], { ...this.ctx, accountId: m[2] ?? this.ctx.accountId });
      }
      fromArn = m[3];
    }
    if (fromArn !== undefined && ref.streamName !== undefined && fromArn !== ref.streamName) {
      throw invalidArgument(
        `StreamName ${ref.streamName} does not match the stream named by StreamARN ${ref.streamArn ?? ''}.`,
      );
    }
    const name = fromArn ?? ref.streamName;
    if (name === undefined) {
      throw invalidArgument('Either StreamName or StreamARN should be provided.');
    }
    return name;
  }

  async resolve(ref: StreamRef): Promise<StreamRow> {
    const name = this.nameOf(ref);
    const stream = await this.store.getStream(name);
    if (stream === undefined) {
      throw streamNotFound(name, this.ctx);
    }
    return stream;
  }

  /** The stream, which must be ACTIVE: reads and writes of a CREATING stream find nothing. */
  async resolveActive(ref: StreamRef): Promise<StreamRow> {
    const stream = await this.resolve(ref);
    if (this.status(stream) !== 'ACTIVE') {
      throw streamNotFound(stream.name, this.ctx);
    }
    return stream;
  }

  /** The index of `shardId` in the stream, which must have it. */
  shardIndex(stream: StreamRow, shardId: string): number {
    const index = parseShardId(shardId);
    if (index === undefined || index >= stream.shardCount) {
      throw shardNotFound(shardId, stream.name, this.ctx);
    }
    return index;
  }

  async shard(stream: StreamRow, index: number): Promise<ShardRow> {
    const shard = (await this.store.listShards(stream.id))[index];
    if (shard === undefined) {
      throw streamNotFound(stream.name, this.ctx);
    }
    return shard;
  }

  async hashKeyRanges(stream: StreamRow): Promise<HashKeyRange[]> {
    let ranges = this.#ranges.get(stream.id);
    if (ranges === undefined) {
      ranges = (await this.store.listShards(stream.id)).map((s) => ({
        startingHashKey: BigInt(s.startingHashKey),
        endingHashKey: BigInt(s.endingHashKey),
      }));
      this.#ranges.set(stream.id, ranges);
    }
    return ranges;
  }

  async createStream(input: {
    readonly streamName: string;
    readonly shardCount?: number;
    readonly streamMode?: StreamMode;
  }): Promise<void> {
    if (!STREAM_NAME.test(input.streamName)) {
      throw invalidArgument(
        `Stream name ${input.streamName} must be 1 to 128 characters of [a-zA-Z0-9_.-].`,
      );
    }
    // Without a mode or a shard count the stream is on-demand, whose shards Kinesis manages.
    const mode = input.streamMode ?? (input.shardCount === undefined ? 'ON_DEMAND' : 'PROVISIONED');
    const shardCount = input.shardCount ?? (mode === 'ON_DEMAND' ? ON_DEMAND_SHARDS : undefined);
    if (shardCount === undefined) {
      throw invalidArgument('ShardCount is required for a stream in PROVISIONED mode.');
    }
    if (!Number.isSafeInteger(shardCount) || shardCount < 1) {
      throw invalidArgument(`ShardCount must be a positive integer, got ${shardCount}.`);
    }
    if (shardCount > this.#shardLimit) {
      throw limitExceeded(
        `This request would exceed the shard limit for the account ${this.ctx.accountId} in ${this.ctx.region}. Limit: ${this.#shardLimit}. Requested: ${shardCount}.`,
      );
    }
    const now = this.clock.now();
    const created = await this.store.createStream({
      name: input.streamName,
      mode,
      shardCount,
      retentionHours: DEFAULT_RETENTION_HOURS,
      createdMs: now,
      activeMs: now + this.#activationDelayMs,
      shards: evenHashKeyRanges(shardCount).map((r) => ({
        startingHashKey: r.startingHashKey.toString(),
        endingHashKey: r.endingHashKey.toString(),
      })),
    });
    if (created === undefined) {
      throw streamAlreadyExists(input.streamName, this.ctx);
    }
  }

  summarize(stream: StreamRow): StreamSummary {
    return {
      streamName: stream.name,
      streamArn: this.streamArn(stream.name),
      streamStatus: this.status(stream),
      streamMode: stream.mode,
      retentionPeriodHours: stream.retentionHours,
      streamCreationTimestamp: stream.createdMs,
      openShardCount: stream.shardCount,
    };
  }

  describeShard(stream: StreamRow, shard: ShardRow): ShardDescription {
    return {
      shardId: formatShardId(shard.shardIndex),
      startingHashKey: shard.startingHashKey,
      endingHashKey: shard.endingHashKey,
      startingSequenceNumber: formatSequenceNumber({
        streamCreatedMs: stream.createdMs,
        shardIndex: shard.shardIndex,
        position: 0,
      }),
    };
  }

  async describeStream(
    ref: StreamRef,
    page: { readonly limit?: number; readonly exclusiveStartShardId?: string } = {},
  ): Promise<StreamDescription> {
    const stream = await this.resolve(ref);
    const shards = await this.store.listShards(stream.id);
    const start = this.#startAfterShard(page.exclusiveStartShardId);
    const after = shards.filter((s) => s.shardIndex >= start);
    const limit = page.limit ?? 100;
    return {
      ...this.summarize(stream),
      shards: after.slice(0, limit).map((s) => this.describeShard(stream, s)),
      hasMoreShards: after.length > limit,
    };
  }

  async describeStreamSummary(ref: StreamRef): Promise<StreamSummary> {
    return this.summarize(await this.resolve(ref));
  }

  async listStreams(
    page: { readonly limit?: number; readonly exclusiveStartStreamName?: string } = {},
  ): Promise<ListStreamsPage> {
    const limit = Math.min(page.limit ?? 100, 100);
    const rows = await this.store.listStreams(page.exclusiveStartStreamName, limit + 1);
    return {
      streams: rows.slice(0, limit).map((s) => this.summarize(s)),
      hasMoreStreams: rows.length > limit,
    };
  }

  async listShards(input: ListShardsInput): Promise<ListShardsPage> {
    let stream: StreamRow;
    let start: number;
    if (input.nextToken !== undefined) {
      if (input.stream?.streamName !== undefined) {
        throw invalidArgument('NextToken and StreamName cannot be provided together.');
      }
      const token = this.#decodeShardsToken(input.nextToken);
      stream = await this.resolve({ streamName: token.name });
      if (stream.createdMs !== token.createdMs) {
        throw streamNotFound(token.name, this.ctx);
      }
      start = token.next;
    } else {
      stream = await this.resolve(input.stream ?? {});
      const filter = input.filter;
      const afterId =
        filter?.type === 'AFTER_SHARD_ID' ? filter.shardId : input.exclusiveStartShardId;
      start = this.#startAfterShard(afterId);
    }
    // No resharding: every shard is open and alive from the trim horizon to the tip, so the
    // position filters (AT_TRIM_HORIZON, AT_LATEST, …) keep every shard.
    const shards = (await this.store.listShards(stream.id)).filter((s) => s.shardIndex >= start);
    const max = Math.min(input.maxResults ?? 1000, 1000);
    const page = shards.slice(0, max).map((s) => this.describeShard(stream, s));
    const last = shards[max - 1];
    if (shards.length <= max || last === undefined) {
      return { shards: page };
    }
    return { shards: page, nextToken: this.#encodeShardsToken(stream, last.shardIndex + 1) };
  }

  async deleteStream(ref: StreamRef): Promise<void> {
    const stream = await this.resolve(ref);
    const status = this.status(stream);
    if (status !== 'ACTIVE') {
      throw streamNotActive(stream.name, status, this.ctx);
    }
    await this.store.deleteStream(stream.id);
    this.#ranges.delete(stream.id);
  }

  async changeRetention(
    ref: StreamRef,
    hours: number,
    direction: 'increase' | 'decrease',
  ): Promise<void> {
    const stream = await this.resolve(ref);
    const status = this.status(stream);
    if (status !== 'ACTIVE') {
      throw streamNotActive(stream.name, status, this.ctx);
    }
    if (hours < MIN_RETENTION_HOURS) {
      throw invalidArgument(
        `Minimum allowed retention period is ${MIN_RETENTION_HOURS} hours. Requested retention period (${hours} hours) is too short.`,
      );
    }
    if (hours > MAX_RETENTION_HOURS) {
      throw invalidArgument(
        `Maximum allowed retention period is ${MAX_RETENTION_HOURS} hours. Requested retention period (${hours} hours) is too long.`,
      );
    }
    const current = stream.retentionHours;
    if (direction === 'increase' && hours < current) {
      throw invalidArgument(
        `Requested retention period (${hours} hours) for stream ${stream.name} can not be shorter than existing retention period (${current} hours). Use DecreaseRetentionPeriod API.`,
      );
    }
    if (direction === 'decrease' && hours > current) {
      throw invalidArgument(
        `Requested retention period (${hours} hours) for stream ${stream.name} can not be longer than existing retention period (${current} hours). Use IncreaseRetentionPeriod API.`,
      );
    }
    await this.store.setRetentionHours(stream.id, hours);
  }

  /** Every stream, a page at a time. */
  async *allStreams(): AsyncGenerator<StreamRow> {
    let after: string | undefined;
    for (;;) {
      const page = await this.store.listStreams(after, 100);
      yield* page;
      const last = page.at(-1);
      if (page.length < 100 || last === undefined) {
        return;
      }
      after = last.name;
    }
  }

  #startAfterShard(shardId: string | undefined): number {
    if (shardId === undefined) {
      return 0;
    }
    const index = parseShardId(shardId);
    // An unknown id sorts by its text, as Kinesis compares shard ids.
    return index === undefined ? (shardId < formatShardId(0) ? 0 : Infinity) : index + 1;
  }

  #encodeShardsToken(stream: StreamRow, next: number): string {
    const text = [this.clock.now(), stream.createdMs, next, stream.name].join(':');
    return Buffer.from(text, 'utf8').toString('base64');
  }

  #decodeShardsToken(token: string): { name: string; createdMs: number; next: number } {
    const m = /^(\d+):(\d+):(\d+):([a-zA-Z0-9_.-]+)$/.exec(
      Buffer.from(token, 'base64').toString('utf8'),
    );
    if (m?.[4] === undefined) {
      throw invalidArgument(`NextToken ${token} is not valid.`);
    }
    if (this.clock.now() - Number(m[1]) > LIST_SHARDS_TOKEN_TTL_MS) {
      throw expiredNextToken(`The timestamp of NextToken ${token} has expired.`);
    }
    return { name: m[4], createdMs: Number(m[2]), next: Number(m[3]) };
  }
}
