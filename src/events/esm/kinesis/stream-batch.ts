/**
 * One batch of a shard, processed until every record is settled (succeeded or discarded), as
 * Lambda does for streams (https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html#services-kinesis-errors):
 *
 * - a failing batch is retried, blocking its shard (lane), until it succeeds, its records are
 *   older than MaximumRecordAgeInSeconds (or the stream's retention), or MaximumRetryAttempts
 *   retries have failed; then it is discarded and described to the OnFailure destination;
 * - invocations that never reached the function (throttles) are retried without counting;
 * - BisectBatchOnFunctionError splits a failed batch in two and processes the halves in order;
 *   "splitting a batch does not count towards the retry quota";
 * - a partial batch response settles the records before the lowest failed sequence number and
 *   retries from it (with bisection, "the batch is bisected at the returned sequence number").
 *
 * Records are settled in order through `settled`, so the shard checkpoints at the first failure.
 * Inside a tumbling window they are held by the window instead, and settled after its final
 * invocation (tumbling-window.ts).
 */
import type { StreamRecord } from '../../kinesis/index.js';
import { kinesisEventRecord } from '../../kinesis/index.js';
import { invokeBatch, type ResponseContext } from '../invocation.js';
import { backoffMs, pause, type PollerDeps } from '../poller.js';
import type { KinesisSettings, MappingRecord } from '../types.js';
import { deliverOnFailure, onFailureRecord, type DiscardCondition } from './on-failure.js';
import type { TumblingWindow } from './tumbling-window.js';

export interface ShardContext {
  readonly deps: PollerDeps;
  readonly mapping: MappingRecord;
  readonly settings: KinesisSettings;
  readonly shardId: string;
  readonly streamArn: string;
  /** The stream's retention: records older than this are gone, so retrying them ends. */
  readonly retentionMs: number;
  readonly signal: AbortSignal;
  /** Records that are done with (in order): the shard may checkpoint past them. */
  readonly settled: (records: readonly StreamRecord[]) => Promise<void>;
  /** How the last batch went, for LastProcessingResult. */
  readonly reportResult: (ok: boolean) => void;
}

interface Pending {
  records: readonly StreamRecord[];
  retries: number;
  invokes: number;
  response?: ResponseContext;
}

/**
 * Processes `records` (all of `window`, when there is one); returns early (leaving the rest
 * unsettled) only when the shard stops.
 */
export async function processStreamBatch(
  records: readonly StreamRecord[],
  shard: ShardContext,
  window?: TumblingWindow,
): Promise<void> {
  const { deps, settings, signal } = shard;
  const settled = async (done: readonly StreamRecord[]): Promise<void> => {
    if (window === undefined) {
      await shard.settled(done);
    } else {
      window.held.push(...done);
    }
  };
  const queue: Pending[] = [{ records, retries: 0, invokes: 0 }];
  let notInvoked = 0;
  while (queue.length > 0 && !signal.aborted) {
    const item = queue[0];
    if (item === undefined) {
      break;
    }
    const expired = expiredPrefix(item.records, shard, deps.clock.now());
    if (expired > 0) {
      await discard(
        { ...item, records: item.records.slice(0, expired) },
        'RecordAgeExceeded',
        shard,
      );
      await settled(item.records.slice(0, expired));
      item.records = item.records.slice(expired);
      if (item.records.length === 0) {
        queue.shift();
      }
      continue;
    }
    const outcome = await invoke(item.records, shard, window);
    if (outcome.kind === 'not-invoked') {
      await pause(deps.clock, backoffMs(++notInvoked, 100, 3_000), signal);
      continue;
    }
    notInvoked = 0;
    item.invokes++;
    item.response = outcome.response;
    if (outcome.kind === 'success') {
      shard.reportResult(true);
      window?.absorb(outcome.payload);
      await settled(item.records);
      queue.shift();
      continue;
    }
    shard.reportResult(false);
    if (outcome.kind === 'partial') {
      window?.absorb(outcome.payload);
      const at = firstFailure(item.records, outcome.failed);
      await settled(item.records.slice(0, at));
      item.records = item.records.slice(at);
    } else if (settings.bisectBatchOnFunctionError && item.records.length > 1) {
      const half = Math.ceil(item.records.length / 2);
      queue.splice(
        0,
        1,
        { ...item, records: item.records.slice(0, half) },
        { ...item, records: item.records.slice(half) },
      );
      continue;
    }
    item.retries++;
    if (settings.maximumRetryAttempts !== -1 && item.retries > settings.maximumRetryAttempts) {
      await discard(item, 'RetryAttemptsExhausted', shard);
      await settled(item.records);
      queue.shift();
      continue;
    }
    await pause(deps.clock, backoffMs(item.retries, 100, 3_000), signal);
  }
}

/**
 * Makes the window's final invocation (no records, the final state), retried like a batch, then
 * settles the window's records. Returns early, settling nothing, only when the shard stops.
 */
export async function finishWindow(window: TumblingWindow, shard: ShardContext): Promise<void> {
  const { deps, settings, signal } = shard;
  let retries = 0;
  let notInvoked = 0;
  while (!signal.aborted) {
    const outcome = await invoke([], shard, window, true);
    if (outcome.kind === 'not-invoked') {
      await pause(deps.clock, backoffMs(++notInvoked, 100, 3_000), signal);
      continue;
    }
    notInvoked = 0;
    shard.reportResult(outcome.kind !== 'function-error');
    if (outcome.kind !== 'function-error') {
      break;
    }
    retries++;
    if (settings.maximumRetryAttempts !== -1 && retries > settings.maximumRetryAttempts) {
      // No records to describe to the OnFailure destination: the window's state is dropped.
      deps.onWarning(
        `event source mapping ${shard.mapping.uuid}: the final invocation of a tumbling window of ${shard.shardId} failed; its state is dropped`,
      );
      break;
    }
    await pause(deps.clock, backoffMs(retries, 100, 3_000), signal);
  }
  if (!signal.aborted) {
    await shard.settled(window.held);
  }
}

async function invoke(
  records: readonly StreamRecord[],
  shard: ShardContext,
  window: TumblingWindow | undefined,
  final = false,
) {
  const { deps, mapping, settings } = shard;
  let role: string;
  try {
    role = (await deps.resolver.resolve(mapping.functionName, mapping.qualifier)).role;
  } catch (error) {
    return { kind: 'not-invoked' as const, throttled: false, error };
  }
  const source = {
    shardId: shard.shardId,
    streamArn: shard.streamArn,
    region: deps.ctx.region,
    invokeIdentityArn: role,
  };
  return invokeBatch(
    deps.invoker,
    mapping,
    {
      Records: records.map((r) => kinesisEventRecord(r, source)),
      ...window?.fields(shard.shardId, shard.streamArn, final),
    },
    new Set(records.map((r) => r.sequenceNumber)),
    settings.reportBatchItemFailures,
  );
}

/** How many leading records are older than the mapping's maximum age or the stream's retention. */
function expiredPrefix(records: readonly StreamRecord[], shard: ShardContext, now: number): number {
  const maxAge = shard.settings.maximumRecordAgeInSeconds;
  const limitMs = maxAge === -1 ? shard.retentionMs : Math.min(maxAge * 1000, shard.retentionMs);
  let n = 0;
  while (n < records.length && now - (records[n]?.approximateArrivalTimestamp ?? now) > limitMs) {
    n++;
  }
  return n;
}

/** The index of the lowest reported sequence number (Lambda checkpoints before it). */
function firstFailure(records: readonly StreamRecord[], failed: readonly string[]): number {
  const set = new Set(failed);
  const at = records.findIndex((r) => set.has(r.sequenceNumber));
  return at < 0 ? 0 : at;
}

async function discard(
  item: Pending,
  condition: DiscardCondition,
  shard: ShardContext,
): Promise<void> {
  const { deps, mapping, settings } = shard;
  const destination = settings.onFailureDestination;
  if (destination !== undefined) {
    const record = onFailureRecord(
      {
        records: item.records,
        condition,
        functionArn: mapping.functionArn,
        shardId: shard.shardId,
        streamArn: shard.streamArn,
        invokeCount: item.invokes,
        ...(item.response === undefined ? {} : { response: item.response }),
      },
      deps.clock.now(),
    );
    try {
      await deliverOnFailure(deps.onFailure, destination, record, deps.clock, shard.signal);
    } catch (error) {
      deps.onWarning(
        `event source mapping ${mapping.uuid}: could not send an OnFailure record to ${destination}: ${String(error)}`,
      );
    }
  }
}
