/**
 * The real runtimes of src/runtimes started by the pool the way the platform starts them,
 * under each isolation.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { resolveRuntime } from '../../src/sandbox/index.js';
import { body, FIXTURES, type IsolationName, startPool } from './helpers.js';
import { NAMESPACE_UNAVAILABLE } from './skips.js';

const NODE_RUNTIME = `nodejs${process.versions.node.split('.')[0] ?? ''}.x`;
const python = resolveRuntime('python3.11');

for (const isolation of ['process', 'namespace'] as const satisfies readonly IsolationName[]) {
  const skip = isolation === 'namespace' ? (NAMESPACE_UNAVAILABLE ?? false) : false;
  describe(`real runtimes (${isolation})`, { skip }, () => {
    test(`${NODE_RUNTIME}: cold start, then warm`, async (t) => {
      const p = await startPool(t, isolation);
      const spec = p.spec({
        runtime: NODE_RUNTIME,
        handler: 'index.handler',
        codeDir: join(FIXTURES, 'node-hello'),
        memorySizeMb: 256,
      });
      const cold = await p.invoke(spec, { hello: 'node' }, { requestId: 'node-1' });
      assert.equal(cold.status, 'success', cold.payload.toString());
      const answer = body(cold);
      assert.deepEqual(answer.event, { hello: 'node' });
      assert.equal(answer.requestId, 'node-1');
      assert.equal(answer.memoryLimitInMB, '256');
      assert.equal(answer.executionEnv, `AWS_Lambda_${NODE_RUNTIME}`);
      assert.ok(typeof answer.remaining === 'number' && answer.remaining > 9000);
      assert.match(cold.initLogs, /module loaded/);
      assert.match(cold.functionLogs, /handling\s+node-1|node-1.*handling/);
      assert.ok(cold.initDurationMs !== undefined);
      const warm = await p.invoke(spec, { hello: 'again' });
      assert.equal(warm.environmentId, cold.environmentId);
      assert.equal(body(warm).invocations, 2);
      assert.equal(warm.initDurationMs, undefined);
    });

    test(
      'python3.11: cold start, then warm',
      { skip: python === undefined ? 'no python3 on this machine' : false },
      async (t) => {
        const p = await startPool(t, isolation);
        const spec = p.spec({
          runtime: 'python3.11',
          handler: 'lambda_function.handler',
          codeDir: join(FIXTURES, 'python-hello'),
        });
        const cold = await p.invoke(spec, { hello: 'python' }, { requestId: 'py-1' });
        assert.equal(cold.status, 'success', cold.payload.toString());
        assert.deepEqual(body(cold).event, { hello: 'python' });
        assert.equal(body(cold).executionEnv, 'AWS_Lambda_python3.11');
        assert.match(cold.initLogs, /module loaded/);
        assert.match(cold.functionLogs, /handling py-1/);
        const warm = await p.invoke(spec, {});
        assert.equal(warm.environmentId, cold.environmentId);
        assert.equal(body(warm).invocations, 2);
      },
    );
  });
}
