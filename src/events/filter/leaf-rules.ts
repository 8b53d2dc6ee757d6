/**
 * The comparisons an event pattern applies to one leaf value of an event (a string, number,
 * boolean or null): exact values and the content-filter operators of EventBridge's pattern
 * language. Each operator is validated here and compiled into a predicate.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 */
import { BlockList, isIP } from 'node:net';
import { FogbankError } from '../../core/errors.js';

/** A value at a leaf of an event: what a pattern's rules compare against. */
export type LeafValue = string | number | boolean | null;

/** One element of a field's rule array, compiled. */
export type LeafRule =
  | { readonly kind: 'exists'; readonly exists: boolean }
  | { readonly kind: 'test'; readonly test: (value: LeafValue) => boolean };

/** Why a pattern was refused; the API answers `Invalid filter pattern definition.` (or its own text). */
export class EventPatternError extends FogbankError<'ERR_INVALID_EVENT_PATTERN'> {
  constructor(reason: string) {
    super('ERR_INVALID_EVENT_PATTERN', reason);
    this.name = 'EventPatternError';
  }
}

/** The operator names; a `$or` branch using one of them as a field name is not an `$or` (Ruler's rule). */
export const OPERATORS: ReadonlySet<string> = new Set([
  'anything-but',
  'cidr',
  'equals-ignore-case',
  'exists',
  'numeric',
  'prefix',
  'suffix',
  'wildcard',
]);

/**
 * Ruler's documented numeric range. Values beyond it are refused in patterns.
 * https://github.com/aws/event-ruler#numeric-matching
 */
const NUMERIC_LIMIT = 5e9;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value from a parsed pattern (never undefined), as JSON for messages. */
function describe(value: unknown): string {
  return JSON.stringify(value);
}

/** An exact value: strings, numbers, booleans and null each equal only their own type. */
export function exactRule(value: LeafValue): LeafRule {
  // DIVERGENCE: numbers compare by value after JSON parsing, so 300 and 300.0 are equal here;
  // EventBridge compares their text. Events reach the engine already parsed.
  return { kind: 'test', test: (v) => v === value };
}

/** Compiles one `{ "<operator>": … }` element of a rule array. */
export function operatorRule(element: Record<string, unknown>): LeafRule {
  const keys = Object.keys(element);
  const name = keys[0];
  if (keys.length !== 1 || name === undefined) {
    throw new EventPatternError(
      `A match expression must have exactly one operator, found ${describe(element)}`,
    );
  }
  const arg = element[name];
  switch (name) {
    case 'exists':
      if (typeof arg !== 'boolean') {
        throw new EventPatternError('exists match pattern must be either true or false.');
      }
      return { kind: 'exists', exists: arg };
    case 'prefix':
      return test(affixTest(arg, 'prefix'));
    case 'suffix':
      return test(affixTest(arg, 'suffix'));
    case 'equals-ignore-case': {
      const s = requireString(arg, 'equals-ignore-case');
      const folded = s.toLowerCase();
      return test((v) => typeof v === 'string' && v.toLowerCase() === folded);
    }
    case 'wildcard': {
      const re = wildcardRegExp(requireString(arg, 'wildcard'));
      return test((v) => typeof v === 'string' && re.test(v));
    }
    case 'numeric':
      return test(numericTest(arg));
    case 'cidr':
      return test(cidrTest(arg));
    case 'anything-but':
      return test(anythingButTest(arg));
    default:
      throw new EventPatternError(`Unrecognized match type ${name}`);
  }
}

function test(fn: (value: LeafValue) => boolean): LeafRule {
  return { kind: 'test', test: fn };
}

function requireString(arg: unknown, operator: string): string {
  if (typeof arg !== 'string') {
    throw new EventPatternError(
      `${operator} match pattern must be a string, found ${describe(arg)}`,
    );
  }
  return arg;
}

/** `prefix` / `suffix`, with a string or `{"equals-ignore-case": string}`. */
function affixTest(arg: unknown, operator: 'prefix' | 'suffix'): (value: LeafValue) => boolean {
  const check =
    operator === 'prefix'
      ? (v: string, s: string) => v.startsWith(s)
      : (v: string, s: string) => v.endsWith(s);
  if (isPlainObject(arg)) {
    const keys = Object.keys(arg);
    if (keys.length !== 1 || keys[0] !== 'equals-ignore-case') {
      throw new EventPatternError(
        `Unsupported ${operator} pattern: ${describe(arg)}; only equals-ignore-case may be nested`,
      );
    }
    const folded = requireString(arg['equals-ignore-case'], 'equals-ignore-case').toLowerCase();
    return (v) => typeof v === 'string' && check(v.toLowerCase(), folded);
  }
  const s = requireString(arg, operator);
  return (v) => typeof v === 'string' && check(v, s);
}

/**
 * `*` matches any run of characters (none included); `\*` is a literal star and `\\` a literal
 * backslash; any other escape and two consecutive wildcards are refused, as Ruler does.
 */
export function wildcardRegExp(pattern: string): RegExp {
  let source = '';
  let previousWasWildcard = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '*') {
      if (previousWasWildcard) {
        throw new EventPatternError(`Consecutive wildcard characters at pos ${i}`);
      }
      source += '[\\s\\S]*';
      previousWasWildcard = true;
      continue;
    }
    previousWasWildcard = false;
    let literal = c;
    if (c === '\\') {
      const next = pattern.charAt(i + 1);
      if (next !== '*' && next !== '\\') {
        throw new EventPatternError(`Invalid escape character at pos ${i}`);
      }
      literal = next;
      i++;
    }
    source += literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

const LOWER_OPS = new Set(['>', '>=']);
const UPPER_OPS = new Set(['<', '<=']);

/** `numeric`: `["=", n]`, one bound (`<`, `<=`, `>`, `>=`), or a lower bound then an upper bound. */
function numericTest(arg: unknown): (value: LeafValue) => boolean {
  if (!Array.isArray(arg) || (arg.length !== 2 && arg.length !== 4)) {
    throw new EventPatternError(`Value of numeric must be an array of 2 or 4 elements.`);
  }
  const checks: ((n: number) => boolean)[] = [];
  let sawLower = false;
  let sawUpper = false;
  let lower = -Infinity;
  for (let i = 0; i < arg.length; i += 2) {
    const op: unknown = arg[i];
    const bound: unknown = arg[i + 1];
    if (typeof bound !== 'number' || !Number.isFinite(bound)) {
      throw new EventPatternError(
        `Value of ${String(op)} must be a number, found ${describe(bound)}`,
      );
    }
    if (bound < -NUMERIC_LIMIT || bound > NUMERIC_LIMIT) {
      throw new EventPatternError(
        `Value ${bound} is out of the numeric range [-${NUMERIC_LIMIT}, ${NUMERIC_LIMIT}]`,
      );
    }
    if (op === '=') {
      if (arg.length !== 2) {
        throw new EventPatternError('Numeric "=" cannot be combined with other bounds.');
      }
      checks.push((n) => n === bound);
    } else if (typeof op === 'string' && LOWER_OPS.has(op)) {
      if (sawLower || sawUpper) {
        throw new EventPatternError(`Bad numeric range: ${describe(arg)}`);
      }
      sawLower = true;
      lower = bound;
      checks.push(op === '>' ? (n) => n > bound : (n) => n >= bound);
    } else if (typeof op === 'string' && UPPER_OPS.has(op)) {
      if (sawUpper || (arg.length === 4 && !sawLower)) {
        throw new EventPatternError(`Bad numeric range: ${describe(arg)}`);
      }
      if (sawLower && bound <= lower) {
        throw new EventPatternError('Bottom must be less than top');
      }
      sawUpper = true;
      checks.push(op === '<' ? (n) => n < bound : (n) => n <= bound);
    } else {
      throw new EventPatternError(`Unrecognized numeric range operator: ${describe(op)}`);
    }
  }
  return (v) => typeof v === 'number' && checks.every((check) => check(v));
}

/** `cidr`: an IPv4 or IPv6 network in CIDR notation; matches string values that are addresses in it. */
function cidrTest(arg: unknown): (value: LeafValue) => boolean {
  const cidr = requireString(arg, 'cidr');
  const slash = cidr.indexOf('/');
  const network = slash < 0 ? '' : cidr.slice(0, slash);
  const bitsText = slash < 0 ? '' : cidr.slice(slash + 1);
  const family = isIP(network);
  const maxBits = family === 4 ? 32 : 128;
  const bits = /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : NaN;
  if (family === 0 || !(bits >= 0 && bits <= maxBits)) {
    throw new EventPatternError(`Malformed CIDR, one '/' required: ${cidr}`);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const block = new BlockList();
  block.addSubnet(network, bits, type);
  return (v) => typeof v === 'string' && isIP(v) === family && block.check(v, type);
}

/**
 * `anything-but`: a string, a number, a list of only strings or only numbers, or one of
 * `prefix` / `suffix` / `equals-ignore-case` / `wildcard` (each with a string or a list of them).
 * Like Ruler, it matches every other leaf value, whatever its type.
 */
function anythingButTest(arg: unknown): (value: LeafValue) => boolean {
  if (typeof arg === 'string' || typeof arg === 'number') {
    return (v) => v !== arg;
  }
  if (Array.isArray(arg)) {
    const allStrings = arg.every((x) => typeof x === 'string');
    const allNumbers = arg.every((x) => typeof x === 'number');
    if (arg.length === 0 || !(allStrings || allNumbers)) {
      throw new EventPatternError(
        'Inside anything-but list, start|null|boolean is not supported; use only strings or only numbers.',
      );
    }
    const excluded = new Set<unknown>(arg);
    return (v) => !excluded.has(v);
  }
  if (isPlainObject(arg)) {
    const keys = Object.keys(arg);
    const name = keys[0];
    if (keys.length !== 1 || name === undefined) {
      throw new EventPatternError('Value of anything-but must have exactly one operator.');
    }
    const values = stringList(arg[name], `anything-but/${name}`);
    let matchesExcluded: (s: string) => boolean;
    switch (name) {
      case 'prefix':
        matchesExcluded = (s) => values.some((p) => s.startsWith(p));
        break;
      case 'suffix':
        matchesExcluded = (s) => values.some((p) => s.endsWith(p));
        break;
      case 'equals-ignore-case': {
        const folded = new Set(values.map((x) => x.toLowerCase()));
        matchesExcluded = (s) => folded.has(s.toLowerCase());
        break;
      }
      case 'wildcard': {
        const res = values.map(wildcardRegExp);
        matchesExcluded = (s) => res.some((re) => re.test(s));
        break;
      }
      default:
        throw new EventPatternError(`Unsupported anything-but pattern: ${name}`);
    }
    return (v) => typeof v !== 'string' || !matchesExcluded(v);
  }
  throw new EventPatternError(
    'Value of anything-but must be an array or single string/number value.',
  );
}

function stringList(arg: unknown, operator: string): readonly string[] {
  if (typeof arg === 'string') {
    return [arg];
  }
  if (Array.isArray(arg) && arg.length > 0 && arg.every((x) => typeof x === 'string')) {
    return arg;
  }
  throw new EventPatternError(`${operator} must be a string or a list of strings`);
}
