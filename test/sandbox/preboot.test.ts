/**
 * Pre-booted blank runtimes: a cold start specializes a sandbox that is already running, and
 * the environment it becomes keeps every isolation property of one started for the function.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { ManualClock } from '../../src/core/clock.js';
import { probeSandbox } from '../../src/sandbox/index.js';
import type { EnvironmentSpec } from '../../src/sandbox/types.js';
import {
  body,
  environmentDirs,
  FIXTURES,
  ownCodeDir,
  startPool,
  waitFor,
  type IsolationName,
  type TestPool,
} from './helpers.js';
import { NAMESPACE_UNAVAILABLE } from './skips.js';

const NODE_BEHAVE = join(FIXTURES, 'node-behave');
const PREBOOT = { max: 2, min: 1, windowMs: 10_000 };

interface Echo {
  readonly invocations: number;
  readonly pid: number;
  readonly loadedIn: string;
  readonly cwd: string;
  readonly variable?: string;
  readonly functionName: string;
  readonly logStream: string;
  readonly private: string[];
  readonly nodeOptions?: string;
}

function nodeSpec(p: TestPool, name: string, codeDir: string, variable: string): EnvironmentSpec {
  return p.spec({
    functionName: name,
    runtime: 'nodejs20.x',
    handler: 'index.handler',
    codeDir,
    variables: { FIXTURE_VARIABLE: variable },
  });
}

/** Makes the kind of `spec` wanted (one cold start), then waits until a blank one is ready. */
async function blankReady(t: TestContext, p: TestPool, spec: EnvironmentSpec): Promise<void> {
  if (p.pool.blanksReady(spec) === 0) {
    const code = await ownCodeDir(t, {}, NODE_BEHAVE);
    const result = await p.invoke(
      { ...nodeSpec(p, 'warmup', code, 'w'), key: `warmup-${spec.key}` },
      {
        action: 'echo',
      },
    );
    assert.equal(result.status, 'success');
  }
  await waitFor(() => p.pool.blanksReady(spec) > 0, 30_000);
}

/** The variables the process started with. */
async function startedWith(p: TestPool, spec: EnvironmentSpec): Promise<string[]> {
  return body<string[]>(await p.invoke(spec, { action: 'environ' }));
}

for (const isolation of ['namespace', 'process'] as IsolationName[]) {
  const skip = isolation === 'namespace' ? (NAMESPACE_UNAVAILABLE ?? false) : false;
  describe(`pre-booted blank runtimes (${isolation})`, { skip }, () => {
    test('a cold start becomes the function: its variables, code, directory, own init', async (t) => {
      const p = await startPool(t, isolation, { preboot: PREBOOT });
      const code = await ownCodeDir(t, {}, NODE_BEHAVE);
      const spec = nodeSpec(p, 'alpha', code, 'alpha-value');
      await blankReady(t, p, spec);
      const result = await p.invoke(spec, { action: 'echo' });
      assert.equal(result.status, 'success');
      assert.ok(result.initDurationMs !== undefined && result.initDurationMs > 0);
      assert.match(result.functionLogs, /\tINFO\taction echo\n$/);
      const echo = body<Echo>(result);
      const taskRoot = isolation === 'namespace' ? '/var/task' : code;
      assert.equal(echo.variable, 'alpha-value');
      assert.equal(echo.functionName, 'alpha');
      assert.equal(echo.logStream, result.logStreamName);
      assert.equal(echo.cwd, taskRoot);
      assert.equal(echo.loadedIn, taskRoot);
      assert.deepEqual(echo.private, [], 'no Fogbank-private variable reaches user code');
      const environ = await startedWith(p, spec);
      assert.ok(environ.includes('_FOGBANK_BLANK=1'), 'it was a blank runtime');
      assert.ok(
        !environ.some((v) => /alpha|AWS_ACCESS_KEY_ID|AWS_LAMBDA_FUNCTION_NAME/.test(v)),
        `nothing of any function in the first environment: ${environ.join(' ')}`,
      );
      const cached = body<string[]>(await p.invoke(spec, { action: 'requireCache' }));
      assert.deepEqual(cached, [], 'the loader warm-up leaves nothing in the require cache');
      const main = body<string | null>(await p.invoke(spec, { action: 'requireMain' }));
      assert.equal(main, null, 'no CommonJS main module, as under an ES module runtime');
      const warm = body<Echo>(await p.invoke(spec, { action: 'echo' }));
      assert.equal(warm.pid, echo.pid);
      assert.equal(warm.invocations, 5);
    });

    test('a Python function starts from a blank runtime too', async (t) => {
      const p = await startPool(t, isolation, { preboot: PREBOOT });
      const spec = p.spec({
        runtime: 'python3.11',
        handler: 'lambda_function.handler',
        codeDir: join(FIXTURES, 'python-hello'),
      });
      assert.equal((await p.invoke(spec, { n: 1 })).status, 'success');
      await waitFor(() => p.pool.blanksReady(spec) > 0, 30_000);
      const other = { ...spec, key: `${spec.key}-other`, functionName: 'other' };
      const result = await p.invoke(other, { n: 2 });
      assert.equal(result.status, 'success', result.payload.toString());
      assert.deepEqual(body(result).event, { n: 2 });
      assert.equal(result.initLogs, 'module loaded\n');
      assert.equal(p.pool.blanksReady(spec) < 2, true);
    });

    test('a function that sets NODE_OPTIONS starts a sandbox of its own', async (t) => {
      const p = await startPool(t, isolation, { preboot: PREBOOT });
      const code = await ownCodeDir(t, {}, NODE_BEHAVE);
      const plain = nodeSpec(p, 'plain', code, 'x');
      await blankReady(t, p, plain);
      const spec = p.spec({
        ...plain,
        key: `${plain.key}-options`,
        variables: { NODE_OPTIONS: '--no-warnings' },
      });
      const ready = p.pool.blanksReady(plain);
      assert.equal(
        body<Echo>(await p.invoke(spec, { action: 'echo' })).nodeOptions,
        '--no-warnings',
      );
      assert.ok(!(await startedWith(p, spec)).includes('_FOGBANK_BLANK=1'));
      assert.ok(p.pool.blanksReady(plain) >= ready, 'no blank runtime was used');
    });
  });
}

describe(
  'pre-booted blank runtimes keep namespace isolation',
  { skip: NAMESPACE_UNAVAILABLE ?? false },
  () => {
    test("a function cannot read another's code or /tmp, nor see its processes", async (t) => {
      const p = await startPool(t, 'namespace', { preboot: PREBOOT });
      const codeA = await ownCodeDir(t, {}, NODE_BEHAVE);
      const codeB = await ownCodeDir(t, { 'secret.txt': 'only for B' }, NODE_BEHAVE);
      const a = nodeSpec(p, 'a', codeA, 'a');
      const b = nodeSpec(p, 'b', codeB, 'b');
      await blankReady(t, p, a);
      assert.equal(body<Echo>(await p.invoke(a, { action: 'echo' })).variable, 'a');
      await blankReady(t, p, b);
      assert.equal(body<Echo>(await p.invoke(b, { action: 'echo' })).variable, 'b');
      for (const spec of [a, b]) {
        assert.ok((await startedWith(p, spec)).includes('_FOGBANK_BLANK=1'));
      }
      const read = (spec: EnvironmentSpec, path: string): Promise<unknown> =>
        p.invoke(spec, { action: 'readFile', path }).then((r) => body(r));
      assert.deepEqual(await read(b, '/var/task/secret.txt'), { ok: 'only for B' });
      assert.deepEqual(await read(a, '/var/task/secret.txt'), { error: 'ENOENT' });
      assert.deepEqual(await read(a, join(codeB, 'secret.txt')), { error: 'ENOENT' });
      const write = (spec: EnvironmentSpec, path: string): Promise<unknown> =>
        p.invoke(spec, { action: 'writeFile', path, content: 'x' }).then((r) => body(r));
      assert.deepEqual(await write(b, '/tmp/note'), { ok: true });
      assert.deepEqual(await read(a, '/tmp/note'), { error: 'ENOENT' });
      const denied = (await write(a, '/var/task/new.txt')) as { error?: string };
      assert.ok(denied.error === 'EROFS' || denied.error === 'EACCES', JSON.stringify(denied));
      const processes = body<number[]>(await p.invoke(a, { action: 'processes' }));
      assert.ok(processes.length <= 3, `only its own processes: ${processes.join(' ')}`);
      for (const dir of await environmentDirs(p.runDir)) {
        const otherRuntimeApi = await p.invoke(a, {
          action: 'connect',
          path: join(p.runDir, dir, 'rt', 'runtime.sock'),
        });
        assert.deepEqual(body(otherRuntimeApi), { error: 'ENOENT' });
      }
    });

    test("the runtime runs in its environment's cgroups, spawned or pre-booted", async (t) => {
      if (!(await probeSandbox()).cgroup.controllers.memory) {
        t.skip('no usable memory cgroup on this machine');
        return;
      }
      const p = await startPool(t, 'namespace', { preboot: PREBOOT });
      const code = await ownCodeDir(t, {}, NODE_BEHAVE);
      const spawned = nodeSpec(p, 'spawned', code, 's');
      const preBooted = nodeSpec(p, 'pre-booted', code, 'p');
      const cgroupsOf = async (spec: EnvironmentSpec): Promise<Set<string>> => {
        const read = await p.invoke(spec, { action: 'readFile', path: '/proc/self/cgroup' });
        // "4:memory:/fogbank/<server>/<environment>" for each controller.
        const lines = String(body<{ ok?: string }>(read).ok).trim().split('\n');
        return new Set(
          lines.filter((l) => /:(memory|pids|freezer):/.test(l)).map((l) => l.split(':')[2] ?? ''),
        );
      };
      const own = await cgroupsOf(spawned);
      assert.ok(!(await startedWith(p, spawned)).includes('_FOGBANK_BLANK=1'));
      await blankReady(t, p, preBooted);
      const ownPreBooted = await cgroupsOf(preBooted);
      assert.ok((await startedWith(p, preBooted)).includes('_FOGBANK_BLANK=1'));
      for (const groups of [own, ownPreBooted]) {
        assert.equal(groups.size, 1, `one group in every controller: ${[...groups].join(' ')}`);
        assert.match([...groups][0] ?? '', /^\/fogbank\/.+\/[0-9a-f]{32}$/);
      }
      assert.notDeepEqual(own, ownPreBooted);
    });

    test("a function's layers appear read-only at /opt", async (t) => {
      const p = await startPool(t, 'namespace', { preboot: PREBOOT });
      const code = await ownCodeDir(t, {}, NODE_BEHAVE);
      const layer = await mkdtemp(join(tmpdir(), 'fogbank-layer-'));
      t.after(() => rm(layer, { recursive: true, force: true }));
      await chmod(layer, 0o755);
      await writeFile(join(layer, 'layer.txt'), 'from the layer', { mode: 0o644 });
      const spec = { ...nodeSpec(p, 'layered', code, 'l'), layerDirs: [layer] };
      await blankReady(t, p, spec);
      const read = await p.invoke(spec, { action: 'readFile', path: '/opt/layer.txt' });
      assert.deepEqual(body(read), { ok: 'from the layer' });
      assert.ok((await startedWith(p, spec)).includes('_FOGBANK_BLANK=1'));
      const write = await p.invoke(spec, { action: 'writeFile', path: '/opt/x', content: 'x' });
      const denied = body<{ error?: string }>(write);
      assert.ok(denied.error === 'EROFS' || denied.error === 'EACCES', JSON.stringify(denied));
    });

    test('code is never mounted on the host, and stopping the pool leaves nothing', async (t) => {
      const p = await startPool(t, 'namespace', { preboot: PREBOOT });
      const code = await ownCodeDir(t, {}, NODE_BEHAVE);
      const spec = nodeSpec(p, 'gone', code, 'g');
      await blankReady(t, p, spec);
      const echo = await p.invoke(spec, { action: 'echo' });
      assert.equal(body<Echo>(echo).variable, 'g');
      const hostMounts = async (): Promise<string[]> =>
        (await readFile('/proc/self/mountinfo', 'utf8'))
          .split('\n')
          .filter((line) => line.includes(p.runDir));
      // Mounted in a namespace of the pool's own, which dies with the server even on SIGKILL.
      assert.deepEqual(await hostMounts(), []);
      await p.pool.stop(0);
      assert.deepEqual(await hostMounts(), []);
      assert.deepEqual(await environmentDirs(p.runDir), []);
    });
  },
);

describe('the pool of blank runtimes sizes itself to demand', () => {
  test('as many as recent cold starts, within [min, max]; none once unused', async (t) => {
    const clock = new ManualClock();
    const preboot = { max: 3, min: 1, windowMs: 10_000 };
    const p = await startPool(t, 'process', { clock, idleTimeoutMs: 60_000, preboot });
    const code = await ownCodeDir(t, {}, NODE_BEHAVE);
    const specs = ['one', 'two', 'three', 'four'].map((name) => nodeSpec(p, name, code, name));
    // Four cold starts in the window (blank runtimes are taken as they become ready).
    for (const spec of specs) {
      assert.equal((await p.invoke(spec, { action: 'echo' })).status, 'success');
    }
    await waitFor(() => p.pool.blanksReady() === 3, 60_000);
    assert.equal(p.pool.memory.reservedMb, (specs.length + 3) * 256, 'blank runtimes count');
    // The window passes without a cold start: down to the minimum.
    await clock.advance(preboot.windowMs + 1);
    await waitFor(() => p.pool.blanksReady() === 1);
    // No cold start for the idle timeout: none.
    await clock.advance(60_000);
    await waitFor(() => p.pool.blanksReady() === 0 && p.pool.memory.reservedMb === 0);
  });
});

describe('the replacement of a blank runtime taken by a cold start', () => {
  test('boots once that cold start is over, not during it', async (t) => {
    const p = await startPool(t, 'process', { preboot: { max: 1, min: 1, windowMs: 10_000 } });
    const code = await ownCodeDir(t, {}, NODE_BEHAVE);
    const spec = nodeSpec(p, 'slow', code, 's');
    await blankReady(t, p, spec);
    const cold = p.invoke(spec, { action: 'sleep', ms: 1500 });
    await waitFor(() => p.pool.stats(spec.key).busy === 1);
    // A blank runtime boots in well under a second here: one booted now would be ready.
    await delay(1000);
    assert.equal(p.pool.blanksReady(spec), 0, 'no replacement during the cold start');
    const result = await cold;
    assert.equal(result.status, 'success');
    assert.ok(result.initDurationMs !== undefined, 'it was a cold start');
    await waitFor(() => p.pool.blanksReady(spec) === 1, 30_000);
  });
});

describe('memory reserved by environments', () => {
  test('the least recently used idle environment makes room for a new one', async (t) => {
    const p = await startPool(t, 'process', { memoryLimitMb: 512 });
    const [first, second, third] = ['first', 'second', 'third'].map((name) =>
      p.spec({ functionName: name, memorySizeMb: 256 }),
    ) as [EnvironmentSpec, EnvironmentSpec, EnvironmentSpec];
    await p.invoke(first, { action: 'echo' });
    await p.invoke(second, { action: 'echo' });
    await p.invoke(first, { action: 'echo' });
    assert.deepEqual(p.pool.memory, { reservedMb: 512, limitMb: 512 });
    assert.equal((await p.invoke(third, { action: 'echo' })).status, 'success');
    assert.equal(p.pool.stats(second.key).total, 0, 'the least recently used one went');
    assert.equal(p.pool.stats(first.key).idle, 1);
    assert.equal(p.pool.memory.reservedMb, 512);
  });

  test('with no idle environment to stop, the invocation is throttled as Lambda does', async (t) => {
    const p = await startPool(t, 'process', { memoryLimitMb: 512 });
    const spec = p.spec({ memorySizeMb: 256 });
    const busy = [
      p.invoke(spec, { action: 'sleep', ms: 1500 }),
      p.invoke(spec, { action: 'sleep', ms: 1500 }),
    ];
    await waitFor(() => p.pool.stats(spec.key).busy === 2);
    await assert.rejects(p.invoke(spec, { action: 'echo' }), {
      name: 'TooManyRequestsException',
      statusCode: 429,
      fields: { Reason: 'ConcurrentInvocationLimitExceeded' },
    });
    assert.equal(p.pool.stats(spec.key).total, 2, 'nothing was started');
    for (const result of await Promise.all(busy)) {
      assert.equal(result.status, 'success');
    }
    assert.equal((await p.invoke(spec, { action: 'echo' })).status, 'success');
  });
});

describe('freeze grace', () => {
  test('an environment runs for the grace after an invocation, then nothing runs', async (t) => {
    const clock = new ManualClock();
    const p = await startPool(t, 'process', { clock, freezeGraceMs: 50 });
    const spec = p.spec({ variables: { FIXTURE_INIT: 'ticker' } });
    const ticks = async (): Promise<number> =>
      body<{ ticks: number }>(await p.invoke(spec, { action: 'ticks' })).ticks;
    const first = await ticks();
    // The grace has not passed on the pool's clock: the 10 ms ticker keeps running.
    await delay(300);
    const second = await ticks();
    assert.ok(second - first >= 10, `the ticker advanced ${String(second - first)} times`);
    await clock.advance(50);
    await delay(300);
    const third = await ticks();
    assert.ok(third - second <= 5, `the ticker advanced ${String(third - second)} times frozen`);
  });
});
