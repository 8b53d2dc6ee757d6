/**
 * Sequence numbers and shard ids. A sequence number is a 56-digit decimal string, like those
 * Kinesis issues, that encodes where the record lives:
 *
 *   "49" | stream creation time, ms (15 digits) | shard index (6) | position in the shard (33)
 *
 * so numbers of one shard compare as strings in the order they were assigned, numbers of a
 * deleted-and-recreated stream never collide with the old ones, and an iterator request can tell
 * which shard a number belongs to. Position 0 is "before the first record" and is never a record's.
 */

/** What a sequence number encodes. */
export interface SequencePosition {
  readonly streamCreatedMs: number;
  readonly shardIndex: number;
  /** The record's position in its shard, from 1; 0 means before the first record. */
  readonly position: number;
}

const SEQUENCE_NUMBER = /^49(\d{15})(\d{6})(\d{33})$/;

export function formatSequenceNumber(p: SequencePosition): string {
  return (
    '49' +
    String(p.streamCreatedMs).padStart(15, '0') +
    String(p.shardIndex).padStart(6, '0') +
    String(p.position).padStart(33, '0')
  );
}

export function parseSequenceNumber(text: string): SequencePosition | undefined {
  const m = SEQUENCE_NUMBER.exec(text);
  if (m === null) {
    return undefined;
  }
  const position = Number(m[3]);
  if (!Number.isSafeInteger(position)) {
    return undefined;
  }
  return { streamCreatedMs: Number(m[1]), shardIndex: Number(m[2]), position };
}

/** `shardId-000000000000`, as Kinesis names the shards of a new stream. */
export function formatShardId(index: number): string {
  return `shardId-${String(index).padStart(12, '0')}`;
}

export function parseShardId(shardId: string): number | undefined {
  const m = /^shardId-(\d{12})$/.exec(shardId);
  return m === null ? undefined : Number(m[1]);
}
