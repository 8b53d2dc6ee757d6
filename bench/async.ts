/**
 * Asynchronous invocation: how many Event invokes per second are accepted durably (202 after
 * commit), and how many run end to end, for a no-op function on a real `fogbank server`.
 * Run: `node dist/bench/async.js [--events N] [--concurrency C]`.
 */
import { parseArgs } from 'node:util';
import { zipSync } from 'fflate';
import { call, startFogbank } from './lib.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '64' },
  },
});
const total = Number(values.events);
const concurrency = Number(values.concurrency);

const server = await startFogbank(['--isolation', 'auto']);
const port = server.port;
const zip = Buffer.from(
  zipSync({ 'index.js': new TextEncoder().encode('exports.handler = async () => null;\n') }),
).toString('base64');
const created = await call(
  port,
  'POST',
  '/2015-03-31/functions',
  Buffer.from(
    JSON.stringify({
      FunctionName: 'noop',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: 'arn:aws:iam::000000000000:role/bench',
      Code: { ZipFile: zip },
    }),
  ),
  { 'content-type': 'application/json' },
);
if (created.status !== 201) {
  throw new Error(`create: ${created.status} ${created.body.toString()}`);
}
for (;;) {
  const got = await call(port, 'GET', '/2015-03-31/functions/noop/configuration');
  if ((JSON.parse(got.body.toString()) as { State: string }).State === 'Active') {
    break;
  }
  await new Promise((r) => setTimeout(r, 5));
}
// Hold the function at reserved concurrency 0 while accepting, so acceptance is measured alone.
const reserve = (n: number | undefined) =>
  n === undefined
    ? call(port, 'DELETE', '/2017-10-31/functions/noop/concurrency')
    : call(
        port,
        'PUT',
        '/2017-10-31/functions/noop/concurrency',
        Buffer.from(JSON.stringify({ ReservedConcurrentExecutions: n })),
        { 'content-type': 'application/json' },
      );
await reserve(0);

const event = Buffer.from('{"bench":true}');
let sent = 0;
const t0 = process.hrtime.bigint();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (sent < total) {
      sent += 1;
      const res = await call(port, 'POST', '/2015-03-31/functions/noop/invocations', event, {
        'x-amz-invocation-type': 'Event',
      });
      if (res.status !== 202) {
        throw new Error(`invoke: ${res.status} ${res.body.toString()}`);
      }
    }
  }),
);
const acceptSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

// Release the queue and time until every event has run (the log has one REPORT per event).
const t1 = process.hrtime.bigint();
await reserve(undefined);
let reports = 0;
let nextToken: string | undefined;
while (reports < total) {
  const res = await call(
    port,
    'POST',
    '/',
    Buffer.from(
      JSON.stringify({
        logGroupName: '/aws/lambda/noop',
        filterPattern: 'REPORT',
        ...(nextToken ? { nextToken } : {}),
      }),
    ),
    {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'Logs_20140328.FilterLogEvents',
    },
  );
  const page = JSON.parse(res.body.toString()) as { events: unknown[]; nextToken?: string };
  reports += page.events.length;
  nextToken = page.nextToken ?? nextToken;
  if (page.events.length === 0) {
    await new Promise((r) => setTimeout(r, 100));
  }
}
const runSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
await server.stop();

console.log(`Fogbank async benchmark (${new Date().toISOString()})`);
console.log(
  `accepted durably: ${total} events in ${acceptSeconds.toFixed(2)} s = ${(total / acceptSeconds).toFixed(0)}/s (${concurrency} callers)`,
);
console.log(
  `run end to end from the queue: ${total} events in ${runSeconds.toFixed(2)} s = ${(total / runSeconds).toFixed(0)}/s`,
);
