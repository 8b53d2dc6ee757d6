/**
 * The Kinesis source: a ShardReader per shard of the stream, each starting from the mapping's
 * stored checkpoint, or, the first time, from its StartingPosition (pinned and stored before the
 * mapping reports Enabled, so records written after that are never skipped).
 */
import { setMaxListeners } from 'node:events';
import { compileFilterCriteria } from '../../filter/index.js';
import type { ShardPosition } from '../../kinesis/index.js';
import type { Poller, PollerDeps } from '../poller.js';
import type { KinesisSettings, MappingRecord } from '../types.js';
import { ShardReader } from './shard-reader.js';

export async function startKinesisPoller(
  mapping: MappingRecord,
  settings: KinesisSettings,
  deps: PollerDeps,
): Promise<Poller> {
  const streamArn = mapping.eventSourceArn ?? '';
  const ref = { streamArn };
  const summary = await deps.streams.describeStreamSummary(ref);
  const shardIds: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await deps.streams.listShards(
      nextToken === undefined ? { stream: ref } : { nextToken },
    );
    shardIds.push(...page.shards.map((s) => s.shardId));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);

  const checkpoints = await deps.store.getCheckpoints(mapping.uuid);
  const position: ShardPosition =
    settings.startingPosition === 'AT_TIMESTAMP'
      ? { type: 'AT_TIMESTAMP', timestampMs: (settings.startingPositionTimestamp ?? 0) * 1000 }
      : { type: settings.startingPosition };
  for (const shardId of shardIds) {
    if (!checkpoints.has(shardId)) {
      const checkpoint = await deps.streams.resolveCheckpoint(ref, shardId, position);
      await deps.store.putCheckpoint(mapping.uuid, shardId, checkpoint);
      checkpoints.set(shardId, checkpoint);
    }
  }

  const abort = new AbortController();
  // The reader and every lane of every shard wait on it.
  setMaxListeners(0, abort.signal);
  const filter = compileFilterCriteria(settings.filterPatterns, 'kinesis');
  let lastResult = mapping.lastProcessingResult;
  const reportResult = (ok: boolean): void => {
    const result = ok ? 'OK' : 'PROBLEM: Function call failed';
    if (result !== lastResult) {
      lastResult = result;
      deps.store.setLastProcessingResult(mapping.uuid, result).catch((error: unknown) => {
        deps.onWarning(`event source mapping ${mapping.uuid}: ${String(error)}`);
      });
    }
  };
  const readers = new Map<string, ShardReader>();
  for (const shardId of shardIds) {
    readers.set(
      shardId,
      new ShardReader({
        shard: {
          deps,
          mapping,
          settings,
          shardId,
          streamArn: summary.streamArn,
          retentionMs: summary.retentionPeriodHours * 3_600_000,
          signal: abort.signal,
          reportResult,
        },
        filter,
        checkpoint: checkpoints.get(shardId) ?? '',
        saveCheckpoint: (sequenceNumber) =>
          deps.store.putCheckpoint(mapping.uuid, shardId, sequenceNumber),
      }),
    );
  }
  const unsubscribe = deps.streams.subscribe(summary.streamArn, (notice) => {
    readers.get(notice.shardId)?.notify();
  });
  for (const reader of readers.values()) {
    reader.start();
  }
  return {
    async stop() {
      unsubscribe();
      abort.abort();
      await Promise.all([...readers.values()].map((r) => r.stopped()));
    },
  };
}
