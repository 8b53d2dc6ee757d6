import { mkdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from './config/config.js';
import type { AccountContext } from './core/arn.js';
import { createSystemClock, type Clock } from './core/clock.js';
import { createApiHandler } from './api/index.js';
import { createControlPlane } from './control/index.js';
import { FunctionInvoker } from './invoke/invoker.js';
import { LogWriter } from './observe/log-writer.js';
import { cleanupStale, createEnvironmentPool, resolveRuntime } from './sandbox/index.js';
import type { EnvironmentPool } from './sandbox/types.js';
import { openSqliteStore, type Store } from './store/index.js';

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
export async function startPlatform(config: Config, options: PlatformOptions = {}): Promise<Platform> {
  const clock = options.clock ?? createSystemClock();
  const onWarning = options.onWarning ?? (() => undefined);
  const dataDir = resolve(config.dataDir);
  const runDir = join(dataDir, 'run');
  await mkdir(dataDir, { recursive: true });
  await cleanupStale(runDir);
  await mkdir(runDir, { recursive: true });

  const ctx: AccountContext = { region: config.region, accountId: config.accountId };
  const store = await openSqliteStore(dataDir);
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 });
  const port = await listen(server, config.port, config.host);
  const reachableHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${reachableHost}:${port}`;

  // Sandboxes with their own network namespace reach the API through this socket.
  const apiSocketPath = join(runDir, 'api.sock');
  const socketServer = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 });
  await rm(apiSocketPath, { force: true });
  await listenSocket(socketServer, apiSocketPath);

  const control = await createControlPlane({
    store,
    dataDir,
    ctx,
    publicEndpoint: url,
    accountConcurrency: config.accountConcurrency,
    clock,
  });
  const pool = await createEnvironmentPool({
    isolation: config.isolation,
    runDir,
    runtimesDir: RUNTIMES_DIR,
    clock,
    idleTimeoutMs: config.idleTimeoutMs,
    apiSocketPath,
    onWarning,
  });
  const logs = new LogWriter(store, clock, (err) => {
    onWarning(`could not store log events: ${String(err)}`);
  });
  const invoker = new FunctionInvoker({
    resolver: control,
    pool,
    logs,
    ctx,
    clock,
    apiEndpoint: { host: reachableHost, port },
    describeRuntime: (runtime) => describeRuntime(ctx, runtime),
  });
  const handler = createApiHandler({ control, invoker, ctx });
  server.on('request', handler);
  socketServer.on('request', handler);

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    pool,
    store,
    stop() {
      stopping ??= (async () => {
        const closed = Promise.all([close(server), close(socketServer)]);
        server.closeIdleConnections();
        socketServer.closeIdleConnections();
        await pool.stop(config.shutdownGraceMs);
        server.closeAllConnections();
        socketServer.closeAllConnections();
        await closed;
        invoker.stop();
        await logs.flush();
        await store.close();
        await rm(runDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

/** INIT_START names the interpreter that really runs the function, e.g. `nodejs:20.20.2`. */
function describeRuntime(ctx: AccountContext, runtime: string): {
  runtimeVersion: string;
  runtimeVersionArn: string;
} {
  const info = resolveRuntime(runtime);
  const family = runtime.replace(/[\d.x]+$/, '').replace(/\.al\d+$/, '');
  const runtimeVersion = `${family}:${info?.version ?? 'unknown'}`;
  const digest = createHash('sha256').update(runtimeVersion).digest('hex');
  return { runtimeVersion, runtimeVersionArn: `arn:aws:lambda:${ctx.region}::runtime:${digest}` };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolvePort(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function listenSocket(server: Server, path: string): Promise<void> {
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolveClose) => {
    server.close(() => {
      resolveClose();
    });
  });
}
