/**
 * Partition keys to shards, exactly as Kinesis does: the MD5 of the key (UTF-8) read as an
 * unsigned 128-bit big-endian integer, routed to the shard whose hash key range holds it. A new
 * stream splits the 128-bit space evenly, the last shard taking the remainder.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecord.html
 */
import { createHash } from 'node:crypto';

/** The largest hash key, 2^128 - 1. */
export const MAX_HASH_KEY = (1n << 128n) - 1n;

/** A shard's hash key range, both ends inclusive. */
export interface HashKeyRange {
  readonly startingHashKey: bigint;
  readonly endingHashKey: bigint;
}

/** The hash key Kinesis derives from a partition key. */
export function partitionKeyHash(partitionKey: string): bigint {
  return BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
}

/** The ranges of a new stream of `shardCount` shards. */
export function evenHashKeyRanges(shardCount: number): HashKeyRange[] {
  const count = BigInt(shardCount);
  const step = (MAX_HASH_KEY + 1n) / count;
  const ranges: HashKeyRange[] = [];
  for (let i = 0n; i < count; i++) {
    ranges.push({
      startingHashKey: i * step,
      endingHashKey: i === count - 1n ? MAX_HASH_KEY : (i + 1n) * step - 1n,
    });
  }
  return ranges;
}

/** An ExplicitHashKey (a decimal string), or undefined when it is not one in [0, 2^128 - 1]. */
export function parseHashKey(text: string): bigint | undefined {
  if (!/^(0|[1-9]\d{0,38})$/.test(text)) {
    return undefined;
  }
  const value = BigInt(text);
  return value <= MAX_HASH_KEY ? value : undefined;
}

/** The index of the range holding `hash`; ranges are sorted and cover the whole space. */
export function shardIndexForHash(ranges: readonly HashKeyRange[], hash: bigint): number {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const range = ranges[mid];
    if (range !== undefined && hash > range.endingHashKey) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}
