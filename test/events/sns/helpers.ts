import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { SNSClient } from '@aws-sdk/client-sns';
import type Database from 'better-sqlite3';
import { createSnsHttpHandler, isSnsQueryBody } from '../../../src/api/sns/index.js';
import type { AccountContext } from '../../../src/core/arn.js';
import { ManualClock } from '../../../src/core/clock.js';
import { ServiceError, resourceNotFound } from '../../../src/core/errors.js';
import { createSnsService } from '../../../src/events/sns/index.js';
import type { SnsService } from '../../../src/events/sns/types.js';
import type { LambdaInvokeTarget, QueueTarget } from '../../../src/events/targets.js';
import type { MessageAttribute } from '../../../src/invoke/destinations.js';
import { SqliteTopicStore, migrateTopics } from '../../../src/store/sqlite/topics.js';
import * as shared from '../helpers.js';
import { rejection } from '../helpers.js';

export { rejection };

export const CTX: AccountContext = { region: 'us-east-1', accountId: '123456789012' };
export const TOPIC_PREFIX = `arn:aws:sns:${CTX.region}:${CTX.accountId}:`;

export function functionArn(name: string): string {
  return `arn:aws:lambda:${CTX.region}:${CTX.accountId}:function:${name}`;
}

export function queueArn(name: string): string {
  return `arn:aws:sqs:${CTX.region}:${CTX.accountId}:${name}`;
}

/** A server-side failure: SNS retries these. */
export function serverError(): ServiceError {
  return new ServiceError('ServiceException', 500, 'the endpoint is down', 'Message');
}

/** Invokes recorded as they arrive; functions exist once registered. */
export class RecordingLambda implements LambdaInvokeTarget {
  readonly invocations: { functionArn: string; event: Record<string, unknown> }[] = [];
  readonly functions = new Set<string>();
  calls = 0;
  /** Each call takes the next entry: an error to throw, or undefined to accept. */
  readonly script: (Error | undefined)[] = [];

  invokeAsync(arn: string, payload: Buffer): Promise<void> {
    this.calls++;
    const planned = this.script.shift();
    if (planned) {
      return Promise.reject(planned);
    }
    if (!this.functions.has(arn)) {
      return Promise.reject(resourceNotFound(`Function not found: ${arn}`));
    }
    this.invocations.push({
      functionArn: arn,
      event: JSON.parse(payload.toString('utf8')) as Record<string, unknown>,
    });
    return Promise.resolve();
  }

  functionExists(arn: string): Promise<boolean> {
    return Promise.resolve(this.functions.has(arn));
  }
}

export interface SentMessage {
  readonly queueArn: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, MessageAttribute>> | undefined;
}

/** Sends recorded as they arrive; queues exist once registered. */
export class RecordingQueues implements QueueTarget {
  readonly sent: SentMessage[] = [];
  readonly queues = new Set<string>();
  readonly script: (Error | undefined)[] = [];

  sendToQueue(
    arn: string,
    body: string,
    attributes?: Readonly<Record<string, MessageAttribute>>,
  ): Promise<void> {
    const planned = this.script.shift();
    if (planned) {
      return Promise.reject(planned);
    }
    if (!this.queues.has(arn)) {
      return Promise.reject(
        new ServiceError('QueueDoesNotExist', 400, 'The specified queue does not exist.'),
      );
    }
    this.sent.push({ queueArn: arn, body, attributes });
    return Promise.resolve();
  }

  queueExists(arn: string): Promise<boolean> {
    return Promise.resolve(this.queues.has(arn));
  }
}

export function tempDir(t: TestContext): string {
  return shared.tempDir(t, 'fogbank-sns-');
}

/** Opens `<dir>/fogbank.db` the way the store does: WAL, synchronous=FULL, migrated. */
export function openDatabase(dir: string): Database.Database {
  return shared.openDatabase(dir, migrateTopics);
}

export interface TestSns {
  readonly service: SnsService;
  readonly clock: ManualClock;
  readonly db: Database.Database;
  readonly dir: string;
  readonly lambda: RecordingLambda;
  readonly queues: RecordingQueues;
  readonly warnings: string[];
  /** Stops the service and closes its database (also done after the test). */
  close(): Promise<void>;
}

export interface TestSnsOptions {
  /** Reopen the database of an earlier instance (to test durability). */
  readonly dir?: string;
  readonly clock?: ManualClock;
  /** Default true. */
  readonly start?: boolean;
}

/** A started topic service on SQLite in a temp dir, with recording targets and a ManualClock. */
export function createTestSns(t: TestContext, options: TestSnsOptions = {}): TestSns {
  const dir = options.dir ?? tempDir(t);
  const db = openDatabase(dir);
  const clock = options.clock ?? new ManualClock();
  const lambda = new RecordingLambda();
  const queues = new RecordingQueues();
  const warnings: string[] = [];
  const service = createSnsService({
    store: new SqliteTopicStore(db),
    clock,
    ctx: CTX,
    lambda,
    queues,
    onWarning: (m) => warnings.push(m),
  });
  if (options.start ?? true) {
    service.start();
  }
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= service.stop().then(() => {
      db.close();
    });
    return closed;
  };
  t.after(close);
  return { service, clock, db, dir, lambda, queues, warnings, close };
}

export interface TestServer extends TestSns {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly sns: SNSClient;
}

/**
 * The SNS handler on a real http.Server on port 0, routing as the main router will: `matches`
 * first, then `isSnsQueryBody` for unsigned form bodies.
 */
export async function startSnsServer(t: TestContext): Promise<TestServer> {
  const sns = createTestSns(t);
  const handler = createSnsHttpHandler(sns.service, CTX);
  const { url, client } = await shared.serveWithClient(
    t,
    (req, res, body) => {
      if (!handler.matches(req) && !isSnsQueryBody(body)) {
        res.writeHead(404).end('not an SNS request');
        return;
      }
      void handler.handle(req, res, body);
    },
    (config) => new SNSClient(config),
    CTX.region,
  );
  return { ...sns, url, sns: client };
}

/** Asserts that a promise rejects with this error name and message. */
export async function refused(
  promise: Promise<unknown>,
  name: string,
  message: string | RegExp,
): Promise<void> {
  const error = await rejection(promise);
  assert.equal(error.name, name);
  if (typeof message === 'string') {
    assert.equal(error.message, message);
  } else {
    assert.match(error.message, message);
  }
}
