/**
 * Event source mapping fixtures: the real queue and stream engines and the mapping store on one
 * SQLite database in a temp dir, a ManualClock (unless a test needs real time), a stand-in
 * FunctionResolver and a recording Invoker (those are outside the part under test), and the real
 * Lambda API handler with a real LambdaClient.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { LambdaClient } from '@aws-sdk/client-lambda';
import Database from 'better-sqlite3';
import { createApiHandler } from '../../../src/api/index.js';
import type { AccountContext } from '../../../src/core/arn.js';
import { ManualClock, type Clock } from '../../../src/core/clock.js';
import { resourceNotFound, tooManyRequests } from '../../../src/core/errors.js';
import type { ControlPlane } from '../../../src/control/types.js';
import {
  createEventSourceMappings,
  type EventSourceMappings,
} from '../../../src/events/esm/index.js';
import { createStreamService, type StreamService } from '../../../src/events/kinesis/index.js';
import { createQueueService, type QueueService } from '../../../src/events/sqs/index.js';
import type {
  FunctionResolver,
  InvokeInput,
  InvokeOutput,
  Invoker,
  ResolvedVersion,
} from '../../../src/invoke/types.js';
import {
  ESM_MIGRATION,
  SqliteEventSourceMappingStore,
} from '../../../src/store/sqlite/esm-tables.js';
import { migrate } from '../../../src/store/sqlite/migrations.js';
import { migrateQueues, SqliteQueueStore } from '../../../src/store/sqlite/queues.js';
import { migrateStreams, SqliteStreamStore } from '../../../src/store/sqlite/streams.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export const CTX: AccountContext = { region: 'us-east-1', accountId: '000000000000' };
export const ROLE = 'arn:aws:iam::000000000000:role/lambda-exec';

/** How the recording invoker answers one call: a payload, a function error, or a thrown error. */
export type Answer =
  { readonly payload?: unknown } | { readonly functionError: true } | { readonly throw: Error };

export interface InvokeCall {
  readonly input: InvokeInput;
  /** The parsed event. */
  readonly event: { Records?: Record<string, unknown>[] } & Record<string, unknown>;
  readonly at: number;
}

/** An Invoker that records every call and answers through `answer` (default: success). */
export class RecordingInvoker implements Invoker {
  readonly calls: InvokeCall[] = [];
  answer: (call: InvokeCall) => Answer | Promise<Answer> = () => ({});
  inFlight = 0;
  maxInFlight = 0;
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  async invoke(input: InvokeInput): Promise<InvokeOutput> {
    const call: InvokeCall = {
      input,
      event: JSON.parse(input.payload.toString('utf8')) as InvokeCall['event'],
      at: this.#clock.now(),
    };
    this.calls.push(call);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const answer = await this.answer(call);
      if ('throw' in answer) {
        throw answer.throw;
      }
      if ('functionError' in answer) {
        return {
          statusCode: 200,
          executedVersion: '$LATEST',
          functionError: 'Unhandled',
          payload: Buffer.from('{"errorMessage":"boom","errorType":"Error"}'),
        };
      }
      return {
        statusCode: 200,
        executedVersion: '$LATEST',
        payload: Buffer.from(JSON.stringify(answer.payload ?? null)),
      };
    } finally {
      this.inFlight--;
    }
  }

  /** Every record delivered so far, in call order. */
  records(): Record<string, unknown>[] {
    return this.calls.flatMap((c) => c.event.Records ?? []);
  }
}

export const OK: Answer = {};
export const FAILED: Answer = { functionError: true };

export const THROTTLE: Answer = {
  throw: tooManyRequests('ReservedFunctionConcurrentInvocationLimitExceeded', 1),
};

/** Functions by name with their timeout; anything else is not found. */
export function stubResolver(functions: Record<string, number> = { orders: 3 }): FunctionResolver {
  return {
    resolve(functionName, qualifier) {
      const timeout = functions[functionName];
      if (timeout === undefined) {
        return Promise.reject(
          resourceNotFound(
            `Function not found: arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
          ),
        );
      }
      const version: Partial<ResolvedVersion> = {
        functionName,
        functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
        version: qualifier ?? '$LATEST',
        role: ROLE,
        timeoutSeconds: timeout,
      };
      return Promise.resolve(version as ResolvedVersion);
    },
    totalReservedConcurrency: () => 0,
    onChange: () => undefined,
  };
}

export interface Fixture {
  readonly dir: string;
  readonly db: Database.Database;
  readonly clock: ManualClock;
  readonly queues: QueueService;
  readonly streams: StreamService;
  readonly invoker: RecordingInvoker;
  readonly warnings: string[];
  readonly published: { topicArn: string; message: string }[];
  esm: EventSourceMappings;
  /** Stops the mappings and builds new ones on the same database, as a restart does. */
  restart(): Promise<void>;
}

export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'fogbank-esm-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

export function openDatabase(dir: string, now: number): Database.Database {
  const db = new Database(join(dir, 'fogbank.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  migrateQueues(db);
  migrateStreams(db);
  migrate(db, [ESM_MIGRATION], now);
  return db;
}

/** Queues, streams and mappings on one database; the mappings are started. */
export async function openFixture(
  t: TestContext,
  options: { functions?: Record<string, number>; clock?: Clock } = {},
): Promise<Fixture> {
  const dir = tempDir(t);
  const manual = new ManualClock();
  const clock = options.clock ?? manual;
  const db = openDatabase(dir, clock.now());
  const queues = createQueueService({ store: new SqliteQueueStore(db), clock, ctx: CTX });
  const streams = createStreamService({ store: new SqliteStreamStore(db), clock, ctx: CTX });
  const invoker = new RecordingInvoker(clock);
  const warnings: string[] = [];
  const published: { topicArn: string; message: string }[] = [];
  const build = (): EventSourceMappings =>
    createEventSourceMappings({
      store: new SqliteEventSourceMappingStore(db),
      clock,
      ctx: CTX,
      invoker,
      resolver: stubResolver(options.functions),
      queues,
      streams,
      onFailure: {
        sendToQueue: async (queueArn, body) => {
          await queues.sendMessage(queueArn, { body });
        },
        queueExists: async (queueArn) =>
          queues.getQueue(queueArn).then(
            () => true,
            () => false,
          ),
        publishToTopic: (topicArn, message) => {
          published.push({ topicArn, message });
          return Promise.resolve('id');
        },
        topicExists: () => Promise.resolve(true),
      },
      onWarning: (message) => warnings.push(message),
    });
  const fixture: Fixture = {
    dir,
    db,
    clock: manual,
    queues,
    streams,
    invoker,
    warnings,
    published,
    esm: build(),
    async restart() {
      await fixture.esm.stop();
      fixture.esm = build();
      await fixture.esm.start();
    },
  };
  await fixture.esm.start();
  t.after(async () => {
    await fixture.esm.stop();
    queues.close();
    streams.close();
    db.close();
  });
  return fixture;
}

/**
 * Lets queued work run until `done()` holds: turns of the event loop (SQLite writes commit on the
 * next turn), advancing the ManualClock by `stepMs` per turn when given. Fails after `turns`.
 */
export async function until(
  done: () => boolean,
  options: { clock?: ManualClock; stepMs?: number; turns?: number } = {},
): Promise<void> {
  const turns = options.turns ?? 5000;
  for (let i = 0; i < turns; i++) {
    if (done()) {
      return;
    }
    if (options.clock !== undefined && options.stepMs !== undefined) {
      await options.clock.advance(options.stepMs);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition not reached');
}

/** A few turns of the event loop: enough for pending store writes and wake-ups to run. */
export async function settle(turns = 50): Promise<void> {
  for (let i = 0; i < turns; i++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Advances the ManualClock by `totalMs` in steps, letting the work each step starts run. */
export async function tick(clock: ManualClock, totalMs: number, stepMs: number): Promise<void> {
  for (let t = 0; t < totalMs; t += stepMs) {
    await clock.advance(stepMs);
    await settle(5);
  }
}

/** Waits (on event-loop turns) until the mapping reports a settled state. */
export async function settled(fixture: Fixture, uuid: string): Promise<string> {
  let state = '';
  await until(() => {
    void fixture.esm.getEventSourceMapping(uuid).then((m) => {
      state = String(m.State);
    });
    return state === 'Enabled' || state === 'Disabled';
  });
  return state;
}

/** The Lambda API handler with these mappings, on port 0, and a LambdaClient for it. */
export async function startApi(t: TestContext, fixture: Fixture): Promise<LambdaClient> {
  // Mapping operations never reach the control plane.
  const control = new Proxy({} as ControlPlane, {
    get: () => () => Promise.reject(new Error('control plane not under test')),
  });
  const server = createServer(
    createApiHandler({
      control,
      invoker: fixture.invoker,
      ctx: CTX,
      eventSourceMappings: fixture.esm,
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new LambdaClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: CTX.region,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    maxAttempts: 1,
  });
  t.after(async () => {
    client.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return client;
}

export function queueArnOf(name: string): string {
  return `arn:aws:sqs:${CTX.region}:${CTX.accountId}:${name}`;
}

export function streamArnOf(name: string): string {
  return `arn:aws:kinesis:${CTX.region}:${CTX.accountId}:stream/${name}`;
}
