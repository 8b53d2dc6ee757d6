import { randomUUID } from 'node:crypto';
import { chmod, cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../../src/core/clock.js';
import { createSystemClock } from '../../src/core/clock.js';
import { createEnvironmentPool, type EnvironmentPoolOptions } from '../../src/sandbox/index.js';
import type {
  EnvironmentPool,
  EnvironmentSpec,
  InvokeRequest,
  InvokeResult,
} from '../../src/sandbox/types.js';

/** Test fixtures are not compiled: they live next to the sources. */
export const FIXTURES = resolve(import.meta.dirname, '../../../test/fixtures/sandbox');
export const RUNTIMES_DIR = resolve(import.meta.dirname, '../../../src/runtimes');
/** The `provided` fixture that does what each event's `action` says. */
export const BEHAVE = join(FIXTURES, 'behave');

export type IsolationName = 'namespace' | 'process';

export interface TestPool {
  readonly pool: EnvironmentPool;
  readonly runDir: string;
  /** A value put in every function's variables: finds the environments' processes in /proc. */
  readonly marker: string;
  readonly warnings: string[];
  spec(overrides?: Partial<EnvironmentSpec>): EnvironmentSpec;
  invoke(
    spec: EnvironmentSpec,
    event: unknown,
    overrides?: Partial<InvokeRequest>,
  ): Promise<InvokeResult>;
}

/** A pool of the given isolation in a fresh run directory, stopped after the test. */
export async function startPool(
  t: TestContext,
  isolation: IsolationName,
  options: {
    clock?: Clock;
    idleTimeoutMs?: number;
    apiSocketPath?: string;
    preboot?: EnvironmentPoolOptions['preboot'];
    memoryLimitMb?: number;
    freezeGraceMs?: number;
  } = {},
): Promise<TestPool> {
  const runDir = await mkdtemp(join(tmpdir(), 'fogbank-sandbox-'));
  const warnings: string[] = [];
  const pool = await createEnvironmentPool({
    isolation,
    runDir,
    runtimesDir: RUNTIMES_DIR,
    clock: options.clock ?? createSystemClock(),
    idleTimeoutMs: options.idleTimeoutMs ?? 600_000,
    ...(options.apiSocketPath !== undefined ? { apiSocketPath: options.apiSocketPath } : {}),
    ...(options.preboot !== undefined ? { preboot: options.preboot } : {}),
    ...(options.memoryLimitMb !== undefined ? { memoryLimitMb: options.memoryLimitMb } : {}),
    ...(options.freezeGraceMs !== undefined ? { freezeGraceMs: options.freezeGraceMs } : {}),
    onWarning: (message) => warnings.push(message),
  });
  t.after(async () => {
    await pool.stop(0);
    await rm(runDir, { recursive: true, force: true });
  });
  const marker = `marker-${randomUUID()}`;
  return {
    pool,
    runDir,
    marker,
    warnings,
    spec: (overrides = {}) =>
      functionSpec({
        ...overrides,
        variables: { FOGBANK_TEST_MARKER: marker, ...overrides.variables },
      }),
    invoke: (spec, event, overrides = {}) => pool.invoke(spec, invokeRequest(event, overrides)),
  };
}

/** A `provided` function running the behave fixture, unless overridden. */
export function functionSpec(overrides: Partial<EnvironmentSpec> = {}): EnvironmentSpec {
  const functionName = overrides.functionName ?? 'behave';
  return {
    key: `${functionName}:$LATEST:${randomUUID()}`,
    functionName,
    functionVersion: '$LATEST',
    runtime: 'provided.al2023',
    handler: 'index.handler',
    memorySizeMb: 256,
    timeoutSeconds: 10,
    ephemeralStorageMb: 512,
    codeDir: BEHAVE,
    layerDirs: [],
    variables: {},
    logGroupName: `/aws/lambda/${functionName}`,
    logFormat: 'Text',
    region: 'eu-west-1',
    accountId: '123456789012',
    credentials: {
      accessKeyId: 'AKIDTEST',
      secretAccessKey: 'secret-test',
      sessionToken: 'token-test',
    },
    apiEndpoint: { host: '127.0.0.1', port: 4566 },
    ...overrides,
  };
}

export function invokeRequest(
  event: unknown,
  overrides: Partial<InvokeRequest> = {},
): InvokeRequest {
  return {
    requestId: randomUUID(),
    payload: Buffer.from(JSON.stringify(event)),
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:behave',
    traceId: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0',
    ...overrides,
  };
}

/** The JSON a result carries, in the shape the caller expects. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the expected shape
export function body<T = Record<string, unknown>>(result: InvokeResult): T {
  return JSON.parse(result.payload.toString('utf8')) as T;
}

/** Pids of live processes whose environment contains `marker`. */
export async function processesWithMarker(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) {
      continue;
    }
    try {
      const environ = await readFile(`/proc/${name}/environ`, 'latin1');
      const stat = await readFile(`/proc/${name}/stat`, 'latin1');
      // A zombie has been killed; it only waits for its parent to reap it.
      if (
        environ.includes(marker) &&
        stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
      ) {
        found.push(Number(name));
      }
    } catch {
      // Exited meanwhile, or not ours to read.
    }
  }
  return found;
}

/** Environment directories (32 hex characters) left in a run directory. */
export async function environmentDirs(runDir: string): Promise<string[]> {
  return (await readdir(runDir)).filter((name) => /^[0-9a-f]{32}$/.test(name));
}

/**
 * Waits until `condition` holds (checked every 10 ms, at most `timeoutMs`): for effects that
 * complete in the background, such as an environment's cleanup after it was reaped.
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${timeoutMs} ms`);
    }
    await delay(10);
  }
}

/** A copy of a fixture (the behave fixture by default) in a directory of its own, plus extra files. */
export async function ownCodeDir(
  t: TestContext,
  files: Record<string, string> = {},
  fixture = BEHAVE,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fogbank-code-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await cp(fixture, dir, { recursive: true });
  // mkdtemp makes it 0700: the sandbox's unprivileged user could not list it.
  await chmod(dir, 0o755);
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(dir, name), content, { mode: 0o644 });
  }
  return dir;
}
