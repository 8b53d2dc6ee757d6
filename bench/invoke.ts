/**
 * Cold start, warm latency and throughput of a no-op Node.js function, through the Lambda API
 * of a real `fogbank server` process on this machine. Run: `npm run bench [-- --isolation process]
 * [--concurrency 4,8,32] [--seconds 5]`: throughput is measured once per caller count listed.
 */
import { parseArgs } from 'node:util';
import {
  call,
  cpuMicros,
  createNoopFunction,
  descendants,
  encodeRequest,
  fmt,
  RawConnection,
  startFogbank,
  summary,
  voluntarySwitches,
} from './lib.js';

const { values } = parseArgs({
  options: {
    isolation: { type: 'string', default: 'auto' },
    'cold-samples': { type: 'string', default: '30' },
    'warm-samples': { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '4,8,32' },
    seconds: { type: 'string', default: '5' },
  },
});

const server = await startFogbank(['--isolation', values.isolation]);
const port = server.port;

const createNoop = (name: string): Promise<void> => createNoopFunction(port, name);

const invokePath = (name: string) => `/2015-03-31/functions/${name}/invocations`;
const EMPTY = Buffer.from('{}');

async function invoke(name: string, tail = false): Promise<{ ms: number; log: string }> {
  const t0 = process.hrtime.bigint();
  const res = await call(
    port,
    'POST',
    invokePath(name),
    EMPTY,
    tail ? { 'x-amz-log-type': 'Tail' } : {},
  );
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.status !== 200 || res.headers['x-amz-function-error']) {
    throw new Error(`invoke ${name}: ${res.status} ${res.body.toString()}`);
  }
  const tailHeader = res.headers['x-amz-log-result'];
  return {
    ms,
    log: typeof tailHeader === 'string' ? Buffer.from(tailHeader, 'base64').toString() : '',
  };
}

const field = (log: string, name: string): number | undefined => {
  const m = new RegExp(`${name}: ([\\d.]+) ms`).exec(log);
  return m?.[1] ? Number(m[1]) : undefined;
};

// Cold starts: the first invocation of each of N fresh functions (no pool of blank runtimes).
const coldN = Number(values['cold-samples']);
const coldRtt: number[] = [];
const coldInit: number[] = [];
for (let i = 0; i < coldN; i++) {
  await createNoop(`cold-${i}`);
  const r = await invoke(`cold-${i}`, true);
  coldRtt.push(r.ms);
  const init = field(r.log, 'Init Duration');
  if (init !== undefined) {
    coldInit.push(init);
  }
}

// Warm latency: sequential invocations of one warm function, against the server's HTTP floor.
await createNoop('warm');
for (let i = 0; i < 200; i++) {
  await invoke('warm');
}
const warmN = Number(values['warm-samples']);
const warm: number[] = [];
for (let i = 0; i < warmN; i++) {
  warm.push((await invoke('warm')).ms);
}
const floor: number[] = [];
for (let i = 0; i < warmN; i++) {
  const t0 = process.hrtime.bigint();
  await call(port, 'GET', '/_fogbank/health');
  floor.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
const durations: number[] = [];
for (let i = 0; i < 300; i++) {
  const d = field((await invoke('warm', true)).log, 'Duration');
  if (d !== undefined) {
    durations.push(d);
  }
}

// Throughput: C concurrent callers for S seconds, after as long again of the same load so that
// the C environments it needs are warm (else their cold starts are most of the measurement), for
// each C of --concurrency. The callers drive raw keep-alive sockets (RawConnection): node:http's
// client would spend about as much of the 2 shared cores per request as the server does.
const seconds = Number(values.seconds);
const warmRequest = encodeRequest('POST', invokePath('warm'), {}, EMPTY);

interface Throughput {
  readonly concurrency: number;
  readonly perSecond: number;
  /** Per invocation: unlike the rate, these hardly depend on what else runs on the machine. */
  readonly serverCpu: number;
  readonly clientCpu: number;
  readonly runtimeCpu: number;
  readonly serverSwitches: number;
  readonly runtimeSwitches: number;
}

async function throughputAt(concurrency: number): Promise<Throughput> {
  const connections = await Promise.all(
    Array.from({ length: concurrency }, () => RawConnection.open(port)),
  );
  const callers = async (ms: number): Promise<number> => {
    let done = 0;
    const deadline = Date.now() + ms;
    await Promise.all(
      connections.map(async (connection) => {
        while (Date.now() < deadline) {
          const res = await connection.send(warmRequest);
          // The no-op handler returns null; anything else is an error document.
          if (res.status !== 200 || res.body.toString() !== 'null') {
            throw new Error(`invoke warm: ${String(res.status)} ${res.body.toString()}`);
          }
          done += 1;
        }
      }),
    );
    return done;
  };
  await callers(seconds * 1000);
  // The sandboxes and runtimes running by now (the callers' environments, the pool's blanks).
  const sandboxed = descendants(server.pid);
  const sum = (measure: (pid: number) => number): number =>
    sandboxed.reduce((total, pid) => {
      try {
        return total + measure(pid);
      } catch {
        return total; // Exited meanwhile.
      }
    }, 0);
  const serverCpu = cpuMicros(server.pid);
  const serverSwitches = voluntarySwitches(server.pid);
  const runtimeCpu = sum(cpuMicros);
  const runtimeSwitches = sum(voluntarySwitches);
  const client = process.cpuUsage();
  const invoked = await callers(seconds * 1000);
  const clientUsed = process.cpuUsage(client);
  for (const connection of connections) {
    connection.close();
  }
  return {
    concurrency,
    perSecond: invoked / seconds,
    serverCpu: (cpuMicros(server.pid) - serverCpu) / invoked,
    clientCpu: (clientUsed.user + clientUsed.system) / invoked,
    runtimeCpu: (sum(cpuMicros) - runtimeCpu) / invoked,
    serverSwitches: (voluntarySwitches(server.pid) - serverSwitches) / invoked,
    runtimeSwitches: (sum(voluntarySwitches) - runtimeSwitches) / invoked,
  };
}

const throughputs: Throughput[] = [];
for (const concurrency of values.concurrency.split(',').map(Number)) {
  throughputs.push(await throughputAt(concurrency));
}

const cold = summary(coldRtt);
const init = summary(coldInit);
const w = summary(warm);
const f = summary(floor);
const d = summary(durations);
await server.stop();

console.log(
  `Fogbank invoke benchmark (isolation ${values.isolation}, ${new Date().toISOString()})`,
);
console.log(
  `cold start, client-observed first invoke (n=${cold.n}): p50 ${fmt(cold.p50)}  p90 ${fmt(cold.p90)}  p99 ${fmt(cold.p99)}`,
);
console.log(
  `cold start, REPORT Init Duration (n=${init.n}):        p50 ${fmt(init.p50)}  p90 ${fmt(init.p90)}  p99 ${fmt(init.p99)}`,
);
console.log(
  `warm invoke round trip (n=${w.n}):                     p50 ${fmt(w.p50)}  p90 ${fmt(w.p90)}  p99 ${fmt(w.p99)}`,
);
console.log(
  `HTTP floor, GET /_fogbank/health (n=${f.n}):           p50 ${fmt(f.p50)}  p90 ${fmt(f.p90)}  p99 ${fmt(f.p99)}`,
);
console.log(
  `handler Duration from REPORT (n=${d.n}):               p50 ${fmt(d.p50)}  p99 ${fmt(d.p99)}`,
);
console.log(
  `warm platform overhead (round trip − HTTP floor):      p50 ${fmt(w.p50 - f.p50)}  p99 ${fmt(w.p99 - f.p99)}`,
);
console.log(
  'throughput: callers, invocations/s, then CPU per invocation (user + system) of the server, the callers and the runtimes (sandboxes), and wake-ups (voluntary context switches) per invocation of the server and the runtimes',
);
for (const t of throughputs) {
  console.log(
    `  ${String(t.concurrency).padStart(3)} callers for ${String(seconds)} s: ${t.perSecond.toFixed(0).padStart(5)}/s   CPU server ${t.serverCpu.toFixed(0)} µs, callers ${t.clientCpu.toFixed(0)} µs, runtimes ${t.runtimeCpu.toFixed(0)} µs   wake-ups server ${t.serverSwitches.toFixed(2)}, runtimes ${t.runtimeSwitches.toFixed(2)}`,
  );
}
