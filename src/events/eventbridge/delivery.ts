/**
 * Sends an event that a rule matched (or a scheduled rule's own event) to the rule's targets.
 * Every target is a Lambda function invoked asynchronously, as EventBridge invokes Lambda: the
 * event goes into Lambda's durable asynchronous queue, whose retries and destinations apply.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-eventbridge.html
 */
import type { AccountContext } from '../../core/arn.js';
import { ServiceError } from '../../core/errors.js';
import type { LambdaInvokeTarget } from '../targets.js';
import { ruleArn } from './arns.js';
import type { RuleStore } from './rule-store.js';
import { targetPayload } from './target-input.js';
import type { EventEnvelope, StoredRule } from './types.js';

/**
 * Resolves once every target's invocation is queued. A target the invoke service refuses (its
 * function was deleted) is reported through `warn` and skipped, as AWS drops an event it cannot
 * deliver; any other failure (storage) rejects, so the caller can report the event unsent.
 */
export type Deliver = (rule: StoredRule, event: EventEnvelope) => Promise<void>;

export function createDelivery(deps: {
  readonly store: RuleStore;
  readonly lambda: LambdaInvokeTarget;
  readonly ctx: AccountContext;
  readonly warn: (message: string) => void;
}): Deliver {
  return async (rule, event) => {
    const targets = await deps.store.listTargets(rule.busName, rule.name);
    const arn = ruleArn(deps.ctx, rule.busName, rule.name);
    const results = await Promise.allSettled(
      targets.map((target) =>
        deps.lambda.invokeAsync(
          target.arn,
          Buffer.from(targetPayload(target, event, { name: rule.name, arn }), 'utf8'),
        ),
      ),
    );
    let failure: unknown;
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') {
        return;
      }
      const target = targets[i];
      if (result.reason instanceof ServiceError && target !== undefined) {
        deps.warn(
          `EventBridge: rule ${arn} could not invoke target ${target.id} (${target.arn}) for event ${event.id}: ${result.reason.message}`,
        );
      } else {
        failure ??= result.reason;
      }
    });
    if (failure !== undefined) {
      throw failure instanceof Error
        ? failure
        : new Error('A target invocation failed', { cause: failure });
    }
  };
}
