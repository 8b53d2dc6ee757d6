/**
 * Where a function URL lives. AWS serves `https://<url-id>.lambda-url.<region>.on.aws/`; Fogbank
 * serves the same shape under its own public endpoint:
 *
 *   `<scheme>://<url-id>.lambda-url.<region>.<host>[:<port>]/`
 *
 * where `<host>` is the public endpoint's host name, or `localhost` when the endpoint is an IP
 * address (`http://127.0.0.1:4566` gives `http://<id>.lambda-url.us-east-1.localhost:4566/`).
 * `*.localhost` names the loopback interface (RFC 6761), which browsers, curl and
 * systemd-resolved honour; any other client reaches the same URL by connecting to the endpoint
 * and sending that Host header. For remote clients, give the server a DNS name with a wildcard
 * record as its public endpoint. The HTTP front finds the URL by the id in the Host header
 * (functionUrlIdFromHost).
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { AccountContext } from '../../core/arn.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const URL_ID_LENGTH = 32;
const HOST = /^([a-z0-9]{32})\.lambda-url\.[a-z0-9-]+\./;

/**
 * The 32-character `[a-z0-9]` id of a function's (or alias's) URL. Derived from the account,
 * region, function and qualifier, so it stays the same across restarts and when the URL config
 * is deleted and created again, and differs between functions and aliases.
 */
export function functionUrlId(
  ctx: AccountContext,
  functionName: string,
  qualifier: string | undefined,
): string {
  const digest = createHash('sha256')
    .update(`${ctx.accountId}\0${ctx.region}\0${functionName}\0${qualifier ?? ''}`)
    .digest();
  let id = '';
  for (let i = 0; i < URL_ID_LENGTH; i++) {
    id += ALPHABET.charAt((digest[i] ?? 0) % ALPHABET.length);
  }
  return id;
}

/** The FunctionUrl of a URL id (see the module comment for the form). */
export function functionUrl(urlId: string, region: string, publicEndpoint: string): string {
  return `${subdomainOrigin(`${urlId}.lambda-url.${region}`, publicEndpoint)}/`;
}

/**
 * `<scheme>://<subdomain>.<host>[:<port>]` under the public endpoint, `localhost` standing for an
 * IP address (see the module comment); API Gateway endpoints take the same form.
 */
export function subdomainOrigin(subdomain: string, publicEndpoint: string): string {
  const endpoint = new URL(publicEndpoint);
  const hostname = endpoint.hostname.replace(/^\[|\]$/g, '');
  const base = isIP(hostname) === 0 ? hostname : 'localhost';
  const port = endpoint.port === '' ? '' : `:${endpoint.port}`;
  return `${endpoint.protocol}//${subdomain}.${base}${port}`;
}

/** The URL id in a Host header such as `<id>.lambda-url.us-east-1.localhost:4566`. */
export function functionUrlIdFromHost(host: string): string | undefined {
  return HOST.exec(host.toLowerCase())?.[1];
}
