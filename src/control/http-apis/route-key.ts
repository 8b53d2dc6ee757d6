/**
 * Route keys of HTTP APIs: `$default`, or `METHOD /path` where a path segment is a literal, a
 * parameter `{name}`, or (last only) a greedy parameter `{name+}`.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
 */
import { badRequest } from './errors.js';

export const DEFAULT_ROUTE_KEY = '$default';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'];
const PARAMETER = /^\{[A-Za-z0-9._-]+\}$/;
const GREEDY = /^\{[A-Za-z0-9._-]+\+\}$/;
const LITERAL = /^[^{}\s]+$/;

/** Throws a BadRequestException naming what is wrong with the route key. */
export function checkRouteKey(routeKey: string): void {
  if (routeKey === DEFAULT_ROUTE_KEY) {
    return;
  }
  const invalid = (why: string): Error =>
    badRequest(`Unable to create route. The route key '${routeKey}' is not valid: ${why}`);
  const space = routeKey.indexOf(' ');
  const method = space < 0 ? routeKey : routeKey.slice(0, space);
  const path = space < 0 ? '' : routeKey.slice(space + 1);
  if (!METHODS.includes(method)) {
    throw invalid(`the method must be one of ${METHODS.join(', ')}, or the key '$default'.`);
  }
  if (!path.startsWith('/')) {
    throw invalid('the path must start with /.');
  }
  if (path === '/') {
    return;
  }
  const segments = path.slice(1).split('/');
  segments.forEach((segment, i) => {
    if (GREEDY.test(segment)) {
      if (i !== segments.length - 1) {
        throw invalid('a greedy path parameter {name+} must be the last segment.');
      }
    } else if (!PARAMETER.test(segment) && !LITERAL.test(segment)) {
      throw invalid(`the path segment '${segment}' is neither a literal nor a {parameter}.`);
    }
  });
}
