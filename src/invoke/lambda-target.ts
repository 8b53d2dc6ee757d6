import type { LambdaInvokeTarget } from '../events/targets.js';
import { ServiceError } from '../core/errors.js';
import type { Invoker, FunctionResolver } from './types.js';
import { parseFunctionRef, type AccountContext } from '../core/arn.js';

/**
 * How triggers and destinations invoke a function: an ordinary Event invocation through the
 * Invoker, so it is stored durably and retried like any asynchronous invoke.
 */
export function createLambdaTarget(
  invoker: Invoker,
  resolver: FunctionResolver,
  ctx: AccountContext,
): LambdaInvokeTarget {
  return {
    async invokeAsync(functionArn, payload) {
      await invoker.invoke({
        functionName: functionArn,
        invocationType: 'Event',
        logType: 'None',
        payload,
      });
    },
    async functionExists(functionArn) {
      try {
        const ref = parseFunctionRef(functionArn, ctx);
        await resolver.resolve(ref.name, ref.qualifier);
        return true;
      } catch (err) {
        if (err instanceof ServiceError) {
          return false;
        }
        throw err;
      }
    },
  };
}
