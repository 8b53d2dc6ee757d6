/**
 * The JSONPath subset EventBridge evaluates for InputPath and InputPathsMap: `$`, dot names
 * (with dashes, underscores, slashes), bracketed names and array indices, and `*` wildcards.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 */

type Step =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'wildcard' };

export interface JsonPath {
  /** The selected value, undefined when the path leads nowhere; a wildcard path yields a list. */
  select(value: unknown): unknown;
}

const TOKEN = /^(?:\.([^.[\]\s]+)|\[(\d+)\]|\[\*\]|\['([^']*)'\]|\["([^"]*)"\])/;

/** Parses a path, or returns undefined when it is not in the supported subset. */
export function parseJsonPath(path: string): JsonPath | undefined {
  if (!path.startsWith('$')) {
    return undefined;
  }
  const steps: Step[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const m = TOKEN.exec(rest);
    if (!m) {
      return undefined;
    }
    const [token, dotted, index, single, double] = m;
    if (dotted === '*' || token === '[*]') {
      steps.push({ kind: 'wildcard' });
    } else if (index !== undefined) {
      steps.push({ kind: 'index', index: Number(index) });
    } else {
      steps.push({ kind: 'key', key: dotted ?? single ?? double ?? '' });
    }
    rest = rest.slice(token.length);
  }
  const spreads = steps.some((s) => s.kind === 'wildcard');
  return {
    select(value) {
      const found = walk([value], steps);
      return spreads ? found : found[0];
    },
  };
}

function walk(values: unknown[], steps: readonly Step[]): unknown[] {
  let current = values;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if (step.kind === 'wildcard') {
        if (Array.isArray(value)) {
          next.push(...(value as unknown[]));
        } else if (isObject(value)) {
          next.push(...Object.values(value));
        }
      } else if (step.kind === 'index') {
        if (Array.isArray(value) && step.index < value.length) {
          next.push(value[step.index]);
        }
      } else if (isObject(value) && Object.hasOwn(value, step.key)) {
        next.push(value[step.key]);
      }
    }
    current = next;
  }
  return current;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
