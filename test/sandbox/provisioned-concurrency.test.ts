import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { FogbankError } from '../../src/core/errors.js';
import { body, processesWithMarker, startPool, waitFor } from './helpers.js';

interface Echo {
  pid: number;
  invocations: number;
}

describe('EnvironmentPool.provision (process isolation)', () => {
  it('initializes environments ahead of traffic, uses them first, spills over beyond them', async (t) => {
    const p = await startPool(t, 'process');
    const spec = p.spec({ variables: { FIXTURE_INIT: 'log' } });

    const { available } = await p.pool.provision(spec, 2);
    assert.equal(available, 2);
    assert.deepEqual(p.pool.stats(spec.key), { total: 2, busy: 0, idle: 2 });
    // Both runtimes are up before any invocation.
    assert.equal((await processesWithMarker(p.marker)).length, 2);

    const first = await p.invoke(spec, { action: 'env' });
    assert.equal(first.status, 'success');
    assert.equal(first.initDurationMs, undefined, 'init ran ahead of traffic');
    assert.equal(first.initLogs, '');
    const env = body<Record<string, string>>(first);
    assert.equal(env.AWS_LAMBDA_INITIALIZATION_TYPE, 'provisioned-concurrency');

    // Three at once: two provisioned environments, the third is an on-demand cold start.
    const results = await Promise.all(
      [1, 2, 3].map(() => p.invoke(spec, { action: 'sleep', ms: 300 })),
    );
    const cold = results.filter((r) => r.initDurationMs !== undefined);
    assert.equal(cold.length, 1);
    assert.equal(new Set(results.map((r) => r.environmentId)).size, 3);
    assert.ok(
      results
        .filter((r) => r.initDurationMs === undefined)
        .every((r) => r.environmentId !== cold[0]?.environmentId),
    );
    assert.equal(p.pool.stats(spec.key).total, 3);

    // Provisioned environments are taken first, even when the on-demand one is as warm.
    const next = await p.invoke(spec, { action: 'env' });
    assert.equal(
      body<Record<string, string>>(next).AWS_LAMBDA_INITIALIZATION_TYPE,
      'provisioned-concurrency',
    );
  });

  it('keeps provisioned environments past the idle timeout; count 0 releases them', async (t) => {
    const p = await startPool(t, 'process', { idleTimeoutMs: 200 });
    const spec = p.spec();
    await p.pool.provision(spec, 1);
    // One on-demand environment next to the provisioned one.
    await Promise.all([1, 2].map(() => p.invoke(spec, { action: 'sleep', ms: 100 })));
    assert.equal(p.pool.stats(spec.key).total, 2);
    await waitFor(() => p.pool.stats(spec.key).total === 1);
    await delay(400);
    assert.equal(p.pool.stats(spec.key).total, 1, 'the provisioned environment is not reaped');
    const warm = await p.invoke(spec, { action: 'echo' });
    assert.equal(warm.initDurationMs, undefined);

    assert.deepEqual(await p.pool.provision(spec, 0), { available: 0 });
    await waitFor(() => p.pool.stats(spec.key).total === 0);
    assert.deepEqual(await processesWithMarker(p.marker), []);
  });

  it('replaces a provisioned environment that timed out or crashed', async (t) => {
    const p = await startPool(t, 'process');
    const spec = p.spec({ timeoutSeconds: 1 });
    await p.pool.provision(spec, 1);
    const before = body<Echo>(await p.invoke(spec, { action: 'echo' }));

    const timedOut = await p.invoke(spec, { action: 'sleep', ms: 3000 });
    assert.equal(timedOut.status, 'timeout');
    await waitFor(() => {
      const stats = p.pool.stats(spec.key);
      return stats.total === 1 && stats.idle === 1;
    });
    const replaced = await p.invoke(spec, { action: 'echo' });
    assert.equal(replaced.initDurationMs, undefined, 'the replacement was initialized ahead');
    assert.notEqual(body<Echo>(replaced).pid, before.pid);

    const crashed = await p.invoke(spec, { action: 'exit', code: 3 });
    assert.equal(crashed.status, 'failure');
    await waitFor(() => p.pool.stats(spec.key).idle === 1);
    const again = await p.invoke(spec, { action: 'echo' });
    assert.equal(again.initDurationMs, undefined);
  });

  it('rejects with the reason when init fails, and keeps nothing', async (t) => {
    const p = await startPool(t, 'process');
    const spec = p.spec({ variables: { FIXTURE_INIT: 'error' } });
    await assert.rejects(p.pool.provision(spec, 2), (err: unknown) => {
      assert.ok(err instanceof FogbankError);
      assert.equal(err.code, 'ERR_PROVISION_FAILED');
      assert.match(err.message, /Runtime\.HandlerNotFound/);
      return true;
    });
    await waitFor(() => p.pool.stats(spec.key).total === 0);
  });

  it('replaces provisioned environments drained while they initialize or idle', async (t) => {
    const p = await startPool(t, 'process');
    const spec = p.spec();
    const provisioning = p.pool.provision(spec, 1);
    p.pool.drain(spec.key);
    await provisioning;
    await waitFor(() => {
      const stats = p.pool.stats(spec.key);
      return stats.total === 1 && stats.idle === 1;
    });
    const first = await p.invoke(spec, { action: 'echo' });
    assert.equal(first.initDurationMs, undefined);
    p.pool.drain(spec.key);
    await waitFor(() => {
      const stats = p.pool.stats(spec.key);
      return stats.total === 1 && stats.idle === 1 && stats.busy === 0;
    });
    const second = await p.invoke(spec, { action: 'echo' });
    assert.equal(second.initDurationMs, undefined);
    assert.notEqual(second.environmentId, first.environmentId);
  });

  it('lowers and raises the count', async (t) => {
    const p = await startPool(t, 'process');
    const spec = p.spec();
    assert.deepEqual(await p.pool.provision(spec, 3), { available: 3 });
    assert.deepEqual(await p.pool.provision(spec, 1), { available: 1 });
    assert.deepEqual(await p.pool.provision(spec, 2), { available: 2 });
  });
});
