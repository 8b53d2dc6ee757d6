/**
 * lambda-local's side. It runs the handler inside the calling process, so its Node API
 * (`lambdaLocal.execute`) is measured in child processes (lambda-local-child.ts): cold start is
 * the first execute of a fresh process; warm and burst run there too. Its `--watch` mode (an
 * HTTP server calling execute per request) is measured over HTTP like every other target: POST
 * `{"event": {}}` as the Invoke equivalent, POST `{}` (wrapped in an API Gateway v2 event) as its
 * HTTP front.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { call, freePort, timed } from '../lib.js';
import type { InstalledPeers } from './install.js';
import type { BurstResult, Request, WarmResult } from './measure.js';
import { NOOP_SOURCE, type BenchOptions, type PreparedTarget } from './result.js';

const CHILD = join(import.meta.dirname, 'lambda-local-child.js');
const run = promisify(execFile);

async function child<T>(peers: InstalledPeers, handler: string, mode: string, options: object) {
  const { stdout } = await run(
    process.execPath,
    [CHILD, peers.modules, handler, mode, JSON.stringify(options)],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as T;
}

/** `lambda-local --watch <port>`, once its port accepts connections. */
async function startWatch(peers: InstalledPeers, handler: string, port: number) {
  const proc = spawn(
    process.execPath,
    [
      join(peers.modules, 'lambda-local/build/cli.js'),
      ...['-l', handler, '-h', 'handler', '--watch', String(port), '-v', '0'],
    ],
    // It logs a line per request whatever the verbose level; that cost is part of it.
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 30_000;
  for (;;) {
    const open = await new Promise<boolean>((ok) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        ok(true);
      }).on('error', () => {
        ok(false);
      });
    });
    if (open) {
      break;
    }
    if (proc.exitCode !== null || Date.now() > deadline) {
      throw new Error(`lambda-local --watch did not listen on ${port}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return {
    async stop() {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

export async function prepareLambdaLocal(
  options: BenchOptions,
  peers: InstalledPeers,
): Promise<PreparedTarget> {
  const dir = await mkdtemp(join(tmpdir(), 'fogbank-bench-ll-'));
  const handler = join(dir, 'handler.js');
  await writeFile(handler, NOOP_SOURCE);
  try {
    const cold: number[] = [];
    for (let i = 0; i < options.coldSamples; i++) {
      cold.push((await child<{ firstMs: number }>(peers, handler, 'cold', {})).firstMs);
    }
    // The CLI, as a user runs it: a whole process per invocation.
    const eventPath = join(dir, 'event.json');
    await writeFile(eventPath, '{}');
    const cli: number[] = [];
    for (let i = 0; i < options.coldSamples; i++) {
      cli.push(
        await timed(() =>
          run(process.execPath, [
            join(peers.modules, 'lambda-local/build/cli.js'),
            ...['-l', handler, '-h', 'handler', '-e', eventPath, '-v', '0'],
          ]),
        ),
      );
    }
    const burst = await child<BurstResult>(peers, handler, 'burst', { n: options.burst });
    const inProcess = await child<WarmResult>(peers, handler, 'warm', {
      warmSamples: options.warmSamples,
      warmup: options.warmup,
      seconds: options.seconds,
    });

    const port = await freePort();
    const watch = await startWatch(peers, handler, port);
    const post: Request = async () => {
      const res = await call(port, 'POST', '/', Buffer.from('{"event":{}}'), {
        'content-type': 'application/json',
      });
      if (res.status !== 200) {
        throw new Error(`POST: ${res.status} ${res.body.toString()}`);
      }
    };
    const front: Request = async () => {
      const res = await call(port, 'POST', '/noop', Buffer.from('{}'), {
        'content-type': 'application/json',
      });
      if (res.status !== 200) {
        throw new Error(`POST /noop: ${res.status} ${res.body.toString()}`);
      }
    };
    const stop = async () => {
      await watch.stop();
      await rm(dir, { recursive: true, force: true });
    };
    return {
      result: {
        peer: 'lambda-local',
        version: peers.versions['lambda-local'],
        cold: [
          {
            samples: cold,
            label: 'cold',
            how: 'first execute() in a fresh process (process start excluded)',
          },
          { samples: cli, label: 'CLI', how: '`lambda-local -e event.json`: a whole process' },
        ],
        burst,
        warm: [
          // Measured alone, in its own process: there is no request to take turns with.
          { label: 'execute() in-process', kind: 'in-process', result: inProcess },
        ],
        skipped: [
          'idle environments in memory: lambda-local keeps none (every call shares one module instance in the caller process)',
        ],
      },
      paths: [
        { label: '--watch POST {event}', kind: 'invoke', request: post },
        { label: '--watch POST (v2 event)', kind: 'http', request: front },
      ],
      stop,
    };
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
