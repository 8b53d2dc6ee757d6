/**
 * SQS throughput through the HTTP handler, driven by the real AWS SDK (JSON protocol) over
 * loopback. The server (handler, queue service, SQLite in WAL mode with synchronous=FULL, as the
 * platform's store opens it) runs in a worker thread so the SDK's own CPU cost does not share
 * its thread.
 *
 *   npx tsc -b && node dist/bench/sqs.js [messages] [synchronous]
 *
 * Every loop is bounded by the message count (default 4000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import Database from 'better-sqlite3';
import { createSqsHttpHandler } from '../src/api/sqs/index.js';
import { createSystemClock } from '../src/core/clock.js';
import { createQueueService } from '../src/events/sqs/index.js';
import { migrateQueues, SqliteQueueStore } from '../src/store/sqlite/queues.js';

const CTX = { region: 'us-east-1', accountId: '123456789012' };

interface ServerData {
  readonly dir: string;
  readonly synchronous: string;
}

/** The server side: runs in the worker thread and reports its port. */
async function serve({ dir, synchronous }: ServerData): Promise<void> {
  const db = new Database(join(dir, 'fogbank.db'));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  migrateQueues(db);
  const service = createQueueService({
    store: new SqliteQueueStore(db),
    clock: createSystemClock(),
    ctx: CTX,
  });
  const handler = createSqsHttpHandler(service, CTX);
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void handler.handle(req, res, Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  parentPort?.postMessage(typeof address === 'object' && address ? address.port : 0);
}

/**
 * Runs operations `workers` at a time while `more()` holds; each returns how many messages it
 * handled. Returns messages per second.
 */
async function measure(
  workers: number,
  more: () => boolean,
  operation: () => Promise<number>,
): Promise<number> {
  let handled = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (more()) {
        // Await first: `handled += await …` would read `handled` before the await and lose updates.
        const n = await operation();
        handled += n;
      }
    }),
  );
  return handled / ((performance.now() - started) / 1000);
}

/** A predicate that holds `n` times. */
function times(n: number): () => boolean {
  let left = n;
  return () => left-- > 0;
}

function report(name: string, perSecond: number): void {
  process.stdout.write(`${name.padEnd(56)} ${perSecond.toFixed(0).padStart(7)} messages/s\n`);
}

async function drive(messages: number, synchronous: string): Promise<void> {
  const concurrency = 16;
  const body = JSON.stringify({ orderId: 12345, items: ['a', 'b', 'c'], note: 'x'.repeat(200) });
  const dir = mkdtempSync(join(tmpdir(), 'fogbank-bench-sqs-'));
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { dir, synchronous } satisfies ServerData,
  });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const sqs = new SQSClient({
    endpoint: `http://127.0.0.1:${String(port)}`,
    region: CTX.region,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 1,
  });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'bench' }));
  const send = async (): Promise<number> => {
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
    return 1;
  };
  let batchNumber = 0;
  const sendBatch = async (): Promise<number> => {
    const batch = String(batchNumber++);
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: Array.from({ length: 10 }, (_, j) => ({
          Id: `m${batch}-${String(j)}`,
          MessageBody: body,
        })),
      }),
    );
    return 10;
  };
  const receiveAndDelete = async (): Promise<number> => {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    for (const m of Messages) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
    return Messages.length;
  };
  const receiveAndDeleteBatch = async (): Promise<number> => {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }),
    );
    if (Messages.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    return Messages.length;
  };

  process.stdout.write(
    `SQS through the HTTP handler, AWS SDK v3 over loopback, SQLite synchronous=${synchronous}\n`,
  );
  // Warm up the connection pool, the JIT and SQLite's page cache.
  await measure(concurrency, times(200), send);
  await sqs.send(new PurgeQueueCommand({ QueueUrl }));

  report('SendMessage, 1 client', await measure(1, times(messages / 4), send));
  report(
    `SendMessage, ${String(concurrency)} concurrent`,
    await measure(concurrency, times(messages), send),
  );
  report(
    `SendMessageBatch(10), ${String(concurrency)} concurrent`,
    await measure(concurrency, times(messages / 10), sendBatch),
  );
  report(
    'ReceiveMessage(1) + DeleteMessage, 1 client',
    await measure(1, times(messages / 4), receiveAndDelete),
  );
  let drained = false;
  report(
    `ReceiveMessage(10) + DeleteMessageBatch, ${String(concurrency)} concurrent`,
    await measure(
      concurrency,
      () => !drained,
      async () => {
        const handled = await receiveAndDeleteBatch();
        drained ||= handled === 0;
        return handled;
      },
    ),
  );
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  process.stdout.write(
    `messages left in the queue: ${Attributes?.ApproximateNumberOfMessages ?? '?'}\n`,
  );

  sqs.destroy();
  await worker.terminate();
  rmSync(dir, { recursive: true, force: true });
}

if (isMainThread) {
  await drive(Number(process.argv[2] ?? 4000), process.argv[3] ?? 'FULL');
} else {
  await serve(workerData as ServerData);
}
