/**
 * Route selection as API Gateway HTTP APIs do it: among the routes whose method and path match,
 * the most specific wins (a literal segment over `{param}`, `{param}` over a greedy `{proxy+}`,
 * a method over `ANY`), and `$default` catches whatever nothing else matched.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
 */
import type { HttpApiRoute } from './http-api-types.js';

export interface RouteMatch {
  readonly route: HttpApiRoute;
  /** Values of the route's `{param}`s (a greedy one holds the rest of the path), decoded. */
  readonly pathParameters: Readonly<Record<string, string>>;
}

/** How a route segment matched: higher is more specific. */
const LITERAL = 3;
const PARAMETER = 2;
const GREEDY = 1;

/** The route for `method` on `path` (percent-encoded, without the stage), or undefined. */
export function matchRoute(
  routes: readonly HttpApiRoute[],
  method: string,
  path: string,
): RouteMatch | undefined {
  const segments = splitPath(path);
  let best: { match: RouteMatch; rank: number[] } | undefined;
  for (const route of routes) {
    const space = route.routeKey.indexOf(' ');
    if (space < 0) {
      continue;
    }
    const routeMethod = route.routeKey.slice(0, space);
    if (routeMethod !== 'ANY' && routeMethod !== method) {
      continue;
    }
    const matched = matchPath(splitPath(route.routeKey.slice(space + 1)), segments);
    if (matched === undefined) {
      continue;
    }
    const rank = [...matched.rank, routeMethod === 'ANY' ? 0 : 1];
    if (best === undefined || compareRanks(rank, best.rank) > 0) {
      best = { match: { route, pathParameters: matched.pathParameters }, rank };
    }
  }
  if (best !== undefined) {
    return best.match;
  }
  const fallback = routes.find((r) => r.routeKey === '$default');
  return fallback === undefined ? undefined : { route: fallback, pathParameters: {} };
}

/** The path of a route key (`GET /items/{id}` → `/items/{id}`); `$default` for the default route. */
export function routePath(routeKey: string): string {
  const space = routeKey.indexOf(' ');
  return space < 0 ? routeKey : routeKey.slice(space + 1);
}

function matchPath(
  pattern: readonly string[],
  segments: readonly string[],
): { rank: number[]; pathParameters: Record<string, string> } | undefined {
  const rank: number[] = [];
  const pathParameters: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] ?? '';
    const name = /^\{([^}]+)\}$/.exec(p)?.[1];
    if (name?.endsWith('+') === true) {
      // Greedy: one segment or more, and only as the last segment of a route.
      if (i !== pattern.length - 1 || segments.length <= i) {
        return undefined;
      }
      pathParameters[name.slice(0, -1)] = decode(segments.slice(i).join('/'));
      rank.push(GREEDY);
      return { rank, pathParameters };
    }
    const segment = segments[i];
    if (segment === undefined) {
      return undefined;
    }
    if (name !== undefined) {
      pathParameters[name] = decode(segment);
      rank.push(PARAMETER);
    } else if (p === decode(segment)) {
      rank.push(LITERAL);
    } else {
      return undefined;
    }
  }
  return pattern.length === segments.length ? { rank, pathParameters } : undefined;
}

/** Segment by segment, then the method: the first difference decides. */
function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) {
      return d;
    }
  }
  return 0;
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
