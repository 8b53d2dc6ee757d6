/**
 * Sandbox benchmark: cold start (spawn → first /next, and from a pre-booted blank runtime)
 * against a bare-Node baseline measured in the same loop, warm round trip through the pool,
 * no-op throughput, and the cost of the cgroup freezer. Run: `npx tsc -b && node dist/bench/sandbox-coldstart.js [namespace|process …]`.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { createSystemClock } from '../src/core/clock.js';
import {
  EnvironmentCgroup,
  createServerGroup,
  detectCgroupHierarchy,
  removeCgroupDirs,
  serverGroupDirs,
} from '../src/sandbox/cgroup.js';
import { createEnvironmentPool } from '../src/sandbox/index.js';
import type { EnvironmentPool, EnvironmentSpec, InvokeRequest } from '../src/sandbox/types.js';

const ROOT = resolve(import.meta.dirname, '../..');
const NOOP = join(ROOT, 'test/fixtures/sandbox/node-noop');
const RUNTIMES = join(ROOT, 'src/runtimes');
const RUNTIME = `nodejs${process.versions.node.split('.')[0] ?? ''}.x`;
const PAYLOAD = Buffer.from('{}');
/** Names the pools that pre-boot blank runtimes. */
const PREBOOTED = ' from a pre-booted runtime';

function spec(): EnvironmentSpec {
  return {
    key: randomUUID(),
    functionName: 'noop',
    functionVersion: '$LATEST',
    runtime: RUNTIME,
    handler: 'index.handler',
    memorySizeMb: 1769,
    timeoutSeconds: 30,
    ephemeralStorageMb: 512,
    codeDir: NOOP,
    layerDirs: [],
    variables: {},
    logGroupName: '/aws/lambda/noop',
    logFormat: 'Text',
    region: 'us-east-1',
    accountId: '123456789012',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b', sessionToken: 'c' },
    apiEndpoint: { host: '127.0.0.1', port: 4566 },
  };
}

function request(): InvokeRequest {
  return {
    requestId: randomUUID(),
    payload: PAYLOAD,
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:noop',
    traceId: '',
  };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function fmt(values: readonly number[]): string {
  return `p50 ${percentile(values, 50).toFixed(3)} ms  p90 ${percentile(values, 90).toFixed(3)} ms  p99 ${percentile(values, 99).toFixed(3)} ms  (n=${values.length})`;
}

/**
 * The floor on this machine at this moment: a bare Node.js process with a clean environment,
 * from spawn until its first HTTP request arrives.
 */
async function startBaseline(): Promise<{ once(): Promise<number>; close(): void }> {
  let arrived: (() => void) | undefined;
  const server = createServer((_req, res) => {
    res.end();
    arrived?.();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const script = `require('node:http').get('http://127.0.0.1:${port}/', () => process.exit(0))`;
  return {
    async once() {
      const started = performance.now();
      const reached = new Promise<void>((r) => (arrived = r));
      const child = spawn(process.execPath, ['-e', script], { env: {}, stdio: 'ignore' });
      await reached;
      const elapsed = performance.now() - started;
      await new Promise((r) => child.once('exit', r));
      return elapsed;
    },
    close() {
      server.close();
    },
  };
}

/** Waits (at most 10 s) until a blank runtime for `s` is ready, so that a cold start uses it. */
async function blankReady(pool: EnvironmentPool, s: EnvironmentSpec): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (pool.blanksReady(s) === 0 && Date.now() < deadline) {
    await delay(5);
  }
}

/** Cold starts, interleaved across the pools and the baseline so that load affects all alike. */
async function coldStarts(pools: ReadonlyMap<string, EnvironmentPool>, n: number): Promise<void> {
  const baseline = await startBaseline();
  const bare: number[] = [];
  const init = new Map<string, number[]>();
  const total = new Map<string, number[]>();
  // A first cold start makes the pre-booting pools start blank runtimes.
  for (const [name, pool] of pools) {
    if (name.endsWith(PREBOOTED)) {
      await pool.invoke(spec(), request());
    }
  }
  for (let i = 0; i < n; i++) {
    bare.push(await baseline.once());
    for (const [isolation, pool] of pools) {
      const s = spec();
      if (isolation.endsWith(PREBOOTED)) {
        await blankReady(pool, s);
      }
      const started = performance.now();
      const result = await pool.invoke(s, request());
      total.set(isolation, [...(total.get(isolation) ?? []), performance.now() - started]);
      init.set(isolation, [...(init.get(isolation) ?? []), result.initDurationMs ?? NaN]);
      pool.drain(s.key);
      // Let the drained environment's cleanup finish outside the next measurement.
      await delay(30);
    }
  }
  baseline.close();
  console.log(`baseline, bare node spawn → first HTTP request: ${fmt(bare)}`);
  for (const isolation of pools.keys()) {
    console.log(
      `${isolation}, cold start init (spawn or specialization → first /next): ${fmt(init.get(isolation) ?? [])}`,
    );
    console.log(
      `${isolation}, cold invoke end to end:            ${fmt(total.get(isolation) ?? [])}`,
    );
  }
}

/** Sequential warm invocations; overhead = end to end − the runtime's own Duration. */
async function warm(pool: EnvironmentPool, n: number): Promise<void> {
  const s = spec();
  await pool.invoke(s, request());
  const total: number[] = [];
  const overhead: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const result = await pool.invoke(s, request());
    const elapsed = performance.now() - started;
    total.push(elapsed);
    overhead.push(elapsed - result.durationMs);
  }
  console.log(`  warm invoke end to end:  ${fmt(total)}`);
  console.log(`  warm pool overhead:      ${fmt(overhead)}`);
  pool.drain(s.key);
}

async function throughput(pool: EnvironmentPool, concurrency: number, ms: number): Promise<void> {
  const s = spec();
  await Promise.all(Array.from({ length: concurrency }, () => pool.invoke(s, request())));
  let done = 0;
  const cpu = process.cpuUsage();
  const until = performance.now() + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        await pool.invoke(s, request());
        done++;
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  console.log(
    `  no-op throughput, ${concurrency} concurrent: ${Math.round(done / (ms / 1000))} invocations/s ` +
      `(server CPU ${((used.user + used.system) / done).toFixed(0)} µs per invocation)`,
  );
  pool.drain(s.key);
}

/** The freezer writes an idle environment costs (each is one async write off the event loop). */
async function freezerCost(runDir: string): Promise<void> {
  const hierarchy = await detectCgroupHierarchy();
  if (hierarchy.version === 'none' || !hierarchy.parents.has('freezer')) {
    console.log('no cgroup freezer here: idle environments are stopped with SIGSTOP/SIGCONT');
    return;
  }
  const groups = serverGroupDirs(hierarchy, runDir);
  await createServerGroup(hierarchy, groups);
  const cgroup = await EnvironmentCgroup.create(
    hierarchy.version,
    groups,
    randomUUID().replaceAll('-', ''),
    {
      memoryMb: 128,
      pidsMax: 64,
    },
  );
  const joins = cgroup.procsFiles.map((f) => `echo $$ > ${f}`).join(' && ');
  const child = spawn('/bin/sh', ['-c', `${joins} && exec sleep 60`], { stdio: 'ignore' });
  await delay(50);
  const freeze: number[] = [];
  const thaw: number[] = [];
  for (let i = 0; i < 300; i++) {
    let started = performance.now();
    cgroup.freeze();
    await cgroup.settled();
    freeze.push(performance.now() - started);
    started = performance.now();
    cgroup.thaw();
    await cgroup.settled();
    thaw.push(performance.now() - started);
  }
  console.log(`cgroup ${hierarchy.version} freezer, one write each:`);
  console.log(`  freeze: ${fmt(freeze)}`);
  console.log(`  thaw:   ${fmt(thaw)}`);
  child.kill('SIGKILL');
  await cgroup.remove();
  await removeCgroupDirs([...new Set(groups.values())]);
}

const isolations = process.argv.length > 2 ? process.argv.slice(2) : ['namespace', 'process'];
const pools = new Map<string, EnvironmentPool>();
const runDirs: string[] = [];
for (const isolation of isolations) {
  for (const preboot of [false, true]) {
    const runDir = await mkdtemp(join(tmpdir(), 'fogbank-bench-'));
    runDirs.push(runDir);
    pools.set(
      preboot ? `${isolation}${PREBOOTED}` : isolation,
      await createEnvironmentPool({
        isolation: isolation === 'process' ? 'process' : 'namespace',
        runDir,
        runtimesDir: RUNTIMES,
        clock: createSystemClock(),
        idleTimeoutMs: 600_000,
        ...(preboot ? { preboot: { max: 2, min: 1, windowMs: 60_000 } } : {}),
      }),
    );
  }
}
console.log(
  `${RUNTIME}, no-op handler; load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
await coldStarts(pools, 30);
for (const [isolation, pool] of pools) {
  if (isolation.endsWith(PREBOOTED)) {
    await pool.stop(1000);
    continue;
  }
  console.log(`${isolation}:`);
  await warm(pool, 3000);
  await throughput(pool, 1, 3000);
  await throughput(pool, 4, 3000);
  await pool.stop(1000);
}
const scratch = await mkdtemp(join(tmpdir(), 'fogbank-bench-'));
await freezerCost(scratch);
for (const dir of [...runDirs, scratch]) {
  await rm(dir, { recursive: true, force: true });
}
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
