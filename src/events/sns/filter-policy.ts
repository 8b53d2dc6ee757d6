/**
 * Subscription filter policies: SNS's rules on top of the shared event pattern engine. A policy
 * with scope MessageAttributes is flat (attribute name → rules) and matches the message's
 * attributes; with scope MessageBody it is a nested pattern over the JSON body.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html
 * https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html
 */
import { EventPatternError, compilePattern, type EventPattern } from '../filter/index.js';
import type { SnsMessageAttributes } from './types.js';

export type FilterPolicyScope = 'MessageAttributes' | 'MessageBody';

/** Why a policy was refused; callers prefix it the way the operation words its errors. */
export class FilterPolicyError extends Error {
  /**
   * The policy is fine as JSON but not for the scope: SNS words this one on its own rather than
   * as a `FilterPolicy: …` reason.
   */
  readonly scopeConflict: boolean;
  constructor(reason: string, scopeConflict = false) {
    super(reason);
    this.name = 'FilterPolicyError';
    this.scopeConflict = scopeConflict;
  }
}

/** A policy has at most 5 keys… */
const MAX_KEYS = 5;
/** …and at most 150 combinations of values (the product of the rule-array lengths). */
const MAX_COMBINATIONS = 150;

export interface CompiledFilterPolicy {
  /** Whether a message with this body and these attributes passes. */
  matches(message: string, attributes: SnsMessageAttributes): boolean;
}

/**
 * Validates and compiles a policy. An empty object `{}` accepts everything (SNS stores it and
 * filters nothing; the pattern engine itself refuses empty patterns).
 * @throws FilterPolicyError with SNS's reason text.
 */
export function compileFilterPolicy(
  policy: string,
  scope: FilterPolicyScope,
): CompiledFilterPolicy {
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch (error) {
    throw new FilterPolicyError(`failed to parse JSON. ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new FilterPolicyError('Filter policy must be a JSON object');
  }
  if (Object.keys(parsed).length === 0) {
    return { matches: () => true };
  }
  if (scope === 'MessageAttributes' && hasNestedField(parsed as Record<string, unknown>)) {
    throw new FilterPolicyError(
      'Filter policy scope MessageAttributes does not support nested filter policy',
      true,
    );
  }
  let pattern: EventPattern;
  try {
    pattern = compilePattern(policy);
  } catch (error) {
    if (error instanceof EventPatternError) {
      throw new FilterPolicyError(error.message);
    }
    throw error;
  }
  const shape = measure(parsed as Record<string, unknown>);
  if (shape.keys > MAX_KEYS) {
    throw new FilterPolicyError(`Filter policy can not have more than ${String(MAX_KEYS)} keys`);
  }
  if (shape.combinations > MAX_COMBINATIONS) {
    throw new FilterPolicyError('Filter policy is too complex');
  }
  return scope === 'MessageAttributes'
    ? { matches: (_message, attributes) => pattern.matches(attributeValues(attributes)) }
    : { matches: (message) => matchesBody(pattern, message) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field whose value is an object (other than an `$or` list of branches) is nesting. */
function hasNestedField(policy: Record<string, unknown>): boolean {
  return Object.entries(policy).some(([key, value]) =>
    key === '$or' && Array.isArray(value)
      ? value.some((branch) => isObject(branch) && hasNestedField(branch))
      : isObject(value),
  );
}

/** Leaf keys and value combinations, counting each `$or` branch as an alternative. */
function measure(policy: Record<string, unknown>): { keys: number; combinations: number } {
  let keys = 0;
  let combinations = 1;
  for (const [key, value] of Object.entries(policy)) {
    if (key === '$or' && Array.isArray(value) && value.every(isObject)) {
      let branchKeys = 0;
      let branchCombinations = 0;
      for (const branch of value) {
        const m = measure(branch);
        branchKeys = Math.max(branchKeys, m.keys);
        branchCombinations += m.combinations;
      }
      keys += branchKeys;
      combinations *= branchCombinations;
    } else if (isObject(value)) {
      const m = measure(value);
      keys += m.keys;
      combinations *= m.combinations;
    } else {
      keys += 1;
      combinations *= Array.isArray(value) ? Math.max(1, value.length) : 1;
    }
  }
  return { keys, combinations };
}

/**
 * What an attribute-scope policy sees: each attribute by name, as a number for Number types, a
 * parsed array for String.Array, a string otherwise. Binary attributes are invisible to filter
 * policies (SNS ignores them).
 */
export function attributeValues(attributes: SnsMessageAttributes): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    const type = attribute.DataType;
    const text = attribute.StringValue;
    if (type.startsWith('Binary') || text === undefined) {
      continue;
    }
    if (type === 'String.Array' || type === 'Number.Array') {
      values[name] = parseArray(text);
    } else if (type.startsWith('Number')) {
      values[name] = Number(text);
    } else {
      values[name] = text;
    }
  }
  return values;
}

function parseArray(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A body that is not a JSON object matches no body-scope policy. */
function matchesBody(pattern: EventPattern, message: string): boolean {
  let body: unknown;
  try {
    body = JSON.parse(message);
  } catch {
    return false;
  }
  return isObject(body) && pattern.matches(body);
}
