/**
 * Rate and cron expressions against AWS's documented examples and syntax rules:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html
 * Expected dates were checked against a calendar independently of the code under test.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ScheduleExpressionError,
  parseScheduleExpression,
} from '../../../src/events/eventbridge/schedule-expression.js';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString().replace('.000Z', 'Z');

/** [expression, after, expected next fire (undefined: never again), what it means] */
const CRON_CASES: readonly (readonly [string, string, string | undefined, string])[] = [
  // The examples table of the EventBridge user guide.
  ['cron(0 10 * * ? *)', '2025-01-01T00:00:00Z', '2025-01-01T10:00:00Z', '10:00 every day'],
  ['cron(0 10 * * ? *)', '2025-01-01T10:00:00Z', '2025-01-02T10:00:00Z', 'strictly after'],
  ['cron(15 12 * * ? *)', '2025-01-01T12:15:00Z', '2025-01-02T12:15:00Z', '12:15 every day'],
  ['cron(0 18 ? * MON-FRI *)', '2025-01-03T18:00:00Z', '2025-01-06T18:00:00Z', 'Fri → Mon'],
  ['cron(0 18 ? * MON-FRI *)', '2025-01-06T17:59:59Z', '2025-01-06T18:00:00Z', 'same day'],
  ['cron(0 8 1 * ? *)', '2025-01-01T08:00:00Z', '2025-02-01T08:00:00Z', '8:00 on the 1st'],
  ['cron(0/15 * * * ? *)', '2025-01-01T00:07:30Z', '2025-01-01T00:15:00Z', 'every 15 minutes'],
  ['cron(0/15 * * * ? *)', '2025-01-01T00:45:00Z', '2025-01-01T01:00:00Z', 'into next hour'],
  ['cron(0/10 * ? * MON-FRI *)', '2025-01-03T23:55:00Z', '2025-01-06T00:00:00Z', 'weekdays'],
  ['cron(0/5 8-17 ? * MON-FRI *)', '2025-01-06T17:55:00Z', '2025-01-07T08:00:00Z', '8-17:55'],
  ['cron(0/5 8-17 ? * MON-FRI *)', '2025-01-06T12:31:00Z', '2025-01-06T12:35:00Z', 'in window'],
  // Last Friday of the month, 2025 to 2026 only.
  ['cron(15 10 ? * 6L 2025-2026)', '2025-01-01T00:00:00Z', '2025-01-31T10:15:00Z', 'Jan 2025'],
  ['cron(15 10 ? * 6L 2025-2026)', '2025-01-31T10:15:00Z', '2025-02-28T10:15:00Z', 'Feb 2025'],
  ['cron(15 10 ? * 6L 2025-2026)', '2026-01-01T00:00:00Z', '2026-01-30T10:15:00Z', 'Jan 2026'],
  ['cron(15 10 ? * 6L 2025-2026)', '2026-12-25T10:15:00Z', undefined, 'years passed'],
  ['cron(15 10 ? * 6L 2025-2026)', '2020-06-01T00:00:00Z', '2025-01-31T10:15:00Z', 'year ahead'],
  // # : the n-th weekday of the month.
  ['cron(0 9 ? * 2#1 *)', '2025-01-01T00:00:00Z', '2025-01-06T09:00:00Z', 'first Monday'],
  ['cron(0 9 ? * 2#1 *)', '2025-01-06T09:00:00Z', '2025-02-03T09:00:00Z', 'next month'],
  ['cron(0 9 ? * MON#5 *)', '2025-01-01T00:00:00Z', '2025-03-31T09:00:00Z', 'fifth Monday'],
  ['cron(0 9 ? * 3#2 *)', '2025-01-01T00:00:00Z', '2025-01-14T09:00:00Z', 'second Tuesday'],
  // L in day-of-month: the last day; LW: the last weekday.
  ['cron(0 0 L * ? *)', '2025-02-01T00:00:00Z', '2025-02-28T00:00:00Z', 'last day'],
  ['cron(0 0 L * ? *)', '2024-02-01T00:00:00Z', '2024-02-29T00:00:00Z', 'leap year'],
  ['cron(0 12 LW * ? *)', '2025-05-01T00:00:00Z', '2025-05-30T12:00:00Z', 'May 31 is Sat'],
  // W: the weekday nearest the day, not leaving the month.
  ['cron(0 12 15W * ? *)', '2025-06-01T00:00:00Z', '2025-06-16T12:00:00Z', 'Sun → Mon'],
  ['cron(0 12 15W * ? *)', '2025-03-01T00:00:00Z', '2025-03-14T12:00:00Z', 'Sat → Fri'],
  ['cron(0 12 1W * ? *)', '2025-02-01T00:00:00Z', '2025-02-03T12:00:00Z', 'Sat 1st → Mon'],
  ['cron(0 0 31W * ? *)', '2025-02-01T00:00:00Z', '2025-03-31T00:00:00Z', 'skips February'],
  // L alone in day-of-week is the last day of the week, Saturday.
  ['cron(0 0 ? * L *)', '2025-01-01T00:00:00Z', '2025-01-04T00:00:00Z', 'Saturday'],
  // Ranges that wrap around, lists, names in any case.
  ['cron(0/30 22-2 ? * MON-FRI *)', '2025-01-03T23:30:00Z', '2025-01-06T00:00:00Z', 'wrap'],
  ['cron(0/30 22-2 ? * MON-FRI *)', '2025-01-06T02:00:00Z', '2025-01-06T02:30:00Z', 'hour 2'],
  ['cron(0/30 22-2 ? * MON-FRI *)', '2025-01-06T02:30:00Z', '2025-01-06T22:00:00Z', 'wrap end'],
  ['cron(0 0 ? * FRI-MON *)', '2025-01-06T00:00:00Z', '2025-01-10T00:00:00Z', 'Mon → Fri'],
  ['cron(0 0 1 jan,jul ? *)', '2025-01-01T00:00:00Z', '2025-07-01T00:00:00Z', 'month names'],
  ['cron(0,30 6,18 * * ? *)', '2025-01-01T06:30:00Z', '2025-01-01T18:00:00Z', 'lists'],
  ['cron(5-7 0 * * ? *)', '2025-01-01T00:06:00Z', '2025-01-01T00:07:00Z', 'minute range'],
  ['cron(0 0 29 2 ? *)', '2025-01-01T00:00:00Z', '2028-02-29T00:00:00Z', 'next leap day'],
  ['cron(0 0 1 1 ? 2020)', '2025-01-01T00:00:00Z', undefined, 'only in the past'],
  ['cron(0 0 1 1 ? 2020/5)', '2025-06-01T00:00:00Z', '2030-01-01T00:00:00Z', 'year step'],
  ['cron(* * * * ? *)', '2025-01-01T00:00:59.999Z', '2025-01-01T00:01:00Z', 'every minute'],
];

describe('cron expressions: next fire time (UTC)', () => {
  for (const [expression, after, expected, meaning] of CRON_CASES) {
    test(`${expression} after ${after} → ${expected ?? 'never'} (${meaning})`, () => {
      const schedule = parseScheduleExpression(expression);
      assert.equal(iso(schedule.nextAfter(at(after), 0)), expected);
    });
  }

  test('a series of fires follows the expression (every 15 minutes, Mon–Fri 9–10 h)', () => {
    const schedule = parseScheduleExpression('cron(0/15 9-10 ? * MON-FRI *)');
    const fires: (string | undefined)[] = [];
    let t = at('2025-01-03T10:20:00Z'); // a Friday
    for (let i = 0; i < 4; i++) {
      const next = schedule.nextAfter(t, 0);
      fires.push(iso(next));
      t = next ?? Infinity;
    }
    assert.deepEqual(fires, [
      '2025-01-03T10:30:00Z',
      '2025-01-03T10:45:00Z',
      '2025-01-06T09:00:00Z',
      '2025-01-06T09:15:00Z',
    ]);
  });
});

describe('rate expressions', () => {
  const start = at('2025-01-01T00:00:00Z');
  const RATE_CASES: readonly (readonly [string, number, number])[] = [
    ['rate(1 minute)', start, start + 60_000],
    ['rate(1 minute)', start + 60_000, start + 120_000],
    ['rate(1 minute)', start + 90_000, start + 120_000],
    ['rate(5 minutes)', start, start + 300_000],
    ['rate(1 hour)', start + 1, start + 3_600_000],
    ['rate(2 hours)', start + 3 * 3_600_000, start + 4 * 3_600_000],
    ['rate(1 day)', start, start + 86_400_000],
    ['rate(7 days)', start, start + 7 * 86_400_000],
    // Before the rule existed: the first fire is one interval after it was created.
    ['rate(1 day)', start - 5_000, start + 86_400_000],
  ];
  for (const [expression, after, expected] of RATE_CASES) {
    test(`${expression} started at ${iso(start) ?? ''}, after +${after - start} ms`, () => {
      assert.equal(parseScheduleExpression(expression).nextAfter(after, start), expected);
    });
  }
});

describe('invalid expressions are refused', () => {
  const INVALID = [
    '',
    'every 5 minutes',
    'rate(0 minutes)',
    'rate(1 minutes)', // a value of 1 takes the singular
    'rate(5 minute)', // above 1, the plural
    'rate(5 seconds)',
    'rate(5minutes)',
    'rate(-1 minute)',
    'rate(1.5 hours)',
    'cron(0 10 * * * *)', // day-of-month and day-of-week both given
    'cron(0 10 ? * ? *)', // neither given
    'cron(0 10 * * ?)', // five fields
    'cron(0 10 * * ? * *)', // seven fields
    'cron(60 10 * * ? *)',
    'cron(0 24 * * ? *)',
    'cron(0 0 32 * ? *)',
    'cron(0 0 0 * ? *)',
    'cron(0 0 ? 13 * *)',
    'cron(0 0 ? * 8 *)',
    'cron(0 0 ? * FOO *)',
    'cron(0 0 ? * 2#6 *)',
    'cron(0 0 ? * 2#1,3#2 *)', // # allows a single expression
    'cron(0 0 * * ? 1969)',
    'cron(0 0 * * ? 2200)',
    'cron(0 0 * * ? 2026-2025)',
    'cron(0/0 * * * ? *)',
    'cron(a * * * ? *)',
    'cron(1,,2 * * * ? *)',
    'cron(1-2-3 * * * ? *)',
    'cron(0 0 ? * MON/2/2 *)',
  ];
  for (const expression of INVALID) {
    test(JSON.stringify(expression), () => {
      assert.throws(() => parseScheduleExpression(expression), ScheduleExpressionError);
    });
  }
});
