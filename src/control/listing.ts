/**
 * ListFunctions paging: Marker/MaxItems in, NextMarker out, at most 50 per page.
 * https://docs.aws.amazon.com/lambda/latest/api/API_ListFunctions.html
 */
import { invalidParameter, validationError } from '../core/errors.js';
import { LATEST, type FunctionVersionCursor } from '../store/index.js';
import { MAX_LIST_ITEMS, MAX_LIST_PAGE } from './limits.js';

/** MaxItems (1–10000) capped at Lambda's page size. */
export function pageSize(maxItems: number | undefined): number {
  if (maxItems === undefined) {
    return MAX_LIST_PAGE;
  }
  if (maxItems < 1 || maxItems > MAX_LIST_ITEMS) {
    const bound =
      maxItems < 1
        ? 'Member must have value greater than or equal to 1'
        : `Member must have value less than or equal to ${String(MAX_LIST_ITEMS)}`;
    throw validationError([
      `Value '${String(maxItems)}' at 'maxItems' failed to satisfy constraint: ${bound}`,
    ]);
  }
  return Math.min(maxItems, MAX_LIST_PAGE);
}

/** FunctionVersion: absent lists `$LATEST` of each function; `ALL` adds published versions. */
export function versionFilter(functionVersion: string | undefined): 'latest' | 'all' {
  if (functionVersion === undefined) {
    return 'latest';
  }
  if (functionVersion !== 'ALL') {
    throw validationError([
      `Value '${functionVersion}' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]`,
    ]);
  }
  return 'all';
}

/** An opaque marker: base64url of the last listed (function name, version number). */
export function encodeMarker(last: { functionName: string; version: string }): string {
  const number = last.version === LATEST ? 0 : Number(last.version);
  return Buffer.from(JSON.stringify([last.functionName, number])).toString('base64url');
}

export function decodeMarker(marker: string): FunctionVersionCursor {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(marker, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (
    Array.isArray(decoded) &&
    decoded.length === 2 &&
    typeof decoded[0] === 'string' &&
    Number.isInteger(decoded[1])
  ) {
    return { functionName: decoded[0], versionNumber: decoded[1] as number };
  }
  throw invalidParameter(`Invalid Marker: ${marker} was not returned by ListFunctions.`);
}

/** An opaque marker for listings ordered by one string key (alias name, qualifier, layer name). */
export function encodeKeyMarker(key: string): string {
  return Buffer.from(JSON.stringify([key])).toString('base64url');
}

export function decodeKeyMarker(marker: string, operation: string): string {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(marker, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (Array.isArray(decoded) && decoded.length === 1 && typeof decoded[0] === 'string') {
    return decoded[0];
  }
  throw invalidParameter(`Invalid Marker: ${marker} was not returned by ${operation}.`);
}
