/**
 * Fogbank's side of the comparison: a real `fogbank server` process (fresh data dir, random port)
 * and the same no-op function, reached through the Lambda Invoke API, a function URL (path form
 * `/lambda-url/<url-id>/`) and an API Gateway HTTP API route (path form `/execute-api/<api-id>/`).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { aws, awsCliMissing } from '../../test/helpers/aws-cli.js';
import { CLI, call, createFunction, startFogbank, timed, type BenchServer } from '../lib.js';
import { measureBurst, type PathRequest, type Request } from './measure.js';
import { treePssMiB } from './memory.js';
import {
  BURST_TIMEOUT_SECONDS,
  NOOP_SOURCE,
  type ColdSeries,
  type BenchOptions,
  type PathKind,
  type PreparedTarget,
} from './result.js';

const EMPTY = Buffer.from('{}');

/** Time for the pre-booted pool to boot a replacement between two cold-start samples. */
const POOL_REFILL_MS = 500;

function invokeRequest(server: BenchServer, name: string): Request {
  const path = `/2015-03-31/functions/${name}/invocations`;
  return async () => {
    const res = await call(server.port, 'POST', path, EMPTY);
    if (res.status !== 200 || res.headers['x-amz-function-error'] !== undefined) {
      throw new Error(`Invoke ${name}: ${res.status} ${res.body.toString()}`);
    }
  };
}

/**
 * A POST of `{}` (the Invoke request's method and body, so the fronts' overhead is all that
 * differs) that must reach the handler: 200 and its body `ok`.
 */
function frontRequest(port: number, path: string): Request {
  return async () => {
    const res = await call(port, 'POST', path, Buffer.from('{}'), {
      'content-type': 'application/json',
    });
    if (res.status !== 200 || res.body.toString() !== 'ok') {
      throw new Error(`POST ${path}: ${res.status} ${res.body.toString().slice(0, 200)}`);
    }
  };
}

async function addPermission(server: BenchServer, name: string, statement: object): Promise<void> {
  const body = Buffer.from(JSON.stringify(statement));
  const res = await call(server.port, 'POST', `/2015-03-31/functions/${name}/policy`, body, {
    'content-type': 'application/json',
  });
  if (res.status !== 201) {
    throw new Error(`AddPermission ${name}: ${res.status} ${res.body.toString()}`);
  }
}

/** The function URL's path form, or why there is none. */
async function functionUrlPath(server: BenchServer, name: string): Promise<string> {
  const res = await call(
    server.port,
    'POST',
    `/2021-10-31/functions/${name}/url`,
    Buffer.from(JSON.stringify({ AuthType: 'NONE' })),
    { 'content-type': 'application/json' },
  );
  if (res.status !== 201) {
    throw new Error(`CreateFunctionUrlConfig: ${res.status} ${res.body.toString()}`);
  }
  // A public URL needs this statement on AWS too (the console adds it for you).
  await addPermission(server, name, {
    StatementId: 'url',
    Action: 'lambda:InvokeFunctionUrl',
    Principal: '*',
    FunctionUrlAuthType: 'NONE',
  });
  const { FunctionUrl } = JSON.parse(res.body.toString()) as { FunctionUrl: string };
  const urlId = /^https?:\/\/([a-z0-9]+)\.lambda-url\./.exec(FunctionUrl)?.[1];
  if (urlId === undefined) {
    throw new Error(`no url id in FunctionUrl ${FunctionUrl}`);
  }
  return `/lambda-url/${urlId}/`;
}

/** An HTTP API made by quick create (Target → `$default` route), and its path form. */
async function gatewayPath(server: BenchServer, name: string, arn: string): Promise<string> {
  if (awsCliMissing !== undefined) {
    throw new Error(awsCliMissing);
  }
  await addPermission(server, name, {
    StatementId: 'apigateway',
    Action: 'lambda:InvokeFunction',
    Principal: 'apigateway.amazonaws.com',
  });
  const created = await aws(server.url, [
    'apigatewayv2',
    'create-api',
    '--name',
    'bench',
    '--protocol-type',
    'HTTP',
    '--target',
    arn,
  ]);
  if (created.code !== 0) {
    throw new Error(`apigatewayv2 create-api: ${created.stderr.trim() || created.stdout.trim()}`);
  }
  const { ApiId } = JSON.parse(created.stdout) as { ApiId: string };
  return `/execute-api/${ApiId}/`;
}

/** A path that only counts if one request through it reaches the handler. */
async function reachable(
  label: string,
  kind: PathKind,
  path: () => Promise<string>,
  port: number,
  skipped: string[],
): Promise<PathRequest | undefined> {
  try {
    const request = frontRequest(port, await path());
    await request();
    return { label, kind, request };
  } catch (e) {
    skipped.push(`${label}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

/** Client-observed first Invoke of each of `n` new functions, `pause` ms apart. */
async function coldStarts(server: BenchServer, n: number, pause: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    await createFunction(server.port, `cold-${i}`, NOOP_SOURCE);
    samples.push(await timed(invokeRequest(server, `cold-${i}`)));
    await new Promise((r) => setTimeout(r, pause));
  }
  return samples;
}

/** The pool of pre-booted blank runtimes is sized by FOGBANK_PREBOOT_MAX where the build has it. */
const hasPrebootPool = async (): Promise<boolean> =>
  (await readFile(join(dirname(CLI), '../config/config.js'), 'utf8')).includes(
    'FOGBANK_PREBOOT_MAX',
  );

export async function prepareFogbank(
  options: BenchOptions,
  version: string,
): Promise<PreparedTarget> {
  const skipped: string[] = [];
  const cold: ColdSeries[] = [];
  const pool = await hasPrebootPool();
  if (pool) {
    // Cold start without the pool, on a server of its own with the pool switched off.
    const noPool = await startFogbank([], { FOGBANK_PREBOOT_MAX: '0' });
    try {
      cold.push({
        samples: await coldStarts(noPool, options.coldSamples, 0),
        label: 'no pool',
        how: 'first Invoke of a new function, no pre-booted pool (FOGBANK_PREBOOT_MAX=0)',
      });
    } finally {
      await noPool.stop();
    }
  } else {
    skipped.push('cold start from a pool of pre-booted blank runtimes: this build has no pool');
  }
  const server = await startFogbank();
  try {
    // With the pool, a pause between samples lets it refill, as it would between real cold
    // starts that are not a burst.
    cold.push({
      samples: await coldStarts(server, options.coldSamples, pool ? POOL_REFILL_MS : 0),
      label: pool ? 'pool' : 'no pool',
      how: pool
        ? `first Invoke of a new function, from the pre-booted pool (${POOL_REFILL_MS} ms apart)`
        : 'first Invoke of a new function',
    });

    // Burst: N first invocations of one fresh function at once; the environments it leaves
    // idle are what "how many fit in memory" counts.
    await createFunction(server.port, 'burst', NOOP_SOURCE, { Timeout: BURST_TIMEOUT_SECONDS });
    const before = await treePssMiB(server.pid);
    const burst = await measureBurst(invokeRequest(server, 'burst'), options.burst);
    const after = await treePssMiB(server.pid);

    const arn = await createFunction(server.port, 'warm', NOOP_SOURCE);
    const paths: PathRequest[] = [
      { label: 'Invoke API', kind: 'invoke', request: invokeRequest(server, 'warm') },
    ];
    for (const path of [
      await reachable(
        'function URL',
        'http',
        () => functionUrlPath(server, 'warm'),
        server.port,
        skipped,
      ),
      await reachable(
        'HTTP API $default route',
        'gateway',
        () => gatewayPath(server, 'warm', arn),
        server.port,
        skipped,
      ),
    ]) {
      if (path !== undefined) {
        paths.push(path);
      }
    }
    return {
      result: {
        peer: 'Fogbank',
        version,
        cold,
        burst,
        idle: { environments: burst.succeeded, deltaMiB: after.mib - before.mib },
        warm: [],
        skipped,
      },
      paths,
      stop: () => server.stop(),
    };
  } catch (e) {
    await server.stop();
    throw e;
  }
}
