/**
 * Response streaming through a real `fogbank server`: how soon the first byte reaches the caller
 * of InvokeWithResponseStream compared with a buffered Invoke of the same handler, the warm round
 * trip of a tiny streamed response, and the throughput of a large one.
 * Run: `npm run build && node dist/bench/streaming.js [--isolation auto|process] [--samples N]`.
 */
import { request } from 'node:http';
import { parseArgs } from 'node:util';
import { zipSync } from 'fflate';
import { call, fmt, startFogbank, summary } from './lib.js';

const { values } = parseArgs({
  options: {
    isolation: { type: 'string', default: 'auto' },
    samples: { type: 'string', default: '50' },
  },
});
const samples = Number(values.samples);

const HANDLERS = `
import { setTimeout as sleep } from 'node:timers/promises';
// First piece at once, the rest 200 ms later.
export const late = awslambda.streamifyResponse(async (event, stream) => {
  stream.write('first');
  await sleep(200);
  stream.end('last');
});
export const tiny = awslambda.streamifyResponse(async (event, stream) => {
  stream.end('x');
});
const piece = Buffer.alloc(64 * 1024, 0x61);
export const bulk = awslambda.streamifyResponse(async (event, stream) => {
  for (let i = 0; i < event.pieces; i++) {
    stream.write(piece);
  }
  stream.end();
});
`;
const zip = Buffer.from(zipSync({ 'index.mjs': new TextEncoder().encode(HANDLERS) })).toString(
  'base64',
);

const server = await startFogbank(['--isolation', values.isolation]);
const { port } = server;

async function create(name: string, handler: string): Promise<void> {
  const body = Buffer.from(
    JSON.stringify({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Handler: handler,
      Role: 'arn:aws:iam::000000000000:role/bench',
      MemorySize: 1024,
      Code: { ZipFile: zip },
    }),
  );
  const res = await call(port, 'POST', '/2015-03-31/functions', body, {
    'content-type': 'application/json',
  });
  if (res.status !== 201) {
    throw new Error(`create ${name}: ${res.status} ${res.body.toString()}`);
  }
  for (;;) {
    const got = await call(port, 'GET', `/2015-03-31/functions/${name}/configuration`);
    if ((JSON.parse(got.body.toString()) as { State: string }).State === 'Active') {
      return;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** One InvokeWithResponseStream: ms to the first body byte, ms to the end, bytes received. */
function stream(
  name: string,
  event: unknown,
): Promise<{ first: number; end: number; bytes: number }> {
  const body = Buffer.from(JSON.stringify(event));
  const t0 = process.hrtime.bigint();
  const ms = (): number => Number(process.hrtime.bigint() - t0) / 1e6;
  return new Promise((ok, fail) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/2021-11-15/functions/${name}/response-streaming-invocations`,
        headers: { 'content-length': String(body.length) },
      },
      (res) => {
        if (res.statusCode !== 200) {
          fail(new Error(`stream ${name}: ${String(res.statusCode)}`));
        }
        let first = NaN;
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          if (bytes === 0) {
            first = ms();
          }
          bytes += chunk.length;
        });
        res.on('end', () => {
          ok({ first, end: ms(), bytes });
        });
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

async function invoke(name: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  const res = await call(
    port,
    'POST',
    `/2015-03-31/functions/${name}/invocations`,
    Buffer.from('{}'),
  );
  if (res.status !== 200) {
    throw new Error(`invoke ${name}: ${res.status}`);
  }
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

try {
  await create('late', 'index.late');
  await create('tiny', 'index.tiny');
  await create('bulk', 'index.bulk');
  await stream('late', {});
  await stream('tiny', {});
  await stream('bulk', { pieces: 1 });

  const firstByte: number[] = [];
  const streamedEnd: number[] = [];
  const buffered: number[] = [];
  for (let i = 0; i < samples; i++) {
    const s = await stream('late', {});
    firstByte.push(s.first);
    streamedEnd.push(s.end);
    buffered.push(await invoke('late'));
  }
  const tinyStreamed: number[] = [];
  const tinyBuffered: number[] = [];
  for (let i = 0; i < samples * 4; i++) {
    tinyStreamed.push((await stream('tiny', {})).end);
    tinyBuffered.push(await invoke('tiny'));
  }
  const pieces = 256; // 16 MiB
  const rates: number[] = [];
  for (let i = 0; i < 5; i++) {
    const s = await stream('bulk', { pieces });
    rates.push(s.bytes / 1024 / 1024 / (s.end / 1000));
  }

  const p = (xs: number[]): string => {
    const s = summary(xs);
    return `p50 ${fmt(s.p50)}  p90 ${fmt(s.p90)}  (n=${String(s.n)})`;
  };
  console.log(`isolation ${values.isolation}`);
  console.log(`handler writes, waits 200 ms, ends:`);
  console.log(`  InvokeWithResponseStream first byte  ${p(firstByte)}`);
  console.log(`  InvokeWithResponseStream end         ${p(streamedEnd)}`);
  console.log(`  Invoke (buffered) response           ${p(buffered)}`);
  console.log(`one-byte streamed response, warm round trip:`);
  console.log(`  InvokeWithResponseStream             ${p(tinyStreamed)}`);
  console.log(`  Invoke (buffered)                    ${p(tinyBuffered)}`);
  const r = summary(rates);
  console.log(`16 MiB streamed in 64 KiB writes: p50 ${r.p50.toFixed(0)} MiB/s (n=${String(r.n)})`);
} finally {
  await server.stop();
}
