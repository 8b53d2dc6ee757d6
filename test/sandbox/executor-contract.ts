/**
 * The executor contract (STYLE.md practice 8): every isolation must pass the same suite,
 * driving real runtimes through a real pool. Skips must say why.
 */
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { describe, test, type TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { ManualClock } from '../../src/core/clock.js';
import { detectCgroupHierarchy, serverGroupDirs } from '../../src/sandbox/cgroup.js';
import {
  body,
  environmentDirs,
  type IsolationName,
  processesWithMarker,
  startPool,
  waitFor,
} from './helpers.js';

const hierarchy = await detectCgroupHierarchy();

/** Why a test cannot run for an isolation on this machine, by test name. */
export type Skips = Readonly<Record<string, string>>;

export function runExecutorContract(isolation: IsolationName, skips: Skips = {}): void {
  const it = (name: string, fn: (t: TestContext) => Promise<void>): void => {
    const reason = skips[name];
    test(name, reason !== undefined ? { skip: reason } : {}, fn);
  };

  describe(`executor contract: ${isolation}`, () => {
    it('reuses a warm environment: globals survive, init runs once', async (t) => {
      const p = await startPool(t, isolation);
      const spec = p.spec({ variables: { FIXTURE_INIT: 'log', FOGBANK_TEST_MARKER: p.marker } });
      const first = await p.invoke(spec, { action: 'echo' });
      const second = await p.invoke(spec, { action: 'echo' });
      assert.equal(first.status, 'success');
      assert.equal(second.status, 'success');
      assert.equal(second.environmentId, first.environmentId);
      assert.equal(body(first).invocations, 1);
      assert.equal(body(second).invocations, 2);
      assert.equal(first.initLogs, 'init line one\ninit line two\n');
      assert.equal(second.initLogs, '');
      assert.ok(first.initDurationMs !== undefined && first.initDurationMs > 0);
      assert.equal(second.initDurationMs, undefined);
      assert.match(first.logStreamName, /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
      assert.ok(first.maxMemoryUsedMb > 0, 'memory is measured');
    });

    it('runs ten concurrent invocations on ten environments at once', async (t) => {
      const p = await startPool(t, isolation);
      const spec = p.spec();
      const burst = async (): Promise<{ ms: number; ids: Set<string>; serialMs: number }> => {
        const started = performance.now();
        const results = await Promise.all(
          Array.from({ length: 10 }, () => p.invoke(spec, { action: 'sleep', ms: 200 })),
        );
        assert.deepEqual(
          results.map((r) => r.status),
          Array(10).fill('success'),
        );
        return {
          ms: performance.now() - started,
          ids: new Set(results.map((r) => r.environmentId)),
          serialMs: results.reduce((sum, r) => sum + r.durationMs + (r.initDurationMs ?? 0), 0),
        };
      };
      const cold = await burst();
      assert.equal(cold.ids.size, 10, 'one environment per concurrent invocation');
      // Cold starts take what the machine's CPUs allow; they must still overlap.
      assert.ok(
        cold.ms < cold.serialMs / 2,
        `cold burst took ${cold.ms} ms; one after the other it would take ${cold.serialMs} ms`,
      );
      const warm = await burst();
      assert.deepEqual(warm.ids, cold.ids, 'the second burst reuses the same ten environments');
      assert.ok(warm.ms < 600, `warm burst took ${warm.ms} ms (10 × 200 ms = 2000 ms serial)`);
      assert.deepEqual(p.pool.stats(spec.key), { total: 10, busy: 0, idle: 10 });
    });

    it('times out, kills the environment and starts a fresh one', async (t) => {
      const p = await startPool(t, isolation);
      const spec = p.spec({ timeoutSeconds: 1 });
      const warm = await p.invoke(spec, { action: 'echo' });
      const started = performance.now();
      const timedOut = await p.invoke(
        spec,
        { action: 'sleep', ms: 5000 },
        { requestId: 'req-timeout' },
      );
      const elapsed = performance.now() - started;
      assert.equal(timedOut.status, 'timeout');
      assert.equal(timedOut.errorType, 'Sandbox.Timedout');
      assert.deepEqual(body(timedOut), {
        errorType: 'Sandbox.Timedout',
        errorMessage: 'RequestId: req-timeout Error: Task timed out after 1.00 seconds',
      });
      assert.ok(elapsed >= 1000 && elapsed < 3000, `timed out after ${elapsed} ms`);
      const next = await p.invoke(spec, { action: 'echo' });
      assert.equal(next.status, 'success');
      assert.notEqual(next.environmentId, warm.environmentId);
      assert.notEqual(next.initDurationMs, undefined, 'a cold start again');
    });

    it('reports a crash as Runtime.ExitError with the exit status or signal', async (t) => {
      const p = await startPool(t, isolation);
      const spec = p.spec();
      const exited = await p.invoke(spec, { action: 'exit', code: 3 }, { requestId: 'req-exit' });
      assert.equal(exited.status, 'failure');
      assert.deepEqual(body(exited), {
        errorType: 'Runtime.ExitError',
        errorMessage: 'RequestId: req-exit Error: Runtime exited with error: exit status 3',
      });
      const signalled = await p.invoke(
        spec,
        { action: 'signal', signal: 'SIGTERM' },
        { requestId: 'req-sig' },
      );
      assert.equal(signalled.errorType, 'Runtime.ExitError');
      assert.equal(
        body(signalled).errorMessage,
        'RequestId: req-sig Error: Runtime exited with error: signal: terminated',
      );
      assert.notEqual(signalled.environmentId, exited.environmentId);
      const partial = await p.invoke(spec, { action: 'log-partial' });
      assert.equal(partial.errorType, 'Runtime.ExitError');
      assert.equal(
        partial.functionLogs,
        'no newline at exit\n',
        'a partial last line is completed',
      );
    });

    it('returns an init error document and retries init on the next invocation', async (t) => {
      const p = await startPool(t, isolation);
      const spec = p.spec({
        variables: { FIXTURE_INIT: 'log,error', FOGBANK_TEST_MARKER: p.marker },
      });
      const first = await p.invoke(spec, { action: 'echo' });
      assert.equal(first.status, 'failure');
      assert.equal(first.errorType, 'Runtime.HandlerNotFound');
      assert.deepEqual(body(first), {
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: 'index.handler is undefined or not exported',
      });
      assert.equal(first.initLogs, 'init line one\ninit line two\n');
      assert.notEqual(first.initDurationMs, undefined);
      const second = await p.invoke(spec, { action: 'echo' });
      assert.equal(second.errorType, 'Runtime.HandlerNotFound');
      assert.notEqual(second.environmentId, first.environmentId);
      const exiting = await p.invoke(
        p.spec({ variables: { FIXTURE_INIT: 'exit' } }),
        { action: 'echo' },
        { requestId: 'req-init' },
      );
      assert.deepEqual(body(exiting), {
        errorType: 'Runtime.ExitError',
        errorMessage: 'RequestId: req-init Error: Runtime exited with error: exit status 2',
      });
    });

    it('reports an out-of-memory kill as Runtime.OutOfMemory while others keep serving', async (t) => {
      const p = await startPool(t, isolation);
      const bystander = p.spec();
      const before = await p.invoke(bystander, { action: 'echo' });
      const hungry = p.spec({ memorySizeMb: 128 });
      const oom = await p.invoke(hungry, { action: 'oom' }, { requestId: 'req-oom' });
      assert.equal(oom.status, 'failure');
      assert.equal(oom.errorType, 'Runtime.OutOfMemory');
      assert.deepEqual(body(oom), {
        errorType: 'Runtime.OutOfMemory',
        errorMessage: 'RequestId: req-oom Error: Runtime exited with error: signal: killed',
      });
      assert.ok(
        oom.maxMemoryUsedMb >= 100 && oom.maxMemoryUsedMb <= 129,
        `max memory used ${oom.maxMemoryUsedMb} MB`,
      );
      const after = await p.invoke(bystander, { action: 'echo' });
      assert.equal(after.status, 'success');
      assert.equal(after.environmentId, before.environmentId);
      assert.equal(
        (await p.invoke(hungry, { action: 'echo' })).status,
        'success',
        'a fresh environment',
      );
    });

    it('freezes an idle environment: nothing runs between invocations', async (t) => {
      const p = await startPool(t, isolation);
      const spec = p.spec({ variables: { FIXTURE_INIT: 'ticker', FOGBANK_TEST_MARKER: p.marker } });
      const first = await p.invoke(spec, { action: 'ticks' });
      // A 10 ms interval would tick ~30 times in 300 ms if the environment kept running.
      await delay(300);
      const second = await p.invoke(spec, { action: 'ticks' });
      assert.equal(second.environmentId, first.environmentId);
      const advanced = body<{ ticks: number }>(second).ticks - body<{ ticks: number }>(first).ticks;
      assert.ok(advanced <= 5, `the ticker advanced ${advanced} times while idle`);
      const busy = await p.invoke(spec, { action: 'sleep', ms: 200 });
      assert.equal(busy.status, 'success');
      const third = await p.invoke(spec, { action: 'ticks' });
      assert.ok(
        body<{ ticks: number }>(third).ticks - body<{ ticks: number }>(second).ticks >= 10,
        'it runs while invoked',
      );
    });

    it('reaps an idle environment after idleTimeoutMs (on the Clock)', async (t) => {
      const clock = new ManualClock();
      const p = await startPool(t, isolation, { clock, idleTimeoutMs: 60_000 });
      const spec = p.spec();
      const first = await p.invoke(spec, { action: 'echo' });
      await clock.advance(59_000);
      const second = await p.invoke(spec, { action: 'echo' });
      assert.equal(second.environmentId, first.environmentId, 'still warm after 59 s');
      await clock.advance(59_999);
      assert.deepEqual(
        p.pool.stats(spec.key),
        { total: 1, busy: 0, idle: 1 },
        'the timer restarted on reuse',
      );
      assert.ok((await processesWithMarker(p.marker)).length > 0);
      await clock.advance(1);
      await waitFor(() => p.pool.stats().total === 0);
      assert.deepEqual(await processesWithMarker(p.marker), []);
      assert.deepEqual(await environmentDirs(p.runDir), []);
    });

    it('drains: idle environments stop now, busy ones when they finish', async (t) => {
      const p = await startPool(t, isolation);
      const spec = p.spec();
      const busy = p.invoke(spec, { action: 'sleep', ms: 500 });
      await p.invoke(spec, { action: 'echo' });
      assert.deepEqual(p.pool.stats(spec.key), { total: 2, busy: 1, idle: 1 });
      p.pool.drain(spec.key);
      await waitFor(() => p.pool.stats(spec.key).total === 1);
      assert.equal((await busy).status, 'success', 'the busy invocation finishes normally');
      await waitFor(() => p.pool.stats(spec.key).total === 0);
      assert.deepEqual(await processesWithMarker(p.marker), []);
    });

    it('stops: in-flight invocations finish within the grace, then nothing is left', async (t) => {
      const p = await startPool(t, isolation);
      const spec = p.spec();
      await p.invoke(spec, { action: 'echo' });
      const finishing = p.invoke(spec, { action: 'sleep', ms: 300 });
      const killed = p.invoke(
        p.spec(),
        { action: 'sleep', ms: 60_000 },
        { requestId: 'req-killed' },
      );
      await delay(150);
      assert.ok((await processesWithMarker(p.marker)).length >= 2);
      const started = performance.now();
      await p.pool.stop(1000);
      assert.ok(performance.now() - started < 3000);
      assert.equal((await finishing).status, 'success');
      const killedResult = await killed;
      assert.equal(killedResult.errorType, 'Runtime.ExitError');
      assert.equal(
        body(killedResult).errorMessage,
        'RequestId: req-killed Error: Runtime exited with error: signal: killed',
      );
      assert.deepEqual(await processesWithMarker(p.marker), []);
      assert.deepEqual(await environmentDirs(p.runDir), []);
      for (const dir of serverGroupDirs(hierarchy, p.runDir).values()) {
        await assert.rejects(access(dir), 'the server cgroup is removed');
      }
      await assert.rejects(p.invoke(spec, { action: 'echo' }), /stopping/);
    });

    it('answers /next with the Lambda headers, and only the non-empty ones', async (t) => {
      const p = await startPool(t, isolation);
      const spec = p.spec({ timeoutSeconds: 7 });
      const before = Date.now();
      const result = await p.invoke(
        spec,
        { action: 'echo' },
        { requestId: 'req-headers', clientContext: '{"custom":{"a":"b"}}' },
      );
      const headers = body<{ headers: Record<string, string> }>(result).headers;
      assert.equal(headers['lambda-runtime-aws-request-id'], 'req-headers');
      assert.equal(
        headers['lambda-runtime-invoked-function-arn'],
        'arn:aws:lambda:eu-west-1:123456789012:function:behave',
      );
      assert.equal(
        headers['lambda-runtime-trace-id'],
        'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0',
      );
      assert.equal(headers['lambda-runtime-client-context'], '{"custom":{"a":"b"}}');
      const deadline = Number(headers['lambda-runtime-deadline-ms']);
      assert.ok(deadline >= before + 7000 && deadline <= Date.now() + 7000);
      const plain = await p.invoke(spec, { action: 'echo' }, { traceId: '' });
      const plainHeaders = body<{ headers: Record<string, string> }>(plain).headers;
      assert.equal(plainHeaders['lambda-runtime-client-context'], undefined);
      assert.equal(plainHeaders['lambda-runtime-trace-id'], undefined);
    });

    it('gives the runtime exactly the Lambda variables, nothing from the server', async (t) => {
      process.env.NODE_EXTRA_CA_CERTS ??= '/etc/ssl/certs/ca-certificates.crt';
      const p = await startPool(t, isolation);
      const spec = p.spec({
        functionName: 'env-check',
        memorySizeMb: 192,
        logFormat: 'JSON',
        applicationLogLevel: 'debug',
        variables: { FOGBANK_TEST_MARKER: p.marker, MY_SETTING: 'on', LANG: 'C.UTF-8' },
        ...(isolation === 'process' ? { layerDirs: ['/layers/first', '/layers/second'] } : {}),
      });
      const result = await p.invoke(spec, { action: 'env' });
      const env = body<Record<string, string>>(result);
      const expected: Record<string, string> = {
        AWS_LAMBDA_FUNCTION_NAME: 'env-check',
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '192',
        AWS_REGION: 'eu-west-1',
        AWS_DEFAULT_REGION: 'eu-west-1',
        _HANDLER: 'index.handler',
        AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/env-check',
        AWS_LAMBDA_LOG_STREAM_NAME: result.logStreamName,
        AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
        AWS_ACCESS_KEY_ID: 'AKIDTEST',
        AWS_SECRET_ACCESS_KEY: 'secret-test',
        AWS_SESSION_TOKEN: 'token-test',
        AWS_LAMBDA_LOG_FORMAT: 'JSON',
        AWS_LAMBDA_LOG_LEVEL: 'DEBUG',
        TZ: ':UTC',
        LANG: 'C.UTF-8',
        MY_SETTING: 'on',
      };
      for (const [name, value] of Object.entries(expected)) {
        assert.equal(env[name], value, name);
      }
      assert.equal(env.AWS_EXECUTION_ENV, undefined, 'not set for provided runtimes');
      assert.equal(env.NODE_EXTRA_CA_CERTS, undefined);
      assert.equal(env.HOME, undefined);
      assert.ok(Object.keys(env).every((name) => !name.startsWith('_FOGBANK_')));
      if (isolation === 'namespace') {
        assert.ok(env.PATH?.endsWith(':/opt/bin'), env.PATH);
        assert.equal(env.AWS_LAMBDA_RUNTIME_API, '127.0.0.1:9001');
        assert.equal(env.LAMBDA_TASK_ROOT, '/var/task');
        assert.equal(env.LAMBDA_RUNTIME_DIR, '/var/runtime');
        assert.equal(env.AWS_ENDPOINT_URL, 'http://127.0.0.1:4566');
      } else {
        // No /opt without a mount namespace: the last layer is searched first, as it would
        // have overwritten the others.
        assert.ok(env.PATH?.endsWith(':/layers/second/bin:/layers/first/bin'), env.PATH);
        assert.match(env.AWS_LAMBDA_RUNTIME_API ?? '', /^127\.0\.0\.1:\d+$/);
        assert.equal(env.LAMBDA_TASK_ROOT, spec.codeDir);
        assert.equal(env.AWS_ENDPOINT_URL, 'http://127.0.0.1:4566');
      }
    });

    it('fails an oversized response with Function.ResponseSizeTooLarge and stays warm', async (t) => {
      const p = await startPool(t, isolation);
      const spec = p.spec();
      const big = await p.invoke(spec, { action: 'big', bytes: 6_300_000 });
      assert.equal(big.status, 'error');
      assert.equal(big.errorType, 'Function.ResponseSizeTooLarge');
      assert.deepEqual(body(big), {
        errorType: 'Function.ResponseSizeTooLarge',
        errorMessage:
          'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
      });
      const justUnder = await p.invoke(spec, { action: 'big', bytes: 6_000_000 });
      assert.equal(justUnder.status, 'success');
      assert.equal(justUnder.environmentId, big.environmentId);
    });

    it('separates function logs per invocation, complete lines only', async (t) => {
      const p = await startPool(t, isolation);
      const spec = p.spec();
      const logged = await p.invoke(spec, { action: 'log' });
      // stdout and stderr are separate pipes: lines keep their order within each, not across.
      assert.deepEqual(logged.functionLogs.split('\n').sort(), [
        '',
        'first line',
        'partial line',
        'to stderr',
      ]);
      assert.ok(logged.functionLogs.endsWith('\n'));
      const quiet = await p.invoke(spec, { action: 'echo' });
      assert.equal(quiet.functionLogs, '');
      const failed = await p.invoke(spec, { action: 'fail' });
      assert.equal(failed.status, 'error');
      assert.equal(failed.errorType, 'Error');
      assert.deepEqual(body(failed), { errorType: 'Error', errorMessage: 'boom' });
    });
  });
}
