/**
 * One synchronous invocation of a mapping's function with a batch, through the Invoker (so
 * concurrency, logs and environments stay the invoke service's), and what its answer means for the
 * batch: success, a partial batch response (spec §4.13), a function error, or an invocation that
 * never reached the function (throttle, missing function, platform failure).
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting
 */
import { ServiceError } from '../../core/errors.js';
import type { Invoker } from '../../invoke/types.js';
import type { MappingRecord } from './types.js';

/** What the last invocation answered, as a stream OnFailure record reports it. */
export interface ResponseContext {
  readonly statusCode: number;
  readonly executedVersion: string;
  readonly functionError?: string;
}

export type BatchOutcome =
  /** Every record succeeded. `payload` is the function's response (a tumbling window's state). */
  | { readonly kind: 'success'; readonly response: ResponseContext; readonly payload: Buffer }
  /** The function reported these item identifiers as failed (ReportBatchItemFailures). */
  | {
      readonly kind: 'partial';
      readonly failed: readonly string[];
      readonly response: ResponseContext;
      readonly payload: Buffer;
    }
  /** The function failed (threw, timed out, crashed) or returned an unusable partial response. */
  | { readonly kind: 'function-error'; readonly response: ResponseContext }
  /** The invocation did not reach the function: retried without counting as an attempt. */
  | { readonly kind: 'not-invoked'; readonly throttled: boolean; readonly error: unknown };

/** Invokes the mapping's function with `event` and classifies the answer. */
export async function invokeBatch(
  invoker: Invoker,
  mapping: MappingRecord,
  event: unknown,
  itemIds: ReadonlySet<string>,
  reportBatchItemFailures: boolean,
): Promise<BatchOutcome> {
  let output;
  try {
    output = await invoker.invoke({
      functionName: mapping.functionName,
      ...(mapping.qualifier === undefined ? {} : { qualifier: mapping.qualifier }),
      invocationType: 'RequestResponse',
      logType: 'None',
      payload: Buffer.from(JSON.stringify(event)),
    });
  } catch (error) {
    const throttled = error instanceof ServiceError && error.statusCode === 429;
    return { kind: 'not-invoked', throttled, error };
  }
  const response: ResponseContext = {
    statusCode: output.statusCode,
    executedVersion: output.executedVersion ?? '$LATEST',
    ...(output.functionError === undefined ? {} : { functionError: output.functionError }),
  };
  if (output.functionError !== undefined) {
    return { kind: 'function-error', response };
  }
  const payload = output.payload;
  if (!reportBatchItemFailures) {
    return { kind: 'success', response, payload };
  }
  const failed = batchItemFailures(payload, itemIds);
  if (failed === 'invalid') {
    return { kind: 'function-error', response };
  }
  return failed.length === 0
    ? { kind: 'success', response, payload }
    : { kind: 'partial', failed, response, payload };
}

/**
 * The failed item identifiers of a partial batch response. An empty or null response, or an
 * empty or null `batchItemFailures`, is complete success; an entry whose `itemIdentifier` is
 * missing, empty, or not an id of the batch makes it a complete failure ('invalid').
 */
export function batchItemFailures(
  payload: Buffer,
  itemIds: ReadonlySet<string>,
): readonly string[] | 'invalid' {
  let body: unknown;
  try {
    body = payload.length === 0 ? null : JSON.parse(payload.toString('utf8'));
  } catch {
    // A response that is not JSON carries no failures.
    return [];
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return [];
  }
  const failures = (body as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) {
    return [];
  }
  if (!Array.isArray(failures)) {
    return 'invalid';
  }
  const ids: string[] = [];
  for (const entry of failures) {
    const id = (entry as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !itemIds.has(id)) {
      return 'invalid';
    }
    ids.push(id);
  }
  return ids;
}
