/**
 * Text or binary: API Gateway and function URLs pass a request body to the function as text when
 * its content type is textual and as base64 (`isBase64Encoded: true`) otherwise, a body without a
 * content type included.
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads
 */

/** Subtypes that are text whatever their top-level type (`application/json`, `image/svg+xml`). */
const TEXT_SUBTYPE =
  /^(?:json|xml|javascript|ecmascript|x-javascript|x-www-form-urlencoded|yaml|x-yaml|graphql|[^;]*\+(?:json|xml|yaml))$/;

/** Whether a Content-Type names text. */
export function isTextContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) {
    return false;
  }
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  const slash = mediaType.indexOf('/');
  if (slash < 0) {
    return false;
  }
  return mediaType.slice(0, slash) === 'text' || TEXT_SUBTYPE.test(mediaType.slice(slash + 1));
}

/** The event's `body` and `isBase64Encoded` for a request body (undefined body when empty). */
export function encodeBody(
  body: Buffer,
  contentType: string | undefined,
): { body: string | undefined; isBase64Encoded: boolean } {
  if (body.length === 0) {
    return { body: undefined, isBase64Encoded: false };
  }
  return isTextContentType(contentType)
    ? { body: body.toString('utf8'), isBase64Encoded: false }
    : { body: body.toString('base64'), isBase64Encoded: true };
}
