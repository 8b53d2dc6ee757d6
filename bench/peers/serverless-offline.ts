/**
 * serverless-offline's side: a generated service (same no-op handler) started with `serverless
 * offline` as a child process. It emulates the Lambda Invoke API on its lambdaPort, so the very
 * request Fogbank gets works against it, and serves an httpApi route on its httpPort.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, freePort, timed } from '../lib.js';
import type { InstalledPeers } from './install.js';
import { measureBurst, type Request } from './measure.js';
import { treePssMiB } from './memory.js';
import {
  BURST_TIMEOUT_SECONDS,
  NOOP_SOURCE,
  type BenchOptions,
  type PreparedTarget,
  type TargetResult,
} from './result.js';

const SERVICE = 'fogbank-bench';
const STAGE = 'dev';

/** serverless.yml (JSON is YAML): cold-0…, burst and warm, the last with an httpApi route. */
function serviceDefinition(options: BenchOptions, ports: Record<string, number>): string {
  const functions: Record<string, object> = {};
  for (let i = 0; i < options.coldSamples; i++) {
    functions[`cold${i}`] = { handler: 'handler.handler' };
  }
  functions.burst = { handler: 'handler.handler', timeout: BURST_TIMEOUT_SECONDS };
  functions.warm = {
    handler: 'handler.handler',
    events: [{ httpApi: { method: 'POST', path: '/noop' } }],
  };
  return JSON.stringify(
    {
      service: SERVICE,
      frameworkVersion: '3',
      provider: { name: 'aws', runtime: 'nodejs20.x', region: 'us-east-1', stage: STAGE },
      plugins: ['serverless-offline'],
      custom: {
        'serverless-offline': {
          host: '127.0.0.1',
          ...ports,
          noPrependStageInUrl: true,
          // Keep idle workers for the whole run so the memory they hold can be counted.
          terminateIdleLambdaTime: 3600,
        },
      },
      functions,
    },
    null,
    2,
  );
}

interface Offline {
  readonly pid: number;
  stop(): Promise<void>;
}

async function startOffline(dir: string, peers: InstalledPeers): Promise<Offline> {
  const child = spawn(
    process.execPath,
    [join(peers.modules, 'serverless/bin/serverless.js'), 'offline', 'start'],
    {
      cwd: dir,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await new Promise<void>((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => {
      fail(new Error(`serverless offline not ready after 60 s: ${out}`));
    }, 60_000);
    const onData = (d: string) => {
      out += d;
      if (out.includes('Server ready')) {
        clearTimeout(timer);
        ok();
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`serverless offline exited (${code}): ${out}`));
    });
  });
  return {
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode !== null) {
        return;
      }
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function prepareServerlessOffline(
  options: BenchOptions,
  peers: InstalledPeers,
): Promise<PreparedTarget> {
  const dir = await mkdtemp(join(tmpdir(), 'fogbank-bench-sls-'));
  const ports = {
    httpPort: await freePort(),
    lambdaPort: await freePort(),
    websocketPort: await freePort(),
    albPort: await freePort(),
  };
  await writeFile(join(dir, 'handler.js'), NOOP_SOURCE);
  await writeFile(join(dir, 'serverless.yml'), serviceDefinition(options, ports));
  await symlink(peers.modules, join(dir, 'node_modules'));
  const offline = await startOffline(dir, peers);
  const stop = async () => {
    await offline.stop();
    await rm(dir, { recursive: true, force: true });
  };
  const invoke =
    (fn: string): Request =>
    async () => {
      const path = `/2015-03-31/functions/${SERVICE}-${STAGE}-${fn}/invocations`;
      const res = await call(ports.lambdaPort, 'POST', path, Buffer.from('{}'));
      if (res.status !== 200 || res.headers['x-amz-function-error'] !== undefined) {
        throw new Error(`Invoke ${fn}: ${res.status} ${res.body.toString()}`);
      }
    };
  const httpApi: Request = async () => {
    const res = await call(ports.httpPort, 'POST', '/noop', Buffer.from('{}'), {
      'content-type': 'application/json',
    });
    if (res.status !== 200 || res.body.toString() !== 'ok') {
      throw new Error(`POST /noop: ${res.status} ${res.body.toString()}`);
    }
  };
  try {
    const cold: number[] = [];
    for (let i = 0; i < options.coldSamples; i++) {
      cold.push(await timed(invoke(`cold${i}`)));
    }
    const before = await treePssMiB(offline.pid);
    const burst = await measureBurst(invoke('burst'), options.burst);
    const after = await treePssMiB(offline.pid);
    const result: TargetResult = {
      peer: 'serverless-offline',
      version: `${peers.versions['serverless-offline']} (serverless ${peers.versions.serverless})`,
      cold: [
        {
          samples: cold,
          label: 'cold',
          how: 'first Invoke of another function of the running service',
        },
      ],
      burst,
      idle: { environments: burst.succeeded, deltaMiB: after.mib - before.mib },
      warm: [],
      skipped: [],
    };
    return {
      result,
      paths: [
        { label: 'Invoke API (lambdaPort)', kind: 'invoke', request: invoke('warm') },
        { label: 'httpApi route', kind: 'http', request: httpApi },
      ],
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
