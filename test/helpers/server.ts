import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';

/** The compiled CLI, as `npm start` runs it. */
export const CLI = resolve(import.meta.dirname, '../../src/cli/main.js');

export interface RunningServer {
  readonly url: string;
  readonly dataDir: string;
  readonly process: ChildProcess;
  /** Everything the server printed so far. */
  output(): string;
  lambda(): LambdaClient;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (a crash) and wait for exit. */
  kill(): Promise<void>;
}

export interface ServerOptions {
  readonly dataDir?: string;
  readonly isolation?: 'auto' | 'namespace' | 'process';
  readonly env?: Record<string, string>;
  readonly args?: readonly string[];
}

/** Starts a real `fogbank server` process on a free port with its own data directory. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'fogbank-test-')));
  const child = spawn(
    process.execPath,
    [
      '--enable-source-maps',
      CLI,
      'server',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--isolation',
      options.isolation ?? 'auto',
      ...(options.args ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((r) =>
    child.once('exit', (code) => {
      r(code);
    }),
  );
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`server did not start:\n${out}`));
    }, 20_000);
    const check = (): void => {
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    };
    child.stdout.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`server exited before listening:\n${out}`));
    });
  });
  const clients: LambdaClient[] = [];
  return {
    url,
    dataDir,
    process: child,
    output: () => out,
    lambda() {
      const c = new LambdaClient({
        endpoint: url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      });
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) {
        c.destroy();
      }
      child.kill('SIGTERM');
      const code = await exited;
      if (!options.dataDir) {
        await rm(dataDir, { recursive: true, force: true });
      }
      return code;
    },
    async kill() {
      for (const c of clients) {
        c.destroy();
      }
      child.kill('SIGKILL');
      await exited;
    },
  };
}
