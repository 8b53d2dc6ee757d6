import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import {
  CreateFunctionUrlConfigCommand,
  PutFunctionConcurrencyCommand,
  type Cors,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { createFunction } from '../helpers/functions.js';
import { startServer, type RunningServer } from '../helpers/server.js';

/** A body read piece by piece as fetch delivers it, with when each piece arrived. */
interface Read {
  readonly pieces: { readonly text: string; readonly at: number }[];
  readonly text: string;
  /** Why reading stopped early (the response was cut short), if it did. */
  readonly error?: unknown;
}

async function readIncrementally(res: Response): Promise<Read> {
  const pieces: Read['pieces'] = [];
  const reader = res.body?.getReader();
  assert.ok(reader !== undefined);
  const decoder = new TextDecoder();
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      pieces.push({ text: decoder.decode(r.value as Uint8Array), at: performance.now() });
    }
  } catch (error) {
    return { pieces, text: pieces.map((p) => p.text).join(''), error };
  }
  return { pieces, text: pieces.map((p) => p.text).join('') };
}

/** Function URLs in RESPONSE_STREAM mode, read with plain fetch (spec §2.4). */
describe('function URLs in RESPONSE_STREAM mode', () => {
  let server: RunningServer;
  let lambda: LambdaClient;
  /** The path form of each function's URL: `http://127.0.0.1:<port>/lambda-url/<id>`. */
  const urls: Record<string, string> = {};

  const createStreamingUrl = async (name: string, handler: string, cors?: Cors): Promise<void> => {
    await createFunction(lambda, {
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Handler: handler,
      Timeout: 3,
      fixture: 'e2e/streaming',
    });
    const created = await lambda.send(
      new CreateFunctionUrlConfigCommand({
        FunctionName: name,
        AuthType: 'NONE',
        InvokeMode: 'RESPONSE_STREAM',
        ...(cors !== undefined && { Cors: cors }),
      }),
    );
    const id = new URL(created.FunctionUrl ?? '').hostname.split('.')[0] ?? '';
    urls[name] = `${server.url}/lambda-url/${id}`;
  };

  before(async () => {
    server = await startServer();
    lambda = server.lambda();
    await createStreamingUrl('url-http', 'index.http');
    await createStreamingUrl('url-plain', 'index.plainStream', { AllowOrigins: ['*'] });
    await createStreamingUrl('url-fails', 'index.fails');
    await createStreamingUrl('url-fails-at-once', 'index.failsAtOnce');
    await createStreamingUrl('url-buffered', 'index.buffered');
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  it('turns the HttpResponseStream prelude into status, headers and cookies, and streams the body', async () => {
    await (await fetch(`${urls['url-http']}/warm`)).text();
    const started = performance.now();
    const res = await fetch(`${urls['url-http']}/hello`);
    const headAt = performance.now();
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('content-type'), 'text/plain');
    assert.equal(res.headers.get('x-streamed'), 'yes');
    assert.deepEqual(res.headers.getSetCookie(), ['a=1; Path=/', 'b=2']);
    assert.equal(res.headers.get('transfer-encoding'), 'chunked');
    assert.match(res.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
    assert.ok(headAt - started < 400, 'the head came before the function finished');
    const body = await readIncrementally(res);
    assert.equal(body.text, 'first second /hello');
    const first = body.pieces[0];
    const last = body.pieces.at(-1);
    assert.ok(first !== undefined && last !== undefined);
    assert.equal(first.text, 'first ');
    assert.ok(last.at - first.at >= 300, `pieces ${(last.at - first.at).toFixed(0)} ms apart`);
  });

  it('sends a stream without a prelude as a 200 with its content type, CORS applied', async () => {
    const res = await fetch(`${urls['url-plain']}/`, { headers: { origin: 'https://app' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/csv');
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(await res.text(), 'x,y\n1,2\n');
  });

  it('answers 502 for a failure before the response began, and cuts it short after', async () => {
    const early = await fetch(`${urls['url-fails-at-once']}/`);
    assert.equal(early.status, 502);
    assert.equal(await early.text(), 'Internal Server Error');

    const late = await fetch(`${urls['url-fails']}/`);
    assert.equal(late.status, 200);
    const body = await readIncrementally(late);
    assert.equal(body.text, 'partial');
    assert.ok(body.error !== undefined, 'the client sees that the response is incomplete');
  });

  it('sends a function that does not stream as its raw result', async () => {
    const res = await fetch(`${urls['url-buffered']}/path?q=1`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    const result = (await res.json()) as { echo: { rawPath: string; rawQueryString: string } };
    assert.equal(result.echo.rawPath, '/path');
    assert.equal(result.echo.rawQueryString, 'q=1');
  });

  it('answers 429 when the function is throttled', async () => {
    await lambda.send(
      new PutFunctionConcurrencyCommand({
        FunctionName: 'url-buffered',
        ReservedConcurrentExecutions: 0,
      }),
    );
    const res = await fetch(`${urls['url-buffered']}/`);
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('x-amzn-errortype'), 'TooManyRequestsException');
  });
});
