/**
 * Marker/MaxItems paging of ListFunctionEventInvokeConfigs and ListFunctionUrlConfigs: at most
 * 50 per page, and an opaque marker that names the last config listed.
 */
import { invalidParameter, validationError } from '../../core/errors.js';

/** Both operations model MaxItems as 1–50. */
export const MAX_CONFIG_PAGE = 50;

export function configPageSize(maxItems: number | undefined): number {
  if (maxItems === undefined) {
    return MAX_CONFIG_PAGE;
  }
  if (maxItems < 1 || maxItems > MAX_CONFIG_PAGE) {
    const bound =
      maxItems < 1
        ? 'Member must have value greater than or equal to 1'
        : `Member must have value less than or equal to ${MAX_CONFIG_PAGE}`;
    throw validationError([
      `Value '${maxItems}' at 'maxItems' failed to satisfy constraint: ${bound}`,
    ]);
  }
  return maxItems;
}

/** base64url of the last listed config's sequence number. */
export function encodeMarker(seq: number): string {
  return Buffer.from(JSON.stringify({ after: seq })).toString('base64url');
}

export function decodeMarker(marker: string | undefined): number | undefined {
  if (marker === undefined) {
    return undefined;
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(marker, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const after = (decoded as { after?: unknown } | undefined)?.after;
  if (typeof after === 'number' && Number.isSafeInteger(after) && after >= 0) {
    return after;
  }
  throw invalidParameter(`Invalid Marker: ${marker} was not returned by a previous list call.`);
}

/** One page of rows read with `limit + 1` (the extra row only says that more follow). */
export function page<T extends { readonly seq: number }>(
  rows: readonly T[],
  limit: number,
): { items: T[]; nextMarker?: string } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return rows.length > limit && last !== undefined
    ? { items, nextMarker: encodeMarker(last.seq) }
    : { items };
}
