/**
 * Event patterns: the JSON language shared by EventBridge rules, Lambda event filtering
 * (FilterCriteria) and, with its own shapes, SNS filter policies. A pattern mirrors the event's
 * structure; every named field must match (AND), any value in a field's array may match (OR).
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
 * The fine points (arrays, `$or`, `exists` on leaves) follow AWS's own engine, Event Ruler:
 * https://github.com/aws/event-ruler
 */
import {
  EventPatternError,
  OPERATORS,
  exactRule,
  isPlainObject,
  operatorRule,
  type LeafRule,
  type LeafValue,
} from './leaf-rules.js';

/** A compiled pattern. */
export interface EventPattern {
  /** Whether the (already parsed) JSON event matches. */
  matches(event: unknown): boolean;
}

/** What a pattern says about one field: rules for its leaf values, or a nested pattern. */
export type FieldPattern =
  | { readonly kind: 'leaf'; readonly rules: readonly LeafRule[] }
  | { readonly kind: 'object'; readonly pattern: ObjectPattern };

/** A pattern for one JSON object: fields that must all match, and `$or` groups. */
export interface ObjectPattern {
  readonly fields: readonly (readonly [string, FieldPattern])[];
  /** Each group needs one of its branches to match the same object. */
  readonly orGroups: readonly (readonly ObjectPattern[])[];
}

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * Parses and validates a pattern.
 * @throws EventPatternError when the text is not JSON or not a valid pattern.
 */
export function compilePattern(json: string): EventPattern {
  const root = compilePatternTree(json);
  return { matches: (event) => matchesValue(root, event) };
}

/** Whether any of the patterns matches; false for an empty list. */
export function matchesAny(patterns: readonly EventPattern[], event: unknown): boolean {
  return patterns.some((p) => p.matches(event));
}

/** Parses a pattern into its tree (for callers that inspect its shape, such as FilterCriteria). */
export function compilePatternTree(json: string): ObjectPattern {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw new EventPatternError(`Pattern is not valid JSON: ${(err as Error).message}`);
  }
  if (!isPlainObject(parsed)) {
    throw new EventPatternError('Filter is not an object');
  }
  return compileObject(parsed);
}

function compileObject(source: Record<string, unknown>): ObjectPattern {
  const keys = Object.keys(source);
  if (keys.length === 0) {
    throw new EventPatternError('Empty objects are not allowed');
  }
  const fields: [string, FieldPattern][] = [];
  const orGroups: ObjectPattern[][] = [];
  for (const key of keys) {
    const value = source[key];
    if (key === '$or' && isOrGroup(value)) {
      orGroups.push(value.map((branch) => compileObject(branch)));
    } else if (Array.isArray(value)) {
      fields.push([key, { kind: 'leaf', rules: compileRules(key, value) }]);
    } else if (isPlainObject(value)) {
      fields.push([key, { kind: 'object', pattern: compileObject(value) }]);
    } else {
      throw new EventPatternError(
        `Match value for field "${key}" must be an array or an object, found ${JSON.stringify(value)}`,
      );
    }
  }
  return { fields, orGroups };
}

/**
 * `$or` is an OR only when it holds two or more objects none of which uses an operator name as a
 * field; otherwise it is an ordinary field name (Ruler keeps that for old rules).
 */
function isOrGroup(value: unknown): value is Record<string, unknown>[] {
  return (
    Array.isArray(value) &&
    value.length >= 2 &&
    value.every((b) => isPlainObject(b) && Object.keys(b).every((k) => !OPERATORS.has(k)))
  );
}

function compileRules(key: string, values: readonly unknown[]): LeafRule[] {
  if (values.length === 0) {
    throw new EventPatternError(`Empty arrays are not allowed (field "${key}")`);
  }
  return values.map((v) => {
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      return exactRule(v);
    }
    if (isPlainObject(v)) {
      return operatorRule(v);
    }
    throw new EventPatternError(`Arrays are not allowed inside a match array (field "${key}")`);
  });
}

/**
 * Matches an object pattern against an event value. An array is matched element by element, so
 * fields from two different elements never combine (Ruler's array consistency). A value that holds
 * no object is matched as an empty object: only `exists: false` rules can succeed on it.
 */
export function matchesValue(pattern: ObjectPattern, value: unknown): boolean {
  const objects: Readonly<Record<string, unknown>>[] = [];
  collectObjects(value, objects);
  if (objects.length === 0) {
    return matchesObject(pattern, EMPTY);
  }
  return objects.some((o) => matchesObject(pattern, o));
}

function collectObjects(value: unknown, into: Readonly<Record<string, unknown>>[]): void {
  if (Array.isArray(value)) {
    for (const v of value) {
      collectObjects(v, into);
    }
  } else if (isPlainObject(value)) {
    into.push(value);
  }
}

function matchesObject(pattern: ObjectPattern, object: Readonly<Record<string, unknown>>): boolean {
  for (const [key, field] of pattern.fields) {
    const value = Object.hasOwn(object, key) ? object[key] : undefined;
    const ok =
      field.kind === 'leaf' ? matchesLeaf(field.rules, value) : matchesValue(field.pattern, value);
    if (!ok) {
      return false;
    }
  }
  return pattern.orGroups.every((branches) => branches.some((b) => matchesObject(b, object)));
}

/**
 * A field's rules against its value. The leaf values of an array are its non-object elements,
 * nested arrays flattened; an object is not a leaf, so a field holding one "does not exist" for
 * `exists` (documented: exists works on leaf nodes only).
 */
function matchesLeaf(rules: readonly LeafRule[], value: unknown): boolean {
  const leaves: LeafValue[] = [];
  collectLeaves(value, leaves);
  for (const rule of rules) {
    if (rule.kind === 'exists') {
      if (rule.exists === leaves.length > 0) {
        return true;
      }
    } else if (leaves.some(rule.test)) {
      return true;
    }
  }
  return false;
}

function collectLeaves(value: unknown, into: LeafValue[]): void {
  if (Array.isArray(value)) {
    for (const v of value) {
      collectLeaves(v, into);
    }
  } else if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  ) {
    into.push(value);
  }
}
