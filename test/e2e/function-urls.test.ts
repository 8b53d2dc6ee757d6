import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect } from 'node:http2';
import {
  CreateAliasCommand,
  CreateFunctionUrlConfigCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { aws, awsCliMissing } from '../helpers/aws-cli.js';
import { createFunction } from '../helpers/functions.js';
import { httpRequest, signRequest, type HttpReply } from '../helpers/http.js';
import { startServer, type RunningServer } from '../helpers/server.js';

interface EchoedEvent {
  version: string;
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  requestContext: {
    accountId: string;
    apiId: string;
    authorizer?: { iam: Record<string, unknown> };
    domainName: string;
    domainPrefix: string;
    http: Record<string, string>;
    requestId: string;
    routeKey: string;
    stage: string;
    time: string;
    timeEpoch: number;
  };
  body?: string;
  isBase64Encoded: boolean;
}

const MONTHS = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';

/** Function URLs served by a real server: event, response mapping, errors, CORS and AWS_IAM. */
describe('function URLs', () => {
  let server: RunningServer;
  let lambda: LambdaClient;
  /** FunctionUrl of each function, as CreateFunctionUrlConfig returned it. */
  const urls: Record<string, string> = {};
  /** The same URL in the path form: `http://127.0.0.1:<port>/lambda-url/<id>`. */
  const pathForm = (name: string): string => {
    const u = new URL(urls[name]!);
    return `${server.url}/lambda-url/${u.hostname.split('.')[0]!}`;
  };
  const urlId = (name: string): string => new URL(urls[name]!).hostname.split('.')[0]!;
  /** The host form of a path under the URL (`http://<id>.lambda-url.us-east-1.localhost:port/…`). */
  const at = (name: string, path: string): string => new URL(path, urls[name]).toString();
  const returning = (name: string, result: unknown): Promise<HttpReply> =>
    httpRequest(at(name, '/return'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(result),
    });

  const createUrl = async (name: string, authType: 'NONE' | 'AWS_IAM'): Promise<void> => {
    await createFunction(lambda, {
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      fixture: 'functions/node-http',
    });
    const created = await lambda.send(
      new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: authType }),
    );
    urls[name] = created.FunctionUrl!;
  };

  before(async () => {
    server = await startServer();
    lambda = server.lambda();
    await createUrl('web', 'NONE');
    await createUrl('secure', 'AWS_IAM');
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  it('gives the FunctionUrl under this server: http://<id>.lambda-url.us-east-1.localhost:<port>/', () => {
    const port = new URL(server.url).port;
    assert.match(
      urls.web!,
      new RegExp(`^http://[a-z0-9]{32}\\.lambda-url\\.us-east-1\\.localhost:${port}/$`),
    );
  });

  it('delivers a GET by Host as the 2.0 event: repeated query keys, cookies, headers', async () => {
    const reply = await httpRequest(at('web', '/items/7?a=1&a=2&b=x%20y&flag'), {
      headers: {
        cookie: 'session=abc; theme=dark',
        'user-agent': 'fogbank-test/1',
        'x-multi': ['one', 'two'],
        'x-forwarded-for': '203.0.113.9',
      },
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['x-echo'], 'yes');
    assert.equal(reply.headers['content-type'], 'application/json');
    const requestId = reply.headers['x-amzn-requestid'];
    assert.match(String(requestId), /^[0-9a-f-]{36}$/);
    // The request id is the invocation's too (context.awsRequestId, START/END/REPORT).
    assert.equal(reply.headers['x-aws-request-id'], requestId);
    assert.equal(
      reply.headers['x-invoked-arn'],
      'arn:aws:lambda:us-east-1:000000000000:function:web',
    );
    const event = reply.json() as EchoedEvent;
    const id = urlId('web');
    const port = new URL(server.url).port;
    const host = `${id}.lambda-url.us-east-1.localhost`;
    assert.equal(event.version, '2.0');
    assert.equal(event.routeKey, '$default');
    assert.equal(event.rawPath, '/items/7');
    assert.equal(event.rawQueryString, 'a=1&a=2&b=x%20y&flag');
    assert.deepEqual(event.cookies, ['session=abc', 'theme=dark']);
    assert.deepEqual(event.queryStringParameters, { a: '1,2', b: 'x y', flag: '' });
    const { 'x-amzn-trace-id': traceId, ...headers } = event.headers;
    assert.match(traceId ?? '', /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    assert.deepEqual(headers, {
      host: `${host}:${port}`,
      'user-agent': 'fogbank-test/1',
      'x-multi': 'one,two',
      connection: 'keep-alive',
      'x-forwarded-for': '203.0.113.9, 127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-port': port,
    });
    const { time, timeEpoch, ...context } = event.requestContext;
    assert.deepEqual(context, {
      accountId: 'anonymous',
      apiId: id,
      domainName: host,
      domainPrefix: id,
      http: {
        method: 'GET',
        path: '/items/7',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'fogbank-test/1',
      },
      requestId,
      routeKey: '$default',
      stage: '$default',
    });
    assert.ok(Math.abs(Date.now() - timeEpoch) < 60_000);
    assert.match(time, new RegExp(`^\\d\\d/(${MONTHS})/\\d{4}:\\d\\d:\\d\\d:\\d\\d \\+0000$`));
    const d = new Date(timeEpoch);
    assert.ok(time.startsWith(String(d.getUTCDate()).padStart(2, '0')));
    assert.equal('body' in event, false);
    assert.equal(event.isBase64Encoded, false);
  });

  it('serves the path form /lambda-url/<id>/… with fetch: POST JSON body, rawPath without the prefix', async () => {
    const res = await fetch(`${pathForm('web')}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ qty: 2 }),
    });
    assert.equal(res.status, 200);
    const event = (await res.json()) as EchoedEvent;
    assert.equal(event.rawPath, '/orders');
    assert.equal(event.rawQueryString, '');
    assert.equal('queryStringParameters' in event, false);
    assert.equal('cookies' in event, false);
    assert.equal(event.body, '{"qty":2}');
    assert.equal(event.isBase64Encoded, false);
    assert.equal(event.headers['content-type'], 'application/json');
    assert.equal(event.requestContext.http.method, 'POST');
    assert.equal(event.requestContext.apiId, urlId('web'));
    assert.equal(event.requestContext.domainPrefix, urlId('web'));
    assert.equal(event.requestContext.domainName, '127.0.0.1');
    const root = (await (await fetch(pathForm('web'))).json()) as EchoedEvent;
    assert.equal(root.rawPath, '/');
  });

  it('passes a binary body as base64 and sends a base64 result back as bytes', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const echoed = (
      await httpRequest(at('web', '/echo'), {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: bytes,
      })
    ).json() as EchoedEvent;
    assert.equal(echoed.isBase64Encoded, true);
    assert.equal(echoed.body, bytes.toString('base64'));
    const text = (
      await httpRequest(at('web', '/echo'), {
        method: 'POST',
        headers: { 'content-type': 'text/csv; charset=utf-8' },
        body: 'a,b\n1,2',
      })
    ).json() as EchoedEvent;
    assert.equal(text.isBase64Encoded, false);
    assert.equal(text.body, 'a,b\n1,2');

    const reply = await httpRequest(at('web', '/binary'), {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: bytes,
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-type'], 'application/octet-stream');
    assert.deepEqual(reply.body, bytes);
  });

  it('maps an object with statusCode: status, headers, cookies as Set-Cookie, body', async () => {
    const reply = await returning('web', {
      statusCode: 201,
      headers: { 'X-Result': 'made', 'X-Count': 3 },
      cookies: ['a=1; Path=/; HttpOnly', 'b=2'],
      body: 'created',
    });
    assert.equal(reply.status, 201);
    assert.equal(reply.headers['x-result'], 'made');
    assert.equal(reply.headers['x-count'], '3');
    assert.deepEqual(reply.headers['set-cookie'], ['a=1; Path=/; HttpOnly', 'b=2']);
    assert.equal(reply.headers['content-type'], 'application/json');
    assert.match(String(reply.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/);
    assert.equal(reply.text, 'created');

    const binary = await returning('web', {
      statusCode: 200,
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from([0, 1, 2, 255]).toString('base64'),
      isBase64Encoded: true,
    });
    assert.deepEqual(binary.body, Buffer.from([0, 1, 2, 255]));
    const empty = await returning('web', { statusCode: 204 });
    assert.equal(empty.status, 204);
    assert.equal(empty.text, '');
  });

  it('sends any other result as a 200 JSON body, and a returned string as is', async () => {
    const object = await returning('web', { hello: 'world', statusText: 'no status code' });
    assert.equal(object.status, 200);
    assert.equal(object.headers['content-type'], 'application/json');
    assert.deepEqual(object.json(), { hello: 'world', statusText: 'no status code' });
    const string = await returning('web', 'plain words');
    assert.equal(string.status, 200);
    assert.equal(string.text, 'plain words');
    const list = await returning('web', [1, 2]);
    assert.equal(list.text, '[1,2]');
  });

  it('answers 502 Internal Server Error when the function throws or returns a malformed response', async () => {
    const thrown = await httpRequest(at('web', '/throw'));
    assert.equal(thrown.status, 502);
    assert.equal(thrown.text, 'Internal Server Error');
    assert.match(String(thrown.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/);
    for (const malformed of [
      { statusCode: 'ok' },
      { statusCode: 200, body: { not: 'a string' } },
      { statusCode: 200, headers: { 'x-a': { nested: true } } },
      { statusCode: 200, cookies: 'a=1' },
      { statusCode: 200, headers: { 'x-bad': 'line\nbreak' } },
    ]) {
      const reply = await returning('web', malformed);
      assert.equal(reply.status, 502, JSON.stringify(malformed));
      assert.equal(reply.text, 'Internal Server Error');
    }
  });

  it('serves an alias URL with the alias as qualifier', async () => {
    const version = await lambda.send(new PublishVersionCommand({ FunctionName: 'web' }));
    await lambda.send(
      new CreateAliasCommand({
        FunctionName: 'web',
        Name: 'live',
        FunctionVersion: version.Version!,
      }),
    );
    const created = await lambda.send(
      new CreateFunctionUrlConfigCommand({
        FunctionName: 'web',
        Qualifier: 'live',
        AuthType: 'NONE',
      }),
    );
    assert.notEqual(created.FunctionUrl, urls.web);
    const reply = await httpRequest(new URL('/echo', created.FunctionUrl).toString());
    assert.equal(reply.status, 200);
    assert.equal(
      reply.headers['x-invoked-arn'],
      'arn:aws:lambda:us-east-1:000000000000:function:web:live',
    );
  });

  it('serves HTTP/2 (cleartext, prior knowledge) like HTTP/1.1', async () => {
    const session = connect(server.url);
    try {
      const { status, body } = await new Promise<{ status: number; body: string }>(
        (resolve, reject) => {
          const stream = session.request({
            ':method': 'GET',
            ':path': '/h2?x=1',
            ':authority': new URL(urls.web!).host,
          });
          let status = 0;
          let body = '';
          stream.on('response', (headers) => {
            status = Number(headers[':status']);
          });
          stream.setEncoding('utf8').on('data', (d: string) => (body += d));
          stream.on('end', () => {
            resolve({ status, body });
          });
          stream.on('error', reject);
        },
      );
      assert.equal(status, 200);
      const event = JSON.parse(body) as EchoedEvent;
      assert.equal(event.rawPath, '/h2');
      assert.equal(event.requestContext.http.protocol, 'HTTP/2.0');
      assert.equal(event.headers.host, new URL(urls.web!).host);
      assert.equal(event.requestContext.apiId, urlId('web'));
      assert.equal(
        Object.keys(event.headers).some((h) => h.startsWith(':')),
        false,
        'no pseudo-headers',
      );
    } finally {
      session.close();
    }
  });

  it('answers 403 AccessDeniedException {"Message":null} for an unknown URL id, in both forms', async () => {
    const unknown = 'a'.repeat(32);
    const port = new URL(server.url).port;
    for (const url of [
      `http://${unknown}.lambda-url.us-east-1.localhost:${port}/x`,
      `${server.url}/lambda-url/${unknown}/x`,
    ]) {
      const reply = await httpRequest(url);
      assert.equal(reply.status, 403);
      assert.equal(reply.headers['x-amzn-errortype'], 'AccessDeniedException');
      assert.equal(reply.text, '{"Message":null}');
    }
  });

  it('answers 413 for a body over 6 MB and 429 when the function is throttled', async () => {
    const big = await httpRequest(at('web', '/echo'), {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(6_291_457),
    });
    assert.equal(big.status, 413);
    assert.equal(big.headers['x-amzn-errortype'], 'RequestEntityTooLargeException');
    // Base64 makes a 5 MB binary body an event over the limit.
    const inflated = await httpRequest(at('web', '/echo'), {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(5_000_000),
    });
    assert.equal(inflated.status, 413);

    await createUrl('busy', 'NONE');
    await lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: 'busy', ReservedConcurrentExecutions: 0 }),
    );
    const throttled = await httpRequest(at('busy', '/echo'));
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers['x-amzn-errortype'], 'TooManyRequestsException');
    assert.equal(throttled.text, '{"Message":"Rate Exceeded."}');
  });

  describe('AuthType AWS_IAM', () => {
    it('refuses an unsigned request with 403 {"Message":"Forbidden"}', async () => {
      for (const url of [at('secure', '/echo'), `${pathForm('secure')}/echo`]) {
        const reply = await httpRequest(url);
        assert.equal(reply.status, 403);
        assert.equal(reply.headers['x-amzn-errortype'], 'AccessDeniedException');
        assert.equal(reply.text, '{"Message":"Forbidden"}');
      }
      const notSigV4 = await httpRequest(at('secure', '/echo'), {
        headers: { authorization: 'Bearer abc' },
      });
      assert.equal(notSigV4.status, 403);
    });

    it('serves a SigV4-signed request and tells the function who called', async () => {
      const url = at('secure', '/echo?x=1');
      const headers = (await signRequest(url)) as Record<string, string>;
      const reply = await httpRequest(url, { headers });
      assert.equal(reply.status, 200, reply.text);
      const event = reply.json() as EchoedEvent;
      assert.equal(event.requestContext.accountId, '000000000000');
      assert.deepEqual(event.requestContext.authorizer, {
        iam: {
          accessKey: 'AKIDTEST',
          accountId: '000000000000',
          callerId: '000000000000',
          cognitoIdentity: null,
          principalOrgId: null,
          userArn: 'arn:aws:iam::000000000000:root',
          userId: '000000000000',
        },
      });
      assert.match(event.headers.authorization ?? '', /^AWS4-HMAC-SHA256 Credential=AKIDTEST\//);
    });

    it('serves a presigned URL', async () => {
      const url = (await signRequest(at('secure', '/echo'), { presign: true })) as string;
      const reply = await httpRequest(url);
      assert.equal(reply.status, 200, reply.text);
      const event = reply.json() as EchoedEvent;
      assert.equal(event.requestContext.authorizer?.iam.accessKey, 'AKIDTEST');
      assert.equal(event.queryStringParameters?.['X-Amz-Algorithm'], 'AWS4-HMAC-SHA256');
    });

    it('refuses a signature scoped to another service', async () => {
      const url = at('secure', '/echo');
      const headers = (await signRequest(url, { service: 's3' })) as Record<string, string>;
      const reply = await httpRequest(url, { headers });
      assert.equal(reply.status, 403);
      assert.equal(reply.headers['x-amzn-errortype'], 'InvalidSignatureException');
      assert.equal(
        reply.text,
        `{"Message":"Credential should be scoped to correct service: 'lambda'. "}`,
      );
    });
  });

  describe('CORS, with the URL made by the AWS CLI', { skip: awsCliMissing }, () => {
    before(async () => {
      await createFunction(lambda, {
        FunctionName: 'cors',
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        fixture: 'functions/node-http',
      });
      const created = await aws(server.url, [
        'lambda',
        'create-function-url-config',
        '--function-name',
        'cors',
        '--auth-type',
        'NONE',
        '--cors',
        'AllowOrigins=https://app.example,AllowMethods=GET,POST,AllowHeaders=x-custom,content-type,ExposeHeaders=x-echo,MaxAge=300,AllowCredentials=true',
      ]);
      assert.equal(created.code, 0, created.stderr);
      urls.cors = (JSON.parse(created.stdout) as { FunctionUrl: string }).FunctionUrl;
    });

    it('answers a preflight itself, without invoking the function', async () => {
      const reply = await httpRequest(at('cors', '/echo'), {
        method: 'OPTIONS',
        headers: {
          origin: 'https://app.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'x-custom',
        },
      });
      assert.equal(reply.status, 200);
      assert.equal(reply.text, '');
      assert.equal(reply.headers['x-echo'], undefined);
      assert.equal(reply.headers['access-control-allow-origin'], 'https://app.example');
      assert.equal(reply.headers['access-control-allow-methods'], 'GET,POST');
      assert.equal(reply.headers['access-control-allow-headers'], 'x-custom,content-type');
      assert.equal(reply.headers['access-control-expose-headers'], 'x-echo');
      assert.equal(reply.headers['access-control-max-age'], '300');
      assert.equal(reply.headers['access-control-allow-credentials'], 'true');
      assert.equal(reply.headers.vary, 'Origin');

      const stranger = await httpRequest(at('cors', '/echo'), {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      });
      assert.equal(stranger.status, 200);
      assert.equal(stranger.headers['access-control-allow-origin'], undefined);
      assert.equal(stranger.headers['x-echo'], undefined);
    });

    it('sets the CORS headers of an actual response in place of the function’s own', async () => {
      const own = {
        statusCode: 200,
        headers: { 'access-control-allow-origin': '*', 'access-control-max-age': '9' },
        body: 'ok',
      };
      const allowed = await httpRequest(at('cors', '/return'), {
        method: 'POST',
        headers: { origin: 'https://app.example', 'content-type': 'application/json' },
        body: JSON.stringify(own),
      });
      assert.equal(allowed.status, 200);
      assert.equal(allowed.text, 'ok');
      assert.equal(allowed.headers['access-control-allow-origin'], 'https://app.example');
      assert.equal(allowed.headers['access-control-expose-headers'], 'x-echo');
      assert.equal(allowed.headers['access-control-allow-credentials'], 'true');
      assert.equal(allowed.headers['access-control-max-age'], undefined);
      assert.equal(allowed.headers.vary, 'Origin');

      const stranger = await httpRequest(at('cors', '/return'), {
        method: 'POST',
        headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
        body: JSON.stringify(own),
      });
      assert.equal(stranger.status, 200);
      assert.equal(stranger.headers['access-control-allow-origin'], undefined);

      const plainOptions = await httpRequest(at('cors', '/echo'), { method: 'OPTIONS' });
      assert.equal(
        plainOptions.headers['x-echo'],
        'yes',
        'an OPTIONS without Origin reaches the function',
      );
    });

    it('is found again by get-function-url-config', async () => {
      const got = await aws(server.url, [
        'lambda',
        'get-function-url-config',
        '--function-name',
        'cors',
      ]);
      assert.equal(got.code, 0, got.stderr);
      const url = (JSON.parse(got.stdout) as { FunctionUrl: string }).FunctionUrl;
      assert.equal(url, urls.cors);
      assert.equal((await httpRequest(new URL('/echo', url).toString())).status, 200);
    });
  });
});
