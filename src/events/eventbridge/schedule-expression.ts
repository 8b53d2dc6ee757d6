/**
 * A rule's ScheduleExpression: `rate(value unit)` or `cron(six fields)`, always in UTC.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
 */
import { CronSyntaxError, parseCron } from './cron.js';

export interface Schedule {
  /**
   * The first fire time strictly after `afterMs`, or undefined when none remains (a cron
   * expression whose years have passed). `startedAtMs` is when the schedule was set: a rate
   * expression counts its intervals from it.
   */
  nextAfter(afterMs: number, startedAtMs: number): number | undefined;
}

/** The expression is not a valid rate or cron expression; `reason` says why. */
export class ScheduleExpressionError extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(`Parameter ScheduleExpression is not valid: ${reason}`);
    this.name = 'ScheduleExpressionError';
    this.reason = reason;
  }
}

const UNIT_MS: Readonly<Record<string, number>> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

/** @throws ScheduleExpressionError */
export function parseScheduleExpression(text: string): Schedule {
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(text);
  if (rate) {
    return rateSchedule(Number(rate[1]), rate[2] ?? '');
  }
  const cron = /^cron\((.*)\)$/.exec(text);
  if (cron) {
    try {
      const expression = parseCron(cron[1] ?? '');
      return { nextAfter: (afterMs) => expression.nextAfter(afterMs) };
    } catch (err) {
      if (err instanceof CronSyntaxError) {
        throw new ScheduleExpressionError(err.message);
      }
      throw err;
    }
  }
  throw new ScheduleExpressionError('expected rate(value unit) or cron(fields)');
}

/**
 * "A rate expression starts when you create the scheduled event rule": it fires at
 * start + value·unit, start + 2·value·unit, … The unit is singular exactly when the value is 1.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html
 */
function rateSchedule(value: number, unit: string): Schedule {
  if (value < 1) {
    throw new ScheduleExpressionError('the rate value must be a positive number');
  }
  const plural = unit.endsWith('s');
  if (plural !== value > 1) {
    throw new ScheduleExpressionError(
      value === 1 ? 'a value of 1 takes a singular unit' : 'a value above 1 takes a plural unit',
    );
  }
  const periodMs = value * (UNIT_MS[plural ? unit.slice(0, -1) : unit] ?? NaN);
  return {
    nextAfter(afterMs, startedAtMs) {
      const periods = Math.max(1, Math.floor((afterMs - startedAtMs) / periodMs) + 1);
      return startedAtMs + periods * periodMs;
    },
  };
}
