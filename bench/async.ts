/**
 * Asynchronous invocation on a real `fogbank server`, for no-op functions:
 *
 * 1. accepted durably: Event invokes answered 202 (after their group commit) per second, with the
 *    function held at reserved concurrency 0 so acceptance is measured alone — the dispatcher
 *    meanwhile finds the function throttled, as a flood against a capped function would;
 * 2. end to end: Event invokes of a second, unthrottled function, from the first send until the
 *    last event has run (one REPORT line per event in its log);
 * 3. a waiting function: events of a handler that waits 1 s, all sent at once, until the last has
 *    run, against the time the starting slots alone would need.
 *
 * Run: `node dist/bench/async.js [--events N] [--concurrency C] [--client raw|http]
 * [--wrk-seconds S] [--waiting-events W]`. Loops are bounded by N. The callers use raw keep-alive
 * sockets (bench/lib.ts RawConnection) unless `--client http` picks node:http's client, which
 * costs the shared cores about as much CPU per request as the server spends. Where `wrk` is installed
 * (`apt-get install wrk`), acceptance is measured once more with it as the load generator for S
 * seconds: a C client leaves the server nearly both cores; every answer must be a 2xx.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import {
  call,
  cpuMicros,
  createFunction,
  createNoopFunction,
  encodeRequest,
  RawConnection,
  startFogbank,
  treeCpuMicros,
} from './lib.js';

const { values } = parseArgs({
  options: {
    // 60,000: about 12 s end to end, so that the environments' and the server's warm-up (JIT,
    // first environments) weigh little; at 20,000 (5 s) they cost ~20 % of the rate.
    events: { type: 'string', default: '60000' },
    concurrency: { type: 'string', default: '64' },
    client: { type: 'string', default: 'raw' },
    'wrk-seconds': { type: 'string', default: '5' },
    'waiting-events': { type: 'string', default: '32' },
  },
});
if (values.client !== 'raw' && values.client !== 'http') {
  throw new Error('--client is raw or http');
}
const total = Number(values.events);
const concurrency = Number(values.concurrency);
const waitingEvents = Number(values['waiting-events']);
/** The async slots a node starts with (FOGBANK_ASYNC_WORKERS, as the server reads it). */
const startingSlots = Number(process.env.FOGBANK_ASYNC_WORKERS ?? 4 * availableParallelism());

const server = await startFogbank(['--isolation', 'auto']);
const port = server.port;

/** The Event invoke of `name` as one caller sends it: each one its own request and body. */
function invokeRequest(name: string, seq: number): { path: string; body: Buffer } {
  return {
    path: `/2015-03-31/functions/${name}/invocations`,
    body: Buffer.from(`{"bench":${String(seq)}}`),
  };
}

const EVENT = { 'x-amz-invocation-type': 'Event' };

/** Sends `total` Event invokes from `concurrency` callers; returns the seconds it took. */
async function send(name: string): Promise<number> {
  const connections =
    values.client === 'raw'
      ? await Promise.all(Array.from({ length: concurrency }, () => RawConnection.open(port)))
      : [];
  let sent = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, caller) => {
      const connection = connections[caller];
      while (sent < total) {
        const { path, body } = invokeRequest(name, sent);
        sent += 1;
        const res = connection
          ? await connection.send(encodeRequest('POST', path, EVENT, body))
          : await call(port, 'POST', path, body, EVENT);
        if (res.status !== 202) {
          throw new Error(`invoke: ${String(res.status)} ${res.body.toString()}`);
        }
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  for (const connection of connections) {
    connection.close();
  }
  return seconds;
}

/**
 * Event invokes of `name` from wrk (one thread, `concurrency` connections, the same small body
 * each time) for `seconds`: the line to print, or why it was skipped. Fails on any non-2xx
 * answer or socket error, so every request counted was accepted durably.
 */
async function wrkAccept(name: string, seconds: number): Promise<string> {
  if (seconds <= 0) {
    return 'accepted durably, wrk as the client: skipped (--wrk-seconds 0)';
  }
  const dir = await mkdtemp(join(tmpdir(), 'fogbank-bench-wrk-'));
  try {
    const script = join(dir, 'event.lua');
    await writeFile(
      script,
      'wrk.method = "POST"\nwrk.body = \'{"bench":true}\'\n' +
        'wrk.headers["X-Amz-Invocation-Type"] = "Event"\n',
    );
    const cpu0 = cpuMicros(server.pid);
    const url = `http://127.0.0.1:${String(port)}/2015-03-31/functions/${name}/invocations`;
    const args = ['-t1', `-c${String(concurrency)}`, `-d${String(seconds)}s`, '-s', script, url];
    const { stdout } = await promisify(execFile)('wrk', args).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return { stdout: '' };
      }
      throw err;
    });
    if (stdout === '') {
      return 'accepted durably with wrk: skipped, wrk is not installed (apt-get install wrk)';
    }
    const cpu = cpuMicros(server.pid) - cpu0;
    const done = /(\d+) requests in ([\d.]+)(m?s)/.exec(stdout);
    if (done === null || /Non-2xx|Socket errors/.test(stdout)) {
      throw new Error(`wrk: not every answer was a 202:\n${stdout}`);
    }
    const requests = Number(done[1]);
    const elapsed = Number(done[2]) / (done[3] === 'ms' ? 1000 : 1);
    return `accepted durably, function throttled, wrk as the client: ${String(requests)} events in ${elapsed.toFixed(2)} s = ${(requests / elapsed).toFixed(0)}/s (${String(concurrency)} connections), ${(cpu / requests).toFixed(1)} µs server CPU/event`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Event invokes of a function that waits 1 s and uses no CPU, all sent at once: from the first
 * send until the last has run. The async slots scale out for such a function (AsyncSlots).
 */
async function waitingRun(): Promise<number> {
  await createFunction(
    port,
    'waiting',
    'exports.handler = () => new Promise((r) => setTimeout(r, 1000));\n',
    { Timeout: 10 },
  );
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: waitingEvents }, async (_, seq) => {
      const { path, body } = invokeRequest('waiting', seq);
      const res = await call(port, 'POST', path, body, EVENT);
      if (res.status !== 202) {
        throw new Error(`invoke: ${String(res.status)} ${res.body.toString()}`);
      }
    }),
  );
  await reports('waiting', waitingEvents);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Waits until the function's log holds `count` REPORT lines (one per finished invocation). */
async function reports(name: string, count: number): Promise<void> {
  let seen = 0;
  let nextToken: string | undefined;
  while (seen < count) {
    const res = await call(
      port,
      'POST',
      '/',
      Buffer.from(
        JSON.stringify({
          logGroupName: `/aws/lambda/${name}`,
          filterPattern: 'REPORT',
          ...(nextToken ? { nextToken } : {}),
        }),
      ),
      {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Logs_20140328.FilterLogEvents',
      },
    );
    const page = JSON.parse(res.body.toString()) as { events?: unknown[]; nextToken?: string };
    seen += page.events?.length ?? 0;
    nextToken = page.nextToken ?? nextToken;
    // At most 50 polls a second: the last run is known within 20 ms, and polling back to back
    // would charge the run with the server's work of answering them.
    await new Promise((r) => setTimeout(r, 20));
  }
}

await createNoopFunction(port, 'held');
await createNoopFunction(port, 'noop');
const held = await call(
  port,
  'PUT',
  '/2017-10-31/functions/held/concurrency',
  Buffer.from(JSON.stringify({ ReservedConcurrentExecutions: 0 })),
  { 'content-type': 'application/json' },
);
if (held.status !== 200) {
  throw new Error(`reserve: ${String(held.status)}`);
}
const cpu0 = cpuMicros(server.pid);
const client0 = process.cpuUsage();
const acceptSeconds = await send('held');
const cpu1 = cpuMicros(server.pid);
const client1 = process.cpuUsage(client0);

const tree1 = treeCpuMicros(server.pid);
const t1 = process.hrtime.bigint();
const sendSeconds = await send('noop');
await reports('noop', total);
const runSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
const cpu2 = cpuMicros(server.pid);
const tree2 = treeCpuMicros(server.pid);
const waitingSeconds = await waitingRun();
// Last, so that the events it leaves queued (throttled) weigh on nothing else measured.
const withWrk = await wrkAccept('held', Number(values['wrk-seconds']));
await server.stop();

const rate = (seconds: number): string => (total / seconds).toFixed(0);
// The server process's own CPU per event (its sandboxes' excluded): unlike the rates, it hardly
// depends on what else shares the machine.
const perEvent = (micros: number): string => `${(micros / total).toFixed(1)} µs server CPU/event`;
console.log(
  `Fogbank async benchmark (${new Date().toISOString()}, ${values.client === 'raw' ? 'raw-socket' : 'node:http'} client)`,
);
console.log(
  `accepted durably, function throttled: ${String(total)} events in ${acceptSeconds.toFixed(2)} s = ${rate(acceptSeconds)}/s (${String(concurrency)} callers), ${perEvent(cpu1 - cpu0)}, ${((client1.user + client1.system) / total).toFixed(1)} µs client CPU/event`,
);
console.log(withWrk);
console.log(
  `accepted durably while running: ${String(total)} events in ${sendSeconds.toFixed(2)} s = ${rate(sendSeconds)}/s`,
);
console.log(
  `end to end, first send to last run: ${String(total)} events in ${runSeconds.toFixed(2)} s = ${rate(runSeconds)}/s, ${perEvent(cpu2 - cpu1)}, ${((tree2 - tree1) / total).toFixed(1)} µs CPU/event with its environments`,
);
console.log(
  `a waiting function (1 s, no CPU): ${String(waitingEvents)} events in ${waitingSeconds.toFixed(2)} s, first send to last run; at a fixed ${String(startingSlots)} slots at least ${String(Math.ceil(waitingEvents / startingSlots))} s`,
);
