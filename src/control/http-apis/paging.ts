/**
 * `maxResults` / `nextToken` paging of the Get…s operations: items in id order, and a token
 * that names the last id of the previous page (so a page survives deletions between calls).
 */
import { badRequest } from './errors.js';

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextToken?: string;
}

export interface PageRequest {
  readonly maxResults?: number;
  readonly nextToken?: string;
}

const MAX_RESULTS = 500;

/** One page of ids. */
export function pageOf(ids: readonly string[], page: PageRequest): Page<string> {
  if (page.maxResults !== undefined && (page.maxResults < 1 || page.maxResults > MAX_RESULTS)) {
    throw badRequest(`MaxResults must be between 1 and ${MAX_RESULTS}.`);
  }
  const sorted = [...ids].sort();
  const after = page.nextToken === undefined ? undefined : decodeToken(page.nextToken);
  const rest = after === undefined ? sorted : sorted.filter((id) => id > after);
  const limit = page.maxResults ?? Infinity;
  const items = rest.slice(0, limit);
  const last = items.at(-1);
  return rest.length > limit && last !== undefined
    ? { items, nextToken: Buffer.from(last).toString('base64url') }
    : { items };
}

/** One page of a map's values, in key order. */
export function pageOfMap<T>(map: ReadonlyMap<string, T>, page: PageRequest): Page<T> {
  const { items, nextToken } = pageOf([...map.keys()], page);
  const values = items.flatMap((id) => map.get(id) ?? []);
  return nextToken === undefined ? { items: values } : { items: values, nextToken };
}

function decodeToken(token: string): string {
  const id = Buffer.from(token, 'base64url').toString('utf8');
  if (id.length === 0 || !/^[A-Za-z0-9_$-]+$/.test(id)) {
    throw badRequest(`Invalid NextToken: ${token}`);
  }
  return id;
}
