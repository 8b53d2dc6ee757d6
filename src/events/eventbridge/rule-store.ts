/**
 * Where buses, rules and targets live durably. Methods are async so that a PostgreSQL
 * implementation can follow the SQLite one (src/store/sqlite/rules.ts) unchanged.
 * The default bus is never stored: the service supplies it.
 */
import type { EventBus, RuleState, StoredRule, Target } from './types.js';

/** A custom bus as stored (its ARN is derived from the name). */
export type StoredEventBus = Omit<EventBus, 'arn'> & {
  readonly createdAt: number;
  readonly modifiedAt: number;
};

export interface RuleStore {
  /** False (and no change) when a bus of that name exists. */
  createBus(bus: StoredEventBus): Promise<boolean>;
  getBus(name: string): Promise<StoredEventBus | undefined>;
  /** Custom buses whose name starts with `prefix`, by name. */
  listBuses(prefix: string): Promise<StoredEventBus[]>;
  deleteBus(name: string): Promise<void>;

  /** Inserts or replaces the definition; `lastFiredAt` of an existing rule is kept. */
  putRule(rule: StoredRule): Promise<void>;
  getRule(busName: string, name: string): Promise<StoredRule | undefined>;
  /** Rules of one bus whose name starts with `prefix`, by name. */
  listRules(busName: string, prefix: string): Promise<StoredRule[]>;
  /** Every rule with a ScheduleExpression, on any bus. */
  listScheduledRules(): Promise<StoredRule[]>;
  /** Whether any rule is on the bus. */
  busHasRules(busName: string): Promise<boolean>;
  /** Deletes the rule (targets included); false when there was none. */
  deleteRule(busName: string, name: string): Promise<boolean>;
  /** Changes the state; `scheduleFrom` is set when given. False when the rule does not exist. */
  setRuleState(
    busName: string,
    name: string,
    state: RuleState,
    scheduleFrom?: number,
  ): Promise<boolean>;
  /** Records that the rule's schedule fired at `firedAt`. */
  recordFire(busName: string, name: string, firedAt: number): Promise<void>;

  /** Targets of a rule, in the order they were first added. */
  listTargets(busName: string, ruleName: string): Promise<Target[]>;
  /** Adds targets or replaces those with the same Id (keeping their place). */
  putTargets(busName: string, ruleName: string, targets: readonly Target[]): Promise<void>;
  /** Removes the targets with these Ids (an Id the rule does not have is ignored). */
  removeTargets(busName: string, ruleName: string, ids: readonly string[]): Promise<void>;
}
