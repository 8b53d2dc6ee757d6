/**
 * Shard iterators are self-contained tokens: the stream (name and creation time), the shard, the
 * position after which reading continues and when the iterator was issued. Nothing is kept on the
 * server, so an iterator survives a restart and works on any node, and expiry (5 minutes after
 * issue, as on Kinesis) is a comparison with the clock.
 */

/** An iterator is refused this long after it was issued. */
export const ITERATOR_TTL_MS = 5 * 60 * 1000;

export interface ShardIteratorState {
  readonly streamName: string;
  readonly streamCreatedMs: number;
  readonly shardIndex: number;
  /** Records with a position above this are read next. */
  readonly after: number;
  readonly issuedMs: number;
}

const VERSION = '1';

export function encodeShardIterator(s: ShardIteratorState): string {
  const text = [VERSION, s.issuedMs, s.streamCreatedMs, s.shardIndex, s.after, s.streamName].join(
    ':',
  );
  return Buffer.from(text, 'utf8').toString('base64');
}

/** The iterator's state, or undefined when the text is not an iterator this server issued. */
export function decodeShardIterator(text: string): ShardIteratorState | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    return undefined;
  }
  const m = /^1:(\d+):(\d+):(\d+):(\d+):([a-zA-Z0-9_.-]{1,128})$/.exec(
    Buffer.from(text, 'base64').toString('utf8'),
  );
  if (m === null) {
    return undefined;
  }
  const numbers = [m[1], m[2], m[3], m[4]].map(Number);
  const [issuedMs, streamCreatedMs, shardIndex, after] = numbers;
  if (
    issuedMs === undefined ||
    streamCreatedMs === undefined ||
    shardIndex === undefined ||
    after === undefined ||
    m[5] === undefined ||
    !numbers.every(Number.isSafeInteger)
  ) {
    return undefined;
  }
  return { streamName: m[5], streamCreatedMs, shardIndex, after, issuedMs };
}
