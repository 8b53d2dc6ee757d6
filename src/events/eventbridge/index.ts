/**
 * EventBridge, the subset Lambda users reach for: event buses, rules with event patterns or
 * schedules (rate and cron), Lambda function targets, and PutEvents. Durable in a RuleStore;
 * schedules run on the injected Clock. The API (awsJson1_1) lives in src/api/eventbridge.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/Welcome.html
 */
import type { AccountContext } from '../../core/arn.js';
import type { Clock } from '../../core/clock.js';
import type { LambdaInvokeTarget } from '../targets.js';
import { ruleArn } from './arns.js';
import { busOperations } from './buses.js';
import { createDelivery } from './delivery.js';
import type { Deps } from './deps.js';
import { scheduledEvent } from './envelope.js';
import { putEventsOperations } from './put-events.js';
import type { RuleStore } from './rule-store.js';
import { targetOperations } from './rule-targets.js';
import { ruleOperations } from './rules.js';
import { RuleScheduler } from './scheduler.js';
import { SerialQueue } from './serial-queue.js';
import type { EventBridgeService } from './types.js';

export type * from './types.js';
export type { RuleStore, StoredEventBus } from './rule-store.js';
export { RULE_STATES, DEFAULT_BUS } from './types.js';
export { busNameOf, eventBusArn, ruleArn } from './arns.js';

export interface EventBridgeServiceOptions {
  readonly store: RuleStore;
  readonly clock: Clock;
  readonly ctx: AccountContext;
  /** Where targets are invoked (asynchronously, as EventBridge invokes Lambda). */
  readonly lambda: LambdaInvokeTarget;
  /**
   * Hears what no caller can see: a target that could not be invoked, an event sent to a bus
   * that does not exist, a scheduled fire that failed.
   */
  readonly onWarning?: (message: string) => void;
}

export function createEventBridgeService(options: EventBridgeServiceOptions): EventBridgeService {
  const { store, clock, ctx, lambda } = options;
  const warn = options.onWarning ?? (() => undefined);
  const deliver = createDelivery({ store, lambda, ctx, warn });
  const scheduler = new RuleScheduler({
    clock,
    store,
    warn,
    fire: (rule, atMs) =>
      deliver(rule, scheduledEvent(ctx, ruleArn(ctx, rule.busName, rule.name), atMs)),
  });
  const deps: Deps = {
    store,
    clock,
    ctx,
    lambda,
    warn,
    writes: new SerialQueue(),
    scheduler,
    deliver,
  };
  return {
    ...busOperations(deps),
    ...ruleOperations(deps),
    ...targetOperations(deps),
    ...putEventsOperations(deps),
    start: () => scheduler.start(),
    stop: () => scheduler.stop(),
    idle: () => scheduler.idle(),
  };
}
