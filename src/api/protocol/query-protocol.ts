/**
 * Helpers shared by the services that speak the AWS query protocol (SNS, and SQS to older SDKs
 * and the AWS CLI v2): form-encoded parameters in, XML out.
 * https://smithy.io/2.0/aws/protocols/aws-query-protocol.html
 */

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
