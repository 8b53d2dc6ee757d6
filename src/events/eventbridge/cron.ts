/**
 * EventBridge's six-field cron expressions, evaluated in UTC:
 * `cron(minutes hours day-of-month month day-of-week year)`.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html
 *
 * | Field        | Values             | Wildcards        |
 * | minutes      | 0-59               | , - * /          |
 * | hours        | 0-23               | , - * /          |
 * | day-of-month | 1-31               | , - * ? / L W    |
 * | month        | 1-12 or JAN-DEC    | , - * /          |
 * | day-of-week  | 1-7 or SUN-SAT     | , - * ? L #      |
 * | year         | 1970-2199          | , - * /          |
 *
 * Exactly one of day-of-month and day-of-week is `?`. Day-of-week 1 is Sunday. A range whose
 * start is above its end wraps around (`FRI-MON`, hours `22-2`), as in the Quartz syntax AWS's
 * follows.
 */

/** A cron expression that breaks the syntax above. */
export class CronSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CronSyntaxError';
  }
}

/** How the day-of-month field picks days. */
type DayOfMonthRule =
  | { readonly kind: 'days'; readonly days: ReadonlySet<number> }
  /** `L`: the last day of the month. */
  | { readonly kind: 'last' }
  /** `LW`: the last weekday (Monday to Friday) of the month. */
  | { readonly kind: 'last-weekday' }
  /** `nW`: the weekday nearest day n, never leaving the month. */
  | { readonly kind: 'nearest-weekday'; readonly day: number };

/** How the day-of-week field picks days (weekdays 1 = Sunday … 7 = Saturday). */
type DayOfWeekRule =
  | { readonly kind: 'weekdays'; readonly weekdays: ReadonlySet<number> }
  /** `nL`: the last weekday n of the month. */
  | { readonly kind: 'last-of-month'; readonly weekday: number }
  /** `n#k`: the k-th weekday n of the month. */
  | { readonly kind: 'nth'; readonly weekday: number; readonly nth: number };

type DayRule =
  | { readonly field: 'day-of-month'; readonly rules: readonly DayOfMonthRule[] }
  | { readonly field: 'day-of-week'; readonly rules: readonly DayOfWeekRule[] };

/** A parsed cron expression. */
export interface CronExpression {
  /** The first fire time (epoch ms, on a whole minute) strictly after `afterMs`, if any remains. */
  nextAfter(afterMs: number): number | undefined;
}

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MINUTES: FieldSpec = { name: 'minutes', min: 0, max: 59 };
const HOURS: FieldSpec = { name: 'hours', min: 0, max: 23 };
const DAYS_OF_MONTH: FieldSpec = { name: 'day-of-month', min: 1, max: 31 };
const MONTHS: FieldSpec = {
  name: 'month',
  min: 1,
  max: 12,
  names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
};
const DAYS_OF_WEEK: FieldSpec = {
  name: 'day-of-week',
  min: 1,
  max: 7,
  names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'],
};
const YEARS: FieldSpec = { name: 'year', min: 1970, max: 2199 };

const MINUTE_MS = 60_000;
const SATURDAY = 7;

/** Parses the six fields (the text inside `cron(…)`). */
export function parseCron(fields: string): CronExpression {
  const parts = fields.trim().split(/\s+/);
  if (parts.length !== 6) {
    throw new CronSyntaxError(`expected 6 fields, found ${parts.length}`);
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek, year] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    // "You can't specify the Day-of-month and Day-of-week fields in the same cron expression."
    throw new CronSyntaxError('exactly one of day-of-month and day-of-week must be ?');
  }
  const day: DayRule =
    dayOfWeek === '?'
      ? { field: 'day-of-month', rules: parseDayOfMonth(dayOfMonth) }
      : { field: 'day-of-week', rules: parseDayOfWeek(dayOfWeek) };
  return new CronSchedule(
    sorted(parseList(minute, MINUTES)),
    sorted(parseList(hour, HOURS)),
    sorted(parseList(month, MONTHS)),
    sorted(parseList(year, YEARS)),
    day,
  );
}

class CronSchedule implements CronExpression {
  readonly #minutes: readonly number[];
  readonly #hours: readonly number[];
  readonly #months: readonly number[];
  readonly #years: readonly number[];
  readonly #day: DayRule;

  constructor(
    minutes: readonly number[],
    hours: readonly number[],
    months: readonly number[],
    years: readonly number[],
    day: DayRule,
  ) {
    this.#minutes = minutes;
    this.#hours = hours;
    this.#months = months;
    this.#years = years;
    this.#day = day;
  }

  /*
   * Walks forward field by field, from the largest unit down: a field that does not match moves
   * to its next allowed value and resets the smaller ones, so each step skips whole years,
   * months, days or hours rather than minutes.
   */
  nextAfter(afterMs: number): number | undefined {
    const start = new Date((Math.floor(afterMs / MINUTE_MS) + 1) * MINUTE_MS);
    let year = start.getUTCFullYear();
    let month = start.getUTCMonth() + 1;
    let day = start.getUTCDate();
    let hour = start.getUTCHours();
    let minute = start.getUTCMinutes();
    for (;;) {
      const y = firstAtLeast(this.#years, year);
      if (y === undefined) {
        return undefined;
      }
      if (y !== year) {
        [year, month, day, hour, minute] = [y, 1, 1, 0, 0];
      }
      const m = firstAtLeast(this.#months, month);
      if (m === undefined) {
        [year, month, day, hour, minute] = [year + 1, 1, 1, 0, 0];
        continue;
      }
      if (m !== month) {
        [month, day, hour, minute] = [m, 1, 0, 0];
      }
      if (day > daysInMonth(year, month)) {
        [month, day, hour, minute] = [month + 1, 1, 0, 0];
        if (month > 12) {
          [year, month] = [year + 1, 1];
        }
        continue;
      }
      if (!this.#dayMatches(year, month, day)) {
        [day, hour, minute] = [day + 1, 0, 0];
        continue;
      }
      const h = firstAtLeast(this.#hours, hour);
      if (h === undefined) {
        [day, hour, minute] = [day + 1, 0, 0];
        continue;
      }
      if (h !== hour) {
        [hour, minute] = [h, 0];
      }
      const min = firstAtLeast(this.#minutes, minute);
      if (min === undefined) {
        [hour, minute] = [hour + 1, 0];
        if (hour > 23) {
          [day, hour] = [day + 1, 0];
        }
        continue;
      }
      return Date.UTC(year, month - 1, day, hour, min);
    }
  }

  #dayMatches(year: number, month: number, day: number): boolean {
    if (this.#day.field === 'day-of-month') {
      return this.#day.rules.some((rule) => dayOfMonthMatches(rule, year, month, day));
    }
    return this.#day.rules.some((rule) => dayOfWeekMatches(rule, year, month, day));
  }
}

function dayOfMonthMatches(rule: DayOfMonthRule, year: number, month: number, day: number) {
  const last = daysInMonth(year, month);
  switch (rule.kind) {
    case 'days':
      return rule.days.has(day);
    case 'last':
      return day === last;
    case 'last-weekday':
      return day === nearestWeekday(year, month, last);
    case 'nearest-weekday':
      // A day the month does not have (31W in April) picks nothing that month.
      return rule.day <= last && day === nearestWeekday(year, month, rule.day);
  }
}

function dayOfWeekMatches(rule: DayOfWeekRule, year: number, month: number, day: number) {
  const weekday = weekdayOf(year, month, day);
  switch (rule.kind) {
    case 'weekdays':
      return rule.weekdays.has(weekday);
    case 'last-of-month':
      return weekday === rule.weekday && day + 7 > daysInMonth(year, month);
    case 'nth':
      return weekday === rule.weekday && Math.ceil(day / 7) === rule.nth;
  }
}

/**
 * `nW`: day n when it is Monday to Friday; from a Saturday the Friday before, from a Sunday the
 * Monday after, unless that would leave the month (then the other way).
 */
function nearestWeekday(year: number, month: number, day: number): number {
  const weekday = weekdayOf(year, month, day);
  const last = daysInMonth(year, month);
  if (weekday === SATURDAY) {
    return day === 1 ? 3 : day - 1;
  }
  if (weekday === 1) {
    return day === last ? day - 2 : day + 1;
  }
  return day;
}

/** 1 = Sunday … 7 = Saturday, EventBridge's numbering. */
function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function firstAtLeast(values: readonly number[], from: number): number | undefined {
  return values.find((v) => v >= from);
}

function sorted(values: ReadonlySet<number>): number[] {
  return [...values].sort((a, b) => a - b);
}

function parseDayOfMonth(field: string): DayOfMonthRule[] {
  const days = new Set<number>();
  const rules: DayOfMonthRule[] = [];
  for (const item of splitList(field, DAYS_OF_MONTH)) {
    const upper = item.toUpperCase();
    const weekday = /^(\d+)W$/.exec(upper);
    if (upper === 'L') {
      rules.push({ kind: 'last' });
    } else if (upper === 'LW') {
      rules.push({ kind: 'last-weekday' });
    } else if (weekday) {
      rules.push({ kind: 'nearest-weekday', day: parseValue(weekday[1] ?? '', DAYS_OF_MONTH) });
    } else {
      for (const d of parseItem(item, DAYS_OF_MONTH)) {
        days.add(d);
      }
    }
  }
  return days.size > 0 ? [{ kind: 'days', days }, ...rules] : rules;
}

function parseDayOfWeek(field: string): DayOfWeekRule[] {
  const upper = field.toUpperCase();
  const nth = /^(\w+)#(\d+)$/.exec(upper);
  if (nth) {
    const count = Number(nth[2]);
    if (count < 1 || count > 5) {
      throw new CronSyntaxError(`day-of-week: ${field}: the instance after # must be 1 to 5`);
    }
    return [{ kind: 'nth', weekday: parseValue(nth[1] ?? '', DAYS_OF_WEEK), nth: count }];
  }
  if (upper.includes('#')) {
    // "If you use a '#' character, you can define only one expression in the day-of-week field."
    throw new CronSyntaxError(`day-of-week: ${field}: # allows a single expression only`);
  }
  const weekdays = new Set<number>();
  const rules: DayOfWeekRule[] = [];
  for (const item of splitList(upper, DAYS_OF_WEEK)) {
    const last = /^(\w+)L$/.exec(item);
    if (item === 'L') {
      // "L" alone is the last day of the week, Saturday.
      weekdays.add(SATURDAY);
    } else if (last) {
      rules.push({ kind: 'last-of-month', weekday: parseValue(last[1] ?? '', DAYS_OF_WEEK) });
    } else {
      for (const d of parseItem(item, DAYS_OF_WEEK)) {
        weekdays.add(d);
      }
    }
  }
  return weekdays.size > 0 ? [{ kind: 'weekdays', weekdays }, ...rules] : rules;
}

function parseList(field: string, spec: FieldSpec): Set<number> {
  const values = new Set<number>();
  for (const item of splitList(field, spec)) {
    for (const v of parseItem(item, spec)) {
      values.add(v);
    }
  }
  return values;
}

function splitList(field: string, spec: FieldSpec): string[] {
  const items = field.split(',');
  if (items.some((i) => i === '')) {
    throw new CronSyntaxError(`${spec.name}: ${field}: empty list item`);
  }
  return items;
}

/** One list item: `*`, `v`, `a-b`, with an optional `/step` (`*\/5`, `0/15`, `8-17/2`). */
function parseItem(item: string, spec: FieldSpec): number[] {
  const [range, step, extra] = item.split('/');
  if (range === undefined || extra !== undefined || range === '') {
    throw new CronSyntaxError(`${spec.name}: ${item}: not a value, range or increment`);
  }
  let increment = 1;
  if (step !== undefined) {
    if (!/^\d+$/.test(step) || Number(step) < 1) {
      throw new CronSyntaxError(`${spec.name}: ${item}: the increment must be a positive number`);
    }
    increment = Number(step);
  }
  let first: number;
  let last: number;
  if (range === '*') {
    [first, last] = [spec.min, spec.max];
  } else if (range.includes('-')) {
    const [from, to, more] = range.split('-');
    if (from === undefined || to === undefined || more !== undefined) {
      throw new CronSyntaxError(`${spec.name}: ${item}: not a range`);
    }
    [first, last] = [parseValue(from, spec), parseValue(to, spec)];
    if (first > last && spec === YEARS) {
      throw new CronSyntaxError(`${spec.name}: ${item}: a year range cannot wrap around`);
    }
  } else {
    first = parseValue(range, spec);
    // "0/15" runs from 0 to the end of the field; a bare value is just itself.
    last = step === undefined ? first : spec.max;
  }
  return stepThrough(first, last, increment, spec);
}

/** Values from `first` to `last` every `increment`, wrapping past the field's maximum if needed. */
function stepThrough(first: number, last: number, increment: number, spec: FieldSpec): number[] {
  const size = spec.max - spec.min + 1;
  const span = (last - first + size) % size;
  const values: number[] = [];
  for (let offset = 0; offset <= span; offset += increment) {
    values.push(((first - spec.min + offset) % size) + spec.min);
  }
  return values;
}

function parseValue(text: string, spec: FieldSpec): number {
  const upper = text.toUpperCase();
  const named = spec.names?.indexOf(upper) ?? -1;
  const value = named >= 0 ? named + spec.min : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(value) || value < spec.min || value > spec.max) {
    throw new CronSyntaxError(
      `${spec.name}: ${text}: must be ${spec.min}-${spec.max}${spec.names ? ' or a name' : ''}`,
    );
  }
  return value;
}
