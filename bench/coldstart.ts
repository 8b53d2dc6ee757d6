/**
 * Issue 3's cold-start figures, through the Lambda API of real `fogbank server` processes:
 * - cold start of a no-op Node.js function from the pool of pre-booted blank runtimes, and
 *   with the pool off (FOGBANK_PREBOOT_MAX=0);
 * - a burst of simultaneous first invocations of one function that sleeps 300 ms;
 * - the memory an idle (frozen) Node.js environment holds, extrapolated to a 24 GiB node.
 * Run: `npm run build && node dist/bench/coldstart.js [--samples 20] [--burst 100] [--idle 100]`
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  call,
  createFunction,
  descendants,
  fmt,
  startFogbank,
  summary,
  type BenchServer,
} from './lib.js';

const { values } = parseArgs({
  options: {
    isolation: { type: 'string', default: 'auto' },
    samples: { type: 'string', default: '20' },
    /** Pause between cold samples, so that the pool has refilled. */
    'gap-ms': { type: 'string', default: '1000' },
    burst: { type: 'string', default: '100' },
    idle: { type: 'string', default: '100' },
  },
});

const NOOP = 'exports.handler = async () => null;\n';
const SLEEPER = `exports.handler = async (event, context) => {
  await new Promise((resolve) => setTimeout(resolve, 300));
  return context.logStreamName;
};
`;
const GIB24_MB = 24 * 1024;

async function invoke(
  server: BenchServer,
  name: string,
): Promise<{ ms: number; initMs: number | undefined; body: string }> {
  const t0 = performance.now();
  const res = await call(
    server.port,
    'POST',
    `/2015-03-31/functions/${name}/invocations`,
    Buffer.from('{}'),
    { 'x-amz-log-type': 'Tail' },
  );
  const ms = performance.now() - t0;
  if (res.status !== 200 || res.headers['x-amz-function-error'] !== undefined) {
    throw new Error(`invoke ${name}: ${String(res.status)} ${res.body.toString()}`);
  }
  const tail = res.headers['x-amz-log-result'];
  const log = typeof tail === 'string' ? Buffer.from(tail, 'base64').toString() : '';
  const init = /Init Duration: ([\d.]+) ms/.exec(log)?.[1];
  return { ms, initMs: init === undefined ? undefined : Number(init), body: res.body.toString() };
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** First invocations of fresh functions, `gap` apart. */
async function coldStarts(server: BenchServer, label: string): Promise<void> {
  const n = Number(values.samples);
  const rtt: number[] = [];
  const init: number[] = [];
  const prefix = label.replaceAll(' ', '-');
  for (let i = 0; i < n + 1; i++) {
    await createFunction(server.port, `${prefix}-${String(i)}`, NOOP, { Timeout: 60 });
    await pause(Number(values['gap-ms']));
    const r = await invoke(server, `${prefix}-${String(i)}`);
    // The first one of a run only creates the demand that starts the pool.
    if (i > 0) {
      rtt.push(r.ms);
      if (r.initMs !== undefined) {
        init.push(r.initMs);
      }
    }
  }
  const c = summary(rtt);
  const d = summary(init);
  console.log(
    `cold start ${label} (n=${String(c.n)}): client p50 ${fmt(c.p50)} p90 ${fmt(c.p90)} p99 ${fmt(c.p99)} | Init Duration p50 ${fmt(d.p50)} p99 ${fmt(d.p99)}`,
  );
}

async function burst(server: BenchServer): Promise<void> {
  const n = Number(values.burst);
  await createFunction(server.port, 'burst', SLEEPER, { Timeout: 60 });
  const t0 = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: n }, () => invoke(server, 'burst')),
  );
  const wall = performance.now() - t0;
  const ok = results.filter((r) => r.status === 'fulfilled');
  const streams = new Set(ok.map((r) => r.value.body));
  const latency = summary(ok.map((r) => r.value.ms));
  console.log(
    `burst of ${String(n)} first invocations (300 ms handler): ${String(ok.length)} OK, ${String(streams.size)} environments, wall ${fmt(wall)}, per-call p50 ${fmt(latency.p50)} p99 ${fmt(latency.p99)}`,
  );
}

/** Proportional set size of a process in MB (shared pages divided among their users). */
function pssMb(pid: number): number {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    return Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** The memory cgroup directories of these processes' environments (cgroup v1 or v2). */
function memoryCgroups(pids: readonly number[]): Set<string> {
  const dirs = new Set<string>();
  for (const pid of pids) {
    try {
      for (const line of readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n')) {
        const [, controllers, path] = line.split(':');
        // Environments' groups only: bubblewrap's outer process stays in the server's group.
        if (!(path ?? '').includes('/fogbank/')) {
          continue;
        }
        if (controllers === 'memory') {
          dirs.add(`/sys/fs/cgroup/memory${path ?? ''}`);
        } else if (controllers === '' && path !== '/') {
          dirs.add(`/sys/fs/cgroup${path ?? ''}`);
        }
      }
    } catch {
      // Gone meanwhile.
    }
  }
  return dirs;
}

function cgroupMb(dir: string): { usage: number; anon: number } {
  const read = (file: string): string => {
    try {
      return readFileSync(`${dir}/${file}`, 'utf8');
    } catch {
      return '';
    }
  };
  const usage = Number(read('memory.usage_in_bytes') || read('memory.current') || 0);
  const stat = read('memory.stat');
  const anon = Number(/^(?:rss|anon) (\d+)$/m.exec(stat)?.[1] ?? 0);
  return { usage: usage / 2 ** 20, anon: anon / 2 ** 20 };
}

async function idleEnvironments(server: BenchServer): Promise<void> {
  const n = Number(values.idle);
  for (let i = 0; i < n; i++) {
    await createFunction(server.port, `idle-${String(i)}`, NOOP, { Timeout: 60 });
    await invoke(server, `idle-${String(i)}`);
  }
  // Past the freeze grace: every environment is frozen.
  await pause(1000);
  const pids = descendants(server.pid);
  const pss = pids.reduce((sum, pid) => sum + pssMb(pid), 0);
  let usage = 0;
  let anon = 0;
  for (const dir of memoryCgroups(pids)) {
    const m = cgroupMb(dir);
    usage += m.usage;
    anon += m.anon;
  }
  const per = { pss: pss / n, usage: usage / n, anon: anon / n };
  console.log(
    `idle frozen Node.js environments (n=${String(n)}, ${String(pids.length)} processes): per environment PSS ${per.pss.toFixed(1)} MB, cgroup usage ${per.usage.toFixed(1)} MB (anonymous ${per.anon.toFixed(1)} MB)`,
  );
  console.log(
    `  a 24 GiB node holds ~${Math.floor(GIB24_MB / per.pss).toFixed(0)} by PSS, ~${Math.floor(GIB24_MB / per.usage).toFixed(0)} by cgroup usage (FOGBANK_ENVIRONMENT_MEMORY_MB set to the physical memory reserves 128 MB each: ${String(Math.floor(GIB24_MB / 128))})`,
  );
}

const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(
  `Fogbank cold-start benchmark (isolation ${values.isolation}, ${new Date().toISOString()}, load ${load()})`,
);
const isolation = ['--isolation', values.isolation];

const pooled = await startFogbank(isolation);
try {
  await coldStarts(pooled, 'from the pool');
  await burst(pooled);
} finally {
  await pooled.stop();
}
const unpooled = await startFogbank(isolation, { FOGBANK_PREBOOT_MAX: '0' });
try {
  await coldStarts(unpooled, 'without the pool');
  await idleEnvironments(unpooled);
} finally {
  await unpooled.stop();
}
console.log(`load at the end ${load()}`);
