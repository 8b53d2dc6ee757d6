/**
 * AuthType AWS_IAM for function URLs: a request must be SigV4-signed for service `lambda` in
 * this region, in the Authorization header or as a presigned URL, at a time close to now.
 *
 * DIVERGENCE: there is no credential store yet, so the signature itself is not checked against a
 * secret key: only its structure, credential scope and date are. Verifying it is the API's
 * existing SigV4 seam (`VerifySignature` in src/api/protocol/sigv4.ts), and every signed caller is
 * taken to be the account's root user.
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
 */
import type { AccountContext } from '../core/arn.js';
import { parseCredentialScope } from '../api/protocol/sigv4.js';
import type { HttpRequest } from './http-request.js';
import { headerValue } from './http-request.js';
import { frontEndResponse, type HttpResponse } from './http-response.js';
import type { IamAuthorizer } from './payload-v2.js';
import { queryParameters } from './payload-v2.js';

/** How far a signing time may be from the server's clock, as AWS allows. */
const MAX_SKEW_MS = 5 * 60_000;
/** A presigned URL lives at most 7 days (X-Amz-Expires). */
const MAX_EXPIRES_S = 604_800;
const AMZ_DATE = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/;
const SIGNATURE = /(?:^|[\s,])Signature=[0-9a-f]{64}(?:$|,)/;
const SIGNED_HEADERS = /(?:^|[\s,])SignedHeaders=[a-z0-9;-]+(?:$|,)/;

/** The signature's parts wherever they travel. */
interface Signed {
  readonly credential: string;
  readonly amzDate: string | undefined;
  /** Seconds the presigned URL is valid for; undefined for a signed header. */
  readonly expires: number | undefined;
}

/** The caller of a signed request, or the 403 its request gets. */
export function authorizeIam(
  request: HttpRequest,
  ctx: AccountContext,
  now: number,
): { readonly iam: IamAuthorizer } | HttpResponse {
  const signed = signatureOf(request);
  if (signed === undefined) {
    return forbidden('Forbidden');
  }
  const scope = parseCredentialScope(`AWS4-HMAC-SHA256 Credential=${signed.credential}`);
  const signedAt = signed.amzDate === undefined ? undefined : amzTime(signed.amzDate);
  if (scope === undefined || signedAt === undefined || !signed.amzDate?.startsWith(scope.date)) {
    return forbidden('Forbidden');
  }
  if (scope.region !== ctx.region) {
    return invalidSignature('Credential should be scoped to a valid region. ');
  }
  if (scope.service !== 'lambda') {
    return invalidSignature("Credential should be scoped to correct service: 'lambda'. ");
  }
  const amzDate = signed.amzDate;
  if (signed.expires !== undefined) {
    if (now > signedAt + signed.expires * 1000) {
      return forbidden('Request has expired');
    }
  } else if (now - signedAt > MAX_SKEW_MS) {
    return invalidSignature(
      `Signature expired: ${amzDate} is now earlier than ${amzText(now - MAX_SKEW_MS)} (${amzText(now)} - 5 min.)`,
    );
  }
  if (signedAt - now > MAX_SKEW_MS) {
    return invalidSignature(
      `Signature not yet current: ${amzDate} is still later than ${amzText(now + MAX_SKEW_MS)} (${amzText(now)} + 5 min.)`,
    );
  }
  return {
    iam: {
      accessKey: scope.accessKeyId,
      accountId: ctx.accountId,
      callerId: ctx.accountId,
      cognitoIdentity: null,
      principalOrgId: null,
      userArn: `arn:aws:iam::${ctx.accountId}:root`,
      userId: ctx.accountId,
    },
  };
}

function signatureOf(request: HttpRequest): Signed | undefined {
  const authorization = headerValue(request, 'authorization');
  if (authorization !== undefined) {
    if (
      !authorization.startsWith('AWS4-HMAC-SHA256 ') ||
      !SIGNATURE.test(authorization) ||
      !SIGNED_HEADERS.test(authorization)
    ) {
      return undefined;
    }
    const credential = /Credential=([^,\s]+)/.exec(authorization)?.[1];
    return credential === undefined
      ? undefined
      : { credential, amzDate: headerValue(request, 'x-amz-date'), expires: undefined };
  }
  const query = queryParameters(request.rawQueryString);
  const one = (name: string): string | undefined => query.get(name)?.[0];
  const credential = one('X-Amz-Credential');
  const expires = Number(one('X-Amz-Expires'));
  if (
    one('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' ||
    credential === undefined ||
    !/^[0-9a-f]{64}$/.test(one('X-Amz-Signature') ?? '') ||
    (one('X-Amz-SignedHeaders') ?? '') === '' ||
    !Number.isInteger(expires) ||
    expires < 1 ||
    expires > MAX_EXPIRES_S
  ) {
    return undefined;
  }
  return { credential, amzDate: one('X-Amz-Date'), expires };
}

/** `20261122T014500Z` → epoch ms. */
function amzTime(text: string): number | undefined {
  const m = AMZ_DATE.exec(text);
  if (m === null) {
    return undefined;
  }
  const [, y, mo, d, h, mi, s] = m.map(Number);
  const ms = Date.UTC(y ?? 0, (mo ?? 1) - 1, d, h, mi, s);
  return Number.isNaN(ms) ? undefined : ms;
}

function amzText(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function forbidden(message: string): HttpResponse {
  return frontEndResponse(403, JSON.stringify({ Message: message }), 'AccessDeniedException');
}

function invalidSignature(message: string): HttpResponse {
  return frontEndResponse(403, JSON.stringify({ Message: message }), 'InvalidSignatureException');
}
