import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HttpRequest } from '../../src/gateway/http-request.js';
import { authorizeIam } from '../../src/gateway/iam-auth.js';

const CTX = { region: 'us-east-1', accountId: '123456789012' };
const NOW = Date.UTC(2026, 10, 22, 1, 0, 0);
const SIG = 'a'.repeat(64);

function signed(
  amzDate: string,
  scope = `AKID/${amzDate.slice(0, 8)}/us-east-1/lambda`,
): HttpRequest {
  return {
    method: 'GET',
    rawPath: '/',
    rawQueryString: '',
    headers: [
      [
        'authorization',
        `AWS4-HMAC-SHA256 Credential=${scope}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${SIG}`,
      ],
      ['x-amz-date', amzDate],
    ],
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    protocol: 'HTTP/1.1',
    port: 4566,
    hostname: 'localhost',
    receivedAt: NOW,
  };
}

const message = (r: ReturnType<typeof authorizeIam>): unknown =>
  'iam' in r ? r : (JSON.parse((r.body as Buffer).toString()) as { Message: unknown }).Message;

test('a well-formed signature names the caller', () => {
  const r = authorizeIam(signed('20261122T005800Z'), CTX, NOW);
  assert.ok('iam' in r);
  assert.equal(r.iam.accessKey, 'AKID');
  assert.equal(r.iam.accountId, '123456789012');
});

test('a signature more than 5 minutes away from now is refused with AWS texts', () => {
  assert.equal(
    message(authorizeIam(signed('20261122T005400Z'), CTX, NOW)),
    'Signature expired: 20261122T005400Z is now earlier than 20261122T005500Z (20261122T010000Z - 5 min.)',
  );
  assert.equal(
    message(authorizeIam(signed('20261122T010600Z'), CTX, NOW)),
    'Signature not yet current: 20261122T010600Z is still later than 20261122T010500Z (20261122T010000Z + 5 min.)',
  );
});

test('a scope for another region or day, or no signature, is refused', () => {
  assert.equal(
    message(authorizeIam(signed('20261122T005800Z', 'AKID/20261122/eu-west-1/lambda'), CTX, NOW)),
    'Credential should be scoped to a valid region. ',
  );
  assert.equal(
    message(authorizeIam(signed('20261122T005800Z', 'AKID/20261121/us-east-1/lambda'), CTX, NOW)),
    'Forbidden',
  );
  const unsigned = { ...signed('20261122T005800Z'), headers: [] };
  assert.equal(message(authorizeIam(unsigned, CTX, NOW)), 'Forbidden');
  const badSignature = {
    ...signed('20261122T005800Z'),
    headers: [
      ['authorization', `AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/lambda/aws4_request`],
      ['x-amz-date', '20261122T005800Z'],
    ] as const,
  };
  assert.equal(message(authorizeIam(badSignature, CTX, NOW)), 'Forbidden');
});

test('a presigned URL is valid until X-Amz-Expires runs out', () => {
  const presigned = (expires: number): HttpRequest => ({
    ...signed('20261122T005000Z'),
    headers: [],
    rawQueryString:
      `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261122%2Fus-east-1%2Flambda%2Faws4_request` +
      `&X-Amz-Date=20261122T005000Z&X-Amz-Expires=${expires}&X-Amz-SignedHeaders=host&X-Amz-Signature=${SIG}`,
  });
  assert.ok('iam' in authorizeIam(presigned(900), CTX, NOW));
  assert.equal(message(authorizeIam(presigned(300), CTX, NOW)), 'Request has expired');
});
