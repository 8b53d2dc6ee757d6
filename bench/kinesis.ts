/**
 * Throughput of the built-in Kinesis-compatible stream through its HTTP handler: PutRecords,
 * PutRecord and GetRecords over loopback HTTP/1.1 keep-alive, on a SQLite file in WAL mode.
 * Bounded: a fixed number of requests. The server runs in this process (so client and server
 * share the CPU). Run: `npx tsc -b && node dist/bench/kinesis.js [--batches 200 --concurrency 8]`.
 */
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { createKinesisHttpHandler } from '../src/api/kinesis/index.js';
import { createSystemClock } from '../src/core/clock.js';
import { createStreamService } from '../src/events/kinesis/index.js';
import { SqliteStreamStore, migrateStreams } from '../src/store/sqlite/streams.js';
import { call, fmt, summary } from './lib.js';

const { values } = parseArgs({
  options: {
    shards: { type: 'string', default: '4' },
    batches: { type: 'string', default: '200' },
    'batch-size': { type: 'string', default: '500' },
    'record-bytes': { type: 'string', default: '100' },
    singles: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '8' },
  },
});
const shards = Number(values.shards);
const batches = Number(values.batches);
const batchSize = Number(values['batch-size']);
const recordBytes = Number(values['record-bytes']);
const singles = Number(values.singles);
const concurrency = Number(values.concurrency);

const dir = await mkdtemp(join(tmpdir(), 'fogbank-bench-kinesis-'));
const db = new Database(join(dir, 'fogbank.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
migrateStreams(db);
const service = createStreamService({
  store: new SqliteStreamStore(db),
  clock: createSystemClock(),
  ctx: { region: 'us-east-1', accountId: '000000000000' },
});
const handler = createKinesisHttpHandler(service);
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => void handler.handle(req, res, Buffer.concat(chunks)));
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address() as AddressInfo;

async function kinesis(operation: string, input: unknown): Promise<Record<string, unknown>> {
  const res = await call(port, 'POST', '/', Buffer.from(JSON.stringify(input)), {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': `Kinesis_20131202.${operation}`,
  });
  const body = JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
  if (res.status !== 200) {
    throw new Error(`${operation}: ${res.status} ${JSON.stringify(body)}`);
  }
  return body;
}

/** Runs `total` calls of `fn` with `concurrency` in flight; returns per-call latencies (ms). */
async function drive(total: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const i = next++;
      const t0 = performance.now();
      await fn(i);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return latencies;
}

/**
 * Wall-clock rates depend on what else the machine runs; CPU time per record (client and server
 * together, both in this process) is the steadier number to compare runs by.
 */
function report(
  name: string,
  seconds: number,
  cpu: NodeJS.CpuUsage,
  records: number,
  bytes: number,
  lat: number[],
) {
  const s = summary(lat);
  const mb = bytes / 1024 / 1024;
  const cpuMicros = (cpu.user + cpu.system) / records;
  process.stdout.write(
    `${name.padEnd(12)} ${String(records).padStart(8)} records in ${seconds.toFixed(2)} s: ` +
      `${Math.round(records / seconds)} records/s, ${(mb / seconds).toFixed(1)} MiB/s, ` +
      `${cpuMicros.toFixed(1)} µs CPU/record; per call p50 ${fmt(s.p50)} p99 ${fmt(s.p99)} (n=${s.n})\n`,
  );
}

try {
  await kinesis('CreateStream', { StreamName: 'bench', ShardCount: shards });
  const payload = Buffer.alloc(recordBytes, 'x').toString('base64');

  let t0 = performance.now();
  let cpu0 = process.cpuUsage();
  const putLat = await drive(batches, (b) =>
    kinesis('PutRecords', {
      StreamName: 'bench',
      Records: Array.from({ length: batchSize }, (_, i) => ({
        PartitionKey: `pk-${b}-${i}`,
        Data: payload,
      })),
    }),
  );
  const putSeconds = (performance.now() - t0) / 1000;
  report(
    'PutRecords',
    putSeconds,
    process.cpuUsage(cpu0),
    batches * batchSize,
    batches * batchSize * recordBytes,
    putLat,
  );

  t0 = performance.now();
  cpu0 = process.cpuUsage();
  const singleLat = await drive(singles, (i) =>
    kinesis('PutRecord', { StreamName: 'bench', PartitionKey: `single-${i}`, Data: payload }),
  );
  report(
    'PutRecord',
    (performance.now() - t0) / 1000,
    process.cpuUsage(cpu0),
    singles,
    singles * recordBytes,
    singleLat,
  );

  // One reader per shard, each draining its shard from the trim horizon, as a KCL worker would.
  t0 = performance.now();
  cpu0 = process.cpuUsage();
  const getLat: number[] = [];
  let read = 0;
  await Promise.all(
    Array.from({ length: shards }, async (_, s) => {
      const shardId = `shardId-${String(s).padStart(12, '0')}`;
      let iterator = String(
        (
          await kinesis('GetShardIterator', {
            StreamName: 'bench',
            ShardId: shardId,
            ShardIteratorType: 'TRIM_HORIZON',
          })
        ).ShardIterator,
      );
      for (;;) {
        const g0 = performance.now();
        const page = await kinesis('GetRecords', { ShardIterator: iterator, Limit: 10000 });
        getLat.push(performance.now() - g0);
        const n = (page.Records as unknown[]).length;
        read += n;
        iterator = String(page.NextShardIterator);
        if (n === 0 || page.MillisBehindLatest === 0) {
          break;
        }
      }
    }),
  );
  report(
    'GetRecords',
    (performance.now() - t0) / 1000,
    process.cpuUsage(cpu0),
    read,
    read * recordBytes,
    getLat,
  );
  const expected = batches * batchSize + singles;
  if (read !== expected) {
    throw new Error(`read ${read} records, wrote ${expected}`);
  }
} finally {
  service.close();
  server.closeAllConnections();
  server.close();
  db.close();
  await rm(dir, { recursive: true, force: true });
}
