import type { AccountContext } from '../../core/arn.js';
import { queueDoesNotExist, sqsError } from '../../events/sqs/errors.js';

/** `/<account>/<queue>`: the path of a queue URL, which query-protocol clients may post to. */
export const QUEUE_PATH = /^\/(\d{12})\/([A-Za-z0-9_-]{1,80}(?:\.fifo)?)\/?$/;

/** `http://<host>:<port>/<account>/<queue>`, the host being the one the client called. */
export function queueUrl(origin: string, ctx: AccountContext, name: string): string {
  return `${origin}/${ctx.accountId}/${name}`;
}

/**
 * The queue name in a QueueUrl. Only the path counts (clients reach this server under many
 * host names); a URL of another account names no queue here.
 */
export function queueNameFromUrl(url: string, ctx: AccountContext): string {
  let path: string;
  try {
    path = new URL(url, 'http://queue.invalid').pathname;
  } catch {
    throw invalidAddress(url);
  }
  const m = /^\/([^/]+)\/([^/]+)\/?$/.exec(path);
  if (!m?.[1] || !m[2]) {
    throw invalidAddress(url);
  }
  if (m[1] !== ctx.accountId) {
    throw queueDoesNotExist();
  }
  return m[2];
}

function invalidAddress(url: string): Error {
  return sqsError('InvalidAddress', `The address ${url} is not valid for this endpoint.`);
}
