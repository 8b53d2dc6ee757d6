/**
 * The Runtime API server of one environment (spec §2.1–§2.3), driven over a real Unix socket
 * and a real TCP port by a plain HTTP client, as a runtime would.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import {
  request,
  type ClientRequest,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { RuntimeApi } from '../../src/sandbox/runtime-api/server.js';
import type { RuntimeOutcome } from '../../src/sandbox/runtime-api/session.js';
import type { ResponseStreamSink } from '../../src/sandbox/types.js';
import { invokeRequest } from './helpers.js';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

type Call = (
  method: string,
  path: string,
  body?: Buffer | string,
  headers?: OutgoingHttpHeaders,
  trailers?: Record<string, string>,
) => Promise<Reply>;

interface Recorded {
  initDone: number;
  parked: number;
  initErrors: { errorType: string; payload: string }[];
  outcomes: { requestId: string; outcome: RuntimeOutcome }[];
}

async function startApi(
  t: TestContext,
): Promise<{ api: RuntimeApi; events: Recorded; call: Call; socketPath: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'fogbank-rapi-'));
  const events: Recorded = { initDone: 0, parked: 0, initErrors: [], outcomes: [] };
  const api = new RuntimeApi({
    onInitDone: () => events.initDone++,
    onParked: () => events.parked++,
    onInitError: (errorType, payload) =>
      events.initErrors.push({ errorType, payload: payload.toString() }),
    onOutcome: (requestId, outcome) => events.outcomes.push({ requestId, outcome }),
  });
  const socketPath = await api.listen({ socketPath: join(dir, 'runtime.sock') });
  t.after(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });
  const call: Call = (method, path, body, headers = {}, trailers) =>
    new Promise((resolve, reject) => {
      const req = request(
        { socketPath, method, path: `/2018-06-01/runtime${path}`, headers, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
            });
          });
        },
      );
      req.on('error', reject);
      if (trailers !== undefined) {
        // Trailers need a chunked body.
        req.write(body ?? '');
        req.addTrailers(trailers);
        req.end();
      } else {
        req.end(body);
      }
    });
  return { api, events, call, socketPath };
}

const json = (reply: Reply): unknown => JSON.parse(reply.body.toString());

test('/next ends init, waits for an invocation and delivers it with the §2.2 headers', async (t) => {
  const { api, events, call } = await startApi(t);
  const next = call('GET', '/invocation/next');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(events.initDone, 1);
  const payload = Buffer.from('{"exact":"bytes", "kept": true}');
  api.deliver(
    invokeRequest(null, { requestId: 'r-1', payload, clientContext: '{"env":{}}' }),
    1_700_000_000_123,
  );
  const reply = await next;
  assert.equal(reply.status, 200);
  assert.deepEqual(reply.body, payload);
  assert.equal(reply.headers['lambda-runtime-aws-request-id'], 'r-1');
  assert.equal(reply.headers['lambda-runtime-deadline-ms'], '1700000000123');
  assert.equal(
    reply.headers['lambda-runtime-invoked-function-arn'],
    'arn:aws:lambda:eu-west-1:123456789012:function:behave',
  );
  assert.equal(reply.headers['lambda-runtime-trace-id'], invokeRequest(null).traceId);
  assert.equal(reply.headers['lambda-runtime-client-context'], '{"env":{}}');
  assert.equal(reply.headers['content-type'], 'application/json');

  const accepted = await call('POST', '/invocation/r-1/response', 'null');
  assert.equal(accepted.status, 202);
  assert.deepEqual(json(accepted), { status: 'OK' });
  assert.deepEqual(events.outcomes, [
    { requestId: 'r-1', outcome: { kind: 'response', payload: Buffer.from('null') } },
  ]);
});

test('an invocation delivered before /next waits for it; a parked /next is reported', async (t) => {
  const { api, events, call } = await startApi(t);
  const first = call('GET', '/invocation/next');
  await new Promise((r) => setTimeout(r, 20));
  api.deliver(invokeRequest({ n: 1 }, { requestId: 'a', traceId: '' }), 1);
  assert.equal(
    (await first).headers['lambda-runtime-trace-id'],
    undefined,
    'empty headers are omitted',
  );
  await call('POST', '/invocation/a/response', '1');
  const parked = call('GET', '/invocation/next');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(events.parked, 2, 'once after init (nothing to do yet), once after answering');
  assert.equal(api.parked, true);
  api.deliver(invokeRequest({ n: 2 }, { requestId: 'b' }), 1);
  assert.equal((await parked).headers['lambda-runtime-aws-request-id'], 'b');
  await call('POST', '/invocation/b/response', '2');
  api.deliver(invokeRequest({ n: 3 }, { requestId: 'c' }), 1);
  const queued = await call('GET', '/invocation/next');
  assert.equal(
    queued.headers['lambda-runtime-aws-request-id'],
    'c',
    'queued delivery is sent on the next /next',
  );
});

/**
 * A Runtime API whose runtime has received invocation `a`, and a raw connection to it on which a
 * test writes its own requests: what comes back accumulates in `received()`.
 */
async function rawRuntime(t: TestContext) {
  const started = await startApi(t);
  const { api, call, socketPath } = started;
  const first = call('GET', '/invocation/next');
  await new Promise((r) => setTimeout(r, 20));
  api.deliver(invokeRequest({ n: 1 }, { requestId: 'a' }), 1);
  await first;
  const socket = createConnection(socketPath);
  t.after(() => socket.destroy());
  let received = '';
  socket.setEncoding('utf8').on('data', (text: string) => (received += text));
  const until = async (done: () => boolean): Promise<void> => {
    const deadline = Date.now() + 5_000;
    while (!done()) {
      assert.ok(Date.now() < deadline, `stuck; the runtime received: ${received}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return { ...started, socket, received: () => received, until };
}

const ANSWER = '"done"';

test('an answer sent with Fogbank-Runtime-Next is replied to with the next invocation', async (t) => {
  const { api, events, socket, received, until } = await rawRuntime(t);
  const answerWithNext = (id: string): void => {
    socket.write(
      `POST /2018-06-01/runtime/invocation/${id}/response HTTP/1.1\r\nHost: x\r\n` +
        `Fogbank-Runtime-Next: 1\r\nContent-Length: ${String(ANSWER.length)}\r\n\r\n${ANSWER}`,
    );
  };
  answerWithNext('a');
  await until(() => events.outcomes.length === 1 && api.parked);
  assert.deepEqual(events.outcomes[0], {
    requestId: 'a',
    outcome: { kind: 'response', payload: Buffer.from(ANSWER) },
  });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(received(), '', 'no 202: the reply waits for the next invocation');
  api.deliver(invokeRequest({ n: 2 }, { requestId: 'b' }), 1);
  await until(() => received().includes('{"n":2}'));
  assert.match(received(), /^HTTP\/1\.1 200 [^]*Lambda-Runtime-Aws-Request-Id: b\r\n/i);
  assert.doesNotMatch(received(), /HTTP\/1\.1 202/);

  // Answered again, then the runtime hangs up: nothing waits on that connection.
  answerWithNext('b');
  await until(() => events.outcomes.length === 2 && api.parked);
  socket.destroy();
  await until(() => !api.parked);
});

test('a /next pipelined behind an answer (no extension) waits for the next event after a 202', async (t) => {
  const { api, events, socket, received, until } = await rawRuntime(t);
  socket.write(
    `POST /2018-06-01/runtime/invocation/a/response HTTP/1.1\r\nHost: x\r\n` +
      `Content-Length: ${String(ANSWER.length)}\r\n\r\n${ANSWER}` +
      `GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n`,
  );
  await until(
    () => events.outcomes.length === 1 && api.parked && received().includes('HTTP/1.1 202'),
  );
  assert.match(received(), /^HTTP\/1\.1 202 [^]*\{"status":"OK"\}$/);
  api.deliver(invokeRequest({ n: 2 }, { requestId: 'b' }), 1);
  await until(() => received().includes('{"n":2}'));
  const second = received().slice(received().indexOf('HTTP/1.1 200 '));
  assert.match(second, /Lambda-Runtime-Aws-Request-Id: b\r\n/i);
});

test('the Runtime API rejects wrong ids and wrong states with its own error documents', async (t) => {
  const { api, call } = await startApi(t);
  const early = await call('POST', '/invocation/x/response', '{}');
  assert.equal(early.status, 403);
  assert.equal((json(early) as { errorType: string }).errorType, 'InvalidStateTransition');

  const next = call('GET', '/invocation/next');
  await new Promise((r) => setTimeout(r, 20));
  const second = await call('GET', '/invocation/next');
  assert.equal(second.status, 403, 'one /next at a time');
  api.deliver(invokeRequest({}, { requestId: 'real' }), 1);
  await next;
  const unanswered = await call('GET', '/invocation/next');
  assert.equal(unanswered.status, 403, '/next before answering the current invocation');

  const wrong = await call('POST', '/invocation/other/response', '{}');
  assert.equal(wrong.status, 400);
  assert.deepEqual(json(wrong), {
    errorMessage: 'Invalid request ID',
    errorType: 'InvalidRequestID',
  });
  assert.equal((await call('POST', '/invocation/real/response', '{}')).status, 202);
  assert.equal(
    (await call('POST', '/invocation/real/response', '{}')).status,
    400,
    'already answered',
  );
  assert.equal((await call('POST', '/init/error', '{}')).status, 403, 'init is over');
  assert.equal((await call('GET', '/nope')).status, 404);
});

test('/error and /init/error take the error type from the document, else the header', async (t) => {
  const { api, events, call } = await startApi(t);
  const initError = await call('POST', '/init/error', '{"errorMessage":"no handler"}', {
    'Lambda-Runtime-Function-Error-Type': 'Runtime.HandlerNotFound',
  });
  assert.equal(initError.status, 202);
  assert.deepEqual(events.initErrors, [
    { errorType: 'Runtime.HandlerNotFound', payload: '{"errorMessage":"no handler"}' },
  ]);

  const next = call('GET', '/invocation/next');
  await new Promise((r) => setTimeout(r, 20));
  api.deliver(invokeRequest({}, { requestId: 'e1' }), 1);
  await next;
  const cause =
    '{"errorType":"TypeError","errorMessage":"bad","stackTrace":[],"errorCause":{"paths":[]}}';
  const posted = await call('POST', '/invocation/e1/error', cause, {
    'Content-Type': 'application/vnd.aws.lambda.error.cause+json',
  });
  assert.equal(posted.status, 202);
  const outcome = events.outcomes[0]?.outcome;
  assert.ok(outcome?.kind === 'error');
  assert.equal(outcome.errorType, 'TypeError');
  assert.deepEqual(JSON.parse(outcome.payload.toString()), {
    errorType: 'TypeError',
    errorMessage: 'bad',
    stackTrace: [],
  });
});

test('a response over 6291556 bytes gets 413; exactly the limit is accepted', async (t) => {
  const { api, events, call } = await startApi(t);
  for (const [id, size, status] of [
    ['big', 6291557, 413],
    ['max', 6291556, 202],
  ] as const) {
    const next = call('GET', '/invocation/next');
    await new Promise((r) => setTimeout(r, 20));
    api.deliver(invokeRequest({}, { requestId: id }), 1);
    await next;
    const reply = await call('POST', `/invocation/${id}/response`, Buffer.alloc(size, 0x61));
    assert.equal(reply.status, status);
  }
  assert.deepEqual(
    events.outcomes.map((o) => [o.requestId, o.outcome.kind]),
    [
      ['big', 'too-large'],
      ['max', 'response'],
    ],
  );
});

test('a streamed response without a sink is buffered; its error trailers make it an error', async (t) => {
  const { api, events, call } = await startApi(t);
  const next = call('GET', '/invocation/next');
  await new Promise((r) => setTimeout(r, 20));
  api.deliver(invokeRequest({}, { requestId: 's1' }), 1);
  await next;
  const bad = await call('POST', '/invocation/s1/response', 'x', {
    'Lambda-Runtime-Function-Response-Mode': 'sideways',
  });
  assert.equal(bad.status, 400);
  assert.equal((json(bad) as { errorType: string }).errorType, 'InvalidFunctionResponseMode');
  const document = '{"errorType":"Error","errorMessage":"mid-stream"}';
  const streamed = await call(
    'POST',
    '/invocation/s1/response',
    'partial ',
    {
      'Lambda-Runtime-Function-Response-Mode': 'streaming',
      Trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
    },
    {
      'Lambda-Runtime-Function-Error-Type': 'Error',
      'Lambda-Runtime-Function-Error-Body': Buffer.from(document).toString('base64'),
    },
  );
  assert.equal(streamed.status, 202);
  const outcome = events.outcomes[0]?.outcome;
  assert.ok(outcome?.kind === 'error');
  assert.equal(outcome.errorType, 'Error');
  assert.equal(outcome.payload.toString(), document);
});

/** A sink that records what reaches it and holds `next` until the test releases it. */
function recordingSink(): ResponseStreamSink & {
  contentType: string | undefined;
  chunks: string[];
  held: (() => void)[];
  hold: boolean;
} {
  const sink = {
    contentType: undefined as string | undefined,
    chunks: [] as string[],
    held: [] as (() => void)[],
    hold: false,
    start(contentType: string) {
      sink.contentType = contentType;
    },
    write(chunk: Buffer, next: () => void) {
      sink.chunks.push(chunk.toString());
      if (sink.hold) {
        sink.held.push(next);
      } else {
        next();
      }
    },
  };
  return sink;
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; !condition(); i++) {
    assert.ok(i < 500, 'condition not met within 5 s');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Starts a chunked, streamed /response the test writes piece by piece. */
function streamedPost(
  socketPath: string,
  requestId: string,
): { req: ClientRequest; reply: Promise<{ status: number; body: string }> } {
  let req: ClientRequest | undefined;
  const reply = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req = request(
      {
        socketPath,
        method: 'POST',
        path: `/2018-06-01/runtime/invocation/${requestId}/response`,
        agent: false,
        headers: {
          'Lambda-Runtime-Function-Response-Mode': 'streaming',
          'Content-Type': 'text/plain',
          Trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('error', reject);
    req.flushHeaders();
  });
  assert.ok(req !== undefined);
  return { req, reply };
}

test('a streamed response goes to the invocation sink as it arrives, paced by the sink', async (t) => {
  const { api, events, call, socketPath } = await startApi(t);
  const next = call('GET', '/invocation/next');
  await until(() => events.initDone === 1);
  const sink = recordingSink();
  api.deliver(invokeRequest({}, { requestId: 'live', responseStream: sink }), 1);
  await next;
  const { req, reply } = streamedPost(socketPath, 'live');
  sink.hold = true;
  req.write('one');
  await until(() => sink.chunks.length === 1);
  assert.equal(sink.contentType, 'text/plain');
  assert.deepEqual(events.outcomes, [], 'the invocation settles only when the request ends');
  req.write('two');
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(sink.chunks, ['one'], 'nothing more until the sink asks for it');
  sink.hold = false;
  sink.held.splice(0).forEach((release) => {
    release();
  });
  await until(() => sink.chunks.length === 2);
  assert.deepEqual(sink.chunks, ['one', 'two']);
  req.end();
  assert.equal((await reply).status, 202);
  assert.deepEqual(events.outcomes, [
    { requestId: 'live', outcome: { kind: 'response', payload: Buffer.alloc(0) } },
  ]);
});

test('a streamed response ends in error by its trailers, or over 20 MiB', async (t) => {
  const { api, events, call, socketPath } = await startApi(t);
  const run = async (requestId: string, write: (req: ClientRequest) => void) => {
    const next = call('GET', '/invocation/next');
    await new Promise((r) => setTimeout(r, 20));
    const sink = recordingSink();
    api.deliver(invokeRequest({}, { requestId, responseStream: sink }), 1);
    await next;
    const { req, reply } = streamedPost(socketPath, requestId);
    write(req);
    return { sink, reply: await reply, outcome: events.outcomes.at(-1)?.outcome };
  };
  const document = '{"errorType":"Error","errorMessage":"mid-stream"}';
  const failed = await run('fails', (req) => {
    req.write('partial');
    req.addTrailers({
      'Lambda-Runtime-Function-Error-Type': 'Error',
      'Lambda-Runtime-Function-Error-Body': Buffer.from(document).toString('base64'),
    });
    req.end();
  });
  assert.equal(failed.reply.status, 202);
  assert.deepEqual(failed.sink.chunks, ['partial']);
  assert.deepEqual(failed.outcome, {
    kind: 'error',
    errorType: 'Error',
    payload: Buffer.from(document),
  });

  const limit = 20 * 1024 * 1024;
  const big = await run('big', (req) => {
    req.write(Buffer.alloc(limit - 1, 0x61));
    req.end(Buffer.alloc(2, 0x62));
  });
  assert.equal(big.reply.status, 413);
  assert.equal(big.sink.chunks.join('').length, limit, 'bytes up to the limit were forwarded');
  assert.deepEqual(big.outcome, { kind: 'too-large', limitBytes: limit });
});

test('over TCP it listens on a loopback port of its own', async (t) => {
  const api = new RuntimeApi({
    onInitDone: () => undefined,
    onParked: () => undefined,
    onInitError: () => undefined,
    onOutcome: () => undefined,
  });
  t.after(() => api.close());
  const address = await api.listen({ host: '127.0.0.1' });
  assert.match(address, /^127\.0\.0\.1:\d+$/);
});
