/**
 * The Python runtime (src/runtimes/python/bootstrap.py) as a real python3 process against a
 * real Runtime API server: handlers in packages and subdirectories, the context object,
 * logging like Lambda's Python runtime, error documents and init errors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import type { RuntimeReply } from '../helpers/runtime-api-server.js';
import { startTestEnvironment } from '../helpers/runtime-process.js';

const ISO_TIME = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';
const NBSP = '\u00a0';

function startPython(
  t: TestContext,
  handler: string,
  env: Record<string, string> = {},
  fixture = 'python-app',
) {
  return startTestEnvironment(t, { runtime: 'python', fixture, handler, env });
}

function json(reply: RuntimeReply): Record<string, unknown> {
  return JSON.parse(reply.body.toString('utf8')) as Record<string, unknown>;
}

describe('python runtime: handlers', { timeout: 20_000 }, () => {
  const cases = [
    { handler: 'app.echo', check: { event: { n: 1 }, runtime: 'python' } },
    { handler: 'pkg.mod.fn', check: { module: 'pkg.mod', event: { n: 1 } } },
    { handler: 'pkg/sub/mod.fn', check: { module: 'pkg.sub.mod', event: { n: 1 } } },
  ];
  for (const { handler, check } of cases) {
    it(`runs ${handler}`, async (t) => {
      const { server, runtime } = await startPython(t, handler);
      const reply = await server.invoke({ n: 1 });
      assert.equal(reply.kind, 'response', runtime.stdout() + runtime.stderr());
      assert.deepEqual(json(reply), check);
      assert.equal(reply.headers['content-type'], 'application/json');
    });
  }

  it('serves many invocations on one keep-alive connection', async (t) => {
    const { server } = await startPython(t, 'app.echo');
    for (let i = 0; i < 10; i++) {
      assert.deepEqual(json(await server.invoke({ i })).event, { i });
    }
    assert.equal(server.connections.tcp, 1);
  });

  it('posts bytes returned by the handler as they are', async (t) => {
    const { server } = await startPython(t, 'app.bytes_response');
    const reply = await server.invoke({});
    assert.equal(reply.body.toString(), 'raw bytes');
    assert.equal(reply.headers['content-type'], 'application/unknown');
  });

  it('fills the context object and counts down get_remaining_time_in_millis()', async (t) => {
    const { server } = await startPython(t, 'app.context_fields');
    const reply = await server.invoke(
      {},
      {
        requestId: 'req-py',
        deadlineMs: Date.now() + 5000,
        invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test-function:7',
        traceId: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
        cognitoIdentity: '{"cognitoIdentityId":"id-1","cognitoIdentityPoolId":"pool-1"}',
        clientContext: JSON.stringify({
          client: { installation_id: 'inst-1' },
          custom: { k: 'v' },
          env: { platform: 'linux' },
        }),
      },
    );
    const context = json(reply);
    const remaining = context.remaining as number;
    assert.ok(remaining > 3000 && remaining <= 5000, `remaining ${remaining}`);
    delete context.remaining;
    assert.deepEqual(context, {
      function_name: 'test-function',
      function_version: '$LATEST',
      invoked_function_arn: 'arn:aws:lambda:us-east-1:123456789012:function:test-function:7',
      memory_limit_in_mb: '128',
      aws_request_id: 'req-py',
      log_group_name: '/aws/lambda/test-function',
      log_stream_name: '2025/05/01/[$LATEST]0123456789abcdef0123456789abcdef',
      identity_id: 'id-1',
      identity_pool_id: 'pool-1',
      client_installation_id: 'inst-1',
      client_custom: { k: 'v' },
      client_env: { platform: 'linux' },
      trace_id: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    });
    // Without the optional headers: no client context, an empty identity, no trace variable.
    const bare = json(await server.invoke({}));
    assert.equal(bare.client_installation_id, null);
    assert.equal(bare.identity_id, null);
    assert.equal(bare.trace_id, null);
  });
});

describe('python runtime: logging and errors', { timeout: 20_000 }, () => {
  it('logs through the root logger as [LEVEL]\\ttime\\trequestId\\tmessage; print goes to stdout', async (t) => {
    const { server, runtime } = await startPython(t, 'app.logs');
    await server.invoke({}, { requestId: 'req-log' });
    await runtime.stop();
    const out = runtime.stdout();
    assert.match(out, /^printed line$/m);
    assert.match(
      out,
      new RegExp(`^\\[WARNING\\]\\t${ISO_TIME}\\treq-log\\twarned formatted$`, 'm'),
    );
    assert.match(out, new RegExp(`^\\[ERROR\\]\\t${ISO_TIME}\\treq-log\\terrored$`, 'm'));
    assert.doesNotMatch(out, /info is below the default level/, 'root logger level is WARNING');
  });

  it('AWS_LAMBDA_LOG_LEVEL sets the root logger level', async (t) => {
    const { server, runtime } = await startPython(t, 'app.logs', { AWS_LAMBDA_LOG_LEVEL: 'INFO' });
    await server.invoke({}, { requestId: 'req-info' });
    await runtime.stop();
    assert.match(
      runtime.stdout(),
      new RegExp(`^\\[INFO\\]\\t${ISO_TIME}\\treq-info\\tinfo is below the default level$`, 'm'),
    );
  });

  it('writes JSON records with AWS_LAMBDA_LOG_FORMAT=JSON', async (t) => {
    const { server, runtime } = await startPython(t, 'app.logs', {
      AWS_LAMBDA_LOG_FORMAT: 'JSON',
      AWS_LAMBDA_LOG_LEVEL: 'ERROR',
    });
    await server.invoke({}, { requestId: 'req-json' });
    await runtime.stop();
    const records = runtime
      .stdout()
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(records.length, 1, runtime.stdout());
    const record = records[0] ?? {};
    assert.equal(record.level, 'ERROR');
    assert.equal(record.message, 'errored');
    assert.equal(record.logger, 'root');
    assert.equal(record.requestId, 'req-json');
    assert.match(String(record.timestamp), new RegExp(`^${ISO_TIME}$`));
  });

  it('posts {errorMessage, errorType, requestId, stackTrace} and logs the error', async (t) => {
    const { server, runtime } = await startPython(t, 'app.raises');
    const reply = await server.invoke({}, { requestId: 'req-err' });
    assert.equal(reply.kind, 'error');
    const document = json(reply);
    assert.deepEqual(Object.keys(document), [
      'errorMessage',
      'errorType',
      'requestId',
      'stackTrace',
    ]);
    assert.equal(document.errorMessage, 'bad value');
    assert.equal(document.errorType, 'ValueError');
    assert.equal(document.requestId, 'req-err');
    const stackTrace = document.stackTrace as string[];
    assert.equal(stackTrace.length, 1, 'only user frames, none of the runtime');
    assert.match(
      stackTrace[0] ?? '',
      /^ {2}File ".*\/app\.py", line \d+, in raises\n {4}raise ValueError/,
    );
    await runtime.stop();
    assert.ok(
      runtime
        .stdout()
        .includes(
          `[ERROR] ValueError: bad value\rTraceback (most recent call last):\r${NBSP}${NBSP}File "`,
        ),
      runtime.stdout(),
    );
  });

  it('reports a response that is not JSON serializable as Runtime.MarshalError', async (t) => {
    const { server } = await startPython(t, 'app.not_json');
    const document = json(await server.invoke({}));
    assert.equal(document.errorType, 'Runtime.MarshalError');
    assert.match(String(document.errorMessage), /^Unable to marshal response: /);
  });
});

describe('python runtime: init errors', { timeout: 20_000 }, () => {
  const cases = [
    {
      handler: 'nomodule.fn',
      errorType: 'Runtime.ImportModuleError',
      message: "Unable to import module 'nomodule': No module named 'nomodule'",
    },
    {
      handler: 'app.missing',
      errorType: 'Runtime.HandlerNotFound',
      message: "Handler 'missing' missing on module 'app'",
    },
    {
      handler: 'app',
      errorType: 'Runtime.MalformedHandlerName',
      message: "Bad handler 'app': not enough values to unpack (expected 2, got 1)",
    },
  ];
  for (const { handler, errorType, message } of cases) {
    it(`${handler} → ${errorType}`, async (t) => {
      const { server, runtime } = await startPython(t, handler);
      const reply = await server.initError();
      assert.deepEqual(json(reply), {
        errorMessage: message,
        errorType,
        requestId: '',
        stackTrace: [],
      });
      assert.equal(reply.headers['lambda-runtime-function-error-type'], errorType);
      assert.equal((await runtime.exited).code, 1);
      assert.match(
        runtime.stdout(),
        new RegExp(`^\\[WARNING\\]\\t${ISO_TIME}\\t\\tLAMBDA_WARNING: Unhandled exception`, 'm'),
      );
      assert.ok(
        runtime
          .stdout()
          .includes(`[ERROR] ${errorType}: ${message}\rTraceback (most recent call last):\n`),
      );
    });
  }

  it('a syntax error → Runtime.UserCodeSyntaxError with the offending line', async (t) => {
    const { server, runtime } = await startPython(t, 'broken.handler', {}, 'python-syntax');
    const document = json(await server.initError());
    assert.equal(document.errorType, 'Runtime.UserCodeSyntaxError');
    assert.match(String(document.errorMessage), /^Syntax error in module 'broken': /);
    assert.match(
      (document.stackTrace as string[])[0] ?? '',
      /broken\.py" Line 4\n {4}def handler\(event, context\)/,
    );
    assert.equal((await runtime.exited).code, 1);
  });
});
