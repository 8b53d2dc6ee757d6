/**
 * Routes a request on method + path pattern (spec §1.1: never on a header). Patterns are compiled
 * into a tree of path segments, so matching costs one map lookup per segment however many
 * operations there are, instead of a regex scan over every route.
 */
import type { Route } from './route.js';

/** What the router needs of a route: the Lambda API's Route, or another restJson1 API's. */
export interface RoutePattern {
  readonly method: string;
  /** Labels in braces: `/2015-03-31/functions/{FunctionName}`. */
  readonly path: string;
}

interface Node<R> {
  readonly literals: Map<string, Node<R>>;
  /** The child standing for any non-empty label value. */
  label: Node<R> | undefined;
  readonly routes: Map<string, CompiledRoute<R>>;
}

interface CompiledRoute<R> {
  readonly route: R;
  /** The route's label names, in path order. */
  readonly labelNames: readonly string[];
}

export interface RouteMatch<R = Route> {
  readonly route: R;
  /** Decoded label values by name (`FunctionName`, `Resource`). */
  readonly labels: Readonly<Record<string, string>>;
}

function newNode<R>(): Node<R> {
  return { literals: new Map(), label: undefined, routes: new Map() };
}

export class Router<R extends RoutePattern = Route> {
  readonly #root = newNode<R>();

  constructor(routes: readonly R[]) {
    for (const route of routes) {
      this.#add(route);
    }
  }

  #add(route: R): void {
    let node = this.#root;
    const labelNames: string[] = [];
    for (const segment of route.path.slice(1).split('/')) {
      if (segment.startsWith('{') && segment.endsWith('}')) {
        labelNames.push(segment.slice(1, -1));
        node.label ??= newNode();
        node = node.label;
      } else {
        let next = node.literals.get(segment);
        if (next === undefined) {
          next = newNode();
          node.literals.set(segment, next);
        }
        node = next;
      }
    }
    if (node.routes.has(route.method)) {
      throw new Error(`two routes for ${route.method} ${route.path}`);
    }
    node.routes.set(route.method, { route, labelNames });
  }

  /** The route for a method and decoded path segments, or undefined when none matches. */
  match(method: string, segments: readonly string[]): RouteMatch<R> | undefined {
    const values: string[] = [];
    const found = find(this.#root, method, segments, 0, values);
    if (found === undefined) {
      return undefined;
    }
    const labels: Record<string, string> = {};
    found.labelNames.forEach((name, i) => {
      labels[name] = values[i] ?? '';
    });
    return { route: found.route, labels };
  }
}

/** Depth-first: a literal segment wins over a label, and a dead end falls back to the label. */
function find<R>(
  node: Node<R>,
  method: string,
  segments: readonly string[],
  i: number,
  values: string[],
): CompiledRoute<R> | undefined {
  const segment = segments[i];
  if (segment === undefined) {
    return node.routes.get(method);
  }
  const literal = node.literals.get(segment);
  if (literal !== undefined) {
    const found = find(literal, method, segments, i + 1, values);
    if (found !== undefined) {
      return found;
    }
  }
  if (node.label !== undefined && segment !== '') {
    values.push(segment);
    const found = find(node.label, method, segments, i + 1, values);
    if (found !== undefined) {
      return found;
    }
    values.pop();
  }
  return undefined;
}
