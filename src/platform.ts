import { mkdir, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from './config/config.js';
import type { AccountContext } from './core/arn.js';
import { createSystemClock, type Clock } from './core/clock.js';
import { createFrontDoor } from './api/front-door.js';
import { createApiHandler } from './api/index.js';
import { createApiGatewayV2HttpHandler } from './api/apigatewayv2/index.js';
import { createElbv2HttpHandler, isElbv2QueryBody } from './api/elbv2/index.js';
import { createEventBridgeHttpHandler } from './api/eventbridge/index.js';
import { createKinesisHttpHandler } from './api/kinesis/index.js';
import { listenApi, type ApiListener } from './api/listener.js';
import { createLogsHttpHandler } from './api/logs/index.js';
import { createSnsHttpHandler, isSnsQueryBody } from './api/sns/index.js';
import { createSqsHttpHandler } from './api/sqs/index.js';
import { createControlPlane, type Registry } from './control/index.js';
import { HttpApiService } from './control/http-apis/index.js';
import { TargetGroupService } from './control/target-groups/index.js';
import {
  createFunctionConfigServices,
  type FunctionConfigServices,
} from './control/function-config/index.js';
import { createEventSourceMappings } from './events/esm/index.js';
import { createHttpTriggers } from './gateway/index.js';
import { createEventBridgeService } from './events/eventbridge/index.js';
import { createStreamService } from './events/kinesis/index.js';
import { createSnsService } from './events/sns/index.js';
import { createQueueService, type QueueService } from './events/sqs/index.js';
import type { QueueTarget } from './events/targets.js';
import { AsyncDispatcher } from './invoke/async-dispatcher.js';
import { AsyncSlots, spareCpuProbe } from './invoke/async-slots.js';
import { AsyncQueue } from './invoke/async-queue.js';
import { ConcurrencyGate } from './invoke/concurrency.js';
import { DestinationDelivery } from './invoke/destinations.js';
import { FunctionInvoker, type RuntimeVersionInfo } from './invoke/invoker.js';
import { createLambdaTarget } from './invoke/lambda-target.js';
import { ProvisionedConcurrencyKeeper } from './invoke/provisioned-concurrency.js';
import { RetryPolicy } from './invoke/retry-policy.js';
import type { AsyncConfigSource } from './invoke/types.js';
import { LogWriter } from './observe/log-writer.js';
import { cleanupStale, createEnvironmentPool, resolveRuntime } from './sandbox/index.js';
import type { EnvironmentPool } from './sandbox/types.js';
import { openSqliteStore, type Store } from './store/index.js';
import { SqliteEventSourceMappingStore } from './store/sqlite/esm-tables.js';
import { SqliteFunctionConfigStore } from './store/sqlite/function-config-tables.js';
import { SqliteHttpApiStore } from './store/sqlite/http-api-tables.js';
import { SqliteTargetGroupStore } from './store/sqlite/target-group-tables.js';
import { migrateQueues, SqliteQueueStore } from './store/sqlite/queues.js';
import { migrateRules, SqliteRuleStore } from './store/sqlite/rules.js';
import { migrateStreams, SqliteStreamStore } from './store/sqlite/streams.js';
import { migrateTopics, SqliteTopicStore } from './store/sqlite/topics.js';

/** The repository's src/runtimes, mounted read-only into every environment as /var/runtime. */
export const RUNTIMES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../src/runtimes');

export interface Platform {
  /** `http://host:port` of the API. */
  readonly url: string;
  readonly port: number;
  readonly pool: EnvironmentPool;
  readonly store: Store;
  /** Stops accepting requests, lets in-flight invocations finish within the grace period, then stops everything. */
  stop(): Promise<void>;
}

export interface PlatformOptions {
  readonly clock?: Clock;
  /** Called with warnings a user must see (e.g. environments are not isolated). */
  readonly onWarning?: (message: string) => void;
}

/**
 * The composition root: builds every service from the Config, starts them in order, and
 * stops them in reverse. Nothing else reads configuration or wires services together.
 */
export async function startPlatform(
  config: Config,
  options: PlatformOptions = {},
): Promise<Platform> {
  const clock = options.clock ?? createSystemClock();
  const onWarning = options.onWarning ?? (() => undefined);
  const dataDir = resolve(config.dataDir);
  const runDir = join(dataDir, 'run');
  await mkdir(dataDir, { recursive: true });
  const cleanup = await cleanupStale(runDir);
  if (cleanup.leftovers.length > 0) {
    onWarning(
      `Could not remove ${String(cleanup.leftovers.length)} stale cgroup(s) left by dead servers (their processes did not exit); starting anyway`,
    );
  }
  await mkdir(runDir, { recursive: true });

  const ctx: AccountContext = { region: config.region, accountId: config.accountId };
  const store = await openSqliteStore(dataDir, {
    clock,
    onWarning,
    ...(config.secretKey !== undefined && { secretKey: config.secretKey }),
  });
  const db = store.database;
  migrateQueues(db);
  migrateStreams(db);
  migrateTopics(db);
  migrateRules(db);

  // The API's address is needed before the services exist (code URLs, AWS_ENDPOINT_URL), so the
  // listeners start first and get their request handler once everything is built.
  let handler: Parameters<typeof listenApi>[0] = (_req, res) => {
    res.writeHead(503);
    res.end();
  };
  const tcp = await listenApi(
    (req, res) => {
      handler(req, res);
    },
    {
      port: config.port,
      host: config.host,
    },
  );
  const reachableHost =
    config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${reachableHost}:${tcp.port}`;
  // Sandboxes with their own network namespace reach the API through this socket.
  const apiSocketPath = join(runDir, 'api.sock');
  await rm(apiSocketPath, { force: true });
  const unix = await listenApi(
    (req, res) => {
      handler(req, res);
    },
    { path: apiSocketPath },
  );
  const listeners: ApiListener[] = [tcp, unix];

  const control = await createControlPlane({
    store,
    dataDir,
    ctx,
    publicEndpoint: url,
    accountConcurrency: config.accountConcurrency,
    clock,
    onWarning,
  });
  const pool = await createEnvironmentPool({
    isolation: config.isolation,
    runDir,
    runtimesDir: RUNTIMES_DIR,
    clock,
    idleTimeoutMs: config.idleTimeoutMs,
    apiSocketPath,
    freezeGraceMs: config.freezeGraceMs,
    preboot: config.preboot,
    memoryLimitMb: config.environmentMemoryMb,
    onWarning,
  });
  const logs = new LogWriter(store, clock, (err) => {
    onWarning(`could not store log events: ${String(err)}`);
  });

  const queues = createQueueService({ store: new SqliteQueueStore(db), clock, ctx });
  const streams = createStreamService({ store: new SqliteStreamStore(db), clock, ctx });
  const queueTarget = queueTargetOf(queues);

  // Events are accepted only once the API handler is set below, after the dispatcher exists.
  const asyncQueue: AsyncQueue = new AsyncQueue(
    store,
    (dueAt) => {
      dispatcher.enqueued(dueAt);
    },
    (functionName): number | undefined => dispatcher.notBefore(functionName),
  );
  const invoker = new FunctionInvoker({
    resolver: control,
    pool,
    logs,
    ctx,
    clock,
    apiEndpoint: { host: reachableHost, port: tcp.port },
    describeRuntime: runtimeDescriber(ctx),
    gate: new ConcurrencyGate(config.accountConcurrency),
    asyncQueue,
  });
  // Environments initialized ahead of traffic for every provisioned concurrency config.
  const provisioned = new ProvisionedConcurrencyKeeper({
    registry: control,
    pool,
    ctx,
    apiEndpoint: { host: reachableHost, port: tcp.port },
    onWarning,
  });
  const lambdaTarget = createLambdaTarget(invoker, control, ctx);
  const topics = createSnsService({
    store: new SqliteTopicStore(db),
    clock,
    ctx,
    lambda: lambdaTarget,
    queues: queueTarget,
    onWarning,
  });
  const rules = createEventBridgeService({
    store: new SqliteRuleStore(db),
    clock,
    ctx,
    lambda: lambdaTarget,
    onWarning,
  });
  const functionConfig = createFunctionConfigServices({
    store: new SqliteFunctionConfigStore(db),
    resolver: control,
    ctx,
    clock,
    publicEndpoint: url,
    onWarning,
    destinations: {
      exists: async (arn) => {
        switch (arn.split(':')[2]) {
          case 'sqs':
            return queueTarget.queueExists(arn);
          case 'sns':
            return topics.topicExists(arn);
          case 'events':
            return rules.describeEventBus(arn.slice(arn.indexOf('/') + 1)).then(
              () => true,
              () => false,
            );
          default:
            return false;
        }
      },
    },
  });
  // API Gateway v2 HTTP APIs; the HTTP front serves them through the HttpApiDirectory it is.
  const httpApis = new HttpApiService({
    store: new SqliteHttpApiStore(db),
    ctx,
    clock,
    publicEndpoint: url,
  });
  await httpApis.start();
  // ELBv2 target groups of Lambda targets; the HTTP front serves them through the AlbDirectory.
  const targetGroups = new TargetGroupService({
    store: new SqliteTargetGroupStore(db),
    ctx,
    clock,
    functionExists: (arn) => lambdaTarget.functionExists(arn),
  });
  await targetGroups.start();
  const eventSourceMappings = createEventSourceMappings({
    store: new SqliteEventSourceMappingStore(db),
    clock,
    ctx,
    invoker,
    resolver: control,
    queues,
    streams,
    onFailure: {
      sendToQueue: (arn, body, attrs) => queueTarget.sendToQueue(arn, body, attrs),
      queueExists: (arn) => queueTarget.queueExists(arn),
      publishToTopic: (arn, message) => topics.publishToTopic(arn, message),
      topicExists: (arn) => topics.topicExists(arn),
    },
    onWarning,
  });
  const dispatcher = new AsyncDispatcher({
    store,
    resolver: control,
    config: asyncConfig(control, functionConfig),
    runner: invoker,
    destinations: new DestinationDelivery({
      queues: queueTarget,
      topics,
      buses: rules,
      invokeAsync: (functionArn, payload) => lambdaTarget.invokeAsync(functionArn, payload),
    }),
    retry: new RetryPolicy(config.asyncTimeScale),
    clock,
    ctx,
    slots: new AsyncSlots(config.asyncWorkers, config.accountConcurrency, spareCpuProbe()),
    onWarning,
  });

  const sns = createSnsHttpHandler(topics, ctx);
  const elbv2 = createElbv2HttpHandler(targetGroups, {
    onUnexpectedError: (action, error) => {
      onWarning(`${action}: ${describeError(error)}`);
    },
  });
  handler = createFrontDoor({
    triggers: createHttpTriggers({
      invoker,
      streamingInvoker: invoker,
      urls: functionConfig.functionUrls,
      httpApis,
      albs: targetGroups,
      ctx,
      clock,
      onError: (err) => {
        onWarning(`HTTP trigger: ${describeError(err)}`);
      },
    }),
    lambda: createApiHandler({
      control,
      invoker,
      streamingInvoker: invoker,
      ctx,
      functionConfig,
      eventSourceMappings,
      onRequest: (record) => {
        if (record.unexpectedError !== undefined) {
          onWarning(`${record.operation ?? record.path}: ${describeError(record.unexpectedError)}`);
        }
      },
    }),
    services: [
      createApiGatewayV2HttpHandler(httpApis, {
        onUnexpectedError: (operation, error) => {
          onWarning(`${operation}: ${describeError(error)}`);
        },
      }),
      createLogsHttpHandler(store),
      createKinesisHttpHandler(streams),
      createEventBridgeHttpHandler(rules, ctx),
      sns,
      elbv2,
      createSqsHttpHandler(queues, ctx),
    ],
    queryByBody: [
      { matchesBody: isSnsQueryBody, handler: sns },
      { matchesBody: isElbv2QueryBody, handler: elbv2 },
    ],
  });
  await dispatcher.start();
  provisioned.start();
  topics.start();
  await rules.start();
  await eventSourceMappings.start();

  let stopping: Promise<void> | undefined;
  return {
    url,
    port: tcp.port,
    pool,
    store,
    stop() {
      stopping ??= (async () => {
        for (const l of listeners) {
          l.stopAccepting();
        }
        await eventSourceMappings.stop();
        await rules.stop();
        await topics.stop();
        await dispatcher.stop();
        const provisionedSettled = provisioned.stop();
        await pool.stop(config.shutdownGraceMs);
        await provisionedSettled;
        queues.close();
        streams.close();
        await Promise.all(listeners.map((l) => l.closeAll()));
        invoker.stop();
        await control.stop();
        await functionConfig.settled();
        await logs.flush();
        await store.close();
        await rm(runDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

function describeError(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : JSON.stringify(err);
}

/** Destinations, dead-letter queues and subscriptions reach the built-in queues by ARN. */
function queueTargetOf(queues: QueueService): QueueTarget {
  return {
    async sendToQueue(queueArn, body, attributes) {
      const messageAttributes = Object.fromEntries(
        Object.entries(attributes ?? {}).map(([name, a]) => [
          name,
          { dataType: a.DataType, stringValue: a.StringValue },
        ]),
      );
      await queues.sendMessage(queueArn, { body, messageAttributes });
    },
    async queueExists(queueArn) {
      try {
        await queues.getQueue(queueArn);
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** Asynchronous settings: the qualifier's event invoke config, the version's DeadLetterConfig. */
function asyncConfig(control: Registry, functionConfig: FunctionConfigServices): AsyncConfigSource {
  return {
    eventInvokeConfig: (functionName, qualifier) =>
      functionConfig.eventInvokeConfigs.eventInvokeConfig(functionName, qualifier),
    deadLetterTarget: async (functionName, version) => {
      const configuration = await control.getFunctionConfiguration(functionName, version);
      return configuration.DeadLetterConfig?.TargetArn || undefined;
    },
  };
}

/**
 * INIT_START names the interpreter that really runs the function, e.g. `nodejs:20.20.2`.
 * Every REPORT needs it, so each runtime's answer (and its SHA-256) is computed once.
 */
function runtimeDescriber(ctx: AccountContext): (runtime: string) => RuntimeVersionInfo {
  const described = new Map<string, RuntimeVersionInfo>();
  return (runtime) => {
    let info = described.get(runtime);
    if (info === undefined) {
      const resolved = resolveRuntime(runtime);
      const runtimeVersion = `${resolved?.family ?? runtime}:${resolved?.version ?? 'unknown'}`;
      const digest = createHash('sha256').update(runtimeVersion).digest('hex');
      info = {
        runtimeVersion,
        runtimeVersionArn: `arn:aws:lambda:${ctx.region}::runtime:${digest}`,
      };
      described.set(runtime, info);
    }
    return info;
  };
}
