/**
 * Which trigger a request is addressed to. Each kind has two forms on the shared port:
 *
 * - host form, as AWS spells its endpoints: `<id>.lambda-url.<region>.<anything>`,
 *   `<api-id>.execute-api.<region>.<anything>` (reach it with `*.localhost` or a Host header);
 * - path form, which needs no DNS: `/lambda-url/<id>/…`, `/execute-api/<api-id>/…`,
 *   `/alb/<target-group-name>/…`; the rest of the path is what the target sees
 *   (`/lambda-url/<id>` alone is `/`).
 */
import type { IncomingMessage } from 'node:http';
import { functionUrlIdFromHost } from '../control/function-config/url-address.js';
import { hostOf } from './http-request.js';

export type TriggerKind = 'lambda-url' | 'execute-api' | 'alb';

export interface TriggerAddress {
  /** The URL id, API id or target group name. */
  readonly id: string;
  readonly form: 'host' | 'path';
  /** The path the target sees, still percent-encoded. */
  readonly rawPath: string;
  /** The query without `?`. */
  readonly rawQueryString: string;
}

const API_HOST = /^([a-z0-9]+)\.execute-api\.[a-z0-9-]+\./;

/** Kinds with a host form: the id in a Host header, if it names one of that kind. */
const HOST_FORMS: Partial<Record<TriggerKind, (host: string) => string | undefined>> = {
  'lambda-url': functionUrlIdFromHost,
  'execute-api': (host) => API_HOST.exec(host.toLowerCase())?.[1],
};

/** The address of a request of this kind, or undefined when it is addressed to something else. */
export function triggerAddress(
  req: IncomingMessage,
  kind: TriggerKind,
): TriggerAddress | undefined {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const rawQueryString = q < 0 ? '' : url.slice(q + 1);
  const hostForm = HOST_FORMS[kind];
  const hostId = hostForm?.(hostOf(req));
  if (hostId !== undefined) {
    return { id: hostId, form: 'host', rawPath: path, rawQueryString };
  }
  const prefix = `/${kind}/`;
  if (!path.startsWith(prefix)) {
    return undefined;
  }
  const slash = path.indexOf('/', prefix.length);
  const id = decodeURIComponentSafe(path.slice(prefix.length, slash < 0 ? undefined : slash));
  if (id === undefined || id === '') {
    return undefined;
  }
  return { id, form: 'path', rawPath: slash < 0 ? '/' : path.slice(slash), rawQueryString };
}

function decodeURIComponentSafe(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
