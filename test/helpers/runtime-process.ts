/**
 * Starts a runtime bootstrap (src/runtimes) as a real process the way an execution environment
 * does: an explicit, minimal environment (§2.5), cwd = LAMBDA_TASK_ROOT, stdout and stderr
 * captured. Function code is copied from test/fixtures/functions/<name> into a fresh directory,
 * so that nothing of this repository (its package.json, for one) is above the task root.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RuntimeApiServer } from './runtime-api-server.js';

/** The repository root, from dist/test/helpers/. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const RUNTIMES_DIR = join(REPO_ROOT, 'src', 'runtimes');
export const FIXTURES_DIR = join(REPO_ROOT, 'test', 'fixtures', 'functions');

/** The interpreters a sandbox finds on its PATH (never a version manager's shims). */
const SANDBOX_PATH = '/usr/local/bin:/usr/bin:/bin';

export type RuntimeKind = 'nodejs' | 'python' | 'provided';

export interface RuntimeOptions {
  readonly runtime: RuntimeKind;
  /** Directory name under test/fixtures/functions. */
  readonly fixture: string;
  readonly handler?: string;
  /** `host:port` of the Runtime API (AWS_LAMBDA_RUNTIME_API). */
  readonly runtimeApi: string;
  /** More variables, or `undefined` to remove a default one. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Adds files to the task root before the runtime starts. */
  readonly prepare?: (taskRoot: string) => void;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface RuntimeProcess {
  readonly child: ChildProcess;
  readonly taskRoot: string;
  /** performance.now() just before spawn. */
  readonly spawnedAt: number;
  readonly exited: Promise<ExitStatus>;
  stdout(): string;
  stderr(): string;
  /** Kills the process if it still runs and removes its task root. */
  stop(): Promise<void>;
}

export function defaultEnvironment(
  runtimeApi: string,
  taskRoot: string,
  handler: string,
): Record<string, string> {
  return {
    PATH: SANDBOX_PATH,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: RUNTIMES_DIR,
    _HANDLER: handler,
    AWS_LAMBDA_RUNTIME_API: runtimeApi,
    AWS_LAMBDA_FUNCTION_NAME: 'test-function',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
    AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/test-function',
    AWS_LAMBDA_LOG_STREAM_NAME: '2025/05/01/[$LATEST]0123456789abcdef0123456789abcdef',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
  };
}

/** The command line the sandbox uses for each runtime (src/runtimes/README.md). */
export function runtimeCommand(runtime: RuntimeKind): [string, string[]] {
  switch (runtime) {
    case 'nodejs':
      return [process.execPath, [join(RUNTIMES_DIR, 'nodejs', 'bootstrap.cjs')]];
    case 'python':
      return ['python3', ['-u', join(RUNTIMES_DIR, 'python', 'bootstrap.py')]];
    case 'provided':
      return [process.execPath, [join(RUNTIMES_DIR, 'provided', 'launcher.mjs')]];
  }
}

export function copyFixture(fixture: string): string {
  const taskRoot = mkdtempSync(join(tmpdir(), `fogbank-task-${fixture}-`));
  cpSync(join(FIXTURES_DIR, fixture), taskRoot, { recursive: true });
  return taskRoot;
}

export function startRuntime(options: RuntimeOptions): RuntimeProcess {
  const taskRoot = copyFixture(options.fixture);
  options.prepare?.(taskRoot);
  const variables = {
    ...defaultEnvironment(options.runtimeApi, taskRoot, options.handler ?? ''),
    ...options.env,
  };
  const env = Object.fromEntries(
    Object.entries(variables).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const [command, args] = runtimeCommand(options.runtime);
  const spawnedAt = performance.now();
  const child = spawn(command, args, { cwd: taskRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<ExitStatus>((resolve) => {
    // 'close' (not 'exit'): all output has been read by then.
    child.on('close', (code, signal) => {
      resolve({ code, signal });
    });
  });
  return {
    child,
    taskRoot,
    spawnedAt,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
      }
      await exited;
      rmSync(taskRoot, { recursive: true, force: true });
    },
  };
}

export interface TestEnvironment {
  readonly server: RuntimeApiServer;
  readonly runtime: RuntimeProcess;
}

/**
 * A Runtime API server and a runtime process connected to it, both stopped after the test.
 * With `socketPath`, the server also listens there (the namespace sandbox's Unix socket).
 */
export async function startTestEnvironment(
  t: TestContext,
  options: Omit<RuntimeOptions, 'runtimeApi'> & { readonly socketPath?: string },
): Promise<TestEnvironment> {
  const server = await RuntimeApiServer.start(
    options.socketPath === undefined ? {} : { socketPath: options.socketPath },
  );
  const runtime = startRuntime({ ...options, runtimeApi: server.address });
  t.after(async () => {
    await runtime.stop();
    await server.close();
  });
  return { server, runtime };
}
