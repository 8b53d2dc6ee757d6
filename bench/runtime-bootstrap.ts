/**
 * Runtime bootstrap benchmark (src/runtimes), without any sandbox: the time from spawn to the
 * first GET /next with a no-op handler (the runtime's share of a cold start), and the warm
 * round trip of no-op invocations against the test Runtime API server (test double + runtime,
 * one environment, strictly sequential). Run: `npx tsc -b && node dist/bench/runtime-bootstrap.js`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RuntimeApiServer } from '../test/helpers/runtime-api-server.js';
import { startRuntime } from '../test/helpers/runtime-process.js';
import type { RuntimeKind, RuntimeProcess } from '../test/helpers/runtime-process.js';
import { fmt, summary } from './lib.js';

const COLD_STARTS = 40;
const WARM_INVOCATIONS = 20_000;

const runtimes: { kind: RuntimeKind; fixture: string; handler: string }[] = [
  { kind: 'nodejs', fixture: 'node-noop', handler: 'index.handler' },
  { kind: 'python', fixture: 'python-noop', handler: 'app.handler' },
];

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

/**
 * The floor for any Node.js runtime: a CommonJS script that only connects and sends GET /next
 * (an ES module entry point costs ~15-20 ms more here, which is why the bootstrap is CommonJS).
 * Samples alternate with the bootstrap's, so machine load affects both alike.
 */
const BASELINE = `const { createConnection } = require('node:net');
const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
createConnection({ host, port: Number(port) }).write(
  'GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n',
);
`;

async function timeToFirstNext(start: (runtimeApi: string) => RuntimeProcess): Promise<number> {
  const server = await RuntimeApiServer.start();
  const polled = server.nextPolled();
  const runtime = start(server.address);
  const sample = (await polled) - runtime.spawnedAt;
  await runtime.stop();
  await server.close();
  return sample;
}

function startBaseline(file: string, runtimeApi: string): RuntimeProcess {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [file], {
    env: { PATH: '/usr/bin:/bin', AWS_LAMBDA_RUNTIME_API: runtimeApi },
    stdio: 'ignore',
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      resolve({ code, signal });
    });
  });
  return {
    child,
    taskRoot: '',
    spawnedAt,
    exited,
    stdout: () => '',
    stderr: () => '',
    async stop() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

async function coldStarts(kind: RuntimeKind, fixture: string, handler: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fogbank-bench-baseline-'));
  const baselineFile = join(dir, 'baseline.cjs');
  writeFileSync(baselineFile, BASELINE);
  const samples: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < COLD_STARTS; i++) {
    samples.push(
      await timeToFirstNext((runtimeApi) =>
        startRuntime({ runtime: kind, fixture, handler, runtimeApi }),
      ),
    );
    if (kind === 'nodejs') {
      baseline.push(await timeToFirstNext((runtimeApi) => startBaseline(baselineFile, runtimeApi)));
    }
  }
  rmSync(dir, { recursive: true, force: true });
  const s = summary(samples);
  print(
    `${kind} spawn → first /next: p50 ${fmt(s.p50)}  p90 ${fmt(s.p90)}  mean ${fmt(s.mean)}  (n=${s.n})`,
  );
  if (baseline.length > 0) {
    const b = summary(baseline);
    print(
      `  floor (node + a CommonJS script that only sends GET /next): p50 ${fmt(b.p50)}; ` +
        `bootstrap + handler cost: ${fmt(s.p50 - b.p50)}`,
    );
  }
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux). */
function cpuMs(pid: number | undefined): number {
  const fields =
    readFileSync(`/proc/${String(pid)}/stat`, 'utf8')
      .split(') ')[1]
      ?.split(' ') ?? [];
  // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second here).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function warm(kind: RuntimeKind, fixture: string, handler: string): Promise<void> {
  const server = await RuntimeApiServer.start();
  const runtime = startRuntime({ runtime: kind, fixture, handler, runtimeApi: server.address });
  for (let i = 0; i < 1000; i++) {
    await server.invoke({});
  }
  const samples: number[] = [];
  const cpuBefore = cpuMs(runtime.child.pid);
  const started = performance.now();
  for (let i = 0; i < WARM_INVOCATIONS; i++) {
    const at = performance.now();
    const reply = await server.invoke({});
    samples.push(reply.at - at);
  }
  const elapsed = performance.now() - started;
  const cpuPerInvocation = (cpuMs(runtime.child.pid) - cpuBefore) / WARM_INVOCATIONS;
  const s = summary(samples);
  print(
    `${kind} warm no-op invoke → response: p50 ${fmt(s.p50)}  p99 ${fmt(s.p99)}  ` +
      `${Math.round((WARM_INVOCATIONS / elapsed) * 1000)} invocations/s sequential; ` +
      `runtime CPU ${fmt(cpuPerInvocation)} per invocation`,
  );
  await runtime.stop();
  await server.close();
}

for (const { kind, fixture, handler } of runtimes) {
  await coldStarts(kind, fixture, handler);
  await warm(kind, fixture, handler);
}
