/**
 * A trigger's synchronous invocation through the platform's single entry point, with its outcome
 * as data: each front maps a result, a function error and a refusal (throttle, payload too
 * large, …) to its own HTTP answer.
 */
import { ServiceError } from '../core/errors.js';
import type { Invoker } from '../invoke/types.js';

/** Lambda's synchronous payload limit: a trigger's event must not be larger. */
export const MAX_SYNC_PAYLOAD = 6_291_456;

export type InvocationOutcome =
  | { readonly kind: 'result'; readonly payload: Buffer }
  | { readonly kind: 'function-error' }
  | { readonly kind: 'refused'; readonly error: ServiceError };

export interface InvocationTarget {
  /** A name or ARN, possibly qualified. */
  readonly functionName: string;
  readonly qualifier?: string;
}

/** Invokes RequestResponse; anything but a ServiceError is a platform fault and is rethrown. */
export async function invokeFunction(
  invoker: Invoker,
  target: InvocationTarget,
  payload: Buffer,
  requestId?: string,
): Promise<InvocationOutcome> {
  try {
    const output = await invoker.invoke({
      functionName: target.functionName,
      ...(target.qualifier !== undefined && { qualifier: target.qualifier }),
      invocationType: 'RequestResponse',
      logType: 'None',
      payload,
      ...(requestId !== undefined && { requestId }),
    });
    return output.functionError === undefined
      ? { kind: 'result', payload: output.payload }
      : { kind: 'function-error' };
  } catch (err) {
    if (err instanceof ServiceError) {
      return { kind: 'refused', error: err };
    }
    throw err;
  }
}
