/**
 * Runs scheduled rules: one Clock timer per enabled rule with a ScheduleExpression, armed for its
 * next fire time and re-armed whenever the rule changes. No polling loop.
 *
 * Each fire is recorded durably (after its deliveries are queued, so a crash in between repeats
 * the fire rather than losing it: at least once). On start, a rule whose next fire time already
 * passed while the server was down fires once, not once per missed tick, and then keeps its
 * normal cadence.
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { RuleStore } from './rule-store.js';
import { parseScheduleExpression, type Schedule } from './schedule-expression.js';
import type { StoredRule } from './types.js';

export interface RuleSchedulerOptions {
  readonly clock: Clock;
  readonly store: RuleStore;
  /** Sends the rule's scheduled event, stamped `atMs`, to its targets. */
  readonly fire: (rule: StoredRule, atMs: number) => Promise<void>;
  readonly warn: (message: string) => void;
}

/*
 * Timers are re-checked at least daily: a real setTimeout longer than 2^31-1 ms (~24.8 days, a
 * yearly cron) overflows and fires at once.
 */
const MAX_TIMER_MS = 86_400_000;
/** A fire this late is a missed schedule: its event carries the time it actually fired. */
const MISSED_AFTER_MS = 60_000;

export class RuleScheduler {
  readonly #options: RuleSchedulerOptions;
  readonly #timers = new Map<string, TimerHandle>();
  /** The arming each rule's timer belongs to; a stale timer or fire sees another and stops. */
  readonly #armings = new Map<string, number>();
  readonly #inflight = new Set<Promise<void>>();
  readonly #schedules = new Map<string, Schedule>();
  #nextArming = 1;
  #running = false;

  constructor(options: RuleSchedulerOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    this.#running = true;
    for (const rule of await this.#options.store.listScheduledRules()) {
      this.#arm(rule);
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    for (const key of [...this.#timers.keys()]) {
      this.#disarm(key);
    }
    this.#armings.clear();
    await this.idle();
  }

  async idle(): Promise<void> {
    while (this.#inflight.size > 0) {
      await Promise.allSettled([...this.#inflight]);
    }
  }

  /** Re-reads a rule after it changed (or was deleted) and re-arms its schedule. */
  async refresh(busName: string, name: string): Promise<void> {
    if (!this.#running) {
      return;
    }
    const rule = await this.#options.store.getRule(busName, name);
    if (rule) {
      this.#arm(rule);
    } else {
      this.#disarm(keyOf(busName, name));
      this.#armings.delete(keyOf(busName, name));
    }
  }

  /** Arms the rule's next fire after its last fire (or `notBefore`, when a fire was not recorded). */
  #arm(rule: StoredRule, notBefore = -Infinity): void {
    const key = keyOf(rule.busName, rule.name);
    this.#disarm(key);
    const arming = this.#nextArming++;
    this.#armings.set(key, arming);
    if (!this.#running || rule.state === 'DISABLED' || rule.scheduleExpression === undefined) {
      return;
    }
    const schedule = this.#schedule(rule.scheduleExpression);
    const after = Math.max(rule.scheduleFrom, rule.lastFiredAt ?? -Infinity, notBefore);
    const due = schedule?.nextAfter(after, rule.scheduleFrom);
    if (due !== undefined) {
      this.#setTimer(rule, arming, due);
    }
  }

  #setTimer(rule: StoredRule, arming: number, due: number): void {
    const { clock } = this.#options;
    const delay = Math.min(Math.max(0, due - clock.now()), MAX_TIMER_MS);
    const handle = clock.setTimeout(() => {
      this.#onTimer(rule, arming, due);
    }, delay);
    this.#timers.set(keyOf(rule.busName, rule.name), handle);
  }

  #onTimer(rule: StoredRule, arming: number, due: number): void {
    const key = keyOf(rule.busName, rule.name);
    if (this.#armings.get(key) !== arming) {
      return;
    }
    this.#timers.delete(key);
    const now = this.#options.clock.now();
    if (now < due) {
      this.#setTimer(rule, arming, due);
      return;
    }
    const atMs = now - due < MISSED_AFTER_MS ? due : now;
    const run = this.#fire(rule, arming, atMs).finally(() => this.#inflight.delete(run));
    this.#inflight.add(run);
  }

  async #fire(armed: StoredRule, arming: number, atMs: number): Promise<void> {
    const key = keyOf(armed.busName, armed.name);
    const { store, warn } = this.#options;
    let rule: StoredRule | undefined = armed;
    try {
      rule = await store.getRule(armed.busName, armed.name);
      if (!rule || this.#armings.get(key) !== arming) {
        return;
      }
      if (rule.state === 'DISABLED' || rule.scheduleExpression !== armed.scheduleExpression) {
        // Changed without a refresh() here (by another process sharing the store): re-arm only.
        this.#arm(rule);
        return;
      }
      await this.#options.fire(rule, atMs);
      await store.recordFire(rule.busName, rule.name, atMs);
    } catch (err) {
      warn(
        `EventBridge: the scheduled fire of rule ${armed.name} at ${new Date(atMs).toISOString()} failed: ${(err as Error).message}`,
      );
    }
    if (rule && this.#running && this.#armings.get(key) === arming) {
      this.#arm({ ...rule, lastFiredAt: atMs }, atMs);
    }
  }

  #disarm(key: string): void {
    const handle = this.#timers.get(key);
    if (handle !== undefined) {
      this.#options.clock.clearTimeout(handle);
      this.#timers.delete(key);
    }
  }

  #schedule(expression: string): Schedule | undefined {
    let schedule = this.#schedules.get(expression);
    if (schedule === undefined) {
      try {
        schedule = parseScheduleExpression(expression);
      } catch (err) {
        // PutRule validated it; only a stored expression a newer parser rejects lands here.
        this.#options.warn(
          `EventBridge: ignoring schedule ${expression}: ${(err as Error).message}`,
        );
        return undefined;
      }
      this.#schedules.set(expression, schedule);
    }
    return schedule;
  }
}

function keyOf(busName: string, name: string): string {
  return `${busName}\u0000${name}`;
}
