/**
 * Helpers shared by the services that speak the AWS query protocol (SNS, and SQS to older SDKs
 * and the AWS CLI v2): form-encoded parameters in, XML out.
 * https://smithy.io/2.0/aws/protocols/aws-query-protocol.html
 */
import type { ServerResponse } from 'node:http';

/** Escapes text for XML; CR too, which an XML parser would otherwise turn into LF. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case "'":
        return '&apos;';
      default:
        return '&#xD;';
    }
  });
}

/** `<name>escaped text</name>`; nothing for an undefined value. */
export function element(name: string, value: string | undefined): string {
  return value === undefined ? '' : `<${name}>${escapeXml(value)}</${name}>`;
}

/** `<Name><member>…</member>…</Name>` from already-encoded members. */
export function memberListXml(name: string, members: readonly string[]): string {
  return `<${name}>${members.map((m) => `<member>${m}</member>`).join('')}</${name}>`;
}

/** `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…</ResponseMetadata>`. */
export function queryResponseXml(
  xmlns: string,
  action: string,
  result: string | undefined,
  requestId: string,
): string {
  const body = result === undefined ? '' : `<${action}Result>${result}</${action}Result>`;
  return (
    `<${action}Response xmlns="${xmlns}">${body}` +
    `<ResponseMetadata>${element('RequestId', requestId)}</ResponseMetadata>` +
    `</${action}Response>`
  );
}

/** `<ErrorResponse>` with the error's query code (`Sender` for client faults). */
export function queryErrorXml(
  xmlns: string,
  error: { readonly code: string; readonly message: string; readonly fault: 'client' | 'server' },
  requestId: string,
): string {
  return (
    `<ErrorResponse xmlns="${xmlns}"><Error>` +
    element('Type', error.fault === 'client' ? 'Sender' : 'Receiver') +
    element('Code', error.code) +
    element('Message', error.message) +
    `</Error>${element('RequestId', requestId)}</ErrorResponse>`
  );
}

/** A query request's parameters: its query string, then its form body over it. */
export function queryParameters(url: string | undefined, body: Buffer): URLSearchParams {
  const at = (url ?? '/').indexOf('?');
  const params = new URLSearchParams(at < 0 ? '' : (url ?? '').slice(at + 1));
  for (const [key, value] of new URLSearchParams(body.toString('utf8'))) {
    params.set(key, value);
  }
  return params;
}

/** The N of every `<prefix>.N.…` parameter, ascending (gaps allowed). */
export function indices(params: URLSearchParams, prefix: string): number[] {
  const found = new Set<number>();
  const head = `${prefix}.`;
  for (const key of params.keys()) {
    if (key.startsWith(head)) {
      const n = Number(key.slice(head.length).split('.')[0]);
      if (Number.isSafeInteger(n) && n > 0) {
        found.add(n);
      }
    }
  }
  return [...found].sort((a, b) => a - b);
}

/** Writes a query-protocol XML answer, unless the client has gone or an answer was already sent. */
export function writeQueryXml(
  res: ServerResponse,
  status: number,
  xml: string,
  requestId: string,
): void {
  if (res.destroyed || res.headersSent) {
    return;
  }
  const bytes = Buffer.from(xml, 'utf8');
  res.writeHead(status, {
    'Content-Type': 'text/xml',
    'Content-Length': String(bytes.length),
    'x-amzn-RequestId': requestId,
  });
  res.end(bytes);
}
