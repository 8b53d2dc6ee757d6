/**
 * NextToken paging for the List operations. A token is the opaque position of the next item;
 * a token this server did not issue is a ValidationException.
 */
import { validation } from './errors.js';
import type { Page } from './types.js';

/** The most items one page holds (the model's LimitMax100). */
const MAX_LIMIT = 100;

export function paginate<T>(
  items: readonly T[],
  page: Page,
): { readonly items: T[]; readonly nextToken?: string } {
  const start = page.nextToken === undefined ? 0 : decode(page.nextToken);
  const end = start + Math.min(page.limit ?? MAX_LIMIT, MAX_LIMIT);
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { nextToken: encode(end) } : {}),
  };
}

function encode(position: number): string {
  return Buffer.from(JSON.stringify({ position }), 'utf8').toString('base64');
}

function decode(token: string): number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    const position = (parsed as { position?: unknown }).position;
    if (typeof position === 'number' && Number.isInteger(position) && position >= 0) {
      return position;
    }
  } catch {
    // Falls through to the error below.
  }
  throw validation('The NextToken provided is invalid.');
}
