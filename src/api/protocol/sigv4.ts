/**
 * SigV4 as far as the API uses it today: the credential scope of the `Authorization` header is
 * parsed into the request context (who is calling, for which region and service); verifying the
 * signature itself is a seam (`VerifySignature`) that nothing implements yet.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-auth-methods.html
 */
import type { IncomingHttpHeaders } from 'node:http';

/** `Credential=<accessKeyId>/<date>/<region>/<service>/aws4_request` of a SigV4 Authorization header. */
export interface CredentialScope {
  readonly accessKeyId: string;
  /** `YYYYMMDD`, the day the signing key was derived for. */
  readonly date: string;
  readonly region: string;
  /** The signing name: `lambda` for this API. */
  readonly service: string;
}

/** What one API request carries besides its operation's inputs. */
export interface RequestContext {
  /** The `x-amzn-RequestId` of the response. */
  readonly requestId: string;
  /** Absent when the request is unsigned or its Authorization header is not SigV4. */
  readonly credential: CredentialScope | undefined;
}

/** Everything a SigV4 verifier needs: the request exactly as sent (path and query still encoded). */
export interface SignedRequest {
  readonly method: string;
  readonly rawPath: string;
  readonly rawQuery: string;
  readonly headers: IncomingHttpHeaders;
  /** Header names and values exactly as sent (SigV4 canonicalizes repeated headers its own way). */
  readonly rawHeaders: readonly string[];
  /** The body as received (empty for operations without one). */
  readonly body: Buffer;
  readonly context: RequestContext;
}

/**
 * The seam for signature verification. When the API is given one, it runs after the body has been
 * read and before the operation, and rejects the request by throwing a ServiceError (for example
 * 403 `InvalidSignatureException` or `UnrecognizedClientException`). When it is not given, every
 * signature is accepted, as the spec allows for a local server (§1.1).
 */
export type VerifySignature = (request: SignedRequest) => void | Promise<void>;

const ALGORITHM = 'AWS4-HMAC-SHA256 ';
const CREDENTIAL = 'Credential=';

/** Parses the credential scope of a SigV4 `Authorization` header; undefined for anything else. */
export function parseCredentialScope(
  authorization: string | undefined,
): CredentialScope | undefined {
  if (authorization?.startsWith(ALGORITHM) !== true) {
    return undefined;
  }
  const start = authorization.indexOf(CREDENTIAL, ALGORITHM.length);
  if (start < 0) {
    return undefined;
  }
  const end = authorization.indexOf(',', start);
  const parts = authorization
    .slice(start + CREDENTIAL.length, end < 0 ? undefined : end)
    .trim()
    .split('/');
  const [accessKeyId, date, region, service, terminator] = parts;
  if (
    parts.length !== 5 ||
    terminator !== 'aws4_request' ||
    accessKeyId === undefined ||
    date === undefined ||
    region === undefined ||
    service === undefined
  ) {
    return undefined;
  }
  return { accessKeyId, date, region, service };
}

const SCOPE_IN_HEADER = /Credential=([^/,\s]+)\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/;
const PRESIGNED_SCOPE = /^([^/]+)\/\d{8}\/[^/]+\/([^/]+)\/aws4_request$/;

/**
 * The access key and signing service of a request to a query-protocol service (SNS, SQS): the
 * scope in its Authorization header, else its presigned URL's `X-Amz-Credential`; undefined when
 * unsigned. Looser about the header than parseCredentialScope (any scheme with a `Credential=`
 * scope) and stricter about the scope (an eight-digit date, no empty parts).
 */
export function signingScope(
  authorization: string | undefined,
  presignedCredential: string | null | undefined,
): { readonly accessKeyId: string; readonly service: string } | undefined {
  const m =
    SCOPE_IN_HEADER.exec(authorization ?? '') ?? PRESIGNED_SCOPE.exec(presignedCredential ?? '');
  return m?.[1] && m[2] ? { accessKeyId: m[1], service: m[2] } : undefined;
}
