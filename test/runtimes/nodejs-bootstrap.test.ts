/**
 * The Node.js runtime (src/runtimes/nodejs/bootstrap.cjs) as a real process against a real
 * Runtime API server: handler resolution (§2.6), the invocation model and context (§2.7),
 * error documents (§1.5, §2.3) and console output (§3).
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import type { RuntimeReply } from '../helpers/runtime-api-server.js';
import { startTestEnvironment } from '../helpers/runtime-process.js';
import type { RuntimeOptions } from '../helpers/runtime-process.js';

const ISO_TIME = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

function startNode(
  t: TestContext,
  fixture: string,
  handler: string,
  more: Pick<RuntimeOptions, 'env' | 'prepare'> = {},
) {
  return startTestEnvironment(t, { runtime: 'nodejs', fixture, handler, ...more });
}

function json(reply: RuntimeReply): unknown {
  return JSON.parse(reply.body.toString('utf8'));
}

interface ErrorDocument {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

function errorDocument(reply: RuntimeReply): ErrorDocument {
  return json(reply) as ErrorDocument;
}

describe('nodejs runtime: handler resolution', { timeout: 20_000 }, () => {
  const cases = [
    { name: 'CommonJS .js', fixture: 'node-cjs', handler: 'index.echo', format: 'cjs' },
    { name: 'ES module .mjs', fixture: 'node-esm-mjs', handler: 'app.handler', format: 'mjs' },
    {
      name: '"type": "module" .js',
      fixture: 'node-esm-type-module',
      handler: 'index.handler',
      format: 'type-module',
    },
    {
      name: 'CommonJS .cjs',
      fixture: 'node-cjs-ext',
      handler: 'lambda.handler',
      format: 'cjs-ext',
    },
    {
      name: 'nested path (src/handlers/orders.process)',
      fixture: 'node-nested',
      handler: 'src/handlers/orders.process',
      format: 'nested',
    },
  ];
  for (const { name, fixture, handler, format } of cases) {
    it(`loads a ${name} handler and posts its result`, async (t) => {
      const { server, runtime } = await startNode(t, fixture, handler);
      const reply = await server.invoke({ n: 1 });
      assert.equal(reply.kind, 'response', runtime.stderr());
      const body = json(reply) as { event: unknown; format: string; esm?: string };
      assert.deepEqual(body.event, { n: 1 });
      assert.equal(body.format, format);
      if (format === 'mjs' || format === 'type-module') {
        assert.equal(body.esm, 'string', 'loaded as an ES module (import.meta exists)');
      }
      assert.equal(reply.headers['content-type'], 'application/json');
    });
  }

  it('resolves a nested export path (index.api.v1.handler)', async (t) => {
    const { server } = await startNode(t, 'node-cjs', 'index.api.v1.handler');
    assert.equal(json(await server.invoke({})), 'nested export');
  });

  it('falls back to Node resolution from the task root (a handler in node_modules)', async (t) => {
    const { server } = await startNode(t, 'node-esm-mjs', 'shared-handler.handler', {
      prepare(taskRoot) {
        const dir = join(taskRoot, 'node_modules', 'shared-handler');
        mkdirSync(dir, { recursive: true });
        writeFileSync(
          join(dir, 'index.js'),
          "exports.handler = async () => 'from node_modules';\n",
        );
      },
    });
    assert.equal(json(await server.invoke({})), 'from node_modules');
  });
});

describe(
  'nodejs runtime: init errors go to /runtime/init/error, then the runtime exits',
  { timeout: 20_000 },
  () => {
    const cases = [
      {
        name: 'module not found',
        fixture: 'node-cjs',
        handler: 'missing.handler',
        errorType: 'Runtime.ImportModuleError',
        message: /^Error: Cannot find module 'missing'/,
      },
      {
        name: 'handler not exported',
        fixture: 'node-cjs',
        handler: 'index.nothere',
        errorType: 'Runtime.HandlerNotFound',
        message: /^index\.nothere is undefined or not exported$/,
      },
      {
        name: 'export is not a function',
        fixture: 'node-cjs',
        handler: 'index.notAFunction',
        errorType: 'Runtime.HandlerNotFound',
        message: /^index\.notAFunction is not a function$/,
      },
      {
        name: 'syntax error',
        fixture: 'node-syntax-error',
        handler: 'index.handler',
        errorType: 'Runtime.UserCodeSyntaxError',
        message: /^SyntaxError: Unexpected token/,
      },
      {
        name: 'handler without a dot',
        fixture: 'node-cjs',
        handler: 'index',
        errorType: 'Runtime.MalformedHandlerName',
        message: /^Bad handler$/,
      },
      {
        name: 'handler with ..',
        fixture: 'node-cjs',
        handler: '../index.echo',
        errorType: 'Runtime.MalformedHandlerName',
        message: /^'\.\.\/index\.echo' is not a valid handler name\. Use absolute paths/,
      },
      {
        name: 'module top level throws',
        fixture: 'node-init-throws',
        handler: 'index.handler',
        errorType: 'RangeError',
        message: /^bad configuration$/,
      },
    ];
    for (const { name, fixture, handler, errorType, message } of cases) {
      it(`${name} → ${errorType}, exit 129`, async (t) => {
        const { server, runtime } = await startNode(t, fixture, handler);
        const reply = await server.initError();
        const document = errorDocument(reply);
        assert.equal(document.errorType, errorType);
        assert.match(document.errorMessage, message);
        assert.ok(Array.isArray(document.trace) && document.trace.length > 0);
        assert.equal(reply.headers['lambda-runtime-function-error-type'], errorType);
        const status = await runtime.exited;
        assert.equal(status.code, 129);
        assert.ok(
          !server.requests.some((r) => r.path.endsWith('/invocation/next')),
          'never asked for an invocation',
        );
        const line = new RegExp(
          `^${ISO_TIME}\\tundefined\\tERROR\\tUncaught Exception \\t\\{"errorType":"${errorType.replace('.', '\\.')}"`,
          'm',
        );
        assert.match(runtime.stdout(), line);
      });
    }
  },
);

describe('nodejs runtime: invocation model', { timeout: 20_000 }, () => {
  it('serves many invocations on one keep-alive connection', async (t) => {
    const { server } = await startNode(t, 'node-cjs', 'index.echo');
    for (let i = 0; i < 20; i++) {
      const reply = await server.invoke({ i });
      assert.deepEqual((json(reply) as { event: unknown }).event, { i });
    }
    // The /next after the last answer follows its 202.
    for (let waited = 0; server.requests.length < 20 * 2 + 1 && waited < 2000; waited += 5) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(server.connections.tcp, 1);
    // This Runtime API answers every POST with a 202 (it has no Fogbank-Runtime-Next), so: one
    // GET /next and one POST per invocation, plus the /next after the last answer.
    assert.equal(server.requests.length, 20 * 2 + 1);
  });

  it('fills every context field and counts down getRemainingTimeInMillis', async (t) => {
    const { server } = await startNode(t, 'node-cjs', 'index.context');
    const deadlineMs = Date.now() + 5000;
    const reply = await server.invoke(
      {},
      {
        requestId: 'req-1',
        deadlineMs,
        invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test-function:prod',
        traceId: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
        tenantId: 'tenant-7',
        cognitoIdentity: '{"cognitoIdentityId":"id-1","cognitoIdentityPoolId":"pool-1"}',
        clientContext: JSON.stringify({
          client: { installation_id: 'inst-1', app_title: 'app' },
          custom: { k: 'v' },
          env: { platform: 'linux' },
        }),
      },
    );
    const context = json(reply) as Record<string, unknown>;
    const remaining = context.remaining as number;
    assert.ok(remaining > 3000 && remaining <= 5000, `remaining ${remaining}`);
    delete context.remaining;
    assert.deepEqual(context, {
      functionName: 'test-function',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test-function:prod',
      memoryLimitInMB: '128',
      awsRequestId: 'req-1',
      logGroupName: '/aws/lambda/test-function',
      logStreamName: '2025/05/01/[$LATEST]0123456789abcdef0123456789abcdef',
      identity: { cognitoIdentityId: 'id-1', cognitoIdentityPoolId: 'pool-1' },
      clientContext: {
        client: { installation_id: 'inst-1', app_title: 'app' },
        custom: { k: 'v' },
        env: { platform: 'linux' },
      },
      tenantId: 'tenant-7',
      callbackWaitsForEmptyEventLoop: true,
      keys: [
        'callbackWaitsForEmptyEventLoop',
        'succeed',
        'fail',
        'done',
        'functionVersion',
        'functionName',
        'memoryLimitInMB',
        'logGroupName',
        'logStreamName',
        'clientContext',
        'identity',
        'invokedFunctionArn',
        'awsRequestId',
        'tenantId',
        'getRemainingTimeInMillis',
      ],
      traceId: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    });

    // The next invocation has no trace header: the variable is removed, and optional
    // context fields are undefined (absent from JSON).
    const second = json(await server.invoke({})) as Record<string, unknown>;
    assert.equal(second.traceId, null);
    assert.equal(second.clientContext, undefined);
    assert.equal(second.identity, undefined);
  });

  it('reports an unparsable client context as the invocation error', async (t) => {
    const { server } = await startNode(t, 'node-cjs', 'index.context');
    const reply = await server.invoke({}, { clientContext: '{not json' });
    assert.equal(reply.kind, 'error');
    assert.match(errorDocument(reply).errorMessage, /^Cannot parse ClientContext as json: /);
  });

  it('callbackWaitsForEmptyEventLoop = true: responds only once the event loop is empty', async (t) => {
    const { server } = await startNode(t, 'node-cjs', 'index.callback');
    const reply = await server.invoke({ wait: true, timerMs: 100 });
    assert.deepEqual(json(reply), { calledBack: true });
    // The response was held until the 100 ms timer had run.
    assert.deepEqual(json(await server.invoke({ status: true })), { timerFired: true });
  });

  it('callbackWaitsForEmptyEventLoop = false: responds at once, pending work stays pending', async (t) => {
    const { server } = await startNode(t, 'node-cjs', 'index.callback');
    // A timer far beyond the test's patience: waiting for the loop would hang the test.
    assert.deepEqual(json(await server.invoke({ wait: false, timerMs: 600_000 })), {
      calledBack: true,
    });
    assert.deepEqual(json(await server.invoke({ status: true })), { timerFired: false });
  });

  it('context.succeed / fail / done and callback(err) complete the invocation', async (t) => {
    const { server } = await startNode(t, 'node-cjs', 'index.succeed');
    assert.deepEqual(json(await server.invoke({})), { via: 'succeed' });

    const fail = await startNode(t, 'node-cjs', 'index.fail');
    const failed = await fail.server.invoke({});
    assert.equal(failed.kind, 'error');
    assert.equal(errorDocument(failed).errorMessage, 'failed via fail');

    const failNoArg = await startNode(t, 'node-cjs', 'index.failNoArg');
    assert.deepEqual(json(await failNoArg.server.invoke({})), {
      errorType: 'string',
      errorMessage: 'handled',
      trace: [],
    });

    const done = await startNode(t, 'node-cjs', 'index.done');
    assert.deepEqual(json(await done.server.invoke({})), { via: 'done' });

    const callbackError = await startNode(t, 'node-cjs', 'index.callbackError');
    assert.equal(
      errorDocument(await callbackError.server.invoke({})).errorMessage,
      'callback error',
    );
  });

  it('the first completion wins (callback before the returned promise)', async (t) => {
    const { server } = await startNode(t, 'node-cjs', 'index.callbackThenPromise');
    assert.equal(json(await server.invoke({})), 'from callback');
    assert.equal(json(await server.invoke({})), 'from callback');
  });

  it('a non-async handler that never calls back returns null when the loop empties', async (t) => {
    const { server } = await startNode(t, 'node-cjs', 'index.returnsNothing');
    const reply = await server.invoke({});
    assert.equal(reply.kind, 'response');
    assert.equal(reply.body.toString(), 'null');
  });

  it('an async handler whose promise never settles fails with Runtime.NodeJsExit', async (t) => {
    const { server } = await startNode(t, 'node-cjs', 'index.neverSettles');
    const reply = await server.invoke({});
    assert.equal(reply.kind, 'error');
    const document = errorDocument(reply);
    assert.equal(document.errorType, 'Runtime.NodeJsExit');
    assert.match(document.errorMessage, /Promise that was never settled/);
  });

  it('a response that cannot be serialized becomes an error', async (t) => {
    const { server } = await startNode(t, 'node-cjs', 'index.circular');
    const document = errorDocument(await server.invoke({}));
    assert.equal(document.errorMessage, 'Unable to stringify response body');
  });

  for (const closeConnection of ['announced', 'silently'] as const) {
    it(`reconnects when the server closes the connection (${closeConnection})`, async (t) => {
      const { server } = await startNode(t, 'node-cjs', 'index.echo');
      const reply = await server.invoke({ i: 1 }, { closeConnection });
      assert.deepEqual((json(reply) as { event: unknown }).event, { i: 1 });
      assert.deepEqual((json(await server.invoke({ i: 2 })) as { event: unknown }).event, { i: 2 });
      assert.equal(server.connections.tcp, 2);
    });
  }
});

describe('nodejs runtime: function errors', { timeout: 20_000 }, () => {
  it('posts the error document of a thrown Error and logs it as Invoke Error', async (t) => {
    const { server, runtime } = await startNode(t, 'node-cjs', 'index.throws');
    const reply = await server.invoke({}, { requestId: 'req-err' });
    assert.equal(reply.kind, 'error');
    assert.equal(reply.requestId, 'req-err');
    const document = errorDocument(reply);
    assert.deepEqual(Object.keys(document), ['errorType', 'errorMessage', 'trace']);
    assert.equal(document.errorType, 'Error');
    assert.equal(document.errorMessage, 'boom');
    assert.equal(document.trace[0], 'Error: boom');
    assert.match(document.trace[1] ?? '', /^ {4}at /);
    await runtime.stop();
    assert.match(
      runtime.stdout(),
      new RegExp(
        `^${ISO_TIME}\\treq-err\\tERROR\\tInvoke Error \\t\\{"errorType":"Error","errorMessage":"boom","extra":"detail","stack":\\["Error: boom","    at `,
        'm',
      ),
    );
  });

  it('reports a synchronous throw with its own type', async (t) => {
    const { server } = await startNode(t, 'node-cjs', 'index.throwsSync');
    const document = errorDocument(await server.invoke({}));
    assert.equal(document.errorType, 'TypeError');
    assert.equal(document.errorMessage, 'sync boom');
  });

  it('reports a thrown non-Error by its typeof', async (t) => {
    const { server } = await startNode(t, 'node-cjs', 'index.rejectsString');
    assert.deepEqual(json(await server.invoke({})), {
      errorType: 'string',
      errorMessage: 'plain string',
      trace: [],
    });
  });

  it('an uncaught exception posts /error and exits with 129', async (t) => {
    const { server, runtime } = await startNode(t, 'node-cjs', 'index.uncaught');
    const reply = await server.invoke({});
    assert.equal(reply.kind, 'error');
    assert.equal(errorDocument(reply).errorMessage, 'uncaught boom');
    assert.equal((await runtime.exited).code, 129);
    assert.match(runtime.stdout(), /\tERROR\tUncaught Exception \t\{"errorType":"Error"/);
  });

  it('an unhandled rejection posts Runtime.UnhandledPromiseRejection and exits with 128', async (t) => {
    const { server, runtime } = await startNode(t, 'node-cjs', 'index.unhandledRejection');
    const document = errorDocument(await server.invoke({}));
    assert.equal(document.errorType, 'Runtime.UnhandledPromiseRejection');
    assert.equal(document.errorMessage, 'Error: rejected boom');
    assert.equal((await runtime.exited).code, 128);
  });
});

describe('nodejs runtime: console output', { timeout: 20_000 }, () => {
  it('writes Text-format lines: time, request id, level, message', async (t) => {
    const { server, runtime } = await startNode(t, 'node-cjs', 'index.logs');
    await server.invoke({}, { requestId: 'req-log' });
    await runtime.stop();
    const lines = runtime.stdout().split('\n');
    const expected = [
      ['INFO', 'log formatted { a: 1 }'],
      ['INFO', 'info'],
      ['WARN', 'warn'],
      ['ERROR', 'error'],
      ['DEBUG', 'debug'],
      ['TRACE', 'trace'],
      ['INFO', 'multi\rline'],
    ] as const;
    for (const [level, message] of expected) {
      const line = `\treq-log\t${level}\t${message}`;
      assert.ok(
        lines.some((l) => new RegExp(`^${ISO_TIME}$`).test(l.slice(0, 24)) && l.slice(24) === line),
        `missing ${JSON.stringify(line)} in:\n${runtime.stdout()}`,
      );
    }
    // A logged Error is util.format'ted (its stack), still on one line.
    assert.ok(lines.some((l) => l.includes('\treq-log\tINFO\tError: logged error\r    at ')));
  });

  it('warns at init about callback-style handlers, before any request id exists', async (t) => {
    const { server, runtime } = await startNode(t, 'node-cjs', 'index.callback');
    await server.nextPolled();
    await runtime.stop();
    assert.match(
      runtime.stdout(),
      new RegExp(
        `^${ISO_TIME}\\tundefined\\tWARN\\tAWS Lambda plans to remove support for callback-based`,
        'm',
      ),
    );
  });

  it('writes JSON records with AWS_LAMBDA_LOG_FORMAT=JSON and filters by AWS_LAMBDA_LOG_LEVEL', async (t) => {
    const { server, runtime } = await startNode(t, 'node-cjs', 'index.logs', {
      env: { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'WARN' },
    });
    await server.invoke({}, { requestId: 'req-json' });
    const failing = await startNode(t, 'node-cjs', 'index.throws', {
      env: { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'WARN' },
    });
    await failing.server.invoke({}, { requestId: 'req-json-err' });
    await runtime.stop();
    await failing.runtime.stop();

    const records = runtime
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(
      records.map((r) => [r.level, r.message]),
      [
        ['WARN', 'warn'],
        ['ERROR', 'error'],
      ],
    );
    for (const record of records) {
      assert.equal(record.requestId, 'req-json');
      assert.match(String(record.timestamp), new RegExp(`^${ISO_TIME}$`));
    }
    const errorRecord = JSON.parse(failing.runtime.stdout().trim()) as Record<string, unknown>;
    assert.equal(errorRecord.level, 'ERROR');
    assert.equal(errorRecord.requestId, 'req-json-err');
    const message = errorRecord.message as Record<string, unknown>;
    assert.equal(message.errorType, 'Error');
    assert.equal(message.errorMessage, 'boom');
    assert.equal(message.extra, 'detail');
    assert.ok(Array.isArray(message.stackTrace));
  });
});

describe('nodejs runtime: response streaming (§2.4)', { timeout: 20_000 }, () => {
  it('streams the chunks of an awslambda.streamifyResponse handler as they are written', async (t) => {
    const { server, runtime } = await startNode(t, 'node-streaming', 'index.chunks');
    const reply = await server.invoke({}, { requestId: 'req-stream' });
    assert.equal(reply.kind, 'response', runtime.stderr());
    assert.equal(reply.headers['lambda-runtime-function-response-mode'], 'streaming');
    assert.equal(reply.headers['transfer-encoding'], 'chunked');
    assert.equal(reply.headers['content-type'], 'text/plain');
    assert.equal(reply.body.toString(), 'first req-stream\nsecond\n');
    assert.equal(reply.chunks[0]?.toString(), 'first req-stream\n', 'the first chunk came alone');
    assert.deepEqual(reply.trailers, {});
    // The environment goes on serving.
    assert.equal((await server.invoke({})).kind, 'response');
    await runtime.stop();
    assert.doesNotMatch(runtime.stdout(), /callback-based/, 'no callback warning for streaming');
  });

  it('writes the HttpResponseStream prelude, eight NUL bytes, then the body', async (t) => {
    const { server } = await startNode(t, 'node-streaming', 'index.http');
    const reply = await server.invoke({});
    assert.equal(
      reply.headers['content-type'],
      'application/vnd.awslambda.http-integration-response',
    );
    const prelude = '{"statusCode":201,"headers":{"x-test":"yes"}}';
    assert.deepEqual(
      reply.body,
      Buffer.concat([Buffer.from(prelude), Buffer.alloc(8), Buffer.from('created')]),
    );
  });

  it('reports a mid-stream failure in the error trailers', async (t) => {
    const { server } = await startNode(t, 'node-streaming', 'index.failsMidStream');
    const reply = await server.invoke({});
    assert.equal(reply.body.toString(), 'partial');
    assert.equal(reply.trailers['lambda-runtime-function-error-type'], 'Error');
    const document = JSON.parse(
      Buffer.from(reply.trailers['lambda-runtime-function-error-body'] ?? '', 'base64').toString(),
    ) as ErrorDocument;
    assert.equal(document.errorType, 'Error');
    assert.equal(document.errorMessage, 'stream broke');
  });

  it('fails a handler that returns without ending the stream', async (t) => {
    const { server } = await startNode(t, 'node-streaming', 'index.neverEnds');
    const reply = await server.invoke({});
    assert.equal(reply.body.toString(), 'open');
    const document = JSON.parse(
      Buffer.from(reply.trailers['lambda-runtime-function-error-body'] ?? '', 'base64').toString(),
    ) as ErrorDocument;
    assert.equal(document.errorMessage, 'Response stream is not finished.');
  });
});
