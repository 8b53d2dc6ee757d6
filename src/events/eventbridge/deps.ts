import type { AccountContext } from '../../core/arn.js';
import type { Clock } from '../../core/clock.js';
import type { LambdaInvokeTarget } from '../targets.js';
import { eventBusArn } from './arns.js';
import type { Deliver } from './delivery.js';
import { busNotFound } from './errors.js';
import type { RuleStore } from './rule-store.js';
import type { RuleScheduler } from './scheduler.js';
import type { SerialQueue } from './serial-queue.js';
import { DEFAULT_BUS, type EventBus } from './types.js';

/** What the operations of the service share. */
export interface Deps {
  readonly store: RuleStore;
  readonly clock: Clock;
  readonly ctx: AccountContext;
  readonly lambda: LambdaInvokeTarget;
  readonly warn: (message: string) => void;
  readonly writes: SerialQueue;
  readonly scheduler: RuleScheduler;
  readonly deliver: Deliver;
}

/** The bus of that name (`default` when absent), or undefined when there is none. */
export async function findBus(deps: Deps, name = DEFAULT_BUS): Promise<EventBus | undefined> {
  if (name === DEFAULT_BUS) {
    // The default bus always exists and is never stored.
    return { name, arn: eventBusArn(deps.ctx, name) };
  }
  const stored = await deps.store.getBus(name);
  return stored && { ...stored, arn: eventBusArn(deps.ctx, name) };
}

/** The bus of that name (`default` when absent); ResourceNotFoundException when there is none. */
export async function requireBus(deps: Deps, name = DEFAULT_BUS): Promise<EventBus> {
  const bus = await findBus(deps, name);
  if (bus === undefined) {
    throw busNotFound(name);
  }
  return bus;
}
