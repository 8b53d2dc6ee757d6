/**
 * What a function URL adds to an invocation: the same no-op function invoked directly (Invoke
 * API, no SDK) and through its function URL (path form and host form), in the same server run.
 * Run: `node dist/bench/http.js [--isolation auto|process] [--samples N] [--concurrency C]`.
 */
import { parseArgs } from 'node:util';
import type { HttpRequest } from '../src/gateway/http-request.js';
import { payloadV2Event } from '../src/gateway/payload-v2.js';
import { responseFromV2 } from '../src/gateway/response-v2.js';
import { call, createNoopFunction, fmt, startFogbank, summary } from './lib.js';

const { values } = parseArgs({
  options: {
    isolation: { type: 'string', default: 'auto' },
    samples: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '5' },
  },
});

const server = await startFogbank(['--isolation', values.isolation]);
const port = server.port;
await createNoopFunction(port, 'noop');
const created = await call(
  port,
  'POST',
  '/2021-10-31/functions/noop/url',
  Buffer.from('{"AuthType":"NONE"}'),
  { 'content-type': 'application/json' },
);
if (created.status !== 201) {
  throw new Error(`create URL: ${created.status} ${created.body.toString()}`);
}
const functionUrl = new URL(
  (JSON.parse(created.body.toString()) as { FunctionUrl: string }).FunctionUrl,
);
const urlId = functionUrl.hostname.split('.')[0] ?? '';
const EMPTY = Buffer.from('{}');

type Request = () => Promise<void>;
const expect200 = (what: string, res: { status: number; body: Buffer }): void => {
  if (res.status !== 200) {
    throw new Error(`${what}: ${res.status} ${res.body.toString()}`);
  }
};
const direct: Request = async () => {
  expect200('invoke', await call(port, 'POST', '/2015-03-31/functions/noop/invocations', EMPTY));
};
const pathForm: Request = async () => {
  expect200('URL (path form)', await call(port, 'GET', `/lambda-url/${urlId}/`));
};
const hostForm: Request = async () => {
  expect200('URL (host form)', await call(port, 'GET', '/', undefined, { host: functionUrl.host }));
};

async function latency(request: Request, n: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await request();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return samples;
}

async function throughput(request: Request, concurrency: number, seconds: number): Promise<number> {
  let done = 0;
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        await request();
        done += 1;
      }
    }),
  );
  return done / seconds;
}

const n = Number(values.samples);
const concurrency = Number(values.concurrency);
const seconds = Number(values.seconds);
for (const warm of [direct, pathForm, hostForm]) {
  await latency(warm, 200);
}
// Interleaved rounds, so that drift in the machine's load touches every variant alike.
const lat = { direct: [] as number[], path: [] as number[], host: [] as number[] };
for (let round = 0; round < 10; round++) {
  lat.direct.push(...(await latency(direct, n / 10)));
  lat.path.push(...(await latency(pathForm, n / 10)));
  lat.host.push(...(await latency(hostForm, n / 10)));
}
// Throughput: environments for every caller exist before any variant is timed, and the
// variants take turns, a sixth of the time each round, each first in two of the six rounds.
await throughput(direct, concurrency, 1);
const rate = { direct: 0, path: 0, host: 0 };
const variants = [
  ['direct', direct],
  ['path', pathForm],
  ['host', hostForm],
] as const;
for (let round = 0; round < 6; round++) {
  for (let i = 0; i < variants.length; i++) {
    const [name, request] = variants[(round + i) % variants.length]!;
    rate[name] += (await throughput(request, concurrency, seconds / 6)) / 6;
  }
}
await server.stop();

// The front end's own work per request, in this process and free of the machine's noise: the
// 2.0 event of a typical GET, its JSON, and the mapping of a no-op function's `null`.
const typical: HttpRequest = {
  method: 'GET',
  rawPath: '/orders/7',
  rawQueryString: 'a=1&a=2&b=x',
  headers: [
    ['host', functionUrl.host],
    ['user-agent', 'bench/1'],
    ['accept', '*/*'],
    ['cookie', 'session=abc; theme=dark'],
  ],
  body: Buffer.alloc(0),
  sourceIp: '127.0.0.1',
  protocol: 'HTTP/1.1',
  port,
  hostname: functionUrl.hostname,
  receivedAt: Date.now(),
};
const NULL_RESULT = Buffer.from('null');
const buildN = 100_000;
const t0 = process.hrtime.bigint();
for (let i = 0; i < buildN; i++) {
  const event = payloadV2Event(typical, {
    routeKey: '$default',
    apiId: urlId,
    stage: '$default',
    domainName: functionUrl.hostname,
    domainPrefix: urlId,
    accountId: 'anonymous',
    requestId: 'bench',
  });
  Buffer.from(JSON.stringify(event));
  responseFromV2(NULL_RESULT);
}
const perRequestUs = Number(process.hrtime.bigint() - t0) / 1e3 / buildN;

const d = summary(lat.direct);
const p = summary(lat.path);
const h = summary(lat.host);
console.log(
  `Fogbank function URL benchmark (isolation ${values.isolation}, ${new Date().toISOString()})`,
);
const line = (name: string, s: ReturnType<typeof summary>, perSecond: number): void => {
  console.log(
    `${name.padEnd(34)} p50 ${fmt(s.p50)}  p90 ${fmt(s.p90)}  p99 ${fmt(s.p99)}  ` +
      `${perSecond.toFixed(0)}/s with ${concurrency} callers`,
  );
};
line(`direct Invoke (n=${d.n})`, d, rate.direct);
line(`function URL, path form (n=${p.n})`, p, rate.path);
line(`function URL, host form (n=${h.n})`, h, rate.host);
console.log(
  `front-end work per request (event + JSON + response mapping, in process): ${perRequestUs.toFixed(1)} µs`,
);
console.log(
  `URL overhead over direct Invoke: p50 ${fmt(p.p50 - d.p50)} (path) ${fmt(h.p50 - d.p50)} (host), ` +
    `p99 ${fmt(p.p99 - d.p99)} (path) ${fmt(h.p99 - d.p99)} (host)`,
);
